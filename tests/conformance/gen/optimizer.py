"""Optimizer update ops: the returned (updated) weight, from MXNet 1.9's
update rules written out in NumPy.  State inputs the ops also update in
place are not compared (runners see outputs only)."""
import numpy as np

from .common import Family

F64 = np.float64
TOL = {"rtol": 1e-5, "atol": 1e-6}


def _g(grad, rescale, clip):
    g = grad * rescale
    return np.clip(g, -clip, clip) if clip >= 0 else g


def families():
    f = Family("optimizer")
    shape = (3, 4)

    def arrays(n):
        return [f.uniform(shape, -1, 1) for _ in range(n)]

    for label, lr, wd, rescale, clip in (("plain", 0.1, 0.0, 1.0, -1.0), ("wd-rescale-clip", 0.05, 0.01, 0.5, 0.2)):
        attrs = {"lr": str(lr), "wd": str(wd), "rescale_grad": str(rescale), "clip_gradient": str(clip)}
        w, gr = arrays(2)
        g = _g(gr.astype(F64), rescale, clip)
        f.ok(f"sgd_update/{label}", "sgd_update", [w, gr], attrs, (w - lr * (g + wd * w)).astype(np.float32), **TOL)
        w, gr, mom = arrays(3)
        g = _g(gr.astype(F64), rescale, clip)
        m = 0.9 * mom - lr * (g + wd * w)
        f.ok(f"sgd_mom_update/{label}", "sgd_mom_update", [w, gr, mom], dict(attrs, momentum="0.9"),
             (w + m).astype(np.float32), **TOL)
        w, gr, mom = arrays(3)
        g = _g(gr.astype(F64), rescale, clip) + wd * w
        m = 0.9 * mom - lr * g  # mom holds the negated velocity, as in sgd_mom_update
        f.ok(f"nag_mom_update/{label}", "nag_mom_update", [w, gr, mom], dict(attrs, momentum="0.9"),
             (w + 0.9 * m - lr * g).astype(np.float32), **TOL)
        w, gr, mean = arrays(3)
        var = f.uniform(shape, 0, 1)
        g = _g(gr.astype(F64) + wd / rescale * w, rescale, clip)  # adam: wd before clipping
        mn = 0.9 * mean + 0.1 * g
        vr = 0.999 * var + 0.001 * g * g
        f.ok(f"adam_update/{label}", "adam_update", [w, gr, mean, var], attrs,
             (w - lr * mn / (np.sqrt(vr) + 1e-8)).astype(np.float32), **TOL)
        w, gr = arrays(2)
        n = f.uniform(shape, 0, 1)
        g = _g(gr.astype(F64) + wd / rescale * w, rescale, clip)  # rmsprop: wd before clipping
        nn = 0.05 * g * g + 0.95 * n
        f.ok(f"rmsprop_update/{label}", "rmsprop_update", [w, gr, n], attrs,
             (w - lr * g / np.sqrt(nn + 1e-8)).astype(np.float32), **TOL)
        w, gr = arrays(2)
        f.ok(f"signsgd_update/{label}", "signsgd_update", [w, gr], attrs,
             ((1 - lr * wd) * w - lr * np.sign(_g(gr.astype(F64), rescale, clip))).astype(np.float32), **TOL)
        w, gr, mom = arrays(3)
        g = _g(gr.astype(F64), rescale, clip)
        m = 0.9 * mom - 0.1 * (g + wd * w)
        f.ok(f"signum_update/{label}", "signum_update", [w, gr, mom], dict(attrs, momentum="0.9"),
             (w + lr * np.sign(m)).astype(np.float32), **TOL)
        w, gr, z = arrays(3)
        n = f.uniform(shape, 0, 1)
        g = _g(gr.astype(F64), rescale, clip)
        z2 = z + g - (np.sqrt(n + g * g) - np.sqrt(n)) * w / lr
        n2 = n + g * g
        want = (np.sign(z2) * 0.01 - z2) / ((1 + np.sqrt(n2)) / lr + wd) * (np.abs(z2) > 0.01)
        f.ok(f"ftrl_update/{label}", "ftrl_update", [w, gr, z, n], attrs, want.astype(np.float32), **TOL)

    for label, lr, wd, rescale, clip in (("plain", 0.05, 0.0, 1.0, -1.0), ("wd-rescale-clip", 0.05, 0.01, 0.5, 0.2)):
        attrs = {"lr": str(lr), "wd": str(wd), "rescale_grad": str(rescale), "clip_gradient": str(clip),
                 "gamma2": "0.8"}
        w, gr, delta = arrays(3)
        g_avg = f.uniform(shape, -0.3, 0.3)  # keeps n - g_avg^2 positive
        n = f.uniform(shape, 0.5, 1.5)
        g = _g(gr.astype(F64) + wd / rescale * w, rescale, clip)
        n2 = 0.05 * g * g + 0.95 * n
        g2 = 0.05 * g + 0.95 * g_avg
        d2 = 0.8 * delta - lr * g / np.sqrt(n2 - g2 * g2 + 1e-8)
        f.ok(f"rmspropalex_update/{label}", "rmspropalex_update", [w, gr, n, g_avg, delta], attrs,
             (w + d2).astype(np.float32), **TOL)

    # multi_* (float32): inputs interleaved per weight, one output per weight
    ws, gs, ms = arrays(2), arrays(2), arrays(2)
    lrs, wds = (0.1, 0.2), (0.0, 0.01)
    want = [(w - lr * (g.astype(F64) + wd * w)).astype(np.float32) for w, g, lr, wd in zip(ws, gs, lrs, wds)]
    f.ok("multi_sgd_update/two-weights", "multi_sgd_update", [ws[0], gs[0], ws[1], gs[1]],
         {"lrs": "(0.1, 0.2)", "wds": "(0.0, 0.01)", "num_weights": "2"}, want, **TOL)
    want = [(w + 0.9 * m - lr * (g.astype(F64) + wd * w)).astype(np.float32)
            for w, g, m, lr, wd in zip(ws, gs, ms, lrs, wds)]
    f.ok("multi_sgd_mom_update/two-weights", "multi_sgd_mom_update", [ws[0], gs[0], ms[0], ws[1], gs[1], ms[1]],
         {"lrs": "(0.1, 0.2)", "wds": "(0.0, 0.01)", "momentum": "0.9", "num_weights": "2"}, want, **TOL)

    w, gr, mean = arrays(3)
    var = f.uniform(shape, 0, 1)
    mn = 0.9 * mean + 0.1 * gr.astype(F64)
    vr = 0.999 * var + 0.001 * gr.astype(F64) ** 2
    mh, vh = mn / (1 - 0.9 ** 3), vr / (1 - 0.999 ** 3)
    f.ok("lamb_update_phase1/bias-correction", "lamb_update_phase1", [w, gr, mean, var], {"t": "3", "wd": "0.01"},
         (mh / (np.sqrt(vh) + 1e-6) + 0.01 * w).astype(np.float32), **TOL)
    w, g = arrays(2)
    r1 = np.array([np.linalg.norm(w.astype(F64))], dtype=np.float32)
    r2 = np.array([np.linalg.norm(g.astype(F64))], dtype=np.float32)
    f.ok("lamb_update_phase2/ratio", "lamb_update_phase2", [w, g, r1, r2], {"lr": "0.1"},
         (w - 0.1 * (r1[0] / r2[0]) * g.astype(F64)).astype(np.float32), **TOL)
    f.ok("lamb_update_phase2/zero-r2", "lamb_update_phase2", [w, g, r1, np.zeros(1, np.float32)], {"lr": "0.1"},
         (w - 0.1 * g.astype(F64)).astype(np.float32), **TOL)

    w, gr = arrays(2)
    f.error("sgd_update/missing-lr", "sgd_update", [w, gr], {}, "VALUE")
    f.error("sgd_update/grad-shape", "sgd_update", [w, f.uniform((4, 3))], {"lr": "0.1"}, "VALUE")
    f.error("sgd_mom_update/missing-mom", "sgd_mom_update", [w, gr], {"lr": "0.1"}, "VALUE")
    f.error("adam_update/unknown-param", "adam_update", [w, gr, w, w], {"lr": "0.1", "beta3": "0.5"}, "KEY")
    return [f]
