"""Binary element-wise and broadcast operators against NumPy.

The oracles follow MXNet 1.9's legacy mx.nd semantics: the output keeps the
input dtype; integer division truncates toward zero and division or remainder
by zero gives 0; comparisons and logical ops give 1/0 in the input dtype;
float16 computes in float32 and rounds once.
"""
import numpy as np
import pytest

import mxlite as mx

FLOATS = [np.float32, np.float64, np.float16]
INTS = [np.uint8, np.int8, np.int32, np.int64]
NUMERIC = FLOATS + INTS


def _int_trunc_div(a, b):
    # Computed in int64 with an exact floor->trunc correction, then wrapped
    # back into the dtype (C truncating division; x / 0 is 0).
    a64, b64 = a.astype(np.int64), b.astype(np.int64)
    safe_b = np.where(b64 == 0, 1, b64)
    q = a64 // safe_b
    q = q + ((a64 % safe_b != 0) & ((a64 < 0) != (safe_b < 0)))
    return np.where(b64 == 0, 0, q).astype(a.dtype)


def _in_float32(fn):
    """float16 oracle: compute in float32, round to float16 once."""
    def oracle(a, b):
        if a.dtype == np.float16:
            return fn(a.astype(np.float32), b.astype(np.float32)).astype(np.float16)
        return fn(a, b)
    return oracle


def _div(a, b):
    if a.dtype.kind in "iu":
        return _int_trunc_div(a, b)
    return _in_float32(np.divide)(a, b)


def _mod(a, b):
    if a.dtype.kind in "iu":
        return np.where(b == 0, 0, np.mod(a, np.where(b == 0, 1, b))).astype(a.dtype)
    return _in_float32(np.mod)(a, b)


def _hypot(a, b):
    if a.dtype.kind in "iu":
        return np.trunc(np.hypot(a.astype(np.float64), b.astype(np.float64))).astype(a.dtype)
    return _in_float32(np.hypot)(a, b)


def _as_input_dtype(fn):
    return lambda a, b: fn(a, b).astype(a.dtype)


def _bool_or_numeric(numeric, boolean):
    return lambda a, b: boolean(a, b) if a.dtype == np.bool_ else numeric(a, b)


# name suffix -> (oracle, accepts bool)
OPS = {
    "add": (_bool_or_numeric(_in_float32(np.add), np.logical_or), True),
    "sub": (_in_float32(np.subtract), False),
    "mul": (_bool_or_numeric(_in_float32(np.multiply), np.logical_and), True),
    "div": (_div, False),
    "mod": (_mod, False),
    "power": (_in_float32(np.power), False),
    "maximum": (_bool_or_numeric(np.maximum, np.logical_or), True),
    "minimum": (_bool_or_numeric(np.minimum, np.logical_and), True),
    "hypot": (_hypot, False),
    "equal": (_as_input_dtype(np.equal), True),
    "not_equal": (_as_input_dtype(np.not_equal), True),
    "greater": (_as_input_dtype(np.greater), True),
    "greater_equal": (_as_input_dtype(np.greater_equal), True),
    "lesser": (_as_input_dtype(np.less), True),
    "lesser_equal": (_as_input_dtype(np.less_equal), True),
    "logical_and": (_as_input_dtype(np.logical_and), True),
    "logical_or": (_as_input_dtype(np.logical_or), True),
    "logical_xor": (_as_input_dtype(np.logical_xor), True),
}

SAME_SHAPE_NAME = {"add": "elemwise_add", "sub": "elemwise_sub", "mul": "elemwise_mul",
                   "div": "elemwise_div"}

BROADCAST_SHAPES = [
    ((2, 3), (2, 3)),
    ((2, 3), (3,)),
    ((2, 1), (1, 3)),
    ((4, 1, 5), (3, 1)),
    ((1,), (2, 2)),
    ((), (3,)),
    ((2, 3, 4), ()),
    ((), ()),
    ((0, 3), (3,)),
    ((0,), (1,)),
    ((3, 1, 2, 1), (1, 4, 1, 5)),
    ((5, 4, 3), (5, 1, 3)),
    ((2, 1, 3, 1), (2, 4, 3, 5)),
]


def same_shape_name(op):
    return SAME_SHAPE_NAME.get(op, "_" + op)


# Ops whose interesting cases need equal operands or zeros.
TIES = {"equal", "not_equal", "greater_equal", "lesser_equal", "logical_and", "logical_or",
        "logical_xor"}


def _data(rng, shape, dtype, op, role):
    """Random operands that exercise the interesting cases of each op."""
    return np.asarray(_raw_data(rng, shape, np.dtype(dtype), op, role)).astype(dtype)


def _raw_data(rng, shape, dtype, op, role):
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if op == "power":
        if dtype.kind in "iu":
            lo = 0 if dtype.kind == "u" or role == "rhs" else -3
            return rng.integers(lo, 4 if role == "lhs" else 6, shape).astype(dtype)
        if role == "lhs":
            return (rng.random(shape) * 3 + 0.1).astype(dtype)
        return (rng.random(shape) * 4 - 2).astype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if op in ("div", "mod") and role == "rhs":  # small divisors, zero included
            lo = 0 if dtype.kind == "u" else -4
            return rng.integers(lo, 5, shape).astype(dtype)
        if op == "hypot":
            lo = 0 if dtype.kind == "u" else -8
            return rng.integers(lo, 9, shape).astype(dtype)
        # Full range for 8-bit types (exercises wrapping), moderate otherwise.
        lo, hi = (info.min, info.max) if info.bits == 8 else (-1000, 1000)
        if op in TIES:
            lo, hi = (max(info.min, -2), 3)
        return rng.integers(lo, hi, shape, endpoint=True).astype(dtype)
    if op in TIES:
        return rng.integers(-1, 2, shape).astype(dtype)
    values = (rng.standard_normal(shape) * 4).astype(dtype)
    if op in ("div", "mod") and role == "rhs":
        values = np.where(np.abs(values) < 0.25, np.asarray(1.5, dtype), values).astype(dtype)
    return values


def _check(got, expected):
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if expected.dtype.kind == "f":
        rtol = {np.float16: 1e-3, np.float32: 1e-6, np.float64: 1e-13}[expected.dtype.type]
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=0, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, expected)


def _dtypes_for(op):
    return NUMERIC + ([np.bool_] if OPS[op][1] else [])


def _run(name, a, b, **kw):
    out = getattr(mx.nd, name)(mx.nd.array(a, dtype=a.dtype), mx.nd.array(b, dtype=b.dtype), **kw)
    return out.asnumpy()


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------

# Every (op, dtype) pair the op supports; bool rejection is tested separately.
OP_DTYPES = [pytest.param(op, d, id=f"{op}-{np.dtype(d).name}")
             for op in sorted(OPS) for d in _dtypes_for(op)]


@pytest.mark.parametrize("op,dtype", OP_DTYPES)
def test_same_shape_ops_all_dtypes(op, dtype, rng):
    a = _data(rng, (3, 17), dtype, op, "lhs")
    b = _data(rng, (3, 17), dtype, op, "rhs")
    with np.errstate(all="ignore"):
        expected = OPS[op][0](a, b)
    _check(_run(same_shape_name(op), a, b), expected)


@pytest.mark.parametrize("op,dtype", OP_DTYPES)
def test_broadcast_ops_all_dtypes(op, dtype, rng):
    a = _data(rng, (4, 1, 6), dtype, op, "lhs")
    b = _data(rng, (3, 1), dtype, op, "rhs")
    with np.errstate(all="ignore"):
        expected = OPS[op][0](a, b)
    _check(_run("broadcast_" + op, a, b), expected)


@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
def test_broadcast_shapes(op, shapes, rng):
    for dtype in (np.float32, np.int32):
        a = _data(rng, shapes[0], dtype, op, "lhs")
        b = _data(rng, shapes[1], dtype, op, "rhs")
        with np.errstate(all="ignore"):
            expected = OPS[op][0](a, b)
        _check(_run("broadcast_" + op, a, b), expected)


@pytest.mark.parametrize("shapes", [((1000, 700), (1000, 700)), ((1000, 700), (700,)),
                                    ((1000, 700), (1000, 1)), ((64, 1, 800), (1, 30, 800)),
                                    ((1 << 20,), ()), ((3, 1, 1 << 16), (3, 2, 1)),
                                    ((97, 1, 331), (1, 13, 331))], ids=str)
def test_large_arrays_use_the_parallel_path(shapes, rng):
    a = rng.standard_normal(shapes[0]).astype(np.float32)
    b = rng.standard_normal(shapes[1]).astype(np.float32)
    _check(_run("broadcast_sub", a, b), a - b)
    _check(_run("broadcast_maximum", a, b), np.maximum(a, b))
    if shapes[0] == shapes[1]:
        _check(_run("elemwise_mul", a, b), a * b)


def test_integer_edge_cases():
    a = np.array([7, -7, 7, -7, 5, 0], np.int32)
    b = np.array([2, 2, -2, -2, 0, 0], np.int32)
    np.testing.assert_array_equal(_run("elemwise_div", a, b), [3, -3, -3, 3, 0, 0])
    np.testing.assert_array_equal(_run("_mod", a, b), [1, 1, -1, -1, 0, 0])
    mn = np.iinfo(np.int64).min
    big = np.array([mn, mn], np.int64)
    np.testing.assert_array_equal(_run("broadcast_div", big, np.array([-1], np.int64)), [mn, mn])
    np.testing.assert_array_equal(_run("broadcast_mod", big, np.array([-1], np.int64)), [0, 0])
    # Negative integer exponents truncate 1/x**n toward zero.
    base = np.array([2, 1, -1, -1, 0], np.int32)
    exp = np.array([-1, -3, -3, -2, 2], np.int32)
    np.testing.assert_array_equal(_run("_power", base, exp), [0, 1, -1, 1, 0])
    # Wrap-around like NumPy.
    np.testing.assert_array_equal(
        _run("elemwise_add", np.array([250], np.uint8), np.array([10], np.uint8)), [4])


def test_float_special_values():
    nan, inf = np.nan, np.inf
    a = np.array([nan, 1, -inf, 0, 5.5, -5.5], np.float64)
    b = np.array([1, nan, 2, 0, -2, 0], np.float64)
    with np.errstate(all="ignore"):
        _check(_run("_maximum", a, b), np.maximum(a, b))
        _check(_run("_minimum", a, b), np.minimum(a, b))
        _check(_run("elemwise_div", a, b), a / b)
        _check(_run("_mod", a, b), np.mod(a, b))


# ---------------------------------------------------------------------------
# Names, aliases, operators on NDArray
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("alias,target", [
    ("_add", "elemwise_add"), ("_plus", "elemwise_add"), ("_Plus", "elemwise_add"),
    ("_sub", "elemwise_sub"), ("_minus", "elemwise_sub"), ("_Minus", "elemwise_sub"),
    ("_mul", "elemwise_mul"), ("_Mul", "elemwise_mul"), ("_div", "elemwise_div"),
    ("_Div", "elemwise_div"), ("_Mod", "_mod"), ("_Power", "_power"),
    ("_Maximum", "_maximum"), ("_Minimum", "_minimum"),
    ("broadcast_plus", "broadcast_add"), ("broadcast_minus", "broadcast_sub"),
])
def test_aliases(alias, target, rng):
    op = target.replace("elemwise_", "").lstrip("_").replace("broadcast_", "")
    shape_b = (3, 4) if target.startswith("_") or target.startswith("elemwise") else (4,)
    a = _data(rng, (3, 4), np.float32, op, "lhs")
    b = _data(rng, shape_b, np.float32, op, "rhs")
    np.testing.assert_array_equal(_run(alias, a, b), _run(target, a, b))


def test_ndarray_operators_and_in_place(rng):
    a_np = rng.standard_normal((3, 4)).astype(np.float32)
    b_np = rng.standard_normal((4,)).astype(np.float32)
    a, b = mx.nd.array(a_np), mx.nd.array(b_np)
    _check((a + b).asnumpy(), a_np + b_np)
    _check((a * b).asnumpy(), a_np * b_np)
    _check((a > b).asnumpy(), (a_np > b_np).astype(np.float32))
    alias = a
    a += b
    assert a is alias
    _check(a.asnumpy(), a_np + b_np)
    a -= b
    _check(a.asnumpy(), (a_np + b_np) - b_np)
    # The broadcast operand cannot be the destination: the shapes differ.
    c = mx.nd.array(b_np)
    with pytest.raises(mx.MXNetError):
        c += a
    # out= aliasing an input of a same-shape op.
    x, y = mx.nd.array(a_np), mx.nd.array(a_np * 2)
    mx.nd.elemwise_sub(x, y, out=y)
    _check(y.asnumpy(), a_np - a_np * 2)


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

def test_broadcast_shape_mismatch():
    a, b = mx.nd.ones((2, 3)), mx.nd.ones((4,))
    with pytest.raises(mx.MXNetError) as e:
        mx.nd.broadcast_add(a, b)
    assert isinstance(e.value, ValueError)
    assert "broadcast_add" in str(e.value) and "(2, 3)" in str(e.value) and "(4,)" in str(e.value)
    with pytest.raises(ValueError, match="broadcast_equal"):
        mx.nd.broadcast_equal(mx.nd.ones((2, 0)), mx.nd.ones((2, 3)))


@pytest.mark.parametrize("name", ["elemwise_add", "elemwise_div", "_mod", "_hypot", "_equal",
                                  "_logical_xor"])
def test_same_shape_ops_do_not_broadcast(name):
    with pytest.raises(ValueError, match=name):
        getattr(mx.nd, name)(mx.nd.ones((2, 3)), mx.nd.ones((3,)))
    with pytest.raises(ValueError, match=name):
        getattr(mx.nd, name)(mx.nd.ones((2, 3)), mx.nd.ones((3, 2)))


@pytest.mark.parametrize("name", ["broadcast_add", "elemwise_mul", "_greater", "broadcast_hypot"])
def test_dtype_mismatch_is_type_error(name):
    a = mx.nd.ones((2, 2), dtype="float32")
    b = mx.nd.ones((2, 2), dtype="int32")
    with pytest.raises(TypeError, match=name) as e:
        getattr(mx.nd, name)(a, b)
    assert isinstance(e.value, mx.MXNetError)
    assert "float32" in str(e.value) and "int32" in str(e.value)


@pytest.mark.parametrize("name", ["elemwise_sub", "broadcast_sub", "elemwise_div", "broadcast_div",
                                  "_mod", "broadcast_mod", "_power", "broadcast_power", "_hypot",
                                  "broadcast_hypot"])
def test_bool_rejected(name):
    a = mx.nd.array(np.array([True, False]), dtype=np.bool_)
    with pytest.raises(TypeError, match=name):
        getattr(mx.nd, name)(a, a)


# ---------------------------------------------------------------------------
# broadcast_to / broadcast_like / broadcast_axis
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", NUMERIC + [np.bool_], ids=lambda d: np.dtype(d).name)
def test_broadcast_to_dtypes(dtype, rng):
    src = _data(rng, (3, 1, 4), dtype, "add", "lhs")
    out = mx.nd.broadcast_to(mx.nd.array(src, dtype=dtype), shape=(2, 3, 5, 4))
    _check(out.asnumpy(), np.broadcast_to(src, (2, 3, 5, 4)))


@pytest.mark.parametrize("src_shape,target,expected", [
    ((1, 3), (2, 3), (2, 3)),
    ((2, 1), (0, 4), (2, 4)),
    ((1, 1, 1), (2, 0, 3), (2, 1, 3)),
    ((3,), (2, 3), (2, 3)),
    ((), (2, 2), (2, 2)),
    ((2, 3), (2, 3), (2, 3)),
    ((1, 3), (0, 3), (1, 3)),
    ((0, 1), (0, 5), (0, 5)),
], ids=str)
def test_broadcast_to_shapes(src_shape, target, expected, rng):
    src = rng.standard_normal(src_shape).astype(np.float32)
    out = mx.nd.broadcast_to(mx.nd.array(src), shape=target)
    _check(out.asnumpy(), np.broadcast_to(src, expected))


def test_broadcast_to_errors():
    with pytest.raises(ValueError, match=r"broadcast_to.*\(2, 3\)"):
        mx.nd.broadcast_to(mx.nd.ones((2, 3)), shape=(4, 3))
    with pytest.raises(ValueError, match="broadcast_to"):
        mx.nd.broadcast_to(mx.nd.ones((2, 3)), shape=(3,))
    with pytest.raises(ValueError, match="broadcast_to"):
        mx.nd.broadcast_to(mx.nd.ones((1,)), shape=(-1,))


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.int64, np.uint8, np.bool_],
                         ids=lambda d: np.dtype(d).name)
def test_broadcast_axis(dtype, rng):
    src = _data(rng, (1, 2, 1), dtype, "add", "lhs")
    x = mx.nd.array(src, dtype=dtype)
    _check(mx.nd.broadcast_axis(x, axis=(0, 2), size=(2, 3)).asnumpy(),
           np.broadcast_to(src, (2, 2, 3)))
    _check(mx.nd.broadcast_axes(x, axis=-1, size=4).asnumpy(), np.broadcast_to(src, (1, 2, 4)))
    _check(mx.nd.broadcast_axis(x).asnumpy(), src)
    _check(mx.nd.broadcast_axis(x, axis=0, size=0).asnumpy(), np.broadcast_to(src, (0, 2, 1)))


def test_broadcast_axis_errors():
    x = mx.nd.ones((2, 1))
    with pytest.raises(ValueError, match="broadcast_axis"):
        mx.nd.broadcast_axis(x, axis=0, size=3)  # extent 2, not 1
    with pytest.raises(IndexError, match="broadcast_axis"):
        mx.nd.broadcast_axis(x, axis=2, size=3)
    with pytest.raises(ValueError, match="broadcast_axis"):
        mx.nd.broadcast_axis(x, axis=(1,), size=(3, 4))


def test_broadcast_like(rng):
    src = rng.standard_normal((1, 4)).astype(np.float32)
    like = mx.nd.zeros((3, 4), dtype="int32")  # rhs lends only its shape
    _check(mx.nd.broadcast_like(mx.nd.array(src), like).asnumpy(), np.broadcast_to(src, (3, 4)))
    src2 = rng.standard_normal((1, 2, 1)).astype(np.float64)
    out = mx.nd.broadcast_like(mx.nd.array(src2, dtype=np.float64), mx.nd.zeros((5, 6, 7)),
                               lhs_axes=(0, 2), rhs_axes=(-1, 0))
    _check(out.asnumpy(), np.broadcast_to(src2, (7, 2, 5)))
    with pytest.raises(ValueError, match="broadcast_like"):
        mx.nd.broadcast_like(mx.nd.ones((2, 4)), mx.nd.ones((3, 4)))
    with pytest.raises(ValueError, match="broadcast_like"):
        mx.nd.broadcast_like(mx.nd.ones((1, 4)), mx.nd.ones((3, 4)), lhs_axes=(0,))
    with pytest.raises(IndexError, match="broadcast_like"):
        mx.nd.broadcast_like(mx.nd.ones((1, 4)), mx.nd.ones((3, 4)), lhs_axes=(5,), rhs_axes=(0,))
