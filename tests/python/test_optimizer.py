"""mx.optimizer: every optimizer's update against a float64 NumPy reference over
several steps (wd, rescale_grad, clip_gradient, lr multipliers, float16 with
multi_precision), the Updater (aggregation, state pickling) and the API."""
import pickle

import numpy as np
import pytest

import mxlite as mx
import optimizer_refs as refs

SHAPE = (5, 7)
STEPS = 5

# (registered name, reference class, optimizer kwargs)
CASES = [
    ("sgd", refs.SGD, {}),
    ("sgd", refs.SGD, {"momentum": 0.9}),
    ("nag", refs.NAG, {"momentum": 0.9}),
    ("nag", refs.NAG, {}),
    ("signum", refs.Signum, {"momentum": 0.9, "wd_lh": 0.01}),
    ("signum", refs.Signum, {"momentum": 0.0}),
    ("adam", refs.Adam, {"beta1": 0.8, "beta2": 0.99}),
    ("adamw", refs.AdamW, {}),
    ("adamw", refs.AdamW, {"correct_bias": False, "epsilon": 1e-8}),
    ("rmsprop", refs.RMSProp, {"gamma1": 0.8}),
    ("rmsprop", refs.RMSProp, {"centered": True, "gamma1": 0.8, "gamma2": 0.7}),
    ("rmsprop", refs.RMSProp, {"clip_weights": 0.5}),
    ("adagrad", refs.AdaGrad, {"eps": 1e-6}),
    ("adadelta", refs.AdaDelta, {"rho": 0.8}),
    ("adamax", refs.Adamax, {}),
    ("nadam", refs.Nadam, {}),
    ("ftml", refs.FTML, {}),
    ("ftrl", refs.Ftrl, {"lamda1": 0.05, "beta": 0.5}),
    ("lamb", refs.LAMB, {}),
    ("lamb", refs.LAMB, {"bias_correction": False, "lower_bound": 0.5, "upper_bound": 2.0}),
    ("dcasgd", refs.DCASGD, {"momentum": 0.5}),
    ("lars", refs.LARS, {"momentum": 0.9}),
    ("lars", refs.LARS, {"eta": 0.01, "eps": 1e-3}),
]

HYPER = [
    {"learning_rate": 0.1, "wd": 0.0},
    {"learning_rate": 0.05, "wd": 0.03, "rescale_grad": 0.5},
    {"learning_rate": 0.1, "wd": 0.01, "rescale_grad": 2.0, "clip_gradient": 0.8},
]


def _ids(case):
    name, _, kw = case
    return name + "".join("-%s=%s" % kv for kv in sorted(kw.items()))


def _run(name, ref_cls, kw, hyper, dtype=np.float32, mp=False, lr_mult=1.0, seed=0):
    rng = np.random.default_rng(seed)
    opt = mx.optimizer.create(name, multi_precision=mp, **kw, **hyper)
    if lr_mult != 1.0:
        opt.set_lr_mult({0: lr_mult})
    w0 = rng.standard_normal(SHAPE).astype(dtype)
    w = mx.nd.array(w0, dtype=dtype)
    state = opt.create_state_multi_precision(0, w)
    hp = {k: v for k, v in hyper.items() if k in ("rescale_grad", "clip_gradient")}
    ref = ref_cls(SHAPE, **hp, **kw)
    wr = w0.astype(np.float64)
    lr = hyper.get("learning_rate", 0.01) * lr_mult
    for t in range(1, STEPS + 1):
        g = (rng.standard_normal(SHAPE) * 1.5).astype(dtype)
        opt.update_multi_precision(0, w, mx.nd.array(g, dtype=dtype), state)
        wr = ref.step(wr, g.astype(np.float64), t, lr, hyper.get("wd", 0.0))
    return opt, w, state, wr


@pytest.mark.parametrize("hyper", HYPER, ids=["plain", "wd-rescale", "wd-rescale-clip"])
@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_update_matches_reference(case, hyper):
    name, ref_cls, kw = case
    _, w, _, wr = _run(name, ref_cls, kw, hyper)
    np.testing.assert_allclose(w.asnumpy(), wr, rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_lr_mult(case):
    name, ref_cls, kw = case
    if name == "adadelta":  # AdaDelta has no learning rate
        return
    _, w, _, wr = _run(name, ref_cls, kw, HYPER[1], lr_mult=0.25)
    np.testing.assert_allclose(w.asnumpy(), wr, rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_multi_precision_float16(case):
    """float16 weights with multi_precision: the float32 master copy follows the
    float64 reference fed the same float16 gradients, and the weight is its rounding."""
    name, ref_cls, kw = case
    _, w, state, wr = _run(name, ref_cls, kw, HYPER[2], dtype=np.float16, mp=True)
    assert w.dtype == np.float16
    master = state[1] if name in ("sgd", "nag", "lars") else state[0]
    assert master.dtype == np.float32
    np.testing.assert_allclose(master.asnumpy(), wr, rtol=1e-3, atol=1e-4)
    np.testing.assert_array_equal(w.asnumpy(), master.asnumpy().astype(np.float16))


@pytest.mark.parametrize("hyper", [{"learning_rate": 0.1}, {"learning_rate": 0.05,
                                                             "rescale_grad": 2.0,
                                                             "clip_gradient": 0.8}])
def test_group_adagrad(hyper):
    """contrib GroupAdaGrad: one AdaGrad rate per row of a 2-d weight; no weight decay."""
    _, w, _, wr = _run("groupadagrad", refs.GroupAdaGrad, {"eps": 1e-4}, hyper)
    np.testing.assert_allclose(w.asnumpy(), wr, rtol=2e-4, atol=2e-5)
    opt = mx.optimizer.create("groupadagrad", wd=0.1)
    w = mx.nd.ones((2, 3))
    with pytest.raises(ValueError, match="weight decay is not supported"):
        opt.update(0, w, mx.nd.ones((2, 3)), opt.create_state(0, w))
    with pytest.raises(ValueError, match="2-d"):
        opt.create_state(0, mx.nd.ones((3,)))


def test_lars_skips_bias_and_corrects_momentum():
    """Biases, gammas and betas keep the global rate; when a scheduler changes the
    rate, the momentum is scaled by new / previous rate for that step."""
    sched = mx.lr_scheduler.MultiFactorScheduler(step=[1], factor=0.5, base_lr=1.0)
    opt = mx.optimizer.LARS(momentum=0.5, lr_scheduler=sched, param_idx2name={0: "fc_bias"})
    w, st = mx.nd.zeros((2,)), None
    st = opt.create_state(0, w)
    opt.update(0, w, mx.nd.ones((2,)), st)        # lr 1: mom = -1, w = -1
    opt.update(0, w, mx.nd.ones((2,)), st)        # lr 0.5, momentum 0.5 * 0.5: mom = -0.25 - 0.5
    np.testing.assert_allclose(st.asnumpy(), -0.75)
    np.testing.assert_allclose(w.asnumpy(), -1.75)


def test_float16_without_multi_precision_warns_and_updates():
    opt = mx.optimizer.SGD(learning_rate=0.5)
    w = mx.nd.ones((3,), dtype="float16")
    with pytest.warns(UserWarning, match="multi_precision"):
        state = opt.create_state_multi_precision(0, w)
    opt.update_multi_precision(0, w, mx.nd.ones((3,), dtype="float16"), state)
    np.testing.assert_array_equal(w.asnumpy(), np.full(3, 0.5, np.float16))


def test_sgld_step_mean_and_noise():
    """SGLD: w + (-lr/2) * (g + wd*w) + N(0, lr) noise, checked by its moments."""
    mx.random.seed(3)
    opt = mx.optimizer.create("sgld", learning_rate=0.04, wd=0.1)
    w = mx.nd.ones((200000,))
    opt.update(0, w, mx.nd.full((200000,), 2.0), None)
    step = w.asnumpy() - 1.0
    assert abs(step.mean() - (-0.02 * (2.0 + 0.1))) < 2e-3
    assert abs(step.std() - 0.2) < 2e-3


def test_test_optimizer():
    opt = mx.optimizer.create("test", rescale_grad=0.5)
    w = mx.nd.ones((2, 2))
    st = opt.create_state(0, w)
    opt.update(0, w, mx.nd.ones((2, 2)), st)
    np.testing.assert_allclose(w.asnumpy(), 1.5)
    np.testing.assert_allclose(st.asnumpy(), 1.5)


# ----------------------------------------------------------------- base-class API

def test_create_and_registry():
    assert isinstance(mx.optimizer.create("SGD"), mx.optimizer.SGD)
    assert isinstance(mx.optimizer.create("AdamW"), mx.optimizer.AdamW)
    assert isinstance(mx.optimizer.Optimizer.create_optimizer("rmsprop"), mx.optimizer.RMSProp)
    with pytest.raises(ValueError, match="Cannot find optimizer"):
        mx.optimizer.create("no_such_opt")

    @mx.optimizer.register
    class MyOpt(mx.optimizer.Optimizer):
        def update(self, index, weight, grad, state):
            weight[:] = weight - self._get_lr(index) * grad

    opt = mx.optimizer.create("myopt", learning_rate=0.5)
    w = mx.nd.ones((2,))
    opt.update(0, w, mx.nd.ones((2,)), None)
    np.testing.assert_allclose(w.asnumpy(), 0.5)
    del mx.optimizer.Optimizer.opt_registry["myopt"]


def test_default_learning_rates():
    assert mx.optimizer.SGD().learning_rate == 0.01
    assert mx.optimizer.Adam().learning_rate == 0.001
    assert mx.optimizer.Adamax().learning_rate == 0.002
    assert mx.optimizer.Ftrl().learning_rate == 0.1
    opt = mx.optimizer.SGD(learning_rate=0.3)
    opt.set_learning_rate(0.2)
    assert opt.learning_rate == 0.2


def test_lr_scheduler_drives_learning_rate():
    sched = mx.lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=1.0)
    opt = mx.optimizer.SGD(lr_scheduler=sched)
    w = mx.nd.zeros((1,))
    lrs = []
    for _ in range(6):
        before = w.asnumpy()[0]
        opt.update(0, w, mx.nd.ones((1,)), None)
        lrs.append(before - w.asnumpy()[0])
    np.testing.assert_allclose(lrs, [1, 1, 0.5, 0.5, 0.25, 0.25], rtol=1e-6)
    assert opt.num_update == 6
    with pytest.raises(UserWarning):
        opt.set_learning_rate(0.1)
    # learning_rate given with a scheduler overrides the scheduler's base_lr (with a warning)
    with pytest.warns(UserWarning):
        opt2 = mx.optimizer.SGD(learning_rate=0.2,
                                lr_scheduler=mx.lr_scheduler.FactorScheduler(step=5))
    assert opt2.lr_scheduler.base_lr == 0.2


def test_wd_mult_from_names_and_param_dict():
    opt = mx.optimizer.SGD(learning_rate=1.0, wd=0.1,
                           param_idx2name={0: "fc_weight", 1: "fc_bias", 2: "bn_gamma"})
    assert opt.wd_mult == {"fc_bias": 0.0}
    assert opt._get_wds([0, 1, 2]) == [0.1, 0.0, 0.1]
    opt.set_wd_mult({"fc_weight": 2.0})
    assert opt._get_wd(0) == pytest.approx(0.2)
    opt.set_lr_mult({"bn_gamma": 0.5, 0: 3.0})
    assert opt._get_lrs([0, 1, 2]) == [3.0, 1.0, 0.5]

    class P:  # a gluon Parameter's multipliers
        lr_mult, wd_mult = 0.1, 4.0
    opt = mx.optimizer.SGD(learning_rate=1.0, wd=0.1, param_dict={0: P()})
    assert opt._get_lr(0) == pytest.approx(0.1) and opt._get_wd(0) == pytest.approx(0.4)


def test_lr_wd_mult_from_symbol_attributes():
    data = mx.sym.var("data")
    w = mx.sym.var("fc_weight", lr_mult=0.5, wd_mult=3.0)
    net = mx.sym.FullyConnected(data, weight=w, num_hidden=4, name="fc")
    opt = mx.optimizer.SGD(sym=net, param_idx2name={0: "fc_weight", 1: "fc_bias"})
    assert opt.lr_mult == {"fc_weight": 0.5}
    assert opt.wd_mult == {"fc_bias": 0.0, "fc_weight": 3.0}


def test_begin_num_update_and_per_device_counts():
    opt = mx.optimizer.Adam(begin_num_update=10)
    w = mx.nd.ones((2,))
    st = opt.create_state(0, w)
    opt.update(0, w, mx.nd.ones((2,)), st)
    assert opt._index_update_count[0] == 11 and opt.num_update == 11


def test_bad_arguments():
    opt = mx.optimizer.SGD()
    with pytest.raises(TypeError, match="weight must be an NDArray"):
        opt.update(0, np.ones(2), mx.nd.ones((2,)), None)
    with pytest.raises(TypeError, match="param_idx2name"):
        mx.optimizer.SGD(param_idx2name=[1, 2])
    upd = mx.optimizer.get_updater(opt)
    with pytest.raises(ValueError, match="differ in length"):
        upd([0, 1], [mx.nd.ones((2,))], [mx.nd.ones((2,))])
    with pytest.raises(mx.MXNetError):  # shape mismatch is reported by the update op
        opt.update(0, mx.nd.ones((2,)), mx.nd.ones((3,)), None)


def test_optimizer_pickles_without_param_dict():
    opt = mx.optimizer.Adam(learning_rate=0.1, param_dict={0: object()})
    opt2 = pickle.loads(pickle.dumps(opt))
    assert opt2.param_dict == {} and opt2.lr == 0.1 and isinstance(opt2, mx.optimizer.Adam)


# ------------------------------------------------------------------------ Updater

@pytest.mark.parametrize("mp", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_updater_aggregated_equals_one_by_one(momentum, mp):
    """A list call (fused multi_* ops, 4 weights per call) equals per-weight calls."""
    dtype = np.float16 if mp else np.float32
    rng = np.random.default_rng(1)
    shapes = [(3,), (2, 5), (4, 4), (7,), (1, 3), (6,)]
    ws = [rng.standard_normal(s).astype(dtype) for s in shapes]
    results = []
    for aggregate in (True, False):
        opt = mx.optimizer.SGD(learning_rate=0.1, momentum=momentum, wd=0.01,
                               multi_precision=mp, clip_gradient=1.0,
                               param_idx2name={i: "w%d_weight" % i for i in range(6)})
        opt.set_lr_mult({2: 0.5})
        upd = mx.optimizer.get_updater(opt)
        arrs = [mx.nd.array(w, dtype=dtype) for w in ws]
        grng = np.random.default_rng(2)
        for _ in range(3):
            gs = [mx.nd.array(grng.standard_normal(s), dtype=dtype) for s in shapes]
            if aggregate:
                upd(list(range(6)), gs, arrs)
            else:
                for i in range(6):
                    upd(i, gs[i], arrs[i])
        results.append([a.asnumpy() for a in arrs])
        assert opt.num_update == 3
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_updater_states_pickle_round_trip():
    opt = mx.optimizer.Adam(learning_rate=0.1)
    upd = mx.optimizer.get_updater(opt)
    w = mx.nd.ones((3,))
    upd(0, mx.nd.ones((3,)), w)
    upd("name", mx.nd.ones((3,)), mx.nd.ones((3,)))
    blob = upd.get_states()
    upd2 = mx.optimizer.get_updater(mx.optimizer.Adam(learning_rate=0.1))
    upd2.set_states(blob)
    assert set(upd2.states) == {0, "name"}
    np.testing.assert_array_equal(upd2.states[0][0].asnumpy(), upd.states[0][0].asnumpy())
    assert upd2.states_synced == {0: False, "name": False}
    # With the optimizer: its counts come back too, so the next step continues the run.
    upd3 = mx.optimizer.get_updater(mx.optimizer.SGD())
    upd3.set_states(upd.get_states(dump_optimizer=True))
    assert isinstance(upd3.optimizer, mx.optimizer.Adam)
    assert upd3.optimizer._index_update_count[0] == 1
    w2 = w.copy()
    upd(0, mx.nd.ones((3,)), w)
    upd3(0, mx.nd.ones((3,)), w2)
    np.testing.assert_array_equal(w.asnumpy(), w2.asnumpy())


def test_updater_bytes_index():
    upd = mx.optimizer.get_updater(mx.optimizer.SGD(learning_rate=1.0))
    w = mx.nd.ones((2,))
    upd(b"key", mx.nd.ones((2,)), w)
    assert "key" in upd.states
    np.testing.assert_allclose(w.asnumpy(), 0.0)


def test_updater_groups_mixed_dtypes():
    """float16 (multi-precision) and float32 weights in one list call: each dtype
    group is fused separately; the result equals updating the weights one by one."""
    rng = np.random.default_rng(5)
    specs = [((4,), np.float16), ((3, 3), np.float32), ((5,), np.float16), ((2,), np.float32),
             ((6,), np.float16)]
    init = [rng.standard_normal(s).astype(d) for s, d in specs]
    grads = [rng.standard_normal(s).astype(d) for s, d in specs]
    out = []
    for as_list in (True, False):
        opt = mx.optimizer.SGD(learning_rate=0.1, momentum=0.5, multi_precision=True)
        upd = mx.optimizer.get_updater(opt)
        ws = [mx.nd.array(w, dtype=w.dtype) for w in init]
        gs = [mx.nd.array(g, dtype=g.dtype) for g in grads]
        for _ in range(2):
            if as_list:
                upd(list(range(5)), gs, ws)
            else:
                for i in range(5):
                    upd(i, gs[i], ws[i])
        out.append([w.asnumpy() for w in ws])
    for a, b, (_, d) in zip(out[0], out[1], specs):
        assert a.dtype == d
        np.testing.assert_array_equal(a, b)
