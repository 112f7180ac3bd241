"""Gluon training throughput, imperative and hybridized, mxlite vs MXNet 1.9.1.

    python bench/bench_gluon.py                       # every model, both frameworks
    python bench/bench_gluon.py --framework mxlite --model mlp --hybridize   # JSON

The same Gluon code runs on both (`import mxlite as mx` vs `import mxnet as
mx`): a model from gluon.nn, SoftmaxCrossEntropyLoss, autograd backward and
gluon.Trainer with SGD (momentum 0.9).  Models: `mlp` (784-512-512-10 relu,
batch 128), `cnn` (conv-bn-relu x3 with pooling, 3x32x32 inputs, batch 32) and
`resnet18` (gluon.model_zoo.vision.resnet18_v1, 10 classes, 3x32x32, batch 32:
the issue's reference configuration; MXNet 1.9.1 hybridized measured 659
img/s and 386 MiB, PyTorch eager 605 img/s and 514 MiB on a quiet machine).
Reported: training samples per second (median of timed blocks, each ending
with a sync) and the process's peak resident memory.  Each measurement runs in
its own process so peak memory is per configuration."""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS = {"mlp": ((128, 784), 10), "cnn": ((32, 3, 32, 32), 10),
          "resnet18": ((32, 3, 32, 32), 10)}


def build(mx, model):
    nn = mx.gluon.nn
    if model == "resnet18":
        net = mx.gluon.model_zoo.vision.resnet18_v1(classes=10)
        net.initialize(mx.init.Xavier())
        return net
    net = nn.HybridSequential()
    with net.name_scope():
        if model == "mlp":
            net.add(nn.Dense(512, activation="relu"), nn.Dense(512, activation="relu"),
                    nn.Dense(10))
        else:
            for ch in (32, 64, 128):
                net.add(nn.Conv2D(ch, 3, padding=1, use_bias=False), nn.BatchNorm(),
                        nn.Activation("relu"))
                net.add(nn.MaxPool2D() if ch < 128 else nn.GlobalAvgPool2D())
            net.add(nn.Flatten(), nn.Dense(10))
    net.initialize(mx.init.Xavier())
    return net


def run_one(framework, model, hybridize, steps, repeat):
    if framework == "mxlite":
        import mxlite as mx
    else:
        import mxnet as mx
    shape, classes = MODELS[model]
    rng = np.random.default_rng(0)
    data = [(mx.nd.array(rng.standard_normal(shape).astype(np.float32)),
             mx.nd.array(rng.integers(0, classes, shape[0]).astype(np.float32)))
            for _ in range(4)]
    net = build(mx, model)
    if hybridize:
        net.hybridize(static_alloc=True, static_shape=True)
    loss_fn = mx.gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd",
                               {"learning_rate": 0.01, "momentum": 0.9})
    state = {"i": 0}

    def step():
        x, y = data[state["i"] % len(data)]
        state["i"] += 1
        with mx.autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        trainer.step(shape[0])
        return loss

    for _ in range(5):
        step()
    mx.nd.waitall()
    first = float(step().mean().asscalar())
    rates = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(steps):
            last = step()
        mx.nd.waitall()
        rates.append(steps * shape[0] / (time.perf_counter() - t0))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"samples_per_s": statistics.median(rates), "best": max(rates),
            "peak_rss_mib": peak_mib, "loss_first": first,
            "loss_last": float(last.mean().asscalar())}


def run_in(python, framework, model, hybridize, steps, repeat):
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    cmd = [python, os.path.abspath(__file__), "--framework", framework, "--model", model,
           "--steps", str(steps), "--repeat", str(repeat)] + (["--hybridize"] if hybridize
                                                               else [])
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        print(f"  ({framework} {model}: failed: {p.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework", choices=["mxlite", "mxnet"])
    ap.add_argument("--model", choices=sorted(MODELS), default=None)
    ap.add_argument("--hybridize", action="store_true")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if args.framework:
        print(json.dumps(run_one(args.framework, args.model or "mlp", args.hybridize,
                                 args.steps, args.repeat)))
        return
    peers_py = os.path.join(ROOT, ".venv-peers", "bin", "python")
    if not os.path.exists(peers_py):
        peers_py = "/work/main/.venv-peers/bin/python"  # worktrees share main's peers
    frameworks = [("mxlite", sys.executable)]
    if os.path.exists(peers_py):
        frameworks.append(("mxnet", peers_py))
    print("Gluon training (SGD momentum, SoftmaxCrossEntropyLoss): samples/s (median of "
          f"{args.repeat} blocks of {args.steps} steps; higher is better), peak RSS")
    for model in ([args.model] if args.model else sorted(MODELS)):
        for hyb in (False, True):
            res = {name: run_in(py, name, model, hyb, args.steps, args.repeat)
                   for name, py in frameworks}
            me = res.get("mxlite")
            for name, r in res.items():
                if not r:
                    continue
                ratio = ""
                if me and name != "mxlite":
                    ratio = (f"  mxlite/{name} = {me['samples_per_s'] / r['samples_per_s']:.2f}x,"
                             f" memory {me['peak_rss_mib'] / r['peak_rss_mib']:.2f}x")
                print(f"  {model:4s} {'hybridized' if hyb else 'imperative':10s} {name:7s} "
                      f"{r['samples_per_s']:9,.0f} samples/s  peak {r['peak_rss_mib']:6.0f} MiB"
                      f"  loss {r['loss_first']:.3f} -> {r['loss_last']:.3f}{ratio}")


if __name__ == "__main__":
    main()
