"""Pad against numpy.pad and UpSampling against NumPy repeats and a naive transposed
convolution, gradients against central finite differences in float64, and bad arguments.

MXNet 1.9 facts pinned down: Pad takes 4-D/5-D input and pads only the spatial axes
(the first four pad_width entries must be zero), mode is required, reflect widths must be
smaller than the axis; UpSampling's nearest output size comes from the first input and
every other input is repeated by its own integer factor; bilinear is a per-channel
transposed convolution with a (C, 1, 2s - s%2, 2s - s%2) weight, stride s, padding
ceil((s-1)/2).
"""
import numpy as np
import pytest

import mxlite as mx
from mxlite.test_utils import check_numeric_gradient, numeric_grad


def nd(x):
    x = np.asarray(x)
    return mx.nd.array(x, dtype=x.dtype)


# ---------------------------------------------------------------------------
# Pad
# ---------------------------------------------------------------------------

PAD_CASES = [((2, 3, 4, 5), (0, 0, 0, 0, 1, 2, 3, 1)),
             ((1, 2, 3, 4, 5), (0, 0, 0, 0, 1, 2, 2, 0, 0, 4)),
             ((2, 1, 3, 4), (0, 0, 0, 0, 0, 0, 0, 0)),
             ((1, 1, 5, 5), (0, 0, 0, 0, 4, 4, 4, 4)),
             ((2, 2, 1, 1), (0, 0, 0, 0, 0, 0, 0, 0))]


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int32", "uint8"])
@pytest.mark.parametrize("shape,pw", PAD_CASES)
def test_pad_matches_numpy(rng, mode, dtype, shape, pw):
    x = (rng.standard_normal(shape) * 10).astype(dtype)
    widths = [(pw[2 * i], pw[2 * i + 1]) for i in range(len(shape))]
    kw = {"constant_values": 3} if mode == "constant" else {}
    want = np.pad(x, widths, mode=mode, **kw)
    out = mx.nd.Pad(nd(x), mode=mode, pad_width=pw, constant_value=3)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.asnumpy(), want)


def test_pad_alias_and_default_constant():
    out = mx.nd.pad(mx.nd.ones((1, 1, 1, 2)), mode="constant", pad_width=(0, 0, 0, 0, 1, 0, 0, 1))
    np.testing.assert_array_equal(out.asnumpy(), [[[[0, 0, 0], [1, 1, 0]]]])


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect"])
@pytest.mark.parametrize("shape,pw", [((1, 2, 3, 4), (0, 0, 0, 0, 2, 1, 1, 3)),
                                      ((1, 1, 2, 3, 3), (0, 0, 0, 0, 1, 1, 0, 2, 2, 1))])
def test_pad_gradient(rng, mode, shape, pw):
    check_numeric_gradient(lambda x: mx.nd.Pad(x, mode=mode, pad_width=pw, constant_value=1.5),
                           [rng.standard_normal(shape)])


def test_backward_pad_kernel_directly(rng):
    x = rng.standard_normal((1, 1, 3, 3))
    pw = (0, 0, 0, 0, 2, 2, 2, 2)
    dy = rng.standard_normal((1, 1, 7, 7))
    numeric = numeric_grad(lambda x: mx.nd.Pad(x, mode="reflect", pad_width=pw), [x], [dy])
    got = mx.nd._backward_Pad(nd(dy), mode="reflect", pad_width=pw)
    np.testing.assert_allclose(got.asnumpy(), numeric[0], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("kwargs,error,pattern", [
    (dict(mode="constant", pad_width=(0, 1, 0, 0, 1, 1, 1, 1)), ValueError, "first two axes"),
    (dict(mode="constant", pad_width=(0, 0, 0, 0, 1, 1)), ValueError, "6 entries but data has 4"),
    (dict(mode="reflect", pad_width=(0, 0, 0, 0, 3, 0, 0, 0)), ValueError,
     "smaller than the axis' size"),
    (dict(mode="constant", pad_width=(0, 0, 0, 0, -1, 1, 1, 1)), ValueError, "negative width"),
    (dict(pad_width=(0, 0, 0, 0, 1, 1, 1, 1)), ValueError, "required parameter 'mode'"),
    (dict(mode="wrap", pad_width=(0, 0, 0, 0, 1, 1, 1, 1)), ValueError, "'mode'"),
])
def test_pad_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        mx.nd.Pad(mx.nd.ones((1, 1, 3, 3)), **kwargs)


def test_pad_rank_must_be_4_or_5():
    with pytest.raises(ValueError, match="only 4-D and 5-D"):
        mx.nd.Pad(mx.nd.ones((2, 3)), mode="edge", pad_width=(0, 0, 1, 1))


# ---------------------------------------------------------------------------
# UpSampling, nearest
# ---------------------------------------------------------------------------

def repeat2d(x, f):
    return x.repeat(f, axis=2).repeat(f, axis=3)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("scale", [1, 2, 3])
def test_upsampling_nearest_single(rng, dtype, scale):
    x = rng.standard_normal((2, 3, 4, 5)).astype(dtype)
    out = mx.nd.UpSampling(nd(x), scale=scale, sample_type="nearest")
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.asnumpy(), repeat2d(x, scale))


def test_upsampling_nearest_multi_input(rng):
    # The output is 4x6 (the first input times 2): y is repeated 2x, z (4x6) 1x.
    x = rng.standard_normal((2, 3, 2, 3)).astype("float32")
    y = rng.standard_normal((2, 2, 2, 3)).astype("float32")
    z = rng.standard_normal((2, 3, 4, 6)).astype("float32")
    out = mx.nd.UpSampling(nd(x), nd(y), nd(z), scale=2, sample_type="nearest")
    np.testing.assert_array_equal(out.asnumpy(),
                                  np.concatenate([repeat2d(x, 2), repeat2d(y, 2), z], axis=1))
    # Different factors per input: 1x1 -> 4x4 is a factor of 4.
    a = rng.standard_normal((1, 1, 2, 2)).astype("float32")
    b = rng.standard_normal((1, 2, 1, 1)).astype("float32")
    out = mx.nd.UpSampling(nd(a), nd(b), scale=2, sample_type="nearest")
    np.testing.assert_array_equal(out.asnumpy(),
                                  np.concatenate([repeat2d(a, 2), repeat2d(b, 4)], axis=1))
    out = mx.nd.UpSampling(nd(x), nd(z), scale=2, sample_type="nearest", multi_input_mode="sum")
    np.testing.assert_allclose(out.asnumpy(), repeat2d(x, 2) + z, rtol=1e-6)


def test_upsampling_nearest_gradient(rng):
    check_numeric_gradient(lambda a: mx.nd.UpSampling(a, scale=3, sample_type="nearest"),
                           [rng.standard_normal((2, 2, 2, 3))])
    check_numeric_gradient(
        lambda a, b: mx.nd.UpSampling(a, b, scale=2, sample_type="nearest", num_args=2),
        [rng.standard_normal((1, 2, 2, 2)), rng.standard_normal((1, 1, 2, 2))])
    check_numeric_gradient(
        lambda a, b: mx.nd.UpSampling(a, b, scale=2, sample_type="nearest", num_args=2,
                                      multi_input_mode="sum"),
        [rng.standard_normal((1, 2, 2, 2)), rng.standard_normal((1, 2, 1, 1))])


def test_backward_upsampling_kernel_directly(rng):
    x = rng.standard_normal((1, 2, 2, 2))
    dy = rng.standard_normal((1, 2, 4, 4))
    numeric = numeric_grad(lambda x: mx.nd.UpSampling(x, scale=2, sample_type="nearest"),
                           [x], [dy])
    got = mx.nd._backward_UpSampling(nd(dy), nd(x), scale=2, sample_type="nearest", num_args=1)
    np.testing.assert_allclose(got.asnumpy(), numeric[0], rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------------------
# UpSampling, bilinear
# ---------------------------------------------------------------------------

def transposed_conv_reference(x, w, s):
    """Naive per-channel transposed convolution, stride s, padding ceil((s-1)/2)."""
    k, p = 2 * s - s % 2, s // 2
    n, c, h, wd = x.shape
    out = np.zeros((n, c, h * s, wd * s))
    for iy in range(h):
        for ix in range(wd):
            for ky in range(k):
                for kx in range(k):
                    oy, ox = iy * s - p + ky, ix * s - p + kx
                    if 0 <= oy < h * s and 0 <= ox < wd * s:
                        out[:, :, oy, ox] += x[:, :, iy, ix] * w[:, 0, ky, kx]
    return out


@pytest.mark.parametrize("scale", [1, 2, 3, 4])
def test_upsampling_bilinear(rng, scale):
    k = 2 * scale - scale % 2
    x, w = rng.standard_normal((2, 3, 3, 4)), rng.standard_normal((3, 1, k, k))
    out = mx.nd.UpSampling(nd(x), nd(w), scale=scale, sample_type="bilinear", num_filter=3)
    np.testing.assert_allclose(out.asnumpy(), transposed_conv_reference(x, w, scale), rtol=1e-12,
                               atol=1e-12)


def test_upsampling_bilinear_mxnet_doc_example():
    out = mx.nd.UpSampling(mx.nd.ones((1, 1, 3, 3)), mx.nd.ones((1, 1, 4, 4)), scale=2,
                           sample_type="bilinear", num_filter=1)
    row = [1, 2, 2, 2, 2, 1]
    np.testing.assert_array_equal(out.asnumpy()[0, 0], np.outer(row, row))


@pytest.mark.parametrize("scale", [2, 3])
def test_upsampling_bilinear_gradient(rng, scale):
    k = 2 * scale - scale % 2
    check_numeric_gradient(
        lambda a, b: mx.nd.UpSampling(a, b, scale=scale, sample_type="bilinear", num_filter=2),
        [rng.standard_normal((2, 2, 2, 3)), rng.standard_normal((2, 1, k, k))])


@pytest.mark.parametrize("call,error,pattern", [
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 1, 2, 2)), scale=0, sample_type="nearest"),
     ValueError, "'scale' must be at least 1"),
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 1, 2, 2)), scale=2), ValueError, "sample_type"),
    (lambda: mx.nd.UpSampling(mx.nd.ones((2, 2)), scale=2, sample_type="nearest"),
     ValueError, "expects 4-D input"),
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 1, 2, 2)), mx.nd.ones((1, 1, 3, 3)), scale=2,
                              sample_type="nearest"), ValueError, "no single integer factor"),
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 1, 2, 2)), mx.nd.ones((1, 2, 4, 4)), scale=2,
                              sample_type="nearest", multi_input_mode="sum"),
     ValueError, "needs them equal"),
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 1, 2, 2)), scale=2, sample_type="bilinear",
                              num_filter=1), ValueError, "must be 2 \\(data and weight\\)"),
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 2, 2, 2)), mx.nd.ones((2, 1, 4, 4)), scale=2,
                              sample_type="bilinear"), ValueError, "'num_filter' is 0"),
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 2, 2, 2)), mx.nd.ones((2, 1, 3, 3)), scale=2,
                              sample_type="bilinear", num_filter=2),
     ValueError, r"'weight' has shape \(2, 1, 3, 3\) but expected \(2, 1, 4, 4\)"),
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 1, 2, 2), dtype="int32"), scale=2,
                              sample_type="nearest"), TypeError, "dtype int32"),
])
def test_upsampling_bad_arguments(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
