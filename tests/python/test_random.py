"""Random ops: ranges, dtypes, shapes, moments within statistical tolerance,
reproducibility after mx.random.seed, and error cases.

Tolerances are several standard errors wide, and every sample is drawn after
a fixed seed, so the tests are deterministic."""
import math

import numpy as np
import pytest

import mxlite as mx

FLOATS = ["float16", "float32", "float64"]


@pytest.fixture(autouse=True)
def _seeded():
    mx.random.seed(20240611)


# ----------------------------------------------------------------- uniform


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("low,high", [(0, 1), (-2, 3), (10, 10.5), (-1e3, -999)])
def test_uniform_range_and_moments(dtype, low, high):
    n = 100_000
    x = mx.nd.random.uniform(low, high, shape=(n,), dtype=dtype)
    assert x.dtype == np.dtype(dtype).type and x.shape == (n,)
    v = x.asnumpy().astype(np.float64)
    assert v.min() >= low and v.max() < high
    span = high - low
    if dtype == "float16" and span / max(abs(low), abs(high)) < 1e-2:
        return  # float16 cannot resolve the range finely enough for moments
    sd_mean = span / math.sqrt(12 * n)
    assert abs(v.mean() - (low + high) / 2) < 5 * sd_mean
    assert abs(v.var() - span**2 / 12) < 0.02 * span**2
    # Ten equal bins hold about n / 10 each (binomial sd ~ 95).
    counts, _ = np.histogram(v, bins=10, range=(low, high))
    if dtype != "float16":
        assert np.all(np.abs(counts - n / 10) < 600), counts


def test_uniform_defaults_and_aliases():
    for f in (mx.nd.random_uniform, mx.nd.uniform, mx.nd._random_uniform):
        x = f(shape=(3, 4))
        assert x.shape == (3, 4) and x.dtype == np.float32
        v = x.asnumpy()
        assert np.all((v >= 0) & (v < 1))
    assert mx.nd._random_uniform().shape == ()  # MXNet's default shape is ()


def test_uniform_low_equals_high():
    np.testing.assert_array_equal(mx.nd.random.uniform(2, 2, shape=(4,)).asnumpy(), np.full(4, 2))


def test_uniform_float16_never_reaches_high():
    # Most values in [1000, 1000.5) round to 1000.5 in float16 unless kept below.
    v = mx.nd.random.uniform(1000, 1000.5, shape=(10_000,), dtype="float16").asnumpy()
    assert v.max() < 1000.5 and v.min() >= 1000


# ----------------------------------------------------------------- normal


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("loc,scale", [(0, 1), (3, 0.5), (-10, 4)])
def test_normal_moments(dtype, loc, scale):
    n = 100_001  # odd: the last element comes from a half-used pair
    x = mx.nd.random.normal(loc, scale, shape=(n,), dtype=dtype)
    assert x.dtype == np.dtype(dtype).type and x.shape == (n,)
    v = x.asnumpy().astype(np.float64)
    assert np.isfinite(v).all()
    assert abs(v.mean() - loc) < 5 * scale / math.sqrt(n)
    assert abs(v.std() / scale - 1) < 0.015
    z = (v - loc) / scale
    # Standard normal CDF at 1 and 2 sigma: 0.6827 and 0.9545.
    assert abs(np.mean(np.abs(z) < 1) - 0.6827) < 0.01
    assert abs(np.mean(np.abs(z) < 2) - 0.9545) < 0.005
    # Symmetric, light tails.
    assert abs(np.mean(z > 0) - 0.5) < 0.01
    assert abs(np.mean(z**3)) < 0.05
    assert abs(np.mean(z**4) - 3) < 0.15


def test_normal_aliases_and_zero_scale():
    for f in (mx.nd.random_normal, mx.nd.normal, mx.nd._random_normal):
        assert f(shape=(2, 5)).shape == (2, 5)
    np.testing.assert_array_equal(mx.nd.random.normal(4, 0, shape=(3,)).asnumpy(), np.full(3, 4))


def test_normal_neighbours_are_uncorrelated():
    v = mx.nd.random.normal(shape=(200_000,), dtype="float64").asnumpy()
    assert abs(np.corrcoef(v[0::2], v[1::2])[0, 1]) < 0.015
    assert abs(np.corrcoef(v[:-1], v[1:])[0, 1]) < 0.015


def test_normal_tails():
    # Two-sided tail probabilities of the standard normal, checked to five
    # binomial standard deviations over 2e6 samples (covers the sampler's
    # rare paths: wedges and the tail beyond 3.65).
    n = 2_000_000
    z = np.abs(mx.nd.random.normal(shape=(n,), dtype="float64").asnumpy())
    for t in (1.0, 2.5, 3.0, 3.6541528853610088, 4.0, 4.5):
        p = math.erfc(t / math.sqrt(2))
        sd = math.sqrt(p * (1 - p) / n)
        assert abs(np.mean(z > t) - p) < 5 * sd + 1e-7, t
    assert z.max() < 7


# ----------------------------------------------------------------- randint


@pytest.mark.parametrize("dtype", [None, "int32", "int64"])
def test_randint_range_and_uniformity(dtype):
    kw = {} if dtype is None else {"dtype": dtype}
    x = mx.nd.random.randint(-3, 4, shape=(70_000,), **kw)
    assert x.dtype == np.dtype(dtype or "int32").type
    v = x.asnumpy()
    values, counts = np.unique(v, return_counts=True)
    np.testing.assert_array_equal(values, np.arange(-3, 4))
    assert np.all(np.abs(counts - 10_000) < 500), counts


def test_randint_wide_int64_range():
    lo, hi = -(2**62), 2**62
    v = mx.nd.random.randint(lo, hi, shape=(20_000,), dtype="int64").asnumpy()
    assert v.min() >= lo and v.max() < hi
    assert abs(np.mean(v < 0) - 0.5) < 0.02
    # Top bits are used, not just the low ones.
    assert abs(np.mean(v > 2**61) - 0.25) < 0.02


def test_randint_alias_and_single_value():
    np.testing.assert_array_equal(
        mx.nd.random_randint(low=5, high=6, shape=(4,)).asnumpy(), np.full(4, 5))


# ----------------------------------------------------------------- *_like


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 3), (4, 5)])
def test_like_ops_take_shape_and_dtype(dtype, shape):
    data = mx.nd.zeros(shape, dtype=dtype)
    for f in (mx.nd._random_uniform_like, mx.nd.random_uniform_like):
        out = f(data, low=2, high=3)
        assert out.shape == shape and out.dtype == np.dtype(dtype).type
        v = out.asnumpy()
        assert np.all((v >= 2) & (v < 3))
    for f in (mx.nd._random_normal_like, mx.nd.random_normal_like):
        out = f(data, loc=1, scale=0)
        assert out.shape == shape and out.dtype == np.dtype(dtype).type
        np.testing.assert_array_equal(out.asnumpy(), np.ones(shape, dtype))


def test_like_ops_reject_integer_input():
    with pytest.raises(mx.MXNetError, match=r"_random_uniform_like.*'data'.*int32") as e:
        mx.nd._random_uniform_like(mx.nd.zeros((2,), dtype="int32"))
    assert isinstance(e.value, TypeError)
    with pytest.raises(TypeError, match="_random_normal_like"):
        mx.nd._random_normal_like(mx.nd.zeros((2,), dtype="uint8"))


# ----------------------------------------------------------------- shapes


@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3), (1,), (3, 1, 4)])
def test_shapes(shape):
    assert mx.nd._random_uniform(shape=shape).shape == shape
    assert mx.nd._random_normal(shape=shape).asnumpy().shape == shape
    assert mx.nd._random_randint(low=0, high=3, shape=shape).asnumpy().shape == shape


# ----------------------------------------------------------------- reproducibility


def _draw_sequence():
    return [
        mx.nd.random.uniform(shape=(5,)).asnumpy(),
        mx.nd.random.normal(shape=(7,), dtype="float64").asnumpy(),
        mx.nd.random.randint(0, 1000, shape=(6,)).asnumpy(),
        mx.nd.random_uniform_like(mx.nd.zeros((2, 2))).asnumpy(),
        mx.nd.random.normal(shape=(3,), dtype="float16").asnumpy(),
    ]


def test_same_seed_same_arrays():
    mx.random.seed(7)
    first = _draw_sequence()
    mx.random.seed(7)
    second = _draw_sequence()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_different_seeds_differ():
    mx.random.seed(7)
    a = mx.nd.random.uniform(shape=(100,)).asnumpy()
    mx.random.seed(8)
    b = mx.nd.random.uniform(shape=(100,)).asnumpy()
    assert not np.array_equal(a, b)


def test_successive_draws_differ():
    a = mx.nd.random.uniform(shape=(100,)).asnumpy()
    b = mx.nd.random.uniform(shape=(100,)).asnumpy()
    assert not np.array_equal(a, b)


def test_seed_is_ordered_with_pending_ops():
    # Large ops go to the engine's workers; reseeding right after pushing
    # them (without waiting) must still reproduce them exactly.
    n = 400_000
    mx.random.seed(3)
    a1 = mx.nd.random.uniform(shape=(n,))
    a2 = mx.nd.random.normal(shape=(n,))
    mx.random.seed(3)
    b1 = mx.nd.random.uniform(shape=(n,))
    b2 = mx.nd.random.normal(shape=(n,))
    np.testing.assert_array_equal(a1.asnumpy(), b1.asnumpy())
    np.testing.assert_array_equal(a2.asnumpy(), b2.asnumpy())
    assert not np.array_equal(a1.asnumpy(), a2.asnumpy())


def test_large_and_small_arrays_share_one_stream():
    mx.random.seed(11)
    big = mx.nd.random.uniform(shape=(300_000,)).asnumpy()
    small = mx.nd.random.uniform(shape=(10,)).asnumpy()
    # Elements are drawn independently of the array's size or the thread
    # that produced them: no two chunks of the big array repeat each other.
    assert len(np.unique(big[:100_000])) > 99_000
    assert not np.array_equal(big[:10], small)


# ----------------------------------------------------------------- errors


def test_uniform_errors():
    with pytest.raises(mx.MXNetError, match=r"_random_uniform.*'low'.*'high'") as e:
        mx.nd.random.uniform(2, 1, shape=(2,))
    assert isinstance(e.value, ValueError)
    with pytest.raises(ValueError, match=r"_random_uniform.*'dtype'"):
        mx.nd._random_uniform(shape=(2,), dtype="int32")
    with pytest.raises(ValueError, match=r"_random_uniform.*'shape'"):
        mx.nd._random_uniform(shape=(2, -1))
    with pytest.raises(ValueError, match="_random_uniform_like"):
        mx.nd._random_uniform_like(mx.nd.zeros((2,)), low=1, high=0)


def test_normal_errors():
    with pytest.raises(ValueError, match=r"_random_normal.*'scale'"):
        mx.nd.random.normal(0, -1, shape=(2,))
    with pytest.raises(ValueError, match=r"_random_normal_like.*'scale'"):
        mx.nd._random_normal_like(mx.nd.zeros((2,)), scale=-2)


def test_randint_errors():
    with pytest.raises(ValueError, match=r"_random_randint.*'low'.*'high'"):
        mx.nd.random.randint(5, 5, shape=(2,))
    with pytest.raises(ValueError, match=r"_random_randint.*int64"):
        mx.nd.random.randint(0, 2**40, shape=(2,))
    with pytest.raises(ValueError, match=r"_random_randint.*required parameter 'high'"):
        mx.nd._random_randint(low=0)
    with pytest.raises(ValueError, match=r"_random_randint.*'dtype'"):
        mx.nd._random_randint(low=0, high=3, dtype="float32")


def test_gpu_context_is_not_implemented():
    from mxlite.ndarray._invoke import invoke, op_handle
    with pytest.raises(mx.MXNetError, match=r"_random_normal.*no GPU support") as e:
        invoke(op_handle("_random_normal"), [], ["shape", "ctx"], ["(2,)", "gpu(0)"], None)
    assert isinstance(e.value, NotImplementedError)
