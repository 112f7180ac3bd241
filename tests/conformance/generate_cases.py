"""Writes the conformance suite's JSON case files from NumPy oracles.

    python tests/conformance/generate_cases.py            # rewrite the files
    python tests/conformance/generate_cases.py --check    # exit 1 if they are stale
    python tests/conformance/generate_cases.py --out DIR  # write elsewhere

Every family (tests/conformance/gen/*.py) seeds its own generator from its
name, so the output is deterministic.  --check regenerates in memory and
compares with the committed files: same cases, names, ops, attributes and
shapes exactly, numbers to a relative 1e-6 (NumPy's transcendental
functions may differ in the last bits between CPUs; the files' tolerances
are far looser).  The format is documented in tests/conformance/README.md.
"""
import argparse
import json
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen import (creation, elemwise, errors, linalg, nn, norm, rnn,  # noqa: E402
                 optimizer, reduce, sequence, shape, broadcast, softmax)

MODULES = [elemwise, broadcast, reduce, shape, linalg, creation, nn, norm, softmax, rnn,
           optimizer, sequence, errors]


def build():
    """{file name: JSON text} for every family."""
    out = {}
    for mod in MODULES:
        for fam in mod.families():
            out[f"{fam.name}.json"] = json.dumps(fam.document(), indent=1) + "\n"
    return out


def _close(a, b, path):
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            d = _close(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = _close(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(a, float) and isinstance(b, float):
        if a == b or math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-30):
            return None
        return f"{path}: {a} != {b}"
    if type(a) is not type(b) or a != b:
        return f"{path}: {a!r} != {b!r}"
    return None


def check(files):
    stale = []
    for name, text in files.items():
        path = HERE / name
        if not path.exists():
            stale.append(f"{name}: missing")
            continue
        diff = _close(json.loads(text), json.loads(path.read_text()), name)
        if diff:
            stale.append(diff)
    extra = sorted(p.name for p in HERE.glob("*.json") if p.name not in files)
    stale += [f"{n}: not produced by the generator" for n in extra]
    return stale


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    files = build()
    total = sum(len(json.loads(t)["cases"]) for t in files.values())
    if args.check:
        stale = check(files)
        if stale:
            print("conformance cases differ from tests/conformance/generate_cases.py "
                  "(run it to regenerate):")
            print("\n".join("  " + s for s in stale))
            return 1
        print(f"conformance: {len(files)} case files ({total} cases) are up to date")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text)
    print(f"conformance: wrote {len(files)} files, {total} cases, to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
