"""mx.sym.Symbol: symbolic graphs over the core's symbol API (MXNet 1.9 semantics)."""
import json
import warnings
from numbers import Number

import numpy as np

from .. import _dtypes, attribute
from ..base import NotImplementedError_, TypeError_, check_call, copy_string, ffi, lib
from . import _internal

__all__ = ["Symbol", "var", "Variable", "Group", "load", "load_json", "fromjson", "pow", "power",
           "maximum", "minimum", "hypot", "zeros", "ones", "full", "arange", "eye", "linspace"]

# MXNet's dtype flags, as __dtype__ attributes store them.
_DTYPE_NP_TO_MX = {np.float32: 0, np.float64: 1, np.float16: 2, np.uint8: 3, np.int32: 4,
                   np.int8: 5, np.int64: 6, np.bool_: 7}
_LIST = {"arguments": lib.MXL_SYMBOL_ARGUMENTS, "outputs": lib.MXL_SYMBOL_OUTPUTS,
         "aux": lib.MXL_SYMBOL_AUXILIARY_STATES, "inputs": lib.MXL_SYMBOL_INPUTS}


def _new_handle(fn, *args):
    out = ffi.new("mxl_symbol_t**")
    check_call(fn(*args, out))
    return Symbol(out[0])


def _handles(symbols, what):
    for s in symbols:
        if not isinstance(s, Symbol):
            raise TypeError_(f"{what} expects Symbols, got {type(s).__name__}")
    return ffi.new("mxl_symbol_t*[]", [s.handle for s in symbols])


class Symbol:
    """A symbolic graph: a list of outputs of a graph of ops and variables."""

    __slots__ = ("handle",)
    # NumPy defers to Symbol's reflected operators (np.float32(2) * sym).
    __array_priority__ = 1000.0

    def __init__(self, handle):
        self.handle = handle

    def __del__(self):
        h = getattr(self, "handle", None)
        if h is not None and lib is not None:
            lib.mxl_symbol_free(h)
            self.handle = None

    # -- names and structure ------------------------------------------------

    @property
    def name(self):
        """The head node's name; None for a group of several nodes."""
        return self.attr("name")

    def __repr__(self):
        name = self.name
        if name is None:
            return f"<{type(self).__name__} group [{', '.join(s.name for s in self)}]>"
        return f"<{type(self).__name__} {name}>"

    def __len__(self):
        n = ffi.new("int32_t*")
        check_call(lib.mxl_symbol_num_outputs(self.handle, n))
        return n[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __getitem__(self, index):
        count = len(self)
        if isinstance(index, slice):
            return Group([self[i] for i in range(*index.indices(count))])
        if isinstance(index, str):
            idx = None
            for i, name in enumerate(self.list_outputs()):
                if name == index:
                    if idx is not None:
                        raise ValueError(f'There are multiple outputs with name "{index}"')
                    idx = i
            if idx is None:
                raise ValueError(f'Cannot find output that matches name "{index}"')
            index = idx
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            raise TypeError("Symbol only support integer index to fetch i-th output")
        index = int(index)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError(f"output index {index} is out of range for {count} outputs")
        return _new_handle(lib.mxl_symbol_get_output, self.handle, index)

    def get_internals(self):
        """Every variable and every op output of the graph, as one group."""
        return _new_handle(lib.mxl_symbol_get_internals, self.handle)

    def get_children(self):
        """The inputs of the head nodes, or None when they have none."""
        ret = _new_handle(lib.mxl_symbol_get_children, self.handle)
        return ret if len(ret) else None

    def _list(self, kind):
        return json.loads(copy_string(lib.mxl_symbol_list, self.handle, _LIST[kind]))

    def list_arguments(self):
        """Names of the arguments (variables no op updates), in graph order."""
        return self._list("arguments")

    def list_outputs(self):
        """Names of the outputs: '<node>_output', '<node>_<output name>' or a variable's name."""
        return self._list("outputs")

    def list_auxiliary_states(self):
        """Names of the auxiliary states (variables ops update, e.g. BatchNorm's moving stats)."""
        return self._list("aux")

    def list_inputs(self):
        """Names of all variables: arguments and auxiliary states."""
        return self._list("inputs")

    # -- attributes ---------------------------------------------------------

    def attr(self, key):
        """The head node's attribute `key` as a string, or None."""
        found = ffi.new("int32_t*")
        needed = ffi.new("uint64_t*")
        ckey = key.encode()
        check_call(lib.mxl_symbol_get_attr(self.handle, ckey, found, ffi.NULL, 0, needed))
        if not found[0]:
            return None
        buf = ffi.new("char[]", needed[0])
        check_call(lib.mxl_symbol_get_attr(self.handle, ckey, found, buf, needed[0], ffi.NULL))
        return ffi.string(buf).decode()

    def list_attr(self, recursive=False):
        """The head node's attributes as a dict."""
        if recursive:
            raise DeprecationWarning("Symbol.list_attr with recursive=True has been deprecated. "
                                     "Please use attr_dict instead.")
        return json.loads(copy_string(lib.mxl_symbol_list_attr, self.handle, 0))

    def attr_dict(self):
        """{node name: {key: value}} for every node with attributes."""
        return json.loads(copy_string(lib.mxl_symbol_list_attr, self.handle, 1))

    def _set_attr(self, **kwargs):
        """Set attributes of the head node (string values)."""
        for key, value in kwargs.items():
            if not isinstance(value, str):
                raise ValueError("Set Attr only accepts string values")
            check_call(lib.mxl_symbol_set_attr(self.handle, key.encode(), value.encode()))

    # -- composition --------------------------------------------------------

    def __copy__(self):
        return _new_handle(lib.mxl_symbol_copy, self.handle)

    def __deepcopy__(self, _memo):
        return self.__copy__()

    def __call__(self, *args, **kwargs):
        """A copy with variables replaced: net(data=other_symbol, name='composed')."""
        s = self.__copy__()
        s._compose(*args, **kwargs)
        return s

    def _compose(self, *args, **kwargs):
        """Replace variables of this symbol in place (positionally or by name)."""
        name = kwargs.pop("name", None)
        if args and kwargs:
            raise TypeError("compose only accept input Symbols either as positional or keyword "
                            "arguments, not both")
        syms = list(args) + list(kwargs.values())
        keep = [ffi.new("char[]", k.encode()) for k in kwargs]
        keys = ffi.new("char*[]", [ffi.NULL] * len(args) + keep)
        out = ffi.new("mxl_symbol_t**")
        check_call(lib.mxl_symbol_compose(self.handle, len(syms), keys, _handles(syms, "compose"),
                                          name.encode() if name else ffi.NULL, out))
        old, self.handle = self.handle, out[0]
        lib.mxl_symbol_free(old)

    def __getstate__(self):
        return {"handle": self.tojson() if self.handle is not None else None}

    def __setstate__(self, state):
        text = state["handle"]
        self.handle = None
        if text is not None:
            out = ffi.new("mxl_symbol_t**")
            check_call(lib.mxl_symbol_from_json(text.encode(), out))
            self.handle = out[0]

    def __bool__(self):
        raise NotImplementedError_("Symbol does not support bool()")

    __hash__ = object.__hash__

    # -- inference ----------------------------------------------------------

    def infer_shape(self, *args, **kwargs):
        """(arg_shapes, out_shapes, aux_shapes) from known argument shapes,
        or (None, None, None) (with a warning) when some stay unknown."""
        res = self._infer_shape_impl(False, *args, **kwargs)
        if res[1] is None:
            arg_shapes, _, _ = self._infer_shape_impl(True, *args, **kwargs)
            unknowns = [f"{n}: {s}" for n, s in zip(self.list_arguments(), arg_shapes)
                        if not s or 0 in s]
            if len(unknowns) > 10:
                unknowns = unknowns[:10] + ["..."]
            warnings.warn("Cannot decide shape for the following arguments (0s in shape means "
                          "unknown dimensions). Consider providing them as input:\n\t" +
                          "\n\t".join(unknowns), stacklevel=2)
        return res

    def infer_shape_partial(self, *args, **kwargs):
        """As infer_shape, but returns what is known: () for unknown shapes,
        0 for unknown extents."""
        return self._infer_shape_impl(True, *args, **kwargs)

    def _infer_shape_impl(self, partial, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Can only specify known argument shapes either by positional or "
                             "kwargs way.")
        names = list(kwargs) if kwargs else None
        values = list(kwargs.values()) if kwargs else list(args)
        ndims, dims = [], []
        for i, s in enumerate(values):
            if s is None:
                ndims.append(-1)
                continue
            if not isinstance(s, (tuple, list)):
                what = f"'{names[i]}'" if names else f"argument {i}"
                raise TypeError(f"Arguments need to be shapes (tuple), but {what} is {type(s)}.")
            s = [int(d) for d in s]
            ndims.append(len(s) if s else -1)  # () is an unknown shape in MXNet 1.x
            dims += s
        keep = [ffi.new("char[]", n.encode()) for n in names] if names else []
        cnames = ffi.new("char*[]", keep) if names else ffi.NULL
        doc = json.loads(copy_string(lib.mxl_symbol_infer_shape, self.handle, len(ndims), cnames,
                                     ffi.new("int32_t[]", ndims), ffi.new("int64_t[]", dims)))
        if not partial and not doc["complete"]:
            return (None, None, None)
        conv = [[tuple(s) if s is not None else () for s in doc[k]]
                for k in ("arguments", "outputs", "auxiliary_states")]
        return tuple(conv)

    def infer_type(self, *args, **kwargs):
        """(arg_types, out_types, aux_types) as NumPy types from known
        argument dtypes, or (None, None, None) (with a warning)."""
        res = self._infer_type_impl(False, *args, **kwargs)
        if res[1] is None:
            arg_types, _, _ = self._infer_type_impl(True, *args, **kwargs)
            unknowns = [f"{n}: {t}" for n, t in zip(self.list_arguments(), arg_types) if not t]
            warnings.warn("Cannot decide type for the following arguments. Consider providing "
                          "them as input:\n\t" + "\n\t".join(unknowns), stacklevel=2)
        return res

    def infer_type_partial(self, *args, **kwargs):
        """As infer_type, but returns what is known (None where unknown)."""
        return self._infer_type_impl(True, *args, **kwargs)

    def _infer_type_impl(self, partial, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Can only specify known argument types either by positional or "
                             "kwargs way.")
        names = list(kwargs) if kwargs else None
        values = list(kwargs.values()) if kwargs else list(args)
        codes = [-1 if v is None else _dtypes.to_code(v) for v in values]
        keep = [ffi.new("char[]", n.encode()) for n in names] if names else []
        cnames = ffi.new("char*[]", keep) if names else ffi.NULL
        doc = json.loads(copy_string(lib.mxl_symbol_infer_type, self.handle, len(codes), cnames,
                                     ffi.new("int32_t[]", codes)))
        if not partial and not doc["complete"]:
            return (None, None, None)
        return tuple([np.dtype(t).type if t is not None else None for t in doc[k]]
                     for k in ("arguments", "outputs", "auxiliary_states"))

    # -- serialization ------------------------------------------------------

    def tojson(self):
        """The symbol in MXNet 1.9's JSON format."""
        return copy_string(lib.mxl_symbol_to_json, self.handle)

    def save(self, fname, remove_amp_cast=True):
        """Write the symbol's JSON to a file (remove_amp_cast: no effect, there are no AMP casts)."""
        if not isinstance(fname, str):
            raise TypeError("fname need to be string")
        check_call(lib.mxl_symbol_save(self.handle, fname.encode()))

    def debug_str(self):
        """A readable listing of the graph's nodes, inputs and attributes."""
        return copy_string(lib.mxl_symbol_debug_str, self.handle)

    # -- operators (element-wise, no broadcasting, as MXNet's Symbol) -------

    def _binary(self, other, sym_op, scalar_op, opname):
        if isinstance(other, Symbol):
            return getattr(_internal, sym_op)(self, other)
        if isinstance(other, Number):
            return getattr(_internal, scalar_op)(self, scalar=other)
        raise TypeError(f"type {type(other)} not supported")

    def __add__(self, other):
        return self._binary(other, "_Plus", "_PlusScalar", "+")

    def __radd__(self, other):
        return self.__add__(other)

    def __sub__(self, other):
        return self._binary(other, "_Minus", "_MinusScalar", "-")

    def __rsub__(self, other):
        if isinstance(other, Number):
            return _internal._RMinusScalar(self, scalar=other)
        raise TypeError(f"type {type(other)} not supported")

    def __mul__(self, other):
        return self._binary(other, "_Mul", "_MulScalar", "*")

    def __rmul__(self, other):
        return self.__mul__(other)

    def __truediv__(self, other):
        return self._binary(other, "_Div", "_DivScalar", "/")

    def __rtruediv__(self, other):
        if isinstance(other, Number):
            return _internal._RDivScalar(self, scalar=other)
        raise TypeError(f"type {type(other)} not supported")

    __div__, __rdiv__ = __truediv__, __rtruediv__

    def __mod__(self, other):
        return self._binary(other, "_Mod", "_ModScalar", "%")

    def __rmod__(self, other):
        if isinstance(other, Number):
            return _internal._RModScalar(self, scalar=other)
        raise TypeError(f"type {type(other)} not supported")

    def __pow__(self, other):
        return self._binary(other, "_Power", "_PowerScalar", "**")

    def __rpow__(self, other):
        if isinstance(other, Number):
            return _internal._rpower_scalar(self, scalar=other)
        raise TypeError(f"type {type(other)} not supported")

    def __neg__(self):
        return self.__mul__(-1.0)

    def __abs__(self):
        return self.abs()

    def __eq__(self, other):
        return self._binary(other, "_equal", "_equal_scalar", "==")

    def __ne__(self, other):
        return self._binary(other, "_not_equal", "_not_equal_scalar", "!=")

    def __gt__(self, other):
        return self._binary(other, "_greater", "_greater_scalar", ">")

    def __ge__(self, other):
        return self._binary(other, "_greater_equal", "_greater_equal_scalar", ">=")

    def __lt__(self, other):
        return self._binary(other, "_lesser", "_lesser_scalar", "<")

    def __le__(self, other):
        return self._binary(other, "_lesser_equal", "_lesser_equal_scalar", "<=")

    def _inplace(self, *_):
        raise NotImplementedError_("Symbols are immutable: in-place operators are not supported")

    __iadd__ = __isub__ = __imul__ = __itruediv__ = __imod__ = __ipow__ = _inplace

    # -- executors ----------------------------------------------------------

    def bind(self, ctx, args, args_grad=None, grad_req="write", aux_states=None, group2ctx=None,
             shared_exec=None):
        """Bind to arrays (lists in list_arguments / list_auxiliary_states order, or dicts
        by name); returns an Executor sharing them.  grad_req: 'write', 'add', 'null', or a
        list / dict of those per argument."""
        from ..executor import bind
        return bind(self, ctx, args, args_grad, grad_req, aux_states)

    def simple_bind(self, ctx, grad_req="write", type_dict=None, stype_dict=None, group2ctx=None,
                    shared_arg_names=None, shared_exec=None, shared_buffer=None, **kwargs):
        """Bind with every array allocated from input shapes given as keywords
        (data=(32, 3, 32, 32)); the other shapes are inferred."""
        from ..executor import simple_bind
        return simple_bind(self, ctx, grad_req, type_dict, stype_dict, **kwargs)

    def astype(self, dtype):
        """Cast to dtype (the Cast op)."""
        from . import op
        return op.Cast(self, dtype=dtype)


def var(name, attr=None, shape=None, lr_mult=None, wd_mult=None, dtype=None, init=None,
        stype=None, **kwargs):
    """A variable (graph input) named `name`, with optional attributes:
    shape (__shape__), lr_mult, wd_mult, dtype (__dtype__, MXNet's type flag),
    init (an initializer or its JSON text), and __key__-style extras."""
    if not isinstance(name, str):
        raise TypeError("Expect a string for variable `name`")
    out = ffi.new("mxl_symbol_t**")
    check_call(lib.mxl_symbol_create_variable(name.encode(), out))
    ret = Symbol(out[0])
    attr = attribute.current().get(attr)
    if shape is not None:
        attr["__shape__"] = str(tuple(shape) if isinstance(shape, list) else shape)
    if lr_mult is not None:
        attr["__lr_mult__"] = str(lr_mult)
    if wd_mult is not None:
        attr["__wd_mult__"] = str(wd_mult)
    if dtype is not None:
        attr["__dtype__"] = str(_DTYPE_NP_TO_MX[_dtypes.np_dtype(dtype).type])
    if init is not None:
        attr["__init__"] = init if isinstance(init, str) else init.dumps()
    if stype is not None and stype != "default":
        raise NotImplementedError_(f"variable '{name}': storage type '{stype}' is not supported "
                                   "(mxlite arrays are dense)")
    for k, v in kwargs.items():
        if not (k.startswith("__") and k.endswith("__")):
            raise ValueError(f"Attribute name={k} is not supported. Additional attributes must "
                             "start and end with double underscores, e.g, __yourattr__")
        attr[k] = str(v)
    ret._set_attr(**attr)
    return ret


Variable = var


def Group(symbols):
    """One symbol whose outputs are the outputs of `symbols`, in order."""
    if not symbols or any(not isinstance(s, Symbol) for s in symbols):
        raise TypeError("Expected a list of symbols as input")
    return _new_handle(lib.mxl_symbol_group, len(symbols), _handles(symbols, "Group"))


def load(fname):
    """Read a symbol JSON file (written by mxlite or MXNet)."""
    if not isinstance(fname, str):
        raise TypeError("fname need to be string")
    return _new_handle(lib.mxl_symbol_load, fname.encode())


def load_json(json_str):
    """A symbol from its JSON text (written by mxlite or MXNet)."""
    if not isinstance(json_str, str):
        raise TypeError("fname required to be string")
    return _new_handle(lib.mxl_symbol_from_json, json_str.encode())


fromjson = load_json


def _scalar_or_symbol(a, b, both, scalar, rscalar, fallback):
    if isinstance(a, Symbol) and isinstance(b, Symbol):
        return getattr(_internal, both)(a, b)
    if isinstance(a, Symbol) and isinstance(b, Number):
        return getattr(_internal, scalar)(a, scalar=b)
    if isinstance(a, Number) and isinstance(b, Symbol):
        return getattr(_internal, rscalar)(b, scalar=a)
    if isinstance(a, Number) and isinstance(b, Number):
        return fallback(a, b)
    raise TypeError(f"types ({type(a)}, {type(b)}) not supported")


def pow(base, exp):  # noqa: A001 - MXNet's name
    """base ** exp, element-wise; either may be a scalar."""
    return _scalar_or_symbol(base, exp, "_Power", "_PowerScalar", "_RPowerScalar",
                             lambda a, b: a ** b)


power = pow


def maximum(left, right):
    """Element-wise maximum; either may be a scalar."""
    return _scalar_or_symbol(left, right, "_Maximum", "_MaximumScalar", "_MaximumScalar",
                             lambda a, b: a if a > b else b)


def minimum(left, right):
    """Element-wise minimum; either may be a scalar."""
    return _scalar_or_symbol(left, right, "_Minimum", "_MinimumScalar", "_MinimumScalar",
                             lambda a, b: a if a < b else b)


def hypot(left, right):
    """sqrt(left**2 + right**2), element-wise; either may be a scalar."""
    return _scalar_or_symbol(left, right, "_hypot", "_HypotScalar", "_HypotScalar", np.hypot)


def zeros(shape, dtype=None, **kwargs):
    """A symbol of zeros of the given shape (float32 by default)."""
    return _internal._zeros(shape=shape, dtype=np.float32 if dtype is None else dtype, **kwargs)


def ones(shape, dtype=None, **kwargs):
    """A symbol of ones of the given shape (float32 by default)."""
    return _internal._ones(shape=shape, dtype=np.float32 if dtype is None else dtype, **kwargs)


def full(shape, val, dtype=None, **kwargs):
    """A symbol filled with val (float32 by default)."""
    return _internal._full(shape=shape, dtype=np.float32 if dtype is None else dtype,
                           value=float(val), **kwargs)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=False, name=None, dtype=None):
    """Evenly spaced values in [start, stop) (float32 by default)."""
    return _internal._arange(start=start, stop=stop, step=step, repeat=repeat,
                             infer_range=infer_range, name=name,
                             dtype=np.float32 if dtype is None else dtype)


def eye(N, M=0, k=0, dtype=None, **kwargs):
    """A 2-D symbol with ones on diagonal k (float32 by default)."""
    return _internal._eye(N=N, M=M, k=k, dtype=np.float32 if dtype is None else dtype, **kwargs)


def linspace(start, stop, num, endpoint=True, name=None, dtype=None):
    """num evenly spaced values from start to stop (float32 by default)."""
    return _internal._linspace(start=start, stop=stop, num=num, endpoint=endpoint, name=name,
                               dtype=np.float32 if dtype is None else dtype)

