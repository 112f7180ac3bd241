"""Slicing and integer-array indexing operators (slice, slice_axis,
_slice_assign, _slice_assign_scalar, take, gather_nd, _scatter_set_nd,
one_hot) against NumPy over every dtype, negative positions and steps, and
empty selections."""
import numpy as np
import pytest

import mxlite as mx
from op_helpers import check, make, nd

DTYPES = ["float32", "float64", "float16", "uint8", "int8", "int32", "int64", "bool"]
INDEX_DTYPES = ["int32", "int64", "float32", "uint8"]


def key_of(begin, end, step):
    step = step or (None,) * len(begin)
    return tuple(slice(b, e, s) for b, e, s in zip(begin, end, step))


# ---------------------------------------------------------------------------
# slice / slice_axis
# ---------------------------------------------------------------------------

SLICES = [
    ((1, 1), (3, 3), None), ((None, -1), (None, None), (-1, -2)), ((0,), (100,), (2,)),
    ((-2, None), (None, 1), None), ((2,), (1,), None), ((None, None), (None, None), (-1, -1)),
    ((3, -1), (0, -5), (-2, -1)), ((-100,), (100,), None), ((1, 2, 0), (3, 5, 2), (1, 2, 1)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("begin,end,step", SLICES)
def test_slice(rng, dtype, begin, end, step):
    x = make(rng, (4, 5, 2), dtype)
    kwargs = {"begin": begin, "end": end}
    if step is not None:
        kwargs["step"] = step
    expected = x[key_of(begin, end, step)]
    check(mx.nd.slice(nd(x), **kwargs), expected)
    check(mx.nd.crop(nd(x), **kwargs), expected)


def test_slice_large(rng):
    x = make(rng, (200, 300), "float32")
    check(mx.nd.slice(nd(x), begin=(10, 5), end=(190, 290), step=(3, 1)), x[10:190:3, 5:290])
    check(mx.nd.slice(nd(x), begin=(None, None), end=(None, None), step=(-1, -1)), x[::-1, ::-1])


def test_slice_empty_input(rng):
    x = make(rng, (0, 3), "float32")
    check(mx.nd.slice(nd(x), begin=(0, 1), end=(None, 3)), x[0:, 1:3])


def test_slice_errors():
    x = mx.nd.ones((3, 4))
    with pytest.raises(ValueError, match="Operator slice: argument 'step' has a zero entry"):
        mx.nd.slice(x, begin=(0,), end=(2,), step=(0,))
    with pytest.raises(ValueError, match="Operator slice: argument 'begin' has 3 entries"):
        mx.nd.slice(x, begin=(0, 0, 0), end=(1, 1, 1))
    with pytest.raises(ValueError, match="Operator slice"):
        mx.nd.slice(x, begin=(0, 0), end=(1,))
    with pytest.raises(mx.MXNetError, match="begin"):
        mx.nd.slice(x, end=(1,))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis,begin,end", [(0, 1, 3), (1, 0, None), (-1, -3, -1), (1, 2, 100),
                                            (0, -100, 2), (1, 3, 1)])
def test_slice_axis(rng, dtype, axis, begin, end):
    x = make(rng, (4, 5), dtype)
    key = [slice(None)] * 2
    key[axis] = slice(begin, end)
    check(mx.nd.slice_axis(nd(x), axis=axis, begin=begin, end=end), x[tuple(key)])


def test_slice_axis_errors():
    with pytest.raises(IndexError, match="Operator slice_axis: argument 'axis' is 2"):
        mx.nd.slice_axis(mx.nd.ones((2, 3)), axis=2, begin=0, end=1)


# ---------------------------------------------------------------------------
# _slice_assign / _slice_assign_scalar
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("begin,end,step", SLICES)
def test_slice_assign(rng, dtype, begin, end, step):
    x = make(rng, (4, 5, 2), dtype)
    key = key_of(begin, end, step)
    v = make(rng, x[key].shape, dtype)
    kwargs = {"begin": begin, "end": end}
    if step is not None:
        kwargs["step"] = step
    expected = x.copy()
    expected[key] = v
    check(mx.nd._slice_assign(nd(x), nd(v), **kwargs), expected)
    # In place, as x[key] = v does.
    a = nd(x)
    mx.nd._slice_assign(a, nd(v), out=a, **kwargs)
    check(a, expected)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("begin,end,step", SLICES)
def test_slice_assign_scalar(rng, dtype, begin, end, step):
    x = make(rng, (4, 5, 2), dtype)
    key = key_of(begin, end, step)
    kwargs = {"begin": begin, "end": end}
    if step is not None:
        kwargs["step"] = step
    expected = x.copy()
    expected[key] = 1
    check(mx.nd._slice_assign_scalar(nd(x), scalar=1.0, **kwargs), expected)
    a = nd(x)
    mx.nd._slice_assign_scalar(a, scalar=1.0, out=a, **kwargs)
    check(a, expected)


def test_slice_assign_scalar_casts():
    x = np.zeros((2, 3), np.int32)
    out = mx.nd._slice_assign_scalar(nd(x), scalar=-2.7, begin=(1,), end=(2,))
    check(out, np.array([[0, 0, 0], [-2, -2, -2]], np.int32))


def test_slice_assign_errors():
    with pytest.raises(ValueError, match=r"Operator _slice_assign: argument 'rhs' has shape \(2, 3\)"):
        mx.nd._slice_assign(mx.nd.ones((3, 4)), mx.nd.ones((2, 3)), begin=(0, 0), end=(2, 2))
    with pytest.raises(TypeError, match="_slice_assign"):
        mx.nd._slice_assign(mx.nd.ones((3, 4)), mx.nd.ones((2, 2), dtype="int32"),
                            begin=(0, 0), end=(2, 2))


# ---------------------------------------------------------------------------
# take
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("idx_dtype", INDEX_DTYPES)
@pytest.mark.parametrize("axis", [0, 1, -1, -3])
@pytest.mark.parametrize("mode", ["clip", "wrap"])
def test_take(rng, dtype, idx_dtype, axis, mode):
    x = make(rng, (3, 4, 5), dtype)
    lo = 0 if idx_dtype == "uint8" else -7
    idx = rng.integers(lo, 9, size=(2, 3)).astype(idx_dtype)
    expected = np.take(x, idx.astype(np.int64), axis=axis, mode=mode)
    check(mx.nd.take(nd(x), nd(idx), axis=axis, mode=mode), expected)


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_take_raise_mode(rng, dtype):
    x = make(rng, (4, 3), dtype)
    idx = np.array([3, -4, 0, -1], np.int32)
    check(mx.nd.take(nd(x), nd(idx), mode="raise"), np.take(x, idx, axis=0))
    check(mx.nd.take(nd(x), nd(idx[:3] % 3), axis=1, mode="raise"), np.take(x, idx[:3] % 3, axis=1))
    with pytest.raises(IndexError, match="Operator take: argument 'indices' contains index 4"):
        mx.nd.take(nd(x), mx.nd.array([0, 4], dtype="int64"), mode="raise").asnumpy()
    with pytest.raises(mx.MXNetError, match="take"):
        mx.nd.take(nd(x), mx.nd.array([-5], dtype="int64"), mode="raise").wait_to_read()


def test_take_default_and_float_indices(rng):
    x = make(rng, (5, 2), "float32")
    idx = np.array([[0.9, 3.7], [-2.5, 10.0]], np.float32)
    trunc = np.clip(np.trunc(idx).astype(np.int64), 0, 4)  # MXNet: truncate, then clip
    check(mx.nd.take(nd(x), nd(idx)), x[trunc])


def test_take_empty_and_large(rng):
    x = make(rng, (4, 3), "float32")
    check(mx.nd.take(nd(x), mx.nd.array(np.zeros((0,), np.int64), dtype="int64")), x[:0])
    big = make(rng, (1000, 64), "float32")
    idx = rng.integers(0, 1000, size=5000)
    check(mx.nd.take(nd(big), nd(idx)), big[idx])
    check(mx.nd.take(nd(big), nd(idx % 64), axis=1), big[:, idx % 64])


def test_take_errors():
    with pytest.raises(IndexError, match="Operator take: argument 'axis' is 2"):
        mx.nd.take(mx.nd.ones((2, 3)), mx.nd.array([0]), axis=2)
    with pytest.raises(IndexError, match="take"):
        mx.nd.take(mx.nd.ones((0, 3)), mx.nd.array([0]))
    with pytest.raises(ValueError, match="mode"):
        mx.nd.take(mx.nd.ones((2, 3)), mx.nd.array([0]), mode="nearest")


# ---------------------------------------------------------------------------
# gather_nd / _scatter_set_nd
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("idx_dtype", INDEX_DTYPES)
@pytest.mark.parametrize("m,ishape", [(1, (4,)), (2, (3,)), (3, (2, 2)), (2, ()), (1, (2, 3))])
def test_gather_nd(rng, dtype, idx_dtype, m, ishape):
    x = make(rng, (3, 4, 5), dtype)
    idx = np.stack([rng.integers(0, x.shape[a], size=ishape) for a in range(m)]).astype(idx_dtype)
    expected = x[tuple(idx.astype(np.int64))]
    check(mx.nd.gather_nd(nd(x), nd(idx)), expected)


def test_gather_nd_negative_and_errors(rng):
    x = make(rng, (3, 4), "float32")
    idx = np.array([[-1, 0], [-4, 3]], np.int64)
    check(mx.nd.gather_nd(nd(x), nd(idx)), x[tuple(idx)])
    with pytest.raises(IndexError, match="Operator gather_nd: argument 'indices' contains index 4"):
        mx.nd.gather_nd(nd(x), mx.nd.array([[0], [4]], dtype="int64")).asnumpy()
    with pytest.raises(ValueError, match="Operator gather_nd: argument 'indices'"):
        mx.nd.gather_nd(nd(x), mx.nd.array([[0], [1], [0]], dtype="int64"))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,ishape", [(1, (2,)), (2, (3,)), (2, (2, 2))])
def test_scatter_set_nd(rng, dtype, m, ishape):
    x = make(rng, (4, 5, 2), dtype)
    # Distinct index tuples, so the result does not depend on write order.
    flat = rng.choice(int(np.prod(x.shape[:m])), size=int(np.prod(ishape)), replace=False)
    idx = np.stack(np.unravel_index(flat, x.shape[:m])).reshape((m,) + ishape)
    v = make(rng, ishape + x.shape[m:], dtype)
    expected = x.copy()
    expected[tuple(idx)] = v
    out = mx.nd._scatter_set_nd(nd(x), nd(v), nd(idx), shape=x.shape)
    check(out, expected)
    a = nd(x)
    mx.nd._scatter_set_nd(a, nd(v), nd(idx), shape=x.shape, out=a)
    check(a, expected)


def test_scatter_set_nd_repeated_and_errors():
    x = np.zeros((3,), np.float32)
    out = mx.nd._scatter_set_nd(nd(x), nd(np.array([1, 2], np.float32)),
                                nd(np.array([[1, 1]], np.int64)), shape=(3,))
    check(out, np.array([0, 2, 0], np.float32))  # the last write wins
    with pytest.raises(ValueError, match="Operator _scatter_set_nd: argument 'rhs' has shape"):
        mx.nd._scatter_set_nd(nd(x), nd(np.ones(3, np.float32)), nd(np.array([[1]], np.int64)),
                              shape=(3,))
    with pytest.raises(ValueError, match="Operator _scatter_set_nd: argument 'lhs'"):
        mx.nd._scatter_set_nd(nd(x), nd(np.ones(1, np.float32)), nd(np.array([[1]], np.int64)),
                              shape=(4,))
    with pytest.raises(IndexError, match="_scatter_set_nd"):
        mx.nd._scatter_set_nd(nd(x), nd(np.ones(1, np.float32)), nd(np.array([[3]], np.int64)),
                              shape=(3,)).asnumpy()


# ---------------------------------------------------------------------------
# one_hot
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("out_dtype", DTYPES)
@pytest.mark.parametrize("idx_dtype", INDEX_DTYPES)
def test_one_hot(rng, out_dtype, idx_dtype):
    lo = 0 if idx_dtype == "uint8" else -2
    idx = rng.integers(lo, 7, size=(3, 4)).astype(idx_dtype)
    depth = 5
    i64 = idx.astype(np.int64)
    eye = np.vstack([np.eye(depth), np.zeros((1, depth))])  # last row: out of range
    expected = eye[np.where((i64 >= 0) & (i64 < depth), i64, depth)].astype(out_dtype)
    check(mx.nd.one_hot(nd(idx), depth=depth, dtype=out_dtype), expected)


def test_one_hot_values_and_default_dtype():
    idx = np.array([1, 0, 2], np.int32)
    out = mx.nd.one_hot(nd(idx), depth=3, on_value=8, off_value=-1)
    expected = np.where(np.eye(3)[idx] == 1, 8, -1).astype(np.float32)
    check(out, expected)
    check(mx.nd.one_hot(nd(np.zeros((0,), np.int32)), depth=3), np.zeros((0, 3), np.float32))
    check(mx.nd.one_hot(nd(idx), depth=0), np.zeros((3, 0), np.float32))
    with pytest.raises(ValueError, match="Operator one_hot: argument 'depth' is -1"):
        mx.nd.one_hot(nd(idx), depth=-1)
    with pytest.raises(mx.MXNetError, match="depth"):
        mx.nd.one_hot(nd(idx))
