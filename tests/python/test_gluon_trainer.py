"""gluon.Trainer against a NumPy SGD, stale gradients, learning rates,
optimizer states, and an end-to-end training run on synthetic data."""
import numpy as np
import pytest

import mxlite as mx
from mxlite import gluon
from mxlite.gluon import nn

pytestmark = pytest.mark.skipif(not hasattr(mx, "optimizer"),
                                reason="mx.optimizer is not in this build yet")

RNG = np.random.default_rng(17)


def make_dense(in_units=3, units=2):
    d = nn.Dense(units, in_units=in_units)
    d.initialize(mx.init.Normal(0.5))
    return d


def backward(net, x, y):
    with mx.autograd.record():
        loss = ((net(x) - y) ** 2).sum()
    loss.backward()


def test_sgd_momentum_matches_numpy():
    net = make_dense()
    x = mx.nd.array(RNG.standard_normal((4, 3)))
    y = mx.nd.array(RNG.standard_normal((4, 2)))
    lr, mom, wd, batch = 0.1, 0.9, 0.01, 4
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"learning_rate": lr, "momentum": mom, "wd": wd})
    w = {k: v.data().asnumpy().astype(np.float64) for k, v in net.collect_params().items()}
    m = {k: np.zeros_like(v) for k, v in w.items()}
    for _ in range(3):
        backward(net, x, y)
        g = {k: v.grad().asnumpy().astype(np.float64) for k, v in net.collect_params().items()}
        trainer.step(batch)
        for k in w:
            m[k] = mom * m[k] - lr * (g[k] / batch + wd * w[k])
            w[k] = w[k] + m[k]
        for k, v in net.collect_params().items():
            np.testing.assert_allclose(v.data().asnumpy(), w[k], rtol=1e-5, atol=1e-6)


def test_lr_mult_and_set_learning_rate():
    net = make_dense()
    net.weight.lr_mult = 0.0  # frozen through the optimizer's param_dict
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
    assert trainer.learning_rate == 0.5
    w0 = net.weight.data().asnumpy().copy()
    b0 = net.bias.data().asnumpy().copy()
    backward(net, mx.nd.ones((2, 3)), mx.nd.zeros((2, 2)))
    gb = net.bias.grad().asnumpy().copy()
    trainer.set_learning_rate(0.25)
    assert trainer.learning_rate == 0.25
    trainer.step(2)
    np.testing.assert_array_equal(net.weight.data().asnumpy(), w0)
    np.testing.assert_allclose(net.bias.data().asnumpy(), b0 - 0.25 * gb / 2, rtol=1e-5)


def test_stale_gradient():
    a, b = make_dense(), make_dense()
    params = a.collect_params()
    params.update(b.collect_params())
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": 0.1})
    backward(a, mx.nd.ones((1, 3)), mx.nd.zeros((1, 2)))  # b gets no gradient
    with pytest.raises(UserWarning, match="has not been updated by backward"):
        trainer.step(1)
    wb = b.weight.data().asnumpy().copy()
    wa = a.weight.data().asnumpy().copy()
    backward(a, mx.nd.ones((1, 3)), mx.nd.zeros((1, 2)))
    trainer.step(1, ignore_stale_grad=True)
    np.testing.assert_array_equal(b.weight.data().asnumpy(), wb)  # skipped
    assert not np.array_equal(a.weight.data().asnumpy(), wa)
    # the same gradient is stale for the next step
    with pytest.raises(UserWarning):
        trainer.step(1)


def test_grad_req_null_params_are_skipped():
    net = nn.HybridSequential()
    net.add(nn.Dense(3, in_units=2), nn.BatchNorm(in_channels=3))
    net.initialize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    backward(net, mx.nd.ones((4, 2)), mx.nd.zeros((4, 3)))
    trainer.step(4)  # running_mean / running_var have grad_req null: no stale warning


def test_allreduce_then_update():
    net = make_dense()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 1.0})
    w0 = net.weight.data().asnumpy().copy()
    backward(net, mx.nd.ones((1, 3)), mx.nd.zeros((1, 2)))
    g = net.weight.grad().asnumpy().copy()
    trainer.allreduce_grads()
    net.weight.grad()[:] = net.weight.grad() * 0.5  # e.g. clipping between the two
    trainer.update(1)
    np.testing.assert_allclose(net.weight.data().asnumpy(), w0 - 0.5 * g, rtol=1e-5, atol=1e-6)


def test_save_load_states(tmp_path):
    net = make_dense()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    backward(net, mx.nd.ones((1, 3)), mx.nd.zeros((1, 2)))
    trainer.step(1)
    f = str(tmp_path / "trainer.states")
    trainer.save_states(f)
    snapshot = {k: v.data().asnumpy().copy() for k, v in net.collect_params().items()}
    backward(net, mx.nd.ones((1, 3)), mx.nd.zeros((1, 2)))
    trainer.step(1)
    after = {k: v.data().asnumpy().copy() for k, v in net.collect_params().items()}
    for k, v in net.collect_params().items():
        v.set_data(mx.nd.array(snapshot[k]))
    trainer2 = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1,
                                                           "momentum": 0.9})
    trainer2.load_states(f)
    backward(net, mx.nd.ones((1, 3)), mx.nd.zeros((1, 2)))
    trainer2.step(1)
    for k, v in net.collect_params().items():
        np.testing.assert_allclose(v.data().asnumpy(), after[k], rtol=1e-5, atol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="list or dict of Parameters"):
        gluon.Trainer("nope", "sgd")
    net = make_dense()
    with pytest.raises(NotImplementedError, match="dist"):
        gluon.Trainer(net.collect_params(), "sgd", kvstore="dist_sync")


def make_blobs(n, rng):
    centers = np.array([[2, 2], [-2, 2], [0, -2.5]], np.float32)
    labels = rng.integers(0, 3, n)
    x = centers[labels] + rng.standard_normal((n, 2)).astype(np.float32) * 0.8
    return x, labels.astype(np.float32)


@pytest.mark.parametrize("hybridize", [False, True])
def test_end_to_end_training(hybridize):
    rng = np.random.default_rng(0)
    xtr, ytr = make_blobs(600, rng)
    xte, yte = make_blobs(300, rng)
    net = nn.HybridSequential()
    net.add(nn.Dense(16, activation="relu"), nn.Dense(3))
    net.initialize(mx.init.Xavier())
    if hybridize:
        net.hybridize()
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    batch = 50
    for _ in range(5):
        for i in range(0, len(xtr), batch):
            x, y = mx.nd.array(xtr[i:i + batch]), mx.nd.array(ytr[i:i + batch])
            with mx.autograd.record():
                loss = loss_fn(net(x), y)
            loss.backward()
            trainer.step(batch)
    pred = net(mx.nd.array(xte)).asnumpy().argmax(axis=1)
    acc = (pred == yte).mean()
    assert acc > 0.85, acc  # chance is 1/3
