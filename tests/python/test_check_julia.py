"""tools/check_julia.py, the static check of the Julia binding: it must pass
on the committed binding and catch each kind of mistake it exists for."""
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))

import check_julia  # noqa: E402
from julia_check import ccalls, cheader, lexer  # noqa: E402

HEADER = (REPO / "include" / "c_api.h").read_text()
PROTOS = cheader.parse_header(HEADER)


def problems(src):
    """Every ccall problem in a snippet (syntax must be fine)."""
    tokens = lexer.check_source(src)
    return [p for s in ccalls.find_ccalls(tokens) for p in ccalls.check_site(s, PROTOS)]


def syntax_error(src):
    with pytest.raises(lexer.JuliaSyntaxError) as info:
        lexer.check_source(src, "snippet.jl")
    return info.value


def test_the_julia_binding_passes():
    r = subprocess.run([sys.executable, str(REPO / "tools" / "check_julia.py")], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1].endswith(" 0 failed")
    assert int(r.stdout.strip().splitlines()[-1].split()[0]) > 40  # files and ccalls were found


def test_header_parsed():
    assert PROTOS["mxl_invoke"].ret.base == "int"
    assert [str(t) for t, _ in PROTOS["mxl_invoke"].params] == [
        "const mxl_op_t*", "int32_t", "mxl_array_t**", "int32_t", "const char**", "const char**",
        "int32_t*", "mxl_array_t**"]
    assert PROTOS["mxl_array_free"].ret.base == "void"
    assert PROTOS["mxl_version"].params == []


def test_correct_calls_pass():
    assert problems("ccall((:mxl_version, lib), Int32, ())") == []
    assert problems("ccall((:mxl_array_free, lib), Cvoid, (Ptr{Cvoid},), h)") == []
    assert problems("""
        status = ccall((:mxl_op_get, libmxlite), Cint, (Cstring, Ref{Ptr{Cvoid}}),
                       "relu", out)""") == []
    assert problems("ccall((:mxl_invoke, lib), Cint, (Ptr{Cvoid}, Int32, Ptr{Ptr{Cvoid}}, Int32, "
                    "Ptr{Cstring}, Ptr{Ptr{UInt8}}, Ref{Int32}, Ptr{Ptr{Cvoid}}), a, b, c, d, e, f, g, h)") == []
    assert problems("ccall((:mxl_array_copy_to_host, lib), Cint, (Ptr{Cvoid}, Ptr{Float32}, UInt64), "
                    "h, buf, n)") == []


def test_wrong_argument_count():
    p = problems("ccall((:mxl_array_free, lib), Cvoid, (Ptr{Cvoid}, Int32), h, 1)")
    assert any("2 argument types, but the C function takes 1" in m for m in p)
    p = problems("ccall((:mxl_array_free, lib), Cvoid, (Ptr{Cvoid},), h, 1)")
    assert any("2 values passed for 1 argument types" in m for m in p)


def test_wrong_types():
    p = problems("ccall((:mxl_array_size, lib), Cint, (Ptr{Cvoid}, Ptr{Int32}, Ptr{Int64}), h, n, b)")
    assert any("argument 2 (size: int64_t*)" in m and "Int32 is not int64_t" in m for m in p)
    p = problems("ccall((:mxl_random_seed, lib), Cint, (Int64,), 3)")
    assert any("Int64 is not uint64_t" in m for m in p)
    p = problems("ccall((:mxl_version, lib), Int64, ())")
    assert any(m.startswith("return type") for m in p)
    p = problems("ccall((:mxl_array_free, lib), Cvoid, (Int64,), h)")
    assert any("expected Ptr" in m for m in p)
    p = problems("ccall((:mxl_array_free, lib), Cvoid, (Ptr{Int64},), h)")
    assert any("opaque mxl_array_t" in m for m in p)
    p = problems("ccall((:mxl_random_seed, lib), Cint, (Int,), 3)")
    assert any("platform's width" in m for m in p)
    p = problems("ccall((:mxl_array_free, lib), Ref{Cvoid}, (Ptr{Cvoid},), h)")
    assert p  # Ref is not a return type, and void is not a pointer


def test_unknown_function():
    p = problems("ccall((:mxl_no_such_thing, lib), Cint, ())")
    assert p == ["mxl_no_such_thing is not declared in include/c_api.h"]


def test_unbalanced_end():
    e = syntax_error("function f(x)\n    if x > 0\n        return 1\n    end\n")
    assert "never closed" in e.msg and e.line == 1
    e = syntax_error("function f(x)\n    x\nend\nend\n")
    assert "'end' without an open block" in e.msg and e.line == 4


def test_unbalanced_brackets_and_strings():
    assert "does not match" in syntax_error("f(x]").msg
    assert "never closed" in syntax_error("x = [1, 2\n").msg
    assert "unterminated string" in syntax_error('s = "abc\n').msg
    assert "unterminated #= comment" in syntax_error("#= open\n").msg


def test_julia_constructs_that_are_not_blocks():
    ok = '''
    module M
    x = a[end] + a[begin:end-1]
    y = [i for i in 1:3 if isodd(i)]
    z = sum(i for i in 1:3)
    s = "end $(f("function")) \\" end"
    t = """
    doc with end and "quotes"
    """
    c = 'e'
    d = x' * y'
    sym = :end
    field = obj.end
    r = raw"\\d end"
    #= nested #= comment =# end =#
    abstract type A end
    primitive type P 8 end
    mutable struct S
        a::Int
    end
    g() = map(1:2) do i
        i + 1
    end
    let q = 1
        try
            q
        catch e
        finally
        end
    end
    macro m(x) x end
    quote x end
    end
    '''
    lexer.check_source(ok)


def test_file_level_report(tmp_path):
    f = tmp_path / "bad.jl"
    f.write_text("function f()\n    ccall((:mxl_version, lib), Int32, (Int32,), 1)\nend\n")
    passed, failures = check_julia.check_file(f, PROTOS, "bad.jl")
    assert passed == 1 and failures == ["bad.jl:2: ccall mxl_version: 1 argument types, but the C "
                                        "function takes 0"]
    f.write_text("function f()\n")
    passed, failures = check_julia.check_file(f, PROTOS, "bad.jl")
    assert passed == 0 and failures[0].startswith("syntax: bad.jl:1:")
    r = subprocess.run([sys.executable, str(REPO / "tools" / "check_julia.py"), str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 1 and r.stdout.strip().endswith("0 passed, 1 failed")


def test_grammar_check_catches_what_the_lexer_does_not(tmp_path):
    from julia_check import grammar
    assert grammar.available(), "tree-sitter-julia (requirements-dev.txt) is not installed"
    src = "function f(x)\n    y = (x +)\n    y\nend\n"
    lexer.check_source(src)  # balanced: the lexer sees nothing wrong
    assert grammar.errors(src.encode()) and grammar.errors(src.encode())[0][0] == 2
    f = tmp_path / "g.jl"
    f.write_text(src)
    passed, failures = check_julia.check_file(f, PROTOS, "g.jl")
    assert passed == 0 and failures[0].startswith("syntax (tree-sitter-julia): g.jl:2:")
