"""Helpers shared by the operator tests: typed random inputs and exact checks."""
import numpy as np

import mxlite as mx


def make(rng, shape, dtype):
    """Random values suited to the dtype (bools, small ints, normal floats)."""
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "uint8":
        return rng.integers(0, 200, size=shape).astype(dtype)
    if np.issubdtype(np.dtype(dtype), np.integer):
        return rng.integers(-100, 100, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def check(result, expected):
    """result (an NDArray) equals expected exactly, dtype and shape included."""
    got = result.asnumpy()
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_array_equal(got, expected)


def nd(x):
    """An NDArray with x's own dtype (mx.nd.array defaults to float32)."""
    return mx.nd.array(x, dtype=x.dtype)
