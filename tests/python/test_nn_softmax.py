"""softmax, log_softmax, softmin, SoftmaxOutput, softmax_cross_entropy and pick:
forward against NumPy formulas, gradients against finite differences (float64)
and against MXNet 1.9's loss-layer gradient formulas, errors."""
import numpy as np
import pytest

import mxlite as mx
from mxlite.test_utils import check_numeric_gradient

nd = mx.nd
FLOATS = ["float32", "float64"]


def arr(x, dtype=None):
    return nd.array(x, dtype=dtype or x.dtype)


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def grads(fn, inputs, head=None):
    xs = [arr(x) for x in inputs]
    for x in xs:
        x.attach_grad()
    with mx.autograd.record():
        y = fn(*xs)
    y.backward(None if head is None else arr(head, y.dtype))
    return y.asnumpy(), [x.grad.asnumpy() for x in xs]


# ---------------------------------------------------------------------------
# softmax family
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("axis", [-1, 0, 1])
@pytest.mark.parametrize("temperature", [None, 0.5])
def test_softmax_family_forward(rng, dtype, axis, temperature):
    x = (rng.standard_normal((3, 4, 5)) * 3).astype(dtype)
    x[0, 0, 0] = 80  # exp would overflow without subtracting the maximum
    t = 1.0 if temperature is None else temperature
    x64 = x.astype(np.float64) / t
    sm = np_softmax(x64, axis)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-14)
    kw = dict(axis=axis, temperature=temperature)
    np.testing.assert_allclose(nd.softmax(arr(x), **kw).asnumpy(), sm, **tol)
    np.testing.assert_allclose(nd.log_softmax(arr(x), **kw).asnumpy(),
                               x64 - x64.max(axis, keepdims=True) -
                               np.log(np.exp(x64 - x64.max(axis, keepdims=True)).sum(axis, keepdims=True)),
                               **tol)
    np.testing.assert_allclose(nd.softmin(arr(x), **kw).asnumpy(), np_softmax(-x64, axis), **tol)


@pytest.mark.parametrize("op", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_family_gradient(rng, op, axis):
    x = rng.standard_normal((3, 4))
    check_numeric_gradient(lambda a: getattr(nd, op)(a, axis=axis, temperature=1.7), [x])


def test_softmax_dtype_parameter(rng):
    x = rng.standard_normal((2, 6)).astype(np.float16)
    y = nd.softmax(arr(x), dtype="float32")
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.asnumpy(), np_softmax(x.astype(np.float64)), rtol=1e-5, atol=1e-6)
    # the gradient comes back in the input's dtype
    _, (g,) = grads(lambda a: nd.softmax(a, dtype="float64"), [x.astype(np.float32)],
                    np.ones((2, 6)))
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 0, atol=1e-6)  # rows sum to one: d/dx sum(y) = 0


def test_softmax_use_length(rng):
    x = rng.standard_normal((2, 4, 3))
    length = np.array([[2, 4, 0], [1, 3, 4]], dtype=np.int32)  # shape without axis 1
    y = nd.softmax(arr(x), nd.array(length, dtype="int32"), axis=1, use_length=True).asnumpy()
    for i in range(2):
        for j in range(3):
            n = length[i, j]
            expect = np.zeros(4)
            if n:
                expect[:n] = np_softmax(x[i, :n, j])
            np.testing.assert_allclose(y[i, :, j], expect, rtol=1e-12)
    check_numeric_gradient(
        lambda a: nd.softmax(a, nd.array(length, dtype="int32"), axis=1, use_length=True), [x])


def test_softmax_errors():
    with pytest.raises(IndexError, match="axis"):
        nd.softmax(nd.ones((2, 3)), axis=2)
    with pytest.raises(ValueError, match="length"):
        nd.softmax(nd.ones((2, 3)), nd.ones((3,)), use_length=True)
    with pytest.raises(ValueError, match="use_length"):
        nd.log_softmax(nd.ones((2, 3)), use_length=True)
    with pytest.raises(TypeError, match="softmax"):
        nd.softmax(nd.ones((2, 3), dtype="int32"))
    with pytest.raises(ValueError, match="temperature"):
        nd.softmax(nd.ones((2, 3)), temperature=0.0).asnumpy()


# ---------------------------------------------------------------------------
# SoftmaxOutput
# ---------------------------------------------------------------------------

def onehot(labels, k):
    return np.eye(k)[labels.astype(int)]


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_output_forward_and_gradient(rng, dtype):
    x = rng.standard_normal((5, 4)).astype(dtype)
    label = np.array([0, 3, 1, 1, 2], dtype=dtype)
    for name in ("SoftmaxOutput", "Softmax"):
        # the head gradient is ignored, as in MXNet
        y, (g, gl) = grads(lambda a, l: getattr(nd, name)(a, l, grad_scale=2.0), [x, label],
                           rng.standard_normal((5, 4)))
        np.testing.assert_allclose(y, np_softmax(x.astype(np.float64)), rtol=1e-5)
        np.testing.assert_allclose(g, 2.0 * (y - onehot(label, 4)), rtol=1e-5, atol=1e-7)
        assert not gl.any()  # the label gets no gradient


@pytest.mark.parametrize("norm", ["null", "batch", "valid"])
def test_softmax_output_normalization_and_ignore(rng, norm):
    x = rng.standard_normal((6, 3))
    label = np.array([0, 2, 1, 2, 2, 0.0])
    y, (g, _) = grads(lambda a, l: nd.SoftmaxOutput(a, l, normalization=norm, use_ignore=True,
                                                    ignore_label=2), [x, label])
    expect = y - onehot(label, 3)
    expect[label == 2] = 0
    div = {"null": 1, "batch": 6, "valid": 3}[norm]
    np.testing.assert_allclose(g, expect / div, rtol=1e-12, atol=1e-15)


def test_softmax_output_valid_counts_without_use_ignore(rng):
    # MXNet: 'valid' divides by the labels != ignore_label even when use_ignore is off
    x = rng.standard_normal((3, 4))
    label = np.array([1, 1, 0.0])
    y, (g, _) = grads(lambda a, l: nd.SoftmaxOutput(a, l, normalization="valid", ignore_label=1),
                      [x, label])
    np.testing.assert_allclose(g, y - onehot(label, 4), rtol=1e-12)


def test_softmax_output_smoothing_out_grad_and_probability_labels(rng):
    x = rng.standard_normal((3, 4))
    label = np.array([0, 2, 1.0])
    y, (g, _) = grads(lambda a, l: nd.SoftmaxOutput(a, l, smooth_alpha=0.3), [x, label])
    target = onehot(label, 4) * 0.7 + (1 - onehot(label, 4)) * 0.1
    np.testing.assert_allclose(g, y - target, rtol=1e-12)
    head = rng.standard_normal((3, 4))
    y, (g, _) = grads(lambda a, l: nd.SoftmaxOutput(a, l, out_grad=True), [x, label], head)
    np.testing.assert_allclose(g, (y - onehot(label, 4)) * head, rtol=1e-12)
    prob = np_softmax(rng.standard_normal((3, 4)))
    y, (g, _) = grads(lambda a, l: nd.SoftmaxOutput(a, l, normalization="batch", grad_scale=3),
                      [x, prob])
    np.testing.assert_allclose(g, 3 * (y - prob), rtol=1e-12)  # no normalization, as MXNet


def test_softmax_output_out_of_range_and_fractional_labels(rng):
    x = rng.standard_normal((3, 4))
    y, (g, _) = grads(lambda a, l: nd.SoftmaxOutput(a, l), [x, np.array([5, -1, 1.7])])
    expect = y.copy()
    expect[2, 1] -= 1  # 1.7 truncates to 1; out-of-range labels subtract nothing
    np.testing.assert_allclose(g, expect, rtol=1e-12)


def test_softmax_output_multi_output_and_preserve_shape(rng):
    x = rng.standard_normal((2, 3, 4))
    label = np.array([[0, 2, 1, 1], [1, 0, 2, 2.0]])
    y, (g, _) = grads(lambda a, l: nd.SoftmaxOutput(a, l, multi_output=True), [x, label])
    np.testing.assert_allclose(y, np_softmax(x, axis=1), rtol=1e-12)
    np.testing.assert_allclose(g, y - np.moveaxis(onehot(label, 3), -1, 1), rtol=1e-12)
    for lshape in [(2, 4), (2, 1, 4)]:  # MXNet's other accepted label shapes
        nd.SoftmaxOutput(arr(x), nd.array(label.reshape(lshape)), multi_output=True)
    label = np.array([[0, 1, 3], [2, 2, 0.0]])
    y, (g, _) = grads(lambda a, l: nd.SoftmaxOutput(a, l, preserve_shape=True,
                                                    normalization="batch"), [x, label])
    np.testing.assert_allclose(y, np_softmax(x, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(g, (y - onehot(label, 4)) / 6, rtol=1e-12)


def test_softmax_output_default_mode_flattens(rng):
    x = rng.standard_normal((2, 3, 2))
    y = nd.SoftmaxOutput(arr(x), nd.array([0, 5])).asnumpy()
    np.testing.assert_allclose(y, np_softmax(x.reshape(2, 6)).reshape(2, 3, 2), rtol=1e-12)


def test_softmax_output_label_shape_errors():
    with pytest.raises(ValueError, match="label.*\\(4,\\)"):
        nd.SoftmaxOutput(nd.ones((3, 5)), nd.ones(4))
    with pytest.raises(ValueError, match="label"):
        nd.SoftmaxOutput(nd.ones((2, 3, 4)), nd.ones((3, 4)), multi_output=True)
    with pytest.raises(ValueError, match="normalization"):
        nd.SoftmaxOutput(nd.ones((3, 5)), nd.ones(3), normalization="mean")


# ---------------------------------------------------------------------------
# softmax_cross_entropy
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_cross_entropy(rng, dtype):
    x = (rng.standard_normal((4, 5)) * 3).astype(dtype)
    label = np.array([0, 4, 2, 2], dtype=dtype)
    y = nd.softmax_cross_entropy(arr(x), arr(label))
    assert y.shape == (1,) and y.dtype == np.dtype(dtype)
    p = np_softmax(x.astype(np.float64))
    np.testing.assert_allclose(y.asnumpy(), [-np.log(p[np.arange(4), label.astype(int)]).sum()],
                               rtol=1e-5)
    if dtype == "float64":
        check_numeric_gradient(lambda a: nd.softmax_cross_entropy(a, arr(label)), [x])


def test_softmax_cross_entropy_errors():
    with pytest.raises(ValueError, match="2-d"):
        nd.softmax_cross_entropy(nd.ones((2, 3, 4)), nd.ones(2))
    with pytest.raises(ValueError, match="label"):
        nd.softmax_cross_entropy(nd.ones((2, 3)), nd.ones(3))
    with pytest.raises(IndexError, match="label"):
        nd.softmax_cross_entropy(nd.ones((2, 3)), nd.array([0, 3])).asnumpy()


# ---------------------------------------------------------------------------
# pick
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS + ["int32"])
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_pick_forward(rng, dtype, axis, keepdims):
    x = (rng.standard_normal((3, 4, 5)) * 10).astype(dtype)
    ax = axis % 3
    idx_shape = tuple(s for d, s in enumerate(x.shape) if d != ax)
    idx = rng.integers(0, x.shape[ax], idx_shape)
    y = nd.pick(arr(x), nd.array(idx), axis=axis, keepdims=keepdims)
    expect = np.take_along_axis(x, np.expand_dims(idx, ax), ax)
    if not keepdims:
        expect = expect.squeeze(ax)
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(y.asnumpy(), expect)


def test_pick_modes_and_index_forms():
    d = nd.array(np.arange(8).reshape(2, 4))
    np.testing.assert_array_equal(nd.pick(d, nd.array([-1, 5])).asnumpy(), [0, 7])  # clip
    np.testing.assert_array_equal(nd.pick(d, nd.array([-1, 5]), mode="wrap").asnumpy(), [3, 5])
    np.testing.assert_array_equal(nd.pick(d, nd.array([1.7, 2.2])).asnumpy(), [1, 6])
    np.testing.assert_array_equal(nd.pick(d, nd.array([-1.7, -0.2]), mode="wrap").asnumpy(), [3, 4])
    assert nd.pick(d, nd.array([[1], [2]]), axis=1).shape == (2,)
    assert nd.pick(d, nd.array([1, 2]), axis=1, keepdims=True).shape == (2, 1)


def test_pick_gradient(rng):
    x = rng.standard_normal((3, 4))
    idx = nd.array([3, 0, 3])
    check_numeric_gradient(lambda a: nd.pick(a, idx, axis=1), [x])
    check_numeric_gradient(lambda a: nd.pick(a, nd.array([1, 0, 2, 2]), axis=0, keepdims=True), [x])


def test_pick_errors():
    with pytest.raises(ValueError, match="index"):
        nd.pick(nd.ones((2, 3)), nd.ones(3))
    with pytest.raises(ValueError, match="axis"):
        nd.pick(nd.ones((2, 3)), nd.ones(2), axis=None)
    with pytest.raises(IndexError, match="axis"):
        nd.pick(nd.ones((2, 3)), nd.ones(2), axis=2)
