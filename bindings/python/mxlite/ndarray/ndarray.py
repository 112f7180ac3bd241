"""NDArray: MXNet 1.9's imperative array over a core handle."""
import numpy as np

from .. import _dtypes
from ..base import (InvalidHandleError, NotImplementedError_, TypeError_, ValueError_, check_call,
                    ffi, last_error, lib)
from ..context import Context, check_cpu
from . import _invoke
from .._dtypes import _CODE_TO_TYPE
from ._invoke import _NEW, _tls, attr_str, invoke, op_handle, scratch, wrap

__all__ = ["NDArray", "waitall"]

# op_handle caches the core's op handles by name for the process.
_h = op_handle


def _binary(lhs, rhs, array_op, scalar_op, rscalar_op=None, out=None):
    """lhs (an NDArray) <op> rhs (NDArray or number), MXNet's dispatch rules."""
    if isinstance(rhs, NDArray):
        return invoke(_h(array_op), [lhs._handle(), rhs._handle()], None, None, out)
    if isinstance(rhs, (int, float, bool, np.number, np.bool_)):
        is_int = "True" if isinstance(rhs, (int, np.integer)) else "False"
        return invoke(_h(scalar_op), [lhs._handle()], ["scalar", "is_int"],
                      [attr_str(float(rhs)), is_int], out)
    if isinstance(rhs, (np.ndarray, list, tuple)):
        return _binary(lhs, array(rhs, dtype=lhs.dtype), array_op, scalar_op, rscalar_op, out)
    return NotImplemented


def _arith(array_op, scalar_op):
    """A binary operator method.  NDArray <op> NDArray takes the shortest path
    to the core, inlined here because it is the dispatch benchmark; the rest
    goes through _binary's MXNet rules."""
    op = []
    null = ffi.NULL

    def method(self, o):
        if type(o) is not NDArray:
            return _binary(self, o, array_op, scalar_op)
        h1, h2 = self.handle, o.handle
        if h1 is None or h2 is None:
            raise InvalidHandleError(f"Operator {array_op}: an input NDArray has been freed")
        try:
            sc = _tls.sc
        except AttributeError:
            sc = scratch()
        cap, outs = sc.p_cap, sc.outs
        cap[0] = 16
        if lib.mxl_invoke(op[0] if op else _resolve(op, array_op), 2, [h1, h2], 0, null, null,
                          cap, outs):
            raise last_error()
        r = _NEW(NDArray)
        r.handle = outs[0]
        outs[0] = null
        # Equal input shapes give that shape and dtype (broadcasting and MXNet's
        # dtype rule), which spares a read-back its metadata query.
        s = self._shape
        if s is not None and s == o._shape:
            r._shape, r._dtype = s, self._dtype
        else:
            r._shape = r._dtype = None
        return r
    method.__name__ = array_op
    return method


def _resolve(cache, name):
    cache.append(_h(name))
    return cache[0]


_eq = _arith("broadcast_equal", "_equal_scalar")
_ne = _arith("broadcast_not_equal", "_not_equal_scalar")


class NDArray:
    """An n-dimensional array on a device, computed asynchronously by the engine.

    Operations return at once; values are observed at sync points (asnumpy,
    wait_to_read, mx.nd.waitall), where asynchronous errors are raised."""

    __slots__ = ("handle", "_shape", "_dtype", "__weakref__", "_grad", "_grad_req")
    __array_priority__ = 1000.0

    def __init__(self, handle, writable=True):
        self.handle = handle
        self._shape = None
        self._dtype = None

    def __del__(self):
        h = self.handle
        if h is not None:
            self.handle = None
            lib.mxl_array_free(h)

    def _handle(self):
        h = self.handle
        if h is None:
            raise InvalidHandleError("this NDArray has been freed")
        return h

    def _free(self):
        """Release the core handle now (later use raises an MXNetError)."""
        self.__del__()

    # ------------------------------------------------------------ metadata
    def _fetch_meta(self):
        # One C call for shape and dtype, into per-thread scratch (this runs
        # before every read-back, so it avoids allocations and slow cffi idioms).
        try:
            sc = _tls.sc
        except AttributeError:
            sc = scratch()
        if lib.mxl_array_info(self.handle or self._handle(), sc.p_ndim, sc.dims, 32, sc.p_dtype):
            raise last_error()
        n, dims = sc.p_ndim[0], sc.dims
        self._shape = (dims[0],) if n == 1 else tuple(dims[0:n])
        self._dtype = _CODE_TO_TYPE[sc.p_dtype[0]]

    @property
    def shape(self):
        s = self._shape
        if s is None:
            self._fetch_meta()
            s = self._shape
        return s

    @property
    def dtype(self):
        d = self._dtype
        if d is None:
            self._fetch_meta()
            d = self._dtype
        return d

    @property
    def size(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def context(self):
        self._handle()
        return Context("cpu", 0)

    ctx = context

    @property
    def stype(self):
        return "default"

    @property
    def T(self):
        return invoke(_h("transpose"), [self._handle()], None, None)

    def __len__(self):
        s = self.shape
        if not s:
            raise TypeError_("len() of a 0-d NDArray")
        return s[0]

    def __repr__(self):
        shape = "x".join(str(d) for d in self.shape)
        return f"\n{self.asnumpy()!s}\n<NDArray {shape} @{self.context}>"

    def __str__(self):
        return self.__repr__()

    # ------------------------------------------------------- data movement
    def asnumpy(self):
        """A NumPy copy, after pending writes finished (a sync point)."""
        shape, dtype = self._shape, self._dtype
        if dtype is None or shape is None:
            self._fetch_meta()
            shape, dtype = self._shape, self._dtype
        a = np.empty(shape, dtype)
        # a is a fresh writable array; from_buffer's require_writable check
        # costs more than the copy of a small array.
        if lib.mxl_array_copy_to_host(self.handle or self._handle(), ffi.from_buffer(a),
                                      a.nbytes):
            raise last_error()
        return a

    def asscalar(self):
        if self.size != 1:
            raise ValueError_(f"asscalar: the array has shape {self.shape}; only size-1 arrays "
                              "can be converted to a scalar")
        return self.asnumpy().reshape(())[()]

    def item(self):
        return self.asscalar().item()

    def tolist(self):
        return self.asnumpy().tolist()

    def __reduce__(self):
        # Pickled as the bytes mx.nd.save writes (MXNet pickles NDArrays the
        # same way); history and gradients are not kept.
        from .save_load import _save_to_bytes
        return (_from_saved_bytes, (_save_to_bytes([self]),))

    def __array__(self, dtype=None, copy=None):
        a = self.asnumpy()
        return a if dtype is None else a.astype(dtype)

    def _sync_copyfrom(self, source):
        src = np.asarray(source, dtype=self.dtype, order="C")
        if src.shape != self.shape:
            src = np.broadcast_to(src, self.shape).copy()
        check_call(lib.mxl_array_copy_from_host(self._handle(), ffi.from_buffer(src), src.nbytes))

    def wait_to_read(self):
        check_call(lib.mxl_array_wait_to_read(self._handle()))

    def wait_to_write(self):
        check_call(lib.mxl_array_wait_to_write(self._handle()))

    def astype(self, dtype, copy=True):
        dt = _dtypes.np_dtype(dtype)
        if not copy and dt == np.dtype(self.dtype):
            return self
        return invoke(_h("Cast"), [self._handle()], ["dtype"], [dt.name])

    def copy(self):
        return invoke(_h("_copy"), [self._handle()], None, None)

    def copyto(self, other):
        """Copy into another NDArray (returned) or to a context (a new array)."""
        if isinstance(other, NDArray):
            if other.handle == self.handle:
                return other
            return invoke(_h("_copy"), [self._handle()], None, None, out=other)
        if isinstance(other, Context):
            check_cpu(other, "copyto")
            return self.copy()
        raise TypeError_(f"copyto: destination must be an NDArray or a Context, got "
                         f"{type(other).__name__}")

    def as_in_context(self, context):
        check_cpu(context, "as_in_context")
        return self

    as_in_ctx = as_in_context

    # ------------------------------------------------------------ autograd
    def attach_grad(self, grad_req="write", stype=None):
        """Make this array a variable: gradients land in ``self.grad``."""
        from .. import autograd
        if stype not in (None, "default"):
            raise NotImplementedError_(f"attach_grad: stype {stype!r} (mxlite arrays are dense)")
        grad = invoke(_h("zeros_like"), [self._handle()], None, None)
        autograd.mark_variables([self], [grad], grad_req)

    @property
    def grad(self):
        """The gradient buffer (None unless attach_grad was called)."""
        return getattr(self, "_grad", None)

    @property
    def grad_req(self):
        return getattr(self, "_grad_req", "null")

    def backward(self, out_grad=None, retain_graph=False, train_mode=True):
        """Compute the gradients of this array with respect to the variables."""
        from .. import autograd
        autograd.backward([self], None if out_grad is None else [out_grad],
                          retain_graph=retain_graph, train_mode=train_mode)

    def detach(self):
        """The same values, cut from the recorded graph."""
        out = ffi.new("mxl_array_t**")
        check_call(lib.mxl_array_detach(self._handle(), out))
        return wrap(out[0])

    def reshape(self, *shape, **kwargs):
        """A view with a new shape (MXNet's special codes 0, -1, -2, -3, -4 allowed)."""
        if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = tuple(shape[0])
        if "shape" in kwargs:
            shape = tuple(kwargs.pop("shape"))
        if kwargs.pop("reverse", False):
            return invoke(_h("Reshape"), [self._handle()], ["shape", "reverse"],
                          [attr_str(tuple(shape)), "True"])
        if kwargs:
            raise TypeError_(f"reshape: unexpected arguments {sorted(kwargs)}")
        out = ffi.new("mxl_array_t**")
        check_call(lib.mxl_array_reshape_view(self._handle(), list(shape), len(shape), out))
        return wrap(out[0])

    def reshape_like(self, other):
        return self.reshape(other.shape)

    def __dlpack__(self, stream=None, max_version=None, dl_device=None, copy=None):
        from .dlpack import to_dlpack_capsule
        return to_dlpack_capsule(self, max_version)

    def __dlpack_device__(self):
        return (1, 0)

    def to_dlpack_for_read(self):
        return self.__dlpack__()

    to_dlpack_for_write = to_dlpack_for_read

    # ------------------------------------------------------------ arithmetic
    __add__ = __radd__ = _arith("broadcast_add", "_plus_scalar")
    __sub__ = _arith("broadcast_sub", "_minus_scalar")
    __mul__ = __rmul__ = _arith("broadcast_mul", "_mul_scalar")
    __truediv__ = __div__ = _arith("broadcast_div", "_div_scalar")
    __mod__ = _arith("broadcast_mod", "_mod_scalar")
    __pow__ = _arith("broadcast_power", "_power_scalar")

    def __iadd__(self, o):
        return _binary(self, o, "broadcast_add", "_plus_scalar", out=self)

    def __rsub__(self, o):
        return _rbinary(self, o, "_rminus_scalar")

    def __isub__(self, o):
        return _binary(self, o, "broadcast_sub", "_minus_scalar", out=self)

    def __imul__(self, o):
        return _binary(self, o, "broadcast_mul", "_mul_scalar", out=self)

    def __rtruediv__(self, o):
        return _rbinary(self, o, "_rdiv_scalar")

    def __itruediv__(self, o):
        return _binary(self, o, "broadcast_div", "_div_scalar", out=self)

    __rdiv__, __idiv__ = __rtruediv__, __itruediv__

    def __rmod__(self, o):
        return _rbinary(self, o, "_rmod_scalar")

    def __imod__(self, o):
        return _binary(self, o, "broadcast_mod", "_mod_scalar", out=self)

    def __rpow__(self, o):
        return _rbinary(self, o, "_rpower_scalar")

    def __ipow__(self, o):
        return _binary(self, o, "broadcast_power", "_power_scalar", out=self)

    def __neg__(self):
        return invoke(_h("negative"), [self._handle()], None, None)

    def __pos__(self):
        return self

    def __abs__(self):
        return invoke(_h("abs"), [self._handle()], None, None)

    def __eq__(self, o):
        return False if o is None else _eq(self, o)

    def __ne__(self, o):
        return True if o is None else _ne(self, o)

    __gt__ = _arith("broadcast_greater", "_greater_scalar")
    __ge__ = _arith("broadcast_greater_equal", "_greater_equal_scalar")
    __lt__ = _arith("broadcast_lesser", "_lesser_scalar")
    __le__ = _arith("broadcast_lesser_equal", "_lesser_equal_scalar")

    __hash__ = object.__hash__

    def __bool__(self):
        n = self.size
        if n == 0:
            return False
        if n == 1:
            return bool(self.asscalar())
        raise ValueError_("The truth value of an NDArray with more than one element is "
                          "ambiguous.")

    def __float__(self):
        return float(self.asscalar())

    def __int__(self):
        return int(self.asscalar())

    def __index__(self):
        return int(self.asscalar())

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __getitem__(self, key):
        from .indexing import getitem
        return getitem(self, key)

    def __setitem__(self, key, value):
        from .indexing import setitem
        setitem(self, key, value)

    def __getstate__(self):
        return {"data": self.asnumpy()}

    def __setstate__(self, state):
        a = array(state["data"], dtype=state["data"].dtype)
        self.handle, a.handle = a.handle, None
        self._shape = self._dtype = None


def _rbinary_array(rhs, lhs, array_op):
    return invoke(_h(array_op), [lhs._handle(), rhs._handle()], None, None)


def _rbinary(rhs, lhs, rscalar_op):
    """number-or-array <op> NDArray for the non-commutative ops."""
    if isinstance(lhs, (int, float, bool, np.number, np.bool_)):
        is_int = "True" if isinstance(lhs, (int, np.integer)) else "False"
        return invoke(_h(rscalar_op), [rhs._handle()], ["scalar", "is_int"],
                      [attr_str(float(lhs)), is_int])
    if isinstance(lhs, (np.ndarray, list, tuple)):
        array_op = {"_rminus_scalar": "broadcast_sub", "_rdiv_scalar": "broadcast_div",
                    "_rmod_scalar": "broadcast_mod", "_rpower_scalar": "broadcast_power"}
        return _rbinary_array(rhs, array(lhs, dtype=rhs.dtype), array_op[rscalar_op])
    return NotImplemented


_invoke._NDArray = NDArray


def _from_saved_bytes(data):
    """Unpickles an NDArray (see NDArray.__reduce__)."""
    from .save_load import load_frombuffer
    return load_frombuffer(data)[0]


def empty(shape, ctx=None, dtype=None):
    """An uninitialised array (`mx.nd.empty`)."""
    check_cpu(ctx, "empty")
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    shape = tuple(int(d) for d in shape)
    code = _dtypes.to_code(np.float32 if dtype is None else dtype)
    out = ffi.new("mxl_array_t**")
    check_call(lib.mxl_array_create(shape, len(shape), code, 1, 0, out))
    a = wrap(out[0])
    a._shape = shape
    a._dtype = _CODE_TO_TYPE[code]
    return a


def array(source_array, ctx=None, dtype=None):
    """An NDArray copied from a NumPy array, nested list, scalar or NDArray.

    As in MXNet 1.x the dtype defaults to float32 for non-NDArray sources."""
    check_cpu(ctx, "array")
    if isinstance(source_array, NDArray):
        dt = source_array.dtype if dtype is None else dtype
        return source_array.astype(dt)
    dt = _dtypes.np_dtype(np.float32 if dtype is None else dtype)
    if hasattr(source_array, "__dlpack__") and not isinstance(source_array, np.ndarray):
        source_array = np.from_dlpack(source_array)
    src = np.asarray(source_array, dtype=dt, order="C")  # ascontiguousarray would make 0-d 1-d
    a = empty(src.shape, dtype=dt)
    check_call(lib.mxl_array_copy_from_host(a.handle, ffi.from_buffer(src), src.nbytes))
    return a


def waitall():
    """Wait for every pending op; raises the first asynchronous error not yet reported."""
    check_call(lib.mxl_wait_all())

