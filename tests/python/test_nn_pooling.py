"""Pooling against a naive NumPy loop over output positions, its gradient
(_backward_Pooling) against central finite differences in float64, and bad
parameters.

MXNet 1.9 semantics the oracle encodes: a window [o*s - pad, o*s - pad + k)
clipped to the input; max ignores padding; avg divides by the window clipped
to [-pad, in + pad) when count_include_pad (default) else by the number of
input positions; lp is (sum x^p)^(1/p) without abs; 'full' rounds the output
size up, 'valid' down, 'same' (1-d) gives ceil(in / stride).
"""
import itertools
import math

import numpy as np
import pytest

import mxlite as mx


def pool_ref(x, kernel=(), pool_type="max", stride=(), pad=(), pooling_convention="valid",
             global_pool=False, count_include_pad=True, p_value=None):
    nsp = x.ndim - 2
    ins = x.shape[2:]
    if global_pool:
        kernel, stride, pad = ins, (1,) * nsp, (0,) * nsp
    stride = stride or (1,) * nsp
    pad = pad or (0,) * nsp
    if pooling_convention == "valid":
        outs = [(ins[i] + 2 * pad[i] - kernel[i]) // stride[i] + 1 for i in range(nsp)]
    elif pooling_convention == "full":
        outs = [math.ceil((ins[i] + 2 * pad[i] - kernel[i]) / stride[i]) + 1 for i in range(nsp)]
    else:
        outs = [math.ceil((ins[i] + 2 * pad[i]) / stride[i]) for i in range(nsp)]
    y = np.zeros(x.shape[:2] + tuple(outs), dtype=np.float64)
    for pos in itertools.product(*[range(o) for o in outs]):
        start = [pos[i] * stride[i] - pad[i] for i in range(nsp)]
        end = [start[i] + kernel[i] for i in range(nsp)]
        lo = [max(s, 0) for s in start]
        hi = [min(e, n) for e, n in zip(end, ins)]
        win = x[(slice(None), slice(None)) + tuple(slice(a, b) for a, b in zip(lo, hi))]
        win = win.reshape(x.shape[:2] + (-1,)).astype(np.float64)
        if pool_type == "max":
            r = win.max(axis=2)
        elif pool_type == "sum":
            r = win.sum(axis=2)
        elif pool_type == "avg":
            if count_include_pad:
                size = np.prod([min(e, n + p) - s for s, e, n, p in zip(start, end, ins, pad)])
            else:
                size = np.prod([b - a for a, b in zip(lo, hi)])
            r = win.sum(axis=2) / size
        else:
            acc = (win ** p_value).sum(axis=2)
            r = acc if p_value == 1 else np.sqrt(acc) if p_value == 2 else np.cbrt(acc)
        y[(slice(None), slice(None)) + pos] = r
    return y


def nd(a, dtype):
    return mx.nd.array(a, dtype=dtype)


TOL = {"float32": dict(rtol=1e-5, atol=1e-5), "float64": dict(rtol=1e-12, atol=1e-12),
       "float16": dict(rtol=1e-2, atol=1e-2)}

# (data shape, params)
CASES = [
    ((2, 3, 10), dict(kernel=(3,))),
    ((2, 3, 11), dict(kernel=(3,), stride=(2,), pad=(1,))),
    ((2, 3, 11), dict(kernel=(4,), stride=(3,), pad=(1,), pooling_convention="full")),
    ((2, 3, 10), dict(kernel=(3,), stride=(3,), pooling_convention="same")),
    ((2, 3, 8, 9), dict(kernel=(2, 2), stride=(2, 2))),
    ((2, 3, 8, 9), dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1))),
    ((2, 3, 9, 10), dict(kernel=(3, 2), stride=(2, 3), pad=(1, 0), pooling_convention="full")),
    ((1, 2, 7, 7), dict(kernel=(3, 3), stride=(2, 2), pad=(2, 2), pooling_convention="full")),
    ((2, 4, 6, 7), dict(global_pool=True)),
    ((2, 4, 6, 7), dict(kernel=(1, 1), global_pool=True)),  # kernel ignored
    ((1, 2, 5, 6, 7), dict(kernel=(2, 3, 3), stride=(2, 2, 2), pad=(0, 1, 1))),
    ((1, 2, 5, 6, 7), dict(kernel=(3, 3, 2), stride=(2, 2, 2), pooling_convention="full")),
    ((1, 2, 4, 5, 3), dict(global_pool=True)),
]

TYPES = [dict(pool_type="max"), dict(pool_type="avg"), dict(pool_type="sum"),
         dict(pool_type="avg", count_include_pad=False),
         dict(pool_type="lp", p_value=1), dict(pool_type="lp", p_value=2),
         dict(pool_type="lp", p_value=3)]


def _data(rng, shape, ptype):
    if ptype.get("pool_type") == "lp":
        return rng.uniform(0.5, 1.5, shape)  # away from 0: sqrt/cbrt stay smooth
    return rng.standard_normal(shape)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("ptype", TYPES)
def test_pooling_forward(rng, dtype, case, ptype):
    shape, params = case
    x = _data(rng, shape, ptype)
    kw = dict(params, **ptype)
    expected = pool_ref(x, **kw)
    y = mx.nd.Pooling(nd(x, dtype), **kw)
    assert y.dtype == np.dtype(dtype)
    assert y.shape == expected.shape
    np.testing.assert_allclose(y.asnumpy(), expected, **TOL[dtype])


def test_pooling_float16(rng):
    x = rng.uniform(-2, 2, (2, 3, 8, 8))
    xh = x.astype(np.float16).astype(np.float64)
    for kw in [dict(kernel=(3, 3), stride=(2, 2)), dict(kernel=(2, 2), pool_type="avg")]:
        y = mx.nd.Pooling(nd(x, "float16"), **kw)
        assert y.dtype == np.float16
        np.testing.assert_allclose(y.asnumpy().astype(np.float64), pool_ref(xh, **kw),
                                   **TOL["float16"])


def test_pooling_defaults():
    """Defaults: max pooling, stride 1, no padding, 'valid', count_include_pad None = True."""
    x = np.arange(2 * 1 * 4 * 4, dtype=np.float64).reshape(2, 1, 4, 4)
    y = mx.nd.Pooling(nd(x, "float32"), kernel=(2, 2))
    np.testing.assert_array_equal(y.asnumpy(), pool_ref(x, kernel=(2, 2)))
    avg = mx.nd.Pooling(nd(x, "float64"), kernel=(3, 3), pad=(1, 1), pool_type="avg")
    np.testing.assert_allclose(avg.asnumpy()[0, 0, 0, 0], (0 + 1 + 4 + 5) / 9.0)
    avg_ex = mx.nd.Pooling(nd(x, "float64"), kernel=(3, 3), pad=(1, 1), pool_type="avg",
                           count_include_pad=False)
    np.testing.assert_allclose(avg_ex.asnumpy()[0, 0, 0, 0], (0 + 1 + 4 + 5) / 4.0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pooling_window_outside_the_input(dtype):
    """MXNet accepts 'full' windows that start past the input: max gives the
    dtype's lowest value there, the others 0, and no gradient flows."""
    x = np.ones((1, 1, 1, 9))
    kw = dict(kernel=(1, 2), stride=(1, 3), pooling_convention="full")  # 4th window at 9
    y = mx.nd.Pooling(nd(x, dtype), **kw).asnumpy()
    np.testing.assert_array_equal(y[0, 0, 0], [1, 1, 1, np.finfo(dtype).min])
    for ptype in ("avg", "sum"):
        y = mx.nd.Pooling(nd(x, dtype), pool_type=ptype, **kw).asnumpy()
        assert y[0, 0, 0, 3] == 0
    g = mx.nd._backward_Pooling(nd(np.ones((1, 1, 1, 4)), dtype), nd(x, dtype),
                                mx.nd.Pooling(nd(x, dtype), **kw), **kw)
    np.testing.assert_array_equal(g.asnumpy()[0, 0, 0], [1, 0, 0, 1, 0, 0, 1, 0, 0])


def test_pooling_large_matches_float64(rng):
    """The oneDNN float32 path on a realistic shape against the float64 loops."""
    x = rng.standard_normal((4, 16, 28, 28))
    for kw in [dict(kernel=(3, 3), stride=(2, 2)),
               dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="avg"),
               dict(kernel=(3, 3), stride=(2, 2), pooling_convention="full"),
               dict(global_pool=True, pool_type="avg")]:
        y32 = mx.nd.Pooling(nd(x, "float32"), **kw).asnumpy()
        y64 = mx.nd.Pooling(nd(x, "float64"), **kw).asnumpy()
        np.testing.assert_allclose(y32, y64, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------
# Gradients
# ---------------------------------------------------------------------------

def finite_diff(loss, a, eps=1e-5):
    g = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        old = a[idx]
        a[idx] = old + eps
        fp = loss()
        a[idx] = old - eps
        fm = loss()
        a[idx] = old
        g[idx] = (fp - fm) / (2 * eps)
    return g


GRAD_CASES = [CASES[i] for i in (1, 2, 3, 5, 6, 8, 10)]


@pytest.mark.parametrize("case", GRAD_CASES)
@pytest.mark.parametrize("ptype", TYPES)
def test_pooling_backward_finite_differences(rng, case, ptype):
    shape, params = case
    shape = (1,) + shape[1:]
    x = _data(rng, shape, ptype)
    kw = dict(params, **ptype)
    y = mx.nd.Pooling(nd(x, "float64"), **kw)
    head = rng.standard_normal(y.shape)

    def loss():
        return float((mx.nd.Pooling(nd(x, "float64"), **kw).asnumpy() * head).sum())

    expected = finite_diff(loss, x)
    got = mx.nd._backward_Pooling(nd(head, "float64"), nd(x, "float64"), y, **kw)
    assert got.shape == x.shape
    np.testing.assert_allclose(got.asnumpy(), expected, rtol=1e-6, atol=1e-6)
    # float32 and float16 agree with it.
    for dtype, tol in (("float32", 1e-4), ("float16", 5e-2)):
        xs = nd(x, dtype)
        g = mx.nd._backward_Pooling(nd(head, dtype), xs, mx.nd.Pooling(xs, **kw), **kw)
        assert g.dtype == np.dtype(dtype)
        np.testing.assert_allclose(g.asnumpy().astype(np.float64), expected, rtol=tol, atol=tol)


def test_max_pooling_gradient_goes_to_first_maximum():
    """Ties: MXNet routes the gradient to the first maximum in window order."""
    x = np.zeros((1, 1, 2, 2))
    g = mx.nd._backward_Pooling(nd(np.ones((1, 1, 1, 1)), "float32"), nd(x, "float32"),
                                nd(np.zeros((1, 1, 1, 1)), "float32"), kernel=(2, 2))
    np.testing.assert_array_equal(g.asnumpy(), [[[[1, 0], [0, 0]]]])


# ---------------------------------------------------------------------------
# Bad parameters
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape,kw,match", [
    ((1, 2, 5, 5), dict(kernel=(3, 3), pool_type="median"), "invalid value 'median'.*pool_type"),
    ((1, 2, 5, 5), dict(kernel=(3, 3), stride=(0, 1)), "stride.*> 0"),
    ((1, 2, 5, 5), dict(kernel=(0, 3)), "kernel.*> 0"),
    ((1, 2, 5, 5), dict(kernel=(-2, 3)), "kernel.*> 0"),
    ((1, 2, 5, 5), dict(kernel=(3, 3), pad=(-1, 0)), "pad.*>= 0"),
    ((1, 2, 5, 5), dict(kernel=(7, 3)), "exceeds the input"),
    ((1, 2, 5, 5), dict(kernel=(3,)), "kernel' is \\(3,\\).*2 spatial"),
    ((1, 2, 5, 5), dict(kernel=(3, 3), stride=(1, 1, 1)), "stride"),
    ((1, 2, 5, 5), dict(), "kernel' is required"),
    ((5, 5), dict(kernel=(3, 3)), "argument 'data' has shape \\(5, 5\\)"),
    ((1, 2, 5, 5), dict(kernel=(3, 3), pool_type="lp"), "p_value"),
    ((1, 2, 5, 5), dict(kernel=(3, 3), pool_type="lp", p_value=4), "p_value=4"),
    ((1, 2, 5, 5), dict(kernel=(3, 3), pooling_convention="same"), "'same' supports 1-d"),
    ((1, 2, 5), dict(kernel=(3,), pad=(1,), pooling_convention="same"), "does not allow 'pad'"),
    ((1, 5, 5, 2), dict(kernel=(3, 3), layout="NHWC"), "NHWC' is not supported"),
    ((1, 2, 5, 5), dict(kernel=(3, 3), layout="NCW"), "layout 'NCW' does not match"),
])
def test_pooling_bad_params(shape, kw, match):
    with pytest.raises(mx.MXNetError, match=match):
        mx.nd.Pooling(mx.nd.zeros(shape), **kw)


def test_pooling_bad_dtype_and_backward_shapes():
    with pytest.raises(TypeError, match="float32, float64 or float16"):
        mx.nd.Pooling(mx.nd.zeros((1, 2, 4, 4), dtype="int32"), kernel=(2, 2))
    with pytest.raises(mx.MXNetError, match="argument 'out_grad' has shape"):
        mx.nd._backward_Pooling(mx.nd.zeros((1, 2, 3, 3)), mx.nd.zeros((1, 2, 4, 4)),
                                mx.nd.zeros((1, 2, 2, 2)), kernel=(2, 2), stride=(2, 2))


# ---------------------------------------------------------------------------
# Through autograd
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", [CASES[i] for i in (2, 5, 8, 10)])
@pytest.mark.parametrize("ptype", [TYPES[i] for i in (0, 1, 3, 5)])
def test_pooling_autograd_numeric(rng, case, ptype):
    shape, params = case
    kw = dict(params, **ptype)
    x = _data(rng, (1,) + shape[1:], ptype)
    mx.test_utils.check_numeric_gradient(lambda a: mx.nd.Pooling(a, **kw), [x])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pooling_autograd_head_gradient(rng, dtype):
    x_np = rng.standard_normal((2, 3, 8, 8))
    kw = dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1))
    x = nd(x_np, dtype)
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Pooling(x, **kw)
    head = rng.standard_normal(y.shape)
    y.backward(nd(head, dtype))
    expected = mx.nd._backward_Pooling(nd(head, "float64"), nd(x_np, "float64"),
                                       mx.nd.Pooling(nd(x_np, "float64"), **kw), **kw)
    np.testing.assert_allclose(x.grad.asnumpy(), expected.asnumpy(), **TOL[dtype])


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("train", [True, False])
def test_max_pooling_workspace_matches_float64(rng, case, train):
    """float32 max pooling recorded in train mode keeps oneDNN's argmax record
    (the hidden workspace output) for its backward; in predict mode there is
    none and the backward finds the maxima again.  Both give the float64
    gradient, ties included (integer data makes many)."""
    shape, params = case
    kw = dict(params, pool_type="max")
    x_np = rng.integers(-3, 4, shape).astype(np.float64)
    x = nd(x_np, "float32")
    x.attach_grad()
    with mx.autograd.record(train_mode=train):
        y = mx.nd.Pooling(x, **kw)
    head = rng.standard_normal(y.shape)
    y.backward(nd(head, "float32"))
    expected = mx.nd._backward_Pooling(nd(head, "float64"), nd(x_np, "float64"),
                                       mx.nd.Pooling(nd(x_np, "float64"), **kw), **kw)
    np.testing.assert_allclose(x.grad.asnumpy(), expected.asnumpy(), rtol=1e-5, atol=1e-5)


def test_pooling_workspace_is_hidden_and_checked():
    x = mx.nd.ones((1, 2, 4, 4))
    y = mx.nd.Pooling(x, kernel=(2, 2), stride=(2, 2))
    assert isinstance(y, mx.nd.NDArray) and y.shape == (1, 2, 2, 2)
    sym = mx.sym.Pooling(mx.sym.var("x"), kernel=(2, 2), name="p")
    assert sym.list_outputs() == ["p_output"]
    with pytest.raises(mx.base.MXNetError, match="workspace"):
        mx.nd._backward_Pooling(mx.nd.ones((1, 2, 2, 2)), x, y, mx.nd.ones((3,)),
                                kernel=(2, 2), stride=(2, 2), use_workspace=True)
    with pytest.raises(mx.base.MXNetError, match="workspace"):  # uint8, wrong size
        mx.nd._backward_Pooling(mx.nd.ones((1, 2, 2, 2)), x, y, mx.nd.ones((100000,), dtype="uint8"),
                                kernel=(2, 2), stride=(2, 2), use_workspace=True)
