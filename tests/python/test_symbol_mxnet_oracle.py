"""mx.sym against MXNet 1.9.1 itself, where it is installed.

The same script builds symbols with `mxnet` (in .venv-peers, installed by
tools/install_bench_peers.sh; or the interpreter named by
MXLITE_PEERS_PYTHON) and with `mxlite`; their JSON text, names, lists,
attributes and inference results must be identical.  Skipped when MXNet is
not available.  Cases where mxlite knows more than MXNet (partial inference
through Flatten, dtypes forced by an op) are left out here and tested in
test_symbol_infer.py."""
import os

import pytest

from mxnet_peer import run_with_both

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "python", "fixtures")

SCRIPT = r'''
import json, sys, warnings
warnings.simplefilter("ignore")
if sys.argv[1] == "mxnet":
    import mxnet as mx
else:
    import mxlite as mx
FIX = sys.argv[2]
out = {}
def case(f):
    try:
        with mx.name.NameManager():
            r = f()
        out[f.__name__] = json.loads(json.dumps(r, default=lambda o: getattr(o, "__name__", str(o))))
    except Exception as e:
        out[f.__name__] = "error"
    return f
def mlp():
    net = mx.sym.var("data")
    net = mx.sym.FullyConnected(data=net, num_hidden=64)
    net = mx.sym.Activation(data=net, act_type="relu")
    net = mx.sym.FullyConnected(data=net, num_hidden=10)
    return mx.sym.SoftmaxOutput(data=net)
def cnn():
    net = mx.sym.Convolution(mx.sym.var("data"), kernel=(3, 3), num_filter=8, pad=(1, 1))
    net = mx.sym.BatchNorm(net, fix_gamma=False, eps=2e-5)
    net = mx.sym.Activation(net, act_type="relu")
    net = mx.sym.Convolution(net, kernel=(3, 3), num_filter=16, stride=(2, 2), no_bias=True)
    net = mx.sym.Pooling(net, global_pool=True, kernel=(1, 1), pool_type="avg")
    net = mx.sym.FullyConnected(mx.sym.Flatten(net), num_hidden=10)
    return mx.sym.SoftmaxOutput(net)
@case
def mlp_all():
    n = mlp()
    return [n.tojson(), n.list_arguments(), n.list_outputs(), n.get_internals().list_outputs(),
            n.infer_shape(data=(5, 7)), n.infer_shape_partial(data=(0, 7)),
            n.infer_type(data="float64"), n.infer_type_partial(), n.infer_shape_partial()]
@case
def cnn_all():
    n = cnn()
    i = n.get_internals()
    return [n.list_arguments(), n.list_auxiliary_states(), i.list_outputs(),
            n.infer_shape(data=(2, 3, 17, 17)), i.infer_shape(data=(2, 3, 16, 16)),
            n.infer_type(data="float16")]
@case
def hidden_outputs():
    # Convolution and Pooling keep hidden outputs for their backward; files
    # still count outputs as MXNet (oneDNN build) does.
    net = mx.sym.Convolution(mx.sym.var("data"), kernel=(3, 3), num_filter=16, name="c")
    net = mx.sym.Pooling(net, kernel=(2, 2), pool_type="max", name="p")
    net = mx.sym.Pooling(net, kernel=(2, 2), pool_type="avg", name="q")
    net = mx.sym.BatchNorm(net, name="bn")
    return [net.tojson(), net.list_outputs(), net.get_internals().list_outputs()]
@case
def names():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    syms = [a + b, a + 1, a - b, 1 - a, a * b, a * 2.5, a / b, 2 / a, a % b, 2 % a, a ** b,
            a ** 2, 2 ** a, -a, a == b, a != 1, a > b, a >= 1, a < b, a <= 1, mx.sym.relu(a),
            mx.sym.sum(a, axis=(0, 1), keepdims=True), mx.sym.FullyConnected(a, num_hidden=2),
            mx.sym.Concat(a, b, dim=1), mx.sym.split(a, num_outputs=2)[1],
            mx.sym.Reshape(a, shape=(1, -1)), mx.sym.transpose(a, axes=[1, 0]),
            mx.sym.broadcast_add(a, b), mx.sym.dot(a, b, transpose_a=True), mx.sym.Dropout(a),
            mx.sym.maximum(a, b), mx.sym.minimum(2, a), mx.sym.pow(2, a), mx.sym.zeros((2, 3)),
            mx.sym.full((2,), 3), mx.sym.arange(0, 5), mx.sym.Cast(a, dtype="int32"),
            a.astype("float16"), abs(a), a.sum(axis=1), a.reshape((2, 3))]
    return [[s.name, s.tojson()] for s in syms]
@case
def outputs():
    a = mx.sym.var("a")
    syms = [mx.sym.split(a, num_outputs=3), mx.sym.Dropout(a), mx.sym.BatchNorm(a),
            mx.sym.BatchNorm(a, output_mean_var=True), mx.sym.SliceChannel(a, num_outputs=2)]
    return [[s.list_outputs(), s.list_arguments(), s.list_auxiliary_states(),
             s.get_internals().list_outputs(), s.tojson()] for s in syms]
@case
def attributes():
    v = mx.sym.var("w", shape=(3, 4), lr_mult=2.0, wd_mult=0, dtype="float16",
                   init='["zero", {}]', attr={"mood": "calm"}, __x__=1)
    with mx.AttrScope(ctx_group="dev1", __g__="4"):
        r = mx.sym.FullyConnected(v, num_hidden=3, attr={"lr_mult": "0.5", "__m__": "x"}, name="fc")
    s = mx.sym.sum(v, axis=1, name="s")
    s._set_attr(axis="0", ctx_group="g", __z__="1")
    return [v.list_attr(), r.list_attr(), r.attr_dict(), r.attr("ctx_group"), r.attr("lr_mult"),
            r.attr("num_hidden"), r.tojson(), s.list_attr(), s.tojson(), s.infer_shape()]
@case
def dtypes():
    a, i = mx.sym.var("a"), mx.sym.var("i")
    c = mx.sym.Cast(a, dtype="float16")
    sm = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(a, num_hidden=3, name="f"), name="sm")
    emb = mx.sym.Embedding(i, input_dim=5, output_dim=3, name="e")
    return [c.infer_type_partial(), c.infer_type(a="int32"),
            mx.sym.take(a, i).infer_type_partial(i="int32"), sm.infer_type(a="float32"),
            emb.infer_type_partial(i="int32"), (a + i).infer_type_partial(i="float64"),
            (mx.sym.var("v", dtype="int64") * 2).infer_type(),
            mx.sym.BatchNorm(a).infer_type(a="float16")]
@case
def files():
    return [mx.sym.load(FIX + "/" + f).tojson() for f in
            ["mlp_softmax-symbol.json", "conv_bn_relu-symbol.json", "legacy_v0_8-symbol.json"]]
@case
def composition():
    data = mx.sym.var("data")
    net1 = mx.sym.FullyConnected(data=data, name="fc1", num_hidden=10)
    net2 = mx.sym.FullyConnected(name="fc3", num_hidden=10)
    c = net2(fc3_data=net1, name="composed")
    x, y, z = mx.sym.var("x"), mx.sym.var("y"), mx.sym.var("z")
    b = x + (y + z)
    sp = mx.sym.split(x, num_outputs=3)
    g = mx.sym.Group([x, sp[0], sp])
    return [net2.list_arguments(), c.list_arguments(), c.name, c.tojson(),
            b.get_children().list_outputs(), b.get_children().get_children().list_outputs(),
            repr(g), g.list_outputs(), len(g), repr(sp), sp[1:].list_outputs(),
            mx.sym.FullyConnected(2 * x + mx.sym.sin(x), num_hidden=10).debug_str()]
@case
def partial_shapes():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    return [mx.sym.dot(a, b).infer_shape_partial(a=(2, 3)), (a + b).infer_shape_partial(a=(0, 3)),
            mx.sym.Concat(a, b, dim=1).infer_shape_partial(a=(2, 3), b=(2, 0)),
            mx.sym.broadcast_add(a, b).infer_shape_partial(a=(2, 1)),
            mx.sym.reshape(a, shape=(-1, 4)).infer_shape_partial(a=(0, 2, 4)),
            mx.sym.transpose(a).infer_shape_partial(a=(0, 5)),
            mx.sym.sum(a, axis=1).infer_shape_partial(a=(0, 5)),
            mx.sym.Pooling(a, kernel=(2, 2), stride=(2, 2)).infer_shape_partial(a=(0, 3, 8, 8))]
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def results():
    return run_with_both(SCRIPT, FIXTURES, timeout=300)


@pytest.mark.parametrize("case", ["mlp_all", "cnn_all", "hidden_outputs", "names", "outputs",
                                  "attributes", "dtypes", "files", "composition",
                                  "partial_shapes"])
def test_same_as_mxnet(results, case):
    mxnet, mxlite = results
    assert mxnet[case] != "error", "the case fails in MXNet itself"
    assert mxlite[case] == mxnet[case]
