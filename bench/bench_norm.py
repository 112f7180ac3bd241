"""BatchNorm and LayerNorm, forward and forward+backward, float32:

    python bench/bench_norm.py                 # every framework, ratio table
    python bench/bench_norm.py --framework X   # one framework, JSON {case: seconds}

Frameworks: mxlite as shipped (MXL_NORM_DNNL unset: the faster implementation per op),
mxlite forced onto oneDNN (MXL_NORM_DNNL=1) and onto its own loops (MXL_NORM_DNNL=0)
(the three measured round-robin in one process),
the NumPy formula (forward and hand-written backward), and MXNet 1.9.1 when
.venv-peers exists (tools/install_bench_peers.sh).  mxlite and MXNet run the same
MXNet 1.x code; forward+backward goes through autograd (record, backward).
Times are medians of several runs."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
from timing import median_time

HERE = os.path.dirname(os.path.abspath(__file__))
BN_SHAPE = (32, 64, 56, 56)
LN_SHAPES = [(128, 1024), (32 * 128, 768)]
MXLITE_VARIANTS = {"mxlite": None, "mxlite-onednn": "1", "mxlite-own": "0"}




def number_for(shape):
    n = int(np.prod(shape))
    return max(1, 2_000_000 // n)


# ---------------------------------------------------------------------------
# MXNet-API frameworks (mxlite, MXNet 1.9.1)
# ---------------------------------------------------------------------------

def mx_cases(mx):
    """{case: (fn, number)} for an MXNet-API framework."""
    rng = np.random.default_rng(0)
    res = {}
    x = mx.nd.array(rng.standard_normal(BN_SHAPE).astype(np.float32))
    c = BN_SHAPE[1]
    g, b = mx.nd.ones(c), mx.nd.zeros(c)
    mm, mv = mx.nd.zeros(c), mx.nd.ones(c)
    head = mx.nd.array(rng.standard_normal(BN_SHAPE).astype(np.float32))
    for a in (x, g, b):
        a.attach_grad()

    def bn_train():
        with mx.autograd.train_mode():
            y = mx.nd.BatchNorm(x, g, b, mm, mv, fix_gamma=False)
        y.wait_to_read()

    def bn_infer():
        mx.nd.BatchNorm(x, g, b, mm, mv, fix_gamma=False).wait_to_read()

    def bn_fwd_bwd():
        with mx.autograd.record():
            y = mx.nd.BatchNorm(x, g, b, mm, mv, fix_gamma=False)
        y.backward(head)
        x.grad.wait_to_read()
        g.grad.wait_to_read()

    res["bn_fwd_train"] = (bn_train, 1)
    res["bn_fwd_infer"] = (bn_infer, 1)
    res["bn_fwd_bwd"] = (bn_fwd_bwd, 1)
    for shape in LN_SHAPES:
        tag = "x".join(map(str, shape))
        fwd, fwd_bwd = mx_layernorm_cases(mx, rng, shape)
        res[f"ln_fwd_{tag}"] = (fwd, number_for(shape))
        res[f"ln_fwd_bwd_{tag}"] = (fwd_bwd, number_for(shape))
    return res


def mx_layernorm_cases(mx, rng, shape):
    lx = mx.nd.array(rng.standard_normal(shape).astype(np.float32))
    lg, lb = mx.nd.ones(shape[-1]), mx.nd.zeros(shape[-1])
    lh = mx.nd.array(rng.standard_normal(shape).astype(np.float32))
    for a in (lx, lg, lb):
        a.attach_grad()

    def ln_fwd():
        mx.nd.LayerNorm(lx, lg, lb).wait_to_read()

    def ln_fwd_bwd():
        with mx.autograd.record():
            y = mx.nd.LayerNorm(lx, lg, lb)
        y.backward(lh)
        lx.grad.wait_to_read()
        lg.grad.wait_to_read()
    return ln_fwd, ln_fwd_bwd


def interleaved(cases, policies, repeat=15):
    """mxlite under each MXL_NORM_DNNL policy, measured round-robin in one process
    (the policy is read on every call), so machine load hits every variant alike."""
    out = {name: {} for name in policies}
    for case, (fn, number) in cases.items():
        runs = {name: [] for name in policies}
        for name, pol in policies.items():  # warm-up: pages, primitive caches
            set_policy(pol)
            fn()
        for _ in range(repeat):
            for name, pol in policies.items():
                set_policy(pol)
                t0 = time.perf_counter()
                for _ in range(number):
                    fn()
                runs[name].append((time.perf_counter() - t0) / number)
        for name in policies:
            out[name][case] = statistics.median(runs[name])
    set_policy(None)
    return out


def set_policy(pol):
    if pol is None:
        os.environ.pop("MXL_NORM_DNNL", None)
    else:
        os.environ["MXL_NORM_DNNL"] = pol


# ---------------------------------------------------------------------------
# NumPy formula
# ---------------------------------------------------------------------------

def numpy_cases():
    rng = np.random.default_rng(0)
    res = {}
    x = rng.standard_normal(BN_SHAPE).astype(np.float32)
    c = BN_SHAPE[1]
    g, b = np.ones((1, c, 1, 1), np.float32), np.zeros((1, c, 1, 1), np.float32)
    head = rng.standard_normal(BN_SHAPE).astype(np.float32)
    ax = (0, 2, 3)
    m_count = x.size // c

    def bn_fwd():
        mean = x.mean(axis=ax, keepdims=True)
        var = x.var(axis=ax, keepdims=True)
        inv = 1 / np.sqrt(var + 1e-3)
        return (x - mean) * inv * g + b, mean, inv

    def bn_infer():
        return (x - 0.0) * (1 / np.sqrt(1 + 1e-3)) * g + b

    def bn_fwd_bwd():
        _, mean, inv = bn_fwd()
        xhat = (x - mean) * inv
        dbeta = head.sum(axis=ax, keepdims=True)
        dgamma = (head * xhat).sum(axis=ax, keepdims=True)
        return g * inv * (head - dbeta / m_count - xhat * dgamma / m_count)

    res["bn_fwd_train"] = median_time(bn_fwd, repeat=15)
    res["bn_fwd_infer"] = median_time(bn_infer, repeat=15)
    res["bn_fwd_bwd"] = median_time(bn_fwd_bwd, repeat=15)
    for shape in LN_SHAPES:
        tag = "x".join(map(str, shape))
        lx = rng.standard_normal(shape).astype(np.float32)
        lg, lb = np.ones(shape[-1], np.float32), np.zeros(shape[-1], np.float32)
        lh = rng.standard_normal(shape).astype(np.float32)

        def ln_fwd():
            mean = lx.mean(axis=-1, keepdims=True)
            inv = 1 / np.sqrt(lx.var(axis=-1, keepdims=True) + 1e-5)
            return (lx - mean) * inv * lg + lb, mean, inv

        def ln_fwd_bwd():
            _, mean, inv = ln_fwd()
            xhat = (lx - mean) * inv
            dxhat = lh * lg
            dx = inv * (dxhat - dxhat.mean(axis=-1, keepdims=True)
                        - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True))
            return dx, (lh * xhat).sum(axis=0), lh.sum(axis=0)

        n = number_for(shape)
        res[f"ln_fwd_{tag}"] = median_time(ln_fwd, number=n, repeat=15)
        res[f"ln_fwd_bwd_{tag}"] = median_time(ln_fwd_bwd, number=n, repeat=15)
    return res


def measure(framework):
    """{variant: {case: seconds}}."""
    if framework == "numpy":
        return {"numpy": numpy_cases()}
    if framework == "mxnet":
        import mxnet
        return {"mxnet-1.9.1": {k: median_time(fn, number=n, repeat=15)
                                for k, (fn, n) in mx_cases(mxnet).items()}}
    import mxlite
    return interleaved(mx_cases(mxlite), MXLITE_VARIANTS)


def run_child(framework, python=sys.executable):
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    env.pop("MXL_NORM_DNNL", None)
    p = subprocess.run([python, __file__, "--framework", framework], capture_output=True,
                       text=True, env=env)
    if p.returncode != 0:
        print(f"({framework} failed: {p.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework")
    ap.add_argument("--peers-python", default=os.path.join(HERE, "..", ".venv-peers", "bin",
                                                           "python"))
    args = ap.parse_args()
    if args.framework:
        print(json.dumps(measure(args.framework)))
        return
    results = {}
    results.update(run_child("mxlite") or {})
    results.update(run_child("numpy") or {})
    if os.path.exists(args.peers_python):
        results.update(run_child("mxnet", python=args.peers_python) or {})
    else:
        print("(MXNet 1.9.1 not installed: run tools/install_bench_peers.sh)")
    base = results["mxlite"]
    names = list(results)
    threads = os.environ.get("OMP_NUM_THREADS", "2")
    print(f"\n## BatchNorm {BN_SHAPE} and LayerNorm {LN_SHAPES}, float32, {threads} thread(s), "
          "medians in ms (ratio = framework / mxlite; > 1 means mxlite is faster)")
    print(f"{'case':24s}" + "".join(f"{n:>22s}" for n in names))
    for case in base:
        row = f"{case:24s}"
        for n in names:
            t = results[n][case]
            row += f"{t * 1e3:12.3f}" + (f" ({t / base[case]:5.2f}x)" if n != "mxlite" else " " * 9)
        print(row)


if __name__ == "__main__":
    main()
