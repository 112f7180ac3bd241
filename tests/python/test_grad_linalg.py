"""Gradients of dot, batch_dot, Cast, _copy, zeros_like/ones_like and the random
_like samplers: against finite differences and NumPy's matrix products, with
second-order gradients through dot."""
import numpy as np
import pytest

import mxlite as mx
from mxlite import autograd as ag
from mxlite.test_utils import assert_almost_equal

from grad_helpers import check_first_order, check_linear_op, var

nd = mx.nd

# (lhs shape, rhs shape, transpose_a, transpose_b) for dot, covering 1-D, 2-D
# and N-D operands under every transpose flag the forward accepts.
DOT_CASES = [
    ((4,), (4,), False, False),
    ((3, 4), (4, 5), False, False),
    ((4, 3), (4, 5), True, False),
    ((3, 4), (5, 4), False, True),
    ((4, 3), (5, 4), True, True),
    ((4,), (4, 5), False, False),
    ((3, 4), (4,), False, False),
    ((4,), (5, 4), False, True),
    ((4, 3), (4,), True, False),
    ((2, 3, 4), (4, 5), False, False),
    ((2, 3, 4), (4, 2, 3), False, False),
    ((4, 2, 3), (4, 5), True, False),
    ((2, 3, 4), (5, 2, 4), False, True),
    ((4, 2, 3), (2, 5, 4), True, True),
    ((1, 1), (1, 1), False, False),
    ((3, 1), (1, 2), False, False),
    ((16, 12), (12, 10), False, False),  # large enough for the BLAS path
]


def dot_np(a, b, ta, tb):
    """MXNet's dot by NumPy: lhs as (rows, contracted), rhs as (contracted, cols)."""
    if a.ndim == 1 and b.ndim == 1:
        return np.array([a @ b])
    am = a.reshape(a.shape[0], -1).T if ta else a.reshape(-1, a.shape[-1])
    bm = b.reshape(-1, b.shape[-1]).T if tb else b.reshape(b.shape[0], -1)
    out_shape = (a.shape[1:] if ta else a.shape[:-1]) + (b.shape[:-1] if tb else b.shape[1:])
    return (am @ bm).reshape(out_shape)


def case_id(c):
    return f"{c[0]}x{c[1]}-ta{int(c[2])}-tb{int(c[3])}"


@pytest.mark.parametrize("ls,rs,ta,tb", DOT_CASES, ids=[case_id(c) for c in DOT_CASES])
def test_dot_first_order(ls, rs, ta, tb, rng):
    check_first_order(lambda a, b: nd.dot(a, b, transpose_a=ta, transpose_b=tb),
                      [rng.standard_normal(ls), rng.standard_normal(rs)])


@pytest.mark.parametrize("ls,rs,ta,tb", DOT_CASES, ids=[case_id(c) for c in DOT_CASES])
def test_dot_gradient_matches_numpy_products(ls, rs, ta, tb, rng):
    a_np, b_np = rng.standard_normal(ls), rng.standard_normal(rs)
    a, b = var(a_np), var(b_np)
    with ag.record():
        y = nd.dot(a, b, transpose_a=ta, transpose_b=tb)
    head = rng.standard_normal(y.shape)
    y.backward(nd.array(head, dtype="float64"))
    # The gradient of <dot(a, b), head> by the chain rule on the matrix views.
    am = a_np.reshape(a_np.shape[0], -1) if ta else a_np.reshape(-1, a_np.shape[-1])
    bm = b_np.reshape(-1, b_np.shape[-1]) if tb else b_np.reshape(b_np.shape[0], -1)
    if a_np.ndim == 1 and b_np.ndim == 1:
        am, bm = a_np.reshape(1, -1), b_np.reshape(-1, 1)
    opa, opb = (am.T if ta else am), (bm.T if tb else bm)
    h = head.reshape(opa.shape[0], opb.shape[1])
    da, db = h @ opb.T, opa.T @ h
    assert_almost_equal(a.grad.asnumpy(), (da.T if ta else da).reshape(ls))
    assert_almost_equal(b.grad.asnumpy(), (db.T if tb else db).reshape(rs))
    assert_almost_equal(y.asnumpy(), dot_np(a_np, b_np, ta, tb))


@pytest.mark.parametrize("ls,rs,ta,tb", DOT_CASES[:14], ids=[case_id(c) for c in DOT_CASES[:14]])
def test_dot_second_order_in_each_operand(ls, rs, ta, tb, rng):
    # dot is linear in each operand with the other fixed.
    b_np, a_np = rng.standard_normal(rs), rng.standard_normal(ls)
    b_const, a_const = nd.array(b_np, dtype="float64"), nd.array(a_np, dtype="float64")
    check_linear_op(lambda a: nd.dot(a, b_const, transpose_a=ta, transpose_b=tb), [a_np], rng)
    check_linear_op(lambda b: nd.dot(a_const, b, transpose_a=ta, transpose_b=tb), [b_np], rng)


BATCH_CASES = [
    ((2, 3, 4), (2, 4, 5), False, False),
    ((2, 4, 3), (2, 4, 5), True, False),
    ((2, 3, 4), (2, 5, 4), False, True),
    ((2, 4, 3), (2, 5, 4), True, True),
    ((2, 2, 3, 4), (2, 2, 4, 3), False, False),
    ((3, 1, 4), (3, 4, 1), False, False),
    ((2, 24, 16), (2, 16, 20), False, False),  # BLAS path
]


@pytest.mark.parametrize("ls,rs,ta,tb", BATCH_CASES, ids=[case_id(c) for c in BATCH_CASES])
def test_batch_dot_first_order(ls, rs, ta, tb, rng):
    check_first_order(lambda a, b: nd.batch_dot(a, b, transpose_a=ta, transpose_b=tb),
                      [rng.standard_normal(ls), rng.standard_normal(rs)])


@pytest.mark.parametrize("ls,rs,ta,tb", BATCH_CASES[:6], ids=[case_id(c) for c in BATCH_CASES[:6]])
def test_batch_dot_second_order_in_each_operand(ls, rs, ta, tb, rng):
    a_np, b_np = rng.standard_normal(ls), rng.standard_normal(rs)
    a_c, b_c = nd.array(a_np, dtype="float64"), nd.array(b_np, dtype="float64")
    check_linear_op(lambda a: nd.batch_dot(a, b_c, transpose_a=ta, transpose_b=tb), [a_np], rng)
    check_linear_op(lambda b: nd.batch_dot(a_c, b, transpose_a=ta, transpose_b=tb), [b_np], rng)


def test_dot_second_order_cross_term(rng):
    # g_w = d<dot(x, w), H>/dw = x^T H; d<g_w, G>/dx = H G^T.
    x_np, w_np = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    H, G = rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    x, w = var(x_np), var(w_np)
    with ag.record():
        y = nd.dot(x, w)
        gw = ag.grad(y, w, head_grads=nd.array(H, dtype="float64"), create_graph=True)
    assert_almost_equal(gw.asnumpy(), x_np.T @ H)
    gw.backward(nd.array(G, dtype="float64"))
    assert_almost_equal(x.grad.asnumpy(), H @ G.T)


def test_dot_second_order_of_sum_of_gradient(rng):
    # d/dx sum(d sum(dot(x, w)) / dw) = ones: each x[m, k] enters the gradient
    # of w[k, :] once per output column.
    x, w = var(rng.standard_normal((3, 4))), var(rng.standard_normal((4, 5)))
    with ag.record():
        gw = ag.grad(nd.dot(x, w), w, create_graph=True)
        s = nd.sum(gw)
    s.backward()
    assert_almost_equal(x.grad.asnumpy(), np.full((3, 4), 5.0))


def test_batch_dot_second_order_quadratic(rng):
    # y = batch_dot(x, x^T): the gradient of <y, H> is (H + H^T) x per batch,
    # and d<(H + H^T) x, G>/dx = (H + H^T)^T G.
    x_np = rng.standard_normal((2, 3, 4))
    H, G = rng.standard_normal((2, 3, 3)), rng.standard_normal((2, 3, 4))
    x = var(x_np)
    with ag.record():
        y = nd.batch_dot(x, x, transpose_b=True)
        gx = ag.grad(y, x, head_grads=nd.array(H, dtype="float64"), create_graph=True)
    S = H + H.transpose(0, 2, 1)
    assert_almost_equal(gx.asnumpy(), S @ x_np)
    gx.backward(nd.array(G, dtype="float64"))
    assert_almost_equal(x.grad.asnumpy(), S.transpose(0, 2, 1) @ G)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_dot_gradient_in_low_precision(dtype, rng):
    a_np = rng.standard_normal((24, 16)).astype(dtype)
    b_np = rng.standard_normal((16, 12)).astype(dtype)
    a, b = var(a_np, dtype=dtype), var(b_np, dtype=dtype)
    with ag.record():
        y = nd.dot(a, b)
    head = rng.standard_normal((24, 12)).astype(dtype)
    y.backward(nd.array(head, dtype=dtype))
    assert a.grad.dtype == np.dtype(dtype) and b.grad.dtype == np.dtype(dtype)
    f = np.float64
    assert_almost_equal(a.grad.asnumpy(), (head.astype(f) @ b_np.astype(f).T).astype(dtype),
                        rtol=1e-2, atol=1e-2)
    assert_almost_equal(b.grad.asnumpy(), (a_np.astype(f).T @ head.astype(f)).astype(dtype),
                        rtol=1e-2, atol=1e-2)


@pytest.mark.parametrize("ls,rs", [((3, 0), (0, 4)), ((0, 3), (3, 4)), ((0,), (0,))])
def test_dot_with_empty_operands(ls, rs):
    a, b = var(np.ones(ls)), var(np.ones(rs))
    with ag.record():
        y = nd.dot(a, b)
    y.backward()
    assert a.grad.shape == ls and b.grad.shape == rs
    assert not a.grad.asnumpy().any() and not b.grad.asnumpy().any()


def test_batch_dot_with_empty_contraction():
    a, b = var(np.ones((2, 3, 0))), var(np.ones((2, 0, 4)))
    with ag.record():
        y = nd.batch_dot(a, b)
    y.backward()
    assert a.grad.shape == (2, 3, 0) and b.grad.shape == (2, 0, 4)


def test_grad_req_add_accumulates_dot(rng):
    x_np, w_np = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    x = var(x_np, grad_req="add")
    w = var(w_np, grad_req="add")
    head = rng.standard_normal((3, 2))
    for _ in range(3):
        with ag.record():
            y = nd.dot(x, w)
        y.backward(nd.array(head, dtype="float64"))
    assert_almost_equal(x.grad.asnumpy(), 3 * head @ w_np.T)
    assert_almost_equal(w.grad.asnumpy(), 3 * x_np.T @ head)


def test_only_requested_operand_is_computed(rng):
    # A constant operand gets no gradient buffer written and costs no product.
    x = var(rng.standard_normal((3, 4)))
    w = nd.array(rng.standard_normal((4, 2)), dtype="float64")
    with ag.record():
        y = nd.dot(x, w)
    y.backward()
    assert_almost_equal(x.grad.asnumpy(), np.ones((3, 2)) @ w.asnumpy().T)


# ---------------------------------------------------------------------------
# Cast, _copy, zeros_like, ones_like, random _like samplers
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("src,dst", [("float32", "float64"), ("float64", "float32"),
                                     ("float16", "float32"), ("float32", "float16"),
                                     ("float64", "float64")])
def test_cast_gradient_is_cast_back(src, dst, rng):
    x_np = rng.standard_normal((3, 4)).astype(src)
    x = var(x_np, dtype=src)
    with ag.record():
        y = nd.Cast(x, dtype=dst)
    assert y.dtype == np.dtype(dst)
    head = rng.standard_normal((3, 4)).astype(dst)
    y.backward(nd.array(head, dtype=dst))
    assert x.grad.dtype == np.dtype(src)
    assert_almost_equal(x.grad.asnumpy(), head.astype(src))


def test_cast_first_and_second_order(rng):
    check_first_order(lambda x: nd.cast(x, dtype="float64"), [rng.standard_normal((2, 3))])
    check_linear_op(lambda x: nd.Cast(x, dtype="float64"), [rng.standard_normal((2, 3))], rng)
    # Through float32 and back: the gradient is exact (a cast of the head).
    check_first_order(lambda x: nd.Cast(nd.Cast(x, dtype="float32"), dtype="float64"),
                      [rng.standard_normal((2, 3))], rtol=1e-3, atol=1e-4, numeric_eps=1e-2)


def test_copy_first_and_second_order(rng):
    check_first_order(lambda x: nd._copy(x), [rng.standard_normal((2, 3))])
    check_linear_op(lambda x: nd.identity(x), [rng.standard_normal((4,))], rng)


@pytest.mark.parametrize("op", ["zeros_like", "ones_like", "_random_uniform_like",
                                "_random_normal_like"])
def test_value_independent_ops_have_zero_gradient(op, rng):
    x = var(rng.standard_normal((2, 3)))
    with ag.record():
        y = getattr(nd, op)(x) + x * 2.0
    y.backward()
    assert_almost_equal(x.grad.asnumpy(), np.full((2, 3), 2.0))
    x2 = var(rng.standard_normal((2, 3)))
    with ag.record():
        y = getattr(nd, op)(x2)
    y.backward()
    assert_almost_equal(x2.grad.asnumpy(), np.zeros((2, 3)))


def test_zeros_like_inside_a_second_order_pass(rng):
    # Gradients build zeros (for outputs nobody used); their own gradient is
    # zero, so differentiating such a gradient again works.
    x = var(rng.standard_normal((2, 6)))
    w = var(rng.standard_normal((6,)))
    with ag.record():
        parts = nd.split(x, num_outputs=3, axis=1)  # parts 0 and 2 unused
        y = nd.dot(nd.Reshape(parts[1], shape=(-1,)), w[0:4])
        gx = ag.grad(y, x, create_graph=True)
        z = nd.dot(nd.Reshape(gx, shape=(-1,)), nd.Reshape(x, shape=(-1,)))
    z.backward()
    expected = np.zeros((2, 6))
    expected[:, 2:4] = w.asnumpy()[:4].reshape(2, 2)
    assert_almost_equal(gx.asnumpy(), expected)
    assert_almost_equal(x.grad.asnumpy(), expected)
