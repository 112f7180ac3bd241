"""Optimizer update ops (sgd_update, adam_update, ...) against NumPy versions
of their formulas, written here from MXNet 1.9's documented update rules.

Each case runs several steps with fresh gradients, updating the weight in
place (out=weight) and the states in place, and checks weight and states after
every step.  The references compute in float64 and round to the storage dtype
after each step, as the kernels store each step's result.
Clipping follows MXNet's kernels: active whenever clip_gradient >= 0."""
import numpy as np
import pytest

import mxlite as mx
from op_helpers import nd

DTYPES = ["float32", "float64", "float16"]
TOL = {"float16": dict(rtol=2e-3, atol=2e-3), "float32": dict(rtol=1e-5, atol=1e-6),
       "float64": dict(rtol=1e-12, atol=1e-13)}
# Common parameter sets: defaults, weight decay with rescaling, clipping,
# and clip_gradient=0 (clips every gradient to 0 in MXNet's kernels).
COMMON = [{}, {"wd": 0.1, "rescale_grad": 0.5}, {"wd": 0.01, "rescale_grad": 2.0, "clip_gradient": 0.3},
          {"clip_gradient": 0.0}]


def prep(g, p, with_wd_w=None):
    """rescale, (optionally add wd*weight before clipping), clip."""
    g = g * p.get("rescale_grad", 1.0)
    if with_wd_w is not None:
        g = g + p.get("wd", 0.0) * with_wd_w
    c = p.get("clip_gradient", -1.0)
    return np.clip(g, -c, c) if c >= 0 else g


# --- NumPy references: (w, g, states, params) -> new w; states updated in place.

def ref_sgd(w, g, s, p):
    return (1 - p["lr"] * p.get("wd", 0)) * w - p["lr"] * prep(g, p)


def ref_sgd_mom(w, g, s, p):
    mom = s[0]
    mom[:] = p.get("momentum", 0) * mom - p["lr"] * p.get("wd", 0) * w - p["lr"] * prep(g, p)
    return w + mom


def ref_nag_mom(w, g, s, p):
    mom, mu, lr = s[0], p.get("momentum", 0), p["lr"]
    gg = prep(g, p) + p.get("wd", 0) * w
    mom[:] = mu * mom - lr * gg
    return w + mu * mom - lr * gg


def ref_signsgd(w, g, s, p):
    return (1 - p["lr"] * p.get("wd", 0)) * w - p["lr"] * np.sign(g)


def ref_signum(w, g, s, p):
    mom, mu = s[0], p.get("momentum", 0)
    mom[:] = mu * mom - (1 - mu) * p.get("wd", 0) * w - (1 - mu) * prep(g, p)
    return (1 - p["lr"] * p.get("wd_lh", 0)) * w + p["lr"] * np.sign(mom)


def ref_adam(w, g, s, p):
    mean, var = s
    b1, b2 = p.get("beta1", 0.9), p.get("beta2", 0.999)
    gg = prep(g, p, with_wd_w=w)
    mean[:] = b1 * mean + (1 - b1) * gg
    var[:] = b2 * var + (1 - b2) * gg * gg
    return w - p["lr"] * mean / (np.sqrt(var) + p.get("epsilon", 1e-8))


def clip_w(w, p):
    c = p.get("clip_weights", -1.0)
    return np.clip(w, -c, c) if c >= 0 else w


def ref_rmsprop(w, g, s, p):
    n, g1 = s[0], p.get("gamma1", 0.95)
    gg = prep(g, p, with_wd_w=w)
    n[:] = (1 - g1) * gg * gg + g1 * n
    return clip_w(w - p["lr"] * gg / np.sqrt(n + p.get("epsilon", 1e-8)), p)


def ref_rmspropalex(w, g, s, p):
    n, gm, delta = s
    g1, g2 = p.get("gamma1", 0.95), p.get("gamma2", 0.9)
    gg = prep(g, p, with_wd_w=w)
    n[:] = (1 - g1) * gg * gg + g1 * n
    gm[:] = (1 - g1) * gg + g1 * gm
    delta[:] = g2 * delta - p["lr"] * gg / np.sqrt(n - gm * gm + p.get("epsilon", 1e-8))
    return clip_w(w + delta, p)


def ref_ftrl(w, g, s, p):
    z, n = s
    lr, l1, beta = p["lr"], p.get("lamda1", 0.01), p.get("beta", 1.0)
    gg = prep(g, p)
    z[:] = z + gg - (np.sqrt(n + gg * gg) - np.sqrt(n)) * w / lr
    n[:] = n + gg * gg
    new = (np.sign(z) * l1 - z) / ((beta + np.sqrt(n)) / lr + p.get("wd", 0))
    return np.where(np.abs(z) > l1, new, 0.0)


# op name, reference, number of states, op-specific params
OPS = [
    ("sgd_update", ref_sgd, 0, {"lr": 0.1}),
    ("sgd_mom_update", ref_sgd_mom, 1, {"lr": 0.1, "momentum": 0.9}),
    ("nag_mom_update", ref_nag_mom, 1, {"lr": 0.1, "momentum": 0.8}),
    ("signsgd_update", ref_signsgd, 0, {"lr": 0.05}),
    ("signum_update", ref_signum, 1, {"lr": 0.05, "momentum": 0.7, "wd_lh": 0.02}),
    ("adam_update", ref_adam, 2, {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6}),
    ("rmsprop_update", ref_rmsprop, 1, {"lr": 0.01, "gamma1": 0.9}),
    ("rmsprop_update", ref_rmsprop, 1, {"lr": 0.05, "clip_weights": 0.8}),
    ("rmspropalex_update", ref_rmspropalex, 3, {"lr": 0.01, "gamma2": 0.8}),
    ("rmspropalex_update", ref_rmspropalex, 3, {"lr": 0.05, "clip_weights": 0.8}),
    ("ftrl_update", ref_ftrl, 2, {"lr": 0.1, "lamda1": 0.05, "beta": 0.5}),
]


def run_steps(name, ref, nstates, params, dtype, shape=(4, 7), steps=3, seed=0):
    """Runs `steps` in-place updates on mxlite and on the reference; checks
    weight and states after each."""
    rng = np.random.default_rng(seed)
    cdt = "float64"
    w = rng.standard_normal(shape).astype(dtype)
    states = [np.zeros(shape, dtype) for _ in range(nstates)]
    w_nd, st_nd = nd(w), [nd(s) for s in states]
    op = getattr(mx.nd, name)
    for step in range(steps):
        g = rng.standard_normal(shape).astype(dtype)
        res = op(w_nd, nd(g), *st_nd, out=w_nd, **params)
        assert res is w_nd
        ref_states = [s.astype(cdt) for s in states]
        w = ref(w.astype(cdt), g.astype(cdt), ref_states, params).astype(dtype)
        states = [s.astype(dtype) for s in ref_states]
        got = w_nd.asnumpy()
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_allclose(got, w, **TOL[dtype], err_msg=f"{name} weight, step {step}")
        for i, (a, b) in enumerate(zip(st_nd, states)):
            np.testing.assert_allclose(a.asnumpy(), b, **TOL[dtype],
                                       err_msg=f"{name} state {i}, step {step}")
        # Continue from mxlite's own values so rounding differences do not
        # accumulate across steps (each step is checked on equal inputs).
        w = got
        states = [s.asnumpy() for s in st_nd]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("common", COMMON, ids=["default", "wd_rescale", "clip", "clip0"])
@pytest.mark.parametrize("name,ref,nstates,params", OPS, ids=[o[0] for o in OPS])
def test_update_against_numpy(name, ref, nstates, params, common, dtype):
    run_steps(name, ref, nstates, {**params, **common}, dtype)


@pytest.mark.parametrize("name,ref,nstates,params", OPS[:3], ids=[o[0] for o in OPS[:3]])
def test_large_parallel(name, ref, nstates, params):
    """Above the parallel threshold, with an odd length (vector tails)."""
    run_steps(name, ref, nstates, {**params, "wd": 0.01, "clip_gradient": 1.0}, "float32",
              shape=(100003,), steps=2)


def test_new_output_leaves_weight_and_updates_states():
    rng = np.random.default_rng(1)
    w, g = rng.standard_normal(10).astype("f4"), rng.standard_normal(10).astype("f4")
    w_nd, mom = nd(w), mx.nd.zeros(10)
    out = mx.nd.sgd_mom_update(w_nd, nd(g), mom, lr=0.5, momentum=0.9)
    assert out is not w_nd
    np.testing.assert_array_equal(w_nd.asnumpy(), w)  # weight untouched without out=
    np.testing.assert_allclose(mom.asnumpy(), -0.5 * g, rtol=1e-6)
    np.testing.assert_allclose(out.asnumpy(), w - 0.5 * g, rtol=1e-6)


def test_lazy_update_accepted_dense():
    w, g = mx.nd.ones(4), mx.nd.ones(4)
    for lazy in (True, False):
        np.testing.assert_allclose(mx.nd.sgd_update(w, g, lr=0.5, lazy_update=lazy).asnumpy(),
                                   np.full(4, 0.5, "f4"))


def test_zero_size():
    w = mx.nd.zeros((0, 3))
    assert mx.nd.adam_update(w, w, mx.nd.zeros((0, 3)), mx.nd.zeros((0, 3)), lr=0.1).shape == (0, 3)


# --- LAMB


def ref_lamb1(w, g, mean, var, p):
    b1, b2, eps = p.get("beta1", 0.9), p.get("beta2", 0.999), p.get("epsilon", 1e-6)
    gg = prep(g, p)
    mean[:] = b1 * mean + (1 - b1) * gg
    var[:] = b2 * var + (1 - b2) * gg * gg
    if p.get("bias_correction", True):
        mh, vh = mean / (1 - b1 ** p["t"]), var / (1 - b2 ** p["t"])
    else:
        mh, vh = mean, var
    return mh / (np.sqrt(vh) + eps) + p["wd"] * w


def ref_lamb2(w, g, r1, r2, p):
    lo, hi = p.get("lower_bound", -1), p.get("upper_bound", -1)
    if lo >= 0:
        r1 = max(r1, lo)
    if hi >= 0:
        r1 = min(r1, hi)
    ratio = 1.0 if r1 == 0 or r2 == 0 else r1 / r2
    return w - p["lr"] * ratio * g


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("p1,p2", [
    ({"wd": 0.01}, {"lr": 0.1}),
    ({"wd": 0.0, "bias_correction": False, "rescale_grad": 0.5}, {"lr": 0.1, "lower_bound": 5.0}),
    ({"wd": 0.1, "clip_gradient": 0.2, "beta1": 0.8}, {"lr": 0.05, "upper_bound": 0.5}),
])
def test_lamb_steps(p1, p2, dtype):
    rng = np.random.default_rng(2)
    shape = (6, 5)
    w = rng.standard_normal(shape).astype(dtype)
    mean, var = np.zeros(shape, dtype), np.zeros(shape, dtype)
    w_nd, mean_nd, var_nd = nd(w), nd(mean), nd(var)
    for t in range(1, 4):
        g = rng.standard_normal(shape).astype(dtype)
        gdir = mx.nd.lamb_update_phase1(w_nd, nd(g), mean_nd, var_nd, t=t, **p1)
        m64, v64 = mean.astype("f8"), var.astype("f8")
        want = ref_lamb1(w.astype("f8"), g.astype("f8"), m64, v64, {**p1, "t": t})
        np.testing.assert_allclose(gdir.asnumpy(), want, **TOL[dtype])
        np.testing.assert_allclose(mean_nd.asnumpy(), m64, **TOL[dtype])
        np.testing.assert_allclose(var_nd.asnumpy(), v64, **TOL[dtype])
        r1, r2 = mx.nd.norm(w_nd).reshape((1,)), mx.nd.norm(gdir).reshape((1,))
        res = mx.nd.lamb_update_phase2(w_nd, gdir, r1, r2, out=w_nd, **p2)
        assert res is w_nd
        want_w = ref_lamb2(w.astype("f8"), gdir.asnumpy().astype("f8"), float(r1.asnumpy()[0]),
                           float(r2.asnumpy()[0]), p2)
        np.testing.assert_allclose(w_nd.asnumpy(), want_w, **TOL[dtype])
        w, mean, var = w_nd.asnumpy(), mean_nd.asnumpy(), var_nd.asnumpy()


@pytest.mark.parametrize("r1,r2", [(0.0, 2.0), (3.0, 0.0)])
def test_lamb_phase2_zero_norm_ratio_is_one(r1, r2):
    w, g = mx.nd.ones(3), mx.nd.ones(3)
    out = mx.nd.lamb_update_phase2(w, g, mx.nd.array([r1]), mx.nd.array([r2]), lr=0.25)
    np.testing.assert_allclose(out.asnumpy(), np.full(3, 0.75, "f4"))
