"""Julia op wrappers: bindings/julia/MXLite/src/ops_generated.jl.

Every registry op (and alias) becomes a function of the submodule
`MXLite.nd` under its MXNet name, as MXNet.jl named them:

    nd.FullyConnected(data, weight, bias; num_hidden=10)
    nd.Concat(a, b, c; dim=1)             # variadic inputs are varargs
    nd.SliceChannel(x; num_outputs=2)     # several outputs: a Vector{NDArray}

Inputs are positional (each may be `nothing` to leave it out); parameters
are keywords whose default `nothing` means "not sent" (the core applies the
registry default, written in the docstring).  Values are formatted by
MXLite.attr_text.  Attributes keep the core's C-order meaning (axis 0 is the
last Julia dimension), see the package README.  Names that are Julia
keywords get a trailing underscore (`begin_`, `end_`).  Docstrings are
Julia's Markdown docstrings.
"""
import model

NAME = "julia"
PATH = "bindings/julia/MXLite/src/ops_generated.jl"

# Julia's reserved words, plus `where` (an infix keyword) and names the
# generated bodies use.
RESERVED = {"baremodule", "begin", "break", "catch", "const", "continue", "do", "else", "elseif",
            "end", "export", "false", "finally", "for", "function", "global", "if", "import",
            "let", "local", "macro", "module", "quote", "return", "struct", "true", "try",
            "using", "while", "where", "abstract", "primitive", "mutable", "type", "in", "isa",
            "out", "nothing", "push!", "NDArray"}

JULIA_TYPES = {"int": "Integer", "float": "Real", "bool": "Bool", "str": "String",
               "shape": "Tuple of Integer", "dtype": "DataType or String"}


def jl_name(name):
    return model.safe_identifier(name, RESERVED)


def jl_string(text):
    """Text inside a Julia \"\"\" string: no interpolation, no escapes."""
    return text.replace("\\", "\\\\").replace("$", "\\$").replace('"""', '\\"\\"\\"')


def type_doc(p):
    base = model.base_type(p)
    if base == "enum":
        t = " | ".join(f'"{v}"' for v in p["values"])
    else:
        t = JULIA_TYPES[base]
    if model.is_optional_type(p):
        t += " or None"
    return t


def docstring(op, fname, inputs, params):
    variadic = op["variadic_inputs"]
    ins = (f"{inputs[0] if inputs else 'data'}..." if variadic else ", ".join(inputs))
    req = [f"{jl_name(p['name'])}" for p in params if p["required"]]
    sig = f"{fname}({ins}{'; ' if req else ''}{', '.join(f'{r}=...' for r in req)})"
    lines = [f"    {sig}", "", " ".join((op.get("doc") or op["name"]).split())]
    if op["inputs"]:
        lines += ["", "# Inputs"]
        for i in op["inputs"]:
            lines.append(f"- `{i['name']}`: {' '.join((i['doc'] or 'input').split())}")
    if params:
        lines += ["", "# Keywords (C-order axes and shapes; `nothing` leaves the registry default)"]
        for p in params:
            text = p["default_text"]
            if model.base_type(p) == "bool" and text in ("True", "False"):
                text = text.lower()  # what a Julia caller writes
            dflt = "required" if p["required"] else f"default `{text}`"
            lines.append(f"- `{jl_name(p['name'])}` ({type_doc(p)}, {dflt}): "
                         f"{' '.join((p['doc'] or '').split())}".rstrip())
    lines += ["- `out`: NDArray (or vector of them) to write the result into."]
    many = "a `Vector{NDArray}` when the op has several visible outputs" \
        if model.returns_list(op) else "an `NDArray`"
    lines += ["", f"Returns {many}."]
    if op["aliases"]:
        lines += ["", "Aliases: " + ", ".join(f"`{a}`" for a in op["aliases"])]
    return "\n".join(jl_string(l) for l in lines)


def function(op):
    fname = jl_name(op["name"])
    inputs = [i["name"] for i in op["inputs"]]
    params = list(op["params"])
    input_ids = {jl_name(i) for i in inputs}
    pid = {p["name"]: (jl_name(p["name"]) + "_" if jl_name(p["name"]) in input_ids else jl_name(p["name"]))
           for p in params}
    out = ['"""', docstring(op, fname, inputs, params), '"""']
    kw = "; " + ", ".join([f"{pid[p['name']]}=nothing" for p in params] + ["out=nothing"])
    if op["variadic_inputs"]:
        var = jl_name(inputs[0] if inputs else "data")
        out.append(f"function {fname}({var}::NDArray...{kw})")
        out.append(f"    _ins = NDArray[{var}...]")
    else:
        args = ", ".join(f"{jl_name(i)}::Union{{NDArray,Nothing}}=nothing" for i in inputs)
        out.append(f"function {fname}({args}{kw})")
        out.append("    _ins = NDArray[]")
        for i in inputs:
            out.append(f"    {jl_name(i)} === nothing || push!(_ins, {jl_name(i)})")
    out.append("    _attrs = Pair{String,Any}[]")
    for p in params:
        v = pid[p["name"]]
        if op["variadic_inputs"] and p["name"] == op["num_inputs_param"]:
            out.append(f"    {v} === nothing && ({v} = _count(_ins))")
        out.append(f'    {v} === nothing || push!(_attrs, "{p["name"]}" => {v})')
    out.append(f'    return _opcall("{op["name"]}", _ins, _attrs, out)')
    out.append("end")
    return "\n".join(out)


def generate(m):
    lines = ["# " + l for l in m.header_lines()]
    lines += [
        "",
        '"""',
        "    MXLite.nd",
        "",
        "Every operator of the mxlite registry as a Julia function (MXNet's names;",
        "hidden ops start with `_`). See `src/ops_generated.jl`'s generator,",
        "`tools/bindgen/targets/julia.py`, for the calling convention.",
        '"""',
        "module nd",
        "",
        "import ..MXLite: NDArray, _opcall, _count",
        "",
    ]
    names = []
    for op in m.ops:
        lines.append(function(op))
        lines.append("")
        names.append(jl_name(op["name"]))
    lines.append("# Aliases share the function (and its docstring).")
    taken = set(names)
    for op in m.ops:
        for alias in op["aliases"]:
            a = jl_name(alias)
            if a in taken:
                continue
            taken.add(a)
            lines.append(f"const {a} = {jl_name(op['name'])}")
    lines += ["", "end # module nd"]
    return {PATH: "\n".join(lines) + "\n"}
