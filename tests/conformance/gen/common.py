"""Building blocks of conformance cases: array encoding, case records, and
the attribute text forms MXNet uses.

Expected values come from NumPy (float64 where it matters, then cast to the
dtype MXNet returns), never from mxlite itself.  Numbers are written so that
every language can read them back bit-exactly as the stated dtype: float32
values in their shortest round-trip decimal form, integers as integers,
bools as 0/1, and non-finite values as the strings "nan", "inf", "-inf".
"""
import math
import zlib

import numpy as np

DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-6


def _num(v, dtype):
    kind = np.dtype(dtype).kind
    if kind == "b":
        return int(bool(v))
    if kind in "iu":
        return int(v)
    f = float(v)
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    if np.dtype(dtype) == np.float32:
        return float(str(np.float32(f)))  # shortest text that reads back as this float32
    return f


def arr(a, dtype=None):
    """A NumPy array (cast to dtype if given) as a case array record."""
    a = np.asarray(a)
    if dtype is not None:
        a = a.astype(dtype)
    name = "bool" if a.dtype == np.bool_ else a.dtype.name
    return {"shape": list(a.shape), "dtype": name,
            "data": [_num(v, a.dtype) for v in a.reshape(-1).tolist()]}


def shape_text(t):
    """A tuple in MXNet's text form: (2, 3), (4,), ()."""
    t = tuple(t)
    if len(t) == 1:
        return f"({t[0]},)"
    return "(" + ", ".join(str(x) for x in t) + ")"


def bool_text(b):
    return "True" if b else "False"


def num_text(x):
    """A number attribute as text ("0.5", "2", "-1e-05")."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


# Variadic ops whose input count is the num_args parameter.  MXNet's
# frontends fill it in; the raw C call needs it, so every case states it.
VARIADIC = {"Concat", "concat", "stack", "add_n", "ElementWiseSum", "UpSampling"}


def _attrs(op, inputs, attrs):
    out = {k: str(v) for k, v in attrs.items()}
    if op in VARIADIC and "num_args" not in out:
        out["num_args"] = str(len(inputs))
    return out


class Family:
    """The cases of one family, built with one deterministic generator
    seeded from the family's name (adding a family changes no other file)."""

    def __init__(self, name):
        self.name = name
        self.rng = np.random.default_rng(zlib.crc32(name.encode()))
        self.cases = []
        self._names = set()

    def _check_name(self, name):
        if name in self._names:
            raise ValueError(f"duplicate case name {name}")
        self._names.add(name)

    def uniform(self, shape, lo=-1.0, hi=1.0, dtype=np.float32):
        """Random values, rounded to dtype (the array the case sends)."""
        return self.rng.uniform(lo, hi, size=shape).astype(dtype)

    def ints(self, shape, lo, hi, dtype=np.int32):
        return self.rng.integers(lo, hi, size=shape).astype(dtype)

    def ok(self, name, op, inputs, attrs, outputs, rtol=DEFAULT_RTOL, atol=DEFAULT_ATOL):
        """A case expecting outputs (one array or a list, in the dtype the op returns)."""
        self._check_name(name)
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        self.cases.append({
            "name": name, "op": op, "inputs": [arr(x) for x in inputs],
            "attrs": _attrs(op, inputs, attrs),
            "expected": {"outputs": [arr(o) for o in outputs], "rtol": rtol, "atol": atol}})

    def error(self, name, op, inputs, attrs, kind):
        """A case expecting the call to fail with MXL_ERR_<kind>."""
        assert kind in ("VALUE", "TYPE", "INDEX", "KEY", "NOT_IMPLEMENTED", "INVALID_HANDLE")
        self._check_name(name)
        self.cases.append({"name": name, "op": op, "inputs": [arr(x) for x in inputs],
                           "attrs": _attrs(op, inputs, attrs), "error": kind})

    def document(self):
        return {"format": 1, "family": self.name, "cases": self.cases}
