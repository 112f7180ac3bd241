"""Gradients of the reductions (sum, mean, prod, nansum, nanprod, max, min,
norm) and of argmax/argmin (zero).  Oracles: central finite differences in
float64, NumPy formulas, and MXNet 1.9.1's values where they differ from a
naive formula (ties, NaN)."""
import numpy as np
import pytest

import mxlite as mx
from mxlite import autograd as ag
from mxlite.test_utils import assert_almost_equal, check_numeric_gradient

from grad_helpers import autograd_grads, check_second_order, nd64, second_order

RNG = np.random.default_rng(5)
SHAPE = (2, 3, 4)

# Reduction requests: every axis form the ops accept.
REQUESTS = [
    {}, {"keepdims": True}, {"axis": 0}, {"axis": 1}, {"axis": -1},
    {"axis": (0, 2)}, {"axis": (0, 2), "keepdims": True}, {"axis": 1, "exclude": True},
    {"axis": (0, 1), "keepdims": True, "exclude": True}, {"axis": (0, 1, 2)},
]
IDS = [",".join(f"{k}={v}" for k, v in r.items()) or "all" for r in REQUESTS]


def np_axes(req, ndim):
    """The axes a request reduces, as NumPy sees them."""
    if "axis" not in req:
        return tuple(range(ndim))
    axis = req["axis"]
    axes = {a % ndim for a in ((axis,) if isinstance(axis, int) else axis)}
    if req.get("exclude"):
        axes = set(range(ndim)) - axes
    return tuple(sorted(axes))


def distinct(shape):
    """Values with no ties (max/min kinks), spread in [-2, 2]."""
    n = int(np.prod(shape))
    return (RNG.permutation(n) / n * 4 - 2).reshape(shape) + 0.01


@pytest.mark.parametrize("req", REQUESTS, ids=IDS)
@pytest.mark.parametrize("name", ["sum", "mean", "prod", "nansum", "nanprod", "max", "min"])
def test_reduce_first_order(name, req):
    op = getattr(mx.nd, name)
    x = distinct(SHAPE) if name in ("max", "min") else RNG.uniform(0.5, 1.5, SHAPE)
    check_numeric_gradient(lambda a: op(a, **req), [x])


@pytest.mark.parametrize("req", REQUESTS, ids=IDS)
def test_sum_mean_gradient_is_the_broadcast_head(req):
    x = RNG.standard_normal(SHAPE)
    axes = np_axes(req, 3)
    with ag.pause():
        out_shape = mx.nd.sum(nd64(x), **req).shape
    h = RNG.standard_normal(out_shape)
    hk = h.reshape(np.sum(x, axis=axes, keepdims=True).shape)
    (g,) = autograd_grads(lambda a: mx.nd.sum(a, **req), [x], h)
    assert_almost_equal(g, np.broadcast_to(hk, SHAPE), rtol=0, atol=0)
    (g,) = autograd_grads(lambda a: mx.nd.mean(a, **req), [x], h)
    count = np.prod([SHAPE[a] for a in axes])
    assert_almost_equal(g, np.broadcast_to(hk / count, SHAPE), rtol=1e-14, atol=1e-15)


def test_sum_axis_alias_and_max_axis_alias():
    x = distinct((3, 4))
    check_numeric_gradient(lambda a: mx.nd.sum_axis(a, axis=1), [x])
    check_numeric_gradient(lambda a: mx.nd.max_axis(a, axis=0), [x])
    check_numeric_gradient(lambda a: mx.nd.min_axis(a, axis=1), [x])


# ---------------------------------------------------------------------------
# prod with zeros, NaN handling, ties
# ---------------------------------------------------------------------------

def exclusive_products(x, axis):
    """prod of every other element of x's group along axis, by naive loops."""
    x = np.moveaxis(x, axis, -1)
    out = np.empty_like(x)
    for idx in np.ndindex(x.shape[:-1]):
        row = x[idx]
        for i in range(row.size):
            out[idx + (i,)] = np.prod(np.delete(row, i))
    return np.moveaxis(out, -1, axis)


@pytest.mark.parametrize("zeros", [0, 1, 2, 3])
def test_prod_gradient_with_zeros_is_exact(zeros):
    # One row per case: no zero, one zero, two zeros, all zeros.
    x = RNG.uniform(0.5, 2, (3, 4)) * RNG.choice([-1, 1], (3, 4))
    x[:, :zeros] = 0
    x = np.stack([RNG.permutation(row) for row in x])
    h = RNG.standard_normal(3)
    (g,) = autograd_grads(lambda a: mx.nd.prod(a, axis=1), [x], h)
    assert np.isfinite(g).all()
    assert_almost_equal(g, exclusive_products(x, 1) * h[:, None], rtol=1e-12, atol=1e-14)


def test_prod_zero_gradient_matches_finite_differences():
    # Away from the kink-free assumption of y / x: a zero in the group.
    x = np.array([[0.0, 1.5, -2.0], [0.7, 0.0, 0.0], [1.2, 0.9, -0.8]])
    check_numeric_gradient(lambda a: mx.nd.prod(a, axis=1), [x])
    check_numeric_gradient(lambda a: mx.nd.prod(a), [x[[0, 2]]])


def test_nan_reductions_give_zero_at_nan():
    # MXNet 1.9.1: nansum -> [0, 1, 1]; nanprod -> [0, -2, 1] for [nan, 1, -2].
    x = [np.nan, 1.0, -2.0]
    h = [1.0]
    assert autograd_grads(mx.nd.nansum, [x], h)[0].tolist() == [0.0, 1.0, 1.0]
    assert autograd_grads(mx.nd.nanprod, [x], h)[0].tolist() == [0.0, -2.0, 1.0]
    x = np.array([[np.nan, 2.0, 0.0], [1.5, np.nan, np.nan]])
    (g,) = autograd_grads(lambda a: mx.nd.nanprod(a, axis=1), [x], [2.0, 3.0])
    assert g.tolist() == [[0.0, 0.0, 4.0], [3.0, 0.0, 0.0]]


def test_max_min_gradient_goes_to_every_tie():
    # MXNet 1.9.1 gives the whole gradient to each position equal to the max.
    assert autograd_grads(mx.nd.max, [[1.0, 3.0, 3.0]], [1.0])[0].tolist() == [0.0, 1.0, 1.0]
    x = np.array([[1.0, 1.0, 0.0], [2.0, -1.0, -1.0]])
    (g,) = autograd_grads(lambda a: mx.nd.min(a, axis=1, keepdims=True), [x], [[2.0], [5.0]])
    assert g.tolist() == [[0.0, 0.0, 2.0], [0.0, 5.0, 5.0]]
    (g,) = autograd_grads(lambda a: mx.nd.max(a, axis=0), [x], [1.0, 2.0, 3.0])
    assert g.tolist() == [[0.0, 2.0, 3.0], [1.0, 0.0, 0.0]]


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_reductions_have_zero_gradient(name):
    # MXNet 1.9.1 gives zeros (not an error) through argmax/argmin.
    x = distinct((3, 4))
    (g,) = autograd_grads(lambda a: getattr(mx.nd, name)(a, axis=1), [x], [1.0, 2.0, 3.0])
    assert g.shape == (3, 4) and np.all(g == 0)
    (g,) = autograd_grads(lambda a: getattr(mx.nd, name)(a), [x], [1.0])
    assert np.all(g == 0)


# ---------------------------------------------------------------------------
# norm
# ---------------------------------------------------------------------------

NORM_REQUESTS = [{}, {"axis": 1}, {"axis": (0, 2)}, {"axis": -1, "keepdims": True},
                 {"axis": (0, 1, 2), "keepdims": True}]


@pytest.mark.parametrize("req", NORM_REQUESTS, ids=str)
@pytest.mark.parametrize("ord_", [1, 2])
def test_norm_first_order(ord_, req):
    x = distinct(SHAPE)  # no zeros (|x|'s kink)
    check_numeric_gradient(lambda a: mx.nd.norm(a, ord=ord_, **req), [x])


def test_norm_gradient_formula():
    x = RNG.standard_normal((3, 5))
    h = RNG.standard_normal(3)
    (g,) = autograd_grads(lambda a: mx.nd.norm(a, axis=1), [x], h)
    n = np.sqrt((x * x).sum(axis=1, keepdims=True))
    assert_almost_equal(g, x / n * h[:, None], rtol=1e-12, atol=1e-14)
    (g,) = autograd_grads(lambda a: mx.nd.norm(a, ord=1, axis=1), [x], h)
    assert_almost_equal(g, np.sign(x) * h[:, None], rtol=0, atol=0)


def test_norm_at_zero():
    # ord=1: sign(0) = 0 as in MXNet.  ord=2: 0 (a subgradient) where MXNet
    # divides 0 by 0 and returns NaN.
    x = np.array([[0.0, 0.0, 0.0], [3.0, 0.0, -4.0]])
    (g,) = autograd_grads(lambda a: mx.nd.norm(a, axis=1), [x], [1.0, 1.0])
    assert_almost_equal(g, [[0.0, 0.0, 0.0], [0.6, 0.0, -0.8]], rtol=1e-15, atol=0)
    (g,) = autograd_grads(lambda a: mx.nd.norm(a, ord=1, axis=1), [x], [1.0, 1.0])
    assert g.tolist() == [[0.0, 0.0, 0.0], [1.0, 0.0, -1.0]]


def test_norm_out_dtype_gradient_has_input_dtype():
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    a = mx.nd.array(x, dtype="float32")
    a.attach_grad()
    with ag.record():
        y = mx.nd.norm(a, axis=1, out_dtype="float64")
    y.backward(nd64([1.0, 2.0]))
    assert a.grad.dtype == np.float32
    n = np.sqrt((x.astype(np.float64) ** 2).sum(axis=1, keepdims=True))
    assert_almost_equal(a.grad.asnumpy(), x / n * [[1.0], [2.0]], rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------
# Second order
# ---------------------------------------------------------------------------

def test_sum_second_order_analytic():
    # f = sum(sin(x), axis=1): d/dx <f', h1> = cos(x) h1; differentiated
    # against h2 it is -sin(x) h1 h2, which needs sum's gradient (a
    # broadcast) to be differentiable.
    x = RNG.standard_normal((3, 4))
    h1, h2 = RNG.standard_normal(3), RNG.standard_normal((3, 4))
    (g,) = second_order(lambda a: mx.nd.sum(mx.nd.sin(a), axis=1), [x], h1, [h2])
    assert_almost_equal(g, -np.sin(x) * h1[:, None] * h2, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("req", [{}, {"axis": 0}, {"axis": 1}, {"axis": (0, 2), "keepdims": True},
                                 {"axis": 1, "exclude": True}], ids=str)
@pytest.mark.parametrize("name", ["sum", "mean", "prod", "nansum", "nanprod", "max", "min"])
def test_reduce_second_order(name, req):
    op = getattr(mx.nd, name)
    x = distinct(SHAPE) if name in ("max", "min") else RNG.uniform(0.5, 1.5, SHAPE)
    # Squared so the second derivative is non-trivial for the linear ones.
    check_second_order(lambda a: op(a * a, **req) * op(a, **req), [x], RNG)


def test_prod_second_order_analytic():
    # f = prod(x) over 3 elements: d2f/dxi dxj = x_k (the third one), 0 on the diagonal.
    x = np.array([0.7, -1.3, 2.0])
    h2 = RNG.standard_normal(3)
    (g,) = second_order(mx.nd.prod, [x], np.ones(1), [h2])
    hess = np.array([[0, x[2], x[1]], [x[2], 0, x[0]], [x[1], x[0], 0]])
    assert_almost_equal(g, hess @ h2, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("ord_", [1, 2])
def test_norm_second_order(ord_):
    check_second_order(lambda a: mx.nd.norm(a, ord=ord_, axis=1) * mx.nd.sum(a, axis=1),
                       [distinct((3, 4))], RNG)


def test_reduce_grad_req_add():
    x = RNG.standard_normal((3, 4))
    a = nd64(x)
    a.attach_grad(grad_req="add")
    for _ in range(2):
        with ag.record():
            y = mx.nd.mean(a, axis=0) + mx.nd.max(a, axis=0)
        y.backward()
    want = 2 * (1 / 3 + (x == x.max(axis=0)))
    assert_almost_equal(a.grad.asnumpy(), want, rtol=1e-14, atol=1e-15)


def test_zero_size_reductions():
    x = np.zeros((0, 3))
    (g,) = autograd_grads(lambda a: mx.nd.sum(a, axis=0), [x], [1.0, 2.0, 3.0])
    assert g.shape == (0, 3)
    (g,) = autograd_grads(lambda a: mx.nd.prod(a, axis=1), [x], np.zeros(0))
    assert g.shape == (0, 3)
