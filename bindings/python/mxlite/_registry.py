"""The operator registry as the frontends read it: the JSON document, Python
defaults of parameters, and the NumPy-style docstrings shared by the
generated mx.nd and mx.sym functions."""
import json
import keyword

from .base import copy_string, lib

_PY_TYPES = {"int": "int", "float": "float", "bool": "boolean", "str": "string",
             "shape": "Shape(tuple)", "dtype": "dtype", "enum": "{...}"}

def registry():
    """The registry JSON document, parsed (a fresh copy per call)."""
    return json.loads(copy_string(lib.mxl_registry_json))


def py_default(p):
    """A parameter's default as a Python value (None for required ones)."""
    if p["required"]:
        return None
    d = p["default"]
    t = p["type"]
    base = t[len("optional<"):-1] if t.startswith("optional<") else t
    if base == "shape":
        return None if d is None else tuple(d)
    if base == "float" and isinstance(d, str):
        return float(d)  # inf / nan are kept as text in JSON
    return d


def param_base_type(p):
    """'int', 'shape', 'dtype', ... without optional<>."""
    t = p["type"]
    return t[len("optional<"):-1] if t.startswith("optional<") else t


def doc(op, inputs, array="NDArray", tail=None):
    """The docstring of a generated function.  array: the type inputs are
    documented as; tail: the lines after the parameters (default: mx.nd's
    out/name parameters and return value)."""
    lines = [op["doc"] or op["name"], "", "Parameters", "----------"]
    for i in op["inputs"]:
        lines += [f"{i['name']} : {array}", f"    {i['doc'] or 'input'}"]
    if op["variadic_inputs"] and not op["inputs"]:
        lines += [f"*data : {array}", "    inputs"]
    for p in op["params"]:
        t = p["type"]
        if p["values"]:
            t = "{" + ", ".join(repr(v) for v in p["values"]) + "}"
        req = "required" if p["required"] else f"optional, default={p['default_text']}"
        lines += [f"{p['name']} : {t}, {req}", f"    {p['doc']}"]
    if tail is None:
        tail = ["out : NDArray, optional", "    The output array.", "name : str, optional",
                "    Ignored in imperative mode (kept for MXNet compatibility).", "",
                "Returns", "-------",
                "out : NDArray or list of NDArrays", "    The output of this function."]
    lines += tail
    if op["aliases"]:
        lines += ["", "Aliases: " + ", ".join(op["aliases"])]
    return "\n".join(lines)


def safe(name):
    """A parameter name usable as a Python identifier (lambda -> lambda_)."""
    return name + "_" if keyword.iskeyword(name) else name


def op_names():
    """(op JSON entry, function name) for every op and alias that is a
    Python identifier."""
    for op in registry()["ops"]:
        for name in [op["name"]] + op["aliases"]:
            if name.isidentifier():
                yield op, name


def add_fluent_methods(cls, names, generated):
    """Give cls a method per generated op function in names (x.sum(...) for
    sum(x, ...)), as MXNet's NDArray and Symbol have; existing attributes win."""
    def fluent(fn):
        def method(self, *args, **kwargs):
            return fn(self, *args, **kwargs)
        method.__name__ = fn.__name__
        method.__doc__ = fn.__doc__
        return method

    for name in names:
        if name in generated and not hasattr(cls, name):
            setattr(cls, name, fluent(generated[name]))
