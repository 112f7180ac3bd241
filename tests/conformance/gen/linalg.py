"""dot and batch_dot with every transpose combination."""
import numpy as np

from .common import Family, bool_text

F64 = np.float64


def families():
    f = Family("linalg")
    for ta in (False, True):
        for tb in (False, True):
            a = f.uniform((4, 3) if ta else (3, 4))
            b = f.uniform((5, 4) if tb else (4, 5))
            want = (a.T if ta else a).astype(F64) @ (b.T if tb else b).astype(F64)
            f.ok(f"dot/ta={bool_text(ta)},tb={bool_text(tb)}", "dot", [a, b],
                 {"transpose_a": bool_text(ta), "transpose_b": bool_text(tb)}, want.astype(np.float32),
                 rtol=1e-5, atol=1e-5)
            a = f.uniform((2, 4, 3) if ta else (2, 3, 4))
            b = f.uniform((2, 5, 4) if tb else (2, 4, 5))
            aa = np.swapaxes(a, 1, 2) if ta else a
            bb = np.swapaxes(b, 1, 2) if tb else b
            f.ok(f"batch_dot/ta={bool_text(ta)},tb={bool_text(tb)}", "batch_dot", [a, b],
                 {"transpose_a": bool_text(ta), "transpose_b": bool_text(tb)},
                 np.matmul(aa.astype(F64), bb.astype(F64)).astype(np.float32), rtol=1e-5, atol=1e-5)
    v, w = f.uniform((6,)), f.uniform((6,))
    f.ok("dot/vector-vector", "dot", [v, w], {}, np.array([v.astype(F64) @ w]).astype(np.float32),
         rtol=1e-5, atol=1e-5)
    m = f.uniform((3, 6))
    f.ok("dot/matrix-vector", "dot", [m, v], {}, (m.astype(F64) @ v).astype(np.float32), rtol=1e-5, atol=1e-5)
    t = f.uniform((2, 3, 4))
    u = f.uniform((4, 2, 2))
    f.ok("dot/rank3-rank3", "dot", [t, u], {}, np.tensordot(t.astype(F64), u, axes=1).astype(np.float32),
         rtol=1e-5, atol=1e-5)
    a64, b64 = f.uniform((3, 4), dtype=F64), f.uniform((4, 2), dtype=F64)
    f.ok("dot/float64", "dot", [a64, b64], {}, a64 @ b64, rtol=1e-12, atol=1e-12)
    big_a, big_b = f.uniform((33, 70)), f.uniform((70, 17))
    f.ok("dot/33x70x17", "dot", [big_a, big_b], {}, (big_a.astype(F64) @ big_b).astype(np.float32),
         rtol=1e-4, atol=1e-5)
    f.error("dot/inner-mismatch", "dot", [f.uniform((3, 4)), f.uniform((5, 2))], {}, "VALUE")
    f.error("batch_dot/batch-mismatch", "batch_dot", [f.uniform((2, 3, 4)), f.uniform((3, 4, 5))], {},
            "VALUE")
    f.error("batch_dot/rank2", "batch_dot", [f.uniform((3, 4)), f.uniform((4, 5))], {}, "VALUE")
    f.error("dot/dtype-mismatch", "dot", [f.uniform((3, 4)), f.uniform((4, 2), dtype=F64)], {}, "TYPE")
    return [f]
