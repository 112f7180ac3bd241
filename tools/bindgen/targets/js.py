"""JavaScript (Node.js) target: bindings/js/src/generated/*.js.

One function per registry op, named in JavaScript's idiom (camelCase of the
MXNet name: FullyConnected -> fullyConnected, broadcast_add -> broadcastAdd),
taking the inputs positionally (a list for variadic ops) and the attributes in
an options object whose keys are camelCase or the MXNet names
(`convolution(x, w, b, {kernel: [3, 3], numFilter: 8})`).  Ops whose names
start with '_' go to ops_internal.js (mx.nd.internal.plusScalar).  Every MXNet
name and alias also maps to its function in OPS (mx.nd.ops.FullyConnected).
The runtime behind the wrappers is bindings/js/src/invoke.js (callOp); each
function carries its op description as `.spec`, from which mx.sym builds the
symbolic twin (bindings/js/src/symbol_ops.js).
"""
import json
import textwrap

from model import base_type, camel_case, is_optional_type

NAME = "js"
OUT_DIR = "bindings/js/src/generated"

# Words a JavaScript function name cannot be (ES2023 reserved words and
# strict-mode restrictions).
RESERVED = {
    "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default",
    "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for", "function",
    "if", "implements", "import", "in", "instanceof", "interface", "let", "new", "null",
    "package", "private", "protected", "public", "return", "static", "super", "switch", "this",
    "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield", "eval",
    "arguments",
}

_JS_TYPES = {"int": "number", "float": "number", "bool": "boolean", "str": "string",
             "shape": "number[]", "dtype": "string"}


def js_name(mx_name):
    """The JavaScript function name of an MXNet op name (without the '_' prefix)."""
    name = camel_case(mx_name.lstrip("_"))
    return name + "_" if name in RESERVED else name


def _param_type(p):
    t = base_type(p)
    if t == "enum":
        js = "(" + "|".join(json.dumps(v) for v in p["values"]) + ")"
    else:
        js = _JS_TYPES.get(t, "*")
    if is_optional_type(p):
        js += "|null"
    return js


def _clean(text):
    return " ".join((text or "").replace("*/", "* /").split())


def _wrap(prefix, text, indent=" *   "):
    return textwrap.wrap(prefix + text, width=100, subsequent_indent=indent,
                         break_on_hyphens=False, break_long_words=False) or [prefix]


def _default_js(p):
    d = p["default"]
    if d is None:
        return "null"
    if isinstance(d, bool):
        return "true" if d else "false"
    if isinstance(d, (int, float)):
        return json.dumps(d)
    if isinstance(d, list):
        return json.dumps(d)
    return json.dumps(str(d))


def _names(model):
    """{op name: [(internal?, js name), ...]}: the JavaScript names each op gets.

    Two registry names can meet on one camelCase name (Softmax, the alias of
    SoftmaxOutput, and softmax): the op whose own name it is wins, and among
    those the one already starting lowercase, so `softmax` is MXNet's softmax;
    an op left without a name keeps its MXNet name (mx.nd.MakeLoss), and
    every op stays reachable through OPS under its MXNet names."""
    claims = {}
    for op in model.ops:
        for i, n in enumerate([op["name"]] + op["aliases"]):
            key = (n.startswith("_"), js_name(n))
            rank = (0 if i == 0 else 1, 0 if n[:1].lstrip("_")[:1].islower() else 1, n)
            claims.setdefault(key, []).append((rank, op["name"]))
    chosen = {}
    for key, cands in claims.items():
        cands.sort()
        chosen[key] = cands[0][1]
    per_op = {}
    for (internal, js), opname in sorted(chosen.items()):
        per_op.setdefault(opname, []).append((internal, js))
    return per_op


def _spec_line(op, var):
    params = [[p["name"], camel_case(p["name"]), base_type(p)] for p in op["params"]]
    return (f"const {var} = opSpec({json.dumps(op['name'])}, "
            f"{json.dumps([i['name'] for i in op['inputs']])}, "
            f"{'true' if op['variadic_inputs'] else 'false'}, "
            f"{json.dumps(op['num_inputs_param'])}, {json.dumps(op['num_outputs_param'])}, "
            f"{max(1, len(op['outputs']))}, {json.dumps(params)});")


def _function(op, fname, var):
    lines = ["/**"]
    lines += _wrap(" * ", _clean(op["doc"]) or op["name"], " * ")
    lines.append(" *")
    names = ", ".join(f"`{n}`" for n in [op["name"]] + op["aliases"])
    lines.append(f" * MXNet name: {names}." + ("" if op["differentiable"] else
                                               " Not differentiable."))
    if op["variadic_inputs"]:
        doc = _clean(op["inputs"][0]["doc"]) if op["inputs"] else "inputs"
        lines += _wrap(" * @param {NDArray[]} data - ", doc)
        args = ["data"]
    else:
        args = []
        for i in op["inputs"]:
            a = js_name(i["name"])
            args.append(a)
            lines += _wrap(f" * @param {{NDArray}} {a} - ", _clean(i["doc"]) or "input")
    lines.append(" * @param {Object} [options] - attributes (camelCase or MXNet names), "
                 "named inputs, `out`.")
    for p in op["params"]:
        key = f"options.{camel_case(p['name'])}"
        if p["required"]:
            head = f" * @param {{{_param_type(p)}}} {key} - (required) "
        else:
            head = f" * @param {{{_param_type(p)}}} [{key}={_default_js(p)}] - "
        lines += _wrap(head, _clean(p["doc"]) or p["name"])
    lines.append(" * @param {NDArray|NDArray[]} [options.out] - write the result into these "
                 "arrays.")
    multi = len(op["outputs"]) > 1 or op["num_outputs_param"]
    lines.append(" * @returns {NDArray|NDArray[]}" if multi else " * @returns {NDArray}")
    lines.append(" */")
    lines.append(f"export function {fname}({', '.join(args + ['options'])}) {{")
    lines.append(f"  return callOp({var}, arguments);")
    lines.append("}")
    lines.append(f"{fname}.spec = {var};")
    return lines


def _file(model, per_op, internal):
    """One namespace's file: for every op with a name there, its spec and
    function (further names of the op in this namespace are aliases)."""
    out = ["// " + line for line in model.header_lines()]
    out += ["", "import { callOp, opSpec } from '../invoke.js';", "",
            "/** @typedef {import('../ndarray.js').NDArray} NDArray */", ""]
    exported = {}  # op name -> its first function name here
    for op in model.ops:
        names = [js for (intl, js) in per_op.get(op["name"], []) if intl == internal]
        own = op["name"].startswith("_") == internal
        if not names and not (own and not per_op.get(op["name"])):
            continue
        var = "$" + op["name"]
        out.append(_spec_line(op, var))
        if not names:
            # Every camelCase name of this op was claimed by another op
            # (MakeLoss vs make_loss): it keeps its MXNet name.
            first = op["name"]
            out += _function(op, first, var)
        else:
            first = names[0]
            out += _function(op, first, var)
            for js in names[1:]:
                out.append(f"/** Alias of {first} (MXNet `{op['name']}`). */")
                out.append(f"export const {js} = {first};")
        exported[op["name"]] = first
        out.append("")
    return "\n".join(out).rstrip() + "\n", exported


def generate(model):
    per_op = _names(model)
    pub_text, pub = _file(model, per_op, False)
    int_text, intl = _file(model, per_op, True)
    index = ["// " + line for line in model.header_lines()] + [
        "",
        "// Every op: the public ones (mx.nd.*), the internal ones (mx.nd.internal.*),",
        "// and OPS mapping each MXNet name and alias to its function.",
        "import * as pub from './ops_public.js';",
        "import * as internal from './ops_internal.js';",
        "",
        "export { pub, internal };",
        "",
        "/** MXNet op name or alias -> its function. */",
        "export const OPS = Object.freeze({",
    ]
    for op in model.ops:
        mine = per_op.get(op["name"], [])
        for n in [op["name"]] + op["aliases"]:
            key = (n.startswith("_"), js_name(n))
            if key in mine:
                ref = f"{'internal' if key[0] else 'pub'}.{key[1]}"
            elif op["name"] in pub:  # this name went to another op: the op's own function
                ref = f"pub.{pub[op['name']]}"
            else:
                ref = f"internal.{intl[op['name']]}"
            index.append(f"  {json.dumps(n)}: {ref},")
    index += ["});", ""]
    return {f"{OUT_DIR}/ops_public.js": pub_text,
            f"{OUT_DIR}/ops_internal.js": int_text,
            f"{OUT_DIR}/index.js": "\n".join(index)}
