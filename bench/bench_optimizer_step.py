"""Optimizer step benchmark: one `mx.optimizer` Updater call over every parameter
of a model, as gluon.Trainer.step makes it (index, grad and weight lists), for
mxlite and MXNet 1.9.1 (.venv-peers, tools/install_bench_peers.sh; or the
interpreter named by MXL_PEERS_PYTHON), with the same Python code.

Two parameter sets: ResNet-18's 62 arrays (11.7M floats: bandwidth-bound) and
200 arrays of 256 floats (per-parameter Python and dispatch overhead).
Medians of wall time over repeated steps, and the process CPU time per step
(time.process_time, all threads): on a shared, loaded machine the CPU time is
the steadier measure of the work each framework does.

    .venv/bin/python bench/bench_optimizer_step.py
"""
import argparse
import json
import sys
import time

import numpy as np
from framework_runs import child, peers_python

REPEAT = 15

OPTIMIZERS = [
    ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-4}),
    ("nag", {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-4}),
    ("adam", {"learning_rate": 1e-3, "wd": 1e-4}),
    ("rmsprop", {"learning_rate": 1e-3, "centered": True}),
    ("adagrad", {"learning_rate": 0.01}),
    ("lamb", {"learning_rate": 1e-3, "wd": 1e-4}),
]


def resnet18_shapes():
    """Parameter shapes of ResNet-18 (ImageNet head), in definition order."""
    shapes = [(64, 3, 7, 7)] + [(64,)] * 4
    cin = 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        for block in range(2):
            first_in = cin if block == 0 else cout
            shapes += [(cout, first_in, 3, 3)] + [(cout,)] * 4
            shapes += [(cout, cout, 3, 3)] + [(cout,)] * 4
            if block == 0 and (stride != 1 or cin != cout):
                shapes += [(cout, cin, 1, 1)] + [(cout,)] * 4
        cin = cout
    return shapes + [(1000, 512), (1000,)]


SETS = {"resnet18": resnet18_shapes(), "small200": [(256,)] * 200}


def run(module):
    mx = __import__(module)
    rng = np.random.default_rng(0)
    res = {}
    for set_name, shapes in SETS.items():
        weights = [mx.nd.array(rng.standard_normal(s).astype(np.float32)) for s in shapes]
        grads = [mx.nd.array(rng.standard_normal(s).astype(np.float32) * 0.01) for s in shapes]
        idx = list(range(len(shapes)))
        for opt_name, kw in OPTIMIZERS:
            upd = mx.optimizer.get_updater(mx.optimizer.create(opt_name, **kw))
            step = lambda: upd(idx, grads, weights)  # noqa: E731
            step()
            mx.nd.waitall()
            times = []
            cpu = time.process_time()
            for _ in range(REPEAT):
                t = time.perf_counter()
                step()
                mx.nd.waitall()
                times.append(time.perf_counter() - t)
            cpu = (time.process_time() - cpu) / REPEAT
            res[f"{set_name}/{opt_name}"] = [float(np.median(times)), cpu]
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework", choices=["mxlite", "mxnet"])
    args = ap.parse_args()
    if args.framework:
        print(json.dumps(run(args.framework)))
        return
    results = {"mxlite": child(__file__, sys.executable, "mxlite")}
    peer = peers_python()
    if peer:
        results["mxnet"] = child(__file__, peer, "mxnet")
    results = {k: v for k, v in results.items() if v}
    print(f"optimizer Updater step over a model's parameters, median of {REPEAT} "
          "(ratio = MXNet 1.9.1 time / mxlite time; >1 means mxlite is faster)"
          + ("" if "mxnet" in results else "; mxnet: not installed (tools/install_bench_peers.sh)"))
    me = results["mxlite"]
    for case in me:
        (wall, cpu) = me[case]
        row = [f"{case:18s}", f"mxlite {wall * 1e3:8.2f} ms (cpu {cpu * 1e3:8.2f} ms)"]
        if "mxnet" in results:
            (twall, tcpu) = results["mxnet"][case]
            row.append(f"mxnet {twall * 1e3:8.2f} ms ({twall / wall:.2f}x) "
                       f"(cpu {tcpu * 1e3:8.2f} ms, {tcpu / cpu:.2f}x)")
        print("  ".join(row))


if __name__ == "__main__":
    main()
