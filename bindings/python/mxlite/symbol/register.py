"""Generates one symbol function per registry op at import (mx.sym.<Op>).

As in MXNet, inputs are matched by name (positional arguments bind to the
op's inputs in order), parameters are sent only when given, and inputs left
out become variables named "<name>_<input>".  Extra keyword arguments that
are symbols are inputs; other ones are attributes.  `attr` and the current
mx.AttrScope add graph attributes; `name` defaults to the op name lowercased
plus a counter (mx.name.NameManager).
"""
import numpy as np

from .. import _registry, attribute, name as _name
from ..base import TypeError_, check_call, ffi, lib
from ..ndarray import _invoke
from .symbol import Symbol

_Null = type("_NullType", (), {"__repr__": lambda self: "_Null", "__bool__": lambda self: False})()


def attr_text(v):
    """A parameter value as MXNet's frontends send it: str(v), with dtypes by
    name and arrays as lists."""
    if isinstance(v, str):
        return v
    if isinstance(v, (type, np.dtype)):
        return np.dtype(v).name
    if isinstance(v, np.ndarray):
        return str(v.tolist())
    if isinstance(v, np.generic):
        return str(v.item())
    return str(v)


def _check_symbol(v, opname, arg):
    if not isinstance(v, Symbol):
        raise TypeError_(f"Operator {opname}: argument '{arg}' must be a Symbol, got "
                         f"{type(v).__name__}")
    return v


def create(op_handle, opname, keys, vals, args, kwnames, kwsyms, name, attr):
    """Create the op's symbol through mxl_symbol_create_op."""
    for k, v in attribute.current().get(attr).items():
        if not isinstance(v, str):
            raise ValueError(f"Operator {opname}: attribute '{k}' must be a string, got "
                             f"{type(v).__name__}")
        keys.append(k)
        vals.append(v)
    keep = [ffi.new("char[]", s.encode()) for s in keys + vals + kwnames]
    ckeys = ffi.new("char*[]", keep[:len(keys)])
    cvals = ffi.new("char*[]", keep[len(keys):2 * len(keys)])
    ikeys = ffi.new("char*[]", [ffi.NULL] * len(args) + keep[2 * len(keys):])
    inputs = ffi.new("mxl_symbol_t*[]", [s.handle for s in list(args) + list(kwsyms)])
    cname = ffi.new("char[]", name.encode()) if name else ffi.NULL
    out = ffi.new("mxl_symbol_t**")
    check_call(lib.mxl_symbol_create_op(op_handle, len(keys), ckeys, cvals, len(inputs), ikeys,
                                        inputs, cname, out))
    return Symbol(out[0])


def make_function(op, func_name):
    """The symbol function for one op (registry JSON entry) under func_name."""
    inputs = [i["name"] for i in op["inputs"]]
    variadic = op["variadic_inputs"]
    params = [p for p in op["params"] if p["name"] != "ctx"]
    hint = func_name.lower()
    g = {"_create": create, "_h": _invoke.op_handle, "_txt": attr_text, "_Null": _Null,
         "_sym": _check_symbol, "_Symbol": Symbol, "_names": _name.current,
         "_opname": op["name"], "_OP": None}
    sig, body = [], ["    _k = []; _v = []; _kn = []; _ks = []"]
    if variadic:
        var = inputs[0] if inputs else "data"
        sig.append(f"*{var}")
        body.append(f"    _args = [_sym(x, _opname, '{var}') for x in {var}]")
    else:
        sig += [f"{_registry.safe(i)}=None" for i in inputs]
        body.append("    _args = []")
        for i in inputs:
            body.append(f"    if {_registry.safe(i)} is not None: _kn.append('{i}'); "
                        f"_ks.append(_sym({_registry.safe(i)}, _opname, '{i}'))")
    for p in params:
        n = _registry.safe(p["name"])
        sig.append(f"{n}=_Null")
        body.append(f"    if {n} is not _Null: _k.append('{p['name']}'); _v.append(_txt({n}))")
    sig += ["name=None", "attr=None", "out=None", "**kwargs"]
    body.append("    for _kk, _vv in kwargs.items():")
    body.append("        if isinstance(_vv, _Symbol): _kn.append(_kk); _ks.append(_vv)")
    body.append("        else: _k.append(_kk); _v.append(_txt(_vv))")
    body.append("    global _OP")
    body.append("    if _OP is None: _OP = _h(_opname)")
    body.append(f"    return _create(_OP, _opname, _k, _v, _args, _kn, _ks, "
                f"_names().get(name, '{hint}'), attr)")
    src = f"def {func_name}({', '.join(sig)}):\n" + "\n".join(body) + "\n"
    exec(compile(src, f"<mxlite symbol op {op['name']}>", "exec"), g)  # noqa: S102 - generated
    fn = g[func_name]
    fn.__doc__ = _registry.doc(op, inputs, array="Symbol", tail=[
        "name : str, optional", "    Name of the resulting symbol.",
        "attr : dict of str to str, optional", "    Graph attributes of the symbol.", "",
        "Returns", "-------", "out : Symbol", "    The resulting symbol."])
    fn.__module__ = "mxlite.symbol"
    return fn


def populate(namespace, internal_namespace):
    """Define every op and alias; names starting with '_' also go to _internal."""
    for op, name in _registry.op_names():
        fn = make_function(op, name)
        if name.startswith("_"):
            setattr(internal_namespace, name, fn)
        namespace[name] = fn
