"""Scala target: every registry op as a method of org.mxlite's `object NDArray`
(also reachable as `nd`), MXNet-Scala style.

    nd.Convolution(data, weight, bias, kernel = Shape(3, 3), numFilter = 8)

Inputs come first (NDArray, default null = not given, as Python's None;
variadic inputs are one Seq[NDArray]), then the op's parameters in registry
order with camelCase names.  Required parameters have plain types (Int,
Boolean, String, Shape, DType, FloatArg) and no default; the others are
nullable (java.lang.Integer, java.lang.Boolean, ...) with default null, and
null ones are not sent, so the core applies its own default (the Scaladoc shows
it).  Ops that can have several visible outputs return NDArrayFuncReturn.
Hidden ops (names starting with "_") go to `NDArray.internal`.

Generated files hold at most about MAX_LINES lines each: the methods are
split over traits GeneratedOpsNN / GeneratedInternalOpsNN that
GeneratedOps.scala mixes together.
"""
import textwrap

import model as M

NAME = "scala"
PKG = "org.mxlite"
OUT_DIR = "bindings/scala/src/main/scala/org/mxlite"
MAX_LINES = 550

# Scala's reserved words: a parameter with such a name is written in backticks.
RESERVED = {
    "abstract", "case", "catch", "class", "def", "do", "else", "extends", "false", "final",
    "finally", "for", "forSome", "if", "implicit", "import", "lazy", "macro", "match", "new",
    "null", "object", "override", "package", "private", "protected", "return", "sealed",
    "super", "this", "throw", "trait", "true", "try", "type", "val", "var", "while", "with",
    "yield",
}
# Methods the hand-written `object NDArray` defines (NDArray.scala) and members
# of every JVM object: an op of that name would clash.
RUNTIME_NAMES = {"array", "empty", "zeros", "ones", "full", "waitAll", "internal", "create",
                 "save", "saveImpl", "load", "filesSection",
                 "checkSize", "equals", "hashCode", "toString", "getClass", "notify",
                 "notifyAll", "wait", "clone", "finalize"}
# Ops that are also NDArray methods taking the array as their first input
# (x.sum(axis = 1) is nd.sum(x, axis = 1)), the list mx.nd's NDArray has.
FLUENT = ["sum", "mean", "prod", "max", "min", "argmax", "argmin", "norm", "nansum", "nanprod",
          "abs", "sign", "sqrt", "rsqrt", "square", "exp", "log", "log1p", "expm1", "sin", "cos",
          "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "sigmoid", "relu",
          "softsign", "floor", "ceil", "round", "rint", "fix", "trunc", "reciprocal", "cbrt",
          "transpose", "expand_dims", "squeeze", "flatten", "tile", "repeat", "flip", "clip",
          "take", "one_hot", "split", "slice_axis", "broadcast_to", "broadcast_like",
          "broadcast_axes", "zeros_like", "ones_like", "swapaxes", "pick", "topk", "sort",
          "argsort", "softmax", "log_softmax", "dot", "diag", "where"]
# Members of class NDArray (NDArray.scala) a fluent method must not shadow.
CLASS_MEMBERS = {"slice", "reshape", "copy", "set", "at", "grad", "backward", "detach", "dispose",
                 "close", "shape", "dtype", "size", "ndim", "T", "asType", "toArray", "handle",
                 "waitToRead", "toScalar", "attachGrad", "isDisposed"}
# The local the method bodies use; no parameter may be called this.
CALL = "__c"

# base type -> (required Scala type, optional Scala type, text-form expression)
TYPES = {
    "int": ("Int", "Integer", "{v}.toString"),
    "float": ("FloatArg", "FloatArg", "{v}.text"),
    "bool": ("Boolean", "java.lang.Boolean", "Invoke.bool({v})"),
    "str": ("String", "String", "{v}"),
    "enum": ("String", "String", "{v}"),
    "shape": ("Shape", "Shape", "{v}.text"),
    "dtype": ("DType", "DType", "{v}.name"),
}


def ident(name):
    return f"`{name}`" if name in RESERVED else name


def scala_name(name):
    """A parameter or input name in Scala's camelCase."""
    return ident(M.camel_case(name))


def doc_escape(text):
    return (text or "").replace("*/", "*&#47;").replace("/*", "/&#42;")


def wrap(text, indent, width=100):
    prefix = " " * indent + "  * "
    out = []
    for para in doc_escape(text).split("\n"):
        lines = textwrap.wrap(para, width - len(prefix)) or [""]
        out += [(prefix + ln).rstrip() for ln in lines]
    return out


def param_type(p):
    base = M.base_type(p)
    req, opt, fmt = TYPES[base]
    if base == "shape" and p.get("none_entries"):
        req = opt = "OptionShape"
    return req, opt, fmt


def is_multi(op):
    return len(op["outputs"]) > 1 or bool(op["num_outputs_param"])


class OpSpec:
    """What one op's methods (its name and every alias) are made of."""

    def __init__(self, op):
        self.op = op
        self.variadic = op["variadic_inputs"]
        self.multi = is_multi(op)
        self.params = []   # (json param, scala name, signature text, body lines)
        self.inputs = []   # (json input name, scala name)
        seen = {"out", CALL}
        inputs = op["inputs"] or ([{"name": "data", "doc": "inputs"}] if self.variadic else [])
        if self.variadic:
            inputs = inputs[:1]
        for i in inputs:
            n = scala_name(i["name"])
            self._claim(n, seen)
            self.inputs.append((i, n))
        for p in op["params"]:
            n = scala_name(p["name"])
            self._claim(n, seen)
            self.params.append(self._param(p, n))

    def _claim(self, n, seen):
        if n in seen:
            raise SystemExit(f"scala target: op {self.op['name']}: identifier '{n}' is used twice")
        seen.add(n)

    def _param(self, p, n):
        req_t, opt_t, fmt = param_type(p)
        key = p["name"]
        auto_count = self.variadic and key == self.op["num_inputs_param"]
        if p["required"] and not auto_count:
            sig = f"{n}: {req_t}"
            body = [f'{CALL}.attr("{key}", {fmt.format(v=n)})']
        else:
            sig = f"{n}: {opt_t} = null"
            body = [f'if ({n} != null) {CALL}.attr("{key}", {fmt.format(v=n)})']
            if auto_count:
                body.append(f'else {CALL}.attr("{key}", {CALL}.numInputs.toString)')
        return p, n, sig, body

    def signature(self):
        parts = []
        for _, n in self.inputs:
            parts.append(f"{n}: Seq[NDArray]" if self.variadic else f"{n}: NDArray = null")
        parts += [sig for _, _, sig, _ in self.params]
        parts.append("out: Seq[NDArray] = null" if self.multi else "out: NDArray = null")
        return parts

    def body(self, indent):
        pad = " " * indent
        name = self.op["name"]
        lines = [f'val {CALL} = Invoke.begin("{name}")']
        for i, n in self.inputs:
            if self.variadic:
                lines.append(f'{CALL}.inSeq({n}, "{i["name"]}")')
            else:
                lines.append(f'{CALL}.in({n}, "{i["name"]}")')
        for _, _, _, body in self.params:
            lines += body
        if self.multi:
            lines.append(f"{CALL}.runMulti(out, {self._capacity()})")
        else:
            lines.append(f"{CALL}.run(out)")
        return [pad + ln for ln in lines]

    def _capacity(self):
        declared = max(1, len(self.op["outputs"]))
        key = self.op["num_outputs_param"]
        for p, n, _, _ in self.params:
            if p["name"] == key:
                if p["required"]:
                    return f"{n} max {declared}"
                d = p["default"] if isinstance(p["default"], int) else declared
                return f"(if ({n} != null) {n}.intValue else {d}) max {declared}"
        return str(declared)

    def doc(self, method, indent):
        op = self.op
        pad = " " * indent
        lines = [pad + "/**"]
        if method != op["name"]:
            lines += wrap(f"Alias of `{op['name']}`. " + (op["doc"] or ""), indent)
        else:
            lines += wrap(op["doc"] or op["name"], indent)
        notes = []
        if op["aliases"] and method == op["name"]:
            notes.append("Aliases: " + ", ".join(op["aliases"]) + ".")
        if op["mutate_inputs"]:
            names = [op["inputs"][k]["name"] for k in op["mutate_inputs"] if k < len(op["inputs"])]
            notes.append("Updates in place: " + ", ".join(names) + ".")
        if op["needs_rng"]:
            notes.append("Random: draws from the generator seeded by `Mxlite.seed`.")
        if not op["differentiable"]:
            notes.append("Not differentiable.")
        if notes:
            lines.append(pad + "  *")
            lines += wrap(" ".join(notes), indent)
        lines.append(pad + "  *")
        for i, n in self.inputs:
            text = (i.get("doc") or "input") + (" (one or more arrays)" if self.variadic else "")
            lines += wrap(f"@param {n.strip('`')} {text}", indent)
        for p, n, _, _ in self.params:
            t = p["type"]
            if p["values"]:
                t += " {" + ", ".join(p["values"]) + "}"
            auto = self.variadic and p["name"] == op["num_inputs_param"]
            if auto:
                req = "default: the number of inputs"
            elif p["required"]:
                req = "required"
            else:
                req = f"default {p['default_text'] or 'None'}"
            lines += wrap(f"@param {n.strip('`')} {p['doc'] or p['name']} ({t}; {req})", indent)
        if self.multi:
            lines += wrap("@param out arrays to write the outputs into (optional)", indent)
            lines += wrap("@return the visible outputs: " + ", ".join(op["outputs"]), indent)
        else:
            lines += wrap("@param out an array to write the result into (optional)", indent)
            lines += wrap("@return the output", indent)
        lines.append(pad + "  */")
        return lines

    def method(self, method, indent=2):
        pad = " " * indent
        ret = "NDArrayFuncReturn" if self.multi else "NDArray"
        lines = self.doc(method, indent)
        head = f"{pad}def {method}("
        sig = self.signature()
        one = head + ", ".join(sig) + f"): {ret} = {{"
        if len(one) <= 100:
            lines.append(one)
        else:
            lines.append(head)
            lines += [pad + "    " + s + ("," if k < len(sig) - 1 else "") for k, s in enumerate(sig)]
            lines.append(f"{pad}): {ret} = {{")
        lines += self.body(indent + 2)
        lines.append(pad + "}")
        return lines


def fluent_method(spec, method, indent=2):
    """x.method(params...): the op's method with the array as its first input."""
    pad = " " * indent
    op = spec.op
    ret = "NDArrayFuncReturn" if spec.multi else "NDArray"
    first = spec.inputs[0][1]
    sig = spec.signature()[1:]
    args = ["this"] + [f"{n} = {n}" for _, n in spec.inputs[1:]]
    args += [f"{n} = {n}" for _, n, _, _ in spec.params] + ["out = out"]
    summary = (op["doc"] or op["name"]).split(". ")[0].rstrip(".")
    lines = [pad + "/**"]
    lines += wrap(f"`x.{method}(...)` is `nd.{method}(x, ...)`, with this array as `{first}`: "
                  f"{summary}. See [[NDArray$.{method} NDArray.{method}]].", indent)
    lines.append(pad + "  */")
    one = f"{pad}def {method}(" + ", ".join(sig) + f"): {ret} ="
    if len(one) <= 100:
        lines.append(one)
    else:
        lines.append(f"{pad}def {method}(")
        lines += [pad + "    " + x + ("," if k < len(sig) - 1 else "") for k, x in enumerate(sig)]
        lines.append(f"{pad}): {ret} =")
    call = f"NDArray.{method}(" + ", ".join(args) + ")"
    if len(pad) + 4 + len(call) <= 100:
        lines.append(pad + "  " + call)
    else:
        lines.append(f"{pad}  NDArray.{method}(")
        lines += [pad + "    " + a + ("," if k < len(args) - 1 else "") for k, a in enumerate(args)]
        lines.append(pad + "  )")
    return lines


def header(model):
    return ["// " + ln for ln in model.header_lines()]


def chunk(methods):
    """Groups of methods (lists of lines) of at most MAX_LINES lines each."""
    groups, cur, n = [], [], 0
    for m in methods:
        if cur and n + len(m) + 1 > MAX_LINES:
            groups.append(cur)
            cur, n = [], 0
        cur.append(m)
        n += len(m) + 1
    if cur:
        groups.append(cur)
    return groups


def trait_file(model, trait, doc, methods, self_type=""):
    lines = header(model) + [f"package {PKG}", "", f"/** {doc} */", f"trait {trait} {{{self_type}"]
    for k, m in enumerate(methods):
        if k:
            lines.append("")
        lines += m
    lines.append("}")
    return "\n".join(lines) + "\n"


def generate(model):
    public, internal = [], []
    for op in model.ops:
        spec = OpSpec(op)
        for name in [op["name"]] + op["aliases"]:
            if not name.isidentifier():
                continue
            if name in RUNTIME_NAMES or name in RESERVED:
                raise SystemExit(f"scala target: op name '{name}' clashes with the runtime")
            (internal if name.startswith("_") else public).append((name, spec))
    files = {}
    traits = {}
    by_name = {name: spec for name, spec in public}
    fluent = []
    for name in FLUENT:
        spec = by_name.get(name)
        if spec is None or spec.variadic or not spec.inputs or name in CLASS_MEMBERS:
            continue
        fluent.append(fluent_method(spec, name))
    names = []
    for k, group in enumerate(chunk(fluent), 1):
        trait = f"GeneratedFluent{k:02d}"
        names.append(trait)
        files[f"{OUT_DIR}/{trait}.scala"] = trait_file(
            model, trait, "Fluent op methods of NDArray (generated).", group, " self: NDArray =>")
    traits["GeneratedFluent"] = names
    for kind, entries, doc in (
            ("GeneratedOps", public, "Registry ops (generated); mixed into object NDArray."),
            ("GeneratedInternalOps", internal,
             "Hidden registry ops (generated); mixed into NDArray.internal.")):
        methods = [spec.method(name) for name, spec in sorted(entries, key=lambda e: e[0])]
        names = []
        for k, group in enumerate(chunk(methods), 1):
            trait = f"{kind}{k:02d}"
            names.append(trait)
            files[f"{OUT_DIR}/{trait}.scala"] = trait_file(model, trait, doc, group)
        traits[kind] = names
    pub = " with ".join(traits["GeneratedOps"]) or "AnyRef"
    intl = " with ".join(traits["GeneratedInternalOps"]) or "AnyRef"
    agg = header(model) + [
        f"package {PKG}",
        "",
        "/** Every registry op, generated by tools/bindgen/targets/scala.py: the public ones",
        "  * as methods of [[NDArray$ object NDArray]] (alias `nd`), the hidden ones (names",
        "  * starting with \"_\", MXNet's `mx.nd._internal`) in `NDArray.internal`. */",
        f"trait GeneratedOps extends {pub} {{",
        "  /** Hidden ops: `nd.internal._plus_scalar(x, scalar = 1f)`. */",
        f"  object internal extends {intl}",
        "}",
    ]
    flu = " with ".join(traits["GeneratedFluent"]) or "AnyRef"
    agg += [
        "",
        "/** Op methods of every NDArray (`x.sum(axis = 1)`), generated from the same list",
        "  * as mx.nd's fluent methods. */",
        f"trait GeneratedFluent extends {flu} {{ self: NDArray => }}",
    ]
    files[f"{OUT_DIR}/GeneratedOps.scala"] = "\n".join(agg) + "\n"
    return files
