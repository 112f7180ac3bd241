"""Optimizer update benchmark: sgd_mom_update and adam_update on a 16M-element
float32 weight, updated in place (out=weight), against NumPy running the same
formulas in place (preallocated temporaries, no allocation per step) and
MXNet 1.9.1 when installed (.venv-peers, tools/install_bench_peers.sh; or the
interpreter named by MXL_PEERS_PYTHON).  Medians over repeated steps.

    .venv/bin/python bench/bench_optimizer.py
"""
import argparse
import json
import sys
import time

import numpy as np
from framework_runs import child, peers_python

N = 16 * 1024 * 1024
LR, MOMENTUM, WD = 0.01, 0.9, 1e-4
B1, B2, EPS = 0.9, 0.999, 1e-8
REPEAT = 15


def median_time(step, sync):
    step()
    sync()
    times = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def inputs():
    rng = np.random.default_rng(0)
    w = rng.standard_normal(N, dtype=np.float32)
    g = rng.standard_normal(N, dtype=np.float32) * np.float32(0.01)
    return w, g


def run_mx(module):
    mx = __import__(module)
    w_np, g_np = inputs()
    w, g = mx.nd.array(w_np, dtype="float32"), mx.nd.array(g_np, dtype="float32")
    mom, mean, var = mx.nd.zeros(N), mx.nd.zeros(N), mx.nd.zeros(N)
    sync = mx.nd.waitall
    return {
        "sgd_mom_update": median_time(
            lambda: mx.nd.sgd_mom_update(w, g, mom, lr=LR, momentum=MOMENTUM, wd=WD, out=w), sync),
        "adam_update": median_time(
            lambda: mx.nd.adam_update(w, g, mean, var, lr=LR, beta1=B1, beta2=B2, epsilon=EPS,
                                      wd=WD, out=w), sync),
    }


def run_numpy():
    w, g = inputs()
    mom, mean, var = (np.zeros(N, np.float32) for _ in range(3))
    t1, t2 = np.empty(N, np.float32), np.empty(N, np.float32)

    def sgd_mom():
        # mom = momentum*mom - lr*wd*w - lr*g;  w += mom
        np.multiply(mom, MOMENTUM, out=mom)
        np.multiply(w, LR * WD, out=t1)
        np.subtract(mom, t1, out=mom)
        np.multiply(g, LR, out=t1)
        np.subtract(mom, t1, out=mom)
        np.add(w, mom, out=w)

    def adam():
        # g' = g + wd*w; mean, var moving averages; w -= lr*mean/(sqrt(var)+eps)
        np.multiply(w, WD, out=t1)
        np.add(t1, g, out=t1)
        np.multiply(mean, B1, out=mean)
        np.multiply(t1, 1 - B1, out=t2)
        np.add(mean, t2, out=mean)
        np.multiply(var, B2, out=var)
        np.multiply(t1, t1, out=t2)
        np.multiply(t2, 1 - B2, out=t2)
        np.add(var, t2, out=var)
        np.sqrt(var, out=t2)
        np.add(t2, EPS, out=t2)
        np.divide(mean, t2, out=t2)
        np.multiply(t2, LR, out=t2)
        np.subtract(w, t2, out=w)

    return {"sgd_mom_update": median_time(sgd_mom, lambda: None),
            "adam_update": median_time(adam, lambda: None)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework", choices=["mxlite", "numpy", "mxnet"])
    args = ap.parse_args()
    if args.framework:
        res = run_numpy() if args.framework == "numpy" else run_mx(args.framework)
        print(json.dumps(res))
        return
    results = {"mxlite": child(__file__, sys.executable, "mxlite"), "numpy": child(__file__, sys.executable, "numpy")}
    peer = peers_python()
    if peer:
        results["mxnet"] = child(__file__, peer, "mxnet")
    results = {k: v for k, v in results.items() if v}
    peers = [k for k in ("numpy", "mxnet") if k in results]
    print(f"optimizer updates, 16M float32, in place, median of {REPEAT} "
          "(ratio = peer time / mxlite time; >1 means mxlite is faster)"
          + ("" if "mxnet" in results else "; mxnet: not installed (tools/install_bench_peers.sh)"))
    me = results["mxlite"]
    # Bytes moved per step: sgd_mom reads w, g, mom and writes mom, w;
    # adam reads w, g, mean, var and writes mean, var, w.
    traffic = {"sgd_mom_update": 5 * 4 * N, "adam_update": 7 * 4 * N}
    for case in ("sgd_mom_update", "adam_update"):
        row = [f"{case:15s}", f"mxlite {me[case] * 1e3:7.2f} ms "
               f"({traffic[case] / me[case] / 1e9:4.1f} GB/s)"]
        for p in peers:
            row.append(f"{p} {results[p][case] * 1e3:7.2f} ms ({results[p][case] / me[case]:.2f}x)")
        print("  ".join(row))


if __name__ == "__main__":
    main()
