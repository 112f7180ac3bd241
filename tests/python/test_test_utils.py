"""mx.test_utils against hand-made cases."""
import numpy as np
import pytest

import mxlite as mx
from mxlite import test_utils as tu


def test_assert_almost_equal_passes_and_fails_with_details():
    a = mx.nd.array([1.0, 2.0, 3.0])
    tu.assert_almost_equal(a, np.array([1.0, 2.00001, 3.0]))  # float32 default rtol 1e-4
    with pytest.raises(AssertionError, match=r"1 of 3 elements differ[\s\S]*at \(1,\)"):
        tu.assert_almost_equal(a, np.array([1.0, 2.5, 3.0]), names=("got", "want"))
    tu.assert_almost_equal(a, np.array([1.0, 2.5, 3.0]), rtol=0.3)
    with pytest.raises(AssertionError, match="shape mismatch"):
        tu.assert_almost_equal(a, np.ones((3, 1)), use_broadcast=False)


def test_tolerances_follow_the_looser_dtype():
    h = mx.nd.array([1.0], dtype="float16")
    assert tu.almost_equal(h, np.array([1.009], np.float32))      # float16: rtol 1e-2
    assert not tu.almost_equal(mx.nd.array([1.0]), np.array([1.009], np.float32))
    assert tu.almost_equal([np.nan], [np.nan], equal_nan=True)
    assert not tu.almost_equal([np.nan], [np.nan])


def test_same_and_random_helpers():
    assert tu.same(mx.nd.array([1, 2]), np.array([1, 2], np.float32))
    assert not tu.same(mx.nd.array([1, 2]), np.array([1, 3]))
    s2, s3, sn = tu.rand_shape_2d(4, 5), tu.rand_shape_3d(), tu.rand_shape_nd(4, dim=3)
    assert len(s2) == 2 and 1 <= s2[0] <= 4 and 1 <= s2[1] <= 5
    assert len(s3) == 3 and len(sn) == 4 and all(1 <= d <= 3 for d in sn)
    x = tu.rand_ndarray((3, 4), dtype="float64")
    assert x.shape == (3, 4) and x.dtype == np.float64
    v = x.asnumpy()
    assert (v >= 0).all() and (v < 1).all()
    with pytest.raises(NotImplementedError):
        tu.rand_ndarray((2, 2), stype="csr")


def test_default_context():
    assert tu.default_context() == mx.cpu()
    tu.set_default_context(mx.cpu(0))
    with pytest.raises(TypeError):
        tu.set_default_context("cpu")
