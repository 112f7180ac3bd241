"""SequenceMask, SequenceLast, SequenceReverse: forward against NumPy loops for
axis 0 and 1, with and without lengths, gradients by finite differences
(float64), and errors."""
import numpy as np
import pytest

import mxlite as mx
from mxlite.test_utils import check_numeric_gradient

nd = mx.nd


def arr(x):
    return nd.array(x, dtype=x.dtype)


def time_major(x, axis):
    """x as (time, batch, ...)."""
    return x if axis == 0 else np.swapaxes(x, 0, 1)


def np_mask(x, lengths, axis, value):
    y = time_major(x, axis).copy()
    for b, n in enumerate(lengths):
        y[int(n):, b] = value
    return time_major(y, axis)


def np_last(x, lengths, axis):
    t = time_major(x, axis)
    return np.stack([t[int(n) - 1, b] for b, n in enumerate(lengths)])


def np_reverse(x, lengths):
    y = x.copy()
    for b, n in enumerate(lengths):
        n = int(n)
        y[:n, b] = x[:n, b][::-1]
    return y


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
@pytest.mark.parametrize("axis", [0, 1])
def test_sequence_mask(rng, dtype, axis):
    x = (rng.standard_normal((5, 3, 2)) * 10).astype(dtype)
    batch = x.shape[1 - axis]
    lengths = rng.integers(0, x.shape[axis] + 2, batch).astype(np.float32)
    y = nd.SequenceMask(arr(x), nd.array(lengths), use_sequence_length=True, value=-7, axis=axis)
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(y.asnumpy(), np_mask(x, lengths, axis, -7))
    # without lengths: the identity
    np.testing.assert_array_equal(nd.SequenceMask(arr(x), axis=axis).asnumpy(), x)


def test_sequence_mask_matches_mxnet_example():
    x = nd.array(np.arange(12).reshape(4, 3))
    y = nd.SequenceMask(x, nd.array([1, 2, 0]), use_sequence_length=True, value=-1)
    np.testing.assert_array_equal(y.asnumpy(), [[0, 1, -1], [-1, 4, -1], [-1, -1, -1], [-1, -1, -1]])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("axis", [0, 1])
def test_sequence_last(rng, dtype, axis):
    x = rng.standard_normal((4, 3, 2)).astype(dtype)
    batch = x.shape[1 - axis]
    lengths = rng.integers(1, x.shape[axis] + 1, batch).astype(np.float32) + 0.5  # truncated
    y = nd.SequenceLast(arr(x), nd.array(lengths), use_sequence_length=True, axis=axis)
    np.testing.assert_array_equal(y.asnumpy(), np_last(x, lengths, axis))
    full = np.full(batch, x.shape[axis])
    np.testing.assert_array_equal(nd.SequenceLast(arr(x), axis=axis).asnumpy(), np_last(x, full, axis))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_sequence_reverse(rng, dtype):
    x = (rng.standard_normal((5, 3, 2)) * 10).astype(dtype)
    lengths = np.array([1, 5, 3], np.int32)
    y = nd.SequenceReverse(arr(x), nd.array(lengths, dtype="int32"), use_sequence_length=True)
    np.testing.assert_array_equal(y.asnumpy(), np_reverse(x, lengths))
    np.testing.assert_array_equal(nd.SequenceReverse(arr(x)).asnumpy(), x[::-1])


@pytest.mark.parametrize("axis", [0, 1])
def test_sequence_gradients(rng, axis):
    x = rng.standard_normal((4, 3, 2))
    lengths = nd.array([2, 4, 1] if axis == 0 else [2, 3, 1, 3])
    kw = dict(use_sequence_length=True, axis=axis)
    check_numeric_gradient(lambda a: nd.SequenceMask(a, lengths, value=5.0, **kw), [x])
    check_numeric_gradient(lambda a: nd.SequenceLast(a, lengths, **kw), [x])
    check_numeric_gradient(lambda a: nd.SequenceLast(a, axis=axis), [x])
    if axis == 0:
        check_numeric_gradient(lambda a: nd.SequenceReverse(a, lengths, **kw), [x])
        check_numeric_gradient(lambda a: nd.SequenceReverse(a), [x])


def test_sequence_errors():
    x = nd.ones((4, 3, 2))
    with pytest.raises(ValueError, match="sequence_length.*\\(3,\\)"):
        nd.SequenceMask(x, nd.ones(4), use_sequence_length=True)
    with pytest.raises(ValueError, match="axis"):
        nd.SequenceMask(x, axis=2)
    with pytest.raises(ValueError, match="axis"):
        nd.SequenceReverse(x, axis=1)
    with pytest.raises(ValueError, match="expected 2 inputs"):
        nd.SequenceLast(x, use_sequence_length=True)
    with pytest.raises(IndexError, match="sequence_length"):
        nd.SequenceLast(x, nd.array([1, 0, 2]), use_sequence_length=True).asnumpy()
    with pytest.raises(IndexError, match="sequence_length"):
        nd.SequenceReverse(x, nd.array([1, 5, 2]), use_sequence_length=True).asnumpy()
    with pytest.raises(ValueError, match="2 dimensions"):
        nd.SequenceLast(nd.ones(3))
