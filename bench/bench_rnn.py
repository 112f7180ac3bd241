"""Fused RNN op: LSTM, T=35, N=32, I=H=256, 2 layers, float32.

    python bench/bench_rnn.py                      # mxlite, NumPy, and MXNet 1.9.1 if installed
    python bench/bench_rnn.py --peers-python PATH  # MXNet's interpreter elsewhere

Forward runs outside autograd (inference); forward+backward records, runs the
op and backpropagates a fixed head gradient into data, parameters and both
states.  The same MXNet 1.x code runs on mxlite and MXNet 1.9.1 (whose CPU RNN
is oneDNN's).  NumPy runs the same LSTM written with matmuls, with the
backward pass by hand.  Medians of several runs; MXNet runs in a subprocess
with OMP_NUM_THREADS=2, like every peer."""
import argparse
import json
import os
import subprocess

import numpy as np
from timing import median_time

T, N, I, H, L = 35, 32, 256, 256, 2
HERE = os.path.dirname(os.path.abspath(__file__))




def inputs():
    rng = np.random.default_rng(0)
    nparam = sum(4 * H * ((I if l == 0 else H) + H + 2) for l in range(L))
    return dict(x=rng.standard_normal((T, N, I)).astype(np.float32),
                w=(rng.standard_normal(nparam) * 0.05).astype(np.float32),
                hx=np.zeros((L, N, H), np.float32), cx=np.zeros((L, N, H), np.float32),
                head=rng.standard_normal((T, N, H)).astype(np.float32))


def mx_fns(mx):
    d = inputs()
    x, w, hx, cx = (mx.nd.array(d[k], dtype="float32") for k in ("x", "w", "hx", "cx"))
    head = mx.nd.array(d["head"], dtype="float32")
    kw = dict(state_size=H, num_layers=L, mode="lstm")

    def fwd():
        mx.nd.RNN(x, w, hx, cx, **kw).wait_to_read()

    for a in (x, w, hx, cx):
        a.attach_grad()

    def fwd_bwd():
        with mx.autograd.record():
            y = mx.nd.RNN(x, w, hx, cx, **kw)
        y.backward(head)
        w.grad.wait_to_read()
        x.grad.wait_to_read()
    return fwd, fwd_bwd


# --------------------------------------------------------------- NumPy LSTM
def np_unpack(w):
    mats, pos = [], 0
    for l in range(L):
        ins = I if l == 0 else H
        wi = w[pos:pos + 4 * H * ins].reshape(4 * H, ins)
        pos += 4 * H * ins
        wh = w[pos:pos + 4 * H * H].reshape(4 * H, H)
        pos += 4 * H * H
        mats.append([wi, wh])
    for l in range(L):
        mats[l] += [w[pos:pos + 4 * H] + w[pos + 4 * H:pos + 8 * H]]
        pos += 8 * H
    return mats


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def np_forward(x, mats, hx, cx, keep=False):
    saved, inp = [], x
    for l, (wi, wh, b) in enumerate(mats):
        pre = (inp.reshape(T * N, -1) @ wi.T + b).reshape(T, N, 4 * H)
        h, c = hx[l], cx[l]
        ys, cs = np.empty((T, N, H), np.float32), np.empty((T, N, H), np.float32)
        gates = np.empty_like(pre)
        for t in range(T):
            a = pre[t] + h @ wh.T
            i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
            g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
            c = f * c + i * g
            h = o * np.tanh(c)
            ys[t], cs[t] = h, c
            gates[t] = np.concatenate([i, f, g, o], axis=1)
        saved.append((inp, ys, gates, cs))
        inp = ys
    return (inp, saved) if keep else inp


def np_backward(dy, mats, hx, cx, saved):
    grads = []
    for l in reversed(range(L)):
        wi, wh, _ = mats[l]
        inp, ys, gates, cs = saved[l]
        dg_all = np.empty_like(gates)
        dh, dc = np.zeros((N, H), np.float32), np.zeros((N, H), np.float32)
        for t in reversed(range(T)):
            i, f, g, o = (gates[t][:, k * H:(k + 1) * H] for k in range(4))
            cp = cs[t - 1] if t else cx[l]
            tc = np.tanh(cs[t])
            dh = dh + dy[t]
            dc = dc + dh * o * (1 - tc * tc)
            dg_all[t] = np.concatenate([dc * g * i * (1 - i), dc * cp * f * (1 - f),
                                        dc * i * (1 - g * g), dh * tc * o * (1 - o)], axis=1)
            dc = dc * f
            dh = dg_all[t] @ wh
        dg = dg_all.reshape(T * N, 4 * H)
        hprev = np.concatenate([hx[l][None], ys[:-1]]).reshape(T * N, H)
        grads.append((dg.T @ inp.reshape(T * N, -1), dg.T @ hprev, dg.sum(0), dh, dc))
        dy = (dg @ wi).reshape(T, N, -1)
    return dy, grads


def numpy_fns():
    d = inputs()
    mats = np_unpack(d["w"])

    def fwd():
        np_forward(d["x"], mats, d["hx"], d["cx"])

    def fwd_bwd():
        _, saved = np_forward(d["x"], mats, d["hx"], d["cx"], keep=True)
        np_backward(d["head"], mats, d["hx"], d["cx"], saved)
    return fwd, fwd_bwd


def measure(framework):
    if framework == "numpy":
        fwd, fwd_bwd = numpy_fns()
    else:
        fwd, fwd_bwd = mx_fns(__import__(framework))
    return {framework: {"forward": median_time(fwd, number=5),
                       "forward+backward": median_time(fwd_bwd, number=5)}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework")
    ap.add_argument("--peers-python", default=os.path.join(HERE, "..", ".venv-peers", "bin",
                                                           "python"))
    args = ap.parse_args()
    if args.framework:
        print(json.dumps(measure(args.framework)))
        return
    res = {}
    res.update(measure("mxlite"))
    res.update(measure("numpy"))
    if os.path.exists(args.peers_python):
        p = subprocess.run([args.peers_python, __file__, "--framework", "mxnet"],
                           capture_output=True, text=True,
                           env=dict(os.environ, OMP_NUM_THREADS="2"))
        if p.returncode == 0:
            res.update(json.loads(p.stdout.strip().splitlines()[-1]))
        else:
            print("MXNet 1.9.1 run failed:", p.stderr.strip().splitlines()[-1:])
    else:
        print("MXNet 1.9.1 not installed (tools/install_bench_peers.sh)")
    print(f"\n## RNN lstm T={T} N={N} I=H={H} layers={L} float32 "
          "(medians, ms; ratio = peer / mxlite)")
    for phase in ("forward", "forward+backward"):
        for k, v in res.items():
            ratio = "" if k == "mxlite" else f"  ratio {v[phase] / res['mxlite'][phase]:.2f}"
            print(f"{phase:17s} {k:7s} {v[phase] * 1e3:8.2f} ms{ratio}")


if __name__ == "__main__":
    main()
