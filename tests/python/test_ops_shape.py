"""Shape operators (transpose, Reshape, Flatten, expand_dims, squeeze, Concat,
stack, split, tile, repeat, reverse/flip, clip, where, _copy, zeros_like,
ones_like) against NumPy over every dtype, negative axes and empty arrays."""
import numpy as np
import pytest

import mxlite as mx
from op_helpers import check, make, nd

DTYPES = ["float32", "float64", "float16", "uint8", "int8", "int32", "int64", "bool"]
NUMERIC = [d for d in DTYPES if d != "bool"]


# ---------------------------------------------------------------------------
# transpose
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,axes", [
    ((3, 4), None), ((3, 4), (1, 0)), ((2, 3, 4), (2, 0, 1)), ((2, 3, 4), (0, 2, 1)),
    ((2, 3, 4), (-1, -3, -2)), ((2, 1, 3, 5), None), ((0, 3), None), ((), None), ((5,), (0,)),
])
def test_transpose(rng, dtype, shape, axes):
    x = make(rng, shape, dtype)
    y = mx.nd.transpose(nd(x)) if axes is None else mx.nd.transpose(nd(x), axes=axes)
    check(y, np.transpose(x, axes))


@pytest.mark.parametrize("shape", [(257, 513), (64, 1000), (3, 130, 70)])
def test_transpose_large(rng, shape):
    x = make(rng, shape, "float32")
    check(mx.nd.transpose(nd(x)), np.ascontiguousarray(x.T))


def test_transpose_errors():
    x = mx.nd.ones((2, 3, 4))
    with pytest.raises(IndexError, match=r"Operator transpose: axes \(0, 3\) is invalid"):
        mx.nd.transpose(x, axes=(0, 3))
    with pytest.raises(mx.MXNetError, match="transpose"):
        mx.nd.transpose(x, axes=(0, 1, 1))


# ---------------------------------------------------------------------------
# Reshape and friends
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape,spec,reverse,target", [
    ((2, 3, 4), (4, 0, 2), False, (4, 3, 2)),
    ((2, 3, 4), (2, 0, 0), False, (2, 3, 4)),
    ((2, 3, 4), (6, 1, -1), False, (6, 1, 4)),
    ((2, 3, 4), (3, -1, 8), False, (3, 1, 8)),
    ((2, 3, 4), (-1,), False, (24,)),
    ((2, 3, 4), (-2,), False, (2, 3, 4)),
    ((2, 3, 4), (2, -2), False, (2, 3, 4)),
    ((2, 3, 4), (-2, 1, 1), False, (2, 3, 4, 1, 1)),
    ((2, 3, 4), (-3, 4), False, (6, 4)),
    ((2, 3, 4, 5), (-3, -3), False, (6, 20)),
    ((2, 3, 4), (0, -3), False, (2, 12)),
    ((2, 3, 4), (-3, -2), False, (6, 4)),
    ((2, 3, 4), (-4, 1, 2, -2), False, (1, 2, 3, 4)),
    ((2, 3, 4), (2, -4, -1, 3, -2), False, (2, 1, 3, 4)),
    ((10, 5, 4), (-1, 0), False, (40, 5)),
    ((10, 5, 4), (-1, 0), True, (50, 4)),
    ((0, 4), (-1, 2), False, (0, 2)),
])
@pytest.mark.parametrize("dtype", ["float32", "int8", "bool"])
def test_reshape_codes(rng, shape, spec, reverse, target, dtype):
    x = make(rng, shape, dtype)
    check(mx.nd.Reshape(nd(x), shape=spec, reverse=reverse), x.reshape(target))
    check(mx.nd.reshape(nd(x), shape=spec, reverse=reverse), x.reshape(target))


def test_reshape_errors():
    x = mx.nd.ones((2, 3))
    with pytest.raises(ValueError, match=r"Operator Reshape: cannot reshape an input of shape \(2, 3\)"):
        mx.nd.reshape(x, shape=(4, 2))
    with pytest.raises(mx.MXNetError, match="Reshape"):
        mx.nd.reshape(x, shape=(-1, -1))
    with pytest.raises(ValueError, match="Reshape"):
        mx.nd.reshape(x, shape=(-1, 4))


@pytest.mark.parametrize("dtype", DTYPES)
def test_flatten_expand_squeeze(rng, dtype):
    x = make(rng, (2, 3, 4), dtype)
    check(mx.nd.Flatten(nd(x)), x.reshape(2, 12))
    check(mx.nd.flatten(nd(x[0, 0])), x[0, 0].reshape(4, 1))
    for axis in (0, 1, 3, -1, -4):
        check(mx.nd.expand_dims(nd(x), axis=axis), np.expand_dims(x, axis))
    s = make(rng, (1, 3, 1, 2), dtype)
    check(mx.nd.squeeze(nd(s)), np.squeeze(s))
    check(mx.nd.squeeze(nd(s), axis=(0, -2)), np.squeeze(s, axis=(0, -2)))
    check(mx.nd.squeeze(nd(s), axis=2), np.squeeze(s, axis=2))
    # MXNet's legacy arrays: squeezing every axis leaves shape (1,).
    check(mx.nd.squeeze(nd(s[:, :1, :, :1])), s[:, :1, :, :1].reshape(1))


def test_flatten_expand_squeeze_errors():
    with pytest.raises(ValueError, match="Operator squeeze: argument 'axis' selects axis 1"):
        mx.nd.squeeze(mx.nd.ones((1, 3)), axis=1)
    with pytest.raises(IndexError, match="Operator expand_dims: argument 'axis' is 3"):
        mx.nd.expand_dims(mx.nd.ones((3,)), axis=3)
    with pytest.raises(IndexError, match="squeeze"):
        mx.nd.squeeze(mx.nd.ones((1, 3)), axis=2)


# ---------------------------------------------------------------------------
# Concat / stack / split
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes,dim", [
    ([(2, 3), (2, 5)], 1), ([(2, 3), (4, 3), (1, 3)], 0), ([(2, 3, 1), (2, 3, 2)], -1),
    ([(2, 0), (2, 3)], 1), ([(4,), (3,)], 0), ([(2, 3, 4)], 1),
])
def test_concat(rng, dtype, shapes, dim):
    xs = [make(rng, s, dtype) for s in shapes]
    check(mx.nd.concat(*[nd(x) for x in xs], dim=dim), np.concatenate(xs, axis=dim))
    check(mx.nd.Concat(*[nd(x) for x in xs], dim=dim, num_args=len(xs)), np.concatenate(xs, axis=dim))


def test_concat_large(rng):
    xs = [make(rng, (300, 200 + 7 * i), "float32") for i in range(3)]
    check(mx.nd.concat(*[nd(x) for x in xs], dim=1), np.concatenate(xs, axis=1))
    check(mx.nd.concat(*[nd(x) for x in xs[:1] * 3], dim=0), np.concatenate(xs[:1] * 3, axis=0))


def test_concat_errors():
    a, b = mx.nd.ones((2, 3)), mx.nd.ones((3, 3))
    with pytest.raises(ValueError, match=r"Operator Concat: input 1 \('data'\) has shape \(3, 3\)"):
        mx.nd.concat(a, b, dim=1)
    with pytest.raises(mx.MXNetError, match="Concat"):
        mx.nd.concat(a, a, num_args=3)
    with pytest.raises(IndexError, match="Operator Concat: argument 'dim' is 2"):
        mx.nd.concat(a, a, dim=2)
    with pytest.raises(TypeError, match="Concat"):
        mx.nd.concat(a, mx.nd.ones((2, 3), dtype="int32"))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,axis", [((2, 3), 0), ((2, 3), 1), ((2, 3), 2), ((2, 3), -1),
                                        ((4,), 0), ((), 0), ((0, 2), 1)])
def test_stack(rng, dtype, shape, axis):
    xs = [make(rng, shape, dtype) for _ in range(3)]
    check(mx.nd.stack(*[nd(x) for x in xs], axis=axis), np.stack(xs, axis=axis))


def test_stack_errors():
    with pytest.raises(ValueError, match="Operator stack: input 1"):
        mx.nd.stack(mx.nd.ones((2,)), mx.nd.ones((3,)))
    with pytest.raises(IndexError, match="stack"):
        mx.nd.stack(mx.nd.ones((2,)), mx.nd.ones((2,)), axis=3)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,n,axis", [((2, 6), 3, 1), ((6, 2), 2, 0), ((2, 3, 4), 4, -1),
                                          ((2, 3, 4), 1, 1), ((0, 4), 2, 1)])
def test_split(rng, dtype, shape, n, axis):
    x = make(rng, shape, dtype)
    for fn in (mx.nd.split, mx.nd.SliceChannel):
        ys = fn(nd(x), num_outputs=n, axis=axis)
        ys = ys if isinstance(ys, (list, tuple)) else [ys]
        expected = np.split(x, n, axis=axis)
        assert len(ys) == n
        for y, e in zip(ys, expected):
            check(y, e)


def test_split_squeeze_axis(rng):
    x = make(rng, (2, 3, 4), "float32")
    ys = mx.nd.split(nd(x), num_outputs=3, axis=1, squeeze_axis=True)
    for i, y in enumerate(ys):
        check(y, x[:, i, :])
    with pytest.raises(ValueError, match="squeeze_axis"):
        mx.nd.split(nd(x), num_outputs=2, axis=2, squeeze_axis=True)
    with pytest.raises(ValueError, match="not divisible"):
        mx.nd.split(nd(x), num_outputs=2, axis=1)


# ---------------------------------------------------------------------------
# tile / repeat / reverse
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,reps", [((2, 3), (2, 2)), ((2, 3), (3,)), ((3,), (2, 2)),
                                        ((2, 1, 3), (1, 4, 1)), ((2, 3), (0, 1)), ((), (3,)),
                                        ((2, 3), ()), ((0, 3), (2, 2))])
def test_tile(rng, dtype, shape, reps):
    x = make(rng, shape, dtype)
    check(mx.nd.tile(nd(x), reps=reps), np.tile(x, reps))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,repeats,axis", [((2, 3), 2, None), ((2, 3), 3, 0), ((2, 3), 2, 1),
                                                ((2, 3), 2, -1), ((2, 3), 0, 1), ((), 4, None),
                                                ((0, 3), 2, 0)])
def test_repeat(rng, dtype, shape, repeats, axis):
    x = make(rng, shape, dtype)
    check(mx.nd.repeat(nd(x), repeats=repeats, axis=axis), np.repeat(x, repeats, axis=axis))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,axis", [((5,), (0,)), ((2, 3), (1,)), ((2, 3), (0, 1)),
                                        ((2, 3, 4), (-1, 0)), ((2, 3, 4), ()), ((0, 3), (0,))])
def test_reverse(rng, dtype, shape, axis):
    x = make(rng, shape, dtype)
    check(mx.nd.reverse(nd(x), axis=axis), np.flip(x, axis))
    check(mx.nd.flip(nd(x), axis=axis), np.flip(x, axis))


def test_tile_repeat_reverse_large(rng):
    x = make(rng, (300, 257), "float32")
    check(mx.nd.tile(nd(x), reps=(2, 3)), np.tile(x, (2, 3)))
    check(mx.nd.repeat(nd(x), repeats=3, axis=1), np.repeat(x, 3, axis=1))
    check(mx.nd.repeat(nd(x), repeats=4, axis=0), np.repeat(x, 4, axis=0))
    check(mx.nd.repeat(nd(x[:, :5]), repeats=7, axis=None), np.repeat(x[:, :5], 7))
    narrow = make(rng, (5000, 3), "int64")
    check(mx.nd.tile(nd(narrow), reps=(1, 4)), np.tile(narrow, (1, 4)))
    check(mx.nd.repeat(nd(narrow), repeats=2, axis=1), np.repeat(narrow, 2, axis=1))
    check(mx.nd.flip(nd(x), axis=(0, 1)), np.flip(x, (0, 1)))


def test_tile_repeat_reverse_errors():
    x = mx.nd.ones((2, 3))
    with pytest.raises(ValueError, match="Operator tile: argument 'reps'"):
        mx.nd.tile(x, reps=(-1, 2))
    with pytest.raises(ValueError, match="Operator repeat: argument 'repeats' is -2"):
        mx.nd.repeat(x, repeats=-2)
    with pytest.raises(IndexError, match="Operator repeat: argument 'axis' is 2"):
        mx.nd.repeat(x, repeats=2, axis=2)
    with pytest.raises(IndexError, match="Operator reverse: argument 'axis' is 2"):
        mx.nd.flip(x, axis=2)


# ---------------------------------------------------------------------------
# clip / where
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", NUMERIC)
@pytest.mark.parametrize("shape", [(7,), (3, 4), (0, 2), ()])
def test_clip(rng, dtype, shape):
    x = make(rng, shape, dtype)
    lo, hi = (-1.0, 1.0) if np.issubdtype(np.dtype(dtype), np.floating) else (10, 90)
    if dtype == "uint8":
        lo, hi = 50, 150
    expected = np.clip(x, np.array(lo, dtype=dtype), np.array(hi, dtype=dtype))
    check(mx.nd.clip(nd(x), a_min=lo, a_max=hi), expected)


def test_clip_nan_and_bool():
    x = np.array([np.nan, -5.0, 5.0], dtype=np.float32)
    np.testing.assert_array_equal(mx.nd.clip(nd(x), a_min=-1, a_max=1).asnumpy(), [np.nan, -1, 1])
    with pytest.raises(TypeError, match="Operator clip"):
        mx.nd.clip(mx.nd.array(np.array([True]), dtype="bool"), a_min=0, a_max=1).asnumpy()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cond_dtype", ["float32", "int32", "bool", "float16"])
def test_where(rng, dtype, cond_dtype):
    x, y = make(rng, (3, 4), dtype), make(rng, (3, 4), dtype)
    c = (rng.random((3, 4)) < 0.5).astype(cond_dtype)
    check(mx.nd.where(nd(c), nd(x), nd(y)), np.where(c != 0, x, y))
    rows = (rng.random(3) < 0.5).astype(cond_dtype)  # MXNet: 1-D condition selects rows
    check(mx.nd.where(nd(rows), nd(x), nd(y)), np.where(rows[:, None] != 0, x, y))


def test_where_empty_and_scalar(rng):
    c, x, y = np.zeros((0, 2), np.float32), np.ones((0, 2), np.float32), np.zeros((0, 2), np.float32)
    check(mx.nd.where(nd(c), nd(x), nd(y)), np.where(c, x, y))
    c0, x0, y0 = np.array(1.0, np.float32), np.array(2.0, np.float32), np.array(3.0, np.float32)
    check(mx.nd.where(nd(c0), nd(x0), nd(y0)), np.where(c0, x0, y0).astype(np.float32))


def test_where_errors():
    x = mx.nd.ones((2, 3))
    with pytest.raises(ValueError, match=r"Operator where: argument 'condition' has shape \(3,\)"):
        mx.nd.where(mx.nd.ones((3,)), x, x)
    with pytest.raises(ValueError, match="Operator where: arguments 'x'"):
        mx.nd.where(x, x, mx.nd.ones((3, 2)))
    with pytest.raises(TypeError, match="Operator where"):
        mx.nd.where(x, x, mx.nd.ones((2, 3), dtype="int32"))


# ---------------------------------------------------------------------------
# _copy / zeros_like / ones_like
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 4), (0,), ()])
def test_copy_zeros_ones_like(rng, dtype, shape):
    x = make(rng, shape, dtype)
    check(mx.nd._copy(nd(x)), x)
    check(mx.nd.identity(nd(x)), x)
    check(mx.nd.zeros_like(nd(x)), np.zeros_like(x))
    check(mx.nd.ones_like(nd(x)), np.ones_like(x))


def test_copy_is_a_copy(rng):
    x = make(rng, (4,), "float32")
    a = nd(x)
    b = mx.nd._copy(a)
    a[:] = 0
    check(b, x)
