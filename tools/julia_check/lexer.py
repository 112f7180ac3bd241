"""A Julia tokenizer and block balancer, enough to catch syntax errors that
matter when no Julia runtime is around: unterminated strings, comments and
chars, unbalanced brackets, and `end`s that do not match a block opener
(function/if/for/while/let/begin/module/baremodule/struct/mutable struct/
quote/do/try/macro/abstract type/primitive type).

Julia specifics handled:
  * `#` comments and nested `#= ... =#` comments;
  * "...", \"\"\"...\"\"\" and `...` with escapes and `$(...)` interpolation
    (scanned recursively as code, strings inside included), prefixed
    strings (raw"...", r"..." have no interpolation);
  * 'c' character literals versus the adjoint operator x';
  * `end`/`begin` inside [...] are index keywords, not block words;
  * `for`/`if` directly inside brackets are comprehension/generator clauses;
  * `:end`, `:begin`, `x.end`-style symbols and fields are not keywords.
"""
import re
from dataclasses import dataclass

OPENERS = {"function", "if", "for", "while", "let", "begin", "module", "baremodule", "struct",
           "quote", "do", "try", "macro"}
# words that open a block only when followed by `type` (abstract type T end)
TYPE_OPENERS = {"abstract", "primitive"}
CLOSE = {")": "(", "]": "[", "}": "{"}
IDENT_RE = re.compile(r"[A-Za-z_\u00a0-\uffff][A-Za-z0-9_!\u00a0-\uffff]*")
NUM_RE = re.compile(r"0x[0-9a-fA-F_]+|0b[01_]+|0o[0-7_]+|(\d[\d_]*\.?\d*|\.\d+)([eEf][+-]?\d+)?(im)?")


class JuliaSyntaxError(Exception):
    def __init__(self, path, line, msg):
        super().__init__(f"{path}:{line}: {msg}")
        self.line = line
        self.msg = msg


@dataclass
class Token:
    kind: str   # ident, keyword, number, string, char, symbol, op, open, close, newline
    text: str
    line: int


class Lexer:
    def __init__(self, src, path="<julia>"):
        self.src = src
        self.path = path
        self.i = 0
        self.line = 1
        self.tokens = []

    def error(self, msg, line=None):
        raise JuliaSyntaxError(self.path, line or self.line, msg)

    def peek(self, k=0):
        j = self.i + k
        return self.src[j] if j < len(self.src) else ""

    def advance(self, n=1):
        for _ in range(n):
            if self.i < len(self.src) and self.src[self.i] == "\n":
                self.line += 1
            self.i += 1

    def emit(self, kind, text, line):
        self.tokens.append(Token(kind, text, line))

    def prev_significant(self):
        return self.tokens[-1] if self.tokens else None

    # -- comments and strings ------------------------------------------
    def block_comment(self):
        start = self.line
        depth = 0
        while self.i < len(self.src):
            if self.src.startswith("#=", self.i):
                depth += 1
                self.advance(2)
            elif self.src.startswith("=#", self.i):
                depth -= 1
                self.advance(2)
                if depth == 0:
                    return
            else:
                self.advance()
        self.error("unterminated #= comment", start)

    def string(self, delim, interpolate):
        """Scan a string body after its opening delimiter."""
        start = self.line
        while self.i < len(self.src):
            if self.src.startswith(delim, self.i):
                self.advance(len(delim))
                return
            c = self.peek()
            if c == "\\":
                self.advance(2)
            elif c == "$" and interpolate and self.peek(1) == "(":
                self.advance(2)
                self.code(stop=")")
            else:
                self.advance()
        self.error(f"unterminated string (opened with {delim})", start)

    def char_literal(self):
        start = self.line
        self.advance()  # opening '
        if self.peek() == "\\":
            self.advance(2)
            while self.peek() and self.peek() != "'" and self.peek() != "\n":
                self.advance()  # \u1234, \x41, ...
        else:
            self.advance()
        if self.peek() != "'":
            self.error("unterminated character literal", start)
        self.advance()

    # -- code ----------------------------------------------------------
    def code(self, stop=None):
        """Tokenize until end of input, or until an unmatched `stop` bracket
        (the end of a $(...) interpolation)."""
        depth = 0
        while self.i < len(self.src):
            c = self.peek()
            line = self.line
            if c == "\n":
                self.emit("newline", "\n", line)
                self.advance()
            elif c in " \t\r\f\\":
                self.advance()
            elif c == "#":
                if self.peek(1) == "=":
                    self.block_comment()
                else:
                    while self.peek() and self.peek() != "\n":
                        self.advance()
            elif self.src.startswith('"""', self.i):
                self.advance(3)
                self.string('"""', True)
                self.emit("string", '"""', line)
            elif c == '"':
                self.advance()
                self.string('"', True)
                self.emit("string", '"', line)
            elif c == "`":
                self.advance()
                self.string("`", True)
                self.emit("string", "`", line)
            elif c == "'":
                prev = self.prev_significant()
                adjoint = prev is not None and self.src[self.i - 1] not in " \t\n" and (
                    prev.kind in ("ident", "number", "close", "string") or prev.text in ("'", "end"))
                if adjoint:
                    self.emit("op", "'", line)
                    self.advance()
                else:
                    self.char_literal()
                    self.emit("char", "'", line)
            elif c in "([{":
                depth += 1
                self.emit("open", c, line)
                self.advance()
            elif c in ")]}":
                if stop and depth == 0 and c == stop:
                    self.advance()
                    return
                depth -= 1
                self.emit("close", c, line)
                self.advance()
            elif c == ":" and self.symbol_start():
                self.advance()
                m = IDENT_RE.match(self.src, self.i)
                self.emit("symbol", ":" + m.group(0), line)
                self.advance(len(m.group(0)))
            elif IDENT_RE.match(self.src, self.i):
                word = IDENT_RE.match(self.src, self.i).group(0)
                self.advance(len(word))
                if self.peek() == '"':  # prefixed string: raw"..", r"..", b"..", var".."
                    self.advance()
                    if self.src.startswith('""', self.i):
                        self.advance(2)
                        self.string('"""', False)
                    else:
                        self.string('"', False)
                    self.emit("string", word + '"', line)
                    continue
                prev = self.prev_significant()
                after_dot = prev is not None and prev.kind == "op" and prev.text == "." and \
                    self.src[self.i - len(word) - 1] == "."
                kind = "keyword" if (word in OPENERS or word in TYPE_OPENERS or
                                     word in ("end", "mutable", "type")) and not after_dot else "ident"
                self.emit(kind, word, line)
            elif c.isdigit() or (c == "." and self.peek(1).isdigit()):
                m = NUM_RE.match(self.src, self.i)
                self.emit("number", m.group(0), line)
                self.advance(max(1, len(m.group(0))))
            else:
                self.emit("op", c, line)
                self.advance()
        if stop:
            self.error("unterminated $( interpolation")

    def symbol_start(self):
        """':' starts a quoted symbol (:end, :foo) rather than a range or a
        ternary/type colon."""
        nxt = IDENT_RE.match(self.src, self.i + 1)
        if not nxt or self.peek(1) == ":":
            return False
        prev = self.prev_significant()
        if prev is None:
            return True
        if self.src[self.i - 1] in " \t" and self.peek(1) != " ":
            # `a ? b :c` is rare; `x = :sym`, `f(:sym)`, `[:a, :b]` are common
            return prev.kind in ("op", "open", "newline", "keyword") or prev.text == ","
        return prev.kind in ("op", "open", "newline") and prev.text not in ("'",)


def tokenize(src, path="<julia>"):
    lx = Lexer(src, path)
    lx.code()
    return lx.tokens


def check_balance(tokens, path="<julia>"):
    """Match blocks and brackets; raise JuliaSyntaxError on the first problem."""
    stack = []  # (kind, text, line): kind "block" or "bracket"

    def in_index():
        return any(k == "bracket" and t == "[" for k, t, _ in stack)

    prev = None
    for i, tok in enumerate(tokens):
        if tok.kind == "open":
            stack.append(("bracket", tok.text, tok.line))
        elif tok.kind == "close":
            if not stack or stack[-1][0] != "bracket":
                what = f"'{stack[-1][1]}' block opened at line {stack[-1][2]}" if stack else "nothing"
                raise JuliaSyntaxError(path, tok.line, f"'{tok.text}' closes {what}")
            if stack[-1][1] != CLOSE[tok.text]:
                raise JuliaSyntaxError(path, tok.line, f"'{tok.text}' does not match '{stack[-1][1]}' "
                                       f"opened at line {stack[-1][2]}")
            stack.pop()
        elif tok.kind == "keyword":
            w = tok.text
            top_bracket = bool(stack) and stack[-1][0] == "bracket"
            if w == "end":
                if stack and stack[-1][0] == "block":
                    stack.pop()
                elif in_index():
                    pass  # a[end]
                else:
                    raise JuliaSyntaxError(path, tok.line, "'end' without an open block")
            elif w == "begin" and top_bracket and in_index():
                pass  # a[begin]
            elif w in ("for", "if") and top_bracket:
                pass  # comprehension / generator clause
            elif w in TYPE_OPENERS:
                nxt = next((t for t in tokens[i + 1:] if t.kind != "newline"), None)
                if nxt is not None and nxt.text == "type":
                    stack.append(("block", w + " type", tok.line))
            elif w == "struct" and prev is not None and prev.text == "mutable":
                stack.append(("block", "mutable struct", tok.line))
            elif w in OPENERS:
                stack.append(("block", w, tok.line))
        if tok.kind != "newline":
            prev = tok
    if stack:
        kind, text, line = stack[-1]
        raise JuliaSyntaxError(path, line, f"'{text}' opened here is never closed"
                               + (" (missing 'end')" if kind == "block" else ""))


def check_source(src, path="<julia>"):
    """Tokens of a syntactically balanced file, or JuliaSyntaxError."""
    tokens = tokenize(src, path)
    check_balance(tokens, path)
    return tokens
