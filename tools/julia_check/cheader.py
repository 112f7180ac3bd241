"""The prototypes of include/c_api.h as (return type, [parameter types]),
each type reduced to a base name and a pointer depth (const dropped:
Julia's ccall does not see it, except that `const char*` may be a Cstring).

The header is written for this (DESIGN §2.3: no macros inside declarations,
fixed-width types), so a small parser is enough: comments and preprocessor
lines removed, then every `MXL_API <ret> <name>(<params>);` and every
function-pointer typedef read."""
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CType:
    base: str        # int32_t, char, void, mxl_array_t, struct DLManagedTensor, fnptr ...
    depth: int       # number of '*'
    const_base: bool = False  # `const char*`: the pointee is const

    def __str__(self):
        return ("const " if self.const_base else "") + self.base + "*" * self.depth


@dataclass
class Prototype:
    name: str
    ret: CType
    params: list      # [(CType, name)]
    line: int


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return "\n".join("" if ln.lstrip().startswith("#") else ln for ln in text.split("\n"))


def parse_type(decl, fnptrs):
    """'const mxl_array_t* const* inputs' -> (CType, 'inputs')."""
    decl = decl.strip()
    m = re.match(r"^(.*?)([A-Za-z_][A-Za-z0-9_]*)$", decl)
    words = decl.replace("*", " * ").split()
    if m and len(words) > 1 and words[-1] != "*" and re.match(r"[A-Za-z_]", words[-1]) and \
            words[-1] not in ("void",) and not (len(words) == 1):
        name = words[-1]
        words = words[:-1]
    else:
        name = ""
    depth = words.count("*")
    const_base = False
    base_words = []
    for w in words:
        if w == "*":
            break
        if w == "const":
            const_base = True
        else:
            base_words.append(w)
    base = " ".join(base_words)
    if base in fnptrs:
        base, depth = "fnptr", depth + 1  # a function pointer typedef is a pointer
    return CType(base, depth, const_base), name


def parse_header(text):
    """{name: Prototype} of every exported function."""
    clean = strip_comments(text)
    fnptrs = set(re.findall(r"typedef\s+[^;()]*\(\s*\*\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)", clean))
    protos = {}
    for m in re.finditer(r"MXL_API\s+([^;(]*?)\b([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)\s*;", clean, re.S):
        ret_text, name, params_text = m.group(1), m.group(2), m.group(3)
        ret, _ = parse_type(ret_text + " _ret", fnptrs)
        params = []
        ptext = " ".join(params_text.split())
        if ptext and ptext != "void":
            for p in ptext.split(","):
                params.append(parse_type(p, fnptrs))
        protos[name] = Prototype(name, ret, params, clean.count("\n", 0, m.start()) + 1)
    return protos
