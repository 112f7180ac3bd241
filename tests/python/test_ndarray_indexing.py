"""NDArray __getitem__ / __setitem__ against NumPy's semantics."""
import numpy as np
import pytest

import mxlite as mx


@pytest.fixture
def pair(rng):
    x = rng.random((4, 5, 6)).astype(np.float32)
    return x, mx.nd.array(x)


@pytest.mark.parametrize("key", [
    0, -1, 3, slice(1, 3), slice(None), slice(None, None, 2), slice(3, 0, -1),
    (1, 2), (1, 2, 3), (slice(None), 2), (Ellipsis, 1), (slice(1, 3), slice(None), slice(0, 6, 2)),
    (None, 1), (1, None, slice(2, 4)), (-1, -2, -3), Ellipsis,
])
def test_basic_getitem(pair, key):
    x, a = pair
    np.testing.assert_array_equal(a[key].asnumpy(), x[key])


@pytest.mark.parametrize("key", [
    [0, 2], np.array([3, 1, 1]), (slice(None), [0, 4]), (1, [2, 3]), ([0, 1], [2, 3]),
    ([[0, 1], [2, 3]],), (slice(1, 3), [0, 1], 2),
])
def test_integer_array_getitem(pair, key):
    x, a = pair
    np.testing.assert_array_equal(a[key].asnumpy(), x[key])


def test_getitem_with_ndarray_index(pair):
    x, a = pair
    idx = mx.nd.array([2, 0], dtype="int32")
    np.testing.assert_array_equal(a[idx].asnumpy(), x[[2, 0]])


def test_first_axis_indexing_is_a_view(pair):
    x, a = pair
    v = a[1]
    v[:] = 5
    assert a.asnumpy()[1].min() == 5
    w = a[2:4]
    w += 1
    np.testing.assert_allclose(a.asnumpy()[2:4], x[2:4] + 1, rtol=1e-6)


@pytest.mark.parametrize("key,value", [
    (slice(None), 3.0), (1, 7), (slice(1, 3), -1.5), ((1, 2), 9), ((slice(None), 1, slice(2, 5)), 4),
    ((Ellipsis, 0), 2), ((slice(0, 4, 2), slice(None), -1), 8),
])
def test_setitem_scalar(pair, key, value):
    x, a = pair
    a[key] = value
    x[key] = value
    np.testing.assert_array_equal(a.asnumpy(), x)


def test_setitem_arrays_broadcast(pair, rng):
    x, a = pair
    v = rng.random((5, 6)).astype(np.float32)
    a[2] = v
    x[2] = v
    row = rng.random((6,)).astype(np.float32)
    a[:, 1] = row
    x[:, 1] = row
    a[1:3, 2:4, 0] = mx.nd.array(np.ones((2, 2)))
    x[1:3, 2:4, 0] = 1
    a[[0, 3]] = 0.25
    x[[0, 3]] = 0.25
    np.testing.assert_array_equal(a.asnumpy(), x)


def test_index_errors(pair):
    _, a = pair
    with pytest.raises(IndexError):
        a[4]
    with pytest.raises(IndexError):
        a[0, 0, 0, 0]
    with pytest.raises(IndexError):
        a[[0, 9]]
    with pytest.raises(IndexError, match="axis 0"):
        a[5, [0, 1]]
    with pytest.raises(TypeError):
        a[0] = "text"
