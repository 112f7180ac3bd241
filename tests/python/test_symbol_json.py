"""Symbol JSON: MXNet 1.9's format, written and read, round trips, files in
the old format, and bad input.

The fixtures in fixtures/ were written by hand from the format description
(DESIGN.md section 9 and MXNet's documented layout); the tests check both that
they load with the right structure and that mx.sym builds byte-identical
files for the same networks."""
import json
import os

import numpy as np
import pytest

import mxlite as mx

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def fixture(name):
    return os.path.join(FIXTURES, name)


def read(name):
    with open(fixture(name)) as f:
        return f.read()


def _has(*ops):
    return all(hasattr(mx.sym, o) for o in ops)


needs_nn = pytest.mark.skipif(not _has("FullyConnected", "Activation", "SoftmaxOutput",
                                       "Convolution", "BatchNorm"), reason="needs the NN ops")


@needs_nn
def test_mlp_fixture():
    net = mx.sym.load(fixture("mlp_softmax-symbol.json"))
    assert net.list_arguments() == ["data", "fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias",
                                    "softmax_label"]
    assert net.list_outputs() == ["softmax_output"]
    assert net.get_internals()["fc2_weight"].attr("lr_mult") == "0.5"
    args, outs, _ = net.infer_shape(data=(32, 784))
    assert args == [(32, 784), (128, 784), (128,), (10, 128), (10,), (32,)]
    assert outs == [(32, 10)]
    assert net.tojson() == read("mlp_softmax-symbol.json").rstrip("\n")


@needs_nn
def test_mlp_fixture_is_what_mx_sym_builds():
    data = mx.sym.var("data")
    net = mx.sym.FullyConnected(data=data, name="fc1", num_hidden=128)
    net = mx.sym.Activation(data=net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(data=net, name="fc2", num_hidden=10)
    net = mx.sym.SoftmaxOutput(data=net, name="softmax")
    net.get_internals()["fc2_weight"]._set_attr(lr_mult="0.5")
    assert net.tojson() == read("mlp_softmax-symbol.json").rstrip("\n")


@needs_nn
def test_conv_bn_relu_fixture():
    text = read("conv_bn_relu-symbol.json")
    block = mx.sym.load_json(text)
    assert block.list_arguments() == ["data", "conv0_weight", "bn0_gamma", "bn0_beta"]
    assert block.list_auxiliary_states() == ["bn0_moving_mean", "bn0_moving_var"]
    assert block.list_outputs() == ["relu0_output"]
    args, outs, aux = block.infer_shape(data=(2, 3, 8, 8))
    assert args == [(2, 3, 8, 8), (16, 3, 3, 3), (16,), (16,)]
    assert aux == [(16,), (16,)] and outs == [(2, 16, 8, 8)]
    assert block.infer_type(data="float64")[2] == [np.float64, np.float64]
    assert block.tojson() == text.rstrip("\n")
    # The same block composed with mx.sym: MXNet's variable naming, attribute
    # copies, initializers of the moving statistics and entry versions.
    data = mx.sym.var("data")
    net = mx.sym.Convolution(data, kernel=(3, 3), no_bias=True, num_filter=16, pad=(1, 1),
                             stride=(1, 1), workspace=256, name="conv0")
    net = mx.sym.BatchNorm(net, eps=2e-05, fix_gamma=False, momentum=0.9, use_global_stats=False,
                           name="bn0")
    net = mx.sym.Activation(net, act_type="relu", name="relu0")
    assert net.tojson() == text.rstrip("\n")


@needs_nn
def test_legacy_v0_8_fixture():
    net = mx.sym.load(fixture("legacy_v0_8-symbol.json"))
    # Before 0.9 files left out auxiliary states; they are added on load.
    assert net.list_arguments() == ["data", "fc1_weight", "fc1_bias", "bn1_gamma", "bn1_beta"]
    assert net.list_auxiliary_states() == ["bn1_moving_mean", "bn1_moving_var"]
    assert net.list_outputs() == ["act1_output", "pred_output"]
    internals = net.get_internals()
    # Shorthand keys become __key__; "weight_lr_mult" moves to the weight.
    assert internals["data"].list_attr() == {"__ctx_group__": "stage1", "ctx_group": "stage1"}
    assert internals["fc1_weight"].attr("__lr_mult__") == "0.5"
    assert internals["fc1_bias"].attr("__wd_mult__") == "0"
    assert internals["fc1_output"].attr("ctx_group") == "stage1"
    assert internals["fc1_output"].attr("weight_lr_mult") is None
    assert internals["bn1_moving_mean"].attr("__init__") == '["zero", {}]'
    assert internals["bn1_moving_var"].attr("__init__") == '["one", {}]'
    # argmax's axis=-1 meant "all axes" before 0.9.5.
    assert internals["pred_output"].attr("axis") is None
    args, outs, aux = net.infer_shape(data=(4, 20))
    assert args == [(4, 20), (32, 20), (32,), (32,), (32,)] and aux == [(32,), (32,)]
    assert outs[0] == (4, 32)
    # Saved again in today's format, it reads back the same.
    doc = json.loads(net.tojson())
    assert doc["attrs"] == {"mxnet_version": ["int", 10901]}
    assert all("param" not in n and "attr" not in n for n in doc["nodes"])
    again = mx.sym.load_json(net.tojson())
    assert again.tojson() == net.tojson()
    assert again.list_auxiliary_states() == net.list_auxiliary_states()


def test_document_layout():
    x = mx.sym.var("x", shape=(2, 3))
    s = mx.sym.Group([mx.sym.sum(x, axis=1, name="s"), x])
    doc = json.loads(s.tojson())
    assert list(doc) == ["nodes", "arg_nodes", "node_row_ptr", "heads", "attrs"]
    assert doc["nodes"] == [
        {"op": "null", "name": "x", "attrs": {"__shape__": "(2, 3)"}, "inputs": []},
        {"op": "sum", "name": "s", "attrs": {"axis": "1"}, "inputs": [[0, 0, 0]]}]
    assert doc["arg_nodes"] == [0] and doc["node_row_ptr"] == [0, 1, 2]
    assert doc["heads"] == [[1, 0, 0], [0, 0, 0]]
    assert list(doc["nodes"][1]) == ["op", "name", "attrs", "inputs"]


def _random_graph(rng):
    x, y = mx.sym.var("x"), mx.sym.var("y", lr_mult=0.1)
    pool = [x, y]
    for i in range(12):
        a = pool[rng.integers(len(pool))]
        b = pool[rng.integers(len(pool))]
        k = rng.integers(6)
        if k == 0:
            s = a + b
        elif k == 1:
            s = a * float(rng.normal())
        elif k == 2:
            s = mx.sym.relu(a, name=f"r{i}")
        elif k == 3:
            s = mx.sym.Concat(a, b, dim=0)
        elif k == 4:
            s = mx.sym.split(mx.sym.Concat(a, b, dim=1), num_outputs=2, axis=1)[rng.integers(2)]
        else:
            s = mx.sym.sum(a, axis=0, keepdims=True)
        pool.append(s)
    return mx.sym.Group(pool[-3:])


@pytest.mark.parametrize("seed", range(5))
def test_round_trip(seed, tmp_path):
    s = _random_graph(np.random.default_rng(seed))
    text = s.tojson()
    back = mx.sym.load_json(text)
    assert back.tojson() == text
    for f in ("list_arguments", "list_outputs", "list_auxiliary_states", "list_inputs"):
        assert getattr(back, f)() == getattr(s, f)()
    assert back.attr_dict() == s.attr_dict()
    assert back.get_internals().list_outputs() == s.get_internals().list_outputs()
    path = str(tmp_path / "net-symbol.json")
    s.save(path)
    assert mx.sym.load(path).tojson() == text
    assert mx.sym.fromjson(text).tojson() == text


def test_round_trip_keeps_shapes():
    x = mx.sym.var("x")
    s = mx.sym.Concat(mx.sym.relu(x), x * 2, dim=1)
    back = mx.sym.load_json(s.tojson())
    assert back.infer_shape(x=(2, 3)) == s.infer_shape(x=(2, 3)) == ([(2, 3)], [(2, 6)], [])


def _doc(nodes, heads, **extra):
    d = {"nodes": nodes, "arg_nodes": [], "heads": heads}
    d.update(extra)
    return json.dumps(d)


VAR = {"op": "null", "name": "x", "inputs": []}


def test_bad_documents_give_clear_errors(tmp_path):
    with pytest.raises(KeyError, match="node 1 \\('f'\\) uses the unknown operator 'NoSuchOp'"):
        mx.sym.load_json(_doc([VAR, {"op": "NoSuchOp", "name": "f", "inputs": [[0, 0, 0]]}],
                              [[1, 0, 0]]))
    with pytest.raises(ValueError, match="malformed"):
        mx.sym.load_json('{"nodes": [')
    with pytest.raises(ValueError, match="malformed"):
        mx.sym.load_json("")
    with pytest.raises(ValueError, match='"heads" must be a list'):
        mx.sym.load_json(json.dumps({"nodes": [VAR]}))
    with pytest.raises(ValueError, match="no outputs"):
        mx.sym.load_json(_doc([VAR], []))
    with pytest.raises(ValueError, match="takes 1 inputs, but 2 are listed"):
        mx.sym.load_json(_doc([VAR, {"op": "relu", "name": "r", "inputs": [[0, 0, 0], [0, 0, 0]]}],
                              [[1, 0, 0]], attrs={"mxnet_version": ["int", 10901]}))
    with pytest.raises(ValueError, match="refers to node 5, but there are only 2 nodes"):
        mx.sym.load_json(_doc([VAR, {"op": "relu", "name": "r", "inputs": [[5, 0, 0]]}],
                              [[1, 0, 0]]))
    with pytest.raises(ValueError, match="cannot have inputs"):
        mx.sym.load_json(_doc([VAR, {"op": "null", "name": "v", "inputs": [[0, 0, 0]]}],
                              [[1, 0, 0]]))
    with pytest.raises(ValueError, match="reads output 1 of 'x'"):
        mx.sym.load_json(_doc([VAR], [[0, 1, 0]]))
    with pytest.raises(ValueError, match="Error in operator s:.*'axis'"):
        mx.sym.load_json(_doc([VAR, {"op": "sum", "name": "s", "attrs": {"axis": "one"},
                                     "inputs": [[0, 0, 0]]}], [[1, 0, 0]]))
    with pytest.raises(KeyError, match="Error in operator s:.*unknown parameter 'axes'"):
        mx.sym.load_json(_doc([VAR, {"op": "sum", "name": "s", "attrs": {"axes": "1"},
                                     "inputs": [[0, 0, 0]]}], [[1, 0, 0]]))
    with pytest.raises(ValueError, match='"name" must be a string'):
        mx.sym.load_json(_doc([{"op": "null", "inputs": []}], [[0, 0, 0]]))
    with pytest.raises(NotImplementedError, match="subgraphs"):
        mx.sym.load_json(_doc([VAR, {"op": "relu", "name": "r", "inputs": [[0, 0, 0]],
                                     "subgraphs": [{"nodes": []}]}], [[1, 0, 0]]))
    with pytest.raises(ValueError, match="cannot open"):
        mx.sym.load(str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    with pytest.raises(ValueError, match="bad.json"):
        mx.sym.load(str(bad))
    with pytest.raises(TypeError):
        mx.sym.load_json(b"{}")


def test_shape_attribute_conflict_in_a_loaded_file():
    doc = _doc([{"op": "null", "name": "a", "attrs": {"__shape__": "(2, 3)"}, "inputs": []},
                {"op": "null", "name": "b", "attrs": {"__shape__": "(3, 2)"}, "inputs": []},
                {"op": "elemwise_add", "name": "add", "inputs": [[0, 0, 0], [1, 0, 0]]}],
               [[2, 0, 0]])
    s = mx.sym.load_json(doc)
    with pytest.raises(mx.MXNetError, match="Error in operator add"):
        s.infer_shape()
    with pytest.raises(mx.MXNetError, match="__shape__"):
        mx.sym.load_json(_doc([{"op": "null", "name": "a", "attrs": {"__shape__": "2 x 3"},
                                "inputs": []}], [[0, 0, 0]])).infer_shape()


def test_entries_without_version_and_attribute_merging():
    # [node, index] entries and "attr"/"param" keys of pre-1.0 files.
    s = mx.sym.load_json(_doc([{"op": "null", "name": "x", "inputs": [], "attr": {"__a__": "1"}},
                               {"op": "sum", "name": "s", "param": {"axis": "0"},
                                "attr": {"__b__": "2"}, "inputs": [[0, 0]]}], [[1, 0]]))
    assert s.attr_dict() == {"x": {"__a__": "1"}, "s": {"__b__": "2", "axis": "0"}}
    assert s.infer_shape(x=(4, 5))[1] == [(5,)]
