"""Shape and indexing ops: reshape, transpose, concat/stack/split, slicing,
tiling, take/pick/gather_nd/one_hot/where, clip, Cast."""
import numpy as np

from .common import Family

F64 = np.float64


def shape_family():
    f = Family("shape")
    x = f.uniform((2, 3, 4))
    for spec, want in (("(4, 6)", (4, 6)), ("(-1,)", (24,)), ("(0, -1)", (2, 12)),
                       ("(-2,)", (2, 3, 4)), ("(2, -3)", (2, 12)), ("(-4, 1, 2, 0, 0)", (1, 2, 3, 4)),
                       ("(0, 0, 2, 2)", (2, 3, 2, 2))):
        f.ok(f"Reshape/{spec}", "Reshape", [x], {"shape": spec}, x.reshape(want))
    y = f.uniform((10, 5, 4))
    f.ok("Reshape/reverse", "Reshape", [y], {"shape": "(-1, 0)", "reverse": "True"}, y.reshape(50, 4))
    f.error("Reshape/size-mismatch", "Reshape", [x], {"shape": "(5, 5)"}, "VALUE")
    f.error("Reshape/two-minus-one", "Reshape", [x], {"shape": "(-1, -1)"}, "VALUE")
    f.ok("Flatten/rank3", "Flatten", [x], {}, x.reshape(2, 12))
    f.ok("Flatten/rank1", "Flatten", [x[0, 0]], {}, x[0, 0].reshape(4, 1))
    for axes, npaxes in (("()", None), ("(1, 0, 2)", (1, 0, 2)), ("(2, 0, 1)", (2, 0, 1))):
        f.ok(f"transpose/{axes}", "transpose", [x], {"axes": axes}, np.transpose(x, npaxes))
    f.error("transpose/axis-out-of-range", "transpose", [x], {"axes": "(0, 3, 1)"}, "INDEX")
    for ax in (0, 2, 3, -1):
        f.ok(f"expand_dims/axis{ax}", "expand_dims", [x], {"axis": str(ax)}, np.expand_dims(x, ax))
    f.error("expand_dims/axis-out-of-range", "expand_dims", [x], {"axis": "5"}, "INDEX")
    s = f.uniform((1, 3, 1, 2))
    f.ok("squeeze/all", "squeeze", [s], {}, np.squeeze(s))
    f.ok("squeeze/axis2", "squeeze", [s], {"axis": "2"}, np.squeeze(s, 2))
    f.ok("squeeze/axes", "squeeze", [s], {"axis": "(0, 2)"}, np.squeeze(s, (0, 2)))
    f.error("squeeze/non-one", "squeeze", [s], {"axis": "1"}, "VALUE")

    a, b, c = f.uniform((2, 3)), f.uniform((2, 1)), f.uniform((2, 2))
    f.ok("Concat/dim1-three", "Concat", [a, b, c], {"dim": "1"}, np.concatenate([a, b, c], 1))
    d = f.uniform((1, 3))
    f.ok("Concat/dim0", "Concat", [a, d], {"dim": "0", "num_args": "2"}, np.concatenate([a, d], 0))
    f.ok("Concat/dim-1", "Concat", [a, c], {"dim": "-1"}, np.concatenate([a, c], -1))
    f.error("Concat/mismatch", "Concat", [a, d], {"dim": "1"}, "VALUE")
    f.ok("stack/axis0", "stack", [a, a * 2], {"axis": "0"}, np.stack([a, a * 2], 0))
    f.ok("stack/axis-1", "stack", [a, d.repeat(2, 0), a], {"axis": "-1"}, np.stack([a, d.repeat(2, 0), a], -1))
    f.error("stack/mismatch", "stack", [a, d], {}, "VALUE")
    f.ok("add_n/three", "add_n", [a, a * 2, a - 1], {}, (a.astype(F64) * 4 - 1).astype(np.float32))
    z = f.uniform((2, 6, 2))
    f.ok("SliceChannel/axis1", "SliceChannel", [z], {"num_outputs": "3"}, list(np.split(z, 3, 1)))
    f.ok("SliceChannel/squeeze", "SliceChannel", [z], {"num_outputs": "2", "axis": "0", "squeeze_axis": "True"},
         [z[0], z[1]])
    f.error("SliceChannel/uneven", "SliceChannel", [z], {"num_outputs": "4"}, "VALUE")

    m = f.uniform((4, 5))
    f.ok("slice/2d", "slice", [m], {"begin": "(1, 0)", "end": "(3, 4)"}, m[1:3, 0:4])
    f.ok("slice/none-and-step", "slice", [m], {"begin": "(None, 4)", "end": "(None, 0)", "step": "(2, -2)"},
         m[::2, 4:0:-2])
    f.ok("slice/negative", "slice", [m], {"begin": "(-3,)", "end": "(-1,)"}, m[-3:-1])
    f.ok("slice_axis/axis1", "slice_axis", [m], {"axis": "1", "begin": "1", "end": "-1"}, m[:, 1:-1])
    f.ok("slice_axis/end-none", "slice_axis", [m], {"axis": "0", "begin": "2", "end": "None"}, m[2:])
    f.error("slice_axis/axis-out-of-range", "slice_axis", [m], {"axis": "2", "begin": "0", "end": "1"},
            "INDEX")
    for reps in ("(2,)", "(2, 3)", "(2, 1, 2)"):
        rt = tuple(int(v) for v in reps.strip("()").split(",") if v.strip())
        f.ok(f"tile/{reps}", "tile", [a], {"reps": reps}, np.tile(a, rt))
    f.ok("repeat/flat", "repeat", [a], {"repeats": "2"}, np.repeat(a, 2))
    f.ok("repeat/axis0", "repeat", [a], {"repeats": "3", "axis": "0"}, np.repeat(a, 3, 0))
    f.ok("reverse/axis0", "reverse", [x], {"axis": "0"}, x[::-1])
    f.ok("reverse/axes", "reverse", [x], {"axis": "(0, 2)"}, x[::-1, :, ::-1])
    f.ok("clip/float32", "clip", [m], {"a_min": "-0.5", "a_max": "0.25"}, np.clip(m, -0.5, 0.25))
    return f


def indexing_family():
    f = Family("indexing")
    a = f.uniform((5, 3))
    idx = np.array([4, 0, 2, 2], dtype=np.float32)
    f.ok("take/axis0", "take", [a, idx], {}, a[idx.astype(int)])
    f.ok("take/axis1", "take", [a, np.array([[2, 0], [1, 1]], np.float32)], {"axis": "1"},
         a[:, np.array([[2, 0], [1, 1]])])
    out = np.array([-1, 7, 3], dtype=np.float32)
    f.ok("take/clip", "take", [a, out], {"mode": "clip"}, a[np.clip(out.astype(int), 0, 4)])
    f.ok("take/wrap", "take", [a, out], {"mode": "wrap"}, a[np.mod(out.astype(int), 5)])
    f.ok("take/int32-indices", "take", [a, idx.astype(np.int32)], {}, a[idx.astype(int)])
    p = f.uniform((3, 4))
    pi = np.array([0, 3, 1], dtype=np.float32)
    f.ok("pick/axis1", "pick", [p, pi], {"axis": "1"}, p[np.arange(3), pi.astype(int)])
    f.ok("pick/keepdims", "pick", [p, pi], {"axis": "-1", "keepdims": "True"},
         p[np.arange(3), pi.astype(int)][:, None])
    pj = np.array([2, 0, 1, 2], dtype=np.float32)
    f.ok("pick/axis0", "pick", [p, pj], {"axis": "0"}, p[pj.astype(int), np.arange(4)])
    pw = np.array([5, -1, 2], dtype=np.float32)
    f.ok("pick/wrap", "pick", [p, pw], {"axis": "1", "mode": "wrap"}, p[np.arange(3), np.mod(pw.astype(int), 4)])
    g = f.uniform((3, 4, 2))
    gi = np.array([[0, 2, 1], [1, 3, 0]], dtype=np.float32)
    f.ok("gather_nd/2-of-3", "gather_nd", [g, gi], {}, g[gi[0].astype(int), gi[1].astype(int)])
    gi1 = np.array([[2, 0]], dtype=np.int32)
    f.ok("gather_nd/1-of-3", "gather_nd", [g, gi1], {}, g[gi1[0]])
    oh = np.array([1, 0, 3, 2], dtype=np.float32)
    f.ok("one_hot/depth4", "one_hot", [oh], {"depth": "4"}, np.eye(4, dtype=np.float32)[oh.astype(int)])
    want = np.where(np.eye(5)[oh.astype(int)] > 0, 2.0, -1.0).astype(np.int32)
    f.ok("one_hot/values-int32", "one_hot", [oh], {"depth": "5", "on_value": "2", "off_value": "-1",
                                                   "dtype": "int32"}, want)
    f.ok("one_hot/out-of-range-is-zero", "one_hot", [np.array([5, -1], np.float32)], {"depth": "3"},
         np.zeros((2, 3), np.float32))
    cond = np.array([[1, 0, 1], [0, 0, 1]], dtype=np.float32)
    x, y = f.uniform((2, 3)), f.uniform((2, 3))
    f.ok("where/same-shape", "where", [cond, x, y], {}, np.where(cond != 0, x, y))
    f.ok("where/vector-condition", "where", [np.array([0, 1], np.float32), x, y], {},
         np.where(np.array([0, 1])[:, None] != 0, x, y))
    f.error("where/shape-mismatch", "where", [cond, x, f.uniform((3, 2))], {}, "VALUE")
    ns = f.uniform((3, 4))
    blk = f.uniform((2, 2))
    want = ns.copy()
    want[1:3, 1:3] = blk
    f.ok("_slice_assign/block", "_slice_assign", [ns, blk], {"begin": "(1, 1)", "end": "(3, 3)"}, want)
    want = ns.copy()
    want[:, ::2] = 7
    f.ok("_slice_assign_scalar/step", "_slice_assign_scalar", [ns],
         {"scalar": "7", "begin": "(None, None)", "end": "(None, None)", "step": "(1, 2)"}, want)
    base = f.uniform((3, 4))
    vals = f.uniform((2,))
    sidx = np.array([[0, 2], [3, 1]], dtype=np.float32)  # two (row, col) points
    want = base.copy()
    want[0, 3], want[2, 1] = vals
    f.ok("_scatter_set_nd/points", "_scatter_set_nd", [base, vals, sidx], {"shape": "(3, 4)"}, want)
    return f


CASTS = [("float32", "float64"), ("float32", "int32"), ("float64", "float32"), ("int32", "float32"),
         ("float32", "uint8"), ("int32", "int64"), ("float32", "int8"), ("int64", "float64")]


def cast_family():
    f = Family("cast")
    for src, dst in CASTS:
        if np.dtype(src).kind == "f":
            x = f.uniform((2, 3), 0 if dst == "uint8" else -20, 20, np.dtype(src))
        else:
            x = f.ints((2, 3), -20, 20, np.dtype(src))
        want = x.astype(np.float64)
        if np.dtype(dst).kind in "iu":
            want = np.trunc(want)  # C conversion: toward zero
        f.ok(f"Cast/{src}-to-{dst}", "Cast", [x], {"dtype": dst}, want.astype(dst))
    x = np.array([0.0, 1.0, -2.5], dtype=np.float32)
    f.ok("Cast/to-bool", "Cast", [x], {"dtype": "bool"}, x != 0)
    f.ok("Cast/from-bool", "Cast", [np.array([True, False, True])], {"dtype": "float32"},
         np.array([1, 0, 1], np.float32))
    f.ok("Cast/same-dtype", "Cast", [x], {"dtype": "float32"}, x)
    f.error("Cast/unknown-dtype", "Cast", [x], {"dtype": "float13"}, "VALUE")
    f.error("Cast/missing-dtype", "Cast", [x], {}, "VALUE")
    return f


def families():
    return [shape_family(), indexing_family(), cast_family()]
