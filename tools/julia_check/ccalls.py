"""Checks every `ccall((:mxl_x, lib), Ret, (ArgTypes...,), args...)` in
Julia tokens against the C prototypes: the function exists, the Julia
argument-type tuple has as many entries as the C parameters, as many values
are passed, and each Julia type is compatible with its C type.

Compatibility (64-bit Linux, what Julia's ccall marshals):
  int32_t / int      Int32 or Cint          int64_t   Int64 or Clonglong
  uint64_t           UInt64 or Csize_t      double    Float64 or Cdouble
  void (return)      Cvoid or Nothing       T*        Ptr{J} or Ref{J}, J matching T
  opaque handle, struct, function pointer (pointee)   Cvoid
  const char*        Cstring, Ptr{UInt8}, Ptr{Cchar}
  void*              Ptr{anything} or Ref{anything}
`Int` is refused (its width is the platform's), and Ref is not a return type.
"""
from dataclasses import dataclass

SCALARS = {
    "int32_t": {"Int32", "Cint"}, "int": {"Int32", "Cint"},
    "uint32_t": {"UInt32", "Cuint"}, "int64_t": {"Int64", "Clonglong"},
    "uint64_t": {"UInt64", "Csize_t", "Culonglong"}, "double": {"Float64", "Cdouble"},
    "float": {"Float32", "Cfloat"}, "void": {"Cvoid", "Nothing"},
    "char": {"UInt8", "Int8", "Cchar", "Cuchar"}, "uint8_t": {"UInt8", "Cuchar"},
}


@dataclass
class JType:
    name: str
    args: list

    def __str__(self):
        return self.name + ("{" + ", ".join(map(str, self.args)) + "}" if self.args else "")


@dataclass
class CcallSite:
    func: str
    ret: str
    arg_types: list   # [str]
    num_values: int
    line: int
    tuple_ok: bool


def parse_jtype(text):
    """'Ref{Ptr{Cvoid}}' -> JType('Ref', [JType('Ptr', [JType('Cvoid', [])])])."""
    text = text.strip()
    if "{" not in text:
        return JType(text, [])
    head, rest = text.split("{", 1)
    if not rest.endswith("}"):
        raise ValueError(f"malformed type {text!r}")
    inner, depth, parts, cur = rest[:-1], 0, [], ""
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    parts.append(cur)
    return JType(head.strip(), [parse_jtype(p) for p in parts if p.strip()])


def _opaque(base):
    return base.startswith("mxl_") or base.startswith("struct ") or base == "fnptr"


def compatible(jt, ctype_base, depth, const_base, is_return=False):
    """None if the Julia type jt can stand for the C type, else why not."""
    if depth == 0:
        if _opaque(ctype_base):
            return None if jt.name in ("Cvoid", "Nothing") and not jt.args else \
                f"{jt} for an opaque {ctype_base} (use Cvoid)"
        allowed = SCALARS.get(ctype_base)
        if allowed is None:
            return f"no Julia mapping known for C type {ctype_base}"
        if jt.name == "Int" or jt.name == "UInt":
            return f"{jt.name} has the platform's width; use {sorted(allowed)[0]} for {ctype_base}"
        return None if jt.name in allowed and not jt.args else f"{jt} is not {ctype_base}"
    if depth == 1 and ctype_base == "char" and const_base and jt.name == "Cstring":
        return None
    if depth == 2 and ctype_base == "char" and jt.name in ("Ptr", "Ref") and jt.args and \
            jt.args[0].name == "Cstring":
        return None  # const char* const*: Ptr{Cstring}
    if jt.name == "Ref" and is_return:
        return "Ref is not allowed as a return type"
    if jt.name not in ("Ptr", "Ref") or len(jt.args) != 1:
        return f"{jt} for a pointer ({ctype_base}{'*' * depth}); expected Ptr{{...}} or Ref{{...}}"
    if depth == 1 and ctype_base == "void":
        return None  # void*: a pointer to anything
    why = compatible(jt.args[0], ctype_base, depth - 1, const_base)
    return None if why is None else f"{jt}: {why}"


def _render(tokens):
    return "".join(t.text for t in tokens if t.kind != "newline")


def _split_args(tokens, start):
    """Arguments of the call whose '(' is tokens[start], split at top-level
    commas: (list of token lists, index after the ')')."""
    args, cur, depth, i = [], [], 0, start + 1
    while i < len(tokens):
        t = tokens[i]
        if t.kind == "open":
            depth += 1
        elif t.kind == "close":
            if depth == 0:
                if cur:
                    args.append(cur)
                return args, i + 1
            depth -= 1
        if t.kind == "op" and t.text == "," and depth == 0:
            args.append(cur)
            cur = []
        elif t.kind != "newline" or depth > 0:
            cur.append(t)
        i += 1
    return args, i


def find_ccalls(tokens):
    """Every ccall with a (:symbol, lib) target, as CcallSite."""
    sites = []
    for i, t in enumerate(tokens):
        if not (t.kind == "ident" and t.text == "ccall" and i + 1 < len(tokens) and
                tokens[i + 1].kind == "open" and tokens[i + 1].text == "("):
            continue
        args, _ = _split_args(tokens, i + 1)
        args = [[x for x in a if x.kind != "newline"] for a in args]
        if len(args) < 3:
            sites.append(CcallSite("?", "?", [], 0, t.line, False))
            continue
        target = args[0]
        func = "?"
        if target and target[0].kind == "open":
            inner, _ = _split_args(target, 0)
            if inner and inner[0] and inner[0][0].kind == "symbol":
                func = inner[0][0].text[1:]
        types_tok = args[2]
        tuple_ok = bool(types_tok) and types_tok[0].text == "(" and types_tok[-1].text == ")"
        type_args = []
        if tuple_ok:
            inner, _ = _split_args(types_tok, 0)
            type_args = [_render(a) for a in inner if _render(a)]
        sites.append(CcallSite(func, _render(args[1]), type_args, len(args) - 3, t.line, tuple_ok))
    return sites


def check_site(site, protos):
    """[problem strings] for one ccall (empty when it matches)."""
    if site.func == "?":
        return ["ccall target is not a (:name, library) tuple"]
    proto = protos.get(site.func)
    if proto is None:
        return [f"{site.func} is not declared in include/c_api.h"]
    problems = []
    if not site.tuple_ok:
        problems.append("argument types must be a tuple literal, e.g. (Ptr{Cvoid},)")
    if len(site.arg_types) != len(proto.params):
        problems.append(f"{len(site.arg_types)} argument types, but the C function takes "
                        f"{len(proto.params)}")
    if site.num_values != len(site.arg_types):
        problems.append(f"{site.num_values} values passed for {len(site.arg_types)} argument types")
    try:
        why = compatible(parse_jtype(site.ret), proto.ret.base, proto.ret.depth, proto.ret.const_base,
                         is_return=True)
        if why:
            problems.append(f"return type: {why} (C returns {proto.ret})")
    except ValueError as e:
        problems.append(f"return type: {e}")
    for k, (jt_text, (ctype, pname)) in enumerate(zip(site.arg_types, proto.params)):
        try:
            why = compatible(parse_jtype(jt_text), ctype.base, ctype.depth, ctype.const_base)
        except ValueError as e:
            why = str(e)
        if why:
            problems.append(f"argument {k + 1} ({pname}: {ctype}): {why}")
    return problems
