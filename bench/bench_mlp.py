"""MLP training throughput: 784-512-512-10 (relu), batch 128, float32, SGD.

    python bench/bench_mlp.py                      # mxlite, NumPy, MXNet 1.9.1 if installed
    python bench/bench_mlp.py --framework mxlite   # one framework, JSON on stdout

The same MXNet 1.x code runs on mxlite and on MXNet (`import mxlite as mx` vs
`import mxnet as mx`): FullyConnected + Activation(relu), SoftmaxOutput,
autograd backward, and sgd_update on the 6 parameters.  NumPy runs the same step
with the gradient written out by hand.  Reported: training samples per second,
the median of several timed blocks (each ends with a sync, so asynchronous
engines are charged for all their work)."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

SIZES = [784, 512, 512, 10]
BATCH = 128
LR = 0.01
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def make_data(rng, batches=4):
    xs = [rng.standard_normal((BATCH, SIZES[0])).astype(np.float32) for _ in range(batches)]
    ys = [rng.integers(0, SIZES[-1], BATCH).astype(np.float32) for _ in range(batches)]
    return xs, ys


def init_params(rng):
    params = []
    for fi, fo in zip(SIZES[:-1], SIZES[1:]):
        params.append((rng.standard_normal((fo, fi)) * np.sqrt(2.0 / fi)).astype(np.float32))
        params.append(np.zeros(fo, np.float32))
    return params


def mx_step_fn(mx):
    rng = np.random.default_rng(0)
    params = [mx.nd.array(p) for p in init_params(rng)]
    for p in params:
        p.attach_grad()
    xs, ys = make_data(rng)
    data = [(mx.nd.array(x), mx.nd.array(y)) for x, y in zip(xs, ys)]
    has_sgd = hasattr(mx.nd, "sgd_update")
    state = {"i": 0}

    def step():
        x, y = data[state["i"] % len(data)]
        state["i"] += 1
        with mx.autograd.record():
            h = x
            for i in range(0, len(params), 2):
                h = mx.nd.FullyConnected(h, params[i], params[i + 1], num_hidden=params[i].shape[0])
                if i + 2 < len(params):
                    h = mx.nd.Activation(h, act_type="relu")
            out = mx.nd.SoftmaxOutput(h, y, normalization="batch")
        out.backward()
        for p in params:
            if has_sgd:
                mx.nd.sgd_update(p, p.grad, lr=LR, out=p)
            else:  # until the optimizer ops land: the same update in two ops
                p -= LR * p.grad

    def sync():
        mx.nd.waitall()

    def loss():
        x, y = data[0]
        h = x
        for i in range(0, len(params), 2):
            h = mx.nd.FullyConnected(h, params[i], params[i + 1], num_hidden=params[i].shape[0])
            if i + 2 < len(params):
                h = mx.nd.Activation(h, act_type="relu")
        p = mx.nd.softmax(h).asnumpy()
        return float(-np.log(p[np.arange(BATCH), y.asnumpy().astype(int)]).mean())
    return step, sync, loss


def numpy_step_fn():
    rng = np.random.default_rng(0)
    params = init_params(rng)
    xs, ys = make_data(rng)
    state = {"i": 0}

    def forward(x):
        acts = [x]
        for i in range(0, len(params), 2):
            z = acts[-1] @ params[i].T + params[i + 1]
            acts.append(np.maximum(z, 0) if i + 2 < len(params) else z)
        z = acts[-1]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return acts, e / e.sum(axis=1, keepdims=True)

    def step():
        k = state["i"] % len(xs)
        state["i"] += 1
        x, y = xs[k], ys[k].astype(int)
        acts, prob = forward(x)
        g = prob
        g[np.arange(BATCH), y] -= 1
        g /= BATCH
        layers = len(params) // 2
        for layer in reversed(range(layers)):
            w = params[2 * layer]
            gw, gb = g.T @ acts[layer], g.sum(axis=0)
            if layer:
                g = (g @ w) * (acts[layer] > 0)
            w -= LR * gw
            params[2 * layer + 1] -= LR * gb

    def loss():
        _, prob = forward(xs[0])
        return float(-np.log(prob[np.arange(BATCH), ys[0].astype(int)]).mean())
    return step, (lambda: None), loss


def measure(step, sync, loss, steps=100, repeat=7, sync_each=False):
    for _ in range(20):
        step()
    sync()
    before = loss()
    rates, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(steps):
            step()
            if sync_each:
                sync()
        sync()
        rates.append(steps * BATCH / (time.perf_counter() - t0))
        cpu.append((time.process_time() - c0) / steps)
    after = loss()
    # CPU time per step (all threads) is less sensitive to other load on the
    # machine than wall time; spinning threads show up in it.
    return {"samples_per_s": statistics.median(rates), "best": max(rates),
            "cpu_ms_per_step": 1e3 * statistics.median(cpu),
            "loss_before": before, "loss_after": after}


def run_one(framework, sync_each):
    if framework == "numpy":
        return measure(*numpy_step_fn())
    if framework == "mxlite":
        import mxlite as mx
    else:
        import mxnet as mx
    return measure(*mx_step_fn(mx), sync_each=sync_each)


def run_in(python, framework, sync_each):
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    cmd = [python, os.path.abspath(__file__), "--framework", framework]
    p = subprocess.run(cmd + (["--sync-each"] if sync_each else []),
                       capture_output=True, text=True, env=env)
    if p.returncode != 0:
        print(f"  ({framework}: failed: {p.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework", choices=["mxlite", "numpy", "mxnet"])
    ap.add_argument("--sync-each", action="store_true",
                    help="wait for every step (as a loop reading the loss each step does); "
                         "by default steps are pipelined and synced every 100")
    args = ap.parse_args()
    if args.framework:
        print(json.dumps(run_one(args.framework, args.sync_each)))
        return
    results = {"mxlite": run_in(sys.executable, "mxlite", args.sync_each),
               "numpy": run_in(sys.executable, "numpy", args.sync_each)}
    peers_py = os.path.join(ROOT, ".venv-peers", "bin", "python")
    if not os.path.exists(peers_py):
        peers_py = "/work/main/.venv-peers/bin/python"  # worktrees share main's peers
    if os.path.exists(peers_py):
        results["mxnet"] = run_in(peers_py, "mxnet", args.sync_each)
    print(f"MLP {'-'.join(map(str, SIZES))} relu, batch {BATCH}, float32, SGD: training "
          "samples/s (median of 7 blocks of 100 steps" +
          (", synced every step" if args.sync_each else "") + "; higher is better)")
    me = results["mxlite"]["samples_per_s"] if results.get("mxlite") else None
    for name, r in results.items():
        if not r:
            continue
        ratio = f"  mxlite/{name} = {me / r['samples_per_s']:.2f}x" if me and name != "mxlite" else ""
        print(f"  {name:7s} {r['samples_per_s']:9,.0f} samples/s  (best {r['best']:,.0f}; "
              f"{r['cpu_ms_per_step']:.2f} CPU-ms/step; loss "
              f"{r['loss_before']:.3f} -> {r['loss_after']:.3f}){ratio}")


if __name__ == "__main__":
    main()
