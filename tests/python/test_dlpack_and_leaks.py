"""Zero-copy DLPack exchange with NumPy, and handle/storage accounting."""
import gc

import numpy as np
import pytest

import mxlite as mx


def test_numpy_from_dlpack_is_zero_copy(rng):
    x = rng.random((3, 4)).astype(np.float32)
    a = mx.nd.array(x)
    n = np.from_dlpack(a)
    np.testing.assert_array_equal(n, x)
    n[0, 0] = 42.0  # writes through: the memory is shared
    assert a.asnumpy()[0, 0] == 42.0
    assert a.__dlpack_device__() == (1, 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int8, np.uint8,
                                   np.int32, np.int64, np.bool_])
def test_from_dlpack_dtypes(dtype, rng):
    x = (rng.random((2, 3)) * 10).astype(dtype)
    a = mx.nd.from_dlpack(x)
    assert a.dtype == np.dtype(dtype).type
    np.testing.assert_array_equal(a.asnumpy(), x)
    np.testing.assert_array_equal(np.from_dlpack(a), x)


def test_from_dlpack_shares_writable_numpy_memory():
    x = np.zeros((4,), np.float32)
    a = mx.nd.from_dlpack(x)
    a[:] = 3
    a.wait_to_read()
    np.testing.assert_array_equal(x, [3, 3, 3, 3])


def test_from_dlpack_strided_copies():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)[:, ::2]
    a = mx.nd.from_dlpack(x)
    np.testing.assert_array_equal(a.asnumpy(), x)


def test_from_dlpack_keeps_producer_alive():
    a = mx.nd.from_dlpack(np.arange(5, dtype=np.float32))
    gc.collect()
    np.testing.assert_array_equal(a.asnumpy(), np.arange(5, dtype=np.float32))


def _workload(x):
    a = mx.nd.array(x)
    b = (a + 1) * a
    c = mx.nd.sum(b, axis=0)
    d = a[2:4].reshape((4, 4))
    e = mx.nd.split(a, num_outputs=2)
    n = np.from_dlpack(c)
    f = mx.nd.from_dlpack(np.ones(3, np.float32))
    a[1, :] = 5
    g = a[[0, 2]]
    del a, b, c, d, e, n, f, g


def test_handles_return_to_baseline(rng):
    x = rng.random((8, 8)).astype(np.float32)
    _workload(x)  # op handles are looked up once and cached for the process
    gc.collect()
    mx.nd.waitall()
    base = mx.storage.live_handles()
    for _ in range(50):
        _workload(x)
    gc.collect()
    mx.nd.waitall()
    assert mx.storage.live_handles() == base


def test_storage_counters_and_release():
    mx.nd.waitall()
    a = mx.nd.zeros((1024, 1024))
    s = mx.storage.stats()
    assert s["in_use"] >= 4 * 1024 * 1024
    assert s["peak"] >= s["in_use"]
    del a
    gc.collect()
    mx.nd.waitall()
    s2 = mx.storage.stats()
    assert s2["pooled"] >= 4 * 1024 * 1024
    b = mx.nd.zeros((1024, 1024))  # served from the pool
    assert mx.storage.stats()["pooled"] == s2["pooled"] - 4 * 1024 * 1024
    del b
    gc.collect()
    mx.storage.release_pooled()
    assert mx.storage.stats()["pooled"] == 0
