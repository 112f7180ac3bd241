"""Generates one Python function per registry op at import.

Each function has a real signature (inputs, then the op's parameters with
their defaults, then out/name) and a NumPy-style docstring built from the
registry JSON, so help(mx.nd.sum) reads like MXNet's.  Only parameters that
differ from their defaults are sent to the core, whose attribute cache then
sees the same strings call after call.
"""
from .. import _registry
from .._registry import registry  # noqa: F401  (kept: other modules import it from here)
from . import _invoke

_py_default = _registry.py_default
_safe = _registry.safe


def _doc(op, inputs):
    return _registry.doc(op, inputs)


def make_function(op, func_name):
    """Build the Python function for one op (JSON entry) under func_name."""
    inputs = [i["name"] for i in op["inputs"]]
    variadic = op["variadic_inputs"]
    params = [p for p in op["params"] if p["name"] not in ("ctx",)]
    ctx_param = any(p["name"] == "ctx" for p in op["params"])
    nout = op["num_outputs_param"]
    g = {"_invoke": _invoke.invoke_c, "_h": _invoke.op_handle, "_in": _invoke.in_handle,
         "_attr": _invoke.attr_str, "_c": _invoke.cstr, "_opname": op["name"], "_OP": None}
    sig, body = [], []
    if variadic:
        sig.append("*" + (inputs[0] if inputs else "data"))
        var = inputs[0] if inputs else "data"
        body.append(f"    _ins = [_in(x, _opname, '{var}') for x in {var}]")
    else:
        for i in inputs:
            sig.append(f"{_safe(i)}=None")
        body.append("    _ins = []")
        for i in inputs:
            body.append(f"    if {_safe(i)} is not None: _ins.append(_in({_safe(i)}, _opname, '{i}'))")
    body.append("    _k = []; _v = []")
    for p in params:
        n = _safe(p["name"])
        g["_D_" + n] = _py_default(p)
        sig.append(f"{n}=_D_{n}")
        if variadic and p["name"] == op["num_inputs_param"]:
            body.append(f"    if {n} is None: {n} = len(_ins)")
        g["_K_" + n] = _invoke.cstr(p["name"])  # the name, pre-encoded
        body.append(f"    if {n} is not _D_{n}: _k.append(_K_{n}); _v.append(_c(_attr({n})))")
    sig += ["out=None", "name=None"]
    if ctx_param:
        sig.append("ctx=None")
        g["_K_ctx"] = _invoke.cstr("ctx")
        body.append("    if ctx is not None: _k.append(_K_ctx); _v.append(_c(_attr(ctx)))")
    sig.append("**kwargs")
    body.append("    for _kk, _vv in kwargs.items(): _k.append(_c(_kk)); _v.append(_c(_attr(_vv)))")
    body.append("    global _OP")
    body.append("    if _OP is None: _OP = _h(_opname)")
    nout_expr = f"int({_safe(nout)})" if nout and any(p['name'] == nout for p in params) else \
        str(max(1, len(op["outputs"])))
    body.append(f"    return _invoke(_OP, _ins, _k, _v, out, {nout_expr})")
    src = f"def {func_name}({', '.join(sig)}):\n" + "\n".join(body) + "\n"
    exec(compile(src, f"<mxlite op {op['name']}>", "exec"), g)  # noqa: S102 - generated code
    fn = g[func_name]
    fn.__doc__ = _doc(op, inputs)
    fn.__module__ = "mxlite.ndarray"
    return fn


def populate(namespace, internal_namespace):
    """Define every op and alias; names starting with '_' also go to the internal module."""
    for op, name in _registry.op_names():
        fn = make_function(op, name)
        if name.startswith("_"):
            setattr(internal_namespace, name, fn)
        namespace[name] = fn
