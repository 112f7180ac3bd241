"""Element-wise families: unary math, binary (same shape), and scalar ops."""
import numpy as np

from . import special
from .common import Family, bool_text, num_text

F64 = np.float64


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _round_half_away(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


# op -> (oracle on float64, input range (lo, hi))
UNARY = {
    "abs": (np.abs, (-2, 2)), "negative": (np.negative, (-2, 2)),
    "sign": (np.sign, (-2, 2)), "square": (np.square, (-2, 2)),
    "sqrt": (np.sqrt, (0.01, 4)), "rsqrt": (lambda x: 1 / np.sqrt(x), (0.1, 4)),
    "cbrt": (np.cbrt, (-3, 3)), "rcbrt": (lambda x: 1 / np.cbrt(x), (0.1, 3)),
    "reciprocal": (lambda x: 1 / x, (0.5, 3)),
    "exp": (np.exp, (-3, 3)), "expm1": (np.expm1, (-1, 1)),
    "log": (np.log, (0.05, 5)), "log10": (np.log10, (0.05, 5)), "log2": (np.log2, (0.05, 5)),
    "log1p": (np.log1p, (-0.5, 2)),
    "sin": (np.sin, (-3, 3)), "cos": (np.cos, (-3, 3)), "tan": (np.tan, (-1.2, 1.2)),
    "arcsin": (np.arcsin, (-0.95, 0.95)), "arccos": (np.arccos, (-0.95, 0.95)),
    "arctan": (np.arctan, (-3, 3)),
    "sinh": (np.sinh, (-2, 2)), "cosh": (np.cosh, (-2, 2)), "tanh": (np.tanh, (-2, 2)),
    "arcsinh": (np.arcsinh, (-3, 3)), "arccosh": (np.arccosh, (1.05, 4)),
    "arctanh": (np.arctanh, (-0.9, 0.9)),
    "degrees": (np.degrees, (-3, 3)), "radians": (np.radians, (-180, 180)),
    "sigmoid": (_sigmoid, (-4, 4)), "softsign": (lambda x: x / (1 + np.abs(x)), (-3, 3)),
    "relu": (lambda x: np.maximum(x, 0), (-2, 2)),
    "floor": (np.floor, (-3, 3)), "ceil": (np.ceil, (-3, 3)), "trunc": (np.trunc, (-3, 3)),
    "fix": (np.fix, (-3, 3)), "rint": (np.rint, (-3, 3)),
    "round": (_round_half_away, (-3, 3)),
    "erf": (special.erf, (-2, 2)), "erfinv": (special.erfinv, (-0.9, 0.9)),
    "gamma": (special.gamma, (0.2, 4)), "gammaln": (special.gammaln, (0.2, 6)),
    "_digamma": (special.digamma, (0.3, 6)), "_trigamma": (special.trigamma, (0.3, 6)),
    "logical_not": (lambda x: (x == 0).astype(F64), (-1, 1)),
    "_copy": (lambda x: x, (-2, 2)), "BlockGrad": (lambda x: x, (-2, 2)),
    "make_loss": (lambda x: x, (-2, 2)),
    "zeros_like": (np.zeros_like, (-2, 2)), "ones_like": (np.ones_like, (-2, 2)),
}

# ops where float64 inputs and int32 inputs are also checked
UNARY_F64 = ["abs", "exp", "log", "sqrt", "tanh", "sigmoid", "floor", "erf", "gammaln"]
UNARY_INT = {"abs": np.abs, "negative": np.negative, "sign": np.sign, "square": np.square,
             "relu": lambda x: np.maximum(x, 0), "_copy": lambda x: x,
             "zeros_like": np.zeros_like, "ones_like": np.ones_like}

# rounding at exact halves and at zero: where the conventions differ
HALVES = np.array([-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 3.7], dtype=np.float32)


def unary():
    f = Family("elemwise_unary")
    for op, (fn, (lo, hi)) in UNARY.items():
        x = f.uniform((2, 3), lo, hi)
        f.ok(f"{op}/float32-2x3", op, [x], {}, fn(x.astype(F64)).astype(np.float32))
        if op in UNARY_F64:
            x = f.uniform((3, 2), lo, hi, np.float64)
            f.ok(f"{op}/float64-3x2", op, [x], {}, fn(x), rtol=1e-12, atol=1e-14)
        if op in UNARY_INT:
            x = f.ints((4,), -5, 6)
            f.ok(f"{op}/int32-4", op, [x], {}, UNARY_INT[op](x).astype(np.int32))
    # rint is left out: MXNet 1.9.1 rounds its ties down (rint(0.5) = 0, rint(1.5) = 1,
    # rint(-0.5) = -1), not to even as NumPy and mxlite do.
    for op in ("round", "floor", "ceil", "trunc", "fix"):
        fn = UNARY[op][0]
        f.ok(f"{op}/halves", op, [HALVES], {}, fn(HALVES.astype(F64)).astype(np.float32))
    edge = np.array([0.0, -1.0, 4.0], dtype=np.float32)
    with np.errstate(all="ignore"):
        f.ok("log/zero-and-negative", "log", [edge], {}, np.log(edge.astype(F64)).astype(np.float32))
        f.ok("sqrt/negative-is-nan", "sqrt", [edge], {}, np.sqrt(edge.astype(F64)).astype(np.float32))
    big = np.array([-100.0, 0.0, 100.0], dtype=np.float32)
    f.ok("sigmoid/saturates", "sigmoid", [big], {}, _sigmoid(big.astype(F64)).astype(np.float32))
    f.ok("relu/0d", "relu", [np.array(-3.0, dtype=np.float32)], {}, np.array(0.0, dtype=np.float32))
    f.ok("exp/empty", "exp", [np.zeros((0, 3), np.float32)], {}, np.zeros((0, 3), np.float32))
    x = f.uniform((2, 1, 2, 3))
    f.ok("abs/rank4", "abs", [x], {}, np.abs(x))
    return f


BINARY = {
    "elemwise_add": (np.add, False), "elemwise_sub": (np.subtract, False),
    "elemwise_mul": (np.multiply, False), "elemwise_div": (np.divide, False),
    "_maximum": (np.maximum, False), "_minimum": (np.minimum, False),
    "_hypot": (np.hypot, False), "_power": (np.power, False), "_mod": (np.mod, False),
    "_equal": (np.equal, True), "_not_equal": (np.not_equal, True),
    "_greater": (np.greater, True), "_greater_equal": (np.greater_equal, True),
    "_lesser": (np.less, True), "_lesser_equal": (np.less_equal, True),
    "_logical_and": (lambda a, b: (a != 0) & (b != 0), True),
    "_logical_or": (lambda a, b: (a != 0) | (b != 0), True),
    "_logical_xor": (lambda a, b: (a != 0) ^ (b != 0), True),
}


def binary_operands(f, op, shape, dtype=np.float32):
    """Operands in the op's domain; comparisons get some equal entries."""
    if dtype == np.int32:
        a, b = f.ints(shape, -6, 7), f.ints(shape, 1, 5)
        if op == "_power":
            a = f.ints(shape, 0, 4)
        return a, b
    a, b = f.uniform(shape, -2, 2, dtype), f.uniform(shape, -2, 2, dtype)
    if op == "_power":
        a = f.uniform(shape, 0.1, 2, dtype)
    if op in ("elemwise_div", "_mod"):
        b = (np.sign(b) * (np.abs(b) + 0.5)).astype(dtype)
    if BINARY[op][1] or op in ("_maximum", "_minimum"):
        flat = b.reshape(-1)
        flat[::2] = a.reshape(-1)[::2]
        a = a.copy()
        if "logical" in op:
            a.reshape(-1)[1::3] = 0
    return a, b


def binary():
    f = Family("elemwise_binary")
    for op, (fn, is_cmp) in BINARY.items():
        for shape, dtype in (((2, 3), np.float32), ((4,), np.float64), ((2, 2), np.int32)):
            if dtype == np.int32 and op in ("_hypot",):
                continue
            a, b = binary_operands(f, op, shape, dtype)
            with np.errstate(all="ignore"):
                want = fn(a.astype(F64) if dtype != np.int32 else a,
                          b.astype(F64) if dtype != np.int32 else b)
            tol = {"rtol": 1e-12, "atol": 1e-14} if dtype == np.float64 else {}
            name = f"{op}/{np.dtype(dtype).name}-{'x'.join(map(str, shape))}"
            f.ok(name, op, [a, b], {}, np.asarray(want).astype(dtype), **tol)
    x = np.array([1.0, -1.0, 0.0], dtype=np.float32)
    z = np.zeros(3, dtype=np.float32)
    with np.errstate(all="ignore"):
        f.ok("elemwise_div/by-zero", "elemwise_div", [x, z], {}, (x.astype(F64) / 0).astype(np.float32))
    f.ok("elemwise_add/empty", "elemwise_add", [np.zeros((0,), np.float32)] * 2, {},
         np.zeros((0,), np.float32))
    a = f.uniform((3, 2))
    f.error("elemwise_add/shape-mismatch", "elemwise_add", [a, f.uniform((2, 3))], {}, "VALUE")
    f.error("elemwise_mul/dtype-mismatch", "elemwise_mul", [a, a.astype(np.float64)], {}, "TYPE")
    f.error("elemwise_sub/one-input", "elemwise_sub", [a], {}, "VALUE")
    return f


SCALAR = {
    "_plus_scalar": lambda x, s: x + s, "_minus_scalar": lambda x, s: x - s,
    "_rminus_scalar": lambda x, s: s - x, "_mul_scalar": lambda x, s: x * s,
    "_div_scalar": lambda x, s: x / s, "_rdiv_scalar": lambda x, s: s / x,
    "_mod_scalar": lambda x, s: np.mod(x, s), "_rmod_scalar": lambda x, s: np.mod(s, x),
    "_power_scalar": lambda x, s: np.power(x, s), "_rpower_scalar": lambda x, s: np.power(s, x),
    "_maximum_scalar": np.maximum, "_minimum_scalar": np.minimum,
    "_hypot_scalar": np.hypot,
    "_equal_scalar": lambda x, s: x == s, "_not_equal_scalar": lambda x, s: x != s,
    "_greater_scalar": lambda x, s: x > s, "_greater_equal_scalar": lambda x, s: x >= s,
    "_lesser_scalar": lambda x, s: x < s, "_lesser_equal_scalar": lambda x, s: x <= s,
    "_logical_and_scalar": lambda x, s: (x != 0) & (s != 0),
    "_logical_or_scalar": lambda x, s: (x != 0) | (s != 0),
    "_logical_xor_scalar": lambda x, s: (x != 0) ^ (s != 0),
}


def _smooth_l1(x, sigma):
    s2 = sigma * sigma
    return np.where(np.abs(x) < 1 / s2, 0.5 * s2 * x * x, np.abs(x) - 0.5 / s2)


def scalar():
    f = Family("elemwise_scalar")
    for op, fn in SCALAR.items():
        for s in (1.5, -2.0):
            lo = 0.2 if op in ("_power_scalar", "_rdiv_scalar", "_rmod_scalar") else -2
            if op == "_power_scalar" and s < 0:
                s = 3.0
            if op == "_rpower_scalar":
                s = abs(s)
            x = f.uniform((2, 3), lo, 2)
            if "equal" in op or "logical" in op:
                x.reshape(-1)[::3] = s if "logical" not in op else 0
            want = np.asarray(fn(x.astype(F64), s)).astype(np.float32)
            f.ok(f"{op}/float32-scalar{num_text(s)}", op, [x], {"scalar": num_text(s)}, want)
        xi = f.ints((5,), -4, 5)
        if op not in ("_div_scalar", "_rdiv_scalar", "_rmod_scalar", "_power_scalar",
                      "_rpower_scalar", "_hypot_scalar", "_mod_scalar"):
            want = np.asarray(fn(xi.astype(np.int64), 2)).astype(np.int32)
            f.ok(f"{op}/int32-scalar2", op, [xi], {"scalar": "2"}, want)
    for sigma in (1.0, 2.0):
        x = f.uniform((2, 4), -2, 2)
        f.ok(f"smooth_l1/sigma{num_text(sigma)}", "smooth_l1", [x], {"scalar": num_text(sigma)},
             _smooth_l1(x.astype(F64), sigma).astype(np.float32))
    x = f.uniform((3,), -2, 2)
    f.ok("_plus_scalar/default-scalar", "_plus_scalar", [x], {}, (x.astype(F64) + 1).astype(np.float32))
    f.error("_plus_scalar/bad-scalar-text", "_plus_scalar", [x], {"scalar": "abc"}, "VALUE")
    f.error("_mul_scalar/unknown-param", "_mul_scalar", [x], {"scalr": "2"}, "KEY")
    return f


def families():
    return [unary(), binary(), scalar()]
