"""mx.executor.Executor: a symbol bound to arrays (MXNet 1.9 semantics).

Created by Symbol.bind / Symbol.simple_bind.  The core plans the forward and
backward graphs' memory once at bind; `planned_bytes` / `naive_bytes` report
the plan (see include/c_api.h, section "executors")."""
import numpy as np

from . import _dtypes
from .base import TypeError_, ValueError_, check_call, c_str_list, ffi, lib
from .ndarray.ndarray import NDArray
from .ndarray._invoke import wrap
from ._memory_plan import MemoryPlanReport

__all__ = ["Executor"]

_GRAD_REQ = {"null": lib.MXL_GRAD_REQ_NULL, "write": lib.MXL_GRAD_REQ_WRITE,
             "add": lib.MXL_GRAD_REQ_ADD, "inplace": lib.MXL_GRAD_REQ_WRITE}


def _req_code(req, name):
    if req not in _GRAD_REQ:
        raise ValueError_(f"grad_req '{req}' for argument '{name}' is not one of "
                          "'write', 'add', 'null'")
    return _GRAD_REQ[req]


def grad_req_codes(grad_req, arg_names):
    """MXNet's grad_req (str, list or dict) -> one code per argument."""
    if isinstance(grad_req, str):
        return [_req_code(grad_req, n) for n in arg_names]
    if isinstance(grad_req, (list, tuple)):
        if len(grad_req) != len(arg_names):
            raise ValueError_(f"grad_req has {len(grad_req)} entries for {len(arg_names)} "
                              "arguments")
        return [_req_code(r, n) for r, n in zip(grad_req, arg_names)]
    if isinstance(grad_req, dict):
        unknown = set(grad_req) - set(arg_names)
        if unknown:
            raise ValueError_(f"grad_req names unknown arguments: {sorted(unknown)}")
        return [_req_code(grad_req.get(n, "null"), n) for n in arg_names]
    raise TypeError_(f"grad_req must be a str, list or dict, not {type(grad_req).__name__}")


def shape_args(names_shapes):
    """[(name, shape)] -> C arguments (keepalive, names, ndims, dims)."""
    names = [n for n, _ in names_shapes]
    keep, cnames = c_str_list(names)
    ndims = ffi.new("int32_t[]", [len(s) for _, s in names_shapes] or [0])
    flat = [int(d) for _, s in names_shapes for d in s]
    dims = ffi.new("int64_t[]", flat or [0])
    return (keep, cnames, ndims, dims), cnames, ndims, dims


class Executor(MemoryPlanReport):
    """A bound symbol: forward / backward over the arrays it was bound to."""

    _memory_query = lib.mxl_executor_memory

    def __init__(self, handle, symbol, args=None, grads=None, aux=None):
        self.handle = handle
        self._symbol = symbol
        self.arg_arrays = args if args is not None else self._arrays(lib.MXL_EXECUTOR_ARGUMENTS)
        self.grad_arrays = grads if grads is not None else self._arrays(
            lib.MXL_EXECUTOR_GRADIENTS)
        self.aux_arrays = aux if aux is not None else self._arrays(
            lib.MXL_EXECUTOR_AUXILIARY_STATES)
        self.outputs = self._arrays(lib.MXL_EXECUTOR_OUTPUTS)
        self._arg_names = symbol.list_arguments()
        self._aux_names = symbol.list_auxiliary_states()
        self._out_names = symbol.list_outputs()
        self.arg_dict = dict(zip(self._arg_names, self.arg_arrays))
        self.grad_dict = dict(zip(self._arg_names, self.grad_arrays))
        self.aux_dict = dict(zip(self._aux_names, self.aux_arrays))
        self.output_dict = dict(zip(self._out_names, self.outputs))

    def __del__(self):
        h = getattr(self, "handle", None)
        if h is not None and lib is not None:
            lib.mxl_executor_free(h)
            self.handle = None

    def _arrays(self, which):
        count = ffi.new("int32_t*")
        check_call(lib.mxl_executor_arrays(self.handle, which, 0, ffi.NULL, count))
        n = count[0]
        buf = ffi.new("mxl_array_t*[]", max(n, 1))
        check_call(lib.mxl_executor_arrays(self.handle, which, n, buf, count))
        return [wrap(buf[i]) if buf[i] != ffi.NULL else None for i in range(n)]

    def forward(self, is_train=False, **kwargs):
        """Run the forward graph; keyword arrays are first copied into arg_dict."""
        for name, value in kwargs.items():
            if not isinstance(value, (NDArray, np.ndarray)):
                raise ValueError_(f"forward: argument '{name}' must be an NDArray or a NumPy "
                                  f"array, not {type(value).__name__}")
            if name not in self.arg_dict:
                raise TypeError_(f"forward: unknown argument '{name}'; arguments are "
                                 f"{self._arg_names}")
            dst = self.arg_dict[name]
            if tuple(dst.shape) != tuple(value.shape):
                raise ValueError_(f"forward: argument '{name}' has shape {dst.shape} but "
                                  f"{tuple(value.shape)} was given")
            dst[:] = value
        check_call(lib.mxl_executor_forward(self.handle, 1 if is_train else 0))
        return self.outputs

    def backward(self, out_grads=None, is_train=True):
        """Run the backward graph; gradients land in grad_arrays per grad_req."""
        if out_grads is None:
            check_call(lib.mxl_executor_backward(self.handle, 0, ffi.NULL,
                                                 1 if is_train else 0))
            return
        if isinstance(out_grads, (NDArray, np.ndarray)):
            out_grads = [out_grads]
        if isinstance(out_grads, dict):
            out_grads = [out_grads.get(n) for n in self._out_names]
        handles = []
        for g in out_grads:
            if g is None:
                handles.append(ffi.NULL)
            elif isinstance(g, NDArray):
                handles.append(g._handle())
            else:
                from .ndarray.ndarray import array
                g = array(g)
                handles.append(g._handle())
                out_grads = list(out_grads) + [g]  # keep alive
        arr = ffi.new("mxl_array_t*[]", handles or [ffi.NULL])
        check_call(lib.mxl_executor_backward(self.handle, len(handles), arr,
                                             1 if is_train else 0))

    def reshape(self, partial_shaping=False, allow_up_sizing=False, **kwargs):
        """A new executor for other input shapes; unchanged arrays are shared."""
        _, names, ndims, dims = keep = shape_args(list(kwargs.items()))
        out = ffi.new("mxl_executor_t**")
        check_call(lib.mxl_executor_reshape(self.handle, len(kwargs), names, ndims, dims,
                                            1 if partial_shaping else 0,
                                            1 if allow_up_sizing else 0, out))
        del keep
        ex = Executor(out[0], self._symbol)
        # Arrays shared with this executor keep their Python objects.
        for i, a in enumerate(ex.arg_arrays):
            if a is not None and tuple(a.shape) == tuple(self.arg_arrays[i].shape):
                ex.arg_arrays[i] = self.arg_arrays[i]
        ex.arg_dict = dict(zip(ex._arg_names, ex.arg_arrays))
        return ex

    def copy_params_from(self, arg_params, aux_params=None, allow_extra_params=False):
        """Copy parameters (dicts of name -> NDArray) into the bound arrays."""
        for name, value in arg_params.items():
            if name in self.arg_dict:
                self.arg_dict[name][:] = value
            elif not allow_extra_params:
                raise ValueError_(f"copy_params_from: '{name}' is not an argument of the "
                                  "symbol (pass allow_extra_params=True to skip it)")
        for name, value in (aux_params or {}).items():
            if name in self.aux_dict:
                self.aux_dict[name][:] = value
            elif not allow_extra_params:
                raise ValueError_(f"copy_params_from: '{name}' is not an auxiliary state of "
                                  "the symbol (pass allow_extra_params=True to skip it)")

    def debug_str(self):
        """The symbol's listing plus the memory plan."""
        planned, naive, mirrored = self._memory()
        return (self._symbol.debug_str() +
                f"Total {planned / 2**20:.3f} MB planned for intermediate values "
                f"({naive / 2**20:.3f} MB unplanned, {mirrored} nodes recomputed in backward)\n")


def bind(symbol, ctx, args, args_grad=None, grad_req="write", aux_states=None):
    """Symbol.bind's body (MXNet 1.9 semantics)."""
    from .context import check_cpu
    if ctx is not None:
        check_cpu(ctx, "bind")
    arg_names = symbol.list_arguments()
    aux_names = symbol.list_auxiliary_states()

    def as_list(value, names, what, allow_missing):
        if value is None:
            return [None] * len(names)
        if isinstance(value, dict):
            unknown = set(value) - set(names)
            if unknown and what != "args_grad":
                raise ValueError_(f"bind: {what} names unknown inputs: {sorted(unknown)}")
            out = [value.get(n) for n in names]
            if not allow_missing:
                missing = [n for n, v in zip(names, out) if v is None]
                if missing:
                    raise ValueError_(f"bind: {what} is missing {missing}")
            return out
        value = list(value)
        if len(value) != len(names):
            raise ValueError_(f"bind: {what} has {len(value)} arrays but the symbol has "
                              f"{len(names)} ({names})")
        return value

    args = as_list(args, arg_names, "args", False)
    grads = as_list(args_grad, arg_names, "args_grad", True)
    aux = as_list(aux_states, aux_names, "aux_states", False)
    for n, a in list(zip(arg_names, args)) + list(zip(aux_names, aux)) + \
            list(zip(arg_names, grads)):
        if a is not None and not isinstance(a, NDArray):
            raise TypeError_(f"bind: '{n}' must be an NDArray, not {type(a).__name__}")
    if args_grad is None:
        codes = [lib.MXL_GRAD_REQ_NULL] * len(arg_names)
    else:
        codes = grad_req_codes(grad_req, arg_names)
        codes = [c if g is not None else lib.MXL_GRAD_REQ_NULL for c, g in zip(codes, grads)]
    hs_args = ffi.new("mxl_array_t*[]", [a._handle() for a in args] or [ffi.NULL])
    hs_grads = ffi.new("mxl_array_t*[]", [g._handle() if g is not None else ffi.NULL
                                          for g in grads] or [ffi.NULL])
    hs_aux = ffi.new("mxl_array_t*[]", [a._handle() for a in aux] or [ffi.NULL])
    reqs = ffi.new("int32_t[]", codes or [0])
    out = ffi.new("mxl_executor_t**")
    check_call(lib.mxl_executor_bind(symbol.handle, len(args), hs_args, hs_grads, reqs,
                                     len(aux), hs_aux, out))
    return Executor(out[0], symbol, args, grads, aux)


def simple_bind(symbol, ctx, grad_req="write", type_dict=None, stype_dict=None, **kwargs):
    """Symbol.simple_bind's body: shapes by keyword, every array allocated."""
    from .context import check_cpu
    if ctx is not None:
        check_cpu(ctx, "bind")
    if stype_dict:
        for n, st in stype_dict.items():
            if st not in ("default", None):
                raise TypeError_(f"simple_bind: storage type '{st}' of '{n}' is not supported "
                                 "(mxlite arrays are dense)")
    shapes = []
    for name, shape in kwargs.items():
        if not isinstance(shape, (tuple, list)):
            raise TypeError_(f"simple_bind: the shape of '{name}' must be a tuple, not "
                             f"{type(shape).__name__}")
        shapes.append((name, tuple(shape)))
    keep, names, ndims, dims = shape_args(shapes)
    type_items = list((type_dict or {}).items())
    tkeep, tnames = c_str_list([n for n, _ in type_items])
    codes = ffi.new("int32_t[]", [_dtypes.to_code(t) for _, t in type_items] or [0])
    arg_names = symbol.list_arguments()
    reqs = ffi.new("int32_t[]", grad_req_codes(grad_req, arg_names) or [0])
    out = ffi.new("mxl_executor_t**")
    check_call(lib.mxl_executor_simple_bind(symbol.handle, len(shapes), names, ndims, dims,
                                            len(type_items), tnames, codes, reqs, out))
    del keep, tkeep
    return Executor(out[0], symbol)
