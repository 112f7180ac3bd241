"""Writes every binding's generated op wrappers from the registry.

    python tools/bindgen/generate.py [--lib build/libmxlite.so] [--check] [target ...]

Each module in tools/bindgen/targets/ is one target: it defines NAME and
generate(model) -> {path relative to the repo: file text}.  Adding a language
is one more module there (docs/new-binding.md).  --check writes nothing and
exits 1 listing every file whose committed text differs from what the
registry generates now (CI runs it, so generated files cannot drift).
"""
import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import model as model_mod  # noqa: E402
import targets  # noqa: E402


def load_targets(names):
    found = {}
    for info in pkgutil.iter_modules(targets.__path__):
        mod = importlib.import_module(f"targets.{info.name}")
        found[mod.NAME] = mod
    if names:
        unknown = sorted(set(names) - set(found))
        if unknown:
            raise SystemExit(f"unknown target(s) {unknown}; known: {sorted(found)}")
        return [found[n] for n in names]
    return [found[n] for n in sorted(found)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lib", default=str(model_mod.DEFAULT_LIB))
    ap.add_argument("--check", action="store_true")
    ap.add_argument("targets", nargs="*")
    args = ap.parse_args(argv)
    model = model_mod.Model(model_mod.read_registry(args.lib))
    stale = []
    written = 0
    for target in load_targets(args.targets):
        for rel, text in sorted(target.generate(model).items()):
            path = model_mod.REPO / rel
            current = path.read_text() if path.exists() else None
            if current == text:
                continue
            if args.check:
                stale.append(f"{target.NAME}: {rel}")
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
                written += 1
    if args.check:
        if stale:
            print("generated files differ from the registry (run `make generate`):")
            print("\n".join("  " + s for s in stale))
            return 1
        print("bindgen: generated files match the registry")
        return 0
    print(f"bindgen: {written} file(s) written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
