"""Bad input raises the right exception, naming the op and argument; nothing crashes."""
import numpy as np
import pytest

import mxlite as mx


def test_error_hierarchy():
    assert issubclass(mx.MXNetError, RuntimeError)
    with pytest.raises(mx.MXNetError) as e:
        mx.nd.broadcast_add(mx.nd.ones((2, 3)), mx.nd.ones((4,)))
    assert isinstance(e.value, ValueError)


def test_shape_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"broadcast_add.*\(2, 3\).*\(4,\)"):
        mx.nd.ones((2, 3)) + mx.nd.ones((4,))
    with pytest.raises(ValueError, match="elemwise_add"):
        mx.nd.elemwise_add(mx.nd.ones((2, 3)), mx.nd.ones((3, 2)))
    with pytest.raises(ValueError, match="dot"):
        mx.nd.dot(mx.nd.ones((2, 3)), mx.nd.ones((2, 3)))


def test_dtype_mismatch_is_type_error():
    with pytest.raises(TypeError, match="broadcast_add"):
        mx.nd.ones((2,), dtype="float32") + mx.nd.ones((2,), dtype="int32")


def test_unknown_parameter_is_named():
    with pytest.raises(mx.MXNetError, match=r"sum.*unknown parameter 'axes'"):
        mx.nd.sum(mx.nd.ones((2, 2)), axes=1)


def test_bad_parameter_value_is_named():
    with pytest.raises(ValueError, match=r"Operator sum.*'keepdims'"):
        mx.nd.sum(mx.nd.ones((2, 2)), keepdims="maybe")
    with pytest.raises(ValueError, match=r"Cast.*'dtype'"):
        mx.nd.Cast(mx.nd.ones((2,)), dtype="complex64")


def test_missing_required_parameter():
    with pytest.raises(ValueError, match=r"one_hot.*required parameter 'depth'"):
        mx.nd.one_hot(mx.nd.array([0, 1]))


def test_bad_axis_is_index_error():
    with pytest.raises(IndexError, match="sum"):
        mx.nd.sum(mx.nd.ones((2, 2)), axis=5)


def test_unknown_op():
    with pytest.raises(AttributeError):
        mx.nd.no_such_op  # noqa: B018
    from mxlite.ndarray._invoke import op_handle
    with pytest.raises(KeyError, match="unknown operator 'no_such_op'"):
        op_handle("no_such_op")


def test_wrong_argument_kind():
    with pytest.raises(TypeError, match=r"relu.*'data'.*NDArray"):
        mx.nd.relu([1, 2, 3])


def test_unsupported_dtype():
    with pytest.raises(TypeError, match="dtype"):
        mx.nd.array([1, 2], dtype=np.complex64)


def test_use_of_freed_array():
    a = mx.nd.ones((2, 2))
    a._free()
    with pytest.raises(mx.MXNetError, match="freed"):
        a.asnumpy()
    with pytest.raises(ValueError, match=r"relu.*freed"):
        mx.nd.relu(a)


def test_out_with_wrong_shape():
    with pytest.raises(ValueError, match=r"relu.*output 0"):
        mx.nd.relu(mx.nd.ones((2, 2)), out=mx.nd.zeros((3,)))


def test_async_error_raised_at_sync_point_then_engine_usable():
    data = mx.nd.array([[1, 2], [3, 4]])
    bad = mx.nd.array([0, 5])
    y = mx.nd.take(data, bad, mode="raise")  # index 5 is out of range: fails in the kernel
    z = y + 1                                 # depends on the failed result: skipped
    with pytest.raises(IndexError, match="take"):
        z.asnumpy()
    with pytest.raises(IndexError, match="take"):
        y.wait_to_read()
    mx.nd.waitall()  # the error was already reported: nothing left to raise
    ok = mx.nd.ones((2,)) * 3
    np.testing.assert_array_equal(ok.asnumpy(), [3, 3])
    y[:] = 1  # a successful write clears the error
    np.testing.assert_array_equal(y.asnumpy(), np.ones((2, 2), np.float32))


def test_async_error_raised_by_waitall():
    data = mx.nd.ones((3, 2))
    mx.nd.take(data, mx.nd.array([7]), mode="raise")
    with pytest.raises(mx.MXNetError, match="take"):
        mx.nd.waitall()
    mx.nd.waitall()  # raised once, then cleared


def test_other_arrays_not_corrupted_by_errors():
    keep = mx.nd.array([1.0, 2.0, 3.0])
    for _ in range(3):
        with pytest.raises(mx.MXNetError):
            mx.nd.broadcast_add(keep, mx.nd.ones((2,)), out=keep)
    np.testing.assert_array_equal(keep.asnumpy(), [1, 2, 3])
