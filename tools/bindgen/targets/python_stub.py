"""Typed stub for mx.nd (bindings/python/mxlite/ndarray/__init__.pyi).

The Python frontend generates its op functions at import (register.py), so
type checkers and IDEs see nothing of them; this stub declares every one with
the same parameters (names, order, kinds, defaults) and real types from the
registry schema: Literal[...] for enums, Optional[...] for optional<T> and
for the inputs, Tuple[int, ...] for shapes.  The hand-written part of mx.nd
(NDArray, array, zeros, ...) is re-exported from its modules, so the stub
covers the whole namespace.  tests/python/test_python_stub.py checks it
against the runtime functions with inspect.
"""
import ast
import keyword
import math

import model

NAME = "python_stub"
PATH = "bindings/python/mxlite/ndarray/__init__.pyi"

INIT = model.REPO / "bindings" / "python" / "mxlite" / "ndarray" / "__init__.py"


def handwritten(init_text):
    """(names kept over same-named ops, [(module, [names])] re-exported),
    read from ndarray/__init__.py itself so the stub follows it: its `_keep`
    set and its `from .module import name, ...` lines (private modules and
    names left out)."""
    tree = ast.parse(init_text)
    keep, reexports = [], []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_keep"
                                                for t in node.targets):
            keep = sorted(ast.literal_eval(node.value))
        elif isinstance(node, ast.ImportFrom) and node.level == 1 and node.module and \
                not node.module.startswith("_"):
            names = [a.asname or a.name for a in node.names if not (a.asname or a.name).startswith("_")]
            if names:
                reexports.append((node.module, names))
    return keep, reexports


HEADER = '''from types import ModuleType
from typing import Any, List, Literal, Optional, Tuple, Union

import numpy as np

from ..context import Context
from . import random as random
'''

ALIASES = '''_Shape = Union[Tuple[int, ...], List[int], int]
"""A shape attribute; a bare int is one extent (MXNet's parser accepts it)."""
_OptShape = Union[Tuple[Optional[int], ...], List[Optional[int]], int]
"""A shape whose entries may be None (slice begin/end/step)."""
_DType = Union[str, type, np.dtype]
_Ctx = Union[Context, str]
_Out = Union[NDArray, List[NDArray]]

op: ModuleType
"""Every registry operator, hidden ones included."""
_internal: ModuleType
"""The operators whose names start with '_'."""
'''


def py_type(p):
    """The annotation of one parameter."""
    base = model.base_type(p)
    if base == "enum":
        t = "Literal[" + ", ".join(repr(v) for v in p["values"]) + "]"
    elif base == "shape":
        t = "_OptShape" if p.get("none_entries") else "_Shape"
    elif base == "dtype":
        t = "_DType"
    else:
        t = {"int": "int", "float": "float", "bool": "bool", "str": "str"}[base]
    if model.is_optional_type(p) or (not p["required"] and p["default"] is None):
        t = f"Optional[{t}]"
    return t


def py_default(p):
    """The default as Python source, as the runtime function has it
    (_registry.py_default).  Required parameters get `...` (the runtime
    default is None, which the core rejects as missing)."""
    if p["required"]:
        return "..."
    d = p["default"]
    base = model.base_type(p)
    if d is None:
        return "None"
    if base == "shape":
        return repr(tuple(d))
    if base == "float":
        f = float(d)  # inf / nan arrive as text in the JSON
        if math.isinf(f) or math.isnan(f):
            return f"float('{f}')"
        return repr(f)
    return repr(d)


def safe(name):
    return name + "_" if keyword.iskeyword(name) else name


def docstring(op, indent):
    """The op's doc as a stub docstring (parameters and types listed)."""
    lines = [model.doc_summary(op), ""]
    for p in op["params"]:
        req = "required" if p["required"] else f"default {p['default_text']}"
        doc = " ".join((p["doc"] or "").split())
        lines.append(f"{p['name']} ({p['type']}, {req}): {doc}".rstrip())
    if op["aliases"]:
        lines += ["", "Aliases: " + ", ".join(op["aliases"])]
    text = "\n".join(indent + l if l else "" for l in lines).replace("\\", "\\\\")
    return text.replace('"""', "'''")


def function(op, name):
    """The stub of one op under one of its names, mirroring
    ndarray/register.py's make_function."""
    params = [p for p in op["params"] if p["name"] != "ctx"]
    has_ctx = any(p["name"] == "ctx" for p in op["params"])
    sig = []
    inputs = [i["name"] for i in op["inputs"]]
    if op["variadic_inputs"]:
        sig.append(f"*{inputs[0] if inputs else 'data'}: NDArray")
    else:
        sig += [f"{safe(i)}: Optional[NDArray] = None" for i in inputs]
    for p in params:
        sig.append(f"{safe(p['name'])}: {py_type(p)} = {py_default(p)}")
    sig += ["out: Optional[_Out] = None", "name: Optional[str] = None"]
    if has_ctx:
        sig.append("ctx: Optional[_Ctx] = None")
    sig.append("**kwargs: Any")
    ret = "_Out" if model.returns_list(op) else "NDArray"
    head = f"def {name}(\n" + "".join(f"    {s},\n" for s in sig) + f") -> {ret}:"
    return f'{head}\n    """{docstring(op, "    ").lstrip()}\n    """\n    ...\n'


def generate(m):
    out = ["# " + line for line in m.header_lines()]
    out += ['"""mx.nd: imperative NDArray API (typed stub of the generated op functions)."""']
    out.append(HEADER)
    keep, reexports = handwritten(INIT.read_text())
    for mod, names in reexports:
        out.append(f"from .{mod} import " + ", ".join(f"{n} as {n}" for n in names))
    out += ["", ALIASES]
    seen = set(keep)
    for op in m.ops:
        for name in model.callable_names(op):
            if not name.isidentifier() or name in seen:
                continue
            seen.add(name)
            out.append("")
            out.append(function(op, name))
    return {PATH: "\n".join(out).rstrip() + "\n"}
