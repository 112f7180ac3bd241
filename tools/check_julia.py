"""Static checks of the Julia binding, for machines without Julia.

    python tools/check_julia.py [--header include/c_api.h] [paths ...]

(a) Every .jl file under the paths (default bindings/julia) is tokenized and
    its blocks and brackets balanced (tools/julia_check/lexer.py).
    Where tree-sitter-julia is installed (requirements-dev.txt), the file must
    also parse with Julia's tree-sitter grammar (tools/julia_check/grammar.py).
(b) Every ccall((:mxl_x, lib), Ret, (Types...,), args...) is checked against
    the prototype in include/c_api.h (tools/julia_check/ccalls.py).
Prints each problem with file:line, then "N passed, N failed" (one check per
file and one per ccall) and exits 1 on any failure.
"""
import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from julia_check import ccalls, cheader, grammar, lexer  # noqa: E402


def check_file(path, protos, rel=None):
    """(passed, [failure messages]) for one Julia file."""
    name = rel or str(path)
    raw = Path(path).read_bytes()
    try:
        tokens = lexer.check_source(raw.decode("utf-8"), name)
    except lexer.JuliaSyntaxError as e:
        return 0, [f"syntax: {e}"]
    if grammar.available():
        errs = grammar.errors(raw)
        if errs:
            return 0, [f"syntax (tree-sitter-julia): {name}:{line}: {what}" for line, what in errs[:1]] + \
                [f"    also line {line}: {what}" for line, what in errs[1:]]
    passed, failures = 1, []
    for site in ccalls.find_ccalls(tokens):
        problems = ccalls.check_site(site, protos)
        if problems:
            failures += [f"{name}:{site.line}: ccall {site.func}: {p}" for p in problems[:1]] + \
                [f"    also: {p}" for p in problems[1:]]
        else:
            passed += 1
    return passed, failures


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--header", type=Path, default=REPO / "include" / "c_api.h")
    ap.add_argument("paths", nargs="*", type=Path, default=[REPO / "bindings" / "julia"])
    args = ap.parse_args(argv)
    protos = cheader.parse_header(args.header.read_text())
    files = []
    for p in args.paths:
        files += sorted(p.rglob("*.jl")) if p.is_dir() else [p]
    if not files:
        print("check_julia: no .jl files found")
        print("0 passed, 1 failed")
        return 1
    total_pass = total_fail = 0
    for f in files:
        rel = str(f.resolve().relative_to(REPO)) if f.resolve().is_relative_to(REPO) else str(f)
        passed, failures = check_file(f, protos, rel)
        total_pass += passed
        total_fail += sum(1 for m in failures if not m.startswith("    "))
        for m in failures:
            print(m)
    print(f"check_julia: {len(files)} files, ccalls checked against {args.header.name}; "
          + ("tree-sitter-julia grammar checked" if grammar.available()
             else "tree-sitter-julia not installed, grammar check skipped"))
    print(f"{total_pass} passed, {total_fail} failed")
    return 1 if total_fail else 0


if __name__ == "__main__":
    sys.exit(main())
