"""Reductions (sum, mean, prod, max, min, nansum, nanprod, argmax, argmin, norm) and Cast,
checked against NumPy.

MXNet 1.x legacy semantics are spelled out in the helpers: the result keeps the input
dtype, a reduction over every axis has shape (1,) (never 0-d), exclude=True reduces the
axes *not* listed, and integer sums wrap in the input dtype.
"""
import itertools

import numpy as np
import pytest

import mxlite as mx

FLOATS = ["float32", "float64", "float16"]
INTS = ["int32", "int64", "uint8", "int8"]
DTYPES = FLOATS + INTS
RTOL = {"float16": 2e-3, "float32": 1e-5, "float64": 1e-12}


def sample(rng, shape, dtype, low=-5, high=5):
    if np.dtype(dtype).kind == "f":
        return rng.uniform(low, high, size=shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(low * 20, info.min), min(high * 20, info.max), size=shape,
                        endpoint=True).astype(dtype)


def reduced_axes(ndim, axis, exclude):
    """The axes an MXNet reduction folds, and whether it is a full reduction."""
    if axis is None or axis == ():
        return tuple(range(ndim)), True
    listed = {a % ndim for a in ((axis,) if isinstance(axis, int) else axis)}
    if exclude:
        return tuple(d for d in range(ndim) if d not in listed), False
    return tuple(sorted(listed)), False


def mx_shape(shape, axes, keepdims, full):
    if full:
        return (1,) * len(shape) if keepdims else (1,)
    if keepdims:
        return tuple(1 if d in axes else n for d, n in enumerate(shape))
    out = tuple(n for d, n in enumerate(shape) if d not in axes)
    return out if out else (1,)


def oracle(op, x, axes):
    """NumPy's answer for `op` over `axes` (keepdims=True), in the input dtype."""
    dt = x.dtype
    count = int(np.prod([x.shape[a] for a in axes])) if axes else 1
    if dt.kind == "f":
        w = x.astype(np.float64)
        fn = {"sum": np.sum, "mean": np.mean, "prod": np.prod, "max": np.max, "min": np.min,
              "nansum": np.nansum, "nanprod": np.nanprod}[op]
        return fn(w, axis=axes, keepdims=True).astype(dt)
    w = x.astype(np.int64)  # wraps modulo 2**64 like the core's accumulator
    if op in ("sum", "nansum"):
        return np.sum(w, axis=axes, keepdims=True).astype(dt)
    if op in ("prod", "nanprod"):
        return np.prod(w, axis=axes, keepdims=True).astype(dt)
    if op == "mean":
        s = np.sum(w, axis=axes, keepdims=True)
        return (np.sign(s) * (np.abs(s) // count)).astype(dt)  # truncating division
    return (np.max if op == "max" else np.min)(w, axis=axes, keepdims=True).astype(dt)


def check_reduce(op, x, axis=None, keepdims=False, exclude=False):
    kwargs = {"keepdims": keepdims, "exclude": exclude}
    if axis is not None:
        kwargs["axis"] = axis
    got = getattr(mx.nd, op)(mx.nd.array(x, dtype=x.dtype), **kwargs)
    axes, full = reduced_axes(x.ndim, axis, exclude)
    expect = oracle(op, x, axes).reshape(mx_shape(x.shape, axes, keepdims, full))
    assert got.shape == expect.shape, (op, x.shape, axis, keepdims, exclude)
    assert got.dtype == x.dtype
    g = got.asnumpy()
    if x.dtype.kind == "f":
        tol = RTOL[x.dtype.name] * (50 if op in ("prod", "nanprod") else 1)
        # A sum's rounding error scales with the sum of magnitudes, not with the result.
        scale = 1.0
        if op in ("sum", "mean", "nansum") and axes and x.size:
            scale = max(1.0, float(np.max(np.nansum(np.abs(x.astype(np.float64)), axis=axes))))
            scale /= (int(np.prod([x.shape[a] for a in axes])) if op == "mean" else 1)
        np.testing.assert_allclose(g.astype(np.float64), expect.astype(np.float64), rtol=tol,
                                   atol=tol * scale, err_msg=f"{op} axis={axis} exclude={exclude}")
    else:
        np.testing.assert_array_equal(g, expect, err_msg=f"{op} axis={axis} exclude={exclude}")


AXES_3D = [None, (), 0, 1, 2, -1, -3, (0, 1), (0, 2), (1, 2), (2, 0), (0, 1, 2), (-1, 0)]
SUM_FAMILY = ["sum", "mean", "prod", "max", "min", "nansum", "nanprod"]


@pytest.mark.parametrize("op", SUM_FAMILY)
@pytest.mark.parametrize("dtype", DTYPES)
def test_axis_keepdims_exclude_combinations(rng, op, dtype):
    low, high = (-3, 3) if op in ("prod", "nanprod") else (-5, 5)
    x = sample(rng, (3, 4, 5), dtype, low, high)
    if op in ("prod", "nanprod") and np.dtype(dtype).kind == "f":
        x = (1 + x / 30).astype(dtype)  # keep products well inside float16's range
    for axis, keepdims, exclude in itertools.product(AXES_3D, [False, True], [False, True]):
        check_reduce(op, x, axis, keepdims, exclude)


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min", "prod"])
@pytest.mark.parametrize("shape,axis", [
    ((7,), 0), ((1, 1, 5), 2), ((4, 1, 3), 1), ((2, 1, 3, 1), (1, 3)),
    ((300, 70), 0), ((70, 300), 1), ((5, 600, 3), 1), ((5, 600, 3), (0, 2)),
    ((2, 3, 4, 5), (0, 2)), ((2, 3, 4, 5), (1, 3)), ((100000, 3), 0), ((3, 100000), 1),
])
def test_shapes_and_parallel_paths(rng, op, shape, axis):
    for dtype in ["float32", "float64", "int32"]:
        lo, hi = (-1, 1) if op == "prod" else (-5, 5)
        x = sample(rng, shape, dtype, lo, hi)
        if op == "prod":
            x = (1 + sample(rng, shape, "float64", -1, 1) / 3000).astype(dtype) if dtype != "int32" \
                else rng.choice(np.array([-1, 1], dtype), size=shape)
        check_reduce(op, x, axis)
        check_reduce(op, x, axis, keepdims=True)


def test_long_float32_sum_is_accurate():
    n = 10_000_019
    x = np.full(n, 0.1, dtype=np.float32)
    got = mx.nd.sum(mx.nd.array(x)).asnumpy()[0]
    expect = np.float64(np.float32(0.1)) * n
    assert abs(got - expect) / expect < 1e-6
    y = np.random.default_rng(0).random(n, dtype=np.float32)
    got = mx.nd.sum(mx.nd.array(y)).asnumpy()[0]
    expect = y.astype(np.float64).sum()
    assert abs(got - expect) / expect < 1e-6
    assert abs(mx.nd.mean(mx.nd.array(y)).asnumpy()[0] - y.astype(np.float64).mean()) < 1e-6


def test_float16_sum_accumulates_in_float():
    x = np.ones(4096, np.float16)
    assert mx.nd.sum(mx.nd.array(x, dtype="float16")).asnumpy()[0] == 4096


def test_integer_wrap_and_truncating_mean():
    assert mx.nd.sum(mx.nd.array([100, 100], dtype="int8")).asnumpy()[0] == -56
    assert mx.nd.sum(mx.nd.array([200, 100], dtype="uint8")).asnumpy()[0] == 44
    assert mx.nd.mean(mx.nd.array([1, 2], dtype="int32")).asnumpy()[0] == 1
    assert mx.nd.mean(mx.nd.array([-3, -4], dtype="int32")).asnumpy()[0] == -3
    assert mx.nd.mean(mx.nd.array([100, 100], dtype="int8")).asnumpy()[0] == 100


@pytest.mark.parametrize("dtype", FLOATS)
def test_nan_propagation_and_nan_ops(dtype):
    x = np.array([[1, np.nan, 3], [4, 5, 6]], dtype=dtype)
    a = mx.nd.array(x, dtype=dtype)
    for op in ["max", "min", "sum", "prod", "mean"]:
        for axis in [0, 1, None]:
            got = getattr(mx.nd, op)(a, axis=axis).asnumpy()
            expect = np.asarray(getattr(np, op)(x.astype(np.float64), axis=axis)).reshape(got.shape)
            np.testing.assert_allclose(got, expect.astype(dtype), rtol=RTOL[dtype])
    np.testing.assert_allclose(mx.nd.nansum(a, axis=1).asnumpy(), np.nansum(x, axis=1))
    np.testing.assert_allclose(mx.nd.nanprod(a, axis=0).asnumpy(), np.nanprod(x, axis=0))
    big = np.ones(1000, dtype)
    big[777] = np.nan
    assert np.isnan(mx.nd.max(mx.nd.array(big, dtype=dtype)).asnumpy()[0])


def test_empty_inputs():
    e = mx.nd.array(np.zeros((0, 3), np.float32))
    np.testing.assert_array_equal(mx.nd.sum(e, axis=0).asnumpy(), np.zeros(3, np.float32))
    np.testing.assert_array_equal(mx.nd.prod(e, axis=0).asnumpy(), np.ones(3, np.float32))
    assert mx.nd.sum(e, axis=1).shape == (0,)
    assert mx.nd.max(e, axis=1).shape == (0,)
    assert mx.nd.sum(e, axis=1, keepdims=True).shape == (0, 1)
    assert np.isnan(mx.nd.mean(e).asnumpy()[0])
    assert mx.nd.sum(e).asnumpy()[0] == 0
    with pytest.raises(ValueError, match="max"):
        mx.nd.max(e, axis=0)
    with pytest.raises(mx.MXNetError, match="min"):
        mx.nd.min(e)


def test_zero_dim_input():
    z = mx.nd.array(np.float32(2.5))
    assert z.shape == ()
    for op in ["sum", "mean", "prod", "max", "min", "nansum"]:
        got = getattr(mx.nd, op)(z)
        assert got.shape == (1,)
        assert got.asnumpy()[0] == 2.5
        assert getattr(mx.nd, op)(z, keepdims=True).shape == ()
    assert mx.nd.norm(z).asnumpy()[0] == 2.5
    assert mx.nd.argmax(z).asnumpy()[0] == 0


def test_aliases_and_fluent_methods(rng):
    x = rng.random((3, 4)).astype(np.float32)
    a = mx.nd.array(x)
    np.testing.assert_allclose(mx.nd.sum_axis(a, axis=1).asnumpy(), x.sum(axis=1), rtol=1e-6)
    np.testing.assert_allclose(mx.nd.max_axis(a, axis=0).asnumpy(), x.max(axis=0))
    np.testing.assert_allclose(mx.nd.min_axis(a, axis=0).asnumpy(), x.min(axis=0))


def test_reduce_errors():
    a = mx.nd.ones((2, 3))
    for op in SUM_FAMILY:
        with pytest.raises(IndexError, match=f"Operator {op}.*'axis'"):
            getattr(mx.nd, op)(a, axis=2)
        with pytest.raises(mx.MXNetError, match=op):
            getattr(mx.nd, op)(a, axis=-3)
        with pytest.raises(ValueError, match=f"{op}.*more than once"):
            getattr(mx.nd, op)(a, axis=(1, -1))
        with pytest.raises(TypeError, match=op):
            getattr(mx.nd, op)(mx.nd.array([True, False], dtype=bool))
    with pytest.raises(KeyError, match="sum"):
        mx.nd.sum(a, axes=1)
    with pytest.raises(IndexError, match="sum"):
        mx.nd.sum(mx.nd.array(np.float32(1)), axis=0)


# ---------------------------------------------------------------------------
# argmax / argmin
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("op", ["argmax", "argmin"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_arg_ops(rng, op, dtype):
    # Few distinct values, so ties (first occurrence wins) are common.
    x = rng.integers(-3, 4, size=(4, 5, 6)).astype(np.int64)
    x = (x - x.min()).astype(dtype) if dtype == "uint8" else x.astype(dtype)
    a = mx.nd.array(x, dtype=dtype)
    fn = getattr(np, op)
    for axis in [None, 0, 1, 2, -1, -2]:
        for keepdims in [False, True]:
            kwargs = {"keepdims": keepdims} if axis is None else {"axis": axis, "keepdims": keepdims}
            got = getattr(mx.nd, op)(a, **kwargs)
            assert got.dtype == np.dtype(dtype)
            if axis is None:
                expect = np.array(fn(x)).reshape((1,) * x.ndim if keepdims else (1,))
            else:
                expect = fn(x, axis=axis)
                if keepdims:
                    expect = np.expand_dims(expect, axis)
            assert got.shape == expect.shape
            np.testing.assert_array_equal(got.asnumpy(), expect.astype(dtype))


@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_arg_ops_large_and_nan(rng, op):
    x = rng.random(1 << 20).astype(np.float32)
    np.testing.assert_array_equal(getattr(mx.nd, op)(mx.nd.array(x)).asnumpy(),
                                  [getattr(np, op)(x)])
    y = rng.random((3, 50, 700))
    for axis in [0, 1, 2]:
        np.testing.assert_array_equal(getattr(mx.nd, op)(mx.nd.array(y, dtype="float64"),
                                                         axis=axis).asnumpy(),
                                      getattr(np, op)(y, axis=axis))
    z = np.array([[1, np.nan, 3, np.nan], [0, 2, 9, 1]], np.float32)
    np.testing.assert_array_equal(getattr(mx.nd, op)(mx.nd.array(z), axis=1).asnumpy(),
                                  getattr(np, op)(z, axis=1))


def test_arg_errors():
    a = mx.nd.ones((2, 3))
    with pytest.raises(IndexError, match="argmax"):
        mx.nd.argmax(a, axis=2)
    with pytest.raises(ValueError, match="argmin.*empty"):
        mx.nd.argmin(mx.nd.array(np.zeros((2, 0), np.float32)), axis=1)
    with pytest.raises(TypeError, match="argmax"):
        mx.nd.argmax(mx.nd.array([True], dtype=bool))


# ---------------------------------------------------------------------------
# norm
# ---------------------------------------------------------------------------

def norm_oracle(x, ord, axes):
    w = x.astype(np.float64)
    if ord == 1:
        return np.sum(np.abs(w), axis=axes, keepdims=True)
    return np.sqrt(np.sum(w * w, axis=axes, keepdims=True))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ord", [1, 2])
def test_norm(rng, dtype, ord):
    if np.dtype(dtype).kind == "f":
        x = sample(rng, (3, 4, 5), dtype, -3, 3)
    else:  # small enough that every norm fits in int8
        x = rng.integers(0 if dtype == "uint8" else -2, 3, size=(3, 4, 5)).astype(dtype)
    a = mx.nd.array(x, dtype=dtype)
    for axis in [None, 0, 2, -1, (0, 1), (1, 2), (0, 1, 2)]:
        for keepdims in [False, True]:
            kwargs = {"ord": ord, "keepdims": keepdims}
            if axis is not None:
                kwargs["axis"] = axis
            got = mx.nd.norm(a, **kwargs)
            axes, full = reduced_axes(x.ndim, axis, False)
            expect = norm_oracle(x, ord, axes).reshape(mx_shape(x.shape, axes, keepdims, full))
            assert got.shape == expect.shape and got.dtype == np.dtype(dtype)
            if np.dtype(dtype).kind == "f":
                np.testing.assert_allclose(got.asnumpy(), expect, rtol=RTOL[dtype] * 2)
            else:
                np.testing.assert_array_equal(got.asnumpy(), np.trunc(expect).astype(dtype))


def test_norm_out_dtype_and_overflow():
    x = np.array([[3, -4], [0, 5]], np.float32)
    got = mx.nd.norm(mx.nd.array(x), out_dtype="float64")
    assert got.dtype == np.float64
    np.testing.assert_allclose(got.asnumpy(), [np.sqrt(50)], rtol=1e-7)
    h = mx.nd.norm(mx.nd.array(np.array([300, 400], np.float16), dtype="float16"))
    assert h.asnumpy()[0] == 500  # 300**2 alone overflows float16
    f = mx.nd.norm(mx.nd.array(np.array([3e30, 4e30], np.float32)))
    np.testing.assert_allclose(f.asnumpy(), [5e30], rtol=1e-6)
    d = mx.nd.norm(mx.nd.array(np.array([3e200, 4e200]), dtype="float64"))
    np.testing.assert_allclose(d.asnumpy(), [5e200], rtol=1e-12)
    d = mx.nd.norm(mx.nd.array(np.array([3e-200, 4e-200]), dtype="float64"))
    np.testing.assert_allclose(d.asnumpy(), [5e-200], rtol=1e-12)
    big = np.random.default_rng(3).random(3_000_001).astype(np.float32)
    np.testing.assert_allclose(mx.nd.norm(mx.nd.array(big)).asnumpy(),
                               [np.linalg.norm(big.astype(np.float64))], rtol=1e-6)


def test_norm_errors():
    a = mx.nd.ones((2, 3))
    with pytest.raises(ValueError, match="norm.*'ord'"):
        mx.nd.norm(a, ord=3)
    with pytest.raises(IndexError, match="norm"):
        mx.nd.norm(a, axis=4)
    with pytest.raises(TypeError, match="norm"):
        mx.nd.norm(mx.nd.array([True], dtype=bool))


# ---------------------------------------------------------------------------
# Cast
# ---------------------------------------------------------------------------

ALL_DTYPES = DTYPES + ["bool"]


@pytest.mark.parametrize("src", ALL_DTYPES)
@pytest.mark.parametrize("dst", ALL_DTYPES)
def test_cast_matches_astype(rng, src, dst):
    if src == "bool":
        x = rng.random((3, 7)) > 0.5
    elif np.dtype(src).kind == "f":
        # In range for every target (NumPy's result is undefined outside).
        lo, hi = (0, 127) if dst in ("uint8", "int8") else (-100, 100)
        lo = 0 if dst == "uint8" else lo
        x = rng.uniform(lo, hi, size=(3, 7)).astype(src)
        x[0, :3] = [0.0, -0.0, 2.5] if dst != "uint8" else [0.0, 1.5, 2.5]
    else:
        x = sample(rng, (3, 7), src)
    got = mx.nd.Cast(mx.nd.array(x, dtype=src), dtype=dst)
    assert got.dtype == np.dtype(dst)
    assert got.shape == x.shape
    np.testing.assert_array_equal(got.asnumpy(), x.astype(dst))


def test_cast_edge_cases():
    x = np.array([1.7, -1.7, 300.0, -1.0], np.float32)
    np.testing.assert_array_equal(mx.nd.Cast(mx.nd.array(x), dtype="int32").asnumpy(),
                                  [1, -1, 300, -1])
    # 8-bit targets keep the low bits, as NumPy does on x86.
    np.testing.assert_array_equal(mx.nd.cast(mx.nd.array(x), dtype="uint8").asnumpy(),
                                  x.astype(np.int64).astype(np.uint8))
    np.testing.assert_array_equal(mx.nd.Cast(mx.nd.array([np.nan, 0.0]), dtype="bool").asnumpy(),
                                  [True, False])
    # float16 rounding: ties to even, overflow to inf, and float64 -> float16 rounded once.
    y = np.array([2049.0, 2051.0, 65520.0, 1 + 2.0 ** -11 + 2.0 ** -40, 1e-8], np.float64)
    with np.errstate(over="ignore"):
        expect = y.astype(np.float16)
    np.testing.assert_array_equal(mx.nd.Cast(mx.nd.array(y, dtype="float64"),
                                             dtype="float16").asnumpy(), expect)
    z = np.random.default_rng(5).standard_normal(100_003).astype(np.float32) * 1000
    h = mx.nd.Cast(mx.nd.array(z), dtype="float16")
    np.testing.assert_array_equal(h.asnumpy(), z.astype(np.float16))
    np.testing.assert_array_equal(mx.nd.Cast(h, dtype="float32").asnumpy(),
                                  z.astype(np.float16).astype(np.float32))
    e = mx.nd.Cast(mx.nd.array(np.zeros((0, 2), np.float32)), dtype="int8")
    assert e.shape == (0, 2) and e.dtype == np.int8
    s = mx.nd.Cast(mx.nd.array(np.float64(2.9)), dtype="int32")
    assert s.shape == () and s.asnumpy() == 2


def test_cast_errors():
    with pytest.raises(ValueError, match="Cast.*'dtype'"):
        mx.nd.Cast(mx.nd.ones((2,)), dtype="complex64")
    with pytest.raises(ValueError, match="Cast.*required parameter 'dtype'"):
        mx.nd.Cast(mx.nd.ones((2,)))
