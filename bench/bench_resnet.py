"""ResNet-18 training step (batch 32, 3x32x32, SGD with momentum; --arch v1 is Gluon
model_zoo's resnet18_v1 layout, the issue's reference configuration, --arch cifar the
3x3-stem variant, see resnet_sym.py):
mxlite through a bound executor, through CachedOp (what hybridized Gluon runs) and
eagerly (the same ops under autograd), against MXNet 1.9.1 hybridized
(static_alloc, static_shape) where .venv-peers exists.  Reports images/s and
peak resident memory; each mode runs in a fresh subprocess so its
ru_maxrss is its own.

    .venv/bin/python bench/bench_resnet.py                     # table
    .venv/bin/python bench/bench_resnet.py --mode executor     # JSON only
    modes executor-mirror / cachedop-mirror run with MXNET_BACKWARD_DO_MIRROR=1 (checkpointing)

Targets (issue 4): >= MXNet's throughput, peak memory <= 0.8x PyTorch eager
(514 MiB measured on this machine) = 411 MiB."""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
BATCH = 32
SHAPE = (BATCH, 3, 32, 32)
LR, MOM, WD = 0.05, 0.9, 1e-4


def batch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(SHAPE).astype(np.float32)
    y = rng.integers(0, 10, BATCH).astype(np.float32)  # valid for both heads
    return x, y


ARCH = os.environ.get("BENCH_RESNET_ARCH", "v1")


def init_params(sym, mx):
    """He-normal weights, gamma 1, zeros elsewhere; moving_var 1."""
    rng = np.random.default_rng(1)
    arg_shapes, _, aux_shapes = sym.infer_shape(data=SHAPE, softmax_label=(BATCH,))
    params, aux = {}, {}
    for n, s in zip(sym.list_arguments(), arg_shapes):
        if n in ("data", "softmax_label"):
            continue
        if n.endswith("weight"):
            fan_in = int(np.prod(s[1:]))
            v = rng.standard_normal(s) * np.sqrt(2.0 / fan_in)
        elif n.endswith("gamma"):
            v = np.ones(s)
        else:
            v = np.zeros(s)
        params[n] = mx.nd.array(v.astype(np.float32))
    for n, s in zip(sym.list_auxiliary_states(), aux_shapes):
        aux[n] = mx.nd.array(np.ones(s, np.float32) if n.endswith("var")
                             else np.zeros(s, np.float32))
    return params, aux


def sgd(mx, params, grads, moms):
    for n, w in params.items():
        mx.nd.sgd_mom_update(w, grads[n], moms[n], out=w, lr=LR, momentum=MOM, wd=WD)


def mode_executor(mx, sym):
    params, aux = init_params(sym, mx)
    x, y = batch()
    args = dict(params, data=mx.nd.array(x), softmax_label=mx.nd.array(y))
    grads = {n: mx.nd.zeros(p.shape) for n, p in params.items()}
    ex = sym.bind(mx.cpu(), args=args, args_grad=grads,
                  grad_req={n: "write" for n in params}, aux_states=aux)
    moms = {n: mx.nd.zeros(p.shape) for n, p in params.items()}

    def step():
        ex.forward(is_train=True)
        ex.backward()
        sgd(mx, params, grads, moms)
    return step, getattr(ex, "planned_bytes", None)


def mode_cachedop(mx, sym):
    params, aux = init_params(sym, mx)
    x, y = batch()
    arrays = dict(params, data=mx.nd.array(x), softmax_label=mx.nd.array(y), **aux)
    for p in params.values():
        p.attach_grad()
    op = mx.nd.CachedOp(sym, [("static_alloc", True), ("static_shape", True)])
    inputs = [arrays[n] for n in sym.list_inputs()]
    moms = {n: mx.nd.zeros(p.shape) for n, p in params.items()}
    grads = {n: p.grad for n, p in params.items()}

    def step():
        with mx.autograd.record():
            out = op(*inputs)
        out.backward()
        sgd(mx, params, grads, moms)
    return step, lambda: op.planned_bytes


def mode_eager(mx, sym):
    params, aux = init_params(sym, mx)
    x, y = batch()
    arrays = dict(params, data=mx.nd.array(x), softmax_label=mx.nd.array(y), **aux)
    for p in params.values():
        p.attach_grad()
    graph = json.loads(sym.tojson())
    moms = {n: mx.nd.zeros(p.shape) for n, p in params.items()}
    grads = {n: p.grad for n, p in params.items()}

    def forward():
        values = []
        for node in graph["nodes"]:
            if node["op"] == "null":
                values.append([arrays[node["name"]]])
                continue
            ins = [values[i][j] for i, j, *_ in node["inputs"]]
            attrs = {k: v for k, v in node.get("attrs", {}).items() if not k.startswith("__")}
            out = getattr(mx.nd, node["op"])(*ins, **attrs)
            values.append([out] if isinstance(out, mx.nd.NDArray) else list(out))
        return values[graph["heads"][0][0]][0]

    def step():
        with mx.autograd.record():
            out = forward()
        out.backward()
        sgd(mx, params, grads, moms)
    return step, None


def mode_mxnet_hybrid(mx, sym_fn):
    from mxnet import gluon
    if ARCH == "v1":  # the model zoo's own definition: the same layout as resnet_sym's
        net = gluon.model_zoo.vision.resnet18_v1(classes=1000)
        net.initialize(mx.init.Xavier(), ctx=mx.cpu())
    else:
        net = gluon.SymbolBlock(outputs=sym_fn(mx.sym, arch=ARCH, with_loss=False),
                                inputs=mx.sym.var("data"))
        net.initialize(mx.init.Normal(0.05), ctx=mx.cpu())
    net.hybridize(static_alloc=True, static_shape=True)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"learning_rate": LR, "momentum": MOM, "wd": WD})
    x, y = batch()
    xa, ya = mx.nd.array(x), mx.nd.array(y)

    def step():
        with mx.autograd.record():
            loss = loss_fn(net(xa), ya)
        loss.backward()
        trainer.step(BATCH)
    return step, None


def run_mode(mode, steps):
    if mode.endswith("-mirror"):  # gradient checkpointing (read when the graph compiles)
        os.environ["MXNET_BACKWARD_DO_MIRROR"] = "1"
        mode = mode[:-len("-mirror")]
    if mode == "mxnet":
        import mxnet as mx
    else:
        import mxlite as mx
    from resnet_sym import resnet18
    if mode == "mxnet":
        step, planned = mode_mxnet_hybrid(mx, resnet18)
    else:
        sym = resnet18(mx.sym, arch=ARCH)
        step, planned = {"executor": mode_executor, "cachedop": mode_cachedop,
                         "eager": mode_eager}[mode](mx, sym)
    for _ in range(3):
        step()
    mx.nd.waitall()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        mx.nd.waitall()
        times.append(time.perf_counter() - t0)
    if callable(planned):
        planned = planned()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"img_s": BATCH / float(np.median(times)), "peak_rss_mib": rss,
            "planned_mib": planned / 2**20 if planned else None}


def peers_python():
    for root in (ROOT, os.path.join(os.path.dirname(os.path.dirname(ROOT)), "main")):
        py = os.path.join(root, ".venv-peers", "bin", "python")
        if os.path.exists(py):
            return py
    return None


def child(python, mode, steps):
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    p = subprocess.run([python, os.path.abspath(__file__), "--mode", mode, "--steps", str(steps)],
                       capture_output=True, text=True, env=env, cwd=HERE)
    if p.returncode != 0:
        print(f"  ({mode}: failed: {p.stderr.strip().splitlines()[-3:]})")
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["executor", "cachedop", "eager", "mxnet",
                                       "executor-mirror", "cachedop-mirror"])
    ap.add_argument("--steps", type=int, default=15)
    ap.add_argument("--modes", default="executor,cachedop,executor-mirror,cachedop-mirror,"
                                       "eager,mxnet")
    ap.add_argument("--arch", choices=["v1", "cifar"], default=ARCH)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    os.environ["BENCH_RESNET_ARCH"] = args.arch
    if args.mode:
        print(json.dumps(run_mode(args.mode, args.steps)))
        return
    peers = peers_python()
    results = {}
    # Modes take turns; each keeps its best round (load from other processes
    # only ever slows a run down), so the ratios compare like with like.
    for _ in range(args.rounds):
        for mode in args.modes.split(","):
            if mode == "mxnet" and not peers:
                continue
            r = child(peers if mode == "mxnet" else sys.executable, mode, args.steps)
            if r and (mode not in results or r["img_s"] > results[mode]["img_s"]):
                results[mode] = r
    print(f"ResNet-18 ({args.arch}) training step, batch {BATCH}, 3x32x32, SGD momentum, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '2')}, median of {args.steps} "
          f"steps, best of {args.rounds} rounds; each mode in its own process")
    if not peers:
        print("MXNet 1.9.1: not installed (tools/install_bench_peers.sh)")
    ref = results.get("mxnet")
    for mode, label in [("executor", "mxlite bound executor"), ("cachedop", "mxlite CachedOp"),
                        ("executor-mirror", "executor, checkpointing"),
                        ("cachedop-mirror", "CachedOp, checkpointing"),
                        ("eager", "mxlite eager autograd"), ("mxnet", "MXNet 1.9.1 hybridized")]:
        r = results.get(mode)
        if not r:
            continue
        line = f"  {label:26s} {r['img_s']:7.1f} img/s  peak RSS {r['peak_rss_mib']:6.0f} MiB"
        if r.get("planned_mib"):
            line += f"  (plan {r['planned_mib']:.0f} MiB)"
        if ref and mode != "mxnet":
            line += (f"  throughput {r['img_s'] / ref['img_s']:.2f}x MXNet, "
                     f"memory {r['peak_rss_mib'] / ref['peak_rss_mib']:.2f}x MXNet")
        print(line)
    print("  targets: >= MXNet's img/s; peak RSS <= 411 MiB (0.8x PyTorch eager's 514 MiB)")


if __name__ == "__main__":
    main()
