"""The registry JSON document and the generated Python wrappers."""
import inspect
import json

import mxlite as mx
from mxlite.base import copy_string, lib

REQUIRED_OPS = """abs sign negative sqrt rsqrt square exp log log1p expm1 sin cos tan arcsin arccos
arctan sinh cosh tanh sigmoid relu softsign floor ceil round trunc erf
elemwise_add elemwise_sub elemwise_mul elemwise_div broadcast_add broadcast_sub broadcast_mul
broadcast_div broadcast_mod broadcast_power broadcast_maximum broadcast_minimum broadcast_equal
broadcast_not_equal broadcast_greater broadcast_greater_equal broadcast_lesser broadcast_lesser_equal
broadcast_logical_and broadcast_logical_or broadcast_logical_xor
_plus_scalar _minus_scalar _rminus_scalar _mul_scalar _div_scalar _rdiv_scalar _power_scalar
_rpower_scalar _mod_scalar _equal_scalar _greater_scalar _lesser_scalar
sum mean prod max min argmax argmin norm dot batch_dot transpose Reshape expand_dims squeeze Flatten
slice slice_axis Concat stack split SliceChannel tile repeat flip clip where take one_hot Cast
_zeros _ones _full _arange zeros_like ones_like _random_uniform _random_normal""".split()


def doc():
    return json.loads(copy_string(lib.mxl_registry_json))


def test_document_schema():
    d = doc()
    assert d["schema_version"] == 1
    assert d["library_version"] == lib.mxl_version()
    names = {op["name"] for op in d["ops"]}
    aliases = {a for op in d["ops"] for a in op["aliases"]}
    missing = [n for n in REQUIRED_OPS if n not in names | aliases]
    assert not missing, f"ops missing from the registry: {missing}"
    types = {"int", "float", "bool", "str", "shape", "dtype", "enum"}
    for op in d["ops"]:
        assert set(op) >= {"name", "aliases", "doc", "inputs", "outputs", "params",
                           "differentiable", "variadic_inputs"}
        assert op["doc"], f"{op['name']} has no doc"
        for p in op["params"]:
            base = p["type"][9:-1] if p["type"].startswith("optional<") else p["type"]
            assert base in types, (op["name"], p)
            assert (p["values"] is not None) == (base == "enum")


def test_differentiable_and_mutate_inputs_fields():
    for op in doc()["ops"]:
        assert isinstance(op["differentiable"], bool), op["name"]
        assert all(0 <= i for i in op["mutate_inputs"]), op["name"]


def test_op_count_and_names_agree():
    n = mx.base.ffi.new("int32_t*")
    mx.base.check_call(lib.mxl_op_count(n))
    d = doc()
    assert n[0] == len(d["ops"])
    assert copy_string(lib.mxl_op_name, 0) == d["ops"][0]["name"]


def test_sum_schema_matches_mxnet():
    sum_op = next(op for op in doc()["ops"] if op["name"] == "sum")
    params = {p["name"]: p for p in sum_op["params"]}
    assert params["axis"]["type"] == "optional<shape>" and params["axis"]["default"] is None
    assert params["keepdims"]["type"] == "bool" and params["keepdims"]["default"] is False
    assert params["exclude"]["default"] is False


def test_generated_signature_and_docstring():
    sig = inspect.signature(mx.nd.sum)
    assert list(sig.parameters)[:4] == ["data", "axis", "keepdims", "exclude"]
    assert sig.parameters["keepdims"].default is False
    assert "keepdims" in mx.nd.sum.__doc__ and "Parameters" in mx.nd.sum.__doc__
    assert list(inspect.signature(mx.nd.broadcast_add).parameters)[:2] == ["lhs", "rhs"]
    # every op reaches Python
    for op in doc()["ops"]:
        assert hasattr(mx.nd.op, op["name"]) or not op["name"].isidentifier()


def test_aliases_call_the_same_op():
    a = mx.nd.array([[1.0, 2.0], [3.0, 4.0]])
    assert (mx.nd.SliceChannel(a, num_outputs=2)[0].asnumpy() ==
            mx.nd.split(a, num_outputs=2)[0].asnumpy()).all()
    assert (mx.nd.reshape(a, shape=(4,)).asnumpy() == mx.nd.Reshape(a, shape=(4,)).asnumpy()).all()
