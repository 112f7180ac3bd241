"""Broadcasting binary ops and the explicit broadcast_* shape ops."""
import numpy as np

from .common import Family, shape_text

F64 = np.float64

OPS = {
    "broadcast_add": np.add, "broadcast_sub": np.subtract, "broadcast_mul": np.multiply,
    "broadcast_div": np.divide, "broadcast_mod": np.mod, "broadcast_power": np.power,
    "broadcast_maximum": np.maximum, "broadcast_minimum": np.minimum,
    "broadcast_hypot": np.hypot,
    "broadcast_equal": np.equal, "broadcast_not_equal": np.not_equal,
    "broadcast_greater": np.greater, "broadcast_greater_equal": np.greater_equal,
    "broadcast_lesser": np.less, "broadcast_lesser_equal": np.less_equal,
    "broadcast_logical_and": lambda a, b: (a != 0) & (b != 0),
    "broadcast_logical_or": lambda a, b: (a != 0) | (b != 0),
    "broadcast_logical_xor": lambda a, b: (a != 0) ^ (b != 0),
}

SHAPES = [((2, 3), (1, 3)), ((2, 3), (2, 1)), ((2, 1, 4), (3, 1)), ((4,), (1,)),
          ((1,), (2, 2)), ((2, 3), (2, 3))]


def _operands(f, op, sa, sb):
    a, b = f.uniform(sa, -2, 2), f.uniform(sb, -2, 2)
    if op == "broadcast_power":
        a = f.uniform(sa, 0.1, 2)
    if op in ("broadcast_div", "broadcast_mod"):
        b = (np.sign(b) * (np.abs(b) + 0.5)).astype(np.float32)
    if "logical" in op:
        a.reshape(-1)[::2] = 0
        b.reshape(-1)[1::3] = 0
    if "equal" in op or "greater" in op or "lesser" in op:
        a = np.round(a * 2) / 2  # coarse values: some entries compare equal
        b = np.round(b * 2) / 2
    return a.astype(np.float32), b.astype(np.float32)


def families():
    f = Family("broadcast")
    for op, fn in OPS.items():
        for sa, sb in SHAPES:
            a, b = _operands(f, op, sa, sb)
            want = np.asarray(fn(a.astype(F64), b.astype(F64))).astype(np.float32)
            f.ok(f"{op}/{'x'.join(map(str, sa))}+{'x'.join(map(str, sb))}", op, [a, b], {}, want)
    a, b = f.ints((2, 3), -5, 6), f.ints((1, 3), 1, 4)
    for op in ("broadcast_add", "broadcast_mul", "broadcast_maximum", "broadcast_greater"):
        f.ok(f"{op}/int32", op, [a, b], {}, np.asarray(OPS[op](a, b)).astype(np.int32))
    a64, b64 = f.uniform((3, 1), dtype=np.float64), f.uniform((1, 2), dtype=np.float64)
    f.ok("broadcast_sub/float64", "broadcast_sub", [a64, b64], {}, a64 - b64, rtol=1e-12, atol=1e-14)
    f.error("broadcast_add/incompatible", "broadcast_add", [f.uniform((2, 3)), f.uniform((3, 2))],
            {}, "VALUE")
    f.error("broadcast_mul/dtype-mismatch", "broadcast_mul",
            [f.uniform((2, 3)), f.uniform((1, 3), dtype=np.float64)], {}, "TYPE")

    x = f.uniform((1, 3))
    f.ok("broadcast_to/1x3-to-4x3", "broadcast_to", [x], {"shape": "(4, 3)"},
         np.broadcast_to(x, (4, 3)))
    f.ok("broadcast_to/zero-keeps", "broadcast_to", [x], {"shape": "(2, 0)"},
         np.broadcast_to(x, (2, 3)))
    y = f.uniform((2, 1, 3, 1))
    f.ok("broadcast_to/rank4", "broadcast_to", [y], {"shape": "(2, 4, 3, 5)"},
         np.broadcast_to(y, (2, 4, 3, 5)))
    f.error("broadcast_to/non-one-extent", "broadcast_to", [f.uniform((2, 3))],
            {"shape": "(4, 3)"}, "VALUE")
    f.ok("broadcast_axis/axis1", "broadcast_axis", [y], {"axis": "1", "size": "4"},
         np.broadcast_to(y, (2, 4, 3, 1)))
    f.ok("broadcast_axis/two-axes", "broadcast_axis", [y], {"axis": "(1, 3)", "size": "(2, 5)"},
         np.broadcast_to(y, (2, 2, 3, 5)))
    z = f.uniform((2, 4, 3, 5))
    f.ok("broadcast_like/full", "broadcast_like", [y, z], {}, np.broadcast_to(y, z.shape))
    l, r = f.uniform((1, 3)), f.uniform((5, 6))
    f.ok("broadcast_like/axes", "broadcast_like", [l, r], {"lhs_axes": "(0,)", "rhs_axes": "(0,)"},
         np.broadcast_to(l, (5, 3)))
    return [f]
