"""The fused RNN op's forward (inference): rnn_tanh, rnn_relu, lstm and gru,
one or two layers, bidirectional, with MXNet's packed parameter layout
(every layer's and direction's i2h and h2h weights first, then all biases;
LSTM gates in the order i, f, g, o; GRU gates r, z, n with the reset gate
applied to the h2h product plus its bias, as cuDNN does)."""
import numpy as np

from .common import Family

F64 = np.float64
TOL = {"rtol": 1e-4, "atol": 1e-5}
GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _split_params(flat, mode, layers, dirs, inp, hid):
    g = GATES[mode]
    shapes, pos = [], 0
    weights, biases = {}, {}
    for layer in range(layers):
        for d in range(dirs):
            in_size = inp if layer == 0 else hid * dirs
            for kind, cols in (("i2h", in_size), ("h2h", hid)):
                n = g * hid * cols
                weights[(layer, d, kind)] = flat[pos:pos + n].reshape(g * hid, cols)
                pos += n
    for layer in range(layers):
        for d in range(dirs):
            for kind in ("i2h", "h2h"):
                biases[(layer, d, kind)] = flat[pos:pos + g * hid]
                pos += g * hid
    assert pos == flat.size
    return weights, biases


def _cell(mode, x, h, c, wi, wh, bi, bh):
    gi = x @ wi.T + bi
    gh = h @ wh.T + bh
    if mode == "rnn_tanh":
        return np.tanh(gi + gh), c
    if mode == "rnn_relu":
        return np.maximum(gi + gh, 0), c
    if mode == "lstm":
        i, f_, g, o = np.split(gi + gh, 4, axis=1)
        c2 = _sig(f_) * c + _sig(i) * np.tanh(g)
        return _sig(o) * np.tanh(c2), c2
    ri, zi, ni = np.split(gi, 3, axis=1)
    rh, zh, nh = np.split(gh, 3, axis=1)
    r, z = _sig(ri + rh), _sig(zi + zh)
    n = np.tanh(ni + r * nh)
    return (1 - z) * n + z * h, c


def rnn_forward(x, flat, h0, c0, mode, layers, dirs, hid):
    T, N, inp = x.shape
    weights, biases = _split_params(flat, mode, layers, dirs, inp, hid)
    seq = x
    hn, cn = [], []
    for layer in range(layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            h, c = h0[k], c0[k] if c0 is not None else None
            steps = range(T) if d == 0 else range(T - 1, -1, -1)
            ys = [None] * T
            for t in steps:
                h, c = _cell(mode, seq[t], h, c, weights[(layer, d, "i2h")], weights[(layer, d, "h2h")],
                             biases[(layer, d, "i2h")], biases[(layer, d, "h2h")])
                ys[t] = h
            outs.append(np.stack(ys))
            hn.append(h)
            cn.append(c)
        seq = np.concatenate(outs, axis=2)
    return seq, np.stack(hn), (np.stack(cn) if c0 is not None else None)


def num_params(mode, layers, dirs, inp, hid):
    g = GATES[mode]
    total = 0
    for layer in range(layers):
        in_size = inp if layer == 0 else hid * dirs
        total += dirs * g * hid * (in_size + hid + 2)
    return total


def families():
    f = Family("rnn")
    T, N, inp, hid = 3, 2, 4, 3
    for mode, layers, bidir in (("rnn_tanh", 1, False), ("rnn_relu", 1, False), ("lstm", 1, False),
                                ("gru", 1, False), ("lstm", 2, False), ("rnn_tanh", 1, True),
                                ("gru", 2, True)):
        dirs = 2 if bidir else 1
        x = f.uniform((T, N, inp))
        flat = f.uniform((num_params(mode, layers, dirs, inp, hid),), -0.5, 0.5)
        h0 = f.uniform((layers * dirs, N, hid))
        c0 = f.uniform((layers * dirs, N, hid)) if mode == "lstm" else None
        inputs = [x, flat, h0] + ([c0] if c0 is not None else [])
        attrs = {"mode": mode, "state_size": str(hid), "num_layers": str(layers), "state_outputs": "True"}
        if bidir:
            attrs["bidirectional"] = "True"
        y, hn, cn = rnn_forward(x.astype(F64), flat.astype(F64), h0.astype(F64),
                                None if c0 is None else c0.astype(F64), mode, layers, dirs, hid)
        outs = [y, hn] + ([cn] if cn is not None else [])
        name = f"RNN/{mode}-{layers}layer{'-bidirectional' if bidir else ''}"
        f.ok(name, "RNN", inputs, attrs, [o.astype(np.float32) for o in outs], **TOL)
        if mode == "rnn_tanh" and not bidir:
            f.ok(name + "-output-only", "RNN", inputs, {k: v for k, v in attrs.items() if k != "state_outputs"},
                 y.astype(np.float32), **TOL)
    x = f.uniform((T, N, inp))
    f.error("RNN/parameter-size", "RNN", [x, f.uniform((10,)), f.uniform((1, N, hid))],
            {"mode": "rnn_tanh", "state_size": str(hid), "num_layers": "1"}, "VALUE")
    return [f]
