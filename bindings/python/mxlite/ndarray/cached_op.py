"""mx.nd.CachedOp: a symbol compiled once and called like one op (MXNet 1.9).

Inputs are given in the symbol's list_inputs() order (arguments and auxiliary
states as the graph meets them).  Under autograd.record() a call is recorded
as one node whose backward runs the planned gradient graph."""
from .._memory_plan import MemoryPlanReport
from ..base import TypeError_, ValueError_, check_call, c_str_list, ffi, lib
from ._invoke import wrap
from .ndarray import NDArray

__all__ = ["CachedOp"]


def _flag_text(value):
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(int(v)) for v in value) + "]"
    return str(value)


class CachedOp(MemoryPlanReport):
    """A compiled graph.  flags: (key, value) pairs such as ('static_alloc', True)."""

    _memory_query = lib.mxl_cached_op_memory

    def __init__(self, sym, flags=(), thread_safe=False):
        from ..symbol import Symbol
        if not isinstance(sym, Symbol):
            raise TypeError_(f"CachedOp needs a Symbol, not {type(sym).__name__}")
        flags = list(flags.items()) if isinstance(flags, dict) else list(flags)
        keep_k, keys = c_str_list([str(k) for k, _ in flags])
        keep_v, vals = c_str_list([_flag_text(v) for _, v in flags])
        out = ffi.new("mxl_cached_op_t**")
        check_call(lib.mxl_cached_op_create(sym.handle, len(flags), keys, vals, out))
        self.handle = out[0]
        self._symbol = sym
        nin, nout = ffi.new("int32_t*"), ffi.new("int32_t*")
        check_call(lib.mxl_cached_op_num_io(self.handle, nin, nout))
        self._num_inputs, self._num_outputs = nin[0], nout[0]
        self._outs = ffi.new("mxl_array_t*[]", max(self._num_outputs, 1))

    def __del__(self):
        h = getattr(self, "handle", None)
        if h is not None and lib is not None:
            lib.mxl_cached_op_free(h)
            self.handle = None

    def __call__(self, *args, **kwargs):
        out = kwargs.pop("out", None)
        kwargs.pop("default_ctx", None)
        if kwargs:
            raise TypeError_(f"CachedOp got unexpected keyword arguments {sorted(kwargs)}")
        if len(args) != self._num_inputs:
            raise ValueError_(f"CachedOp expects {self._num_inputs} inputs "
                              f"({self._symbol.list_inputs()}), got {len(args)}")
        for i, a in enumerate(args):
            if not isinstance(a, NDArray):
                raise TypeError_(f"CachedOp: input {i} must be an NDArray, not "
                                 f"{type(a).__name__}")
        ins = ffi.new("mxl_array_t*[]", [a._handle() for a in args] or [ffi.NULL])
        n = ffi.new("int32_t*", self._num_outputs)
        outs = self._outs
        check_call(lib.mxl_cached_op_invoke(self.handle, len(args), ins, n, outs))
        res = []
        for i in range(n[0]):
            res.append(wrap(outs[i]))
            outs[i] = ffi.NULL
        if out is not None:
            targets = [out] if isinstance(out, NDArray) else list(out)
            if len(targets) != len(res):
                raise ValueError_(f"CachedOp: out has {len(targets)} arrays for {len(res)} "
                                  "outputs")
            for r, t in zip(res, targets):
                r.copyto(t)
            return out
        return res[0] if len(res) == 1 else res
