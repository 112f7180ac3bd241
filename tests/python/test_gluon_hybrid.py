"""HybridBlock tracing and hybridize: the traced Symbol, hybridized equals
imperative (forward and gradients), plain-forward blocks, SymbolBlock,
export/imports and save/load_parameters."""
import json

import numpy as np
import pytest

import mxlite as mx
from mxlite import gluon
from mxlite.gluon import nn

RNG = np.random.default_rng(5)


@pytest.fixture
def nd_save(monkeypatch):
    """mx.nd.save/load; until the .params writer is in the build, a stand-in
    keeping names, shapes and dtypes (npz) so Gluon's logic is still tested."""
    if hasattr(mx.nd, "save") and hasattr(mx.nd, "load"):
        return

    def save(fname, data):
        arrays = {k: v.asnumpy() for k, v in data.items()}
        with open(fname, "wb") as f:
            np.savez(f, **arrays)

    def load(fname):
        with np.load(fname) as z:
            return {k: mx.nd.array(z[k], dtype=z[k].dtype) for k in z.files}

    monkeypatch.setattr(mx.nd, "save", save, raising=False)
    monkeypatch.setattr(mx.nd, "load", load, raising=False)


def make_net():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(4, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"),
                nn.MaxPool2D(), nn.Flatten(), nn.Dense(8, activation="tanh"), nn.Dropout(0.3),
                nn.Dense(3))
    return net


def copy_params(src, dst):
    for (_, a), (_, b) in zip(sorted(src.collect_params().items()),
                              sorted(dst.collect_params().items())):
        b.set_data(a.data())


def forward_backward(net, x, train):
    with mx.autograd.record(train_mode=train):
        y = net(x)
        loss = (y * y).sum()
    loss.backward()
    grads = {k[len(net.prefix):]: v.grad().asnumpy().copy()
             for k, v in net.collect_params().items() if v.grad_req != "null"}
    return y.asnumpy(), grads


@pytest.mark.parametrize("train", [False, True])
def test_hybridized_equals_imperative(train):
    x = mx.nd.array(RNG.standard_normal((4, 2, 6, 6)))
    a, b = make_net(), make_net()
    for n in (a, b):
        n.initialize(mx.init.Xavier() if hasattr(mx, "init") else None)
        n(x)  # finish deferred init
    copy_params(a, b)
    b.hybridize()
    if train:  # dropout would draw different masks: compare without it
        a[6]._rate = b[6]._rate = 0.0
        b._clear_cached_op()
    ya, ga = forward_backward(a, x, train)
    yb, gb = forward_backward(b, x, train)
    np.testing.assert_allclose(yb, ya, rtol=1e-5, atol=1e-5)
    assert ga.keys() == gb.keys() and len(ga) == 8
    for k in ga:
        np.testing.assert_allclose(gb[k], ga[k], rtol=1e-4, atol=1e-5, err_msg=k)
    if train:  # the moving statistics were updated identically
        for k in ("running_mean", "running_var"):
            np.testing.assert_allclose(b[1].params[b[1].prefix + k].data().asnumpy(),
                                       a[1].params[a[1].prefix + k].data().asnumpy(), rtol=1e-5)


def test_traced_symbol():
    net = make_net()
    net.initialize()
    net.hybridize()
    net(mx.nd.ones((2, 2, 6, 6)))
    inputs, sym = net._cached_graph
    assert [i.name for i in inputs] == ["data"]
    p = net.prefix
    assert sym.list_arguments() == ["data", p + "conv0_weight", p + "conv0_bias",
                                    p + "batchnorm0_gamma", p + "batchnorm0_beta",
                                    p + "dense0_weight", p + "dense0_bias", p + "dense1_weight",
                                    p + "dense1_bias"]
    assert sym.list_auxiliary_states() == [p + "batchnorm0_running_mean",
                                           p + "batchnorm0_running_var"]
    arg_shapes, out_shapes, aux_shapes = sym.infer_shape(data=(5, 2, 6, 6))
    assert out_shapes == [(5, 3)]
    assert arg_shapes[1] == (4, 2, 3, 3) and aux_shapes == [(4,), (4,)]
    names = [n["name"] for n in json.loads(sym.tojson())["nodes"]]
    assert p + "conv0_fwd" in names and p + "dense1_fwd" in names


def test_deferred_init_when_hybridized():
    net = nn.HybridSequential()
    net.add(nn.Dense(6, activation="relu"), nn.Dense(2))
    net.initialize()
    net.hybridize()
    y = net(mx.nd.ones((3, 4)))
    assert y.shape == (3, 2) and net[0].weight.shape == (6, 4)


def test_multiple_inputs_and_outputs():
    class Two(gluon.HybridBlock):
        def __init__(self, **kw):
            super().__init__(**kw)
            with self.name_scope():
                self.d = nn.Dense(3)

        def hybrid_forward(self, F, x, y):
            h = self.d(x)
            return h + y, F.relu(h)

    net = Two()
    net.initialize()
    x, y = mx.nd.array(RNG.standard_normal((2, 5))), mx.nd.ones((2, 3))
    a0, a1 = net(x, y)
    net.hybridize()
    b0, b1 = net(x, y)
    np.testing.assert_allclose(b0.asnumpy(), a0.asnumpy(), rtol=1e-6)
    np.testing.assert_allclose(b1.asnumpy(), a1.asnumpy(), rtol=1e-6)
    assert [i.name for i in net._cached_graph[0]] == ["data0", "data1"]


class PlainForward(gluon.HybridBlock):
    """A HybridBlock written with forward() (no F): children, param.data() and
    methods of the inputs."""

    def __init__(self, **kw):
        super().__init__(**kw)
        with self.name_scope():
            self.d1 = nn.Dense(4, in_units=3)
            self.scale = self.params.get("scale", shape=(1, 4), init="ones")

    def forward(self, x):
        h = self.d1(x).relu()
        return h.broadcast_like(h) * 2 + self.scale.data().broadcast_like(h)


def test_plain_forward_block():
    net = PlainForward()
    net.initialize()
    x = mx.nd.array(RNG.standard_normal((2, 3)))
    ya, ga = forward_backward(net, x, True)
    net.hybridize()
    yb, gb = forward_backward(net, x, True)
    np.testing.assert_allclose(yb, ya, rtol=1e-6)
    for k in ga:
        np.testing.assert_allclose(gb[k], ga[k], rtol=1e-5, err_msg=k)
    assert net.prefix + "scale" in net._cached_graph[1].list_arguments()


def test_symbol_input_gives_symbol():
    net = nn.Dense(2, in_units=3, prefix="fc_")
    out = net(mx.sym.var("data"))
    assert isinstance(out, mx.sym.Symbol)
    assert out.list_arguments() == ["data", "fc_weight", "fc_bias"]


def test_symbol_block_from_symbol():
    data = mx.sym.var("data")
    fc = mx.sym.FullyConnected(data, num_hidden=4, name="fc1")
    out = mx.sym.Activation(fc, act_type="relu", name="relu1")
    blk = gluon.SymbolBlock(out, data)
    assert sorted(blk.collect_params().keys()) == ["fc1_bias", "fc1_weight"]
    blk.initialize()
    x = RNG.standard_normal((2, 5)).astype(np.float32)
    y = blk(mx.nd.array(x)).asnumpy()
    w = blk.collect_params()["fc1_weight"].data().asnumpy()
    b = blk.collect_params()["fc1_bias"].data().asnumpy()
    np.testing.assert_allclose(y, np.maximum(x @ w.T + b, 0), rtol=1e-5, atol=1e-6)
    # as a symbol
    composed = blk(mx.sym.var("x"))
    assert composed.list_arguments() == ["x", "fc1_weight", "fc1_bias"]


def test_export_requires_forward(tmp_path):
    net = nn.Dense(2)
    with pytest.raises(RuntimeError, match="at least once"):
        net.export(str(tmp_path / "m"))


def test_export_and_imports(tmp_path, nd_save):
    net = make_net()
    net.initialize()
    net.hybridize()
    x = mx.nd.array(RNG.standard_normal((2, 2, 6, 6)))
    with mx.autograd.record():  # updates the moving stats
        net(x)
    y = net(x).asnumpy()
    sym_file, params_file = net.export(str(tmp_path / "model"), epoch=3)
    assert sym_file.endswith("model-symbol.json") and params_file.endswith("model-0003.params")
    doc = json.load(open(sym_file))
    assert "nodes" in doc and "heads" in doc
    keys = set(mx.nd.load(params_file).keys())
    p = net.prefix
    assert f"arg:{p}conv0_weight" in keys and f"aux:{p}batchnorm0_running_mean" in keys
    blk = gluon.SymbolBlock.imports(sym_file, ["data"], params_file)
    np.testing.assert_allclose(blk(x).asnumpy(), y, rtol=1e-5, atol=1e-6)
    blk2 = gluon.SymbolBlock.imports(sym_file, "data")
    blk2.collect_params().load(params_file)
    np.testing.assert_allclose(blk2(x).asnumpy(), y, rtol=1e-5, atol=1e-6)


def test_save_load_parameters_roundtrip(tmp_path, nd_save):
    net = make_net()
    net.initialize()
    x = mx.nd.array(RNG.standard_normal((2, 2, 6, 6)))
    y = net(x).asnumpy()
    f = str(tmp_path / "net.params")
    net.save_parameters(f)
    keys = sorted(mx.nd.load(f).keys())
    assert "0.weight" in keys and "1.running_mean" in keys and "7.bias" in keys
    other = make_net()
    other.load_parameters(f)
    np.testing.assert_allclose(other(x).asnumpy(), y, rtol=1e-6)
    # missing / extra parameters
    small = nn.HybridSequential()
    small.add(nn.Conv2D(4, 3, padding=1))
    with pytest.raises(ValueError, match="not present"):
        small.load_parameters(f)
    small.load_parameters(f, ignore_extra=True)
    big = make_net()
    big.add(nn.Dense(2))
    with pytest.raises(AssertionError, match="missing"):
        big.load_parameters(f)
    big.load_parameters(f, allow_missing=True)


def test_parameter_dict_save_load(tmp_path, nd_save):
    net = make_net()
    net.initialize()
    net(mx.nd.ones((1, 2, 6, 6)))
    f = str(tmp_path / "p.params")
    net.collect_params().save(f, strip_prefix=net.prefix)
    other = make_net()
    other.collect_params().load(f, restore_prefix=other.prefix)
    for (_, a), (_, b) in zip(net.collect_params().items(), other.collect_params().items()):
        np.testing.assert_array_equal(a.data().asnumpy(), b.data().asnumpy())
    # load_parameters falls back to prefixed names for such files
    third = make_net()
    third.load_parameters(f)
    with pytest.raises(ValueError, match="striped before saving"):
        net.collect_params().save(f, strip_prefix="nope_")
