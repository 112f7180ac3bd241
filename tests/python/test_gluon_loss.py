"""gluon.loss against NumPy formulas, with gradients (finite differences) and
hybridized runs."""
import itertools

import numpy as np
import pytest

import mxlite as mx
from mxlite import gluon
from mxlite.gluon import loss as gloss

RNG = np.random.default_rng(3)


def nd(x):
    return mx.nd.array(x, dtype=x.dtype)


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    return np.log(softmax(x, axis))


def softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)


N, D = 4, 5
PRED = RNG.standard_normal((N, D))
LABEL = RNG.standard_normal((N, D))
SIGNS = np.where(RNG.random((N, D)) < 0.5, -1.0, 1.0)
BINARY = (RNG.random((N, D)) < 0.5).astype(np.float64)
PROBS = softmax(RNG.standard_normal((N, D)))


def mean1(x):
    return x.reshape(x.shape[0], -1).mean(axis=1)


CASES = {
    "L2": (lambda: gloss.L2Loss(), PRED, LABEL, lambda p, l: mean1(0.5 * (l - p) ** 2)),
    "L2w": (lambda: gloss.L2Loss(weight=3.0), PRED, LABEL, lambda p, l: mean1(1.5 * (l - p) ** 2)),
    "L1": (lambda: gloss.L1Loss(), PRED, LABEL, lambda p, l: mean1(np.abs(l - p))),
    "SigmoidBCE": (lambda: gloss.SigmoidBinaryCrossEntropyLoss(), PRED, BINARY,
                   lambda p, l: mean1(softplus(p) - p * l)),
    "SigmoidBCE_from_sigmoid": (
        lambda: gloss.SigmoidBCELoss(from_sigmoid=True), 1 / (1 + np.exp(-PRED)), BINARY,
        lambda p, l: mean1(-(np.log(p + 1e-12) * l + np.log(1 - p + 1e-12) * (1 - l)))),
    "SoftmaxCE_sparse": (lambda: gloss.SoftmaxCrossEntropyLoss(), PRED,
                         np.array([0, 3, 4, 1], np.float64),
                         lambda p, l: -log_softmax(p)[np.arange(N), l.astype(int)]),
    "SoftmaxCE_dense": (lambda: gloss.SoftmaxCELoss(sparse_label=False), PRED, PROBS,
                        lambda p, l: -(log_softmax(p) * l).sum(-1)),
    "SoftmaxCE_logits": (lambda: gloss.SoftmaxCELoss(from_logits=True), log_softmax(PRED),
                         np.array([1, 1, 0, 2], np.float64),
                         lambda p, l: -p[np.arange(N), l.astype(int)]),
    # KLDiv sums over the non-batch axes (MXNet 1.9), the others average
    "KLDiv": (lambda: gloss.KLDivLoss(), log_softmax(PRED), PROBS,
              lambda p, l: (l * (np.log(l + 1e-12) - p)).sum(-1)),
    "KLDiv_scores": (lambda: gloss.KLDivLoss(from_logits=False), PRED, PROBS,
                     lambda p, l: (l * (np.log(l + 1e-12) - log_softmax(p))).sum(-1)),
    "Huber": (lambda: gloss.HuberLoss(rho=0.7), PRED, LABEL,
              lambda p, l: mean1(np.where(np.abs(l - p) > 0.7, np.abs(l - p) - 0.35,
                                          0.5 / 0.7 * (l - p) ** 2))),
    "Hinge": (lambda: gloss.HingeLoss(margin=1.5), PRED, SIGNS,
              lambda p, l: mean1(np.maximum(0, 1.5 - p * l))),
    "SquaredHinge": (lambda: gloss.SquaredHingeLoss(), PRED, SIGNS,
                     lambda p, l: mean1(np.maximum(0, 1 - p * l) ** 2)),
    "Logistic_signed": (lambda: gloss.LogisticLoss(), PRED, SIGNS,
                        lambda p, l: mean1(np.log1p(np.exp(-p * l)))),
    "Logistic_binary": (lambda: gloss.LogisticLoss(label_format="binary"), PRED, BINARY,
                        lambda p, l: mean1(np.log1p(np.exp(-p * (2 * l - 1))))),
    "PoissonNLL": (lambda: gloss.PoissonNLLLoss(), PRED, np.abs(LABEL) * 3,
                   lambda p, l: np.mean(np.exp(p) - l * p)),
    "PoissonNLL_prob": (lambda: gloss.PoissonNLLLoss(from_logits=False), np.exp(PRED),
                        np.abs(LABEL) * 3, lambda p, l: np.mean(p - l * np.log(p + 1e-8))),
}


def stirling(t):
    with np.errstate(divide="ignore", invalid="ignore"):
        s = t * np.log(t) - t + 0.5 * np.log(2 * np.pi * t)
    return np.where(t > 1, s, 0)


CASES["PoissonNLL_full"] = (lambda: gloss.PoissonNLLLoss(compute_full=True), PRED,
                            np.round(np.abs(LABEL) * 3),
                            lambda p, l: np.mean(np.exp(p) - l * p + stirling(l)))


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_values_and_gradients(name):
    make, pred, label, ref = CASES[name]
    loss = make()
    out = loss(nd(pred), nd(label))
    np.testing.assert_allclose(out.asnumpy(), ref(pred, label), rtol=1e-6, atol=1e-8)
    # gradient with respect to the prediction, float64 finite differences
    if name.startswith("Hinge") or name == "L1":
        pred = pred + np.sign(pred) * 0.05  # keep away from the kinks
    mx.test_utils.check_numeric_gradient(lambda p: loss(p, nd(label)), [pred])
    # hybridized: the same values through the traced graph
    loss.hybridize()
    np.testing.assert_allclose(loss(nd(pred), nd(label)).asnumpy(), ref(pred, label),
                               rtol=1e-6, atol=1e-8)


def test_label_reshaped_like_pred_and_sample_weight():
    pred = RNG.standard_normal((N, 1))
    label = RNG.standard_normal((N,))
    sw = RNG.random((N, 1))
    loss = gloss.L2Loss()
    out = loss(nd(pred), nd(label), nd(sw)).asnumpy()
    np.testing.assert_allclose(out, 0.5 * (label - pred[:, 0]) ** 2 * sw[:, 0], rtol=1e-6)
    loss.hybridize()
    np.testing.assert_allclose(loss(nd(pred), nd(label), nd(sw)).asnumpy(), out, rtol=1e-6)


def test_batch_axis():
    pred = RNG.standard_normal((3, 4))
    label = RNG.standard_normal((3, 4))
    out = gloss.L1Loss(batch_axis=1)(nd(pred), nd(label)).asnumpy()
    np.testing.assert_allclose(out, np.abs(label - pred).mean(axis=0), rtol=1e-6)


def test_sigmoid_bce_pos_weight():
    pw = RNG.random((1, D)) + 0.5
    for from_sigmoid in (False, True):
        p = 1 / (1 + np.exp(-PRED)) if from_sigmoid else PRED
        out = gloss.SigmoidBCELoss(from_sigmoid=from_sigmoid)(
            nd(p), nd(BINARY), None, nd(pw)).asnumpy()
        s = 1 / (1 + np.exp(-PRED))
        ref = -(pw * BINARY * np.log(s + (1e-12 if from_sigmoid else 0)) +
                (1 - BINARY) * np.log(1 - s + (1e-12 if from_sigmoid else 0)))
        np.testing.assert_allclose(out, mean1(ref), rtol=1e-5)


def test_triplet():
    a, p_, n_ = (RNG.standard_normal((N, D)) for _ in range(3))
    loss = gloss.TripletLoss(margin=0.5)
    out = loss(nd(a), nd(p_), nd(n_)).asnumpy()
    ref = np.maximum(0, ((p_ - a) ** 2 - (n_ - a) ** 2).sum(1) + 0.5)
    np.testing.assert_allclose(out, ref, rtol=1e-6)
    mx.test_utils.check_numeric_gradient(lambda x, y, z: loss(x, y, z), [a, p_, n_])
    loss.hybridize()
    np.testing.assert_allclose(loss(nd(a), nd(p_), nd(n_)).asnumpy(), ref, rtol=1e-6)


def test_cosine_embedding():
    x1, x2 = RNG.standard_normal((N, D)), RNG.standard_normal((N, D))
    y = np.array([1, -1, 1, -1], np.float64)
    loss = gloss.CosineEmbeddingLoss(margin=0.1)
    out = loss(nd(x1), nd(x2), nd(y)).asnumpy()
    cos = (x1 * x2).sum(1) / (np.linalg.norm(x1, axis=1) * np.linalg.norm(x2, axis=1))
    ref = np.where(y == 1, 1 - cos, np.maximum(0, cos - 0.1))
    np.testing.assert_allclose(out.ravel(), ref, rtol=1e-6)
    mx.test_utils.check_numeric_gradient(lambda a, b: loss(a, b, nd(y)), [x1, x2])
    loss.hybridize()
    np.testing.assert_allclose(loss(nd(x1), nd(x2), nd(y)).asnumpy().ravel(), ref, rtol=1e-6)


def ctc_brute_force(logits, label, blank):
    """-log sum over every alignment path collapsing to label."""
    t_len, c = logits.shape
    probs = softmax(logits)
    total = 0.0
    for path in itertools.product(range(c), repeat=t_len):
        collapsed = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
        collapsed = [k for k in collapsed if k != blank]
        if collapsed == list(label):
            total += np.prod([probs[t, k] for t, k in enumerate(path)])
    return -np.log(total)


def test_ctc_loss_op_against_brute_force():
    t_len, batch, c = 5, 3, 4
    data = RNG.standard_normal((t_len, batch, c))
    labels = [[1, 2], [3, 3], [2]]
    padded = np.array([[1, 2], [3, 3], [2, 0]], np.float64)  # blank first: pad 0
    out = mx.nd.CTCLoss(nd(data), nd(padded)).asnumpy()
    ref = [ctc_brute_force(data[:, b], labels[b], 0) for b in range(batch)]
    np.testing.assert_allclose(out, ref, rtol=1e-6)
    # blank last, lengths given
    padded_last = np.array([[0, 1], [2, 2], [1, -1]], np.float64)
    dl = np.array([5, 4, 3], np.float64)
    out2 = mx.nd.CTCLoss(nd(data), nd(padded_last), nd(dl), use_data_lengths=True,
                         blank_label="last").asnumpy()
    ref2 = [ctc_brute_force(data[:int(dl[b]), b], [[0, 1], [2, 2], [1]][b], c - 1)
            for b in range(batch)]
    np.testing.assert_allclose(out2, ref2, rtol=1e-6)
    ll = np.array([2, 1, 1], np.float64)
    out3 = mx.nd.ctc_loss(nd(data), nd(padded_last), nd(ll), use_label_lengths=True,
                          blank_label="last").asnumpy()
    ref3 = [ctc_brute_force(data[:, b], [[0, 1], [2], [1]][b], c - 1) for b in range(batch)]
    np.testing.assert_allclose(out3, ref3, rtol=1e-6)


def test_ctc_loss_gradient():
    data = RNG.standard_normal((6, 2, 4))
    label = np.array([[1, 2, 1], [3, 0, 0]], np.float64)
    mx.test_utils.check_numeric_gradient(lambda d: mx.nd.CTCLoss(d, nd(label)), [data],
                                         grad_nodes=[0])


def test_ctc_loss_errors():
    data = nd(RNG.standard_normal((4, 2, 3)))
    with pytest.raises(mx.MXNetError, match="label"):
        mx.nd.CTCLoss(data, nd(np.array([[5.0], [1.0]]))).asnumpy()
    with pytest.raises(mx.MXNetError, match="batch size"):
        mx.nd.CTCLoss(data, nd(np.ones((3, 1))))


def test_gluon_ctc_loss():
    n, t_len, c = 2, 5, 4
    pred = RNG.standard_normal((n, t_len, c))
    label = np.array([[0, 1], [2, -1]], np.float64)  # blank last, padded with -1
    loss = gloss.CTCLoss()
    out = loss(nd(pred), nd(label)).asnumpy()
    ref = [ctc_brute_force(pred[b], [[0, 1], [2]][b], c - 1) for b in range(n)]
    np.testing.assert_allclose(out, ref, rtol=1e-6)
    pl, ll = np.array([5, 3], np.float64), np.array([2, 1], np.float64)
    out2 = loss(nd(pred), nd(label), nd(pl), nd(ll)).asnumpy()
    ref2 = [ctc_brute_force(pred[b, :int(pl[b])], [[0, 1], [2]][b], c - 1) for b in range(n)]
    np.testing.assert_allclose(out2, ref2, rtol=1e-6)
    tnc = gloss.CTCLoss(layout="TNC", label_layout="TN")
    out3 = tnc(nd(pred.transpose(1, 0, 2)), nd(label.T)).asnumpy()
    np.testing.assert_allclose(out3, ref, rtol=1e-6)
    mx.test_utils.check_numeric_gradient(lambda p: loss(p, nd(label)), [pred])
    loss.hybridize()
    np.testing.assert_allclose(loss(nd(pred), nd(label)).asnumpy(), ref, rtol=1e-6)
    with pytest.raises(ValueError):
        gloss.CTCLoss(layout="NCT")


def test_loss_repr_and_errors():
    assert repr(gloss.L2Loss()) == "L2Loss(batch_axis=0, w=1.0)"
    with pytest.raises(ValueError):
        gloss.LogisticLoss(label_format="bad")
    assert isinstance(gloss.L1Loss(), gluon.HybridBlock)
