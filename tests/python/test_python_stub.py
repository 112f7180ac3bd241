"""The generated typed stub of mx.nd (ndarray/__init__.pyi, written by
tools/bindgen/targets/python_stub.py) against the runtime functions: it
parses, names every op function and every public name of mx.nd, and each
function's parameters (names, order, kinds, defaults) are the runtime
function's, as inspect sees them.  Enum parameters are Literal[...] of the
registry's values.  No type checker needed."""
import ast
import functools
import inspect
import types
from pathlib import Path

import pytest

import mxlite as mx
from mxlite import _registry

STUB = Path(__file__).resolve().parents[2] / "bindings" / "python" / "mxlite" / "ndarray" / "__init__.pyi"

def _keep():
    """The hand-written names mx.nd keeps over same-named ops (its _keep)."""
    init = STUB.with_name("__init__.py").read_text()
    for node in ast.parse(init).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_keep" for t in node.targets):
            return set(ast.literal_eval(node.value))
    raise AssertionError("ndarray/__init__.py has no _keep set")


KEEP = _keep()


@pytest.fixture(scope="module")
def tree():
    return ast.parse(STUB.read_text(), filename=str(STUB))


@pytest.fixture(scope="module")
def functions(tree):
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def declared_names(tree):
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, (ast.ImportFrom, ast.Import)):
            names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


@functools.lru_cache(maxsize=None)
def runtime_ops():
    """name -> registry entry, for every generated function mx.nd exposes."""
    return {name: op for op, name in _registry.op_names() if name not in KEEP}


def _default(node):
    if isinstance(node, ast.Constant) and node.value is Ellipsis:
        return Ellipsis
    return eval(compile(ast.Expression(node), "<stub default>", "eval"), {"float": float})  # noqa: S307


def stub_params(fn):
    """[(name, kind, default)] of a stub FunctionDef, like inspect's."""
    a = fn.args
    out = []
    defaults = [None] * (len(a.args) - len(a.defaults)) + list(a.defaults)
    for arg, d in zip(a.args, defaults):
        out.append((arg.arg, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    inspect.Parameter.empty if d is None else _default(d)))
    if a.vararg:
        out.append((a.vararg.arg, inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.empty))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        out.append((arg.arg, inspect.Parameter.KEYWORD_ONLY,
                    inspect.Parameter.empty if d is None else _default(d)))
    if a.kwarg:
        out.append((a.kwarg.arg, inspect.Parameter.VAR_KEYWORD, inspect.Parameter.empty))
    return out


def test_stub_parses_and_is_marked_generated():
    text = STUB.read_text()
    ast.parse(text)
    assert "Do not edit" in text.splitlines()[1]


def test_every_op_function_is_declared(functions):
    missing = sorted(set(runtime_ops()) - set(functions))
    assert not missing, f"ops without a stub: {missing}"


def test_every_public_name_of_mx_nd_is_declared(tree):
    declared = declared_names(tree)
    public = {n for n, v in vars(mx.nd).items()
              if not n.startswith("_") and (not isinstance(v, types.ModuleType) or n in ("op", "random"))}
    assert not sorted(public - declared), f"mx.nd names missing from the stub: {sorted(public - declared)}"
    extra = sorted(n for n in declared - set(vars(mx.nd)) if not n.startswith("_")
                   and n not in ("Any", "List", "Literal", "Optional", "Tuple", "Union", "ModuleType",
                                 "np", "Context"))
    assert not extra, f"stub declares names mx.nd does not have: {extra}"


@pytest.mark.parametrize("name", sorted(runtime_ops()))
def test_signature_matches_runtime(name, functions):
    op = runtime_ops()[name]
    fn = getattr(mx.nd, name)
    runtime = [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]
    stub = stub_params(functions[name])
    assert [(n, k) for n, k, _ in stub] == [(n, k) for n, k, _ in runtime]
    required = {p["name"] for p in op["params"] if p["required"]}
    for (n, _, sd), (_, _, rd) in zip(stub, runtime):
        if sd is Ellipsis:
            assert n in required and rd is None, f"{name}({n}): '...' default for a non-required parameter"
        else:
            assert sd == rd, f"{name}({n}): stub default {sd!r}, runtime {rd!r}"
    assert ast.get_docstring(functions[name]), f"{name} has no docstring"


def test_enums_are_literals_and_shapes_tuples(functions):
    seen_enum = seen_shape = False
    for name, op in runtime_ops().items():
        args = {a.arg: a for a in functions[name].args.args}
        for p in op["params"]:
            if p["name"] not in args:
                continue
            ann = ast.unparse(args[p["name"]].annotation)
            base = p["type"].removeprefix("optional<").removesuffix(">")
            if base == "enum":
                seen_enum = True
                assert ann.replace("Optional[", "").startswith("Literal[")
                lit = ast.parse(ann.replace("Optional[", "", 1)[:-1] if ann.startswith("Optional[") else ann)
                values = [e.value for e in lit.body[0].value.slice.elts]
                assert values == p["values"], f"{name}.{p['name']}"
            if base == "shape":
                seen_shape = True
                assert "Shape" in ann, f"{name}.{p['name']}: {ann}"
            if p["type"].startswith("optional<"):
                assert ann.startswith("Optional["), f"{name}.{p['name']}: {ann}"
    assert seen_enum and seen_shape


def test_return_types(functions):
    assert ast.unparse(functions["relu"].returns) == "NDArray"
    assert ast.unparse(functions["SliceChannel"].returns) == "_Out"
