"""gluon.nn basic layers and activations against NumPy references."""
import math

import numpy as np
import pytest

import mxlite as mx
from mxlite import gluon
from mxlite.gluon import nn

RNG = np.random.default_rng(7)


def run(block, *xs, train=False):
    """Initialize (if needed) and run block on NumPy inputs; NumPy output."""
    if not all(p._data is not None for p in block.collect_params().values()):
        block.initialize()
    with mx.autograd.record(train_mode=train):
        out = block(*[mx.nd.array(x, dtype=x.dtype) for x in xs])
    return out.asnumpy()


def param(block, name):
    return block.collect_params()[block.prefix + name].data().asnumpy()


def test_dense():
    x = RNG.standard_normal((4, 3, 2)).astype(np.float32)
    d = nn.Dense(5, activation="tanh")
    y = run(d, x)
    w, b = param(d, "weight"), param(d, "bias")
    np.testing.assert_allclose(y, np.tanh(x.reshape(4, 6) @ w.T + b), rtol=1e-5, atol=1e-6)
    d2 = nn.Dense(5, flatten=False, use_bias=False, in_units=2)
    y2 = run(d2, x)
    assert d2.bias is None and len(d2.collect_params()) == 1
    np.testing.assert_allclose(y2, x @ param(d2, "weight").T, rtol=1e-5, atol=1e-6)


def test_dense_initializers():
    d = nn.Dense(3, in_units=2, weight_initializer="ones", bias_initializer="ones")
    d.initialize()
    np.testing.assert_array_equal(param(d, "weight"), np.ones((3, 2)))
    np.testing.assert_array_equal(param(d, "bias"), np.ones(3))


def test_dropout():
    x = np.ones((200, 50), np.float32)
    d = nn.Dropout(0.4)
    np.testing.assert_array_equal(run(d, x), x)  # predict mode: identity
    y = run(d, x, train=True)
    kept = y != 0
    assert abs(kept.mean() - 0.6) < 0.03
    np.testing.assert_allclose(y[kept], 1 / 0.6, rtol=1e-6)
    yz = run(nn.Dropout(0.0), x, train=True)
    np.testing.assert_array_equal(yz, x)
    ya = run(nn.Dropout(0.5, axes=(1,)), x, train=True)
    assert all(len(set(row)) == 1 for row in ya)  # one mask value per row


def _bn_ref(x, gamma, beta, mean, var, eps, axis=1):
    shape = [1] * x.ndim
    shape[axis] = -1
    return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * \
        gamma.reshape(shape) + beta.reshape(shape)


def test_batchnorm_train_and_running_stats():
    x = RNG.standard_normal((8, 3, 4, 4)).astype(np.float32) * 2 + 1
    bn = nn.BatchNorm(momentum=0.8)
    bn.initialize()
    y = run(bn, x, train=True)
    mean = x.mean(axis=(0, 2, 3))
    var = x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(y, _bn_ref(x, np.ones(3), np.zeros(3), mean, var, 1e-5),
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(param(bn, "running_mean"), 0.2 * mean, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(param(bn, "running_var"), 0.8 + 0.2 * var, rtol=1e-3, atol=1e-4)
    # inference uses the running statistics
    y2 = run(bn, x)
    np.testing.assert_allclose(
        y2, _bn_ref(x, np.ones(3), np.zeros(3), param(bn, "running_mean"),
                    param(bn, "running_var"), 1e-5), rtol=1e-4, atol=1e-4)
    names = sorted(bn.collect_params().keys())
    assert names == [bn.prefix + n for n in ("beta", "gamma", "running_mean", "running_var")]
    assert bn.running_mean.grad_req == "null"


def test_batchnorm_axis_and_no_scale():
    x = RNG.standard_normal((5, 6)).astype(np.float32)
    bn = nn.BatchNorm(axis=-1, scale=False, center=False, in_channels=6)
    bn.initialize()
    assert bn.gamma.grad_req == "null" and bn.beta.grad_req == "null"
    y = run(bn, x, train=True)
    np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-4,
                               atol=1e-4)


def test_layernorm():
    x = RNG.standard_normal((3, 4, 5)).astype(np.float32)
    ln = nn.LayerNorm()
    y = run(ln, x)
    ref = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    assert ln.gamma.shape == (5,)
    ln1 = nn.LayerNorm(axis=1)
    y1 = run(ln1, x)
    ref1 = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(y1, ref1, rtol=1e-4, atol=1e-5)


def test_instancenorm():
    x = RNG.standard_normal((2, 3, 5, 4)).astype(np.float32)
    inn = nn.InstanceNorm()
    y = run(inn, x)
    m = x.mean(axis=(2, 3), keepdims=True)
    v = x.var(axis=(2, 3), keepdims=True)
    np.testing.assert_allclose(y, (x - m) / np.sqrt(v + 1e-5), rtol=1e-4, atol=1e-4)
    assert inn.gamma.grad_req == "null"  # scale=False by default


def test_groupnorm():
    x = RNG.standard_normal((2, 6, 3, 3)).astype(np.float32)
    gn = nn.GroupNorm(num_groups=3)
    y = run(gn, x)
    g = x.reshape(2, 3, -1)
    ref = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + 1e-5))
    np.testing.assert_allclose(y, ref.reshape(x.shape), rtol=1e-4, atol=1e-4)


def test_embedding():
    idx = np.array([[0, 3], [2, 2]], np.float32)
    emb = nn.Embedding(5, 3)
    y = run(emb, idx)
    w = param(emb, "weight")
    np.testing.assert_array_equal(y, w[idx.astype(int)])
    assert repr(emb) == "Embedding(5 -> 3, float32)"


def test_flatten_identity_lambda():
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    np.testing.assert_array_equal(run(nn.Flatten(), x), x.reshape(2, 12))
    np.testing.assert_array_equal(run(nn.Identity(), x), x)
    np.testing.assert_allclose(run(nn.Lambda("tanh"), x), np.tanh(x), rtol=1e-6)
    np.testing.assert_allclose(run(nn.Lambda(lambda a: a * 2), x), x * 2)
    np.testing.assert_allclose(run(nn.HybridLambda("exp"), x), np.exp(x), rtol=1e-6)
    hl = nn.HybridLambda(lambda F, a: F.relu(a) + 1)
    np.testing.assert_allclose(run(hl, x), np.maximum(x, 0) + 1)
    hl.hybridize()
    np.testing.assert_allclose(run(hl, x), np.maximum(x, 0) + 1)
    with pytest.raises(AssertionError):
        nn.Lambda("no_such_function")


def test_concurrent():
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    for cls in (nn.Concurrent, nn.HybridConcurrent):
        c = cls(axis=1)
        c.add(nn.Dense(2, in_units=3), nn.Dense(4, in_units=3), nn.Identity())
        y = run(c, x)
        d0, d1 = c[0], c[1]
        ref = np.concatenate([x @ param(d0, "weight").T + param(d0, "bias"),
                              x @ param(d1, "weight").T + param(d1, "bias"), x], axis=1)
        np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)


def test_sequential_indexing_and_len():
    net = nn.Sequential()
    net.add(nn.Dense(3), nn.Dense(4), nn.Dense(5))
    assert len(net) == 3 and isinstance(net[1], nn.Dense)
    sub = net[1:]
    assert isinstance(sub, nn.Sequential) and len(sub) == 2
    hnet = nn.HybridSequential()
    hnet.add(nn.Dense(3), nn.Dense(4))
    assert isinstance(hnet[:1], nn.HybridSequential)


_erf = np.vectorize(math.erf)


@pytest.mark.parametrize("block,ref", [
    (lambda: nn.Activation("relu"), lambda x: np.maximum(x, 0)),
    (lambda: nn.Activation("sigmoid"), lambda x: 1 / (1 + np.exp(-x))),
    (lambda: nn.Activation("tanh"), np.tanh),
    (lambda: nn.Activation("softrelu"), lambda x: np.log1p(np.exp(x))),
    (lambda: nn.Activation("softsign"), lambda x: x / (1 + np.abs(x))),
    (lambda: nn.LeakyReLU(0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    (lambda: nn.ELU(0.7), lambda x: np.where(x > 0, x, 0.7 * (np.exp(x) - 1))),
    (lambda: nn.SELU(), lambda x: 1.0507009873554805 * np.where(
        x > 0, x, 1.6732632423543772 * (np.exp(x) - 1))),
    (lambda: nn.GELU(), lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2)))),
    (lambda: nn.Swish(1.5), lambda x: x / (1 + np.exp(-1.5 * x))),
])
def test_activations(block, ref):
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(run(block(), x), ref(x.astype(np.float64)), rtol=1e-4, atol=1e-5)


def test_prelu():
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    p = nn.PReLU(in_channels=3)
    y = run(p, x)
    alpha = param(p, "alpha")
    np.testing.assert_allclose(alpha, np.full(3, 0.25))
    np.testing.assert_allclose(y, np.where(x > 0, x, 0.25 * x), rtol=1e-6)
    with mx.autograd.record():
        out = p(mx.nd.array(x))
    out.backward()
    np.testing.assert_allclose(p.alpha.grad().asnumpy(),
                               np.where(x > 0, 0, x).sum(axis=(0, 2)), rtol=1e-5, atol=1e-6)


def test_activation_naming():
    a = nn.Activation("relu")
    assert a.name.startswith("relu")
    with pytest.raises(AssertionError):
        nn.LeakyReLU(-1)


def test_dense_gradients_numeric():
    x = RNG.standard_normal((3, 4))
    d = nn.Dense(2, in_units=4, activation="sigmoid")
    d.initialize()
    d.cast("float64")

    def fn(a):
        return d(a)

    mx.test_utils.check_numeric_gradient(fn, [x])
    xs = mx.nd.array(x, dtype="float64")
    with mx.autograd.record():
        y = d(xs)
    y.backward()
    w = param(d, "weight")
    s = 1 / (1 + np.exp(-(x @ w.T + param(d, "bias"))))
    np.testing.assert_allclose(d.weight.grad().asnumpy(), (s * (1 - s)).T @ x, rtol=1e-6)
    np.testing.assert_allclose(d.bias.grad().asnumpy(), (s * (1 - s)).sum(0), rtol=1e-6)


def test_block_requires_initialize():
    d = nn.Dense(2, in_units=3)
    with pytest.raises(RuntimeError, match="has not been initialized"):
        d(mx.nd.ones((1, 3)))


def test_custom_hybrid_block_with_params():
    class Scale(gluon.HybridBlock):
        def __init__(self, **kw):
            super().__init__(**kw)
            with self.name_scope():
                self.s = self.params.get("s", shape=(1, 3), init="ones")

        def hybrid_forward(self, F, x, s):
            return F.broadcast_mul(x, s) * 2

    b = Scale()
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    np.testing.assert_allclose(run(b, x), x * 2)
