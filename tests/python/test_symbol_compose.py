"""mx.sym composition: naming, lists, indexing, operators, attributes, copies.

Expected names and lists are MXNet 1.9's documented behaviour (symbol API
docstrings and nnvm's composition rules)."""
import copy
import json
import pickle

import pytest

import mxlite as mx

needs = pytest.mark.skipif


def _has(*ops):
    return all(hasattr(mx.sym, o) for o in ops)


def mlp():
    data = mx.sym.var("data")
    net = mx.sym.FullyConnected(data=data, name="fc1", num_hidden=128)
    net = mx.sym.Activation(data=net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(data=net, name="fc2", num_hidden=10)
    return mx.sym.SoftmaxOutput(data=net, name="softmax")


def nodes(sym):
    return json.loads(sym.tojson())["nodes"]


@needs(not _has("FullyConnected", "Activation", "SoftmaxOutput"), reason="needs the NN ops")
def test_mlp_lists():
    net = mlp()
    assert net.list_arguments() == ["data", "fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias",
                                    "softmax_label"]
    assert net.list_outputs() == ["softmax_output"]
    assert net.list_auxiliary_states() == []
    assert net.list_inputs() == net.list_arguments()
    assert net.name == "softmax"
    assert repr(net) == "<Symbol softmax>"
    internals = net.get_internals()
    assert internals.list_outputs() == [
        "data", "fc1_weight", "fc1_bias", "fc1_output", "relu1_output", "fc2_weight", "fc2_bias",
        "fc2_output", "softmax_label", "softmax_output"]
    fc1 = internals["fc1_output"]
    assert fc1.name == "fc1" and fc1.list_arguments() == ["data", "fc1_weight", "fc1_bias"]
    # MXNet copies an op's attributes onto the variables composition creates.
    assert internals["fc1_weight"].list_attr() == {"num_hidden": "128"}
    assert net.get_children().list_outputs() == ["fc2_output", "softmax_label"]
    assert mx.sym.var("x").get_children() is None


@needs(not _has("FullyConnected"), reason="needs FullyConnected")
def test_no_bias_and_keyword_inputs():
    x, w = mx.sym.var("x"), mx.sym.var("W")
    fc = mx.sym.FullyConnected(x, weight=w, num_hidden=4, no_bias=True, name="f")
    assert fc.list_arguments() == ["x", "W"]
    # Positional inputs bind to the op's inputs in order.
    fc = mx.sym.FullyConnected(x, w, num_hidden=4, name="g")
    assert fc.list_arguments() == ["x", "W", "g_bias"]
    with pytest.raises(KeyError, match="'wieght' is not an input"):
        mx.sym.FullyConnected(x, wieght=w, num_hidden=4)
    with pytest.raises(KeyError, match="unknown parameter 'num_hiden'"):
        mx.sym.FullyConnected(x, num_hiden=4)
    with pytest.raises(ValueError, match="required parameter 'num_hidden'"):
        mx.sym.FullyConnected(x)
    with pytest.raises(TypeError, match="must be a Symbol"):
        mx.sym.FullyConnected(x, 4)


def test_auto_names_count_per_op():
    with mx.name.NameManager():
        a = mx.sym.var("a")
        s1 = mx.sym.relu(a)
        s2 = mx.sym.relu(s1)
        s3 = mx.sym.sum(s2)
        assert [s1.name, s2.name, s3.name] == ["relu0", "relu1", "sum0"]
        # Scalar and symbol arithmetic use MXNet's legacy op names as hints.
        assert (a + 1).name == "_plusscalar0"
        assert (a + a).name == "_plus0"
        assert (a - 1).name == "_minusscalar0"
        assert (1 - a).name == "_rminusscalar0"
        assert (a * a).name == "_mul0"
        assert (-a).name == "_mulscalar0"
        assert (a / 2).name == "_divscalar0"
        assert (2 / a).name == "_rdivscalar0"
        assert (a ** 2).name == "_powerscalar0"
        assert (2 ** a).name == "_rpower_scalar0"
    with mx.name.NameManager():
        assert mx.sym.relu(a).name == "relu0"  # a fresh manager restarts the counters
    with mx.name.Prefix("net_"):
        p = mx.sym.relu(a, name="act")
        q = mx.sym.relu(p)
    assert p.name == "net_act" and q.name == "net_relu0"


def test_arithmetic_ops_are_elementwise_not_broadcast():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    expected = {"+": "elemwise_add", "-": "elemwise_sub", "*": "elemwise_mul", "/": "elemwise_div",
                "%": "_mod", "**": "_power", "==": "_equal", "!=": "_not_equal",
                ">": "_greater", ">=": "_greater_equal", "<": "_lesser", "<=": "_lesser_equal"}
    ops = {"+": a + b, "-": a - b, "*": a * b, "/": a / b, "%": a % b, "**": a ** b,
           "==": a == b, "!=": a != b, ">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}
    for k, s in ops.items():
        assert nodes(s)[-1]["op"] == expected[k], k
        assert s.list_arguments() == ["a", "b"]
    scalar = {"+": (a + 2, "_plus_scalar"), "r-": (3 - a, "_rminus_scalar"),
              "r/": (3 / a, "_rdiv_scalar"), "r%": (3 % a, "_rmod_scalar"),
              "==": (a == 2, "_equal_scalar"), "<": (a < 2, "_lesser_scalar"),
              "neg": (-a, "_mul_scalar")}
    for k, (s, op) in scalar.items():
        node = nodes(s)[-1]
        assert node["op"] == op, k
    assert nodes(a + 2)[-1]["attrs"] == {"scalar": "2"}
    assert nodes(a * 2.5)[-1]["attrs"] == {"scalar": "2.5"}
    assert nodes(-a)[-1]["attrs"] == {"scalar": "-1.0"}
    with pytest.raises(TypeError, match="not supported"):
        a + "x"
    with pytest.raises(NotImplementedError):
        bool(a)
    with pytest.raises(NotImplementedError):
        a += 1


def test_outputs_indexing_group_and_iteration():
    x = mx.sym.var("x")
    with mx.name.NameManager():
        parts = mx.sym.split(x, num_outputs=3, axis=1)
    assert len(parts) == 3
    assert parts.list_outputs() == ["split0_output0", "split0_output1", "split0_output2"]
    assert [p.list_outputs()[0] for p in parts] == parts.list_outputs()
    assert parts["split0_output2"].list_outputs() == ["split0_output2"]
    assert parts[-1].list_outputs() == ["split0_output2"]
    assert parts[1:].list_outputs() == ["split0_output1", "split0_output2"]
    assert repr(parts) == "<Symbol split0>"
    with pytest.raises(IndexError):
        parts[3]
    with pytest.raises(ValueError, match="Cannot find output"):
        parts["nope"]
    with pytest.raises(TypeError):
        parts[1.5]
    g = mx.sym.Group([x, parts[0]])
    assert g.name is None
    assert repr(g) == "<Symbol group [x, split0]>"
    assert g.list_outputs() == ["x", "split0_output0"]
    with pytest.raises(TypeError):
        mx.sym.Group([x, 1])
    with pytest.raises(TypeError):
        mx.sym.Group([])
    # A multi-output symbol is not a valid single input.
    with pytest.raises(ValueError, match="a group of 3 outputs"):
        mx.sym.relu(parts)
    cat = mx.sym.Concat(*parts, dim=1, name="cat")
    assert nodes(cat)[-1]["attrs"] == {"dim": "1", "num_args": "3"}
    assert cat.list_arguments() == ["x"]


def test_hidden_outputs_are_not_listed():
    x = mx.sym.var("x")
    if not _has("Dropout"):
        pytest.skip("needs Dropout")
    d = mx.sym.Dropout(x, p=0.5, name="drop")
    assert len(d) == 1 and d.list_outputs() == ["drop_output"]
    assert d.get_internals().list_outputs() == ["x", "drop_output"]
    assert json.loads(d.tojson())["node_row_ptr"] == [0, 1, 3]  # the mask exists in the graph


def test_variable_attributes():
    v = mx.sym.var("w", shape=(3, 4), lr_mult=2.0, wd_mult=0, dtype="float16", init='["zero", {}]',
                   __extra__="1", attr={"mood": "calm"})
    assert v.list_attr() == {"__shape__": "(3, 4)", "__lr_mult__": "2.0", "lr_mult": "2.0",
                             "__wd_mult__": "0", "wd_mult": "0", "__dtype__": "2",
                             "__init__": '["zero", {}]', "__extra__": "1", "mood": "calm"}
    assert v.attr("lr_mult") == "2.0" and v.attr("__lr_mult__") == "2.0"
    assert v.attr("nothing") is None
    assert mx.sym.Variable is mx.sym.var
    with pytest.raises(ValueError, match="must start and end with double underscores"):
        mx.sym.var("w", extra=1)
    with pytest.raises(TypeError):
        mx.sym.var(3)
    with pytest.raises(NotImplementedError):
        mx.sym.var("s", stype="csr")


class _Init:
    def dumps(self):
        return '["uniform", {"scale": 0.1}]'


def test_initializer_objects_and_attr_scope():
    assert mx.sym.var("w", init=_Init()).attr("__init__") == '["uniform", {"scale": 0.1}]'
    with mx.AttrScope(ctx_group="dev1", __group__="4"):
        v = mx.sym.var("v", attr={"__group__": "1"})
        r = mx.sym.relu(v, attr={"lr_mult": "0.5"})
        with mx.AttrScope(ctx_group="dev2"):
            inner = mx.sym.relu(v)
    outer = mx.sym.relu(v)
    assert v.attr("__group__") == "1" and v.attr("ctx_group") == "dev1"
    assert r.list_attr() == {"__ctx_group__": "dev1", "ctx_group": "dev1", "__group__": "4",
                             "__lr_mult__": "0.5", "lr_mult": "0.5"}
    assert inner.attr("ctx_group") == "dev2"
    assert outer.attr("ctx_group") is None
    assert r.attr_dict()["v"]["__group__"] == "1"
    with pytest.raises(ValueError, match="Attributes need to be string"):
        mx.AttrScope(group=4)
    with pytest.raises(ValueError, match="deprecated"):
        mx.sym.relu(v, attr={"data_lr_mult": "2"})
    with pytest.raises(DeprecationWarning):
        r.list_attr(recursive=True)


def test_set_attr_and_op_parameters():
    x = mx.sym.var("x")
    s = mx.sym.sum(x, axis=1, name="s")
    assert s.attr("axis") == "1"
    s._set_attr(axis="0", __note__="n")
    assert s.list_attr() == {"axis": "0", "__note__": "n"}
    assert s.infer_shape(x=(2, 3))[1] == [(3,)]
    with pytest.raises(ValueError):
        s._set_attr(axis="zero")  # rejected by the op's parser; the old value stays
    assert s.attr("axis") == "0"
    with pytest.raises(ValueError, match="string"):
        s._set_attr(axis=1)
    g = mx.sym.Group([x, s])
    with pytest.raises(ValueError, match="single head node"):
        g._set_attr(__a__="b")
    assert g.attr("name") is None


def test_attr_dict_lists_every_node():
    a = mx.sym.var("a", attr={"a1": "a2"})
    b = mx.sym.var("b", attr={"b1": "b2"})
    c = a + b
    assert c.attr_dict() == {"a": {"a1": "a2"}, "b": {"b1": "b2"}}
    d = mx.sym.sum(c, axis=0, keepdims=True, name="d")
    assert d.attr_dict() == {"a": {"a1": "a2"}, "b": {"b1": "b2"},
                             "d": {"axis": "0", "keepdims": "True"}}


def test_parameter_values_are_kept_as_mxnet_prints_them():
    x = mx.sym.var("x")
    attrs = nodes(mx.sym.reshape(x, shape=(2, -1)))[-1]["attrs"]
    assert attrs == {"shape": "(2, -1)"}
    attrs = nodes(mx.sym.transpose(x, axes=[1, 0]))[-1]["attrs"]
    assert attrs == {"axes": "[1, 0]"}  # str() of a list, as MXNet stores it
    attrs = nodes(mx.sym.Cast(x, dtype="float16"))[-1]["attrs"]
    assert attrs == {"dtype": "float16"}
    import numpy as np
    attrs = nodes(mx.sym.Cast(x, dtype=np.int32))[-1]["attrs"]
    assert attrs == {"dtype": "int32"}
    attrs = nodes(mx.sym.sum(x, axis=1, keepdims=True, exclude=False))[-1]["attrs"]
    assert attrs == {"axis": "1", "keepdims": "True", "exclude": "False"}


def test_fluent_methods_and_astype():
    x = mx.sym.var("x")
    assert nodes(x.sum(axis=1))[-1]["op"] == "sum"
    assert nodes(x.reshape((3, 2)))[-1]["attrs"] == {"shape": "(3, 2)"}
    assert nodes(x.astype("float64"))[-1]["op"] == "Cast"
    assert nodes(abs(x))[-1]["op"] == "abs"
    assert x.exp().infer_shape(x=(2,))[1] == [(2,)]


def test_compose_replaces_variables():
    data = mx.sym.var("data")
    net1 = mx.sym.relu(data, name="r1")
    net2 = mx.sym.sum(mx.sym.var("h"), axis=0, name="s")
    composed = net2(h=net1, name="composed")
    assert composed.name == "composed"
    assert composed.list_arguments() == ["data"]
    assert net2.list_arguments() == ["h"] and net2.name == "s"
    positional = net2(net1)
    assert positional.list_arguments() == ["data"]
    with pytest.raises(KeyError, match="'nope'"):
        net2(nope=net1)
    with pytest.raises(TypeError):
        net2(net1, h=net1)
    net2._compose(h=data)
    assert net2.list_arguments() == ["data"]


def test_copy_and_pickle():
    x = mx.sym.var("x", shape=(2, 2))
    y = mx.sym.relu(x, name="y") * 3
    for c in (copy.copy(y), copy.deepcopy(y), pickle.loads(pickle.dumps(y))):
        assert c.tojson() == y.tojson()
        assert c.handle != y.handle
    z = copy.deepcopy(y)
    z.get_internals()["x"]._set_attr(__shape__="(5, 5)")
    assert y.infer_shape()[0] == [(2, 2)]  # the copy's nodes are its own
    assert z.infer_shape()[0] == [(5, 5)]


def test_debug_str():
    a = mx.sym.var("a")
    s = mx.sym.sum(mx.sym.sin(a, name="sin0") * 2, axis=0, name="s")
    text = s.debug_str()
    assert "Symbol Outputs:\n\toutput[0]=s(0)\nVariable:a\n" in text
    assert "Op:_mul_scalar, Name=" in text and "\targ[0]=a(0) version=0" in text
    assert "Attrs:\n\taxis=0" in text
    assert a.debug_str() == "Variable:a\n"


def test_handles_are_released():
    from mxlite.base import ffi, lib
    n = ffi.new("int64_t*")
    lib.mxl_live_handles(n)
    before = n[0]
    for _ in range(20):
        s = mx.sym.relu(mx.sym.var("x")) + 1
        s.get_internals().list_outputs()
        del s
    lib.mxl_live_handles(n)
    assert n[0] == before
