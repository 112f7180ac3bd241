"""BatchNorm and LayerNorm against NumPy formulas, their gradients against central
finite differences in float64 (through autograd and through the _backward_ kernels
directly), the oneDNN paths against our own loops, and bad arguments.

MXNet 1.9 facts the tests pin down: BatchNorm's extra outputs are the mean and the
*inverse* standard deviation used; the batch variance is biased (divided by the count);
training mode updates moving = moving * momentum + batch * (1 - momentum); float16 data
takes float32 parameters; fix_gamma=True ignores gamma and gives it a zero gradient.
"""
import numpy as np
import pytest

import mxlite as mx
from mxlite.test_utils import check_numeric_gradient, numeric_grad

TOL = {"float16": 3e-3, "float32": 2e-5, "float64": 1e-12}


def nd(x, dtype=None):
    x = np.asarray(x)
    return mx.nd.array(x, dtype=dtype or x.dtype)


def bn_reference(x, gamma, beta, mean, var, axis, eps):
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    r = lambda v: np.asarray(v, np.float64).reshape(shape)
    return (x.astype(np.float64) - r(mean)) / np.sqrt(r(var) + eps) * r(gamma) + r(beta)


def bn_inputs(rng, shape, axis, dtype):
    c = shape[axis]
    pdt = "float32" if dtype == "float16" else dtype
    x = (rng.standard_normal(shape) * 2 + 1).astype(dtype)
    gamma = rng.uniform(0.5, 1.5, c).astype(pdt)
    beta = rng.standard_normal(c).astype(pdt)
    mm = (rng.standard_normal(c) * 0.1).astype(pdt)
    mv = rng.uniform(0.5, 2.0, c).astype(pdt)
    return x, gamma, beta, mm, mv


# ---------------------------------------------------------------------------
# BatchNorm forward
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("shape,axis", [((4, 3, 5, 5), 1), ((8, 3), 1), ((4, 5, 3), -1),
                                        ((2, 3, 40, 40), 1), ((3, 4, 2, 5), 2), ((6, 2), 0)])
def test_batchnorm_train_uses_batch_stats_and_updates_moving(rng, dtype, shape, axis):
    x, g, b, mm, mv = bn_inputs(rng, shape, axis, dtype)
    mm_nd, mv_nd = nd(mm), nd(mv)
    with mx.autograd.train_mode():
        out, mean, invstd = mx.nd.BatchNorm(nd(x), nd(g), nd(b), mm_nd, mv_nd, fix_gamma=False,
                                            axis=axis, momentum=0.8, output_mean_var=True)
    ax = axis % x.ndim
    red = tuple(i for i in range(x.ndim) if i != ax)
    xd = x.astype(np.float64)
    bm, bv = xd.mean(axis=red), xd.var(axis=red)  # biased variance, as MXNet
    tol = TOL[dtype]
    assert out.dtype == np.dtype(dtype) and mean.dtype == g.dtype
    np.testing.assert_allclose(out.asnumpy(), bn_reference(x, g, b, bm, bv, ax, 1e-3),
                               rtol=tol, atol=tol * 4)
    np.testing.assert_allclose(mean.asnumpy(), bm, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(invstd.asnumpy(), 1 / np.sqrt(bv + 1e-3), rtol=1e-5)
    np.testing.assert_allclose(mm_nd.asnumpy(), mm * 0.8 + bm * 0.2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mv_nd.asnumpy(), mv * 0.8 + bv * 0.2, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_batchnorm_inference_uses_moving_stats_and_leaves_them(rng, dtype):
    x, g, b, mm, mv = bn_inputs(rng, (4, 3, 6), 1, dtype)
    mm_nd, mv_nd = nd(mm), nd(mv)
    out, mean, invstd = mx.nd.BatchNorm(nd(x), nd(g), nd(b), mm_nd, mv_nd, fix_gamma=False,
                                        output_mean_var=True)
    tol = TOL[dtype]
    np.testing.assert_allclose(out.asnumpy(), bn_reference(x, g, b, mm, mv, 1, 1e-3),
                               rtol=tol, atol=tol * 4)
    np.testing.assert_allclose(mean.asnumpy(), mm, rtol=1e-6)
    np.testing.assert_allclose(invstd.asnumpy(), 1 / np.sqrt(mv.astype(np.float64) + 1e-3), rtol=1e-5)
    np.testing.assert_array_equal(mm_nd.asnumpy(), mm)
    np.testing.assert_array_equal(mv_nd.asnumpy(), mv)


def test_batchnorm_use_global_stats_in_training(rng):
    x, g, b, mm, mv = bn_inputs(rng, (4, 3, 5), 1, "float64")
    mm_nd, mv_nd = nd(mm), nd(mv)
    with mx.autograd.train_mode():
        out = mx.nd.BatchNorm(nd(x), nd(g), nd(b), mm_nd, mv_nd, fix_gamma=False,
                              use_global_stats=True, eps=1e-4)
    np.testing.assert_allclose(out.asnumpy(), bn_reference(x, g, b, mm, mv, 1, 1e-4), rtol=1e-12)
    np.testing.assert_array_equal(mm_nd.asnumpy(), mm)
    np.testing.assert_array_equal(mv_nd.asnumpy(), mv)


def test_batchnorm_fix_gamma_ignores_gamma(rng):
    x, g, b, mm, mv = bn_inputs(rng, (4, 3, 5), 1, "float64")
    out = mx.nd.BatchNorm(nd(x), nd(g), nd(b), nd(mm), nd(mv))  # fix_gamma defaults to True
    np.testing.assert_allclose(out.asnumpy(), bn_reference(x, np.ones(3), b, mm, mv, 1, 1e-3),
                               rtol=1e-12)
    g_nd = nd(g)
    mx.nd.BatchNorm(nd(x), g_nd, nd(b), nd(mm), nd(mv)).wait_to_read()
    np.testing.assert_array_equal(g_nd.asnumpy(), g)  # gamma itself is not rewritten


def test_batchnorm_visible_outputs(rng):
    x, g, b, mm, mv = bn_inputs(rng, (2, 3), 1, "float32")
    assert isinstance(mx.nd.BatchNorm(nd(x), nd(g), nd(b), nd(mm), nd(mv)), mx.nd.NDArray)
    outs = mx.nd.BatchNorm(nd(x), nd(g), nd(b), nd(mm), nd(mv), output_mean_var=True)
    assert [o.shape for o in outs] == [(2, 3), (3,), (3,)]


def test_batchnorm_moving_stats_converge_over_steps(rng):
    x, g, b, _, _ = bn_inputs(rng, (16, 2, 8), 1, "float64")
    mm_nd, mv_nd = mx.nd.zeros(2, dtype="float64"), mx.nd.ones(2, dtype="float64")
    for _ in range(200):
        with mx.autograd.train_mode():
            mx.nd.BatchNorm(nd(x), nd(g), nd(b), mm_nd, mv_nd, momentum=0.9).wait_to_read()
    np.testing.assert_allclose(mm_nd.asnumpy(), x.mean(axis=(0, 2)), rtol=1e-6)
    np.testing.assert_allclose(mv_nd.asnumpy(), x.var(axis=(0, 2)), rtol=1e-6)


# ---------------------------------------------------------------------------
# BatchNorm gradients
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape,axis", [((4, 3, 5, 5), 1), ((8, 3), 1), ((4, 5, 3), -1),
                                        ((2, 3, 6, 7), 1)])
@pytest.mark.parametrize("fix_gamma", [False, True])
@pytest.mark.parametrize("use_global_stats", [False, True])
def test_batchnorm_gradient(rng, shape, axis, fix_gamma, use_global_stats):
    _, g, b, mm, mv = bn_inputs(rng, shape, axis, "float64")
    x = rng.standard_normal(shape)
    fn = lambda x, g, b: mx.nd.BatchNorm(x, g, b, nd(mm), nd(mv), fix_gamma=fix_gamma,
                                         use_global_stats=use_global_stats, axis=axis)
    check_numeric_gradient(fn, [x, g, b])
    if fix_gamma:
        xa, ga, ba = nd(x), nd(g), nd(b)
        for a in (xa, ga, ba):
            a.attach_grad()
        with mx.autograd.record():
            y = fn(xa, ga, ba)
        y.backward()
        np.testing.assert_array_equal(ga.grad.asnumpy(), np.zeros(g.shape))


def test_batchnorm_gradient_recorded_in_predict_mode_treats_stats_as_constants(rng):
    _, g, b, mm, mv = bn_inputs(rng, (4, 3, 2), 1, "float64")
    fn = lambda x, g, b: mx.nd.BatchNorm(x, g, b, nd(mm), nd(mv), fix_gamma=False)
    check_numeric_gradient(fn, [rng.standard_normal((4, 3, 2)), g, b], use_forward_train=False)


def test_backward_batchnorm_kernel_directly(rng):
    x = rng.standard_normal((5, 2, 3))
    _, g, b, mm, mv = bn_inputs(rng, (5, 2, 3), 1, "float64")
    dy = rng.standard_normal(x.shape)
    fn = lambda x, g, b: mx.nd.BatchNorm(x, g, b, nd(mm), nd(mv), fix_gamma=False)
    numeric = numeric_grad(fn, [x, g, b], [dy])
    mean, var = x.mean(axis=(0, 2)), x.var(axis=(0, 2))
    dx, dg, db = mx.nd._backward_BatchNorm(nd(dy), nd(x), nd(g), nd(mean),
                                           nd(1 / np.sqrt(var + 1e-3)), fix_gamma=False)
    for got, want in zip((dx, dg, db), numeric):
        np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("shape,axis", [((8, 16, 12, 12), 1), ((64, 32), 1), ((4, 6, 5), -1)])
@pytest.mark.parametrize("use_global_stats", [False, True])
def test_batchnorm_onednn_matches_own_loops(rng, monkeypatch, shape, axis, use_global_stats):
    x, g, b, mm, mv = bn_inputs(rng, shape, axis, "float32")
    dy = rng.standard_normal(shape).astype("float32")
    results = {}
    for policy in ("1", "0"):
        monkeypatch.setenv("MXL_NORM_DNNL", policy)
        xa, ga, ba, mma, mva = nd(x), nd(g), nd(b), nd(mm), nd(mv)
        for a in (xa, ga, ba):
            a.attach_grad()
        with mx.autograd.record():
            y = mx.nd.BatchNorm(xa, ga, ba, mma, mva, fix_gamma=False, axis=axis,
                                use_global_stats=use_global_stats)
        y.backward(nd(dy))
        results[policy] = [a.asnumpy() for a in (y, xa.grad, ga.grad, ba.grad, mma, mva)]
    for a, c in zip(results["1"], results["0"]):
        np.testing.assert_allclose(a, c, rtol=1e-4, atol=1e-4 * max(1.0, np.abs(c).max()))


# ---------------------------------------------------------------------------
# BatchNorm errors
# ---------------------------------------------------------------------------

def test_batchnorm_bad_arguments():
    x = mx.nd.ones((2, 3, 4))
    c3 = lambda: mx.nd.ones(3)
    with pytest.raises(ValueError, match=r"BatchNorm: argument 'gamma' has shape \(2,\)"):
        mx.nd.BatchNorm(x, mx.nd.ones(2), c3(), c3(), c3())
    with pytest.raises(ValueError, match="moving_var"):
        mx.nd.BatchNorm(x, c3(), c3(), c3(), mx.nd.ones((3, 1)))
    with pytest.raises(IndexError, match="BatchNorm: argument 'axis' is 3"):
        mx.nd.BatchNorm(x, c3(), c3(), c3(), c3(), axis=3)
    with pytest.raises(ValueError, match="'eps' must be a positive number"):
        mx.nd.BatchNorm(x, c3(), c3(), c3(), c3(), eps=0)
    with pytest.raises(TypeError, match="'gamma' has dtype float16 but expected float32"):
        h = lambda: mx.nd.ones(3, dtype="float16")
        mx.nd.BatchNorm(mx.nd.ones((2, 3), dtype="float16"), h(), h(), h(), h())
    with pytest.raises(TypeError, match="'data' has dtype int32"):
        i = lambda: mx.nd.ones(3, dtype="int32")
        mx.nd.BatchNorm(mx.nd.ones((2, 3), dtype="int32"), i(), i(), i(), i())
    with pytest.raises(ValueError, match="expected 5 inputs"):
        mx.nd.BatchNorm(x, c3(), c3())


def test_batchnorm_accepts_mxnet_only_params():
    x = mx.nd.ones((2, 3))
    c = lambda: mx.nd.ones(3)
    out = mx.nd.BatchNorm(x, c(), c(), c(), c(), cudnn_off=True, min_calib_range=-1.0,
                          max_calib_range=1.0)
    assert out.shape == (2, 3)


# ---------------------------------------------------------------------------
# LayerNorm
# ---------------------------------------------------------------------------

def ln_reference(x, g, b, axis, eps):
    xd = x.astype(np.float64)
    m = xd.mean(axis=axis, keepdims=True)
    v = xd.var(axis=axis, keepdims=True)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    return (xd - m) / np.sqrt(v + eps) * g.reshape(shape) + b.reshape(shape), m, np.sqrt(v + eps)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("shape,axis", [((4, 7), -1), ((3, 5, 6), 1), ((2, 3, 4), 0),
                                        ((300, 40), -1), ((2, 300, 3), -2), ((5,), 0)])
def test_layernorm_forward(rng, dtype, shape, axis):
    x = (rng.standard_normal(shape) * 3 + 2).astype(dtype)
    c = shape[axis]
    g, b = rng.uniform(0.5, 1.5, c).astype(dtype), rng.standard_normal(c).astype(dtype)
    out, mean, std = mx.nd.LayerNorm(nd(x), nd(g), nd(b), axis=axis, output_mean_var=True)
    ref = ln_reference(x, g.astype(np.float64), b.astype(np.float64), axis % len(shape), 1e-5)
    tol = TOL[dtype]
    for got, want in zip((out, mean, std), ref):
        assert got.dtype == np.dtype(dtype) and got.shape == want.shape
        np.testing.assert_allclose(got.asnumpy(), want, rtol=tol, atol=tol * 4)
    assert isinstance(mx.nd.LayerNorm(nd(x), nd(g), nd(b), axis=axis), mx.nd.NDArray)


@pytest.mark.parametrize("shape,axis", [((4, 7), -1), ((3, 5, 6), 1), ((2, 3, 4), 0),
                                        ((40, 24), -1)])
def test_layernorm_gradient(rng, shape, axis):
    c = shape[axis]
    check_numeric_gradient(lambda x, g, b: mx.nd.LayerNorm(x, g, b, axis=axis, eps=1e-3),
                           [rng.standard_normal(shape), rng.uniform(0.5, 1.5, c),
                            rng.standard_normal(c)])


def test_backward_layernorm_kernel_directly(rng):
    x, g, b = rng.standard_normal((6, 5)), rng.uniform(0.5, 1.5, 5), rng.standard_normal(5)
    dy = rng.standard_normal(x.shape)
    numeric = numeric_grad(lambda x, g, b: mx.nd.LayerNorm(x, g, b), [x, g, b], [dy])
    _, mean, std = mx.nd.LayerNorm(nd(x), nd(g), nd(b), output_mean_var=True)
    got = mx.nd._backward_LayerNorm(nd(dy), nd(x), nd(g), mean, std)
    for a, want in zip(got, numeric):
        np.testing.assert_allclose(a.asnumpy(), want, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("shape", [(128, 1024), (33, 77), (2, 3, 16)])
def test_layernorm_onednn_matches_own_loops(rng, monkeypatch, shape):
    x = rng.standard_normal(shape).astype("float32")
    c = shape[-1]
    g, b = rng.uniform(0.5, 1.5, c).astype("float32"), rng.standard_normal(c).astype("float32")
    dy = rng.standard_normal(shape).astype("float32")
    results = {}
    for policy in ("1", "0"):
        monkeypatch.setenv("MXL_NORM_DNNL", policy)
        xa, ga, ba = nd(x), nd(g), nd(b)
        for a in (xa, ga, ba):
            a.attach_grad()
        with mx.autograd.record():
            y = mx.nd.LayerNorm(xa, ga, ba)
        y.backward(nd(dy))
        stats = mx.nd.LayerNorm(xa, ga, ba, output_mean_var=True)
        results[policy] = [a.asnumpy() for a in (y, xa.grad, ga.grad, ba.grad, stats[1], stats[2])]
    for a, c in zip(results["1"], results["0"]):
        np.testing.assert_allclose(a, c, rtol=1e-4, atol=1e-4 * max(1.0, np.abs(c).max()))


def test_layernorm_bad_arguments():
    x = mx.nd.ones((2, 3))
    with pytest.raises(ValueError, match=r"LayerNorm: argument 'gamma' has shape \(2,\)"):
        mx.nd.LayerNorm(x, mx.nd.ones(2), mx.nd.ones(3))
    with pytest.raises(IndexError, match="LayerNorm: argument 'axis' is 2"):
        mx.nd.LayerNorm(x, mx.nd.ones(3), mx.nd.ones(3), axis=2)
    with pytest.raises(TypeError, match="'gamma' has dtype float64 but 'data' has dtype float32"):
        mx.nd.LayerNorm(x, mx.nd.ones(3, dtype="float64"), mx.nd.ones(3))
    with pytest.raises(ValueError, match="'eps' must be a non-negative number"):
        mx.nd.LayerNorm(x, mx.nd.ones(3), mx.nd.ones(3), eps=-1)
