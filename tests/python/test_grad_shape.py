"""Gradients of the shape ops (Reshape, Flatten, expand_dims, squeeze, transpose,
slice, slice_axis, the slice assignments, Concat, stack, split, tile, repeat,
reverse, _copy): against finite differences, and first and second order against
the op's own matrix (grad_helpers.check_linear_op); plus the registry check that
every op of this family declares a gradient or is listed as non-differentiable."""
import numpy as np
import pytest

import mxlite as mx
from mxlite import autograd as ag
from mxlite.test_utils import assert_almost_equal

from grad_helpers import check_first_order, check_linear_op, registered_ops, var

nd = mx.nd

# (id, function of float64 NDArrays, input shapes)
CASES = [
    ("reshape_flat", lambda x: nd.Reshape(x, shape=(-1,)), [(2, 3, 4)]),
    ("reshape_codes", lambda x: nd.Reshape(x, shape=(0, -1)), [(2, 3, 4)]),
    ("reshape_merge", lambda x: nd.Reshape(x, shape=(-3, -2)), [(2, 3, 4)]),
    ("reshape_split", lambda x: nd.Reshape(x, shape=(-4, 2, -1, -2)), [(4, 3, 2)]),
    ("reshape_reverse", lambda x: nd.Reshape(x, shape=(-1, 0), reverse=True), [(2, 3, 4)]),
    ("reshape_target_shape", lambda x: nd.Reshape(x, target_shape=(4, 0)), [(2, 3, 4)]),
    ("reshape_alias", lambda x: nd.reshape(x, shape=(3, 8)), [(2, 3, 4)]),
    ("flatten", lambda x: nd.Flatten(x), [(2, 3, 4)]),
    ("flatten_1d", lambda x: nd.flatten(x), [(5,)]),
    ("expand_dims_front", lambda x: nd.expand_dims(x, axis=0), [(2, 3)]),
    ("expand_dims_back", lambda x: nd.expand_dims(x, axis=-1), [(2, 3)]),
    ("squeeze_all", lambda x: nd.squeeze(x), [(1, 3, 1, 2)]),
    ("squeeze_axis", lambda x: nd.squeeze(x, axis=(2,)), [(1, 3, 1, 2)]),
    ("squeeze_to_1", lambda x: nd.squeeze(x), [(1, 1)]),
    ("transpose_default", lambda x: nd.transpose(x), [(2, 3, 4)]),
    ("transpose_axes", lambda x: nd.transpose(x, axes=(1, 2, 0)), [(2, 3, 4)]),
    ("transpose_negative", lambda x: nd.transpose(x, axes=(-1, 0, 1)), [(2, 3, 4)]),
    ("transpose_1d", lambda x: nd.transpose(x), [(4,)]),
    ("slice_basic", lambda x: nd.slice(x, begin=(1, 0), end=(3, 2)), [(4, 3, 2)]),
    ("slice_steps", lambda x: nd.slice(x, begin=(None, 2, 0), end=(None, None, 4), step=(2, -1, 3)),
     [(5, 3, 5)]),
    ("slice_negative", lambda x: nd.slice(x, begin=(-3,), end=(-1,)), [(5, 2)]),
    ("slice_empty", lambda x: nd.slice(x, begin=(2,), end=(2,)), [(4, 2)]),
    ("crop_alias", lambda x: nd.crop(x, begin=(0, 1), end=(2, 3)), [(3, 4)]),
    ("slice_axis", lambda x: nd.slice_axis(x, axis=1, begin=1, end=3), [(2, 4, 3)]),
    ("slice_axis_neg_none", lambda x: nd.slice_axis(x, axis=-1, begin=-2, end=None), [(2, 4, 3)]),
    ("slice_assign", lambda a, b: nd._slice_assign(a, b, begin=(1, None), end=(3, None),
                                                   step=(1, 2)), [(4, 5), (2, 3)]),
    ("slice_assign_scalar", lambda a: nd._slice_assign_scalar(a, scalar=3.5, begin=(0, 1),
                                                              end=(2, 3)), [(3, 4)]),
    ("concat_unequal", lambda a, b, c: nd.Concat(a, b, c, dim=1, num_args=3),
     [(2, 1, 3), (2, 4, 3), (2, 2, 3)]),
    ("concat_equal_last", lambda a, b: nd.concat(a, b, dim=-1, num_args=2), [(2, 3), (2, 3)]),
    ("concat_axis0", lambda a, b: nd.Concat(a, b, dim=0, num_args=2), [(1, 3), (2, 3)]),
    ("concat_single", lambda a: nd.Concat(a, dim=0, num_args=1), [(2, 3)]),
    ("stack_axis0", lambda a, b, c: nd.stack(a, b, c, axis=0, num_args=3), [(2, 3)] * 3),
    ("stack_last", lambda a, b: nd.stack(a, b, axis=-1, num_args=2), [(2, 3)] * 2),
    ("stack_middle", lambda a, b: nd.stack(a, b, axis=1, num_args=2), [(2, 3)] * 2),
    ("split", lambda x: nd.split(x, num_outputs=3, axis=1), [(2, 6, 2)]),
    ("split_squeeze", lambda x: nd.split(x, num_outputs=3, axis=-1, squeeze_axis=True),
     [(2, 2, 3)]),
    ("split_some_outputs", lambda x: nd.SliceChannel(x, num_outputs=4, axis=0)[1::2], [(4, 3)]),
    ("split_one", lambda x: nd.split(x, num_outputs=1, axis=0), [(2, 3)]),
    ("tile_short_reps", lambda x: nd.tile(x, reps=(2,)), [(2, 3)]),
    ("tile_full", lambda x: nd.tile(x, reps=(2, 1, 3)), [(2, 3, 2)]),
    ("tile_long_reps", lambda x: nd.tile(x, reps=(2, 1, 1, 2)), [(1, 3, 2)]),
    ("tile_ones", lambda x: nd.tile(x, reps=(1, 1)), [(2, 3)]),
    ("repeat_flat", lambda x: nd.repeat(x, repeats=3), [(2, 3)]),
    ("repeat_axis", lambda x: nd.repeat(x, repeats=2, axis=1), [(2, 3, 2)]),
    ("repeat_last", lambda x: nd.repeat(x, repeats=3, axis=-1), [(2, 3)]),
    ("repeat_once", lambda x: nd.repeat(x, repeats=1, axis=0), [(2, 3)]),
    ("reverse", lambda x: nd.reverse(x, axis=(0, 2)), [(2, 3, 4)]),
    ("flip_alias", lambda x: nd.flip(x, axis=1), [(2, 3)]),
    ("copy", lambda x: nd._copy(x), [(2, 3)]),
    ("identity_alias", lambda x: nd.identity(x), [(3,)]),
]


@pytest.mark.parametrize("name,fn,shapes", CASES, ids=[c[0] for c in CASES])
def test_first_order_vs_finite_differences(name, fn, shapes, rng):
    inputs = [rng.standard_normal(s) for s in shapes]
    check_first_order(fn, inputs)


@pytest.mark.parametrize("name,fn,shapes", CASES, ids=[c[0] for c in CASES])
def test_first_and_second_order_vs_op_matrix(name, fn, shapes, rng):
    check_linear_op(fn, [rng.standard_normal(s) for s in shapes], rng)


def test_gradient_keeps_dtype_and_shape(rng):
    for dtype in ("float32", "float16"):
        x = var(rng.standard_normal((2, 3, 4)), dtype=dtype)
        with ag.record():
            y = nd.transpose(nd.Reshape(nd.slice_axis(x, axis=2, begin=1, end=3), shape=(6, 2)))
        head = rng.standard_normal((2, 6)).astype(dtype)
        y.backward(nd.array(head, dtype=dtype))
        expected = np.zeros((2, 3, 4), dtype)
        expected[:, :, 1:3] = head.T.reshape(2, 3, 2)
        assert x.grad.dtype == np.dtype(dtype)
        assert_almost_equal(x.grad.asnumpy(), expected)


def test_empty_inputs_get_zero_gradients():
    x = var(np.zeros((0, 3)))
    with ag.record():
        y = nd.Reshape(nd.tile(x, reps=(2, 1)), shape=(-1,))
    y.backward()
    assert x.grad.shape == (0, 3)
    x = var(np.ones((2, 3)))
    with ag.record():
        y = nd.tile(x, reps=(0, 1))
    y.backward()
    assert_almost_equal(x.grad.asnumpy(), np.zeros((2, 3)))


def test_tile_gradient_of_high_rank_arrays(rng):
    # 31 unit axes and one tiled axis: one reshape of the gradient without the
    # unit axes, not 33 dimensions.
    shape = (1,) * 31 + (2,)
    x = var(rng.standard_normal(shape))
    with ag.record():
        y = nd.tile(x, reps=(1,) * 31 + (3,))
    head = rng.standard_normal(y.shape)
    y.backward(nd.array(head, dtype="float64"))
    assert_almost_equal(x.grad.asnumpy(), head.reshape(-1)[:6].reshape(3, 2).sum(axis=0).reshape(shape))
    shape = (2,) * 9
    x = var(rng.standard_normal(shape))
    with ag.record():
        y = nd.tile(x, reps=(2,) * 9)
    head = rng.standard_normal(y.shape)
    y.backward(nd.array(head, dtype="float64"))
    split = head.reshape(sum(((2, 2) for _ in range(9)), ()))
    assert_almost_equal(x.grad.asnumpy(), split.sum(axis=tuple(range(0, 18, 2))))


def test_split_unused_outputs_get_zero_gradient(rng):
    x = var(rng.standard_normal((2, 6)))
    with ag.record():
        parts = nd.split(x, num_outputs=3, axis=1)
        y = parts[1]
    y.backward(nd.array(np.full((2, 2), 2.0), dtype="float64"))
    expected = np.zeros((2, 6))
    expected[:, 2:4] = 2.0
    assert_almost_equal(x.grad.asnumpy(), expected)


def test_python_indexing_views_flow_gradients(rng):
    x_np = rng.standard_normal((4, 3))
    x = var(x_np)
    with ag.record():
        y = x[1:3].reshape((3, 2))[0]
    y.backward(nd.array([5.0, 7.0], dtype="float64"))
    expected = np.zeros((4, 3))
    expected[1, 0], expected[1, 1] = 5.0, 7.0
    assert_almost_equal(x.grad.asnumpy(), expected)


def test_grad_req_add_accumulates(rng):
    x = var(rng.standard_normal((2, 3)), grad_req="add")
    head = rng.standard_normal((3, 4))
    for _ in range(2):
        with ag.record():
            y = nd.tile(nd.transpose(x), reps=(1, 2))
        y.backward(nd.array(head, dtype="float64"))
    expected = (head[:, :2] + head[:, 2:]).T * 2
    assert_almost_equal(x.grad.asnumpy(), expected)
    z = var(rng.standard_normal((4, 2)), grad_req="add")
    for _ in range(3):
        with ag.record():
            y = nd.slice(z, begin=(1,), end=(3,))
        y.backward()
    expected = np.zeros((4, 2))
    expected[1:3] = 3.0
    assert_almost_equal(z.grad.asnumpy(), expected)


def test_second_order_through_reshape_and_transpose_chain(rng):
    # y = dot(reshape(x), transpose(reshape(w))): dy/dW = H^T X, and
    # d<dy/dW, G>/dX = H G.
    x_np, w_np = rng.standard_normal(6), rng.standard_normal(6)
    H, G = rng.standard_normal((2, 2)), rng.standard_normal(6)
    x, w = var(x_np), var(w_np)
    with ag.record():
        X = nd.Reshape(x, shape=(2, 3))
        W = nd.Reshape(nd.expand_dims(w, axis=0), shape=(2, 3))
        y = nd.dot(X, nd.transpose(W))
        gw = ag.grad(y, w, head_grads=nd.array(H, dtype="float64"), create_graph=True)
    assert_almost_equal(gw.asnumpy(), (H.T @ x_np.reshape(2, 3)).ravel())
    gw.backward(nd.array(G, dtype="float64"))
    assert_almost_equal(x.grad.asnumpy(), (H @ G.reshape(2, 3)).ravel())


def test_third_order_through_tile_transpose_and_dot(rng):
    # y = x^T w^T; with a ones head, g1 = dy/dw has rows s = x.sum(axis=1);
    # z = <g1, w> gives g2 = dz/dx with g2[k, i] = w[:, k].sum(); and
    # d(sum g2)/dw = 3 everywhere (x has 3 columns).
    x_np, w_np = rng.standard_normal((2, 3)), rng.standard_normal((3, 2))
    x, w = var(x_np), var(w_np)
    with ag.record():
        y = nd.dot(nd.transpose(nd.tile(x, reps=(1, 1))), nd.transpose(w))
        g1 = ag.grad(y, w, create_graph=True)
        z = nd.dot(nd.Reshape(g1, shape=(-1,)), nd.Reshape(w, shape=(-1,)))
        g2 = ag.grad(z, x, create_graph=True)
    assert_almost_equal(g1.asnumpy(), np.tile(x_np.sum(axis=1), (3, 1)))
    assert_almost_equal(g2.asnumpy(), np.tile(w_np.sum(axis=0)[:, None], (1, 3)))
    g2.backward()
    assert_almost_equal(w.grad.asnumpy(), np.full((3, 2), 3.0))


# ---------------------------------------------------------------------------
# Every op of the linear-algebra, shape and indexing family declares a gradient
# unless it is listed here.
# ---------------------------------------------------------------------------

FAMILY_FILES = ["dot.cc", "cast.cc", "concat.cc", "copy_like.cc", "reshape.cc", "slice.cc",
                "tile_repeat.cc", "transpose.cc", "indexing.cc", "grad_shape_indexing.cc",
                "random_ops.cc"]
# Samplers without inputs: nothing to differentiate.
NON_DIFFERENTIABLE = {"_random_uniform", "_random_normal", "_random_randint"}


def test_every_family_op_declares_a_gradient_or_is_listed():
    from mxlite.ndarray.register import registry
    ops = {op["name"]: op for op in registry()["ops"]}
    names = registered_ops(FAMILY_FILES)
    assert len(names) >= 30, names
    for name in sorted(names):
        assert name in ops, f"{name} is registered in the sources but not in the registry"
        if name in NON_DIFFERENTIABLE:
            assert not ops[name]["differentiable"], f"{name} is listed as non-differentiable"
        else:
            assert ops[name]["differentiable"], f"{name} declares no gradient"
    assert NON_DIFFERENTIABLE <= names


def test_backward_slice_directly_and_its_checks(rng):
    g = rng.standard_normal((2, 2))
    out = nd._backward_slice(nd.array(g, dtype="float64"), begin=(1, None), end=(None, None),
                             step=(2, -2), shape=(4, 3))
    expected = np.zeros((4, 3))
    expected[1::2, ::-2] = g
    assert_almost_equal(out.asnumpy(), expected)
    with pytest.raises(ValueError, match="_backward_slice.*ograd"):
        nd._backward_slice(nd.zeros((3, 3)), begin=(1,), end=(3,), shape=(4, 3))
