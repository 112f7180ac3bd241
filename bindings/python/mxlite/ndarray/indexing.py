"""NDArray indexing: basic (views where MXNet gives views), integer arrays, assignment."""
import numpy as np

from ..base import IndexError_, TypeError_
from ._invoke import attr_str, invoke, op_handle
from .ndarray import NDArray, array

_INT = (int, np.integer)


def _norm_index(i, n, axis):
    i = int(i)
    if i < -n or i >= n:
        raise IndexError_(f"index {i} is out of bounds for axis {axis} with size {n}")
    return i + n if i < 0 else i


def _expand(key, ndim):
    """key -> tuple with Ellipsis expanded and None (newaxis) positions recorded."""
    if not isinstance(key, tuple):
        key = (key,)
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError_("an index can only have a single ellipsis ('...')")
    out = []
    for k in key:
        if k is Ellipsis:
            out.extend([slice(None)] * (ndim - n_real))
        else:
            out.append(k)
    real = [k for k in out if k is not None]
    if len(real) > ndim:
        raise IndexError_(f"too many indices for an array of {ndim} dimensions: {len(real)}")
    return out


def _is_advanced(k):
    return isinstance(k, (NDArray, np.ndarray, list)) and not isinstance(k, bool)


def _basic(x, key):
    """Ints, slices, None: the first-axis cases are views, the rest copy via slice."""
    shape = x.shape
    keys = _expand(key, len(shape))
    real = [k for k in keys if k is not None]
    # Fast views on the first axis, as MXNet.
    if len(keys) == 1 and len(shape) > 0:
        k = keys[0]
        if isinstance(k, _INT):
            from ..base import check_call, ffi, lib
            from ._invoke import wrap
            i = _norm_index(k, shape[0], 0)
            out = ffi.new("mxl_array_t**")
            check_call(lib.mxl_array_at_view(x._handle(), i, out))
            return wrap(out[0])
        if isinstance(k, slice) and k.step in (None, 1):
            from ..base import check_call, ffi, lib
            from ._invoke import wrap
            b, e, _ = k.indices(shape[0])
            e = max(b, e)
            out = ffi.new("mxl_array_t**")
            check_call(lib.mxl_array_slice_view(x._handle(), b, e, out))
            return wrap(out[0])
    begin, end, step, final_shape = [], [], [], []
    axis = 0
    for k in keys:
        if k is None:
            final_shape.append(1)
            continue
        n = shape[axis]
        if isinstance(k, _INT):
            i = _norm_index(k, n, axis)
            begin.append(i), end.append(i + 1), step.append(1)
        elif isinstance(k, slice):
            b, e, s = k.indices(n)
            begin.append(b), step.append(s)
            end.append(e if e >= 0 else None)
            final_shape.append(len(range(b, e, s)))
        else:
            raise IndexError_(f"NDArray indices must be integers, slices, None, Ellipsis or "
                              f"integer arrays, got {type(k).__name__}")
        axis += 1
    final_shape.extend(shape[axis:])
    if all(isinstance(k, slice) and k == slice(None) for k in real) and len(final_shape) == len(shape):
        return x
    sliced = invoke(op_handle("slice"), [x._handle()], ["begin", "end", "step"],
                    [attr_str(tuple(begin)), attr_str(tuple(end)), attr_str(tuple(step))], None)
    return sliced.reshape(tuple(final_shape))


def _index_array(k, n, axis):
    if isinstance(k, NDArray):
        return k
    a = np.asarray(k)
    if a.dtype == np.bool_:
        raise IndexError_("boolean mask indexing is not supported; use mx.nd.contrib.boolean_mask")
    if not np.issubdtype(a.dtype, np.integer):
        raise IndexError_(f"arrays used as indices must be of integer type, got {a.dtype}")
    if a.size and (a.min() < -n or a.max() >= n):
        bad = a[(a < -n) | (a >= n)].flat[0]
        raise IndexError_(f"index {bad} is out of bounds for axis {axis} with size {n}")
    return array(np.where(a < 0, a + n, a), dtype=np.int64)


def getitem(x, key):
    keys = key if isinstance(key, tuple) else (key,)
    adv = [i for i, k in enumerate(keys) if _is_advanced(k)]
    if not adv:
        return _basic(x, key)
    keys = _expand(keys, x.ndim)
    if any(k is None for k in keys):
        raise IndexError_("combining None (newaxis) with integer-array indexing is not supported")
    adv = [i for i, k in enumerate(keys) if _is_advanced(k)]
    if len(adv) == 1:
        # One index array: basic-slice the rest (ints kept as size-1 axes), take
        # along the array's axis, then drop the int axes.
        a = adv[0]
        pre = []
        for axis, k in enumerate(keys):
            if axis == a:
                pre.append(slice(None))
            elif isinstance(k, _INT):  # kept as a size-1 axis until the end
                i = _norm_index(k, x.shape[axis], axis)
                pre.append(slice(i, i + 1))
            else:
                pre.append(k)
        y = _basic(x, tuple(pre))
        idx = _index_array(keys[a], x.shape[a], a)
        y = invoke(op_handle("take"), [y._handle(), idx._handle()], ["axis", "mode"],
                   [str(a), "raise"], None)
        drop = [i for i, k in enumerate(keys) if isinstance(k, _INT)]
        if drop:
            idx_nd = idx.ndim
            new_shape = [d for i, d in enumerate(y.shape)
                         if not any(i == (j if j < a else j + idx_nd - 1) for j in drop)]
            y = y.reshape(tuple(new_shape))
        return y
    if adv != list(range(len(adv))) or any(not _is_advanced(k) and k != slice(None)
                                           for k in keys[len(adv):]):
        raise IndexError_("several integer-array indices are supported only on the leading axes")
    arrs = [np.asarray(k.asnumpy() if isinstance(k, NDArray) else k) for k in keys[:len(adv)]]
    arrs = np.broadcast_arrays(*arrs)
    idx = np.stack([_index_array(a, x.shape[i], i).asnumpy() for i, a in enumerate(arrs)])
    idx_nd = array(idx, dtype=np.int64)  # referenced until the call returns
    return invoke(op_handle("gather_nd"), [x._handle(), idx_nd._handle()], None, None, None)


def _value_array(value, dtype, shape):
    if isinstance(value, NDArray):
        v = value if value.dtype == dtype else value.astype(dtype)
    else:
        v = array(np.asarray(value), dtype=dtype)
    if v.shape != tuple(shape):
        if v.ndim < len(shape):
            v = v.reshape((1,) * (len(shape) - v.ndim) + v.shape)
        # v must stay referenced until the call returns: its handle is borrowed.
        v = invoke(op_handle("broadcast_to"), [v._handle()], ["shape"], [attr_str(tuple(shape))],
                   None)
    return v


def _fill(target, value):
    """Write a scalar or array into every element of target (an NDArray or view)."""
    if isinstance(value, (int, float, bool, np.number, np.bool_)):
        invoke(op_handle("_full"), [], ["shape", "value", "dtype"],
               [attr_str(target.shape), attr_str(float(value)), np.dtype(target.dtype).name],
               target)
    else:
        v = _value_array(value, target.dtype, target.shape)
        invoke(op_handle("_copy"), [v._handle()], None, None, target)


def setitem(x, key, value):
    if not isinstance(value, (NDArray, np.ndarray, list, tuple, int, float, bool, np.number,
                              np.bool_)):
        raise TypeError_(f"NDArray assignment: value must be a number, an NDArray or an array-like,"
                         f" got {type(value).__name__}")
    keys = key if isinstance(key, tuple) else (key,)
    if any(_is_advanced(k) for k in keys):
        _scatter(x, keys, value)
        return
    keys = _expand(keys, x.ndim)
    if any(k is None for k in keys):
        raise IndexError_("None (newaxis) is not allowed in an assignment index")
    if all(isinstance(k, slice) and k == slice(None) for k in keys):
        _fill(x, value)
        return
    if len(keys) == 1 and (isinstance(keys[0], _INT) or
                           (isinstance(keys[0], slice) and keys[0].step in (None, 1))):
        _fill(_basic(x, keys[0]), value)  # a view onto x
        return
    shape = x.shape
    begin, end, step, region, np_region = [], [], [], [], []
    for axis, k in enumerate(keys):
        n = shape[axis]
        if isinstance(k, _INT):
            i = _norm_index(k, n, axis)
            begin.append(i), end.append(i + 1), step.append(1), region.append(1)
        else:
            b, e, s = k.indices(n)
            begin.append(b), end.append(e if e >= 0 else None), step.append(s)
            region.append(len(range(b, e, s)))
            np_region.append(region[-1])
    region += list(shape[len(keys):])
    np_region += list(shape[len(keys):])  # NumPy's view of the region: int axes dropped
    attrs = ["begin", "end", "step"]
    vals = [attr_str(tuple(begin)), attr_str(tuple(end)), attr_str(tuple(step))]
    if isinstance(value, (int, float, bool, np.number, np.bool_)):
        invoke(op_handle("_slice_assign_scalar"), [x._handle()], attrs + ["scalar"],
               vals + [attr_str(float(value))], x)
    else:
        v = _value_array(value, x.dtype, np_region).reshape(tuple(region))
        invoke(op_handle("_slice_assign"), [x._handle(), v._handle()], attrs, vals, x)


def _scatter(x, keys, value):
    adv = [i for i, k in enumerate(keys) if _is_advanced(k)]
    if adv != list(range(len(adv))) or any(not (isinstance(k, slice) and k == slice(None))
                                           for k in keys[len(adv):]):
        raise IndexError_("assignment with integer arrays is supported only on the leading axes")
    arrs = [np.asarray(k.asnumpy() if isinstance(k, NDArray) else k) for k in keys[:len(adv)]]
    arrs = np.broadcast_arrays(*arrs)
    idx = np.stack([_index_array(a, x.shape[i], i).asnumpy() for i, a in enumerate(arrs)])
    region = tuple(arrs[0].shape) + tuple(x.shape[len(adv):])
    v = _value_array(value, x.dtype, region)
    idx_nd = array(idx, dtype=np.int64)  # referenced until the call returns
    invoke(op_handle("_scatter_set_nd"), [x._handle(), v._handle(), idx_nd._handle()],
           ["shape"], [attr_str(x.shape)], x)


__all__ = ["getitem", "setitem"]
