"""dot and batch_dot against NumPy, over dtypes, transposes and N-d shapes.

MXNet 1.x semantics: dot contracts the last axis of lhs with the FIRST axis of rhs
(np.tensordot(lhs, rhs, axes=1)), not NumPy's second-to-last; transpose_a sees lhs as
(first axis, rest) and transposes it, transpose_b sees rhs as (all but last, last) and
transposes it; 1-d . 1-d gives shape (1,).
"""
import numpy as np
import pytest

import mxlite as mx

DTYPES = ["float32", "float64", "float16", "int32", "int64", "uint8", "int8"]
RTOL = {"float16": 1e-2, "float32": 1e-5, "float64": 1e-12}


def sample(rng, shape, dtype):
    if np.dtype(dtype).kind == "f":
        return rng.uniform(-1, 1, size=shape).astype(dtype)
    lo = 0 if dtype == "uint8" else -3
    return rng.integers(lo, 4, size=shape).astype(dtype)


def mx_dot_oracle(a, b, ta, tb):
    """MXNet's dot in NumPy, computed in float64/int64 and cast back."""
    wide = np.float64 if a.dtype.kind == "f" else np.int64
    a, b = a.astype(wide), b.astype(wide)
    if a.ndim == 1 and b.ndim == 1:
        return np.array([np.dot(a, b)])
    if ta:
        a2 = a.reshape(a.shape[0], -1).T
        lead = a.shape[1:] if a.ndim > 1 else ()
    else:
        a2 = a.reshape(-1, a.shape[-1])
        lead = a.shape[:-1] if a.ndim > 1 else ()
    if tb:
        b2 = b.reshape(-1, b.shape[-1]).T
        trail = b.shape[:-1] if b.ndim > 1 else ()
    else:
        b2 = b.reshape(b.shape[0], -1)
        trail = b.shape[1:] if b.ndim > 1 else ()
    return (a2 @ b2).reshape(tuple(lead) + tuple(trail))


def compare(got, expect, dtype):
    assert got.shape == expect.shape
    assert got.dtype == np.dtype(dtype)
    g = got.asnumpy()
    if np.dtype(dtype).kind == "f":
        np.testing.assert_allclose(g.astype(np.float64), expect, rtol=RTOL[dtype],
                                   atol=RTOL[dtype] * 4)
    else:
        np.testing.assert_array_equal(g, expect.astype(dtype))  # wraps like the core


DOT_CASES = [
    # (lhs shape, rhs shape, transpose_a, transpose_b)
    ((3, 4), (4, 5), False, False),
    ((4, 3), (4, 5), True, False),
    ((3, 4), (5, 4), False, True),
    ((4, 3), (5, 4), True, True),
    ((7,), (7,), False, False),
    ((3, 4), (4,), False, False),
    ((4, 3), (4,), True, False),
    ((4,), (4, 5), False, False),
    ((4,), (5, 4), False, True),
    ((2, 3, 4), (4, 5), False, False),
    ((2, 3, 4), (4, 2, 5), False, False),
    ((4, 2, 3), (4, 5), True, False),
    ((3, 4), (2, 5, 4), False, True),
    ((4, 2, 3), (2, 5, 4), True, True),
    ((1, 1), (1, 1), False, False),
    ((65, 33), (33, 70), False, False),
    ((33, 65), (70, 33), True, True),
    ((1, 300), (300, 1), False, False),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ls,rs,ta,tb", DOT_CASES)
def test_dot(rng, dtype, ls, rs, ta, tb):
    a, b = sample(rng, ls, dtype), sample(rng, rs, dtype)
    got = mx.nd.dot(mx.nd.array(a, dtype=dtype), mx.nd.array(b, dtype=dtype),
                    transpose_a=ta, transpose_b=tb)
    compare(got, mx_dot_oracle(a, b, ta, tb), dtype)


def test_dot_matches_numpy_matmul_for_matrices(rng):
    for n in [1, 16, 100, 257, 512]:
        a = rng.standard_normal((n, n)).astype(np.float32)
        b = rng.standard_normal((n, n)).astype(np.float32)
        got = mx.nd.dot(mx.nd.array(a), mx.nd.array(b)).asnumpy()
        np.testing.assert_allclose(got, a.astype(np.float64) @ b.astype(np.float64),
                                   rtol=1e-4, atol=1e-4 * np.sqrt(n))


def test_dot_empty(rng):
    z = mx.nd.dot(mx.nd.array(np.zeros((2, 0), np.float32)),
                  mx.nd.array(np.zeros((0, 3), np.float32)))
    np.testing.assert_array_equal(z.asnumpy(), np.zeros((2, 3), np.float32))
    e = mx.nd.dot(mx.nd.array(np.zeros((0, 4), np.float32)),
                  mx.nd.array(np.ones((4, 3), np.float32)))
    assert e.shape == (0, 3)
    i = mx.nd.dot(mx.nd.array(np.zeros((0,), np.int32), dtype="int32"),
                  mx.nd.array(np.zeros((0,), np.int32), dtype="int32"))
    np.testing.assert_array_equal(i.asnumpy(), [0])


def test_dot_forward_stype_is_accepted():
    a = mx.nd.ones((2, 2))
    np.testing.assert_array_equal(mx.nd.dot(a, a, forward_stype="default").asnumpy(),
                                  np.full((2, 2), 2, np.float32))


def test_dot_errors():
    with pytest.raises(ValueError, match=r"Operator dot.*\(2, 3\).*\(2, 3\)"):
        mx.nd.dot(mx.nd.ones((2, 3)), mx.nd.ones((2, 3)))
    with pytest.raises(mx.MXNetError, match="dot"):
        mx.nd.dot(mx.nd.ones((3,)), mx.nd.ones((4,)))
    with pytest.raises(ValueError, match="dot"):
        mx.nd.dot(mx.nd.ones((3,)), mx.nd.ones((3,)), transpose_a=True)
    with pytest.raises(ValueError, match="dot.*'lhs'"):
        mx.nd.dot(mx.nd.array(np.float32(2)), mx.nd.ones((3,)))
    with pytest.raises(TypeError, match="dot"):
        mx.nd.dot(mx.nd.ones((2, 2)), mx.nd.ones((2, 2), dtype="float64"))
    with pytest.raises(TypeError, match="dot"):
        mx.nd.dot(mx.nd.array([True], dtype=bool), mx.nd.array([True], dtype=bool))


# ---------------------------------------------------------------------------
# batch_dot
# ---------------------------------------------------------------------------

def batch_oracle(a, b, ta, tb):
    wide = np.float64 if a.dtype.kind == "f" else np.int64
    a, b = a.astype(wide), b.astype(wide)
    if ta:
        a = np.swapaxes(a, -1, -2)
    if tb:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
@pytest.mark.parametrize("batch,m,n,k", [(3, 2, 4, 5), (1, 1, 1, 1), (64, 4, 4, 4),
                                         (2, 70, 65, 80), (5, 1, 9, 3), (0, 2, 2, 2),
                                         (2, 3, 3, 0)])
def test_batch_dot(rng, dtype, ta, tb, batch, m, n, k):
    a = sample(rng, (batch, k, m) if ta else (batch, m, k), dtype)
    b = sample(rng, (batch, n, k) if tb else (batch, k, n), dtype)
    got = mx.nd.batch_dot(mx.nd.array(a, dtype=dtype), mx.nd.array(b, dtype=dtype),
                          transpose_a=ta, transpose_b=tb)
    compare(got, batch_oracle(a, b, ta, tb), dtype)


def test_batch_dot_nd(rng):
    a = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    b = rng.standard_normal((2, 3, 5, 6)).astype(np.float32)
    got = mx.nd.batch_dot(mx.nd.array(a), mx.nd.array(b))
    compare(got, batch_oracle(a, b, False, False), "float32")


def test_batch_dot_errors():
    with pytest.raises(ValueError, match=r"batch_dot.*\(2, 2, 3\)"):
        mx.nd.batch_dot(mx.nd.ones((2, 2, 3)), mx.nd.ones((2, 2, 3)))
    with pytest.raises(ValueError, match="batch_dot.*batch"):
        mx.nd.batch_dot(mx.nd.ones((2, 2, 3)), mx.nd.ones((3, 3, 2)))
    with pytest.raises(ValueError, match="batch_dot"):
        mx.nd.batch_dot(mx.nd.ones((2, 3)), mx.nd.ones((3, 2)))
    with pytest.raises(ValueError, match="batch_dot"):
        mx.nd.batch_dot(mx.nd.ones((2, 2, 3)), mx.nd.ones((2, 3)))
