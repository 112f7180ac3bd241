"""Runs the conformance cases through Apache MXNet 1.9.1, as a second
opinion on the NumPy oracles (not part of CI: MXNet is only in .venv-peers,
see tools/install_bench_peers.sh).

    .venv-peers/bin/python tests/conformance/check_with_mxnet.py [case dir]

Prints every case where MXNet disagrees (raises where a result is expected,
no error where one is expected, other outputs).  Known, deliberate
differences as of this writing (11 of 724 cases): mxlite accepts 0-d and
empty arrays (MXNet 1.x without numpy semantics does not); it rejects unknown
parameters of parameterless ops, a BatchNorm gamma of the wrong length and a
Reshape to another size (MXNet 1.9.1 ignores the first, and runs the others
reading past the data); it has _digamma/_trigamma, which MXNet 1.9 lacks;
MXNet's _scatter_set_nd only runs in place; and the too-many-inputs case
cannot be expressed through MXNet's Python signature.  rint is left out of
the cases: MXNet 1.9.1 rounds its ties down (rint(0.5) = 0, rint(-0.5) = -1)
where mxlite and NumPy round to even.
"""
import glob
import json
import sys
from pathlib import Path

import mxnet as mx
import numpy as np

NONFINITE = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}


def to_np(rec):
    dt = np.dtype(rec["dtype"])
    data = [NONFINITE.get(v, v) if isinstance(v, str) else v for v in rec["data"]]
    return np.array(data, dtype=np.float64 if dt.kind == "f" else None).astype(dt).reshape(rec["shape"])


def run_case(case, with_out=False):
    """The case's outputs from MXNet.  with_out: pass out= arrays, which some
    MXNet ops need imperatively (multi_sgd_update, _scatter_set_nd); each is
    a copy of the first input of its shape and dtype (the in-place target),
    else zeros."""
    ins = [mx.nd.array(to_np(r), dtype=r["dtype"]) for r in case["inputs"]]
    fn = getattr(mx.nd, case["op"], None) or getattr(mx.nd._internal, case["op"])
    if not with_out:
        out = fn(*ins, **case["attrs"])
        return [o.asnumpy() for o in (out if isinstance(out, list) else [out])]
    outs = []
    for w in case["expected"]["outputs"]:
        src = next((x for x in ins if list(x.shape) == w["shape"] and x.dtype == np.dtype(w["dtype"])), None)
        outs.append(src.copy() if src is not None else mx.nd.zeros(tuple(w["shape"]), dtype=w["dtype"]))
    fn(*ins, out=outs if len(outs) > 1 else outs[0], **case["attrs"])
    return [o.asnumpy() for o in outs]


def disagreement(case):
    """None when MXNet agrees with the case, else a short description."""
    try:
        got = run_case(case)
    except Exception as e:  # noqa: BLE001 - any MXNet failure is reported
        if "error" in case:
            return None
        try:
            got = run_case(case, with_out=True)
        except Exception:  # noqa: BLE001
            return "MXNet raised: " + str(e).splitlines()[0][:150]
    if "error" in case:
        return "MXNet raised no error"
    want = case["expected"]["outputs"]
    if len(got) != len(want):
        return f"{len(got)} outputs, case has {len(want)}"
    tol = case["expected"]
    for g, w in zip(got, want):
        wn = to_np(w)
        if list(g.shape) != w["shape"] or g.dtype != wn.dtype:
            return f"MXNet gives {g.shape} {g.dtype}, case has {tuple(w['shape'])} {w['dtype']}"
        if not np.allclose(g.astype(float), wn.astype(float), rtol=tol["rtol"] * 10,
                           atol=tol["atol"] * 10, equal_nan=True):
            return f"values: MXNet {g.reshape(-1)[:4]}, case {wn.reshape(-1)[:4]}"
    return None


def main():
    case_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    total = bad = 0
    for path in sorted(glob.glob(str(case_dir / "*.json"))):
        for case in json.loads(Path(path).read_text())["cases"]:
            total += 1
            why = disagreement(case)
            if why:
                bad += 1
                print(f"{case['name']}: {why}")
    print(f"{total} cases, {bad} where MXNet 1.9.1 disagrees")


if __name__ == "__main__":
    main()
