"""Helpers HybridBlock shares with SymbolBlock: flattening nested inputs and
outputs, the tracing flag, and the way a traced Symbol is executed."""
import json
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


def _cached_op_class():
    """mx.nd.CachedOp when the build has it, else the graph interpreter."""
    from .. import ndarray
    return getattr(ndarray, "CachedOp", None)


def make_cached_op(sym, flags):
    """What a hybridized block runs: mx.nd.CachedOp(sym, flags) (one autograd
    node, planned memory) when available; otherwise GraphRunner, which runs
    the same graph op by op.  Both are called as op(*inputs), inputs in
    sym.list_inputs() order."""
    cls = _cached_op_class()
    if cls is not None:
        return cls(sym, flags=list(flags))  # CachedOp writes the values as MXNet's text
    return GraphRunner(sym)


class GraphRunner:
    """Executes a Symbol's graph node by node with the mx.nd ops (inputs in
    list_inputs() order, returns the list of head arrays).  Auxiliary states
    (BatchNorm's moving statistics) are updated in place by their ops, as in
    an executor; autograd records each op."""

    def __init__(self, sym):
        from ..ndarray import op as ndop
        graph = json.loads(sym.tojson())
        self._nodes = graph["nodes"]
        self._heads = [tuple(h[:2]) for h in graph["heads"]]
        self._input_names = sym.list_inputs()
        self._steps = []
        for i, node in enumerate(self._nodes):
            if node["op"] == "null":
                continue
            fn = getattr(ndop, node["op"], None)
            if fn is None:
                raise ValueError(f"Operator {node['op']} (node '{node['name']}') is not "
                                 "available imperatively")
            attrs = {k: v for k, v in (node.get("attrs") or node.get("attr") or
                                       node.get("param") or {}).items()
                     if not (k.startswith("__") and k.endswith("__"))}
            ins = [tuple(e[:2]) for e in node["inputs"]]
            self._steps.append((i, fn, attrs, ins))

    def __call__(self, *inputs):
        if len(inputs) != len(self._input_names):
            raise ValueError(f"GraphRunner: expected {len(self._input_names)} inputs "
                             f"({', '.join(self._input_names)}), got {len(inputs)}")
        values = {}
        by_name = dict(zip(self._input_names, inputs))
        for i, node in enumerate(self._nodes):
            if node["op"] == "null":
                values[(i, 0)] = by_name[node["name"]]
        for i, fn, attrs, ins in self._steps:
            out = fn(*[values[e] for e in ins], **attrs)
            if isinstance(out, NDArray):
                out = [out]
            for k, o in enumerate(out):
                values[(i, k)] = o
        outs = [values[h] for h in self._heads]
        return outs[0] if len(outs) == 1 else outs
