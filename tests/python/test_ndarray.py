"""NDArray basics against NumPy: creation, metadata, arithmetic, views, copies."""
import numpy as np
import pytest

import mxlite as mx

DTYPES = [np.float32, np.float64, np.float16, np.uint8, np.int8, np.int32, np.int64]


@pytest.mark.parametrize("dtype", DTYPES + [np.bool_])
def test_array_round_trip(dtype, rng):
    src = (rng.random((3, 4, 5)) * 100).astype(dtype)
    a = mx.nd.array(src, dtype=dtype)
    assert a.shape == (3, 4, 5)
    assert a.dtype == np.dtype(dtype).type
    assert a.size == 60 and a.ndim == 3
    np.testing.assert_array_equal(a.asnumpy(), src)


def test_array_defaults_to_float32_like_mxnet():
    a = mx.nd.array(np.arange(4, dtype=np.float64))
    assert a.dtype == np.float32
    b = mx.nd.array([[1, 2], [3, 4]])
    assert b.dtype == np.float32 and b.shape == (2, 2)
    c = mx.nd.array(a)  # from an NDArray: keeps its dtype
    assert c.dtype == np.float32


def test_zero_dim_and_empty():
    s = mx.nd.array(np.float32(3.5))
    assert s.shape == () and s.asscalar() == 3.5
    e = mx.nd.zeros((0, 3))
    assert e.shape == (0, 3) and e.asnumpy().shape == (0, 3)


def test_constructors():
    np.testing.assert_array_equal(mx.nd.zeros((2, 3)).asnumpy(), np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(mx.nd.ones(4, dtype="int32").asnumpy(), np.ones(4, np.int32))
    np.testing.assert_array_equal(mx.nd.full((2, 2), 7).asnumpy(), np.full((2, 2), 7, np.float32))
    np.testing.assert_allclose(mx.nd.arange(0, 5, 0.5).asnumpy(), np.arange(0, 5, 0.5))
    np.testing.assert_array_equal(mx.nd.arange(5).asnumpy(), np.arange(5, dtype=np.float32))
    assert mx.nd.empty((2, 5), dtype="float64").shape == (2, 5)
    np.testing.assert_array_equal(mx.nd.eye(3, 4, k=1).asnumpy(), np.eye(3, 4, k=1, dtype=np.float32))
    np.testing.assert_allclose(mx.nd.linspace(0, 1, 5).asnumpy(), np.linspace(0, 1, 5), rtol=1e-6)


def test_context():
    a = mx.nd.ones((2,), ctx=mx.cpu())
    assert a.context == mx.cpu(0) and str(a.context) == "cpu(0)"
    with pytest.raises(mx.MXNetError, match="GPU"):
        mx.gpu(0)
    assert mx.context.num_gpus() == 0


@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((2, 3), (3,)), ((4, 1, 3), (2, 1)),
                                    ((1,), (5, 4)), ((), (3,))])
def test_arithmetic_broadcasting(shapes, rng):
    x = rng.random(shapes[0]).astype(np.float32) + 0.5
    y = rng.random(shapes[1]).astype(np.float32) + 0.5
    a, b = mx.nd.array(x), mx.nd.array(y)
    np.testing.assert_allclose((a + b).asnumpy(), x + y, rtol=1e-6)
    np.testing.assert_allclose((a - b).asnumpy(), x - y, rtol=1e-6)
    np.testing.assert_allclose((a * b).asnumpy(), x * y, rtol=1e-6)
    np.testing.assert_allclose((a / b).asnumpy(), x / y, rtol=1e-6)
    np.testing.assert_allclose((a ** b).asnumpy(), x ** y, rtol=1e-5)
    np.testing.assert_allclose((a % b).asnumpy(), np.mod(x, y), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal((a > b).asnumpy(), (x > y).astype(np.float32))
    np.testing.assert_array_equal((a <= b).asnumpy(), (x <= y).astype(np.float32))
    np.testing.assert_array_equal((a == b).asnumpy(), (x == y).astype(np.float32))


def test_scalar_arithmetic(rng):
    x = rng.random((3, 4)).astype(np.float32) + 0.5
    a = mx.nd.array(x)
    np.testing.assert_allclose((a + 2).asnumpy(), x + 2, rtol=1e-6)
    np.testing.assert_allclose((2 - a).asnumpy(), 2 - x, rtol=1e-6)
    np.testing.assert_allclose((a * 3.5).asnumpy(), x * 3.5, rtol=1e-6)
    np.testing.assert_allclose((1 / a).asnumpy(), 1 / x, rtol=1e-6)
    np.testing.assert_allclose((a ** 2).asnumpy(), x ** 2, rtol=1e-6)
    np.testing.assert_allclose((2 ** a).asnumpy(), 2 ** x, rtol=1e-6)
    np.testing.assert_allclose((-a).asnumpy(), -x)
    np.testing.assert_allclose(abs(-a).asnumpy(), x)
    np.testing.assert_array_equal((a >= 1).asnumpy(), (x >= 1).astype(np.float32))
    np.testing.assert_allclose((a - np.ones(4)).asnumpy(), x - 1, rtol=1e-6)


def test_inplace_operators_keep_identity(rng):
    x = rng.random((4, 3)).astype(np.float32)
    a = mx.nd.array(x)
    view = a[1]
    before = a
    a += 1
    a *= 2
    a -= mx.nd.ones((3,))
    a /= 4
    assert a is before
    expected = ((x + 1) * 2 - 1) / 4
    np.testing.assert_allclose(a.asnumpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(view.asnumpy(), expected[1], rtol=1e-6)  # views see the writes


def test_views_share_storage(rng):
    x = rng.random((6, 4)).astype(np.float32)
    a = mx.nd.array(x)
    r = a.reshape((3, 8))
    s = a[2:5]
    r[:] = 0
    np.testing.assert_array_equal(s.asnumpy(), np.zeros((3, 4), np.float32))
    a[:] = mx.nd.array(x)
    np.testing.assert_array_equal(s.asnumpy(), x[2:5])
    assert a.reshape((-1,)).shape == (24,)
    assert a.reshape((0, -1, 2)).shape == (6, 2, 2)
    assert a.reshape(2, -1).shape == (2, 12)
    with pytest.raises(ValueError):
        a.reshape((5, 5))


def test_copy_copyto_astype(rng):
    x = rng.random((2, 3)).astype(np.float32) * 10
    a = mx.nd.array(x)
    c = a.copy()
    c += 1
    np.testing.assert_allclose(a.asnumpy(), x)
    d = mx.nd.zeros((2, 3))
    a.copyto(d)
    np.testing.assert_allclose(d.asnumpy(), x)
    np.testing.assert_array_equal(a.astype("int32").asnumpy(), x.astype(np.int32))
    assert a.astype(np.float32, copy=False) is a
    with pytest.raises(ValueError):
        a.copyto(mx.nd.zeros((3, 2)))


def test_transpose_and_properties(rng):
    x = rng.random((2, 3)).astype(np.float32)
    a = mx.nd.array(x)
    np.testing.assert_array_equal(a.T.asnumpy(), x.T)
    assert len(a) == 2
    assert a.stype == "default"
    assert "NDArray 2x3 @cpu(0)" in repr(a)
    assert float(mx.nd.array([2.5])) == 2.5
    assert mx.nd.array([7]).asscalar() == 7


def test_fluent_methods(rng):
    x = rng.random((3, 4)).astype(np.float32)
    a = mx.nd.array(x)
    np.testing.assert_allclose(a.sum(axis=1).asnumpy(), x.sum(axis=1), rtol=1e-6)
    np.testing.assert_allclose(a.exp().asnumpy(), np.exp(x), rtol=1e-6)
    np.testing.assert_allclose(a.max().asnumpy(), x.max().reshape(1), rtol=1e-6)


def test_wait_and_waitall():
    a = mx.nd.ones((1000, 100))
    b = a * 2
    b.wait_to_read()
    mx.nd.waitall()
    assert b.asnumpy().sum() == 200000


def test_pickle_round_trip(rng):
    import pickle
    x = rng.random((3, 2)).astype(np.float32)
    a = pickle.loads(pickle.dumps(mx.nd.array(x)))
    np.testing.assert_array_equal(a.asnumpy(), x)


def test_engine_switch():
    assert mx.engine.engine_type() in ("ThreadedEngine", "NaiveEngine")
    old = mx.engine.engine_type()
    mx.engine.set_engine_type("NaiveEngine")
    try:
        assert mx.engine.engine_type() == "NaiveEngine"
        np.testing.assert_array_equal((mx.nd.ones((3,)) + 1).asnumpy(), np.full(3, 2, np.float32))
    finally:
        mx.engine.set_engine_type(old)
    with pytest.raises(KeyError, match="unknown engine"):
        mx.engine.set_engine_type("FastEngine")
