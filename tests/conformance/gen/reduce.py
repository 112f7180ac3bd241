"""Reductions: sum/mean/prod/max/min/nansum/nanprod/norm/argmax/argmin."""
import numpy as np

from .common import Family, bool_text

F64 = np.float64

OPS = {"sum": np.sum, "mean": np.mean, "prod": np.prod, "max": np.max, "min": np.min,
       "nansum": np.nansum, "nanprod": np.nanprod}

# (axis attribute or None, NumPy axis for a rank-3 input, exclude)
AXES = [(None, None, False), ("1", 1, False), ("(0, 2)", (0, 2), False), ("-1", -1, False),
        ("(1,)", (0, 2), True), ("()", None, False)]


def families():
    f = Family("reduce")
    for op, fn in OPS.items():
        for axis_text, axis, exclude in AXES:
            for keepdims in (False, True):
                lo = 0.5 if op in ("prod", "nanprod") else -2
                x = f.uniform((2, 3, 4), lo, 2)
                if op.startswith("nan"):
                    x.reshape(-1)[::5] = np.nan
                want = fn(x.astype(F64), axis=axis, keepdims=keepdims)
                if np.ndim(want) == 0:
                    want = np.reshape(want, (1,))  # MXNet 1.x: a full reduction has shape (1,)
                attrs = {}
                if axis_text is not None:
                    attrs["axis"] = axis_text
                if keepdims:
                    attrs["keepdims"] = "True"
                if exclude:
                    attrs["exclude"] = "True"
                name = f"{op}/axis={axis_text}{',exclude' if exclude else ''},keepdims={bool_text(keepdims)}"
                f.ok(name, op, [x], attrs, np.asarray(want).astype(np.float32), rtol=1e-5, atol=1e-5)
    xi = f.ints((3, 4), -5, 6)
    f.ok("sum/int32-axis0", "sum", [xi], {"axis": "0"}, xi.sum(axis=0).astype(np.int32))
    f.ok("max/int32-all", "max", [xi], {}, np.array([xi.max()], dtype=np.int32))
    x64 = f.uniform((3, 5), dtype=np.float64)
    f.ok("mean/float64-axis1", "mean", [x64], {"axis": "1"}, x64.mean(axis=1), rtol=1e-12, atol=1e-14)

    for ord_, fn in ((1, lambda a, ax, k: np.sum(np.abs(a), axis=ax, keepdims=k)),
                     (2, lambda a, ax, k: np.sqrt(np.sum(a * a, axis=ax, keepdims=k)))):
        for axis_text, axis in ((None, None), ("1", 1), ("(0, 1)", (0, 1))):
            for keepdims in (False, True):
                x = f.uniform((2, 3, 2), -2, 2)
                attrs = {"ord": str(ord_)}
                if axis_text:
                    attrs["axis"] = axis_text
                if keepdims:
                    attrs["keepdims"] = "True"
                want = fn(x.astype(F64), axis, keepdims)
                if axis is None and not keepdims:
                    want = np.reshape(want, (1,))  # MXNet's norm of everything has shape (1,)
                f.ok(f"norm/ord{ord_},axis={axis_text},keepdims={bool_text(keepdims)}", "norm", [x],
                     attrs, np.asarray(want).astype(np.float32), rtol=1e-5, atol=1e-5)

    for op, fn in (("argmax", np.argmax), ("argmin", np.argmin)):
        x = f.uniform((3, 4))
        for axis in (0, 1, -1):
            for keepdims in (False, True):
                want = fn(x, axis=axis)
                if keepdims:
                    want = np.expand_dims(want, axis)
                attrs = {"axis": str(axis)}
                if keepdims:
                    attrs["keepdims"] = "True"
                f.ok(f"{op}/axis{axis},keepdims={bool_text(keepdims)}", op, [x], attrs,
                     want.astype(np.float32))
        f.ok(f"{op}/all", op, [x], {}, np.array([fn(x)], dtype=np.float32))
        ties = np.array([[1, 3, 3], [2, 2, 0]], dtype=np.float32)
        f.ok(f"{op}/ties-first", op, [ties], {"axis": "1"}, fn(ties, axis=1).astype(np.float32))

    x = f.uniform((2, 3))
    f.error("sum/axis-out-of-range", "sum", [x], {"axis": "2"}, "INDEX")
    f.error("mean/axis-negative-out-of-range", "mean", [x], {"axis": "-3"}, "INDEX")
    f.error("argmax/axis-out-of-range", "argmax", [x], {"axis": "5"}, "INDEX")
    f.error("sum/bad-keepdims", "sum", [x], {"keepdims": "maybe"}, "VALUE")
    f.error("sum/unknown-param", "sum", [x], {"axes": "1"}, "KEY")
    f.error("norm/ord3", "norm", [x], {"ord": "3"}, "VALUE")
    return [f]
