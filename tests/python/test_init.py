"""mx.init: dispatch on names and attributes, statistics of the random
initializers, exact values of the deterministic ones, create/dumps/register."""
import json
import math
import warnings

import numpy as np
import pytest

import mxlite as mx
from mxlite.initializer import InitDesc


def _init(initializer, name, shape, dtype="float32", attrs=None):
    arr = mx.nd.full(shape, 123.0, dtype=dtype)
    initializer(InitDesc(name, attrs), arr)
    return arr.asnumpy()


def test_suffix_dispatch():
    init = mx.init.Uniform(0.5)
    assert np.all(_init(init, "fc1_bias", (4,)) == 0)
    assert np.all(_init(init, "bn_gamma", (4,)) == 1)
    assert np.all(_init(init, "bn_beta", (4,)) == 0)
    assert np.all(_init(init, "bn_moving_mean", (4,)) == 0)
    assert np.all(_init(init, "bn_moving_var", (4,)) == 1)
    assert np.all(_init(init, "q_min", (2,)) == 0) and np.all(_init(init, "q_max", (2,)) == 1)
    w = _init(init, "fc1_weight", (50, 40))
    assert np.all(np.abs(w) <= 0.5) and w.std() > 0.2
    with pytest.raises(ValueError, match="Unknown initialization pattern for foo"):
        _init(init, "foo", (3,))


def test_attribute_init_overrides_suffix():
    init = mx.init.Uniform()
    # '__init__' as JSON from dumps(), as a registered name and as an instance
    assert np.all(_init(init, "fc_bias", (3,), attrs={"__init__": mx.init.One().dumps()}) == 1)
    assert np.all(_init(init, "fc_weight", (3, 2), attrs={"__init__": "zeros"}) == 0)
    got = _init(init, "x", (2, 2), attrs={"__init__": mx.init.Constant(2.5)})
    assert np.all(got == 2.5)
    desc = InitDesc("fc_weight")
    init(desc, mx.nd.zeros((2, 2)))
    assert desc.global_init is init


def test_legacy_string_call():
    init = mx.init.Uniform(0.1)
    arr = mx.nd.full((4,), 5.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        init("bn_moving_var", arr)
        assert np.all(arr.asnumpy() == 1)
        init("upsampling0_weight", mx.nd.zeros((1, 1, 4, 4)))
        with pytest.raises(TypeError):
            init("w_weight", np.zeros(3))


@pytest.mark.parametrize("dtype", ["float32", "float16", "float64"])
def test_uniform_and_normal_statistics(dtype):
    mx.random.seed(7)
    u = _init(mx.init.Uniform(0.3), "w_weight", (400, 500), dtype)
    assert u.dtype == np.dtype(dtype)
    assert np.abs(u).max() <= 0.3 + 1e-3
    assert abs(u.mean()) < 3e-3 and abs(u.std() - 0.3 / math.sqrt(3)) < 3e-3
    n = _init(mx.init.Normal(0.02), "w_weight", (400, 500), dtype)
    assert abs(n.mean()) < 3e-4 and abs(n.std() - 0.02) < 3e-4


def test_seed_makes_initializers_repeatable():
    mx.random.seed(11)
    a = _init(mx.init.Xavier(), "w_weight", (20, 30))
    mx.random.seed(11)
    b = _init(mx.init.Xavier(), "w_weight", (20, 30))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("factor_type", ["avg", "in", "out"])
def test_xavier_uniform_bounds(factor_type):
    shape = (64, 32, 3, 3)
    fan_in, fan_out = 32 * 9, 64 * 9
    factor = {"avg": (fan_in + fan_out) / 2, "in": fan_in, "out": fan_out}[factor_type]
    scale = math.sqrt(2.0 / factor)
    w = _init(mx.init.Xavier("uniform", factor_type, 2), "conv_weight", shape)
    assert np.abs(w).max() <= scale and np.abs(w).max() > 0.97 * scale
    assert abs(w.std() - scale / math.sqrt(3)) < 0.02 * scale


def test_xavier_gaussian_and_msra():
    shape = (256, 512)
    w = _init(mx.init.Xavier("gaussian", "in", 3), "fc_weight", shape)
    assert abs(w.std() - math.sqrt(3 / 512)) < 0.01 * math.sqrt(3 / 512)
    m = _init(mx.init.MSRAPrelu("in", slope=0.0), "fc_weight", shape)  # He: std sqrt(2/fan_in)
    assert abs(m.std() - math.sqrt(2 / 512)) < 0.01 * math.sqrt(2 / 512)
    assert json.loads(mx.init.MSRAPrelu().dumps()) == ["msraprelu",
                                                      {"factor_type": "avg", "slope": 0.25}]


def test_xavier_errors():
    with pytest.raises(ValueError, match="at least 2D"):
        _init(mx.init.Xavier(), "v_weight", (5,))
    with pytest.raises(ValueError, match="Incorrect factor type"):
        _init(mx.init.Xavier(factor_type="sideways"), "v_weight", (5, 5))
    with pytest.raises(ValueError, match="Unknown random type"):
        _init(mx.init.Xavier(rnd_type="cauchy"), "v_weight", (5, 5))


@pytest.mark.parametrize("rand_type", ["uniform", "normal"])
@pytest.mark.parametrize("shape", [(6, 10), (10, 6), (4, 3, 2, 2)])
def test_orthogonal(shape, rand_type):
    w = _init(mx.init.Orthogonal(scale=1.5, rand_type=rand_type), "w_weight", shape)
    m = w.reshape(shape[0], -1) / 1.5
    small = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(small, np.eye(small.shape[0]), atol=1e-5)


def test_bilinear_exact():
    w = _init(mx.init.Bilinear(), "up_weight", (2, 1, 4, 4))
    # f = ceil(4/2) = 2, c = (2*2 - 1 - 0) / 4 = 0.75; 1-d profile 1 - |x/2 - 0.75|
    prof = np.array([0.25, 0.75, 0.75, 0.25])
    np.testing.assert_allclose(w[0, 0], np.outer(prof, prof))
    np.testing.assert_allclose(w[1, 0], np.outer(prof, prof))
    w3 = _init(mx.init.Bilinear(), "up_weight", (1, 1, 3, 3))
    # f = 2, c = (4 - 1 - 0) / 4 = 0.75 -> profile 1 - |x/2 - 0.75| for x = 0, 1, 2
    p3 = np.array([0.25, 0.75, 0.75])
    np.testing.assert_allclose(w3[0, 0], np.outer(p3, p3))
    w5 = _init(mx.init.Bilinear(), "up_weight", (1, 1, 5, 5))
    f, c = 3.0, (6 - 1 - 1) / 6.0
    p5 = 1 - np.abs(np.arange(5) / f - c)
    np.testing.assert_allclose(w5[0, 0], np.outer(p5, p5), rtol=1e-6)


def test_constant_zero_one_lstmbias():
    assert np.all(_init(mx.init.Constant(-2), "w_weight", (3, 3)) == -2)
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(_init(mx.init.Constant(mx.nd.array(arr)), "w_weight", (2, 3)),
                                  arr)
    assert json.loads(mx.init.Constant(np.array([1.0, 2.0])).dumps()) == \
        ["constant", {"value": [1.0, 2.0]}]
    assert np.all(_init(mx.init.Zero(), "w_weight", (3,)) == 0)
    assert np.all(_init(mx.init.One(), "w_weight", (3,)) == 1)
    b = _init(mx.init.LSTMBias(forget_bias=1.5), "lstm_weight", (12,))
    np.testing.assert_array_equal(b, [0, 0, 0, 1.5, 1.5, 1.5, 0, 0, 0, 0, 0, 0])


def test_mixed_and_load():
    mixed = mx.init.Mixed(["bias$", ".*"], [mx.init.Constant(7), mx.init.Zero()])
    a = mx.nd.ones((3,))
    mixed(InitDesc("fc_bias", {"__init__": ""}), a)
    assert np.all(a.asnumpy() == 0)  # Constant's own dispatch: *_bias -> 0
    b = mx.nd.ones((3,))
    mixed(InitDesc("fc_weight"), b)
    assert np.all(b.asnumpy() == 0)
    with pytest.raises(ValueError, match="did not match any pattern"):
        mx.init.Mixed(["^a"], [mx.init.One()])("b", mx.nd.ones((1,)))

    load = mx.init.Load({"arg:fc_weight": mx.nd.full((2, 2), 3.0)}, default_init=mx.init.One())
    w = mx.nd.zeros((2, 2))
    load("fc_weight", w)
    assert np.all(w.asnumpy() == 3)
    with pytest.raises(ValueError, match="Shape mismatch"):
        load("fc_weight", mx.nd.zeros((3,)))
    other = mx.nd.zeros((2,))
    load(InitDesc("other_weight"), other)
    assert np.all(other.asnumpy() == 1)


def test_create_dumps_and_register():
    x = mx.init.create("xavier", rnd_type="gaussian", magnitude=2)
    assert isinstance(x, mx.init.Xavier) and x.magnitude == 2.0
    assert mx.init.create(x.dumps()) == x
    assert mx.init.create(x) is x
    assert isinstance(mx.init.create("ones"), mx.init.One)
    assert isinstance(mx.init.create('{"initializer": "normal", "sigma": 0.5}'), mx.init.Normal)
    with pytest.raises(ValueError, match="not registered"):
        mx.init.create("nope")
    with pytest.raises(ValueError, match="already an instance"):
        mx.init.create(x, magnitude=3)

    @mx.init.register
    class Twos(mx.init.Initializer):
        def _init_weight(self, _, arr):
            arr[:] = 2
    assert np.all(_init(mx.init.create("twos"), "w_weight", (2,)) == 2)
    assert mx.init.Xavier() == mx.init.Xavier() and mx.init.Xavier() != mx.init.Xavier(magnitude=2)


def test_load_from_params_file(tmp_path):
    path = str(tmp_path / "model.params")
    mx.nd.save(path, {"arg:fc_weight": mx.nd.full((2, 3), 4.0), "aux:bn_moving_var":
                      mx.nd.full((3,), 2.0)})
    load = mx.init.Load(path, default_init=mx.init.Zero())
    w, v, other = mx.nd.ones((2, 3)), mx.nd.ones((3,)), mx.nd.ones((2,))
    load("fc_weight", w)
    load("bn_moving_var", v)
    load(InitDesc("other_weight"), other)
    assert np.all(w.asnumpy() == 4) and np.all(v.asnumpy() == 2) and np.all(other.asnumpy() == 0)
