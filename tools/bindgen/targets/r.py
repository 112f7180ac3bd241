"""R target: one mx.nd.* function per registry op and alias, in MXNet R's
style (bindings/r/R/ops_<letter>.R, roxygen docs).

Names: 'broadcast_add' -> mx.nd.broadcast.add, 'FullyConnected' ->
mx.nd.FullyConnected; hidden ops drop their leading underscores into the
'internal' namespace: '_plus_scalar' -> mx.nd.internal.plus.scalar.
Arguments: the op's inputs (default NULL, skipped when NULL; a variadic op
takes a list), then its parameters under their registry names (a required one
has no default; an optional one defaults to NULL, meaning "the core's
default", which the docs state), then `...` (further attributes) and
`out = NULL`.  Each function is one .Call of C_mxr_invoke with a constant
spec (bindings/r/src/invoke.c documents its layout); values are formatted to
MXNet's text form in C.
"""
import re

import model

NAME = "r"
OUT_DIR = "bindings/r/R"
OPS_PER_FILE = 14

# R's reserved words cannot be argument names.
RESERVED = {"if", "else", "repeat", "while", "function", "for", "next", "break", "TRUE",
            "FALSE", "NULL", "Inf", "NaN", "NA", "NA_integer_", "NA_real_",
            "NA_character_", "NA_complex_", "in"}
# Functions written by hand in bindings/r/R; an op mapping to one is an error.
HAND_WRITTEN = {"mx.nd.array", "mx.nd.zeros", "mx.nd.ones", "mx.nd.shape", "mx.nd.dtype",
                "mx.nd.size", "mx.nd.wait", "mx.nd.waitall", "mx.nd.dispose",
                "mx.nd.is.disposed", "mx.nd.slice.rows", "mx.nd.invoke", "mx.nd.grad",
                "mx.nd.detach", "mx.nd.attach.grad", "mx.nd.from.c.order",
                "mx.nd.c.order.values", "mx.nd.load", "mx.nd.save",
                "mx.symbol.Variable", "mx.symbol.Group", "mx.symbol.load", "mx.symbol.load.json",
                "mx.symbol.to.json", "mx.symbol.save", "mx.symbol.arguments",
                "mx.symbol.outputs", "mx.symbol.auxiliary.states", "mx.symbol.dispose",
                "mx.symbol.infer.shape"}
TYPE_CODES = {"int": 1, "float": 2, "bool": 3, "str": 4, "shape": 5, "dtype": 6, "enum": 7}


def r_function_name(op_name, ns="nd"):
    """'broadcast_add' -> mx.nd.broadcast.add; ns="symbol" -> mx.symbol.broadcast.add."""
    stripped = op_name.lstrip("_")
    prefix = f"mx.{ns}.internal." if op_name.startswith("_") else f"mx.{ns}."
    return prefix + stripped.replace("_", ".")


def spec_name(op_name):
    return ".mxop_" + op_name


def r_arg(name):
    return model.safe_identifier(name, RESERVED)


def r_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def r_strings(items):
    return "c(" + ", ".join(r_string(s) for s in items) + ")" if items else "character(0)"


def r_ints(items):
    items = list(items)
    return "c(" + ", ".join(f"{int(i)}L" for i in items) + ")" if items else "integer(0)"


def rd_escape(text):
    """Text safe inside roxygen/Rd: backslash, percent and braces escaped."""
    text = text.replace("\\", "\\\\").replace("%", "\\%")
    return text.replace("{", "\\{").replace("}", "\\}")


def doc_lines(text):
    return [line.rstrip() for line in rd_escape(text or "").splitlines()] or [""]


def param_doc(p):
    t = model.base_type(p)
    if p["values"]:
        t = "one of " + ", ".join(f'"{v}"' for v in p["values"])
    if p["required"]:
        state = "required"
    else:
        state = f"optional, default {p['default_text'] or '()'}"
        if model.is_optional_type(p):
            state += " (may be unset)"
    return f"{t}, {state}. {p['doc'] or ''}".rstrip()


def render_op(op):
    name = op["name"]
    fn = r_function_name(name)
    if fn in HAND_WRITTEN:
        raise SystemExit(f"bindgen r: op {name} maps to the hand-written R function {fn}")
    inputs = [i["name"] for i in op["inputs"]]
    variadic = op["variadic_inputs"]
    if variadic and not inputs:
        inputs = ["data"]
    params = op["params"]
    count = op["num_inputs_param"]
    nout = op["num_outputs_param"]
    args = [r_arg(i) for i in inputs] + [r_arg(p["name"]) for p in params]
    pnames = [p["name"] for p in params]
    clash = {"out", "..."} & set(args)
    if clash or len(set(args)) != len(args):
        raise SystemExit(f"bindgen r: op {name} has clashing argument names {args}")

    info = [1 if variadic else 0,
            pnames.index(count) if count in pnames else -1,
            pnames.index(nout) if nout in pnames else -1,
            max(1, len(op["outputs"]))]
    spec = (f"{spec_name(name)} <- list({r_string(name)}, {r_strings(inputs)}, "
            f"{r_strings(pnames)}, {r_ints([TYPE_CODES[model.base_type(p)] for p in params])}, "
            f"{r_ints(info)})")
    lines = [spec, ""]  # the spec first: roxygen documents the next expression
    doc = (op["doc"] or name).strip()
    # roxygen: a one-line title (the doc's first sentence), then the whole doc.
    title = re.split(r"(?<=[.!?])\s", doc.splitlines()[0], maxsplit=1)[0].rstrip(".")
    lines += [f"#' {name}: {' '.join(doc_lines(title))}", "#'"]
    lines += [f"#' {line}" if line else "#'" for line in doc_lines(doc)]
    lines.append("#'")
    for i in op["inputs"] or [{"name": n, "doc": "inputs"} for n in inputs]:
        kind = "a list of MXNDArrays" if variadic else "MXNDArray"
        lines.append(f"#' @param {r_arg(i['name'])} {kind}. " + " ".join(doc_lines(i["doc"] or "")))
    for p in params:
        text = param_doc(p)
        if variadic and p["name"] == count:
            text = f"int, optional, default: the number of inputs. {p['doc'] or ''}".rstrip()
        lines.append(f"#' @param {r_arg(p['name'])} " + " ".join(doc_lines(text)))
    lines += ["#' @param ... further attributes, as name = value (sent in MXNet's text form).",
              "#' @param out optional MXNDArray (or list of them) to write the result into.",
              "#' @return an MXNDArray, or a list of MXNDArrays when the op has several "
              "visible outputs.",
              "#' @export"]

    sig = []
    for i in inputs:
        sig.append(f"{r_arg(i)} = NULL")
    for p in params:
        required = p["required"] and not (variadic and p["name"] == count)
        sig.append(r_arg(p["name"]) if required else f"{r_arg(p['name'])} = NULL")
    sig += ["...", "out = NULL"]
    in_list = "list(" + ", ".join(r_arg(i) for i in inputs) + ")"
    p_list = "list(" + ", ".join(r_arg(p) for p in pnames) + ")"
    lines.append(f"{fn} <- function({', '.join(sig)})")
    lines.append(f"  .Call(C_mxr_invoke, {spec_name(name)}, {in_list}, {p_list}, list(...), out)")
    for alias in op["aliases"]:
        afn = r_function_name(alias)
        if afn in HAND_WRITTEN:
            raise SystemExit(f"bindgen r: alias {alias} maps to the hand-written {afn}")
        lines += ["", f"#' @rdname {fn}", "#' @export", f"{afn} <- {fn}"]
    lines += [""] + render_symbol_op(op, fn, inputs, pnames, in_list, p_list, sig)
    return fn, [op["name"]] + op["aliases"], "\n".join(lines) + "\n"


def render_symbol_op(op, nd_fn, inputs, pnames, in_list, p_list, nd_sig):
    """mx.symbol.<op>: the same arguments (inputs being MXSymbols), name
    instead of out; composed by mxl_symbol_create_op."""
    name = op["name"]
    sfn = r_function_name(name, "symbol")
    if sfn in HAND_WRITTEN:
        raise SystemExit(f"bindgen r: op {name} maps to the hand-written R function {sfn}")
    if "name" in pnames or "name" in inputs:
        raise SystemExit(f"bindgen r: op {name} has an argument called name")
    sig = nd_sig[:-1] + ["name = NULL"]
    lines = [f"#' {name} (symbolic): compose the op into a graph",
             "#'",
             f"#' Arguments as for \\code{{{nd_fn}}}, with MXSymbols as inputs; an input",
             "#' left NULL becomes a variable named <name>_<input>.",
             f"#' @inheritParams {nd_fn}",
             "#' @param name the node's name (automatic when NULL).",
             "#' @return an MXSymbol.",
             "#' @export",
             f"{sfn} <- function({', '.join(sig)})",
             f"  .Call(C_mxr_symbol_op, {spec_name(name)}, {in_list}, {p_list}, list(...), name)"]
    for alias in op["aliases"]:
        afn = r_function_name(alias, "symbol")
        if afn in HAND_WRITTEN:
            raise SystemExit(f"bindgen r: alias {alias} maps to the hand-written {afn}")
        lines += ["", f"#' @rdname {sfn}", "#' @export", f"{afn} <- {sfn}"]
    return lines


def group_key(op_name):
    first = op_name.lstrip("_")[:1].lower()
    return first if re.match(r"[a-z]", first) else "other"


def generate(m):
    header = "".join(f"# {line}\n" for line in m.header_lines())
    groups, seen = {}, {}
    for op in m.ops:
        fn, names, text = render_op(op)
        for n in names:
            rn = r_function_name(n)
            if rn in seen:
                raise SystemExit(f"bindgen r: {n} and {seen[rn]} both map to {rn}")
            seen[rn] = n
        groups.setdefault(group_key(op["name"]), []).append(text)
    files = {}
    # At most OPS_PER_FILE ops per file (files stay readable): ops_b1.R,
    # ops_b2.R, ...  A group that shrinks leaves its last file behind:
    # delete bindings/r/R/ops_*.R before `make generate` after removing ops.
    for key, texts in sorted(groups.items()):
        for n, start in enumerate(range(0, len(texts), OPS_PER_FILE), 1):
            chunk = texts[start:start + OPS_PER_FILE]
            files[f"{OUT_DIR}/ops_{key}{n}.R"] = header + "\n" + "\n".join(chunk)
    return files
