"""gluon.rnn layers and cells against a NumPy reference of the recurrences
(gate orders as MXNet: LSTM i, f, g, o; GRU r, z, n), cells unrolled vs the
fused layers, finite-difference gradients, hybridization, layouts."""
import numpy as np
import pytest

import mxlite as mx
from mxlite import autograd, gluon
from mxlite.gluon import rnn

RTOL, ATOL = 1e-4, 1e-5


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_step(mode, x, h, c, wi, wh, bi, bh):
    """One step of the recurrence; returns (h, c)."""
    gi = x @ wi.T + bi
    gh = h @ wh.T + bh
    if mode == "rnn_relu":
        return np.maximum(gi + gh, 0), c
    if mode == "rnn_tanh":
        return np.tanh(gi + gh), c
    if mode == "lstm":
        i, f, g, o = np.split(gi + gh, 4, axis=1)
        c = _sig(f) * c + _sig(i) * np.tanh(g)
        return _sig(o) * np.tanh(c), c
    ir, iz, in_ = np.split(gi, 3, axis=1)
    hr, hz, hn = np.split(gh, 3, axis=1)
    r, z = _sig(ir + hr), _sig(iz + hz)
    n = np.tanh(in_ + r * hn)
    return (1 - z) * n + z * h, c


def np_layer(mode, x, params, prefix, num_layers, bidirectional, h0, c0):
    """Reference multi-layer (bi)directional recurrence over x (T, N, C)."""
    dirs = ["l", "r"] if bidirectional else ["l"]
    hs, cs = [], []
    for layer in range(num_layers):
        outs = []
        for d_i, d in enumerate(dirs):
            k = layer * len(dirs) + d_i
            w = {n: params[f"{prefix}{d}{layer}_{n}"] for n in
                 ["i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias"]}
            h, c = h0[k], c0[k]
            steps = range(x.shape[0]) if d == "l" else reversed(range(x.shape[0]))
            out = [None] * x.shape[0]
            for t in steps:
                h, c = np_step(mode, x[t], h, c, w["i2h_weight"], w["h2h_weight"],
                               w["i2h_bias"], w["h2h_bias"])
                out[t] = h
            outs.append(np.stack(out))
            hs.append(h)
            cs.append(c)
        x = np.concatenate(outs, axis=2)
    return x, np.stack(hs), np.stack(cs)


LAYERS = [(rnn.RNN, "rnn_relu", {"activation": "relu"}),
          (rnn.RNN, "rnn_tanh", {"activation": "tanh"}),
          (rnn.LSTM, "lstm", {}), (rnn.GRU, "gru", {})]


def _params_np(layer):
    return {k: v.data().asnumpy().astype(np.float64) for k, v in
            layer.collect_params().items()}


def _init(layer):
    layer.initialize(mx.init.Uniform(0.5))


@pytest.mark.parametrize("cls,mode,kw", LAYERS)
@pytest.mark.parametrize("num_layers,bidirectional", [(1, False), (2, False), (2, True)])
@pytest.mark.parametrize("layout", ["TNC", "NTC"])
def test_layer_vs_numpy(cls, mode, kw, num_layers, bidirectional, layout):
    T, N, C, H = 5, 3, 4, 6
    layer = cls(H, num_layers=num_layers, bidirectional=bidirectional, layout=layout, **kw)
    _init(layer)
    rs = np.random.RandomState(0)
    x = rs.uniform(-1, 1, (T, N, C)).astype(np.float32)
    D = 2 if bidirectional else 1
    h0 = rs.uniform(-1, 1, (num_layers * D, N, H)).astype(np.float32)
    c0 = rs.uniform(-1, 1, (num_layers * D, N, H)).astype(np.float32)
    xin = x if layout == "TNC" else x.transpose(1, 0, 2)
    states = [mx.nd.array(h0)] + ([mx.nd.array(c0)] if mode == "lstm" else [])
    out, new_states = layer(mx.nd.array(xin), states)
    # without states: zeros, output only
    out0 = layer(mx.nd.array(xin))
    assert isinstance(out0, mx.nd.NDArray)
    p = _params_np(layer)
    ref, h, c = np_layer(mode, x.astype(np.float64), p, layer.prefix, num_layers,
                         bidirectional, h0, c0)
    zero = np.zeros_like(h0)
    ref0 = np_layer(mode, x.astype(np.float64), p, layer.prefix, num_layers, bidirectional,
                    zero, zero)[0]
    if layout == "NTC":
        ref, ref0 = ref.transpose(1, 0, 2), ref0.transpose(1, 0, 2)
    np.testing.assert_allclose(out.asnumpy(), ref, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(out0.asnumpy(), ref0, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(new_states[0].asnumpy(), h, rtol=RTOL, atol=ATOL)
    if mode == "lstm":
        np.testing.assert_allclose(new_states[1].asnumpy(), c, rtol=RTOL, atol=ATOL)
    assert len(new_states) == (2 if mode == "lstm" else 1)
    # hybridized == imperative
    layer.hybridize()
    out_h, states_h = layer(mx.nd.array(xin), states)
    np.testing.assert_allclose(out_h.asnumpy(), out.asnumpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(states_h[0].asnumpy(), new_states[0].asnumpy(), rtol=1e-6,
                               atol=1e-6)
    np.testing.assert_allclose(layer(mx.nd.array(xin)).asnumpy(), out0.asnumpy(), rtol=1e-6,
                               atol=1e-6)


def test_parameter_names_and_shapes():
    layer = rnn.LSTM(5, num_layers=2, bidirectional=True, input_size=3, prefix="lstm0_")
    params = layer.collect_params()
    names = {k: v.shape for k, v in params.items()}
    assert names["lstm0_l0_i2h_weight"] == (20, 3)
    assert names["lstm0_r0_h2h_weight"] == (20, 5)
    assert names["lstm0_l1_i2h_weight"] == (20, 10)
    assert names["lstm0_r1_h2h_bias"] == (20,)
    assert len(names) == 16
    gru = rnn.GRU(4)
    gru.initialize()
    gru(mx.nd.ones((2, 3, 7)))  # deferred input size
    assert gru.l0_i2h_weight.shape == (12, 7)
    assert rnn.RNN(4).begin_state(3)[0].shape == (1, 3, 4)
    assert [s.shape for s in rnn.LSTM(4, 2, bidirectional=True).begin_state(3)] == \
        [(4, 3, 4)] * 2


def test_bad_state_shape():
    layer = rnn.GRU(4, input_size=3)
    layer.initialize()
    with pytest.raises(ValueError, match="Invalid recurrent state shape"):
        layer(mx.nd.ones((2, 3, 3)), [mx.nd.zeros((1, 2, 4))])
    with pytest.raises(ValueError):
        rnn.RNN(4, activation="sigmoid")


def test_save_load_params(tmp_path):
    a = rnn.LSTM(4, num_layers=2, input_size=3)
    _init(a)
    f = str(tmp_path / "lstm.params")
    a.save_parameters(f)
    # MXNet 1.9 stores a fused layer under its unfused cells' structural names
    assert sorted(mx.nd.load(f)) == sorted(f"_unfused.{i}.{g}_{t}" for i in range(2)
                                           for g in ["i2h", "h2h"] for t in ["weight", "bias"])
    bi = rnn.GRU(4, bidirectional=True, input_size=3)
    _init(bi)
    bi.save_parameters(f + "2")
    assert "_unfused.0.r_cell.h2h_bias" in mx.nd.load(f + "2")
    b = rnn.LSTM(4, num_layers=2, input_size=3)
    b.load_parameters(f)
    x = mx.nd.random.uniform(shape=(3, 2, 3))
    np.testing.assert_allclose(a(x).asnumpy(), b(x).asnumpy())


CELLS = [(rnn.RNN, rnn.RNNCell, "rnn_tanh", {"activation": "tanh"}, {"activation": "tanh"}),
         (rnn.LSTM, rnn.LSTMCell, "lstm", {}, {}), (rnn.GRU, rnn.GRUCell, "gru", {}, {})]


def _copy_layer_to_cell(layer, cell, d, i):
    for n in ["i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias"]:
        getattr(cell, n).set_data(getattr(layer, f"{d}{i}_{n}").data())


@pytest.mark.parametrize("lcls,ccls,mode,lkw,ckw", CELLS)
def test_layer_equals_unrolled_cells(lcls, ccls, mode, lkw, ckw):
    T, N, C, H = 4, 2, 3, 5
    layer = lcls(H, num_layers=2, layout="NTC", input_size=C, **lkw)
    _init(layer)
    stack = rnn.SequentialRNNCell()
    for i, ni in enumerate([C, H]):
        cell = ccls(H, input_size=ni, **ckw)
        cell.initialize()
        _copy_layer_to_cell(layer, cell, "l", i)
        stack.add(cell)
    x = mx.nd.random.uniform(-1, 1, shape=(N, T, C))
    out, states = layer(x, layer.begin_state(N))
    cout, cstates = stack.unroll(T, x, layout="NTC", merge_outputs=True)
    np.testing.assert_allclose(cout.asnumpy(), out.asnumpy(), rtol=RTOL, atol=ATOL)
    per = 2 if mode == "lstm" else 1
    for k in range(per):
        got = np.stack([cstates[i * per + k].asnumpy() for i in range(2)])
        np.testing.assert_allclose(got, states[k].asnumpy(), rtol=RTOL, atol=ATOL)
    # step by step with TNC lists; hybridized cells give the same
    for cell in stack:
        cell.hybridize()
    steps, _ = stack.unroll(T, [x[:, t] for t in range(T)], layout="TNC", merge_outputs=False)
    assert len(steps) == T
    np.testing.assert_allclose(np.stack([s.asnumpy() for s in steps], axis=1), out.asnumpy(),
                               rtol=RTOL, atol=ATOL)


def test_bidirectional_cell_equals_layer():
    T, N, C, H = 4, 2, 3, 5
    layer = rnn.LSTM(H, bidirectional=True, input_size=C)
    _init(layer)
    l_cell, r_cell = rnn.LSTMCell(H, input_size=C), rnn.LSTMCell(H, input_size=C)
    bi = rnn.BidirectionalCell(l_cell, r_cell)
    bi.initialize()
    _copy_layer_to_cell(layer, l_cell, "l", 0)
    _copy_layer_to_cell(layer, r_cell, "r", 0)
    x = mx.nd.random.uniform(-1, 1, shape=(T, N, C))
    out = layer(x)
    bout, bstates = bi.unroll(T, x, layout="TNC", merge_outputs=True)
    np.testing.assert_allclose(bout.asnumpy(), out.asnumpy(), rtol=RTOL, atol=ATOL)
    assert len(bstates) == 4
    with pytest.raises(NotImplementedError):
        bi(x[0], bi.begin_state(batch_size=N))


def test_unroll_valid_length():
    T, N, C, H = 5, 3, 2, 4
    cell = rnn.GRUCell(H, input_size=C)
    _init(cell)
    x = mx.nd.random.uniform(-1, 1, shape=(N, T, C))
    vl = [5, 2, 3]
    out, states = cell.unroll(T, x, layout="NTC", merge_outputs=True,
                              valid_length=mx.nd.array(vl))
    p = _params_np(cell)
    w = [p[cell.prefix + n] for n in ["i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias"]]
    xn = x.asnumpy().astype(np.float64)
    for b, n in enumerate(vl):
        h = np.zeros((1, H))
        for t in range(T):
            h_new = np_step("gru", xn[b:b + 1, t], h, None, *w)[0]
            if t < n:
                h = h_new
                np.testing.assert_allclose(out.asnumpy()[b, t], h[0], rtol=RTOL, atol=ATOL)
            else:
                np.testing.assert_allclose(out.asnumpy()[b, t], 0, atol=0)
        np.testing.assert_allclose(states[0].asnumpy()[b], h[0], rtol=RTOL, atol=ATOL)
    # the bidirectional cell reverses each sequence within its valid length
    bi = rnn.BidirectionalCell(rnn.GRUCell(H, input_size=C), rnn.GRUCell(H, input_size=C))
    _init(bi)
    bout, _ = bi.unroll(T, x, layout="NTC", merge_outputs=True, valid_length=mx.nd.array(vl))
    r = bi._children["r_cell"]
    pr = _params_np(r)
    wr = [pr[r.prefix + n] for n in ["i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias"]]
    for b, n in enumerate(vl):
        h = np.zeros((1, H))
        for t in reversed(range(n)):
            h = np_step("gru", xn[b:b + 1, t], h, None, *wr)[0]
            np.testing.assert_allclose(bout.asnumpy()[b, t, H:], h[0], rtol=RTOL, atol=ATOL)
        assert np.all(bout.asnumpy()[b, n:] == 0)


def test_modifier_cells():
    T, N, H = 3, 2, 4
    base = rnn.RNNCell(H, input_size=H)
    res = rnn.ResidualCell(base)
    _init(res)
    x = mx.nd.random.uniform(-1, 1, shape=(N, T, H))
    out, _ = res.unroll(T, x, merge_outputs=True)
    base._modified = False
    bout, _ = base.unroll(T, x, merge_outputs=True)
    base._modified = True
    np.testing.assert_allclose(out.asnumpy(), bout.asnumpy() + x.asnumpy(), rtol=1e-6)
    with pytest.raises(AssertionError):
        base.begin_state(batch_size=N)
    # dropout cell: identity outside training, scaled mask inside
    drop = rnn.DropoutCell(0.5)
    y, st = drop(x[:, 0], [])
    assert st == [] and np.array_equal(y.asnumpy(), x[:, 0].asnumpy())
    with autograd.record():
        y = drop.unroll(T, mx.nd.ones((N, T, 50)), merge_outputs=True)[0].asnumpy()
    assert set(np.unique(y)) <= {0.0, 2.0}
    # zoneout with p=0 is the base cell; in training with p=1 the state never changes
    z = rnn.ZoneoutCell(rnn.GRUCell(H, input_size=H), zoneout_outputs=0.0, zoneout_states=0.0)
    _init(z)
    zo, _ = z.unroll(T, x, merge_outputs=True)
    z.base_cell._modified = False
    zb, _ = z.base_cell.unroll(T, x, merge_outputs=True)
    np.testing.assert_allclose(zo.asnumpy(), zb.asnumpy(), rtol=1e-6)
    z2 = rnn.ZoneoutCell(rnn.GRUCell(H, input_size=H), zoneout_outputs=0.9999,
                         zoneout_states=0.9999)
    _init(z2)
    with autograd.record():
        _, st = z2.unroll(T, x, merge_outputs=True)
    np.testing.assert_allclose(st[0].asnumpy(), 0, atol=0)


@pytest.mark.parametrize("cls,mode,kw", LAYERS[1:])
def test_layer_gradient_finite_difference(cls, mode, kw):
    T, N, C, H = 3, 2, 2, 3
    layer = cls(H, num_layers=2, bidirectional=True, input_size=C, dtype="float64", **kw)
    layer.initialize(mx.init.Uniform(0.5))
    rs = np.random.RandomState(1)
    x = rs.uniform(-1, 1, (T, N, C))
    xa = mx.nd.array(x, dtype="float64")
    xa.attach_grad()
    w = layer.l0_i2h_weight
    with autograd.record():
        loss = (layer(xa) ** 2).sum()
    loss.backward()
    gx, gw = xa.grad.asnumpy(), w.grad().asnumpy()

    def f():
        return float((layer(mx.nd.array(x, dtype="float64")) ** 2).sum().asscalar())

    eps = 1e-6
    for idx in [(0, 0, 1), (2, 1, 0), (1, 0, 0)]:
        x[idx] += eps
        up = f()
        x[idx] -= 2 * eps
        down = f()
        x[idx] += eps
        np.testing.assert_allclose(gx[idx], (up - down) / (2 * eps), rtol=1e-4, atol=1e-7)
    wn = w.data().asnumpy()
    for idx in [(0, 0), (2, 1)]:
        vals = []
        for s in (eps, -eps):
            wn2 = wn.copy()
            wn2[idx] += s
            w.set_data(mx.nd.array(wn2, dtype="float64"))
            vals.append(f())
        w.set_data(mx.nd.array(wn, dtype="float64"))
        np.testing.assert_allclose(gw[idx], (vals[0] - vals[1]) / (2 * eps), rtol=1e-4,
                                   atol=1e-7)


def test_cell_gradient_matches_layer():
    T, N, C, H = 3, 2, 2, 3
    layer = rnn.LSTM(H, input_size=C, layout="NTC")
    _init(layer)
    cell = rnn.LSTMCell(H, input_size=C)
    cell.initialize()
    _copy_layer_to_cell(layer, cell, "l", 0)
    x = mx.nd.random.uniform(-1, 1, shape=(N, T, C))
    with autograd.record():
        a = (layer(x) ** 2).sum()
    a.backward()
    with autograd.record():
        b = (cell.unroll(T, x, merge_outputs=True)[0] ** 2).sum()
    b.backward()
    for n in ["i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias"]:
        np.testing.assert_allclose(getattr(cell, n).grad().asnumpy(),
                                   getattr(layer, f"l0_{n}").grad().asnumpy(), rtol=1e-4,
                                   atol=1e-5)


def test_symbolic_layer():
    layer = rnn.GRU(4, input_size=3, prefix="g_")
    out = layer(mx.sym.var("data"))
    assert "g_l0_i2h_weight" in out.list_arguments()


def test_layer_in_hybridized_parent_and_sequence_length():
    for layout in ["TNC", "NTC"]:
        net = gluon.nn.HybridSequential()
        net.add(rnn.LSTM(4, num_layers=2, bidirectional=True, layout=layout))
        net.add(gluon.nn.Dense(2, flatten=False))
        net.initialize()
        x = mx.nd.random.uniform(shape=(2, 5, 3))
        a = net(x)
        net.hybridize()
        np.testing.assert_allclose(net(x).asnumpy(), a.asnumpy(), rtol=1e-6, atol=1e-6)
        assert net(mx.nd.random.uniform(shape=(3, 5, 3))).shape == (3, 5, 2)
    layer = rnn.GRU(4, use_sequence_length=True, input_size=3)
    _init(layer)
    x = np.random.uniform(-1, 1, (5, 2, 3)).astype(np.float32)
    out = layer(mx.nd.array(x), sequence_length=mx.nd.array([5, 3])).asnumpy()
    p = _params_np(layer)
    ref = np_layer("gru", x[:3, 1:2].astype(np.float64), p, layer.prefix, 1, False,
                   np.zeros((1, 1, 4)), np.zeros((1, 1, 4)))[0]
    np.testing.assert_allclose(out[:3, 1:2], ref, rtol=RTOL, atol=ATOL)
    assert np.all(out[3:, 1] == 0)


def test_cells_deferred_and_symbolic():
    cell = rnn.GRUCell(3)
    cell.initialize()
    cell.hybridize()
    out, _ = cell.unroll(4, mx.nd.ones((2, 4, 5)), merge_outputs=True)
    assert cell.i2h_weight.shape == (9, 5) and out.shape == (2, 4, 3)
    sym_cell = rnn.LSTMCell(3, prefix="c_")
    outs, states = sym_cell.unroll(4, mx.sym.var("data"), merge_outputs=False,
                                   valid_length=mx.sym.var("vl"))
    assert len(outs) == 4 and len(states) == 2
    assert "c_h2h_weight" in outs[0].list_arguments()
