"""gluon.Parameter / Constant / ParameterDict and Block naming (MXNet 1.9 semantics)."""
import json
import warnings

import numpy as np
import pytest

import mxlite as mx
from mxlite import gluon
from mxlite.gluon import nn


def test_parameter_basics():
    p = gluon.Parameter("weight", shape=(3, 4), init="ones")
    assert p.name == "weight" and p.shape == (3, 4) and p.grad_req == "write"
    p.initialize()
    np.testing.assert_array_equal(p.data().asnumpy(), np.ones((3, 4), np.float32))
    assert p.list_data()[0] is p.data()
    assert p.grad().shape == (3, 4) and p.list_grad()[0] is p.grad()
    assert p.list_ctx() == [mx.cpu()]
    p.set_data(mx.nd.full((3, 4), 2.0))
    np.testing.assert_array_equal(p.data().asnumpy(), np.full((3, 4), 2, np.float32))
    with pytest.warns(UserWarning, match="already initialized"):
        p.initialize()
    p.initialize(init="zeros", force_reinit=True)
    assert p.data().asnumpy().sum() == 0
    assert repr(p) == "Parameter weight (shape=(3, 4), dtype=<class 'numpy.float32'>)"


def test_parameter_gradient_and_zero_grad():
    p = gluon.Parameter("w", shape=(2, 3))
    p.initialize(init="ones")
    with mx.autograd.record():
        y = (p.data() * 3).sum()
    y.backward()
    np.testing.assert_array_equal(p.grad().asnumpy(), np.full((2, 3), 3, np.float32))
    p.zero_grad()
    np.testing.assert_array_equal(p.grad().asnumpy(), np.zeros((2, 3), np.float32))


def test_grad_req_null_and_add():
    p = gluon.Parameter("w", shape=(2,), grad_req="null")
    p.initialize(init="ones")
    with pytest.raises(RuntimeError, match="grad_req='null'"):
        p.grad()
    p.grad_req = "add"
    for _ in range(2):
        with mx.autograd.record():
            y = (p.data() * 2).sum()
        y.backward()
    np.testing.assert_array_equal(p.grad().asnumpy(), [4, 4])
    with pytest.raises(ValueError):
        p.grad_req = "bogus"
    q = gluon.Parameter("q", shape=(2,), differentiable=False)
    assert q.grad_req == "null"


def test_uninitialized_and_invalid_shape_errors():
    p = gluon.Parameter("w", shape=(2, 3))
    with pytest.raises(RuntimeError, match="has not been initialized"):
        p.data()
    q = gluon.Parameter("q", shape=(0, 3))
    with pytest.raises(ValueError, match="invalid shape"):
        q.initialize()


def test_deferred_init_parameter():
    p = gluon.Parameter("w", shape=(0, 3), allow_deferred_init=True, init="ones")
    p.initialize()
    with pytest.raises(gluon.DeferredInitializationError):
        p.data()
    p.shape = (5, 3)
    p._finish_deferred_init()
    assert p.data().shape == (5, 3)
    with pytest.raises(AssertionError, match="incompatible"):
        p.shape = (4, 3)


def test_shape_setter_unknown_dims():
    p = gluon.Parameter("w", shape=(-1, 0, 4))
    p.shape = (2, 3, 4)
    assert p.shape == (2, 3, 4)


def test_initializer_callable_and_dispatch():
    seen = []

    def init(desc, arr):
        seen.append(str(desc))
        arr[:] = 7

    p = gluon.Parameter("layer_weight", shape=(2,), init=init)
    p.initialize()
    assert seen == ["layer_weight"]
    np.testing.assert_array_equal(p.data().asnumpy(), [7, 7])
    # default initializer: uniform in [-0.07, 0.07]
    q = gluon.Parameter("fc_weight", shape=(200, 50))
    q.initialize()
    v = q.data().asnumpy()
    assert np.abs(v).max() <= 0.07 and v.std() > 0.02


def test_cast():
    p = gluon.Parameter("w", shape=(2, 2), init="ones")
    p.initialize()
    p.cast("float64")
    assert p.data().dtype == np.float64 and p.grad().dtype == np.float64
    with mx.autograd.record():
        y = (p.data() * 2).sum()
    y.backward()
    np.testing.assert_array_equal(p.grad().asnumpy(), np.full((2, 2), 2.0))


def test_var_attributes():
    p = gluon.Parameter("fc_weight", shape=(3, 4), lr_mult=2.0, wd_mult=0.5)
    v = p.var()
    assert v.name == "fc_weight"
    attrs = v.list_attr()
    assert attrs["__shape__"] == "(3, 4)"
    assert attrs["__lr_mult__"] == "2.0" and attrs["__wd_mult__"] == "0.5"
    assert attrs["__dtype__"] == "0"


def test_constant():
    c = gluon.Constant("const", [[1, 2], [3, 4]])
    assert c.grad_req == "null"
    c.initialize()
    np.testing.assert_array_equal(c.data().asnumpy(), [[1, 2], [3, 4]])
    with pytest.warns(UserWarning):
        c.grad_req = "write"
    assert c.grad_req == "null"


def test_parameter_dict_get_and_update():
    pd = gluon.ParameterDict("net_")
    w = pd.get("weight", shape=(0, 3), allow_deferred_init=True)
    assert w.name == "net_weight" and "net_weight" in pd
    assert pd.get("weight", shape=(4, 3)) is w and w.shape == (4, 3)
    with pytest.raises(AssertionError, match="does not match"):
        pd.get("weight", shape=(5, 3))
    with pytest.raises(AssertionError):
        pd.get("weight", lr_mult=3.0)
    other = gluon.ParameterDict("net_")
    other.get("bias", shape=(3,))
    pd.update(other)
    assert list(pd.keys()) == ["net_weight", "net_bias"]
    clash = gluon.ParameterDict("net_")
    clash.get("bias", shape=(3,))
    with pytest.raises(ValueError, match="different Parameters"):
        pd.update(clash)
    pd.setattr("lr_mult", 0.1)
    assert all(p.lr_mult == 0.1 for p in pd.values())
    shared = gluon.ParameterDict("net_", shared=pd)
    assert shared.get("weight") is w
    assert shared.get_constant("c", [1.0]).grad_req == "null"


def test_block_naming_and_scopes():
    mx.name.NameManager._current.value = mx.name.NameManager()  # fresh counters
    d0 = nn.Dense(3)
    d1 = nn.Dense(3)
    assert d0.name == "dense0" and d1.prefix == "dense1_"
    assert d0.weight.name == "dense0_weight" and d0.bias.name == "dense0_bias"
    net = nn.HybridSequential(prefix="model_")
    with net.name_scope():
        net.add(nn.Dense(4, activation="relu"), nn.Conv2D(2, 3), nn.Dense(2))
    names = list(net.collect_params().keys())
    assert names == ["model_dense0_weight", "model_dense0_bias", "model_conv0_weight",
                     "model_conv0_bias", "model_dense1_weight", "model_dense1_bias"]
    assert net[0].act.name == "model_dense0_relu"
    assert list(net.collect_params(".*weight").keys()) == [
        "model_dense0_weight", "model_conv0_weight", "model_dense1_weight"]
    assert list(net.collect_params("model_dense1_.*|.*conv0_bias").keys()) == [
        "model_conv0_bias", "model_dense1_weight", "model_dense1_bias"]
    assert len(net.params) == 0  # params are only the block's own


def test_structural_names():
    class Net(gluon.HybridBlock):
        def __init__(self, **kw):
            super().__init__(**kw)
            with self.name_scope():
                self.features = nn.HybridSequential()
                self.features.add(nn.Dense(3), nn.Dense(2))
                self.out = nn.Dense(1)
                self.scale = self.params.get("scale", shape=(1,))

        def hybrid_forward(self, F, x, scale):
            return F.broadcast_mul(self.out(self.features(x)), scale)

    net = Net()
    names = sorted(net._collect_params_with_prefix().keys())
    assert names == ["features.0.bias", "features.0.weight", "features.1.bias",
                     "features.1.weight", "out.bias", "out.weight", "scale"]
    assert net.scale.name == net.prefix + "scale"


def test_setattr_registration_rules():
    class B(gluon.Block):
        def __init__(self):
            super().__init__()
            self.a = nn.Dense(2)

        def forward(self, x):
            return self.a(x)

    b = B()
    with pytest.raises(TypeError, match="Changing attribute type"):
        b.a = 3
    hb = nn.HybridSequential()
    with pytest.raises(ValueError, match="must also be HybridBlock"):
        hb.add(B())


def test_hooks_and_apply():
    net = nn.Dense(2, in_units=3)
    net.initialize()
    calls = []
    h1 = net.register_forward_pre_hook(lambda blk, inp: calls.append(("pre", len(inp))))
    h2 = net.register_forward_hook(lambda blk, inp, out: calls.append(("post", out.shape)))
    net(mx.nd.ones((4, 3)))
    assert calls == [("pre", 1), ("post", (4, 2))]
    h1.detach()
    h2.detach()
    net(mx.nd.ones((4, 3)))
    assert len(calls) == 2
    seen = []
    seq = nn.Sequential()
    seq.add(nn.Dense(1), nn.Dense(1))
    seq.apply(lambda blk: seen.append(type(blk).__name__))
    assert seen == ["Dense", "Dense", "Sequential"]


def test_deferred_init_through_forward():
    net = nn.HybridSequential()
    net.add(nn.Dense(5, activation="tanh"), nn.Dense(2))
    net.initialize()
    with pytest.raises(gluon.DeferredInitializationError):
        net[0].weight.data()
    out = net(mx.nd.ones((3, 7)))
    assert out.shape == (3, 2)
    assert net[0].weight.shape == (5, 7) and net[1].weight.shape == (2, 5)


def test_deferred_init_plain_block_children():
    class Net(gluon.Block):
        def __init__(self):
            super().__init__()
            with self.name_scope():
                self.a = nn.Dense(4)
                self.b = nn.Dense(2)

        def forward(self, x):
            return self.b(mx.nd.relu(self.a(x)))

    net = Net()
    net.initialize()
    assert net(mx.nd.ones((2, 6))).shape == (2, 2)
    assert net.a.weight.shape == (4, 6)


def test_block_cast():
    net = nn.HybridSequential()
    net.add(nn.Dense(3, in_units=2), nn.BatchNorm(in_channels=3))
    net.initialize()
    net.cast("float64")
    assert net[0].weight.data().dtype == np.float64
    out = net(mx.nd.ones((2, 2), dtype="float64"))
    assert out.dtype == np.float64


def test_summary(capsys):
    net = nn.HybridSequential()
    net.add(nn.Dense(8, in_units=4, activation="relu"), nn.Dense(2, in_units=8))
    net.initialize()
    net.summary(mx.nd.ones((5, 4)))
    text = capsys.readouterr().out
    # inner blocks finish first, so the activation is numbered before its Dense
    assert "Activation-1" in text and "Dense-2" in text and "Dense-3" in text
    assert "(5, 8)" in text and "(5, 2)" in text
    assert "Total params: 58" in text  # 4*8+8 + 8*2+2
    net.hybridize()
    net(mx.nd.ones((5, 4)))
    with pytest.raises(AssertionError, match="must not be hybridized"):
        net.summary(mx.nd.ones((5, 4)))


def test_repr():
    net = nn.HybridSequential()
    net.add(nn.Dense(3, in_units=2), nn.Conv2D(4, (3, 3), in_channels=2, padding=1))
    text = repr(net)
    assert "(0): Dense(2 -> 3, linear)" in text
    assert "(1): Conv2D(2 -> 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))" in text


def test_unregistered_container_warns():
    class B(gluon.Block):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Dense(2)]

        def forward(self, x):
            return x

    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        B().collect_params()
    assert any("unregistered container" in str(x.message) for x in w)


def test_var_json_roundtrip_of_traced_graph(tmp_path):
    net = nn.HybridSequential()
    net.add(nn.Dense(3, activation="relu"), nn.Dense(2))
    net.initialize()
    net.hybridize()
    net(mx.nd.ones((2, 5)))
    sym = net._cached_graph[1]
    doc = json.loads(sym.tojson())
    ops = [n["op"] for n in doc["nodes"]]
    assert ops.count("FullyConnected") == 2 and "Activation" in ops
