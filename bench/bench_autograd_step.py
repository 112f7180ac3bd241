"""Batch-1 training step of a tiny MLP with autograd: per-op overhead end to end.

    python bench/bench_autograd_step.py            # mxlite, NumPy, and MXNet 1.9.1 if installed

The same MXNet 1.x code runs on mxlite and on MXNet (`import mxlite as mx` vs
`import mxnet as mx`): FullyConnected + relu, softmax cross-entropy, backward,
and sgd_update on 6 parameters.  NumPy runs the same step with the gradient
written out by hand (no autograd).  Medians of several runs."""
import argparse
import json
import os
import subprocess

import numpy as np
from timing import median_time

SIZES = [16, 32, 32, 4]
HERE = os.path.dirname(os.path.abspath(__file__))




def mx_step_fn(mx):
    rng = np.random.default_rng(0)
    params = []
    for fi, fo in zip(SIZES[:-1], SIZES[1:]):
        params += [mx.nd.array(rng.standard_normal((fo, fi)) * 0.3), mx.nd.zeros((fo,))]
    for p in params:
        p.attach_grad()
    x = mx.nd.array(rng.standard_normal((1, SIZES[0])))
    y = mx.nd.array([1.0])

    def step():
        with mx.autograd.record():
            h = x
            for i in range(0, len(params), 2):
                h = mx.nd.FullyConnected(h, params[i], params[i + 1], num_hidden=params[i].shape[0])
                if i + 2 < len(params):
                    h = mx.nd.relu(h)
            loss = mx.nd.softmax_cross_entropy(h, y)
        loss.backward()
        for p in params:
            mx.nd.sgd_update(p, p.grad, lr=0.01, out=p)
        loss.wait_to_read()
    return step


def numpy_step_fn():
    rng = np.random.default_rng(0)
    ws = [rng.standard_normal((fo, fi)).astype(np.float32) * 0.3
          for fi, fo in zip(SIZES[:-1], SIZES[1:])]
    bs = [np.zeros(fo, np.float32) for fo in SIZES[1:]]
    x = rng.standard_normal((1, SIZES[0])).astype(np.float32)
    label = 1

    def step():
        acts = [x]
        for i, (w, b) in enumerate(zip(ws, bs)):
            z = acts[-1] @ w.T + b
            acts.append(np.maximum(z, 0) if i + 1 < len(ws) else z)
        z = acts[-1]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        g = p.copy()
        g[0, label] -= 1
        for i in reversed(range(len(ws))):
            gw, gb = g.T @ acts[i], g.sum(axis=0)
            if i:
                g = (g @ ws[i]) * (acts[i] > 0)
            ws[i] -= 0.01 * gw
            bs[i] -= 0.01 * gb
    return step


def measure(framework):
    if framework == "numpy":
        return median_time(numpy_step_fn(), 2000, warmup=201)
    mx = __import__(framework)
    n = 300 if framework == "mxnet" else 2000
    return median_time(mx_step_fn(mx), n, warmup=n // 10 + 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework")
    args = ap.parse_args()
    if args.framework:
        print(json.dumps({args.framework: measure(args.framework)}))
        return
    res = {"mxlite": measure("mxlite"), "numpy": measure("numpy")}
    peers_py = os.path.join(HERE, "..", ".venv-peers", "bin", "python")
    if os.path.exists(peers_py):
        p = subprocess.run([peers_py, __file__, "--framework", "mxnet"], capture_output=True,
                           text=True, env=dict(os.environ, OMP_NUM_THREADS="2"))
        if p.returncode == 0:
            res.update(json.loads(p.stdout.strip().splitlines()[-1]))
    print(f"\n## Tiny MLP {'-'.join(map(str, SIZES))}, batch 1: forward + backward + update "
          "(medians; ratio = peer / mxlite)")
    for k, v in res.items():
        ratio = "" if k == "mxlite" else f"  ratio {v / res['mxlite']:.2f}"
        print(f"{k:8s} {v * 1e6:8.1f} us/step{ratio}")
    print("PyTorch reference measured on this machine (issue 3): ~84 us/step")


if __name__ == "__main__":
    main()
