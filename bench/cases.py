"""Benchmark cases, run in one interpreter for one framework:

    python bench/cases.py --framework mxlite        # prints JSON {case: seconds}

Times are medians of several runs (machines are noisy)."""
import argparse
import json

import numpy as np

from frameworks import ADAPTERS
from timing import median_time

BIG = 16 * 1024 * 1024




def dispatch(fw):
    a, b = fw.array(np.ones(4, np.float32)), fw.array(np.ones(4, np.float32))
    fw.sync()
    n = 2000 if fw.name == "mxnet" else 20000
    m = fw.array(np.ones((2, 2), np.float32))
    return {"dispatch": median_time(lambda: fw.add(a, b), n),
            "dispatch_readback": median_time(lambda: fw.readback(fw.add(a, b)), n),
            # an op with attributes: parsed once, then served from the cache
            "dispatch_attrs": median_time(lambda: fw.sum_axis(m), n)}


def elementwise(fw):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, BIG).astype(np.float32)
    y = rng.uniform(-1, 1, BIG).astype(np.float32)
    a, b, out = fw.array(x), fw.array(y), fw.array(np.zeros(BIG, np.float32))
    fw.sync()

    def timed(f):
        def once():
            r = f()
            fw.sync(r)
        return median_time(once, 5)
    return {"add16M_out": timed(lambda: fw.add(a, b, out=out)),
            "relu16M_out": timed(lambda: fw.relu(a, out=out)),
            "add16M_new": timed(lambda: fw.add(a, b)),
            "relu16M_new": timed(lambda: fw.relu(a))}


def dot(fw):
    res = {}
    for n in (1024, 2048):
        rng = np.random.default_rng(n)
        a = fw.array(rng.random((n, n), dtype=np.float32))
        b = fw.array(rng.random((n, n), dtype=np.float32))
        out = fw.array(np.zeros((n, n), np.float32))
        fw.sync()

        def once():
            fw.dot(a, b, out=out)
            fw.sync(out)
        res[f"dot{n}"] = median_time(once, 8 if n == 1024 else 3, repeat=5)
    return res


CASES = {"dispatch": dispatch, "elementwise": elementwise, "dot": dot}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework", required=True, choices=sorted(ADAPTERS))
    ap.add_argument("--cases", default=",".join(CASES))
    args = ap.parse_args()
    fw = ADAPTERS[args.framework]()
    out = {}
    for c in args.cases.split(","):
        out.update(CASES[c](fw))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
