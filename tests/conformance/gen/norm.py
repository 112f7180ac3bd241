"""Normalization: BatchNorm (inference: moving statistics), LayerNorm,
InstanceNorm, GroupNorm, L2Normalization."""
import numpy as np

from .common import Family

F64 = np.float64
TOL = {"rtol": 1e-4, "atol": 1e-5}


def _bn(x, gamma, beta, mean, var, eps, axis, fix_gamma):
    shape = [1] * x.ndim
    shape[axis] = -1
    g = np.ones_like(gamma) if fix_gamma else gamma
    r = lambda v: v.astype(F64).reshape(shape)  # noqa: E731
    return (x.astype(F64) - r(mean)) / np.sqrt(r(var) + eps) * r(g) + r(beta)


def families():
    f = Family("norm")
    x = f.uniform((2, 3, 2, 2), -2, 2)
    gamma, beta = f.uniform((3,), 0.5, 1.5), f.uniform((3,))
    mean, var = f.uniform((3,)), f.uniform((3,), 0.5, 2)
    f.ok("BatchNorm/inference-fix-gamma", "BatchNorm", [x, gamma, beta, mean, var], {},
         _bn(x, gamma, beta, mean, var, 1e-3, 1, True).astype(np.float32), **TOL)
    f.ok("BatchNorm/inference-gamma", "BatchNorm", [x, gamma, beta, mean, var],
         {"fix_gamma": "False", "eps": "1e-05"},
         _bn(x, gamma, beta, mean, var, 1e-5, 1, False).astype(np.float32), **TOL)
    f.ok("BatchNorm/global-stats", "BatchNorm", [x, gamma, beta, mean, var],
         {"fix_gamma": "False", "use_global_stats": "True"},
         _bn(x, gamma, beta, mean, var, 1e-3, 1, False).astype(np.float32), **TOL)
    x2 = f.uniform((4, 3), -2, 2)
    f.ok("BatchNorm/2d-input", "BatchNorm", [x2, gamma, beta, mean, var], {"fix_gamma": "False"},
         _bn(x2, gamma, beta, mean, var, 1e-3, 1, False).astype(np.float32), **TOL)
    xl = f.uniform((2, 2, 3), -2, 2)
    f.ok("BatchNorm/axis-last", "BatchNorm", [xl, gamma, beta, mean, var], {"fix_gamma": "False", "axis": "-1"},
         _bn(xl, gamma, beta, mean, var, 1e-3, 2, False).astype(np.float32), **TOL)
    f.error("BatchNorm/gamma-shape", "BatchNorm", [x, f.uniform((4,)), beta, mean, var], {}, "VALUE")
    f.error("BatchNorm/axis-out-of-range", "BatchNorm", [x, gamma, beta, mean, var], {"axis": "4"}, "INDEX")

    y = f.uniform((2, 3, 4), -2, 2)
    for axis in (-1, 1):
        n = y.shape[axis]
        g, b = f.uniform((n,), 0.5, 1.5), f.uniform((n,))
        yd = y.astype(F64)
        mu = yd.mean(axis=axis, keepdims=True)
        sd = np.sqrt(yd.var(axis=axis, keepdims=True) + 1e-5)
        shape = [1, 1, 1]
        shape[axis] = n
        want = (yd - mu) / sd * g.reshape(shape) + b.reshape(shape)
        f.ok(f"LayerNorm/axis{axis}", "LayerNorm", [y, g, b], {"axis": str(axis)},
             want.astype(np.float32), **TOL)
        if axis == -1:
            f.ok("LayerNorm/output-mean-std", "LayerNorm", [y, g, b], {"output_mean_var": "True"},
                 [want.astype(np.float32), mu.astype(np.float32), sd.astype(np.float32)], **TOL)
    f.error("LayerNorm/gamma-shape", "LayerNorm", [y, f.uniform((3,)), f.uniform((3,))], {}, "VALUE")

    g3, b3 = f.uniform((3,), 0.5, 1.5), f.uniform((3,))
    yd = y.astype(F64)
    mu = yd.mean(axis=2, keepdims=True)
    want = (yd - mu) / np.sqrt(yd.var(axis=2, keepdims=True) + 1e-3) * g3[None, :, None] + b3[None, :, None]
    f.ok("InstanceNorm/3d", "InstanceNorm", [y, g3, b3], {}, want.astype(np.float32), **TOL)

    z = f.uniform((2, 4, 3), -2, 2)
    g4, b4 = f.uniform((2,), 0.5, 1.5), f.uniform((2,))  # MXNet 1.x: one gamma/beta per group
    zg = z.astype(F64).reshape(2, 2, -1)
    norm = (zg - zg.mean(axis=2, keepdims=True)) / np.sqrt(zg.var(axis=2, keepdims=True) + 1e-5)
    want = (norm * g4[None, :, None] + b4[None, :, None]).reshape(z.shape)
    f.ok("GroupNorm/2-groups", "GroupNorm", [z, g4, b4], {"num_groups": "2"}, want.astype(np.float32), **TOL)
    f.error("GroupNorm/groups-not-dividing", "GroupNorm", [z, f.uniform((3,)), f.uniform((3,))], {"num_groups": "3"},
            "VALUE")

    w = f.uniform((2, 3, 2), -2, 2)
    wd = w.astype(F64)
    for mode, axes in (("instance", (1, 2)), ("channel", (1,)), ("spatial", (2,))):
        want = wd / np.sqrt((wd * wd).sum(axis=axes, keepdims=True) + 1e-10)
        f.ok(f"L2Normalization/{mode}", "L2Normalization", [w], {"mode": mode}, want.astype(np.float32), **TOL)
    return [f]
