"""Dropout: keep rate and scaling statistics, inference identity, mode='always',
shared masks along `axes`, reproducibility from the seed, the gradient through
the hidden mask, and parameter errors."""
import numpy as np
import pytest

import mxlite as mx

nd = mx.nd


def run_train(x, **kw):
    """Dropout in training mode with the gradient of sum(out * head)."""
    a = nd.array(x, dtype=x.dtype)
    a.attach_grad()
    head = np.arange(x.size, dtype=x.dtype).reshape(x.shape) + 1
    with mx.autograd.record(train_mode=True):
        y = nd.Dropout(a, **kw)
    y.backward(nd.array(head, dtype=x.dtype))
    return y.asnumpy(), a.grad.asnumpy(), head


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dropout_keep_rate_and_scale(p, dtype):
    n = 200000
    x = np.ones(n, dtype=dtype)
    y, g, head = run_train(x, p=p)
    kept = y != 0
    rate = kept.mean()
    sigma = np.sqrt(p * (1 - p) / n)
    assert abs(rate - (1 - p)) < 5 * sigma, rate
    np.testing.assert_allclose(y[kept], 1 / (1 - p), rtol=1e-6)
    # gradient: head * mask, the same mask as the forward
    np.testing.assert_allclose(g, np.where(kept, head / (1 - p), 0), rtol=1e-6)
    assert abs(y.mean() - 1) < 6 * np.sqrt(p / (1 - p) / n)  # expectation preserved


def test_dropout_is_identity_in_inference_and_when_not_recording(rng):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_array_equal(nd.Dropout(nd.array(x), p=0.5).asnumpy(), x)
    with mx.autograd.record(train_mode=False):
        y = nd.Dropout(nd.array(x), p=0.5)
    np.testing.assert_array_equal(y.asnumpy(), x)
    a = nd.array(x)
    a.attach_grad()
    with mx.autograd.record(train_mode=False):
        y = nd.Dropout(a, p=0.5)
    y.backward(nd.ones((3, 4)) * 3)
    np.testing.assert_array_equal(a.grad.asnumpy(), np.full((3, 4), 3.0))


def test_dropout_mode_always_and_p_zero():
    x = np.ones(10000, np.float32)
    y = nd.Dropout(nd.array(x), p=0.5, mode="always").asnumpy()  # inference, still dropped
    assert 0.45 < (y == 0).mean() < 0.55 and set(np.unique(y)) == {0.0, 2.0}
    y, g, head = run_train(x, p=0.0)
    np.testing.assert_array_equal(y, x)
    np.testing.assert_array_equal(g, head)


def test_dropout_p_one_drops_everything():
    y, g, _ = run_train(np.ones(100, np.float32), p=1.0)
    assert not y.any() and not g.any()  # zeros, not MXNet 1.9's NaN


@pytest.mark.parametrize("axes", [(0,), (1,), (0, 2), (-1,)])
def test_dropout_axes_share_the_mask(axes):
    mx.random.seed(0)
    x = np.ones((30, 200, 20), np.float32)
    y, _, _ = run_train(x, p=0.5, axes=axes)
    ax = tuple(a % 3 for a in axes)
    # along the listed axes every value equals the first one
    first = y[tuple(slice(0, 1) if d in ax else slice(None) for d in range(3))]
    np.testing.assert_array_equal(y, np.broadcast_to(first, y.shape))
    assert 0.38 < (first != 0).mean() < 0.62
    free = [d for d in range(3) if d not in ax]
    assert len(np.unique(first)) == 2 and first.size == np.prod([x.shape[d] for d in free])


def test_dropout_reproducible_from_seed_and_fresh_per_call():
    x = nd.ones((1000,))
    with mx.autograd.train_mode():
        mx.random.seed(7)
        a = nd.Dropout(x).asnumpy()
        b = nd.Dropout(x).asnumpy()
        mx.random.seed(7)
        c = nd.Dropout(x).asnumpy()
    np.testing.assert_array_equal(a, c)
    assert (a != b).any()


def test_dropout_float16():
    with mx.autograd.train_mode():
        y = nd.Dropout(nd.ones((1000,), dtype="float16"), p=0.5).asnumpy()
    assert y.dtype == np.float16 and set(np.unique(y)) == {0.0, 2.0}


def test_dropout_errors():
    with pytest.raises(ValueError, match="'p'"):
        nd.Dropout(nd.ones(3), p=1.5)
    with pytest.raises(ValueError, match="mode"):
        nd.Dropout(nd.ones(3), mode="sometimes")
    with pytest.raises(IndexError, match="axes"):
        nd.Dropout(nd.ones((2, 3)), axes=(2,))
    with pytest.raises(TypeError, match="Dropout"):
        nd.Dropout(nd.ones(3, dtype="int32"))
