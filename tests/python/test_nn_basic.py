"""FullyConnected, Activation, LeakyReLU, Embedding, add_n and the identity-forward
ops (BlockGrad, make_loss, MakeLoss): forward against NumPy formulas, gradients
against central finite differences in float64, MXNet 1.9 parameter errors."""
import math

import numpy as np
import pytest

import mxlite as mx
from mxlite.test_utils import check_numeric_gradient

nd = mx.nd
FLOATS = ["float32", "float64"]
TOL = {"float32": dict(rtol=1e-5, atol=1e-5), "float64": dict(rtol=1e-12, atol=1e-12)}


def arr(x, dtype=None):
    return nd.array(x, dtype=dtype or x.dtype)


def grad_of(fn, inputs, head):
    """autograd gradients of sum(fn(*inputs) * head) for every input."""
    xs = [arr(x) for x in inputs]
    for x in xs:
        x.attach_grad()
    with mx.autograd.record():
        y = fn(*xs)
    y.backward(arr(head))
    return [x.grad.asnumpy() for x in xs]


# ---------------------------------------------------------------------------
# FullyConnected
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,flatten", [((4, 6), True), ((4, 3, 2), True), ((2, 3, 6), False),
                                           ((6,), False), ((1, 1), True)])
@pytest.mark.parametrize("no_bias", [False, True])
def test_fully_connected_forward(rng, dtype, shape, flatten, no_bias):
    x = rng.standard_normal(shape).astype(dtype)
    k = int(np.prod(shape[1:])) if flatten else shape[-1]
    w = rng.standard_normal((5, k)).astype(dtype)
    b = rng.standard_normal(5).astype(dtype)
    args = [arr(x), arr(w)] + ([] if no_bias else [arr(b)])
    y = nd.FullyConnected(*args, num_hidden=5, no_bias=no_bias, flatten=flatten)
    x2 = x.reshape(shape[0], -1) if flatten else x
    expect = x2 @ w.T + (0 if no_bias else b)
    assert y.dtype == np.dtype(dtype) and y.shape == expect.shape
    np.testing.assert_allclose(y.asnumpy(), expect, **TOL[dtype])


def test_fully_connected_float16_and_large(rng):
    x = rng.standard_normal((130, 300)).astype(np.float16)
    w = rng.standard_normal((70, 300)).astype(np.float16)
    y = nd.FullyConnected(arr(x), arr(w), num_hidden=70, no_bias=True)
    assert y.dtype == np.float16
    np.testing.assert_allclose(y.asnumpy().astype(np.float64),
                               x.astype(np.float64) @ w.astype(np.float64).T, rtol=2e-2, atol=0.3)
    # a batch of an MLP's size, through the cached oneDNN primitive twice
    x = rng.standard_normal((128, 784)).astype(np.float32)
    w = rng.standard_normal((512, 784)).astype(np.float32)
    b = rng.standard_normal(512).astype(np.float32)
    for _ in range(2):
        y = nd.FullyConnected(arr(x), arr(w), arr(b), num_hidden=512)
        np.testing.assert_allclose(y.asnumpy(), x @ w.T + b, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("shape,flatten", [((4, 6), True), ((3, 2, 3), True), ((2, 3, 4), False)])
@pytest.mark.parametrize("no_bias", [False, True])
def test_fully_connected_gradient(rng, shape, flatten, no_bias):
    k = int(np.prod(shape[1:])) if flatten else shape[-1]
    loc = [rng.standard_normal(shape), rng.standard_normal((3, k))]
    if not no_bias:
        loc.append(rng.standard_normal(3))
    check_numeric_gradient(
        lambda *a: nd.FullyConnected(*a, num_hidden=3, no_bias=no_bias, flatten=flatten), loc)


def test_backward_fully_connected_kernel_directly(rng):
    x, w = rng.standard_normal((4, 3, 2)), rng.standard_normal((5, 6))
    dy = rng.standard_normal((4, 5))
    dx, dw, db = nd._backward_FullyConnected(arr(dy), arr(x), arr(w), num_hidden=5)
    np.testing.assert_allclose(dx.asnumpy(), (dy @ w).reshape(4, 3, 2), rtol=1e-12)
    np.testing.assert_allclose(dw.asnumpy(), dy.T @ x.reshape(4, 6), rtol=1e-12)
    np.testing.assert_allclose(db.asnumpy(), dy.sum(0), rtol=1e-12)
    # gradients nobody needs are skipped (zeros)
    dx, dw = nd._backward_FullyConnected(arr(dy), arr(x), arr(w), num_hidden=5, no_bias=True,
                                         need_data_grad=False)
    assert not dx.asnumpy().any()
    np.testing.assert_allclose(dw.asnumpy(), dy.T @ x.reshape(4, 6), rtol=1e-12)


def test_fully_connected_weight_only_gradient_skips_data(rng):
    x = arr(rng.standard_normal((4, 6)))  # no attach_grad: the data gradient is not computed
    w = arr(rng.standard_normal((3, 6)))
    w.attach_grad()
    with mx.autograd.record():
        y = nd.FullyConnected(x, w, num_hidden=3, no_bias=True)
    y.backward(nd.ones((4, 3), dtype="float64"))
    np.testing.assert_allclose(w.grad.asnumpy(), np.ones((4, 3)).T @ x.asnumpy(), rtol=1e-12)


@pytest.mark.parametrize("flatten", [True, False])
def test_fully_connected_second_order(rng, flatten):
    # g = d/dW sum(FC(x, W, b) * H) = H2^T x2; then d/dx sum(g * K) = H2 K, d/dH = x2 K^T
    shape = (3, 2, 4)
    x = arr(rng.standard_normal(shape))
    w = arr(rng.standard_normal((5, 8 if flatten else 4)))
    b = arr(rng.standard_normal(5))
    h_shape = (3, 5) if flatten else (3, 2, 5)
    h = arr(rng.standard_normal(h_shape))
    K = rng.standard_normal(w.shape)
    for v in (x, w, b):
        v.attach_grad()
    with mx.autograd.record():
        y = nd.FullyConnected(x, w, b, num_hidden=5, flatten=flatten)
        gw = mx.autograd.grad(y, [w], head_grads=h, create_graph=True)[0]
    gw.backward(arr(K))
    h2 = h.asnumpy().reshape(-1, 5)
    np.testing.assert_allclose(gw.asnumpy(), h2.T @ x.asnumpy().reshape(-1, w.shape[1]), rtol=1e-10)
    np.testing.assert_allclose(x.grad.asnumpy(), (h2 @ K).reshape(shape), rtol=1e-10)


def test_fully_connected_errors():
    x, w = nd.ones((4, 6)), nd.ones((3, 5))
    with pytest.raises(ValueError, match="weight.*\\(3, 5\\).*\\(3, 6\\)"):
        nd.FullyConnected(x, w, num_hidden=3, no_bias=True)
    with pytest.raises(ValueError, match="bias"):
        nd.FullyConnected(x, nd.ones((3, 6)), nd.ones(4), num_hidden=3)
    with pytest.raises(ValueError, match="num_hidden"):
        nd.FullyConnected(x, nd.ones((3, 6)), no_bias=True)
    with pytest.raises(ValueError, match="expected 3 inputs"):
        nd.FullyConnected(x, nd.ones((3, 6)), num_hidden=3)
    with pytest.raises(TypeError, match="FullyConnected"):
        nd.FullyConnected(nd.ones((2, 2), dtype="int32"), nd.ones((3, 2), dtype="int32"),
                          num_hidden=3, no_bias=True)


# ---------------------------------------------------------------------------
# Activation
# ---------------------------------------------------------------------------

def _softrelu(x):
    return np.logaddexp(0, x)


ACTS = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "softrelu": _softrelu,
    "softsign": lambda x: x / (1 + np.abs(x)),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("act", sorted(ACTS))
def test_activation_forward(rng, dtype, act):
    x = (rng.standard_normal((3, 50)) * 4).astype(dtype)
    x[0, :3] = [0, 40, -40]
    y = nd.Activation(arr(x), act_type=act)
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_allclose(y.asnumpy(), ACTS[act](x.astype(np.float64)), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("act", sorted(ACTS))
def test_activation_gradient(rng, act):
    x = rng.standard_normal((4, 5))
    x[np.abs(x) < 1e-3] = 0.5  # away from relu's and softsign's kink
    check_numeric_gradient(lambda a: nd.Activation(a, act_type=act), [x])


def test_activation_relu_gradient_at_zero_is_zero():
    (g,) = grad_of(lambda a: nd.Activation(a, act_type="relu"), [np.array([-1.0, 0.0, 2.0])],
                   np.ones(3))
    np.testing.assert_array_equal(g, [0, 0, 1])


SECOND = {  # d2/dx2 of each activation
    "sigmoid": lambda x: (lambda s: s * (1 - s) * (1 - 2 * s))(1 / (1 + np.exp(-x))),
    "tanh": lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2),
    "softrelu": lambda x: (lambda s: s * (1 - s))(1 / (1 + np.exp(-x))),
    "softsign": lambda x: -2 * np.sign(x) / (1 + np.abs(x)) ** 3,
    "relu": lambda x: np.zeros_like(x),
}


@pytest.mark.parametrize("act", sorted(SECOND))
def test_activation_second_order(rng, act):
    xv = rng.standard_normal(7) + 0.1
    x = arr(xv)
    x.attach_grad()
    with mx.autograd.record():
        y = nd.Activation(x, act_type=act)
        (dy,) = mx.autograd.grad(y, [x], create_graph=True)
    dy.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), SECOND[act](xv), rtol=1e-9, atol=1e-12)


def test_activation_errors():
    with pytest.raises(ValueError, match="act_type"):
        nd.Activation(nd.ones(2), act_type="swish")
    with pytest.raises(ValueError, match="act_type"):
        nd.Activation(nd.ones(2))
    with pytest.raises(TypeError, match="Activation"):
        nd.Activation(nd.ones(2, dtype="int32"), act_type="relu")


# ---------------------------------------------------------------------------
# LeakyReLU
# ---------------------------------------------------------------------------

SELU_A, SELU_L = 1.6732632423543772848, 1.0507009873554804934
LEAKY = {
    "leaky": lambda x, s: np.where(x > 0, x, s * x),
    "elu": lambda x, s: np.where(x > 0, x, s * np.expm1(x)),
    "selu": lambda x, s: SELU_L * np.where(x > 0, x, SELU_A * np.expm1(x)),
    "gelu": lambda x, s: 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2))),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("act", sorted(LEAKY))
def test_leaky_relu_forward_and_gradient(rng, dtype, act):
    x = rng.standard_normal((3, 4)).astype(dtype)
    y = nd.LeakyReLU(arr(x), act_type=act, slope=0.3)
    np.testing.assert_allclose(y.asnumpy(), LEAKY[act](x.astype(np.float64), 0.3), rtol=1e-5, atol=1e-6)
    if dtype == "float64":
        check_numeric_gradient(lambda a: nd.LeakyReLU(a, act_type=act, slope=0.3), [x])


def test_leaky_relu_defaults_to_leaky_with_slope_quarter():
    np.testing.assert_allclose(nd.LeakyReLU(nd.array([-4.0, 2.0])).asnumpy(), [-1.0, 2.0])


@pytest.mark.parametrize("gamma_shape", [(3,), (1,)])
def test_prelu(rng, gamma_shape):
    x = rng.standard_normal((2, 3, 4))
    g = rng.uniform(0.1, 0.5, gamma_shape)
    y = nd.LeakyReLU(arr(x), arr(g), act_type="prelu")
    gb = g.reshape(1, -1, 1) if g.size > 1 else g
    np.testing.assert_allclose(y.asnumpy(), np.where(x > 0, x, gb * x), rtol=1e-12)
    check_numeric_gradient(lambda a, b: nd.LeakyReLU(a, b, act_type="prelu"), [x, g])


def test_rrelu_inference_and_training(rng):
    x = -np.abs(rng.standard_normal(20000)) - 0.1
    out, slopes = nd.LeakyReLU(arr(x), act_type="rrelu")  # two visible outputs, as MXNet
    mid = (0.125 + 0.334) / 2
    np.testing.assert_allclose(out.asnumpy(), mid * x, rtol=1e-12)
    xa = arr(x)
    xa.attach_grad()
    with mx.autograd.record(train_mode=True):
        out, slopes = nd.LeakyReLU(xa, act_type="rrelu", lower_bound=0.1, upper_bound=0.3)
    out.backward(nd.ones(x.shape, dtype="float64"))
    s = slopes.asnumpy()
    assert 0.1 <= s.min() and s.max() <= 0.3 and abs(s.mean() - 0.2) < 0.005 and s.std() > 0.05
    np.testing.assert_allclose(out.asnumpy(), s * x, rtol=1e-12)
    np.testing.assert_allclose(xa.grad.asnumpy(), s, rtol=1e-12)


def test_leaky_relu_errors():
    with pytest.raises(ValueError, match="act_type"):
        nd.LeakyReLU(nd.ones(2), act_type="swish")
    with pytest.raises(ValueError, match="gamma"):
        nd.LeakyReLU(nd.ones((2, 3)), nd.ones(4), act_type="prelu")
    with pytest.raises(ValueError, match="expected 2 inputs"):
        nd.LeakyReLU(nd.ones((2, 3)), act_type="prelu")
    with pytest.raises(ValueError, match="lower_bound"):
        nd.LeakyReLU(nd.ones(2), act_type="rrelu", lower_bound=0.5, upper_bound=0.1)


# ---------------------------------------------------------------------------
# Embedding
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("idx_dtype", ["float32", "int32", "int64", "uint8"])
def test_embedding_forward(rng, dtype, idx_dtype):
    w = rng.standard_normal((5, 3)).astype(dtype)
    idx = np.array([[0, 4, 2], [1, 1, 3]]).astype(idx_dtype)
    y = nd.Embedding(arr(idx), arr(w), input_dim=5, output_dim=3, dtype=dtype)
    assert y.shape == (2, 3, 3) and y.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(y.asnumpy(), w[idx.astype(int)])


def test_embedding_clips_and_truncates_indices_like_mxnet():
    w = np.arange(6, dtype=np.float32).reshape(3, 2)
    y = nd.Embedding(nd.array([0, 5, -1, 1.7, -0.5]), nd.array(w), input_dim=3, output_dim=2)
    np.testing.assert_array_equal(y.asnumpy(), w[[0, 2, 0, 1, 0]])


def test_embedding_gradient_accumulates_repeated_rows(rng):
    w = rng.standard_normal((6, 70))  # more columns than one parallel block
    idx = np.array([[1, 3, 1], [5, 1, 0]])
    head = rng.standard_normal((2, 3, 70))
    (gw,) = grad_of(lambda a: nd.Embedding(nd.array(idx), a, input_dim=6, output_dim=70), [w], head)
    expect = np.zeros_like(w)
    np.add.at(expect, idx.ravel(), head.reshape(-1, 70))
    np.testing.assert_allclose(gw, expect, rtol=1e-12)
    check_numeric_gradient(lambda a: nd.Embedding(nd.array(idx), a, input_dim=6, output_dim=70),
                           [w])
    direct = nd._backward_Embedding(arr(head), nd.array(idx), input_dim=6, output_dim=70)
    np.testing.assert_allclose(direct.asnumpy(), expect, rtol=1e-12)


def test_embedding_errors():
    with pytest.raises(ValueError, match="weight.*\\(3, 2\\).*\\(4, 2\\)"):
        nd.Embedding(nd.array([0, 1]), nd.ones((3, 2)), input_dim=4, output_dim=2)
    with pytest.raises(ValueError, match="input_dim"):
        nd.Embedding(nd.array([0, 1]), nd.ones((3, 2)), output_dim=2)


# ---------------------------------------------------------------------------
# add_n and the identity-forward ops
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "uint8", "float16"])
def test_add_n(rng, dtype):
    xs = [(rng.standard_normal(10000) * 50).astype(dtype) for _ in range(4)]
    expect = sum(x.astype(np.float64) for x in xs)
    for name in ("add_n", "ElementWiseSum"):
        y = getattr(nd, name)(*[arr(x) for x in xs])
        assert y.dtype == np.dtype(dtype)
        if dtype.startswith("float"):
            np.testing.assert_allclose(y.asnumpy(), expect, rtol=1e-3 if dtype == "float16" else 1e-6,
                                       atol=0.5 if dtype == "float16" else 1e-4)
        else:
            np.testing.assert_array_equal(y.asnumpy(), sum(xs))  # wraps like NumPy


def test_add_n_gradient_and_errors(rng):
    loc = [rng.standard_normal((2, 3)) for _ in range(3)]
    check_numeric_gradient(lambda *a: nd.Activation(nd.add_n(*a), act_type="tanh"), loc)
    with pytest.raises(ValueError, match="shape"):
        nd.add_n(nd.ones(2), nd.ones(3))
    with pytest.raises(ValueError, match="expected 3 inputs"):
        nd.add_n(nd.ones(2), nd.ones(2), num_args=3)


def test_block_grad_and_stop_gradient(rng):
    x = rng.standard_normal(4)
    for name in ("BlockGrad", "stop_gradient"):
        (g,) = grad_of(lambda a: nd.add_n(getattr(nd, name)(a), a), [x], np.full(4, 3.0))
        np.testing.assert_allclose(g, np.full(4, 3.0))  # only the direct path contributes


def test_make_loss_gradient_is_ones():
    x = np.array([[1.0, -2, 0.5], [0, 3, 0.05]])
    (g,) = grad_of(nd.make_loss, [x], np.full(x.shape, 7.0))
    np.testing.assert_array_equal(g, np.ones_like(x))
    np.testing.assert_array_equal(nd.make_loss(arr(x)).asnumpy(), x)


@pytest.mark.parametrize("norm,scale", [("null", 2.0), ("batch", 1.0), ("valid", 2.0 / 3)])
def test_MakeLoss_normalization(norm, scale):
    x = np.array([[1.0, -2, 0.5], [0, 3, 0.05]])  # 3 elements above valid_thresh=0.1
    (g,) = grad_of(lambda a: nd.MakeLoss(a, grad_scale=2, normalization=norm, valid_thresh=0.1),
                   [x], np.full(x.shape, 7.0))
    np.testing.assert_allclose(g, np.full(x.shape, scale))


# ---------------------------------------------------------------------------
# Registry: every neural-network op declares its gradient
# ---------------------------------------------------------------------------

NN_OPS = ["FullyConnected", "Activation", "LeakyReLU", "Dropout", "Embedding", "softmax",
          "log_softmax", "softmin", "SoftmaxOutput", "softmax_cross_entropy", "pick",
          "SequenceMask", "SequenceLast", "SequenceReverse", "add_n", "BlockGrad", "make_loss",
          "MakeLoss",
          # backward kernels with their own gradient (higher order)
          "_backward_FullyConnected", "_backward_Activation"]
# Backward kernels that are not differentiated again.
NN_FIRST_ORDER_ONLY = ["_backward_LeakyReLU", "_backward_Embedding", "_backward_softmax",
                       "_backward_log_softmax", "_backward_softmin", "_backward_SoftmaxOutput",
                       "_backward_softmax_cross_entropy", "_backward_pick",
                       "_backward_SequenceLast", "_backward_MakeLoss"]


def test_nn_ops_declare_gradients():
    from mxlite.ndarray.register import registry
    ops = {op["name"]: op for op in registry()["ops"]}
    for name in NN_OPS:
        assert ops[name]["differentiable"], name
    for name in NN_FIRST_ORDER_ONLY:
        assert name in ops and not ops[name]["differentiable"], name
    aliases = {a: op["name"] for op in ops.values() for a in op["aliases"]}
    assert aliases["Softmax"] == "SoftmaxOutput" and aliases["ElementWiseSum"] == "add_n"
    assert aliases["stop_gradient"] == "BlockGrad"


def test_backward_fully_connected_second_order_wrt_ograd(rng):
    # d/d(dY) of sum(dX * gX) + sum(dW * gW) + sum(db * gb) = gX W^T + X gW^T + gb,
    # also when the data gradient was skipped (then the gX term is absent)
    x, w = rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4))
    dy = rng.standard_normal((2, 3, 5))
    heads = [rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4)), rng.standard_normal(5)]
    for need_data in (True, False):
        a = arr(dy)
        a.attach_grad()
        with mx.autograd.record():
            outs = nd._backward_FullyConnected(a, arr(x), arr(w), num_hidden=5, flatten=False,
                                               need_data_grad=need_data)
        mx.autograd.backward(outs, [arr(h) for h in heads])
        expect = x @ heads[1].T + heads[2]
        if need_data:
            expect = expect + heads[0] @ w.T
        np.testing.assert_allclose(a.grad.asnumpy(), expect, rtol=1e-10)
