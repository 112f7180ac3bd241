"""Helpers HybridBlock shares with SymbolBlock: flattening nested inputs and
outputs, the tracing flag, and the CachedOp a traced Symbol runs as."""
import threading

from ..ndarray import NDArray
from ..symbol import Symbol

_state = threading.local()


def tracing():
    """True while a HybridBlock's plain forward() is being traced to a Symbol:
    Parameter.data() then gives the parameter's variable."""
    return getattr(_state, "depth", 0) > 0


class trace_scope:
    """`with trace_scope():` marks the thread as tracing (nests)."""

    def __enter__(self):
        _state.depth = getattr(_state, "depth", 0) + 1

    def __exit__(self, *exc):
        _state.depth -= 1


def flatten(args, inout_str):
    """(flat list, format) of a nested list/tuple of NDArrays or Symbols; the
    format lets regroup() rebuild the nesting (0: one array, n>0: a symbol of
    n outputs, -1: None)."""
    if isinstance(args, NDArray):
        return [args], 0
    if isinstance(args, Symbol):
        length = len(args.list_outputs())
        return [args], (length if length > 1 else 0)
    if args is None:
        return [None], -1
    if not isinstance(args, (list, tuple)):
        raise TypeError(f"HybridBlock {inout_str} must be (nested) list of Symbol or NDArray, "
                        f"but got {args} of type {type(args)}")
    flat, fmts = [], []
    for i in args:
        arg, fmt = flatten(i, inout_str)
        flat.extend(arg)
        fmts.append(fmt)
    return flat, fmts


def regroup(args, fmt):
    """Inverse of flatten: (nested structure, the rest of args)."""
    if isinstance(fmt, int):
        if fmt == 0:
            return args[0], args[1:]
        if fmt == -1:
            if args[0] is not None:
                raise ValueError("Data are not None while the format says None")
            return None, args[1:]
        return list(args[:fmt]), args[fmt:]
    ret = []
    for i in fmt:
        res, args = regroup(args, i)
        ret.append(res)
    return ret, args


def make_cached_op(sym, flags):
    """What a hybridized block runs: mx.nd.CachedOp(sym, flags), called as
    op(*inputs) with inputs in sym.list_inputs() order and recorded by
    autograd as one node."""
    from ..ndarray import CachedOp
    return CachedOp(sym, flags=list(flags))  # CachedOp writes the values as MXNet's text
