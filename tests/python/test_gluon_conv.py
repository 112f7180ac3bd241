"""gluon.nn convolution, transposed convolution, pooling and padding layers
against naive NumPy loops."""
import itertools

import numpy as np
import pytest

import mxlite as mx
from mxlite.gluon import nn

RNG = np.random.default_rng(11)


def run(block, x):
    block.initialize()
    return block(mx.nd.array(x)).asnumpy()


def param(block, name):
    return block.collect_params()[block.prefix + name].data().asnumpy().astype(np.float64)


def conv_ref(x, w, b, stride, pad, dilate, groups):
    """Naive N-d cross-correlation, NC* layout."""
    nd = x.ndim - 2
    x = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pad])
    n, c = x.shape[:2]
    f = w.shape[0]
    k = w.shape[2:]
    out_sp = [(x.shape[2 + i] - dilate[i] * (k[i] - 1) - 1) // stride[i] + 1 for i in range(nd)]
    out = np.zeros((n, f) + tuple(out_sp))
    cg, fg = c // groups, f // groups
    for o in itertools.product(*[range(s) for s in out_sp]):
        for kk in itertools.product(*[range(s) for s in k]):
            idx = tuple(o[i] * stride[i] + kk[i] * dilate[i] for i in range(nd))
            for g in range(groups):
                xs = x[(slice(None), slice(g * cg, (g + 1) * cg)) + idx]  # (n, cg)
                ws = w[(slice(g * fg, (g + 1) * fg), slice(None)) + kk]  # (fg, cg)
                out[(slice(None), slice(g * fg, (g + 1) * fg)) + o] += xs @ ws.T
    if b is not None:
        out += b.reshape((1, -1) + (1,) * nd)
    return out


def deconv_ref(x, w, b, stride, pad, adj):
    """Naive 2-D transposed convolution (groups=1): scatter each input pixel."""
    n, c, h, wd = x.shape
    f = w.shape[1]
    kh, kw = w.shape[2:]
    oh = (h - 1) * stride[0] + kh + adj[0]
    ow = (wd - 1) * stride[1] + kw + adj[1]
    full = np.zeros((n, f, oh, ow))
    for i in range(h):
        for j in range(wd):
            contrib = np.einsum("nc,cfyx->nfyx", x[:, :, i, j], w)
            full[:, :, i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw] += \
                contrib
    out = full[:, :, pad[0]:oh - pad[0], pad[1]:ow - pad[1]]
    if b is not None:
        out = out + b.reshape(1, -1, 1, 1)
    return out


@pytest.mark.parametrize("kwargs", [
    dict(channels=4, kernel_size=3),
    dict(channels=4, kernel_size=(3, 2), strides=2, padding=(1, 0)),
    dict(channels=6, kernel_size=3, dilation=2, padding=2, groups=3),
    dict(channels=2, kernel_size=1, use_bias=False),
])
def test_conv2d(kwargs):
    x = RNG.standard_normal((2, 6 if kwargs.get("groups") else 3, 7, 6)).astype(np.float32)
    conv = nn.Conv2D(**kwargs)
    y = run(conv, x)
    k = kwargs["kernel_size"]
    k = (k, k) if isinstance(k, int) else k
    to2 = lambda v: (v, v) if isinstance(v, int) else v  # noqa: E731
    ref = conv_ref(x.astype(np.float64), param(conv, "weight"),
                   param(conv, "bias") if kwargs.get("use_bias", True) else None,
                   to2(kwargs.get("strides", 1)), to2(kwargs.get("padding", 0)),
                   to2(kwargs.get("dilation", 1)), kwargs.get("groups", 1))
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)
    assert conv.weight.shape[2:] == k


def test_conv1d_and_conv3d():
    x1 = RNG.standard_normal((2, 3, 9)).astype(np.float32)
    c1 = nn.Conv1D(4, 3, strides=2, padding=1, activation="relu")
    y1 = run(c1, x1)
    ref1 = conv_ref(x1.astype(np.float64), param(c1, "weight"), param(c1, "bias"), (2,), (1,),
                    (1,), 1)
    np.testing.assert_allclose(y1, np.maximum(ref1, 0), rtol=1e-4, atol=1e-4)
    x3 = RNG.standard_normal((1, 2, 4, 5, 3)).astype(np.float32)
    c3 = nn.Conv3D(3, (2, 3, 2), padding=(1, 0, 1))
    y3 = run(c3, x3)
    ref3 = conv_ref(x3.astype(np.float64), param(c3, "weight"), param(c3, "bias"), (1, 1, 1),
                    (1, 0, 1), (1, 1, 1), 1)
    np.testing.assert_allclose(y3, ref3, rtol=1e-4, atol=1e-4)


def test_conv_weight_shapes_known_in_channels():
    c = nn.Conv2D(8, 3, in_channels=4, groups=2)
    assert c.weight.shape == (8, 2, 3, 3)
    t = nn.Conv2DTranspose(8, 3, in_channels=4)
    assert t.weight.shape == (4, 8, 3, 3)
    with pytest.raises(ValueError):
        nn.Conv2D(8, 3, layout="NCW")


@pytest.mark.parametrize("stride,pad,adj", [((1, 1), (0, 0), (0, 0)), ((2, 2), (1, 1), (1, 1)),
                                            ((2, 1), (0, 1), (0, 0))])
def test_conv2d_transpose(stride, pad, adj):
    x = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
    t = nn.Conv2DTranspose(2, (3, 3), strides=stride, padding=pad, output_padding=adj)
    y = run(t, x)
    ref = deconv_ref(x.astype(np.float64), param(t, "weight"), param(t, "bias"), stride, pad, adj)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)


def test_conv1d_transpose():
    x = RNG.standard_normal((2, 3, 5)).astype(np.float32)
    t = nn.Conv1DTranspose(2, 3, strides=2)
    y = run(t, x)
    ref = deconv_ref(x[..., None, :].astype(np.float64), param(t, "weight")[:, :, None, :],
                     param(t, "bias"), (1, 2), (0, 0), (0, 0))[:, :, 0, :]
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)


def pool_ref(x, k, s, p, kind, count_include_pad=True, ceil=False):
    nd = x.ndim - 2
    fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x, [(0, 0), (0, 0)] + [(q, q) for q in p], constant_values=fill)
    ones = np.pad(np.ones(x.shape[2:]), [(q, q) for q in p])
    out_sp = []
    for i in range(nd):
        span = x.shape[2 + i] + 2 * p[i] - k[i]
        out_sp.append((-(-span // s[i]) if ceil else span // s[i]) + 1)
    out = np.zeros(x.shape[:2] + tuple(out_sp))
    for o in itertools.product(*[range(q) for q in out_sp]):
        sl = tuple(slice(o[i] * s[i], o[i] * s[i] + k[i]) for i in range(nd))
        win = xp[(slice(None), slice(None)) + sl]
        axes = tuple(range(2, 2 + nd))
        if kind == "max":
            out[(slice(None), slice(None)) + o] = win.max(axis=axes)
        else:
            cnt = np.prod(k) if count_include_pad else ones[sl].sum()
            out[(slice(None), slice(None)) + o] = win.sum(axis=axes) / cnt
    return out


def test_pool2d():
    x = RNG.standard_normal((2, 3, 7, 6)).astype(np.float32)
    np.testing.assert_allclose(run(nn.MaxPool2D(), x), pool_ref(x, (2, 2), (2, 2), (0, 0), "max"),
                               rtol=1e-6)
    np.testing.assert_allclose(run(nn.MaxPool2D(3, 2, 1), x),
                               pool_ref(x, (3, 3), (2, 2), (1, 1), "max"), rtol=1e-6)
    np.testing.assert_allclose(run(nn.AvgPool2D(3, 2, 1), x),
                               pool_ref(x, (3, 3), (2, 2), (1, 1), "avg"), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(run(nn.AvgPool2D(3, 2, 1, count_include_pad=False), x),
                               pool_ref(x, (3, 3), (2, 2), (1, 1), "avg", False), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(run(nn.MaxPool2D(2, 2, ceil_mode=True), x),
                               pool_ref(x, (2, 2), (2, 2), (0, 0), "max", ceil=True), rtol=1e-6)


def test_pool1d_3d_and_global():
    x1 = RNG.standard_normal((2, 3, 9)).astype(np.float32)
    np.testing.assert_allclose(run(nn.MaxPool1D(3), x1), pool_ref(x1, (3,), (3,), (0,), "max"))
    np.testing.assert_allclose(run(nn.AvgPool1D(2, 1), x1),
                               pool_ref(x1, (2,), (1,), (0,), "avg"), rtol=1e-5)
    x3 = RNG.standard_normal((1, 2, 4, 4, 6)).astype(np.float32)
    np.testing.assert_allclose(run(nn.MaxPool3D(), x3),
                               pool_ref(x3, (2, 2, 2), (2, 2, 2), (0, 0, 0), "max"))
    np.testing.assert_allclose(run(nn.AvgPool3D((2, 2, 3)), x3),
                               pool_ref(x3, (2, 2, 3), (2, 2, 3), (0, 0, 0), "avg"), rtol=1e-5)
    for dims, x in ((1, x1), (2, x3[:, :, 0]), (3, x3)):
        axes = tuple(range(2, 2 + dims))
        gmax = getattr(nn, f"GlobalMaxPool{dims}D")()
        gavg = getattr(nn, f"GlobalAvgPool{dims}D")()
        np.testing.assert_allclose(run(gmax, x), x.max(axis=axes, keepdims=True))
        np.testing.assert_allclose(run(gavg, x), x.mean(axis=axes, keepdims=True), rtol=1e-5,
                                   atol=1e-6)


def test_reflection_pad():
    x = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
    np.testing.assert_array_equal(run(nn.ReflectionPad2D(2), x),
                                  np.pad(x, [(0, 0), (0, 0), (2, 2), (2, 2)], mode="reflect"))
    np.testing.assert_array_equal(
        run(nn.ReflectionPad2D((0, 0, 0, 0, 1, 0, 2, 1)), x),
        np.pad(x, [(0, 0), (0, 0), (1, 0), (2, 1)], mode="reflect"))


def test_conv_deferred_and_repr():
    c = nn.Conv2D(5, 3, strides=2)
    c.initialize()
    assert repr(c) == "Conv2D(None -> 5, kernel_size=(3, 3), stride=(2, 2))"
    c(mx.nd.ones((1, 4, 8, 8)))
    assert c.weight.shape == (5, 4, 3, 3)
    assert repr(c) == "Conv2D(4 -> 5, kernel_size=(3, 3), stride=(2, 2))"
    assert repr(nn.MaxPool2D()) == ("MaxPool2D(size=(2, 2), stride=(2, 2), padding=(0, 0), "
                                    "ceil_mode=False, global_pool=False, pool_type=max, "
                                    "layout=NCHW)")


def test_conv_gradient_matches_numeric():
    x = RNG.standard_normal((1, 2, 5, 5))
    c = nn.Conv2D(2, 3, padding=1, in_channels=2)
    c.initialize()
    c.cast("float64")
    mx.test_utils.check_numeric_gradient(lambda a: c(a), [x])
