"""The one path from Python to mxl_invoke, kept lean: it runs for every op."""
import threading

import numpy as np

from ..base import InvalidHandleError, TypeError_, check_call, ffi, lib

_ops = {}  # name -> op handle (owned by this module for the life of the process)
_NEW = object.__new__
_NDArray = None  # set by ndarray.py (avoids an import cycle)


def op_handle(name):
    h = _ops.get(name)
    if h is None:
        p = ffi.new("mxl_op_t**")
        check_call(lib.mxl_op_get(name.encode(), p))
        h = _ops[name] = p[0]
    return h


def wrap(handle):
    """New NDArray owning `handle` (a new reference from the core)."""
    a = _NEW(_NDArray)
    a.handle = handle
    a._shape = None
    a._dtype = None
    return a


def attr_str(v):
    """A Python attribute value in MXNet's text form."""
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return "True" if v else "False"
    if t is int:
        return str(v)
    if t is float:
        return repr(v)
    if v is None:
        return "None"
    if t is tuple or t is list:
        if len(v) == 1:
            return "(" + attr_str(v[0]) + ",)"
        return "(" + ", ".join(attr_str(x) for x in v) + ")"
    if isinstance(v, (np.integer,)):
        return str(int(v))
    if isinstance(v, (np.floating,)):
        return repr(float(v))
    if isinstance(v, np.bool_):
        return "True" if v else "False"
    if isinstance(v, (type, np.dtype)):
        return np.dtype(v).name
    if isinstance(v, np.ndarray) and v.ndim <= 1:
        return attr_str(v.tolist())
    from ..context import Context
    if isinstance(v, Context):
        return str(v)
    return str(v)


def in_handle(x, opname, argname):
    """The C handle of an NDArray argument, or a clear error."""
    if type(x) is _NDArray or isinstance(x, _NDArray):
        h = x.handle
        if h is None:
            raise InvalidHandleError(f"Operator {opname}: argument '{argname}' is an NDArray "
                                     "that has been freed")
        return h
    raise TypeError_(f"Operator {opname}: argument '{argname}' must be an NDArray, got "
                     f"{type(x).__name__}")


# Attribute names and values as C strings, kept: a training loop sends the
# same few strings call after call, and ffi.new per string costs more than
# the op.  Bounded, so arbitrary values (e.g. scalars) cannot grow it forever.
_cstrings = {}
_CSTRING_CACHE_LIMIT = 4096


def _cstr(s):
    c = ffi.new("char[]", s.encode())
    if len(_cstrings) < _CSTRING_CACHE_LIMIT:
        _cstrings[s] = c
    return c


_tls = threading.local()
_SCRATCH = 16


class _Scratch:
    """Per-thread out-parameter buffers with their addresses taken once
    (ffi.addressof costs more than the C call it feeds)."""
    __slots__ = ("s", "outs", "dims", "p_cap", "p_ndim", "p_dtype")

    def __init__(self):
        self.s = ffi.new("mxl_py_invoke_scratch*")  # zero-filled
        self.outs = self.s.outs
        self.dims = self.s.dims
        self.p_cap = ffi.addressof(self.s, "cap")
        self.p_ndim = ffi.addressof(self.s, "ndim")
        self.p_dtype = ffi.addressof(self.s, "dtype")


def scratch():
    """This thread's scratch buffers."""
    try:
        return _tls.sc
    except AttributeError:
        sc = _tls.sc = _Scratch()
        return sc


def cstr(s):
    """s as a cached C string (attribute names and values)."""
    return _cstrings.get(s) or _cstr(s)


def invoke(op, handles, keys, vals, out=None, nout=1):
    """Run op; returns one NDArray, or a list when the op has several outputs.

    handles: list of input handles; keys/vals: lists of str (may be empty);
    out: None, an NDArray or a list of NDArrays to write into."""
    if keys:
        get = _cstrings.get
        return invoke_c(op, handles, [get(k) or _cstr(k) for k in keys],
                        [get(v) or _cstr(v) for v in vals], out, nout)
    return invoke_c(op, handles, None, None, out, nout)


def invoke_c(op, handles, ckeys, cvals, out=None, nout=1):
    """invoke() with attributes already as C strings (see cstr): the path the
    generated op functions take."""
    if ckeys:
        nk = len(ckeys)
    else:
        nk = 0
        ckeys = cvals = ffi.NULL
    if out is None and nout <= _SCRATCH:
        # Invariant: every scratch entry is NULL between calls (NULL = "allocate").
        try:
            sc = _tls.sc
        except AttributeError:
            sc = scratch()
        outs = sc.outs
        cap = sc.p_cap
        cap[0] = _SCRATCH
        check_call(lib.mxl_invoke(op, len(handles), handles, nk, ckeys, cvals, cap, outs))
        n = cap[0]
        if n == 1:
            r = wrap(outs[0])
            outs[0] = ffi.NULL
            return r
        res = [wrap(outs[i]) for i in range(n)]
        for i in range(n):
            outs[i] = ffi.NULL
        return res
    if out is None:
        outs = ffi.new("mxl_array_t*[]", nout)
        cap = ffi.new("int32_t*", nout)
        check_call(lib.mxl_invoke(op, len(handles), handles, nk, ckeys, cvals, cap, outs))
        return [wrap(outs[i]) for i in range(cap[0])]
    outl = out if isinstance(out, (list, tuple)) else [out]
    outs = ffi.new("mxl_array_t*[]", [in_handle(o, "out", "out") for o in outl])
    cap = ffi.new("int32_t*", len(outl))
    check_call(lib.mxl_invoke(op, len(handles), handles, nk, ckeys, cvals, cap, outs))
    return out
