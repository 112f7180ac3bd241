"""Multi-precision (mp_*) and multi-weight (multi_*) optimizer updates, and
bad-input errors.

mp_ ops: float16 weight and grad, float32 states and master weight32; checked
against NumPy float64 versions of the formulas run on float32 masters, and the
returned float16 weight must be weight32 rounded to float16.  multi_* ops are
checked against the single-weight ops, which test_optimizer_ops.py checks
against NumPy."""
import numpy as np
import pytest

import mxlite as mx
from op_helpers import nd
from test_optimizer_ops import prep, ref_lamb1, ref_lamb2, ref_nag_mom, ref_sgd, ref_sgd_mom

F32 = dict(rtol=1e-5, atol=1e-6)
MP_PARAMS = [{"lr": 0.1}, {"lr": 0.05, "wd": 0.1, "rescale_grad": 0.5, "momentum": 0.9},
             {"lr": 0.1, "wd": 0.01, "clip_gradient": 0.4, "rescale_grad": 2.0, "momentum": 0.5}]


def check_mp_steps(name, ref, with_mom, params, low="float16", steps=3, shape=(5, 9)):
    rng = np.random.default_rng(3)
    w32 = rng.standard_normal(shape).astype("f4")
    mom = np.zeros(shape, "f4")
    w_nd, w32_nd, mom_nd = nd(w32.astype(low)), nd(w32), nd(mom)
    op = getattr(mx.nd, name)
    p = dict(params) if with_mom else {k: v for k, v in params.items() if k != "momentum"}
    for step in range(steps):
        g = rng.standard_normal(shape).astype(low)
        ins = [w_nd, nd(g)] + ([mom_nd] if with_mom else []) + [w32_nd]
        res = op(*ins, out=w_nd, **p)
        assert res is w_nd and w_nd.dtype == np.dtype(low)
        m64 = [mom.astype("f8")]
        want = ref(w32.astype("f8"), g.astype("f8"), m64, p)
        np.testing.assert_allclose(w32_nd.asnumpy(), want, **F32, err_msg=f"{name} step {step}")
        if with_mom:
            np.testing.assert_allclose(mom_nd.asnumpy(), m64[0], **F32)
        # The low-precision weight is the master rounded.
        np.testing.assert_array_equal(w_nd.asnumpy(), w32_nd.asnumpy().astype(low))
        w32, mom = w32_nd.asnumpy(), mom_nd.asnumpy()


@pytest.mark.parametrize("params", MP_PARAMS)
@pytest.mark.parametrize("name,ref,with_mom", [
    ("mp_sgd_update", ref_sgd, False),
    ("mp_sgd_mom_update", ref_sgd_mom, True),
    ("mp_nag_mom_update", ref_nag_mom, True),
])
def test_mp_updates(name, ref, with_mom, params):
    check_mp_steps(name, ref, with_mom, params)


def test_mp_with_float32_weight():
    """The mp_ ops also take a float32 weight (the master is then a copy)."""
    check_mp_steps("mp_sgd_mom_update", ref_sgd_mom, True, MP_PARAMS[2], low="float32")


def test_mp_matches_plain_op_in_float32():
    """mp_sgd_mom_update's master follows sgd_mom_update run in float32."""
    rng = np.random.default_rng(4)
    w = rng.standard_normal(50).astype("f4")
    g = rng.standard_normal(50).astype("f2")
    w32, mom_a, mom_b = nd(w), mx.nd.zeros(50), mx.nd.zeros(50)
    plain = mx.nd.sgd_mom_update(nd(w), nd(g.astype("f4")), mom_b, lr=0.1, momentum=0.9, wd=0.1)
    out = mx.nd.mp_sgd_mom_update(nd(w.astype("f2")), nd(g), mom_a, w32, lr=0.1, momentum=0.9,
                                  wd=0.1)
    np.testing.assert_array_equal(w32.asnumpy(), plain.asnumpy())
    np.testing.assert_array_equal(mom_a.asnumpy(), mom_b.asnumpy())
    np.testing.assert_array_equal(out.asnumpy(), plain.asnumpy().astype("f2"))


def test_mp_lamb_steps():
    rng = np.random.default_rng(5)
    shape = (7, 4)
    w32 = rng.standard_normal(shape).astype("f4")
    mean, var = np.zeros(shape, "f4"), np.zeros(shape, "f4")
    w_nd, w32_nd, mean_nd, var_nd = nd(w32.astype("f2")), nd(w32), nd(mean), nd(var)
    p1 = {"wd": 0.05, "clip_gradient": 0.5, "rescale_grad": 2.0}
    p2 = {"lr": 0.1, "lower_bound": 0.1, "upper_bound": 3.0}
    for t in range(1, 4):
        g = rng.standard_normal(shape).astype("f2")
        gdir = mx.nd.mp_lamb_update_phase1(w_nd, nd(g), mean_nd, var_nd, w32_nd, t=t, **p1)
        assert gdir.dtype == np.float32
        m64, v64 = mean.astype("f8"), var.astype("f8")
        want = ref_lamb1(w32.astype("f8"), g.astype("f8"), m64, v64, {**p1, "t": t})
        np.testing.assert_allclose(gdir.asnumpy(), want, **F32)
        np.testing.assert_allclose(mean_nd.asnumpy(), m64, **F32)
        np.testing.assert_allclose(var_nd.asnumpy(), v64, **F32)
        np.testing.assert_array_equal(w32_nd.asnumpy(), w32)  # phase 1 only reads weight32
        r1, r2 = mx.nd.norm(w32_nd).reshape((1,)), mx.nd.norm(gdir).reshape((1,))
        res = mx.nd.mp_lamb_update_phase2(w_nd, gdir, r1, r2, w32_nd, out=w_nd, **p2)
        assert res is w_nd and w_nd.dtype == np.float16
        want_w = ref_lamb2(w32.astype("f8"), gdir.asnumpy().astype("f8"),
                           float(r1.asnumpy()[0]), float(r2.asnumpy()[0]), p2)
        np.testing.assert_allclose(w32_nd.asnumpy(), want_w, **F32)
        np.testing.assert_array_equal(w_nd.asnumpy(), w32_nd.asnumpy().astype("f2"))
        w32, mean, var = w32_nd.asnumpy(), mean_nd.asnumpy(), var_nd.asnumpy()


# --- multi_* against the single-weight ops

SHAPES = [(3, 4), (17,), (2, 3, 5)]
LRS, WDS = (0.1, 0.05, 0.2), (0.0, 0.1, 0.01)


@pytest.mark.parametrize("mp", [False, True])
@pytest.mark.parametrize("momentum", [False, True])
@pytest.mark.parametrize("common", [{}, {"rescale_grad": 0.5, "clip_gradient": 0.3}])
def test_multi_matches_single(momentum, mp, common):
    rng = np.random.default_rng(6)
    low = "float16" if mp else "float32"
    name = "multi_" + ("mp_" if mp else "") + "sgd_" + ("mom_" if momentum else "") + "update"
    single = getattr(mx.nd, name[len("multi_"):])
    extra = {"momentum": 0.9} if momentum else {}
    ws, gs = [], []
    for s in SHAPES:
        ws.append(rng.standard_normal(s).astype("f4"))
        gs.append(rng.standard_normal(s).astype(low))
    moms = [rng.standard_normal(s).astype("f4" if mp else low) * 0.1 for s in SHAPES]

    def arrays():
        w_low = [nd(w.astype(low)) for w in ws]
        return w_low, [nd(m) for m in moms], [nd(w) for w in ws]

    for step in range(2):
        mw, mm, m32 = arrays()
        sw, sm, s32 = arrays()
        ins = []
        for k in range(len(SHAPES)):
            ins += [mw[k], nd(gs[k])] + ([mm[k]] if momentum else []) + ([m32[k]] if mp else [])
        outs = getattr(mx.nd, name)(*ins, out=mw, lrs=LRS, wds=WDS, num_weights=len(SHAPES),
                                    **extra, **common)
        assert len(outs) == len(SHAPES) and all(o is w for o, w in zip(outs, mw))
        for k in range(len(SHAPES)):
            args = [sw[k], nd(gs[k])] + ([sm[k]] if momentum else []) + ([s32[k]] if mp else [])
            single(*args, out=sw[k], lr=LRS[k], wd=WDS[k], **extra, **common)
            np.testing.assert_array_equal(mw[k].asnumpy(), sw[k].asnumpy())
            np.testing.assert_array_equal(mm[k].asnumpy(), sm[k].asnumpy())
            np.testing.assert_array_equal(m32[k].asnumpy(), s32[k].asnumpy())
        gs = [g * 0.5 for g in gs]


def test_multi_sgd_against_numpy_and_new_outputs():
    """Without out=, the weights stay and new arrays are returned."""
    rng = np.random.default_rng(7)
    w = [rng.standard_normal(s).astype("f4") for s in SHAPES[:2]]
    g = [rng.standard_normal(s).astype("f4") for s in SHAPES[:2]]
    wn = [nd(x) for x in w]
    outs = mx.nd.multi_sgd_update(wn[0], nd(g[0]), wn[1], nd(g[1]), lrs=LRS[:2], wds=WDS[:2],
                                  num_weights=2, clip_gradient=0.5)
    for k in range(2):
        want = ref_sgd(w[k].astype("f8"), g[k].astype("f8"), [],
                       {"lr": LRS[k], "wd": WDS[k], "clip_gradient": 0.5})
        np.testing.assert_allclose(outs[k].asnumpy(), want, **F32)
        np.testing.assert_array_equal(wn[k].asnumpy(), w[k])


def test_multi_single_weight_returns_array():
    out = mx.nd.multi_sgd_update(mx.nd.ones(3), mx.nd.ones(3), lrs=(0.5,), wds=(0.0,))
    np.testing.assert_allclose(out.asnumpy(), np.full(3, 0.5, "f4"))


# --- errors

W, W2 = mx.nd.ones((2, 3)), mx.nd.ones((2, 4))


@pytest.mark.parametrize("call,exc,words", [
    (lambda: mx.nd.sgd_update(W, W2, lr=0.1), ValueError, ["sgd_update", "'grad'", "(2, 4)", "(2, 3)"]),
    (lambda: mx.nd.sgd_mom_update(W, W, W2, lr=0.1), ValueError, ["sgd_mom_update", "'mom'"]),
    (lambda: mx.nd.adam_update(W, W, W, W2, lr=0.1), ValueError, ["adam_update", "'var'"]),
    (lambda: mx.nd.sgd_update(W, W), ValueError, ["sgd_update", "'lr'", "missing"]),
    (lambda: mx.nd.adam_update(W, W, W, W), ValueError, ["adam_update", "'lr'"]),
    (lambda: mx.nd.lamb_update_phase1(W, W, W, W, wd=0.1), ValueError, ["'t'"]),
    (lambda: mx.nd.sgd_update(W, W.astype("float64"), lr=0.1), TypeError, ["'grad'", "float64"]),
    (lambda: mx.nd.sgd_update(W.astype("int32"), W.astype("int32"), lr=0.1), TypeError,
     ["'weight'", "int32"]),
    (lambda: mx.nd.mp_sgd_mom_update(W.astype("f2"), W.astype("f2"), W.astype("f2"), W, lr=0.1),
     TypeError, ["'mom'", "float32"]),
    (lambda: mx.nd.mp_sgd_update(W.astype("f2"), W, W, lr=0.1), TypeError, ["'grad'", "float16"]),
    (lambda: mx.nd.sgd_mom_update(W, W, lr=0.1), ValueError, ["sgd_mom_update", "3 inputs"]),
    (lambda: mx.nd.multi_sgd_mom_update(W, W, W, W, W, lrs=(0.1, 0.1), wds=(0, 0), num_weights=2),
     ValueError, ["multi_sgd_mom_update", "3 inputs per weight", "(weight, grad, mom)", "got 5"]),
    (lambda: mx.nd.multi_mp_sgd_mom_update(W, W, W, lrs=(0.1,), wds=(0,)), ValueError,
     ["4 inputs per weight", "weight32"]),
    (lambda: mx.nd.multi_sgd_update(W, W, W, W, lrs=(0.1, 0.2), wds=(0,)), ValueError,
     ["num_weights=1", "got 4"]),
    (lambda: mx.nd.multi_sgd_update(W, W, W, W, lrs=(0.1,), wds=(0, 0), num_weights=2),
     ValueError, ["'lrs'", "1 value", "num_weights is 2"]),
    (lambda: mx.nd.multi_sgd_update(W, W, lrs=(0.1,), wds=(0,), num_weights=0), ValueError,
     ["'num_weights'"]),
    (lambda: mx.nd.multi_sgd_update(W, W, lrs="(a,)", wds=(0,)), ValueError, ["'lrs'", "'a'"]),
    (lambda: mx.nd.multi_sgd_update(W, W), ValueError, ["'lrs'", "missing"]),
    (lambda: mx.nd.multi_sgd_update(W, W, W2, W, lrs=(0.1, 0.1), wds=(0, 0), num_weights=2),
     ValueError, ["'grad' of weight 1", "(2, 3)", "(2, 4)"]),
    (lambda: mx.nd.multi_mp_sgd_update(W.astype("f2"), W.astype("f2"), W.astype("f2"),
                                       lrs=(0.1,), wds=(0,)), TypeError, ["'weight32'", "float32"]),
    (lambda: mx.nd.lamb_update_phase1(W, W, W, W, t=0, wd=0.1), ValueError, ["'t'", ">= 1"]),
    (lambda: mx.nd.lamb_update_phase2(W, W, mx.nd.ones(2), mx.nd.ones(1), lr=0.1), ValueError,
     ["'r1'", "(2,)", "one element"]),
    (lambda: mx.nd.mp_lamb_update_phase2(W.astype("f2"), W, mx.nd.ones(1), mx.nd.ones(1),
                                         W.astype("f2"), lr=0.1), TypeError, ["'weight32'"]),
])
def test_bad_inputs(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def test_state_mutation_is_ordered():
    """Chained updates on the engine see each other's state writes."""
    w, g, mom = mx.nd.zeros(100000), mx.nd.ones(100000), mx.nd.zeros(100000)
    for _ in range(5):
        mx.nd.sgd_mom_update(w, g, mom, lr=1.0, momentum=1.0, out=w)
    # mom = -1, -2, ..., -5; w = sum = -15
    np.testing.assert_array_equal(mom.asnumpy(), np.full(100000, -5.0, "f4"))
    np.testing.assert_array_equal(w.asnumpy(), np.full(100000, -15.0, "f4"))
    ws = [mx.nd.zeros(70000), mx.nd.zeros(70000)]
    moms = [mx.nd.zeros(70000), mx.nd.zeros(70000)]
    for _ in range(4):
        mx.nd.multi_sgd_mom_update(ws[0], g[:70000], moms[0], ws[1], g[:70000], moms[1],
                                   lrs=(1.0, 2.0), wds=(0, 0), momentum=1.0, num_weights=2, out=ws)
    np.testing.assert_array_equal(moms[1].asnumpy(), np.full(70000, -8.0, "f4"))
    np.testing.assert_array_equal(ws[0].asnumpy(), np.full(70000, -10.0, "f4"))
