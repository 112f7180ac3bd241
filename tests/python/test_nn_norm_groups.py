"""InstanceNorm, GroupNorm and L2Normalization against NumPy formulas, gradients against
central finite differences in float64, and bad arguments.

MXNet 1.9 facts pinned down: GroupNorm's gamma and beta have one entry per *group*
(shape (num_groups,)); its output_mean_var outputs are the mean and std
(sqrt(var + eps)) of shape (N, num_groups); InstanceNorm needs rank >= 3; 1-D input to
L2Normalization's instance mode treats every element as its own instance.
"""
import numpy as np
import pytest

import mxlite as mx
from mxlite.test_utils import check_numeric_gradient, numeric_grad

TOL = {"float16": 3e-3, "float32": 2e-5, "float64": 1e-12}


def nd(x):
    x = np.asarray(x)
    return mx.nd.array(x, dtype=x.dtype)


def gn_reference(x, groups, g, b, eps):
    n = x.shape[0]
    xr = x.astype(np.float64).reshape(n, groups, -1)
    m, v = xr.mean(-1, keepdims=True), xr.var(-1, keepdims=True)
    y = (xr - m) / np.sqrt(v + eps) * g.reshape(1, groups, 1) + b.reshape(1, groups, 1)
    return y.reshape(x.shape), m.reshape(n, groups), np.sqrt(v + eps).reshape(n, groups)


# ---------------------------------------------------------------------------
# GroupNorm
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("shape,groups", [((2, 4, 3, 3), 2), ((3, 6, 5), 3), ((2, 4, 2, 2, 2), 1),
                                          ((2, 4, 3), 4), ((2, 8, 20, 20), 4)])
def test_groupnorm_forward(rng, dtype, shape, groups):
    x = (rng.standard_normal(shape) * 2 + 1).astype(dtype)
    g = rng.uniform(0.5, 1.5, groups).astype(dtype)
    b = rng.standard_normal(groups).astype(dtype)
    outs = mx.nd.GroupNorm(nd(x), nd(g), nd(b), num_groups=groups, output_mean_var=True)
    ref = gn_reference(x, groups, g.astype(np.float64), b.astype(np.float64), 1e-5)
    tol = TOL[dtype]
    for got, want in zip(outs, ref):
        assert got.dtype == np.dtype(dtype) and got.shape == want.shape
        np.testing.assert_allclose(got.asnumpy(), want, rtol=tol, atol=tol * 4)
    assert isinstance(mx.nd.GroupNorm(nd(x), nd(g), nd(b), num_groups=groups), mx.nd.NDArray)


@pytest.mark.parametrize("shape,groups", [((2, 4, 3, 3), 2), ((3, 6, 5), 3), ((2, 4, 3), 4)])
def test_groupnorm_gradient(rng, shape, groups):
    check_numeric_gradient(lambda x, g, b: mx.nd.GroupNorm(x, g, b, num_groups=groups, eps=1e-3),
                           [rng.standard_normal(shape), rng.uniform(0.5, 1.5, groups),
                            rng.standard_normal(groups)])


def test_backward_groupnorm_kernel_directly(rng):
    x, g, b = rng.standard_normal((2, 4, 3)), rng.uniform(0.5, 1.5, 2), rng.standard_normal(2)
    dy = rng.standard_normal(x.shape)
    fn = lambda x, g, b: mx.nd.GroupNorm(x, g, b, num_groups=2)
    numeric = numeric_grad(fn, [x, g, b], [dy])
    _, mean, std = mx.nd.GroupNorm(nd(x), nd(g), nd(b), num_groups=2, output_mean_var=True)
    got = mx.nd._backward_GroupNorm(nd(dy), nd(x), nd(g), mean, std, num_groups=2)
    for a, want in zip(got, numeric):
        np.testing.assert_allclose(a.asnumpy(), want, rtol=1e-5, atol=1e-7)


def test_groupnorm_bad_arguments():
    x = mx.nd.ones((2, 4, 3))
    with pytest.raises(ValueError, match=r"GroupNorm: argument 'gamma' has shape \(4,\) but "
                                         r"expected \(2,\): one entry per group"):
        mx.nd.GroupNorm(x, mx.nd.ones(4), mx.nd.ones(2), num_groups=2)
    with pytest.raises(ValueError, match="4 channels .* are not divisible"):
        mx.nd.GroupNorm(x, mx.nd.ones(3), mx.nd.ones(3), num_groups=3)
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        mx.nd.GroupNorm(mx.nd.ones((2, 4)), mx.nd.ones(1), mx.nd.ones(1))
    with pytest.raises(ValueError, match="'num_groups' must be at least 1"):
        mx.nd.GroupNorm(x, mx.nd.ones(1), mx.nd.ones(1), num_groups=0)


# ---------------------------------------------------------------------------
# InstanceNorm
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("shape", [(2, 4, 3, 3), (3, 5, 7), (2, 3, 2, 2, 4), (2, 3, 40, 40)])
def test_instancenorm_forward(rng, dtype, shape):
    x = (rng.standard_normal(shape) * 2 - 1).astype(dtype)
    c = shape[1]
    g, b = rng.uniform(0.5, 1.5, c).astype(dtype), rng.standard_normal(c).astype(dtype)
    out = mx.nd.InstanceNorm(nd(x), nd(g), nd(b), eps=1e-3)
    assert isinstance(out, mx.nd.NDArray) and out.dtype == np.dtype(dtype)
    xd = x.astype(np.float64)
    ax = tuple(range(2, len(shape)))
    bs = (1, c) + (1,) * (len(shape) - 2)
    want = ((xd - xd.mean(axis=ax, keepdims=True)) / np.sqrt(xd.var(axis=ax, keepdims=True) + 1e-3)
            * g.astype(np.float64).reshape(bs) + b.astype(np.float64).reshape(bs))
    tol = TOL[dtype]
    np.testing.assert_allclose(out.asnumpy(), want, rtol=tol, atol=tol * 4)


@pytest.mark.parametrize("shape", [(2, 4, 3, 3), (3, 2, 5)])
def test_instancenorm_gradient(rng, shape):
    c = shape[1]
    check_numeric_gradient(lambda x, g, b: mx.nd.InstanceNorm(x, g, b),
                           [rng.standard_normal(shape), rng.uniform(0.5, 1.5, c),
                            rng.standard_normal(c)])


def test_instancenorm_bad_arguments():
    with pytest.raises(ValueError, match="InstanceNorm expects at least 3 dimensions"):
        mx.nd.InstanceNorm(mx.nd.ones((2, 3)), mx.nd.ones(3), mx.nd.ones(3))
    with pytest.raises(ValueError, match=r"InstanceNorm: argument 'gamma' has shape \(2,\)"):
        mx.nd.InstanceNorm(mx.nd.ones((2, 3, 4)), mx.nd.ones(2), mx.nd.ones(3))


# ---------------------------------------------------------------------------
# L2Normalization
# ---------------------------------------------------------------------------

def l2_reference(x, mode, eps):
    ax = {"instance": tuple(range(1, x.ndim)), "channel": (1,),
          "spatial": tuple(range(2, x.ndim))}[mode]
    xd = x.astype(np.float64)
    return xd / np.sqrt((xd ** 2).sum(axis=ax, keepdims=True) + eps)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("mode", ["instance", "channel", "spatial"])
@pytest.mark.parametrize("shape", [(2, 4, 3, 3), (3, 5, 2), (2, 3, 300), (2, 3, 2, 2, 2)])
def test_l2normalization_forward(rng, dtype, mode, shape):
    x = rng.standard_normal(shape).astype(dtype)
    out = mx.nd.L2Normalization(nd(x), mode=mode)
    assert isinstance(out, mx.nd.NDArray) and out.dtype == np.dtype(dtype)
    tol = TOL[dtype]
    np.testing.assert_allclose(out.asnumpy(), l2_reference(x, mode, 1e-10), rtol=tol, atol=tol)


def test_l2normalization_low_rank_instance_mode():
    np.testing.assert_allclose(mx.nd.L2Normalization(mx.nd.array([[3.0, 4.0]])).asnumpy(),
                               [[0.6, 0.8]], rtol=1e-6)
    # 1-D: every element is its own instance (as MXNet)
    np.testing.assert_allclose(mx.nd.L2Normalization(mx.nd.array([3.0, -4.0])).asnumpy(),
                               [1.0, -1.0], rtol=1e-6)


def test_l2normalization_eps(rng):
    x = rng.standard_normal((2, 3)) * 1e-3
    out = mx.nd.L2Normalization(nd(x), eps=1e-4)
    np.testing.assert_allclose(out.asnumpy(), l2_reference(x, "instance", 1e-4), rtol=1e-12)


@pytest.mark.parametrize("mode", ["instance", "channel", "spatial"])
@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 3, 2, 2)])
def test_l2normalization_gradient(rng, mode, shape):
    check_numeric_gradient(lambda x: mx.nd.L2Normalization(x, mode=mode),
                           [rng.standard_normal(shape)])


def test_l2normalization_bad_arguments():
    for mode in ("channel", "spatial"):
        with pytest.raises(ValueError, match=f"mode='{mode}' needs at least 3 dimensions"):
            mx.nd.L2Normalization(mx.nd.ones((2, 3)), mode=mode)
    with pytest.raises(ValueError, match="'mode'"):
        mx.nd.L2Normalization(mx.nd.ones((2, 3)), mode="bogus")
    with pytest.raises(TypeError, match="'data' has dtype int32"):
        mx.nd.L2Normalization(mx.nd.ones((2, 3), dtype="int32"))
