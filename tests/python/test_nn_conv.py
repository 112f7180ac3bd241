"""Convolution and Deconvolution against naive NumPy loops, their gradients
against central finite differences (float64), and bad parameters.

The oracles are written here from the definitions:
  conv:   y[n, g*OCg+o, pos] = sum_{c, k} w[g*OCg+o, c, k] * xpad[n, g*Cg+c, pos*s + k*d]
  deconv: scatter every input position into the (uncropped) output, then
          crop `pad` from the front of each spatial axis.
"""
import itertools

import numpy as np
import pytest

import mxlite as mx


def _tuple(v, nsp, default):
    return tuple(v) if v else (default,) * nsp


def conv_ref(x, w, b, kernel, stride=(), dilate=(), pad=(), num_group=1):
    nsp = len(kernel)
    stride, dilate, pad = _tuple(stride, nsp, 1), _tuple(dilate, nsp, 1), _tuple(pad, nsp, 0)
    N, C = x.shape[:2]
    OC = w.shape[0]
    G = num_group
    Cg, OCg = C // G, OC // G
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pad])
    out_sp = [(x.shape[2 + i] + 2 * pad[i] - dilate[i] * (kernel[i] - 1) - 1) // stride[i] + 1
              for i in range(nsp)]
    y = np.zeros((N, OC) + tuple(out_sp), dtype=np.float64)
    for pos in itertools.product(*[range(o) for o in out_sp]):
        win = tuple(slice(pos[i] * stride[i], pos[i] * stride[i] + dilate[i] * (kernel[i] - 1) + 1,
                          dilate[i]) for i in range(nsp))
        patch = xp[(slice(None), slice(None)) + win]  # (N, C, k...)
        for g in range(G):
            pg = patch[:, g * Cg:(g + 1) * Cg].reshape(N, -1)
            wg = w[g * OCg:(g + 1) * OCg].reshape(OCg, -1)
            y[(slice(None), slice(g * OCg, (g + 1) * OCg)) + pos] = pg @ wg.T
    if b is not None:
        y += b.reshape((1, OC) + (1,) * nsp)
    return y


def deconv_ref(x, w, b, kernel, stride=(), dilate=(), pad=(), adj=(), num_group=1,
               target_shape=()):
    nsp = len(kernel)
    stride, dilate = _tuple(stride, nsp, 1), _tuple(dilate, nsp, 1)
    pad, adj = list(_tuple(pad, nsp, 0)), list(_tuple(adj, nsp, 0))
    N, C = x.shape[:2]
    G = num_group
    Cg, Fg = C // G, w.shape[1]
    F = Fg * G
    ins = x.shape[2:]
    dk = [dilate[i] * (kernel[i] - 1) + 1 for i in range(nsp)]
    if target_shape and any(target_shape):
        for i in range(nsp):
            total = stride[i] * (ins[i] - 1) + dk[i] - target_shape[i]
            adj[i], pad[i] = total % 2, (total + 1) // 2
    full = [(ins[i] - 1) * stride[i] + dk[i] + adj[i] for i in range(nsp)]
    yf = np.zeros((N, F) + tuple(full), dtype=np.float64)
    for pos in itertools.product(*[range(n) for n in ins]):
        win = tuple(slice(pos[i] * stride[i], pos[i] * stride[i] + dk[i], dilate[i])
                    for i in range(nsp))
        for g in range(G):
            xg = x[(slice(None), slice(g * Cg, (g + 1) * Cg)) + pos]  # (N, Cg)
            wg = w[g * Cg:(g + 1) * Cg].reshape(Cg, -1)  # (Cg, Fg*k)
            contrib = (xg @ wg).reshape((N, Fg) + tuple(kernel))
            yf[(slice(None), slice(g * Fg, (g + 1) * Fg)) + win] += contrib
    out = [(ins[i] - 1) * stride[i] + dk[i] - 2 * pad[i] + adj[i] for i in range(nsp)]
    y = yf[(slice(None), slice(None)) + tuple(slice(pad[i], pad[i] + out[i]) for i in range(nsp))]
    if b is not None:
        y = y + b.reshape((1, F) + (1,) * nsp)
    return y


def nd(a, dtype):
    return mx.nd.array(a, dtype=dtype)


TOL = {"float32": dict(rtol=1e-4, atol=1e-4), "float64": dict(rtol=1e-10, atol=1e-10),
       "float16": dict(rtol=2e-2, atol=2e-2)}

# (data shape, kernel, stride, dilate, pad, num_filter, num_group)
CONV_CASES = [
    ((2, 3, 9), (3,), (), (), (), 4, 1),
    ((2, 4, 11), (3,), (2,), (2,), (1,), 6, 2),
    ((2, 3, 7, 8), (3, 3), (), (), (1, 1), 5, 1),
    ((1, 4, 9, 7), (3, 2), (2, 1), (1, 2), (1, 0), 4, 2),
    ((2, 6, 8, 8), (3, 3), (1, 1), (), (1, 1), 6, 6),          # depthwise
    ((2, 6, 8, 8), (3, 3), (2, 2), (), (1, 1), 12, 6),         # depthwise, multiplier 2
    ((1, 2, 5, 6, 7), (3, 3, 3), (), (), (1, 1, 1), 3, 1),
    ((2, 4, 6, 5, 7), (2, 3, 3), (2, 1, 2), (1, 1, 2), (0, 1, 1), 4, 2),
    ((1, 3, 1, 1), (1, 1), (), (), (), 2, 1),                  # 1x1 spatial
    ((2, 8, 10, 10), (1, 1), (), (), (), 16, 1),               # pointwise
    ((2, 3, 8, 8), (1, 1), (4, 4), (), (), 4, 1),              # skipped input rows
    ((1, 6, 9, 9), (3, 3), (3, 3), (), (0, 0), 6, 6),          # depthwise, stride = kernel
]


def conv_kwargs(kernel, stride, dilate, pad, num_filter, num_group, **extra):
    kw = dict(kernel=kernel, num_filter=num_filter, num_group=num_group)
    if stride:
        kw["stride"] = stride
    if dilate:
        kw["dilate"] = dilate
    if pad:
        kw["pad"] = pad
    kw.update(extra)
    return kw


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("no_bias", [False, True])
def test_convolution_forward(rng, dtype, case, no_bias):
    shape, kernel, stride, dilate, pad, F, G = case
    x = rng.standard_normal(shape)
    w = rng.standard_normal((F, shape[1] // G) + kernel)
    b = None if no_bias else rng.standard_normal(F)
    expected = conv_ref(x, w, b, kernel, stride, dilate, pad, G)
    kw = conv_kwargs(kernel, stride, dilate, pad, F, G, no_bias=no_bias)
    args = [nd(x, dtype), nd(w, dtype)] + ([] if no_bias else [nd(b, dtype)])
    y = mx.nd.Convolution(*args, **kw)
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_allclose(y.asnumpy(), expected, **TOL[dtype])


def test_convolution_float16(rng):
    x = rng.uniform(-1, 1, (2, 4, 6, 6))
    w = rng.uniform(-0.5, 0.5, (3, 4, 3, 3))
    b = rng.uniform(-1, 1, 3)
    expected = conv_ref(x.astype(np.float16).astype(np.float64),
                        w.astype(np.float16).astype(np.float64),
                        b.astype(np.float16).astype(np.float64), (3, 3), pad=(1, 1))
    y = mx.nd.Convolution(nd(x, "float16"), nd(w, "float16"), nd(b, "float16"), kernel=(3, 3),
                          pad=(1, 1), num_filter=3)
    assert y.dtype == np.float16
    np.testing.assert_allclose(y.asnumpy().astype(np.float64), expected, **TOL["float16"])


def test_convolution_benchmark_shape_matches_float64(rng):
    """The blocked-layout oneDNN path on a realistic shape (with reorders)."""
    x = rng.standard_normal((2, 64, 14, 14))
    w = rng.standard_normal((64, 64, 3, 3)) * 0.1
    b = rng.standard_normal(64)
    kw = dict(kernel=(3, 3), pad=(1, 1), num_filter=64)
    y32 = mx.nd.Convolution(nd(x, "float32"), nd(w, "float32"), nd(b, "float32"), **kw).asnumpy()
    y64 = mx.nd.Convolution(nd(x, "float64"), nd(w, "float64"), nd(b, "float64"), **kw).asnumpy()
    np.testing.assert_allclose(y32, y64, rtol=1e-4, atol=1e-4)


def test_convolution_defaults_and_accepted_params(rng):
    x = rng.standard_normal((1, 2, 5, 5))
    w = rng.standard_normal((3, 2, 3, 3))
    b = rng.standard_normal(3)
    y = mx.nd.Convolution(nd(x, "float64"), nd(w, "float64"), nd(b, "float64"), kernel=(3, 3),
                          num_filter=3, workspace=512, cudnn_tune="fastest", cudnn_off=True,
                          layout="NCHW")
    np.testing.assert_allclose(y.asnumpy(), conv_ref(x, w, b, (3, 3)), rtol=1e-12)
    assert y.shape == (1, 3, 3, 3)


# (data shape, kernel, stride, dilate, pad, adj, target_shape, num_filter, num_group)
DECONV_CASES = [
    ((2, 3, 5), (3,), (), (), (), (), (), 4, 1),
    ((2, 4, 5), (3,), (2,), (), (1,), (1,), (), 6, 2),
    ((2, 3, 4, 5), (3, 3), (2, 2), (), (1, 1), (1, 0), (), 2, 1),
    ((1, 4, 4, 4), (4, 4), (2, 2), (), (1, 1), (), (), 4, 4),   # depthwise upsampling
    ((1, 2, 3, 4), (3, 2), (1, 2), (2, 1), (0, 1), (0, 1), (), 3, 1),
    ((1, 2, 4, 4), (3, 3), (2, 2), (), (), (), (8, 8), 3, 1),   # target_shape
    ((1, 2, 3, 3), (3, 3), (3, 3), (), (0, 0), (2, 1), (), 2, 1),  # adj > pad
    ((1, 2, 3, 4, 3), (2, 3, 2), (2, 1, 2), (), (0, 1, 0), (1, 0, 0), (), 3, 1),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", DECONV_CASES)
@pytest.mark.parametrize("no_bias", [True, False])
def test_deconvolution_forward(rng, dtype, case, no_bias):
    shape, kernel, stride, dilate, pad, adj, target, F, G = case
    x = rng.standard_normal(shape)
    w = rng.standard_normal((shape[1], F // G) + kernel)
    b = None if no_bias else rng.standard_normal(F)
    expected = deconv_ref(x, w, b, kernel, stride, dilate, pad, adj, G, target)
    kw = conv_kwargs(kernel, stride, dilate, pad, F, G, no_bias=no_bias)
    if adj:
        kw["adj"] = adj
    if target:
        kw["target_shape"] = target
        assert expected.shape[2:] == target
    args = [nd(x, dtype), nd(w, dtype)] + ([] if no_bias else [nd(b, dtype)])
    y = mx.nd.Deconvolution(*args, **kw)
    np.testing.assert_allclose(y.asnumpy(), expected, **TOL[dtype])


def test_deconvolution_default_no_bias_and_float16(rng):
    x = rng.uniform(-1, 1, (1, 2, 3, 3))
    w = rng.uniform(-1, 1, (2, 3, 2, 2))
    # MXNet's Deconvolution defaults to no_bias=True: two inputs.
    y = mx.nd.Deconvolution(nd(x, "float16"), nd(w, "float16"), kernel=(2, 2), stride=(2, 2),
                            num_filter=3)
    expected = deconv_ref(x.astype(np.float16).astype(np.float64),
                          w.astype(np.float16).astype(np.float64), None, (2, 2), (2, 2))
    assert y.shape == (1, 3, 6, 6) and y.dtype == np.float16
    np.testing.assert_allclose(y.asnumpy().astype(np.float64), expected, **TOL["float16"])


# ---------------------------------------------------------------------------
# Gradients: _backward_Convolution / _backward_Deconvolution against central
# finite differences of the forward op, in float64, with a random head
# gradient (L = sum(head * op(inputs))).
# ---------------------------------------------------------------------------

def finite_diff(loss, arrays, eps=1e-4):
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + eps
            fp = loss()
            a[idx] = old - eps
            fm = loss()
            a[idx] = old
            g[idx] = (fp - fm) / (2 * eps)
        grads.append(g)
    return grads


def check_backward(op, backward_op, x, w, b, kw, rng):
    arrays = [x, w] + ([] if b is None else [b])
    y = op(*[nd(a, "float64") for a in arrays], **kw).asnumpy()
    head = rng.standard_normal(y.shape)

    def loss():
        return float((op(*[nd(a, "float64") for a in arrays], **kw).asnumpy() * head).sum())

    expected = finite_diff(loss, arrays)
    got = backward_op(nd(head, "float64"), nd(x, "float64"), nd(w, "float64"), **kw)
    assert len(got) == len(arrays)
    for g, e in zip(got, expected):
        assert g.shape == e.shape
        np.testing.assert_allclose(g.asnumpy(), e, rtol=1e-6, atol=1e-6)
    # The float32 (oneDNN) gradients agree with the float64 ones.
    got32 = backward_op(nd(head, "float32"), nd(x, "float32"), nd(w, "float32"), **kw)
    for g32, e in zip(got32, expected):
        np.testing.assert_allclose(g32.asnumpy(), e, rtol=1e-4, atol=1e-4)


GRAD_CONV_CASES = [CONV_CASES[i] for i in (0, 1, 3, 4, 7)]


@pytest.mark.parametrize("case", GRAD_CONV_CASES)
@pytest.mark.parametrize("no_bias", [False, True])
def test_convolution_backward_finite_differences(rng, case, no_bias):
    shape, kernel, stride, dilate, pad, F, G = case
    shape = (min(shape[0], 2),) + shape[1:]
    x = rng.standard_normal(shape)
    w = rng.standard_normal((F, shape[1] // G) + kernel)
    b = None if no_bias else rng.standard_normal(F)
    kw = conv_kwargs(kernel, stride, dilate, pad, F, G, no_bias=no_bias)
    check_backward(mx.nd.Convolution, mx.nd._backward_Convolution, x, w, b, kw, rng)


GRAD_DECONV_CASES = [DECONV_CASES[i] for i in (1, 2, 5, 6, 7)]


@pytest.mark.parametrize("case", GRAD_DECONV_CASES)
@pytest.mark.parametrize("no_bias", [True, False])
def test_deconvolution_backward_finite_differences(rng, case, no_bias):
    shape, kernel, stride, dilate, pad, adj, target, F, G = case
    x = rng.standard_normal(shape)
    w = rng.standard_normal((shape[1], F // G) + kernel)
    b = None if no_bias else rng.standard_normal(F)
    kw = conv_kwargs(kernel, stride, dilate, pad, F, G, no_bias=no_bias)
    if adj:
        kw["adj"] = adj
    if target:
        kw["target_shape"] = target
    check_backward(mx.nd.Deconvolution, mx.nd._backward_Deconvolution, x, w, b, kw, rng)


@pytest.mark.parametrize("op", ["Convolution", "Deconvolution"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_backward_skips_unrequested_gradients(rng, op, dtype):
    x = rng.uniform(-1, 1, (2, 4, 5, 5))
    w = rng.uniform(-1, 1, (4, 4, 3, 3))
    kw = dict(kernel=(3, 3), num_filter=4, no_bias=False)
    fwd = getattr(mx.nd, op)(nd(x, dtype), nd(w, dtype), nd(np.zeros(4), dtype), **kw)
    head = nd(rng.uniform(-1, 1, fwd.shape), dtype)
    bwd = getattr(mx.nd, "_backward_" + op)
    full = bwd(head, nd(x, dtype), nd(w, dtype), **kw)
    only_w = bwd(head, nd(x, dtype), nd(w, dtype), grad_data=False, grad_bias=False, **kw)
    assert only_w[0].shape == (0,) and only_w[2].shape == (0,)
    np.testing.assert_array_equal(only_w[1].asnumpy(), full[1].asnumpy())
    only_b = bwd(head, nd(x, dtype), nd(w, dtype), grad_data=False, grad_weight=False, **kw)
    assert only_b[0].shape == (0,) and only_b[1].shape == (0,)
    np.testing.assert_allclose(only_b[2].asnumpy().astype(np.float64),
                               full[2].asnumpy().astype(np.float64), rtol=1e-3)
    # The bias gradient is the head gradient summed over batch and positions.
    np.testing.assert_allclose(full[2].asnumpy().astype(np.float64),
                               head.asnumpy().astype(np.float64).sum(axis=(0, 2, 3)),
                               rtol=2e-2 if dtype == "float16" else 1e-5, atol=1e-3)


# ---------------------------------------------------------------------------
# Bad parameters and inputs: clear errors naming the op and the argument.
# ---------------------------------------------------------------------------

def _conv(x_shape, w_shape, dtype="float32", **kw):
    return mx.nd.Convolution(mx.nd.zeros(x_shape, dtype=dtype), mx.nd.zeros(w_shape, dtype=dtype),
                             no_bias=True, **kw)


@pytest.mark.parametrize("kw,match", [
    (dict(kernel=(0, 3), num_filter=2), "kernel.*> 0"),
    (dict(kernel=(-1, 3), num_filter=2), "kernel.*> 0"),
    (dict(kernel=(3, 3), num_filter=2, stride=(0, 1)), "stride.*> 0"),
    (dict(kernel=(3, 3), num_filter=2, dilate=(1, 0)), "dilate.*> 0"),
    (dict(kernel=(3, 3), num_filter=2, pad=(-1, 0)), "pad.*>= 0"),
    (dict(kernel=(3, 3), num_filter=2, stride=(1, 1, 1)), "stride.*3 entries"),
    (dict(kernel=(1, 1, 1, 1), num_filter=2), "kernel.*1, 2 or 3"),
    (dict(kernel=(3, 3), num_filter=0), "num_filter"),
    (dict(kernel=(3, 3), num_filter=2, num_group=3), "num_filter.*divisible"),
])
def test_convolution_bad_params(kw, match):
    with pytest.raises(mx.MXNetError, match=match):
        _conv((1, 2, 5, 5), (2, 2, 3, 3), **kw)


def test_convolution_shape_errors():
    with pytest.raises(mx.MXNetError, match=r"Convolution: argument 'weight' has shape \(2, 3, 3, 3\)"):
        _conv((1, 2, 5, 5), (2, 3, 3, 3), kernel=(3, 3), num_filter=2)  # channels mismatch
    with pytest.raises(mx.MXNetError, match=r"argument 'weight'.*expected \(4, 2, 3, 3\)"):
        _conv((1, 2, 5, 5), (2, 2, 3, 3), kernel=(3, 3), num_filter=4)  # num_filter mismatch
    with pytest.raises(mx.MXNetError, match=r"argument 'data' has shape \(1, 2, 5\).*4-d array"):
        _conv((1, 2, 5), (2, 2, 3, 3), kernel=(3, 3), num_filter=2)  # wrong ndim
    with pytest.raises(mx.MXNetError, match="exceeds the padded input"):
        _conv((1, 2, 2, 2), (2, 2, 3, 3), kernel=(3, 3), num_filter=2)
    with pytest.raises(mx.MXNetError, match="channels, which is not divisible by num_group"):
        _conv((1, 3, 5, 5), (2, 1, 3, 3), kernel=(3, 3), num_filter=2, num_group=2)
    with pytest.raises(mx.MXNetError, match=r"argument 'bias' has shape \(3,\)"):
        mx.nd.Convolution(mx.nd.zeros((1, 2, 5, 5)), mx.nd.zeros((2, 2, 3, 3)), mx.nd.zeros(3),
                          kernel=(3, 3), num_filter=2)
    with pytest.raises(mx.MXNetError, match="expected 3 inputs"):
        mx.nd.Convolution(mx.nd.zeros((1, 2, 5, 5)), mx.nd.zeros((2, 2, 3, 3)), kernel=(3, 3),
                          num_filter=2)
    with pytest.raises(TypeError, match="float32, float64 or float16"):
        _conv((1, 2, 5, 5), (2, 2, 3, 3), dtype="int32", kernel=(3, 3), num_filter=2)


def test_layout_errors():
    with pytest.raises(mx.MXNetError, match="NHWC' is not supported; only channel-first") as e:
        _conv((1, 5, 5, 2), (2, 2, 3, 3), kernel=(3, 3), num_filter=2, layout="NHWC")
    assert isinstance(e.value, NotImplementedError)
    with pytest.raises(mx.MXNetError, match="layout 'NCW' does not match the 2-d kernel"):
        _conv((1, 2, 5, 5), (2, 2, 3, 3), kernel=(3, 3), num_filter=2, layout="NCW")
    with pytest.raises(mx.MXNetError, match="invalid value 'NCHWX'"):
        _conv((1, 2, 5, 5), (2, 2, 3, 3), kernel=(3, 3), num_filter=2, layout="NCHWX")


def test_deconvolution_errors():
    x, w = mx.nd.zeros((1, 2, 4, 4)), mx.nd.zeros((2, 3, 3, 3))
    with pytest.raises(mx.MXNetError, match="adj.*smaller than the stride"):
        mx.nd.Deconvolution(x, w, kernel=(3, 3), num_filter=3, stride=(2, 2), adj=(2, 0))
    with pytest.raises(mx.MXNetError, match="target_shape.*too big"):
        mx.nd.Deconvolution(x, w, kernel=(3, 3), num_filter=3, target_shape=(20, 20))
    with pytest.raises(mx.MXNetError, match=r"Deconvolution: argument 'weight'.*expected \(2, 4, 3, 3\)"):
        mx.nd.Deconvolution(x, w, kernel=(3, 3), num_filter=4)
    with pytest.raises(mx.MXNetError, match="output would have extent"):
        mx.nd.Deconvolution(x, w, kernel=(3, 3), num_filter=3, pad=(4, 4))
    with pytest.raises(mx.MXNetError, match=r"_backward_Deconvolution: argument 'out_grad'"):
        mx.nd._backward_Deconvolution(mx.nd.zeros((1, 3, 5, 5)), x, w, kernel=(3, 3),
                                      num_filter=3)


# ---------------------------------------------------------------------------
# Through autograd: check_numeric_gradient (finite differences, float64, random
# head gradients) and explicit head gradients.
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", [CONV_CASES[i] for i in (1, 3, 5, 7)])
def test_convolution_autograd_numeric(rng, case):
    shape, kernel, stride, dilate, pad, F, G = case
    shape = (1,) + shape[1:]
    kw = conv_kwargs(kernel, stride, dilate, pad, F, G)
    loc = [rng.standard_normal(shape), rng.standard_normal((F, shape[1] // G) + kernel),
           rng.standard_normal(F)]
    mx.test_utils.check_numeric_gradient(lambda x, w, b: mx.nd.Convolution(x, w, b, **kw), loc)


@pytest.mark.parametrize("case", [DECONV_CASES[i] for i in (1, 2, 5)])
def test_deconvolution_autograd_numeric(rng, case):
    shape, kernel, stride, dilate, pad, adj, target, F, G = case
    kw = conv_kwargs(kernel, stride, dilate, pad, F, G, no_bias=False)
    if adj:
        kw["adj"] = adj
    if target:
        kw["target_shape"] = target
    loc = [rng.standard_normal(shape), rng.standard_normal((shape[1], F // G) + kernel),
           rng.standard_normal(F)]
    mx.test_utils.check_numeric_gradient(lambda x, w, b: mx.nd.Deconvolution(x, w, b, **kw), loc)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_convolution_autograd_head_gradient(rng, dtype):
    x_np = rng.standard_normal((2, 4, 6, 6))
    w_np = rng.standard_normal((6, 2, 3, 3))
    b_np = rng.standard_normal(6)
    kw = dict(kernel=(3, 3), pad=(1, 1), num_filter=6, num_group=2)
    x, w, b = nd(x_np, dtype), nd(w_np, dtype), nd(b_np, dtype)
    for a in (x, w, b):
        a.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Convolution(x, w, b, **kw)
        loss = y * 2
    head = rng.standard_normal(y.shape)
    loss.backward(nd(head, dtype))
    expected = mx.nd._backward_Convolution(nd(2 * head, "float64"), nd(x_np, "float64"),
                                           nd(w_np, "float64"), **kw)
    for a, e in zip((x, w, b), expected):
        np.testing.assert_allclose(a.grad.asnumpy(), e.asnumpy(), **TOL[dtype])


def test_convolution_autograd_only_requested_gradients(rng):
    """Only the weight is a variable: the data gradient is skipped, the weight
    gradient is still right."""
    x_np, w_np = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3))
    kw = dict(kernel=(3, 3), num_filter=4, no_bias=True)
    x, w = nd(x_np, "float64"), nd(w_np, "float64")
    w.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Convolution(x, w, **kw)
    y.backward()
    expected = mx.nd._backward_Convolution(mx.nd.ones(y.shape, dtype="float64"), x, w, **kw)[1]
    np.testing.assert_allclose(w.grad.asnumpy(), expected.asnumpy(), rtol=1e-12)


def test_convolution_from_several_threads(rng):
    """oneDNN primitives, their cache and the scratch memory are shared by
    threads: concurrent calls on different shapes give the single-threaded
    answers."""
    import threading
    cases = []
    for i in range(4):
        x = rng.standard_normal((2, 8, 10 + i, 10))
        w = rng.standard_normal((8, 8, 3, 3))
        cases.append((x, w, conv_ref(x, w, None, (3, 3), pad=(1, 1))))
    errors = []

    def work(x, w, expected):
        try:
            for _ in range(10):
                y = mx.nd.Convolution(nd(x, "float32"), nd(w, "float32"), kernel=(3, 3),
                                      pad=(1, 1), num_filter=8, no_bias=True)
                np.testing.assert_allclose(y.asnumpy(), expected, rtol=1e-4, atol=1e-4)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=c) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


@pytest.mark.parametrize("case", [CONV_CASES[i] for i in (2, 4, 7, 9)] + [
    ((2, 16, 7, 7), (3, 3), (), (), (1, 1), 32, 1),
    ((2, 32, 9, 9), (3, 3), (2, 2), (), (1, 1), 16, 2),
    ((1, 16, 4, 5, 6), (3, 3, 3), (), (), (1, 1, 1), 16, 1),
])
@pytest.mark.parametrize("train", [True, False])
def test_convolution_blocked_data_gradients(rng, case, train):
    """A float32 Convolution keeps the data in oneDNN's blocked layout as a
    hidden output for the weight gradient (16+ channels run blocked).  Its
    gradients, recorded in train or predict mode, match the float64 kernel;
    the hidden output never shows."""
    shape, kernel, stride, dilate, pad, nf, ng = case
    kw = conv_kwargs(kernel, stride, dilate, pad, nf, ng)
    x_np = rng.standard_normal(shape)
    w_np = rng.standard_normal((nf, shape[1] // ng) + kernel) * 0.1
    b_np = rng.standard_normal(nf)
    x, w, b = nd(x_np, "float32"), nd(w_np, "float32"), nd(b_np, "float32")
    for a in (x, w, b):
        a.attach_grad()
    with mx.autograd.record(train_mode=train):
        y = mx.nd.Convolution(x, w, b, **kw)
    assert isinstance(y, mx.nd.NDArray)
    head = rng.standard_normal(y.shape)
    y.backward(nd(head, "float32"))
    expected = mx.nd._backward_Convolution(nd(head, "float64"), nd(x_np, "float64"),
                                           nd(w_np, "float64"), **kw)
    for a, e in zip((x, w, b), expected):
        np.testing.assert_allclose(a.grad.asnumpy(), e.asnumpy(), rtol=1e-4, atol=1e-4)


def test_convolution_blocked_data_is_hidden_and_checked():
    sym = mx.sym.Convolution(mx.sym.var("x"), kernel=(3, 3), num_filter=4, name="c")
    assert sym.list_outputs() == ["c_output"]
    x, w = mx.nd.ones((1, 16, 5, 5)), mx.nd.ones((4, 16, 3, 3))
    dy = mx.nd.ones((1, 4, 3, 3))
    with pytest.raises(mx.base.MXNetError, match="blocked_data"):
        mx.nd._backward_Convolution(dy, x, w, mx.nd.ones((3,)), kernel=(3, 3), num_filter=4,
                                    no_bias=True, use_blocked_data=True)
    with pytest.raises(mx.base.MXNetError, match="blocked_data"):
        mx.nd._backward_Convolution(dy, x, w, mx.nd.ones((3,), dtype="float64"), kernel=(3, 3),
                                    num_filter=4, no_bias=True, use_blocked_data=True)
