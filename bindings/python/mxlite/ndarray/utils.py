"""Array constructors of mx.nd that are not plain ops."""
import numpy as np

from ..context import check_cpu
from ._invoke import attr_str, invoke, op_handle
from .ndarray import array, empty  # noqa: F401 - re-exported as mx.nd.array / empty

__all__ = ["zeros", "ones", "full", "arange", "eye", "linspace", "empty", "array", "concatenate",
           "moveaxis"]


def _shape(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def _dtype(dtype):
    return np.dtype(np.float32 if dtype is None else dtype).name


def zeros(shape, ctx=None, dtype=None, **kwargs):
    """An array of zeros (`mx.nd.zeros`)."""
    check_cpu(ctx, "zeros")
    return invoke(op_handle("_zeros"), [], ["shape", "dtype"], [attr_str(_shape(shape)),
                                                               _dtype(dtype)], kwargs.get("out"))


def ones(shape, ctx=None, dtype=None, **kwargs):
    """An array of ones (`mx.nd.ones`)."""
    check_cpu(ctx, "ones")
    return invoke(op_handle("_ones"), [], ["shape", "dtype"], [attr_str(_shape(shape)),
                                                              _dtype(dtype)], kwargs.get("out"))


def full(shape, val, ctx=None, dtype=None, out=None):
    """An array filled with `val` (`mx.nd.full`)."""
    check_cpu(ctx, "full")
    return invoke(op_handle("_full"), [], ["shape", "value", "dtype"],
                  [attr_str(_shape(shape)), attr_str(float(val)), _dtype(dtype)], out)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=None, ctx=None, dtype=None):
    """Evenly spaced values in [start, stop) (`mx.nd.arange`), float32 by default."""
    check_cpu(ctx, "arange")
    return invoke(op_handle("_arange"), [],
                  ["start", "stop", "step", "repeat", "dtype"],
                  [attr_str(float(start)), attr_str(None if stop is None else float(stop)),
                   attr_str(float(step)), str(int(repeat)), _dtype(dtype)], None)


def eye(N, M=0, k=0, ctx=None, dtype=None):
    """A 2-D array with ones on the k-th diagonal (`mx.nd.eye`)."""
    check_cpu(ctx, "eye")
    return invoke(op_handle("_eye"), [], ["N", "M", "k", "dtype"],
                  [str(int(N)), str(int(M)), str(int(k)), _dtype(dtype)], None)


def linspace(start, stop, num, endpoint=True, ctx=None, dtype=None):
    """`num` evenly spaced values from start to stop (`mx.nd.linspace`)."""
    check_cpu(ctx, "linspace")
    return invoke(op_handle("_linspace"), [], ["start", "stop", "num", "endpoint", "dtype"],
                  [attr_str(float(start)), attr_str(float(stop)), str(int(num)),
                   attr_str(bool(endpoint)), _dtype(dtype)], None)


def concatenate(arrays, axis=0, always_copy=True):
    """Concatenate along an axis (`mx.nd.concatenate`)."""
    return invoke(op_handle("Concat"), [a._handle() for a in arrays], ["num_args", "dim"],
                  [str(len(arrays)), str(axis)], None)


def moveaxis(tensor, source, destination):
    axes = list(range(tensor.ndim))
    src = source % tensor.ndim
    dst = destination % tensor.ndim
    axes.pop(src)
    axes.insert(dst, src)
    return invoke(op_handle("transpose"), [tensor._handle()], ["axes"], [attr_str(tuple(axes))],
                  None)


