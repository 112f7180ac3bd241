"""Gradients of take, gather_nd, _scatter_set_nd and one_hot, and the hidden
scatter kernels behind them (_backward_take, _backward_gather_nd,
_backward_scatter_set_nd): against finite differences, np.add.at, and first and
second order against the op's matrix."""
import numpy as np
import pytest

import mxlite as mx
from mxlite import autograd as ag
from mxlite.test_utils import assert_almost_equal

from grad_helpers import check_first_order, check_linear_op, var

nd = mx.nd


def idx(values, dtype="int64"):
    return nd.array(np.asarray(values), dtype=dtype)


def take_np_grad(shape, indices, head, axis, mode):
    """take's gradient by np.add.at on positions resolved like the forward."""
    n = shape[axis]
    pos = np.asarray(indices).astype(np.int64)
    if mode == "clip":
        pos = np.clip(pos, 0, n - 1)
    else:  # wrap, and raise's negative indices
        pos = np.mod(pos, n)
    grad = np.zeros(shape, dtype=head.dtype)
    moved = np.moveaxis(grad, axis, 0)
    # head has shape shape[:axis] + indices.shape + shape[axis+1:]
    h = np.moveaxis(head.reshape(shape[:axis] + (pos.size,) + shape[axis + 1:]), axis, 0)
    np.add.at(moved, pos.ravel(), h)
    return grad


# (id, data shape, indices, axis, mode)
TAKE_CASES = [
    ("axis0", (5, 3), [0, 4, 2], 0, "clip"),
    ("duplicates", (4, 3), [1, 1, 3, 1, 0], 0, "clip"),
    ("axis1_2d_indices", (2, 4, 3), [[0, 3], [3, 3]], 1, "clip"),
    ("last_axis", (2, 3, 4), [3, 0, 0, 2], -1, "clip"),
    ("clip_out_of_range", (4, 2), [-3, 7, 1, 10], 0, "clip"),
    ("wrap", (4, 2), [-1, 5, 9, 2, -6], 0, "wrap"),
    ("raise_negative", (4, 2), [-1, -4, 3, -1], 0, "raise"),
    ("scalar_like_index", (3, 2), [2], 0, "clip"),
    ("one_dim_data", (6,), [5, 0, 5, 5], 0, "clip"),
]


@pytest.mark.parametrize("name,shape,indices,axis,mode", TAKE_CASES, ids=[c[0] for c in TAKE_CASES])
def test_take_first_order(name, shape, indices, axis, mode, rng):
    index = idx(indices)
    check_first_order(lambda a: nd.take(a, index, axis=axis, mode=mode),
                      [rng.standard_normal(shape)])


@pytest.mark.parametrize("name,shape,indices,axis,mode", TAKE_CASES, ids=[c[0] for c in TAKE_CASES])
def test_take_gradient_matches_add_at(name, shape, indices, axis, mode, rng):
    a = var(rng.standard_normal(shape))
    with ag.record():
        y = nd.take(a, idx(indices), axis=axis, mode=mode)
    head = rng.standard_normal(y.shape)
    y.backward(nd.array(head, dtype="float64"))
    ax = axis % len(shape)
    assert_almost_equal(a.grad.asnumpy(), take_np_grad(shape, indices, head, ax, mode))


@pytest.mark.parametrize("name,shape,indices,axis,mode", TAKE_CASES, ids=[c[0] for c in TAKE_CASES])
def test_take_second_order(name, shape, indices, axis, mode, rng):
    # The gradient's gradient goes through _backward_take's gradient (take).
    index = idx(indices)
    check_linear_op(lambda a: nd.take(a, index, axis=axis, mode=mode),
                    [rng.standard_normal(shape)], rng)


@pytest.mark.parametrize("index_dtype", ["int32", "int64", "float32", "float64", "uint8"])
def test_take_accepts_any_index_dtype(index_dtype, rng):
    a = var(rng.standard_normal((4, 2)))
    with ag.record():
        y = nd.take(a, idx([3, 1, 3], index_dtype))
    y.backward()
    expected = np.zeros((4, 2))
    expected[1], expected[3] = 1.0, 2.0
    assert_almost_equal(a.grad.asnumpy(), expected)


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_take_gradient_low_precision_accumulates(dtype, rng):
    # 300 copies of row 1: float16 sums in float (300 * 0.1 is not reachable
    # by adding 0.1 in float16 one at a time).
    a = var(np.zeros((3, 4)), dtype=dtype)
    with ag.record():
        y = nd.take(a, idx([1] * 300 + [2]))
    y.backward(nd.array(np.full((301, 4), 0.1), dtype=dtype))
    assert a.grad.dtype == np.dtype(dtype)
    expected = np.zeros((3, 4))
    expected[1], expected[2] = 300 * 0.1, 0.1
    assert_almost_equal(a.grad.asnumpy().astype(np.float64), expected, rtol=2e-3, atol=1e-3)


def test_take_indices_get_no_gradient(rng):
    a = var(rng.standard_normal((4, 2)))
    i = var([1.0, 2.0])
    with ag.record():
        y = nd.take(a, i)
    y.backward()
    assert_almost_equal(i.grad.asnumpy(), np.zeros(2))


def test_take_large_scatter_add(rng):
    # Many rows and duplicates: the parallel grouped kernel against np.add.at.
    data = (5000, 64)
    indices = rng.integers(0, 5000, size=20000)
    a = var(np.zeros(data), dtype="float32")
    head = rng.standard_normal((20000, 64)).astype(np.float32)
    with ag.record():
        y = nd.take(a, idx(indices))
    y.backward(nd.array(head, dtype="float32"))
    expected = np.zeros(data, np.float64)
    np.add.at(expected, indices, head.astype(np.float64))
    assert_almost_equal(a.grad.asnumpy(), expected.astype(np.float32), rtol=1e-4, atol=1e-4)


def test_take_grad_req_add(rng):
    a = var(rng.standard_normal((3, 2)), grad_req="add")
    for _ in range(2):
        with ag.record():
            y = nd.take(a, idx([0, 0, 2]))
        y.backward()
    assert_almost_equal(a.grad.asnumpy(), np.array([[4.0, 4.0], [0.0, 0.0], [2.0, 2.0]]))


def test_embedding_style_second_order(rng):
    # y = dot(take(w, idx), v): g_w = _backward_take(H v^T) depends on v, and
    # d<g_w, G>/dv = take(G, idx)^T H.
    w_np, v_np = rng.standard_normal((5, 3)), rng.standard_normal((3, 2))
    H, G = rng.standard_normal((4, 2)), rng.standard_normal((5, 3))
    indices = [4, 0, 4, 2]
    w, v = var(w_np), var(v_np)
    with ag.record():
        y = nd.dot(nd.take(w, idx(indices)), v)
        gw = ag.grad(y, w, head_grads=nd.array(H, dtype="float64"), create_graph=True)
    expected = np.zeros((5, 3))
    np.add.at(expected, indices, H @ v_np.T)
    assert_almost_equal(gw.asnumpy(), expected)
    gw.backward(nd.array(G, dtype="float64"))
    assert_almost_equal(v.grad.asnumpy(), G[indices].T @ H)


# ---------------------------------------------------------------------------
# gather_nd
# ---------------------------------------------------------------------------

# (id, data shape, indices (M, ...))
GATHER_CASES = [
    ("full_tuples", (3, 4), [[0, 2, 1], [3, 0, 2]]),
    ("duplicates", (3, 4), [[1, 1, 1, 0], [2, 2, 2, 0]]),
    ("rows", (4, 3, 2), [[3, 0, 3]]),
    ("negative", (4, 3), [[-1, 0], [-3, 2]]),
    ("batched_indices", (3, 4, 2), [[[0, 2], [2, 2]], [[1, 3], [3, 3]]]),
]


@pytest.mark.parametrize("name,shape,indices", GATHER_CASES, ids=[c[0] for c in GATHER_CASES])
def test_gather_nd_first_order(name, shape, indices, rng):
    index = idx(indices)
    check_first_order(lambda d: nd.gather_nd(d, index), [rng.standard_normal(shape)])


@pytest.mark.parametrize("name,shape,indices", GATHER_CASES, ids=[c[0] for c in GATHER_CASES])
def test_gather_nd_gradient_matches_add_at(name, shape, indices, rng):
    d = var(rng.standard_normal(shape))
    with ag.record():
        y = nd.gather_nd(d, idx(indices))
    head = rng.standard_normal(y.shape)
    y.backward(nd.array(head, dtype="float64"))
    ind = np.asarray(indices)
    m = ind.shape[0]
    expected = np.zeros(shape)
    flat_idx = tuple(ind[a].ravel() for a in range(m))
    np.add.at(expected, flat_idx, head.reshape((-1,) + shape[m:]))
    assert_almost_equal(d.grad.asnumpy(), expected)


@pytest.mark.parametrize("name,shape,indices", GATHER_CASES, ids=[c[0] for c in GATHER_CASES])
def test_gather_nd_second_order(name, shape, indices, rng):
    index = idx(indices)
    check_linear_op(lambda d: nd.gather_nd(d, index), [rng.standard_normal(shape)], rng)


def test_backward_gather_nd_directly_adds_duplicates(rng):
    data = rng.standard_normal((4, 2))
    out = nd._backward_gather_nd(nd.array(data, dtype="float64"), idx([[1, 0, 1, 1]]),
                                 shape=(3, 2))
    expected = np.zeros((3, 2))
    np.add.at(expected, [1, 0, 1, 1], data)
    assert_almost_equal(out.asnumpy(), expected)


# ---------------------------------------------------------------------------
# _scatter_set_nd
# ---------------------------------------------------------------------------

SCATTER_CASES = [
    ("distinct", (3, 4), [[0, 2], [1, 3]]),
    ("duplicates_last_wins", (3, 4), [[0, 2, 0, 0], [1, 3, 1, 1]]),
    ("rows", (4, 3), [[2, 0, 2]]),
]


@pytest.mark.parametrize("name,shape,indices", SCATTER_CASES, ids=[c[0] for c in SCATTER_CASES])
def test_scatter_set_nd_first_order(name, shape, indices, rng):
    ind = np.asarray(indices)
    region = ind.shape[1:] + shape[ind.shape[0]:]
    index = idx(indices)
    check_first_order(lambda l, r: nd._scatter_set_nd(l, r, index, shape=shape),
                      [rng.standard_normal(shape), rng.standard_normal(region)])


@pytest.mark.parametrize("name,shape,indices", SCATTER_CASES, ids=[c[0] for c in SCATTER_CASES])
def test_scatter_set_nd_second_order(name, shape, indices, rng):
    ind = np.asarray(indices)
    region = ind.shape[1:] + shape[ind.shape[0]:]
    index = idx(indices)
    check_linear_op(lambda l, r: nd._scatter_set_nd(l, r, index, shape=shape),
                    [rng.standard_normal(shape), rng.standard_normal(region)], rng)


def test_scatter_set_nd_duplicate_value_gradients():
    lhs, rhs = var(np.zeros((2, 2))), var([1.0, 2.0, 3.0])
    with ag.record():
        y = nd._scatter_set_nd(lhs, rhs, idx([[0, 1, 0], [1, 0, 1]]), shape=(2, 2))
    head = np.array([[10.0, 20.0], [30.0, 40.0]])
    y.backward(nd.array(head, dtype="float64"))
    assert_almost_equal(y.asnumpy(), [[0.0, 3.0], [2.0, 0.0]])
    assert_almost_equal(rhs.grad.asnumpy(), [0.0, 30.0, 20.0])   # the first write lost
    assert_almost_equal(lhs.grad.asnumpy(), [[10.0, 0.0], [0.0, 40.0]])


# ---------------------------------------------------------------------------
# one_hot and the hidden ops' checks
# ---------------------------------------------------------------------------

def test_one_hot_gives_indices_zero_gradient():
    i = var([0.0, 2.0, 1.0])
    with ag.record():
        y = nd.one_hot(i, depth=3)
    y.backward()
    assert_almost_equal(i.grad.asnumpy(), np.zeros(3))


def test_backward_take_validates_shapes():
    with pytest.raises(mx.MXNetError, match="_backward_take.*ograd"):
        nd._backward_take(nd.zeros((3, 2)), idx([0, 1]), shape=(4, 2))
    with pytest.raises(mx.MXNetError, match="_backward_gather_nd"):
        nd._backward_gather_nd(nd.zeros((3,)), idx([[0, 1]]), shape=(4, 2))
    with pytest.raises(IndexError, match="out of bounds"):
        nd._backward_take(nd.zeros((2, 2)), idx([0, 9]), shape=(4, 2), mode="raise").asnumpy()


def test_backward_take_clip_and_wrap_positions(rng):
    ograd = rng.standard_normal((4, 3))
    for mode, pos in (("clip", [0, 4, 4, 4]), ("wrap", [3, 4, 1, 3])):
        out = nd._backward_take(nd.array(ograd, dtype="float64"), idx([-2, 9, 6, 8]),
                                shape=(5, 3), mode=mode)
        expected = np.zeros((5, 3))
        np.add.at(expected, pos, ograd)
        assert_almost_equal(out.asnumpy(), expected)
