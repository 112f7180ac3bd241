"""Shape and dtype inference on symbols (MLP, small CNN, partial shapes).

Oracles: the layer formulas written out here (FullyConnected weight
(num_hidden, in_features), convolution/pooling output extents), and eager
execution of the same ops on arrays of the inferred argument shapes."""
import warnings

import numpy as np
import pytest

import mxlite as mx


def _has(*ops):
    return all(hasattr(mx.sym, o) for o in ops)


needs_mlp = pytest.mark.skipif(not _has("FullyConnected", "Activation", "SoftmaxOutput"),
                               reason="needs the NN ops")
needs_cnn = pytest.mark.skipif(not _has("Convolution", "Pooling", "FullyConnected", "Flatten",
                                        "Activation", "SoftmaxOutput"), reason="needs the CNN ops")


def mlp(hidden=(128, 10)):
    net = mx.sym.var("data")
    for i, h in enumerate(hidden):
        net = mx.sym.FullyConnected(data=net, name=f"fc{i + 1}", num_hidden=h)
        if i + 1 < len(hidden):
            net = mx.sym.Activation(data=net, name=f"relu{i + 1}", act_type="relu")
    return mx.sym.SoftmaxOutput(data=net, name="softmax")


def conv_out(n, k, s=1, p=0, d=1):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def cnn():
    data = mx.sym.var("data")
    net = mx.sym.Convolution(data, kernel=(3, 3), num_filter=8, pad=(1, 1), name="conv1")
    net = mx.sym.Activation(net, act_type="relu", name="relu1")
    net = mx.sym.Pooling(net, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool1")
    net = mx.sym.Convolution(net, kernel=(3, 3), num_filter=16, stride=(2, 2), name="conv2")
    net = mx.sym.Flatten(net, name="flat")
    net = mx.sym.FullyConnected(net, num_hidden=10, name="fc")
    return mx.sym.SoftmaxOutput(net, name="softmax")


def cnn_eager(args):
    """The same network run eagerly on zero arrays of the given shapes."""
    a = {k: mx.nd.zeros(v) for k, v in args.items()}
    net = mx.nd.Convolution(a["data"], a["conv1_weight"], a["conv1_bias"], kernel=(3, 3),
                            num_filter=8, pad=(1, 1))
    net = mx.nd.Activation(net, act_type="relu")
    net = mx.nd.Pooling(net, kernel=(2, 2), stride=(2, 2), pool_type="max")
    net = mx.nd.Convolution(net, a["conv2_weight"], a["conv2_bias"], kernel=(3, 3),
                            num_filter=16, stride=(2, 2))
    net = mx.nd.FullyConnected(mx.nd.Flatten(net), a["fc_weight"], a["fc_bias"], num_hidden=10)
    return mx.nd.SoftmaxOutput(net, a["softmax_label"])


@needs_mlp
@pytest.mark.parametrize("batch,features", [(32, 784), (1, 5)])
def test_mlp_infer_shape(batch, features):
    net = mlp()
    args, outs, aux = net.infer_shape(data=(batch, features))
    expected = {"data": (batch, features), "fc1_weight": (128, features), "fc1_bias": (128,),
                "fc2_weight": (10, 128), "fc2_bias": (10,), "softmax_label": (batch,)}
    assert dict(zip(net.list_arguments(), args)) == expected
    assert outs == [(batch, 10)] and aux == []
    # Positional shapes follow list_arguments; None marks unknown ones.
    assert net.infer_shape((batch, features), None, (128,)) == (args, outs, aux)


@needs_mlp
def test_mxnet_docstring_partial_example():
    data, prev = mx.sym.var("data"), mx.sym.var("prev")
    fc1 = mx.sym.FullyConnected(data=data, name="fc1", num_hidden=128)
    fc2 = mx.sym.FullyConnected(data=prev, name="fc2", num_hidden=128)
    out = mx.sym.Activation(data=mx.sym.elemwise_add(fc1, fc2), act_type="relu")
    assert out.list_arguments() == ["data", "fc1_weight", "fc1_bias", "prev", "fc2_weight",
                                    "fc2_bias"]
    with pytest.warns(UserWarning, match="Cannot decide shape for the following arguments"):
        assert out.infer_shape(data=(10, 64)) == (None, None, None)
    assert out.infer_shape_partial(data=(10, 64)) == (
        [(10, 64), (128, 64), (128,), (), (), ()], [(10, 128)], [])
    assert out.infer_shape(data=(10, 64), prev=(10, 128)) == (
        [(10, 64), (128, 64), (128,), (10, 128), (128, 128), (128,)], [(10, 128)], [])


@needs_mlp
def test_shape_conflict_names_node_and_input():
    data = mx.sym.var("data")
    out = mx.sym.FullyConnected(data=data, name="fc1", num_hidden=1000)
    out = mx.sym.Activation(data=out, act_type="relu")
    out = mx.sym.FullyConnected(data=out, name="fc2", num_hidden=10)
    with pytest.raises(mx.MXNetError, match="Error in operator fc1") as e:
        out.infer_shape(data=(100, 100), fc1_weight=(1, 100))
    assert "weight" in str(e.value) and "(1, 100)" in str(e.value)
    with pytest.raises(KeyError, match="'fc3_weight' is not an input"):
        out.infer_shape(data=(100, 100), fc3_weight=(1, 100))
    with pytest.raises(ValueError, match="either by positional or kwargs"):
        out.infer_shape((100, 100), fc1_weight=(1, 100))
    with pytest.raises(TypeError, match="need to be shapes"):
        out.infer_shape(data=100)


@needs_mlp
def test_partial_batch_and_deferred_weights():
    net = mlp()
    args, outs, _ = net.infer_shape_partial(data=(0, 20))
    shapes = dict(zip(net.list_arguments(), args))
    assert shapes["fc1_weight"] == (128, 20) and shapes["fc2_weight"] == (10, 128)
    assert outs == [(0, 10)]
    with pytest.warns(UserWarning):
        assert net.infer_shape(data=(0, 20)) == (None, None, None)
    # Gluon-style deferred initialization: weights declared with unknown extents.
    data = mx.sym.var("data")
    w = mx.sym.var("w", shape=(16, 0))
    fc = mx.sym.FullyConnected(data, weight=w, num_hidden=16, name="fc")
    args, outs, _ = fc.infer_shape(data=(4, 7))
    assert args == [(4, 7), (16, 7), (16,)] and outs == [(4, 16)]
    with pytest.raises(mx.MXNetError, match="Error in operator fc"):
        mx.sym.FullyConnected(data, weight=mx.sym.var("w2", shape=(8, 0)), num_hidden=16,
                              name="fc").infer_shape(data=(4, 7))


@needs_cnn
@pytest.mark.parametrize("n,hw", [(2, 32), (1, 17)])
def test_cnn_infer_shape_against_formulas_and_eager(n, hw):
    net = cnn()
    args, outs, aux = net.infer_shape(data=(n, 3, hw, hw))
    shapes = dict(zip(net.list_arguments(), args))
    h1 = conv_out(hw, 3, 1, 1)
    hp = conv_out(h1, 2, 2)
    h2 = conv_out(hp, 3, 2)
    assert shapes["conv1_weight"] == (8, 3, 3, 3) and shapes["conv1_bias"] == (8,)
    assert shapes["conv2_weight"] == (16, 8, 3, 3)
    assert shapes["fc_weight"] == (10, 16 * h2 * h2)
    assert shapes["softmax_label"] == (n,)
    assert outs == [(n, 10)] and aux == []
    internals = net.get_internals()
    _, inner, _ = internals.infer_shape(data=(n, 3, hw, hw))
    inner = dict(zip(internals.list_outputs(), inner))
    assert inner["pool1_output"] == (n, 8, hp, hp)
    assert inner["conv2_output"] == (n, 16, h2, h2)
    assert cnn_eager(shapes).shape == outs[0]


@needs_cnn
def test_cnn_partial_batch():
    net = cnn()
    args, outs, _ = net.infer_shape_partial(data=(0, 3, 16, 16))
    shapes = dict(zip(net.list_arguments(), args))
    assert shapes["conv2_weight"] == (16, 8, 3, 3)
    assert shapes["fc_weight"] == (10, 16 * 3 * 3)
    assert outs == [(0, 10)]


def test_elementwise_infers_in_both_directions():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    c = mx.sym.relu(a + b)
    assert c.infer_shape(b=(2, 5)) == ([(2, 5), (2, 5)], [(2, 5)], [])
    with pytest.raises(mx.MXNetError, match="must have the same shape"):
        c.infer_shape(a=(2, 5), b=(5, 2))
    assert mx.sym.broadcast_add(a, b).infer_shape(a=(2, 1), b=(1, 3))[1] == [(2, 3)]
    d = mx.sym.dot(a, b, name="d")
    assert d.infer_shape_partial(a=(2, 3)) == ([(2, 3), ()], [()], [])


def test_variable_shape_attribute_and_overrides():
    x = mx.sym.var("x", shape=(3, 4))
    y = mx.sym.sum(x, axis=1)
    assert y.infer_shape() == ([(3, 4)], [(3,)], [])
    assert y.infer_shape(x=(5, 4)) == ([(5, 4)], [(5,)], [])
    z = mx.sym.var("z", shape=(0, 4)) + 1
    assert z.infer_shape_partial() == ([(0, 4)], [(0, 4)], [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert z.infer_shape() == (None, None, None)


def test_internals_shapes():
    x = mx.sym.var("x")
    s = mx.sym.transpose(mx.sym.reshape(x, shape=(2, -1), name="r"), name="t")
    internals = s.get_internals()
    _, outs, _ = internals.infer_shape(x=(4, 3))
    assert dict(zip(internals.list_outputs(), outs)) == {"x": (4, 3), "r_output": (2, 6),
                                                         "t_output": (6, 2)}


@needs_mlp
def test_mlp_infer_type():
    net = mlp()
    for dt in (np.float32, np.float64, np.float16):
        args, outs, aux = net.infer_type(data=dt)
        assert args == [dt] * 6 and outs == [dt] and aux == []
    args, outs, _ = net.infer_type(np.float64)  # positional
    assert outs == [np.float64]
    with pytest.warns(UserWarning, match="Cannot decide type"):
        assert net.infer_type() == (None, None, None)
    assert net.infer_type_partial() == ([None] * 6, [None], [])


def test_infer_type_rules():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    c = a + b
    assert c.infer_type(a="float64") == ([np.float64, np.float64], [np.float64], [])
    with pytest.raises(TypeError, match="Error in operator"):
        c.infer_type(a="float32", b="int32")
    # Cast fixes its output dtype whatever its input's.
    cast = mx.sym.Cast(a, dtype="float16")
    assert cast.infer_type_partial() == ([None], [np.float16], [])
    assert cast.infer_type(a="int32") == ([np.int32], [np.float16], [])
    # __dtype__ attributes hold MXNet's type flags.
    v = mx.sym.var("v", dtype="int64")
    assert v.attr("__dtype__") == "6"
    assert (v * 2).infer_type() == ([np.int64], [np.int64], [])
    with pytest.raises(TypeError):
        c.infer_type(a="complex64")


@needs_mlp
def test_inferred_shapes_run_eagerly():
    net = mlp((16, 4))
    args, outs, _ = net.infer_shape(data=(3, 8))
    a = {k: mx.nd.ones(s) for k, s in zip(net.list_arguments(), args)}
    h = mx.nd.FullyConnected(a["data"], a["fc1_weight"], a["fc1_bias"], num_hidden=16)
    h = mx.nd.Activation(h, act_type="relu")
    h = mx.nd.FullyConnected(h, a["fc2_weight"], a["fc2_bias"], num_hidden=4)
    assert mx.nd.SoftmaxOutput(h, a["softmax_label"]).shape == outs[0]


def test_batchnorm_aux_states_shapes():
    if not _has("BatchNorm"):
        pytest.skip("needs BatchNorm")
    data = mx.sym.var("data")
    bn = mx.sym.BatchNorm(data, name="bn")
    assert bn.list_arguments() == ["data", "bn_gamma", "bn_beta"]
    assert bn.list_auxiliary_states() == ["bn_moving_mean", "bn_moving_var"]
    args, outs, aux = bn.infer_shape(data=(2, 5, 4, 4))
    assert args == [(2, 5, 4, 4), (5,), (5,)] and aux == [(5,), (5,)] and outs == [(2, 5, 4, 4)]
    assert bn.infer_type(data="float32")[2] == [np.float32, np.float32]
    # Auxiliary states can be given by name too.
    assert bn.infer_shape_partial(bn_moving_mean=(5,))[2] == [(5,), ()]
    internals = bn.get_internals()
    assert internals["bn_moving_mean"].attr("__init__") == '["zero", {}]'
    assert internals["bn_moving_var"].attr("__init__") == '["one", {}]'
    with pytest.raises(ValueError, match="must be a variable"):
        mx.sym.BatchNorm(data, moving_mean=mx.sym.relu(data), name="bad")
