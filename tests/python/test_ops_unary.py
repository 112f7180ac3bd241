"""Element-wise unary math ops and array-scalar ops, checked against NumPy.

Semantics under test (MXNet 1.9 legacy mx.nd): the output keeps the input
dtype; float16 computes in float; integer inputs to math functions are
computed in double and truncated back; integer arithmetic with an integer
scalar is exact and wraps; integer division by zero gives 0; comparisons give
1/0 in the input dtype; bool input is accepted only by logical_not and the
comparison/logical scalar ops.
"""
import math

import numpy as np
import pytest

import mxlite as mx

FLOATS = ["float16", "float32", "float64"]
INTS = ["uint8", "int8", "int32", "int64"]
RTOL = {"float16": 2e-3, "float32": 2e-6, "float64": 1e-12}
ATOL = {"float16": 1e-3, "float32": 1e-6, "float64": 1e-12}


def nd(x, dtype=None):
    x = np.asarray(x)
    return mx.nd.array(x, dtype=dtype or x.dtype)


def check_float(got, want, dtype):
    """got: NDArray; want: float64 NumPy values of the exact result."""
    assert got.dtype == np.dtype(dtype)
    g = got.asnumpy()
    assert g.dtype == np.dtype(dtype)
    # Rounding the exact result to dtype is the best any implementation can do.
    w = want.astype(dtype).astype(np.float64)
    np.testing.assert_allclose(g.astype(np.float64), w, rtol=RTOL[dtype], atol=ATOL[dtype],
                               equal_nan=True)


def check_int_trunc(got, want, dtype):
    """Integer output of a function computed in double: truncation toward zero
    of `want` (float64); where `want` is within 1e-9 of an integer, libm and
    NumPy may land on either side, so either neighbour is accepted.  NaN and
    infinities have no integer value and give 0."""
    assert got.dtype == np.dtype(dtype)
    g = got.asnumpy().astype(np.float64)
    want = np.where(np.isfinite(want), want, 0.0)
    exact = np.trunc(want)
    near = np.abs(want - np.rint(want)) < 1e-9
    ok = (g == exact) | (near & (np.abs(g - np.rint(want)) <= 1))
    assert ok.all(), (g[~ok], want[~ok])


def int_range(dtype, lo, hi):
    info = np.iinfo(dtype)
    return np.arange(max(lo, info.min), min(hi, info.max) + 1).astype(dtype)


def np_erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def np_erfinv(y):
    """Inverse of math.erf by bisection: an oracle independent of the kernel."""
    y = np.asarray(y, dtype=np.float64)
    lo = np.full_like(y, -6.0)
    hi = np.full_like(y, 6.0)
    for _ in range(80):
        mid = (lo + hi) / 2
        below = np_erf(mid) < y
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    out = (lo + hi) / 2
    out = np.where(y == 1, np.inf, np.where(y == -1, -np.inf, out))
    return np.where(np.abs(y) > 1, np.nan, out)


def round_half_away(x):
    return np.where(x >= 0, np.floor(x + 0.5), np.ceil(x - 0.5))


# name -> (float64 oracle, float input range, integer input range)
MATH_OPS = {
    "reciprocal": (lambda x: 1 / x, (0.1, 10), (1, 10)),
    "sqrt": (np.sqrt, (0, 100), (0, 100)),
    "rsqrt": (lambda x: 1 / np.sqrt(x), (0.1, 100), (1, 100)),
    "cbrt": (np.cbrt, (-100, 100), (-100, 100)),
    "rcbrt": (lambda x: 1 / np.cbrt(x), (0.1, 100), (1, 100)),
    "exp": (np.exp, (-8, 8), (0, 4)),
    "log": (np.log, (0.01, 100), (1, 100)),
    "log2": (np.log2, (0.01, 100), (1, 100)),
    "log10": (np.log10, (0.01, 100), (1, 100)),
    "log1p": (np.log1p, (-0.9, 100), (0, 100)),
    "expm1": (np.expm1, (-5, 5), (0, 4)),
    "sin": (np.sin, (-6, 6), (-6, 6)),
    "cos": (np.cos, (-6, 6), (-6, 6)),
    "tan": (np.tan, (-1.4, 1.4), (-1, 1)),
    "arcsin": (np.arcsin, (-1, 1), (-1, 1)),
    "arccos": (np.arccos, (-1, 1), (-1, 1)),
    "arctan": (np.arctan, (-10, 10), (-10, 10)),
    "sinh": (np.sinh, (-5, 5), (-3, 3)),
    "cosh": (np.cosh, (-5, 5), (-3, 3)),
    "tanh": (np.tanh, (-5, 5), (-3, 3)),
    "arcsinh": (np.arcsinh, (-10, 10), (-10, 10)),
    "arccosh": (np.arccosh, (1, 10), (1, 10)),
    "arctanh": (np.arctanh, (-0.99, 0.99), (0, 0)),
    "degrees": (np.degrees, (-7, 7), (-2, 2)),
    "radians": (np.radians, (-360, 360), (-100, 100)),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), (-20, 20), (-5, 5)),
    "softsign": (lambda x: x / (1 + np.abs(x)), (-20, 20), (-5, 5)),
    "erf": (np_erf, (-3, 3), (-3, 3)),
    "erfinv": (np_erfinv, (-0.999, 0.999), (-1, 1)),
    "gamma": (np.vectorize(math.gamma, otypes=[np.float64]), (0.1, 6), (1, 5)),
    "gammaln": (np.vectorize(math.lgamma, otypes=[np.float64]), (0.1, 30), (1, 30)),
}

# name -> NumPy rule on the input's own dtype (exact for every numeric dtype)
EXACT_OPS = {
    "abs": np.abs,
    "sign": np.sign,
    "negative": np.negative,
    "square": np.square,
    "relu": lambda x: np.maximum(x, np.zeros((), x.dtype)),
    "floor": np.floor,
    "ceil": np.ceil,
    "trunc": np.trunc,
    "fix": np.fix,
    "rint": np.rint,
    "round": round_half_away,
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(MATH_OPS))
def test_math_op_float(name, dtype, rng):
    fn, (lo, hi), _ = MATH_OPS[name]
    x = rng.uniform(lo, hi, size=(3, 17)).astype(dtype)
    got = getattr(mx.nd, name)(nd(x))
    assert got.shape == x.shape
    check_float(got, fn(x.astype(np.float64)), dtype)


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("name", sorted(MATH_OPS))
def test_math_op_int_computes_in_double(name, dtype):
    fn, _, (lo, hi) = MATH_OPS[name]
    x = int_range(dtype, lo, hi)
    if x.size == 0:
        pytest.skip("no integer input in the domain for this dtype")
    with np.errstate(divide="ignore", invalid="ignore"):
        want = fn(x.astype(np.float64))
    check_int_trunc(getattr(mx.nd, name)(nd(x)), want, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(EXACT_OPS))
def test_exact_op_float(name, dtype, rng):
    halves = np.arange(-6, 6.5, 0.5)
    x = np.concatenate([halves, rng.uniform(-50, 50, size=40)]).astype(dtype)
    got = getattr(mx.nd, name)(nd(x))
    check_float(got, EXACT_OPS[name](x.astype(np.float64)), dtype)


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("name", sorted(EXACT_OPS))
def test_exact_op_int_wraps_like_numpy(name, dtype):
    info = np.iinfo(dtype)
    x = np.array([info.min, info.min + 1, -7, -1, 0, 1, 7, 100, info.max - 1, info.max],
                 dtype=np.int64)
    x = x[(x >= info.min) & (x <= info.max)].astype(dtype)
    got = getattr(mx.nd, name)(nd(x))
    assert got.dtype == np.dtype(dtype)
    if name in ("floor", "ceil", "trunc", "fix", "rint", "round"):
        want = x  # integers are already whole
    else:
        with np.errstate(over="ignore"):
            want = EXACT_OPS[name](x)
    np.testing.assert_array_equal(got.asnumpy(), want.astype(dtype))


def test_rounding_halfway_rules():
    x = nd(np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], dtype=np.float32))
    np.testing.assert_array_equal(mx.nd.round(x).asnumpy(), [-3, -2, -1, 1, 2, 3])
    np.testing.assert_array_equal(mx.nd.rint(x).asnumpy(), [-2, -2, 0, 0, 2, 2])
    np.testing.assert_array_equal(mx.nd.fix(x).asnumpy(), [-2, -1, 0, 0, 1, 2])


def test_float32_rounding_bit_exact_against_numpy(rng):
    x = np.concatenate([rng.uniform(-1e4, 1e4, 5000), rng.uniform(-3, 3, 5000),
                        [8388607.5, 8388608.0, -8388609.0, 1e30, -0.0, 0.0, np.inf, -np.inf,
                         0.49999997, -0.49999997]]).astype(np.float32)
    for name, fn in [("floor", np.floor), ("ceil", np.ceil), ("trunc", np.trunc),
                     ("rint", np.rint)]:
        got = getattr(mx.nd, name)(nd(x)).asnumpy()
        np.testing.assert_array_equal(got, fn(x), err_msg=name)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(fn(x)), err_msg=name)
    nan = mx.nd.floor(nd(np.array([np.nan], np.float32))).asnumpy()
    assert np.isnan(nan).all()


@pytest.mark.parametrize("dtype", FLOATS)
def test_sqrt_rsqrt_special_values(dtype):
    x = np.array([-4.0, -0.0, 0.0, np.inf, np.nan, 2.0, 9.0], dtype=dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.testing.assert_array_equal(mx.nd.sqrt(nd(x)).asnumpy(), np.sqrt(x))
        np.testing.assert_allclose(mx.nd.rsqrt(nd(x)).asnumpy(), 1 / np.sqrt(x),
                                   rtol=RTOL[dtype])
    assert np.signbit(mx.nd.sqrt(nd(x)).asnumpy()[1])


def test_nan_handling_matches_numpy():
    x = np.array([np.nan, -1.0, 2.0], dtype=np.float32)
    assert np.isnan(mx.nd.relu(nd(x)).asnumpy()[0])
    assert np.isnan(mx.nd.sign(nd(x)).asnumpy()[0])
    assert np.isnan(mx.nd.abs(nd(x)).asnumpy()[0])


@pytest.mark.parametrize("dtype", FLOATS + INTS + ["bool"])
def test_logical_not(dtype):
    x = np.array([0, 1, 2, 0], dtype=np.int64).astype(dtype)
    got = mx.nd.logical_not(nd(x))
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got.asnumpy(), np.logical_not(x).astype(dtype))


def test_erfinv_edges():
    got = mx.nd.erfinv(nd(np.array([-1.0, 1.0, 1.5, 0.0]))).asnumpy()
    assert got[0] == -np.inf and got[1] == np.inf and np.isnan(got[2]) and got[3] == 0


@pytest.mark.parametrize("name", ["abs", "relu", "sqrt", "exp", "floor", "negative", "sigmoid",
                                  "erfinv", "gammaln"])
def test_unary_rejects_bool(name):
    x = nd(np.array([True, False]))
    with pytest.raises(mx.MXNetError, match=name) as e:
        getattr(mx.nd, name)(x).asnumpy()
    assert isinstance(e.value, TypeError)


def test_unknown_parameter_is_key_error():
    with pytest.raises(mx.MXNetError, match="relu") as e:
        mx.nd.relu(nd(np.ones(2, np.float32)), alpha=0.1)
    assert isinstance(e.value, KeyError)


@pytest.mark.parametrize("name", ["relu", "exp", "_plus_scalar", "_greater_scalar"])
def test_empty_and_zero_dim(name):
    empty = getattr(mx.nd, name)(mx.nd.zeros((0, 3)))
    assert empty.shape == (0, 3) and empty.asnumpy().size == 0
    x = mx.nd.array(np.array(2.0, dtype=np.float32))
    if x.shape == ():  # 0-d arrays, where the frontend creates them
        assert getattr(mx.nd, name)(x).shape == ()


def test_large_arrays_run_in_parallel_and_match(rng):
    x = rng.standard_normal(1 << 20).astype(np.float32)
    np.testing.assert_array_equal(mx.nd.relu(nd(x)).asnumpy(), np.maximum(x, 0))
    np.testing.assert_allclose(mx.nd.exp(nd(x)).asnumpy(), np.exp(x), rtol=2e-6)
    np.testing.assert_array_equal((nd(x) + 2).asnumpy(), x + np.float32(2))


# ---------------------------------------------------------------------------
# Scalar ops
# ---------------------------------------------------------------------------

def py_mod(a, b):
    """Python/NumPy remainder, with MXNet's integer x % 0 == 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, 0, np.mod(a, np.where(b == 0, 1, b)))


def trunc_div(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, 0, np.trunc(a / np.where(b == 0, 1, b)))


def smooth_l1(x, sigma):
    s2 = sigma * sigma
    return np.where(np.abs(x) < 1 / s2, 0.5 * (sigma * x) ** 2, np.abs(x) - 0.5 / s2)


# name -> float64 oracle f(x, s)
ARITH_OPS = {
    "_plus_scalar": lambda x, s: x + s,
    "_minus_scalar": lambda x, s: x - s,
    "_rminus_scalar": lambda x, s: s - x,
    "_mul_scalar": lambda x, s: x * s,
    "_div_scalar": lambda x, s: x / s,
    "_rdiv_scalar": lambda x, s: s / x,
    "_mod_scalar": lambda x, s: np.mod(x, s),
    "_rmod_scalar": lambda x, s: np.mod(s, x),
    "_power_scalar": lambda x, s: np.power(x, s),
    "_rpower_scalar": lambda x, s: np.power(s, x),
    "_maximum_scalar": np.maximum,
    "_minimum_scalar": np.minimum,
    "_hypot_scalar": np.hypot,
    "smooth_l1": smooth_l1,
}

COMPARE_OPS = {
    "_equal_scalar": np.equal,
    "_not_equal_scalar": np.not_equal,
    "_greater_scalar": np.greater,
    "_greater_equal_scalar": np.greater_equal,
    "_lesser_scalar": np.less,
    "_lesser_equal_scalar": np.less_equal,
    "_logical_and_scalar": np.logical_and,
    "_logical_or_scalar": np.logical_or,
    "_logical_xor_scalar": np.logical_xor,
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("scalar", [2.0, -1.5, 0.3])
@pytest.mark.parametrize("name", sorted(ARITH_OPS))
def test_arith_scalar_float(name, scalar, dtype, rng):
    x = rng.uniform(0.5, 4, size=(4, 5)) * rng.choice([-1, 1], size=(4, 5))
    if name in ("_power_scalar", "_rpower_scalar"):
        x = np.abs(x)  # keep pow real-valued
        if name == "_rpower_scalar":
            scalar = abs(scalar)
    x = x.astype(dtype)
    got = getattr(mx.nd, name)(nd(x), scalar=scalar)
    # The scalar meets the array in the array's dtype, as with NumPy scalars.
    s = float(np.array(scalar, dtype=dtype))
    check_float(got, ARITH_OPS[name](x.astype(np.float64), s), dtype)


def wrap(values, dtype):
    """Python ints reduced modulo 2**bits into dtype, as two's complement does."""
    bits = np.dtype(dtype).itemsize * 8
    signed = np.issubdtype(np.dtype(dtype), np.signedinteger)
    out = []
    for v in values:
        v %= 1 << bits
        if signed and v >= 1 << (bits - 1):
            v -= 1 << bits
        out.append(v)
    return np.array(out, dtype=dtype)


def int_trunc_div(a, b):
    if b == 0:
        return 0
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


# name -> exact rule on Python ints x (element) and s (scalar)
INT_ARITH = {
    "_plus_scalar": lambda x, s: x + s,
    "_minus_scalar": lambda x, s: x - s,
    "_rminus_scalar": lambda x, s: s - x,
    "_mul_scalar": lambda x, s: x * s,
    "_div_scalar": lambda x, s: int_trunc_div(x, s),
    "_rdiv_scalar": lambda x, s: int_trunc_div(s, x),
    "_mod_scalar": lambda x, s: x % s if s else 0,
    "_rmod_scalar": lambda x, s: s % x if x else 0,
    "_maximum_scalar": max,
    "_minimum_scalar": min,
}


# Only scalars the dtype can hold (e.g. not -2 for uint8).
@pytest.mark.parametrize("dtype,scalar", [(d, s) for d in INTS for s in [3, -2, 0, 100]
                                          if np.iinfo(d).min <= s <= np.iinfo(d).max])
@pytest.mark.parametrize("name", sorted(INT_ARITH))
def test_arith_scalar_int_exact(name, scalar, dtype):
    info = np.iinfo(dtype)
    x = int_range(dtype, -9, 9)
    x = np.concatenate([x, np.array([info.min, info.max], dtype=dtype)])
    want = wrap([INT_ARITH[name](int(v), scalar) for v in x], dtype)
    got = getattr(mx.nd, name)(nd(x), scalar=scalar)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got.asnumpy(), want)


@pytest.mark.parametrize("dtype", INTS)
def test_power_scalar_int(dtype):
    x = int_range(dtype, -3, 5)
    for s in (0, 1, 2, 3, 7):
        want = np.power(x.astype(np.int64), s).astype(dtype)
        np.testing.assert_array_equal(mx.nd._power_scalar(nd(x), scalar=s).asnumpy(), want)
    base = 3 if dtype != "uint8" else 2
    e = int_range(dtype, 0, 6)
    np.testing.assert_array_equal(mx.nd._rpower_scalar(nd(e), scalar=base).asnumpy(),
                                  np.power(np.int64(base), e.astype(np.int64)).astype(dtype))


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("name", ["_plus_scalar", "_mul_scalar", "_div_scalar",
                                  "_power_scalar", "_hypot_scalar", "smooth_l1"])
def test_int_with_fractional_scalar_computes_in_double(name, dtype):
    x = int_range(dtype, 0, 12)
    want = ARITH_OPS[name](x.astype(np.float64), 0.5)
    check_int_trunc(getattr(mx.nd, name)(nd(x), scalar=0.5), want, dtype)


def test_integer_division_by_zero_does_not_crash():
    x = nd(np.array([7, -7, 0, np.iinfo(np.int32).min], dtype=np.int32))
    for name in ("_div_scalar", "_mod_scalar"):
        np.testing.assert_array_equal(getattr(mx.nd, name)(x, scalar=0).asnumpy(), [0, 0, 0, 0])
    np.testing.assert_array_equal(mx.nd._div_scalar(x, scalar=-1).asnumpy(),
                                  [-7, 7, 0, np.iinfo(np.int32).min])
    np.testing.assert_array_equal(mx.nd._rdiv_scalar(x, scalar=5).asnumpy(), [0, 0, 0, 0])
    np.testing.assert_array_equal(mx.nd._rmod_scalar(x, scalar=5).asnumpy(),
                                  py_mod(np.int64(5), x.asnumpy().astype(np.int64)))


def test_mod_sign_follows_divisor():
    x = np.array([-7.5, 7.5, -6.0, 6.0], dtype=np.float64)
    for s in (2.0, -2.0):
        np.testing.assert_array_equal(mx.nd._mod_scalar(nd(x), scalar=s).asnumpy(), np.mod(x, s))
        np.testing.assert_array_equal(mx.nd._rmod_scalar(nd(x), scalar=s).asnumpy(),
                                      np.mod(s, x))


def test_float_division_by_zero_is_ieee():
    x = nd(np.array([1.0, -1.0, 0.0], dtype=np.float32))
    got = mx.nd._div_scalar(x, scalar=0).asnumpy()
    assert got[0] == np.inf and got[1] == -np.inf and np.isnan(got[2])


def test_maximum_minimum_propagate_nan():
    x = nd(np.array([np.nan, 1.0], dtype=np.float32))
    assert np.isnan(mx.nd._maximum_scalar(x, scalar=0).asnumpy()[0])
    assert np.isnan(mx.nd._minimum_scalar(x, scalar=0).asnumpy()[0])
    assert np.isnan(mx.nd._maximum_scalar(x, scalar=float("nan")).asnumpy()).all()


def test_smooth_l1_documented_example():
    got = mx.nd.smooth_l1(nd(np.array([1, 2, 3, 4], dtype=np.float32)), scalar=1.0)
    np.testing.assert_allclose(got.asnumpy(), [0.5, 1.5, 2.5, 3.5])


@pytest.mark.parametrize("dtype", FLOATS + INTS)
@pytest.mark.parametrize("scalar", [2, 0, -1, 2.5])
@pytest.mark.parametrize("name", sorted(COMPARE_OPS))
def test_compare_scalar(name, scalar, dtype):
    x = np.array([-3, -1, 0, 1, 2, 3, 5], dtype=np.int64)
    if dtype == "uint8":
        x = x[x >= 0]
    x = x.astype(dtype)
    got = getattr(mx.nd, name)(nd(x), scalar=scalar)
    assert got.dtype == np.dtype(dtype)
    want = COMPARE_OPS[name](x.astype(np.float64), scalar)
    np.testing.assert_array_equal(got.asnumpy(), want.astype(dtype))


@pytest.mark.parametrize("name", sorted(COMPARE_OPS))
def test_compare_scalar_bool(name):
    x = np.array([True, False, True])
    for scalar in (0, 1, 0.5):
        got = getattr(mx.nd, name)(nd(x), scalar=scalar)
        assert got.dtype == np.bool_
        np.testing.assert_array_equal(got.asnumpy(), COMPARE_OPS[name](x.astype(float), scalar))


def test_comparison_with_nan():
    x = nd(np.array([np.nan, 1.0], dtype=np.float32))
    np.testing.assert_array_equal(mx.nd._equal_scalar(x, scalar=1).asnumpy(), [0, 1])
    np.testing.assert_array_equal(mx.nd._not_equal_scalar(x, scalar=1).asnumpy(), [1, 0])


@pytest.mark.parametrize("name", ["_plus_scalar", "_mod_scalar", "_power_scalar", "smooth_l1",
                                  "_hypot_scalar"])
def test_arith_scalar_rejects_bool(name):
    with pytest.raises(mx.MXNetError, match=name) as e:
        getattr(mx.nd, name)(nd(np.array([True])), scalar=1).asnumpy()
    assert isinstance(e.value, TypeError)


def test_bad_scalar_value_is_value_error():
    with pytest.raises(mx.MXNetError, match="_plus_scalar") as e:
        mx.nd._plus_scalar(nd(np.ones(2, np.float32)), scalar="abc")
    assert isinstance(e.value, ValueError)
    with pytest.raises(mx.MXNetError, match="_mul_scalar") as e:
        mx.nd._mul_scalar(nd(np.ones(2, np.float32)), sigma=1)
    assert isinstance(e.value, KeyError)


def test_aliases_call_the_same_ops():
    x = nd(np.array([1.0, 4.0], dtype=np.float32))
    pairs = [("_PlusScalar", "_plus_scalar"), ("_RMinusScalar", "_rminus_scalar"),
             ("_PowerScalar", "_power_scalar"), ("_GreaterEqualScalar", "_greater_equal_scalar"),
             ("_LogicalXorScalar", "_logical_xor_scalar"), ("_HypotScalar", "_hypot_scalar")]
    for alias, name in pairs:
        np.testing.assert_array_equal(getattr(mx.nd, alias)(x, scalar=3).asnumpy(),
                                      getattr(mx.nd, name)(x, scalar=3).asnumpy())


def test_python_operators_use_scalar_ops():
    a = np.array([[1.0, -2.0], [3.5, 4.0]], dtype=np.float32)
    x = nd(a)
    np.testing.assert_allclose((x + 2).asnumpy(), a + 2)
    np.testing.assert_allclose((2 - x).asnumpy(), 2 - a)
    np.testing.assert_allclose((x * 2.5).asnumpy(), a * 2.5)
    np.testing.assert_allclose((x / 2).asnumpy(), a / 2)
    np.testing.assert_allclose((2 / x).asnumpy(), 2 / a)
    np.testing.assert_allclose((x % 3).asnumpy(), np.mod(a, 3))
    np.testing.assert_allclose((7 % x).asnumpy(), np.mod(7, a))
    np.testing.assert_allclose((x ** 2).asnumpy(), a ** 2)
    np.testing.assert_allclose((2 ** x).asnumpy(), 2 ** a, rtol=1e-6)
    np.testing.assert_array_equal((x > 1).asnumpy(), (a > 1).astype(np.float32))
    np.testing.assert_array_equal((x == 4).asnumpy(), (a == 4).astype(np.float32))
    np.testing.assert_array_equal((-x).asnumpy(), -a)
    np.testing.assert_array_equal(abs(x).asnumpy(), np.abs(a))
    y = nd(a)
    y += 1
    np.testing.assert_allclose(y.asnumpy(), a + 1)
    i = nd(np.array([7, -7], dtype=np.int32))
    np.testing.assert_array_equal((i / 2).asnumpy(), [3, -3])  # legacy nd keeps int dtype
    np.testing.assert_array_equal((i % 3).asnumpy(), [1, 2])
