"""Convolution and pooling benchmark: mxlite against MXNet 1.9.1 (when
.venv-peers exists; tools/install_bench_peers.sh) and a NumPy reference for
the forward passes (im2col + BLAS matmul; max pooling over strided views).

    .venv/bin/python bench/bench_conv.py            # table with ratios
    .venv/bin/python bench/bench_conv.py --framework mxlite   # JSON only

Cases (float32, 2 threads): Convolution of data 32x64x56x56 with 64 3x3
filters, pad 1, bias: forward, and forward + backward (data, weight and bias
gradients; through autograd where the framework has it, else mxlite's
_backward_Convolution directly); max Pooling 3x3 stride 2 on the same data,
forward and forward + backward.  Times are medians of several runs."""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
from timing import median_time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = (32, 64, 56, 56)
WEIGHT = (64, 64, 3, 3)
CONV = dict(kernel=(3, 3), pad=(1, 1), num_filter=64)
POOL = dict(kernel=(3, 3), stride=(2, 2), pool_type="max")




def inputs():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(DATA).astype(np.float32)
    w = (rng.standard_normal(WEIGHT) * 0.05).astype(np.float32)
    b = rng.standard_normal(WEIGHT[0]).astype(np.float32)
    return x, w, b


def run_mx(mx, repeat, name):
    x_np, w_np, b_np = inputs()
    x, w, b = mx.nd.array(x_np), mx.nd.array(w_np), mx.nd.array(b_np)
    has_autograd = hasattr(mx, "autograd") and hasattr(mx.autograd, "record")
    res = {}

    def conv_fwd():
        mx.nd.Convolution(x, w, b, **CONV).wait_to_read()

    res["conv_fwd"] = median_time(conv_fwd, repeat=repeat)
    y = mx.nd.Convolution(x, w, b, **CONV)
    head = mx.nd.array(np.random.default_rng(1).standard_normal(y.shape).astype(np.float32))
    if has_autograd:
        for a in (x, w, b):
            a.attach_grad()

        def conv_fwd_bwd():
            with mx.autograd.record():
                out = mx.nd.Convolution(x, w, b, **CONV)
            out.backward(head)
            mx.nd.waitall()
    else:
        def conv_fwd_bwd():
            out = mx.nd.Convolution(x, w, b, **CONV)
            mx.nd._backward_Convolution(head, x, w, **CONV)
            out.wait_to_read()
            mx.nd.waitall()
    res["conv_fwd_bwd"] = median_time(conv_fwd_bwd, repeat=repeat)

    def pool_fwd():
        mx.nd.Pooling(x, **POOL).wait_to_read()

    res["pool_fwd"] = median_time(pool_fwd, repeat=repeat)
    py = mx.nd.Pooling(x, **POOL)
    phead = mx.nd.ones(py.shape)
    if has_autograd:
        def pool_fwd_bwd():
            with mx.autograd.record():
                out = mx.nd.Pooling(x, **POOL)
            out.backward(phead)
            mx.nd.waitall()
    else:
        def pool_fwd_bwd():
            out = mx.nd.Pooling(x, **POOL)
            mx.nd._backward_Pooling(phead, x, out, **POOL)
            mx.nd.waitall()
    res["pool_fwd_bwd"] = median_time(pool_fwd_bwd, repeat=repeat)
    res["_autograd"] = has_autograd
    return res


def run_numpy(repeat):
    """Forward references: im2col (strided view copied by one reshape) + one
    BLAS matmul; max pooling as a max over the 9 strided window views."""
    x, w, b = inputs()
    N, C, H, W = DATA
    F = WEIGHT[0]
    w2 = w.reshape(F, -1)

    def conv_fwd():
        xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        s = xp.strides
        cols = np.lib.stride_tricks.as_strided(
            xp, (N, C, 3, 3, H, W), (s[0], s[1], s[2], s[3], s[2], s[3]))
        col = cols.reshape(N, C * 9, H * W)
        y = np.matmul(w2, col) + b[:, None]
        return y.reshape(N, F, H, W)

    def pool_fwd():
        OH, OW = (H - 3) // 2 + 1, (W - 3) // 2 + 1
        r = None
        for i in range(3):
            for j in range(3):
                v = x[:, :, i:i + 2 * OH:2, j:j + 2 * OW:2]
                r = v.copy() if r is None else np.maximum(r, v, out=r)
        return r

    return {"conv_fwd": median_time(conv_fwd, repeat=repeat),
            "pool_fwd": median_time(pool_fwd, repeat=repeat)}


def run_framework(name, repeat):
    if name == "mxlite":
        import mxlite as mx
        return run_mx(mx, repeat, name)
    if name == "mxnet":
        import mxnet as mx
        return run_mx(mx, repeat, name)
    return run_numpy(repeat)


def child(python, name, repeat):
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    p = subprocess.run([python, os.path.abspath(__file__), "--framework", name, "--repeat",
                        str(repeat)], capture_output=True, text=True, env=env, cwd=HERE)
    if p.returncode != 0:
        print(f"  ({name}: failed: {p.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def peers_python():
    for root in (ROOT, os.path.dirname(os.path.dirname(ROOT)) + "/main"):
        py = os.path.join(root, ".venv-peers", "bin", "python")
        if os.path.exists(py):
            return py
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework", choices=["mxlite", "mxnet", "numpy"])
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--rounds", type=int, default=3,
                    help="frameworks run in turn this many times; each case keeps its best "
                         "median (load from other processes only ever slows a run down)")
    args = ap.parse_args()
    if args.framework:
        print(json.dumps(run_framework(args.framework, args.repeat)))
        return
    peers = peers_python()
    runs = [("mxlite", sys.executable)] + ([("mxnet", peers)] if peers else []) + \
        [("numpy", sys.executable)]
    results = {}
    for _ in range(args.rounds):
        for name, python in runs:
            r = child(python, name, args.repeat)
            if r is None:
                continue
            best = results.setdefault(name, r)
            for k, v in r.items():
                if isinstance(v, float):
                    best[k] = min(best[k], v)
    me = results["mxlite"]
    others = [k for k in ("mxnet", "numpy") if results.get(k)]
    print("conv/pool benchmark, float32, data 32x64x56x56, OMP_NUM_THREADS="
          f"{os.environ.get('OMP_NUM_THREADS', '2')} (best of {args.rounds} rounds of medians "
          f"of {args.repeat}; "
          "ratio = peer time / mxlite time, >1 means mxlite faster)")
    if not peers:
        print("MXNet 1.9.1: not installed (tools/install_bench_peers.sh)")
    if not me.get("_autograd"):
        print("mxlite fwd+bwd: forward + _backward_* ops called directly (no autograd yet)")
    header = ["case", "mxlite"] + others
    rows = []
    for case, label in [("conv_fwd", "conv 3x3, 64->64, forward"),
                        ("conv_fwd_bwd", "conv forward+backward (dx, dw, db)"),
                        ("pool_fwd", "max pool 3x3/2, forward"),
                        ("pool_fwd_bwd", "max pool forward+backward")]:
        r = [label, f"{me[case] * 1e3:.1f} ms"]
        for o in others:
            t = results[o].get(case)
            r.append("-" if t is None else f"{t * 1e3:.1f} ms ({t / me[case]:.2f}x)")
        rows.append(r)
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths]] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    gflop = 2 * np.prod(DATA) * WEIGHT[0] * 9 / 1e9
    print(f"conv forward: {gflop / me['conv_fwd']:.0f} GFLOP/s")


if __name__ == "__main__":
    main()
