"""Neural-network layers: FullyConnected, Convolution, Deconvolution,
Pooling, Activation, LeakyReLU, Embedding, Dropout (inference), Pad,
UpSampling.  Oracles are naive NumPy loops."""
import math

import numpy as np

from . import special
from .common import Family

F64 = np.float64
TOL = {"rtol": 1e-4, "atol": 1e-5}


def conv2d(x, w, b, stride, pad, dilate, groups):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    oh = (h + 2 * pad[0] - dilate[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd + 2 * pad[1] - dilate[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, oh, ow))
    og = o // groups
    for oc in range(o):
        g = oc // og
        for i in range(oh):
            for j in range(ow):
                patch = xp[:, g * cg:(g + 1) * cg,
                           i * stride[0]:i * stride[0] + dilate[0] * (kh - 1) + 1:dilate[0],
                           j * stride[1]:j * stride[1] + dilate[1] * (kw - 1) + 1:dilate[1]]
                out[:, oc, i, j] = np.sum(patch * w[oc], axis=(1, 2, 3))
        if b is not None:
            out[:, oc] += b[oc]
    return out


def deconv2d(x, w, stride, pad):
    """Transposed convolution (groups 1): scatter each input pixel."""
    n, c, h, wd = x.shape
    _, o, kh, kw = w.shape
    full = np.zeros((n, o, (h - 1) * stride[0] + kh, (wd - 1) * stride[1] + kw))
    for i in range(h):
        for j in range(wd):
            full[:, :, i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw] += \
                np.einsum("nc,cokl->nokl", x[:, :, i, j], w)
    return full[:, :, pad[0]:full.shape[2] - pad[0], pad[1]:full.shape[3] - pad[1]]


def pool2d(x, kernel, stride, pad, kind, full=False, count_include_pad=True):
    n, c, h, w = x.shape
    def extent(size, k, s, p):
        span = size + 2 * p - k
        return (math.ceil(span / s) if full else span // s) + 1
    oh, ow = extent(h, kernel[0], stride[0], pad[0]), extent(w, kernel[1], stride[1], pad[1])
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * stride[0] - pad[0], j * stride[1] - pad[1]
            r1, c1 = min(r0 + kernel[0], h + pad[0]), min(c0 + kernel[1], w + pad[1])
            win = x[:, :, max(r0, 0):min(r1, h), max(c0, 0):min(c1, w)]
            if kind == "max":
                out[:, :, i, j] = win.max(axis=(2, 3))
            elif kind == "sum":
                out[:, :, i, j] = win.sum(axis=(2, 3))
            else:
                cnt = (r1 - r0) * (c1 - c0) if count_include_pad else win.shape[2] * win.shape[3]
                out[:, :, i, j] = win.sum(axis=(2, 3)) / cnt
    return out


def dense_family():
    f = Family("nn_dense_conv")
    x, w, b = f.uniform((4, 5)), f.uniform((3, 5)), f.uniform((3,))
    f.ok("FullyConnected/bias", "FullyConnected", [x, w, b], {"num_hidden": "3"},
         (x.astype(F64) @ w.T + b).astype(np.float32), **TOL)
    f.ok("FullyConnected/no-bias", "FullyConnected", [x, w], {"num_hidden": "3", "no_bias": "True"},
         (x.astype(F64) @ w.T).astype(np.float32), **TOL)
    x3 = f.uniform((2, 2, 5))
    w6 = f.uniform((3, 10))
    f.ok("FullyConnected/flatten", "FullyConnected", [x3, w6, b], {"num_hidden": "3"},
         (x3.reshape(2, 10).astype(F64) @ w6.T + b).astype(np.float32), **TOL)
    f.ok("FullyConnected/no-flatten", "FullyConnected", [x3, w, b], {"num_hidden": "3", "flatten": "False"},
         (x3.astype(F64) @ w.T + b).astype(np.float32), **TOL)
    f.error("FullyConnected/weight-shape", "FullyConnected", [x, f.uniform((3, 4)), b],
            {"num_hidden": "3"}, "VALUE")
    f.error("FullyConnected/missing-num_hidden", "FullyConnected", [x, w, b], {}, "VALUE")

    data = f.uniform((2, 4, 7, 6))
    for name, kern, stride, pad, dil, groups, nf in (
            ("3x3", (3, 3), (1, 1), (0, 0), (1, 1), 1, 3),
            ("3x3-pad1-stride2", (3, 3), (2, 2), (1, 1), (1, 1), 1, 5),
            ("2x3-dilate2", (2, 3), (1, 1), (0, 1), (2, 2), 1, 2),
            ("1x1-groups2", (1, 1), (1, 1), (0, 0), (1, 1), 2, 4),
            ("3x3-groups4", (3, 3), (1, 2), (1, 0), (1, 1), 4, 4)):
        wt = f.uniform((nf, 4 // groups) + kern)
        bias = f.uniform((nf,))
        attrs = {"kernel": str(kern), "stride": str(stride), "pad": str(pad), "dilate": str(dil),
                 "num_filter": str(nf), "num_group": str(groups)}
        want = conv2d(data.astype(F64), wt.astype(F64), bias, stride, pad, dil, groups)
        f.ok(f"Convolution/{name}", "Convolution", [data, wt, bias], attrs, want.astype(np.float32), **TOL)
    wt = f.uniform((3, 4, 3, 3))
    f.ok("Convolution/no-bias", "Convolution", [data, wt],
         {"kernel": "(3, 3)", "num_filter": "3", "no_bias": "True"},
         conv2d(data.astype(F64), wt.astype(F64), None, (1, 1), (0, 0), (1, 1), 1).astype(np.float32), **TOL)
    d1 = f.uniform((2, 3, 9))
    w1 = f.uniform((2, 3, 3))
    want = conv2d(d1[:, :, None].astype(F64), w1[:, :, None].astype(F64), None, (1, 2), (0, 1), (1, 1), 1)
    f.ok("Convolution/1d", "Convolution", [d1, w1], {"kernel": "(3,)", "stride": "(2,)", "pad": "(1,)",
                                                    "num_filter": "2", "no_bias": "True"},
         want[:, :, 0].astype(np.float32), **TOL)
    f.error("Convolution/bad-kernel", "Convolution", [data, wt],
            {"kernel": "(9, 9)", "num_filter": "3", "no_bias": "True"}, "VALUE")
    f.error("Convolution/weight-shape", "Convolution", [data, f.uniform((3, 2, 3, 3))],
            {"kernel": "(3, 3)", "num_filter": "3", "no_bias": "True"}, "VALUE")
    f.error("Convolution/groups-not-dividing", "Convolution", [data, wt],
            {"kernel": "(3, 3)", "num_filter": "3", "num_group": "3", "no_bias": "True"}, "VALUE")
    dx = f.uniform((1, 3, 3, 4))
    dw = f.uniform((3, 2, 3, 3))
    for stride, pad in (((1, 1), (0, 0)), ((2, 2), (1, 1))):
        want = deconv2d(dx.astype(F64), dw.astype(F64), stride, pad)
        f.ok(f"Deconvolution/stride{stride[0]}-pad{pad[0]}", "Deconvolution", [dx, dw],
             {"kernel": "(3, 3)", "stride": str(stride), "pad": str(pad), "num_filter": "2"},
             want.astype(np.float32), **TOL)

    px = f.uniform((2, 3, 6, 5))
    for name, attrs, args in (
            ("max-2x2", {"kernel": "(2, 2)", "stride": "(2, 2)"}, ((2, 2), (2, 2), (0, 0), "max")),
            ("avg-3x3-pad1", {"kernel": "(3, 3)", "stride": "(1, 1)", "pad": "(1, 1)", "pool_type": "avg"},
             ((3, 3), (1, 1), (1, 1), "avg")),
            ("sum-2x3", {"kernel": "(2, 3)", "stride": "(1, 2)", "pool_type": "sum"},
             ((2, 3), (1, 2), (0, 0), "sum")),
            ("max-3x3-stride2", {"kernel": "(3, 3)", "stride": "(2, 2)"}, ((3, 3), (2, 2), (0, 0), "max"))):
        f.ok(f"Pooling/{name}", "Pooling", [px], attrs, pool2d(px.astype(F64), *args).astype(np.float32), **TOL)
    f.ok("Pooling/max-full", "Pooling", [px], {"kernel": "(2, 2)", "stride": "(2, 2)",
                                              "pooling_convention": "full"},
         pool2d(px.astype(F64), (2, 2), (2, 2), (0, 0), "max", full=True).astype(np.float32), **TOL)
    f.ok("Pooling/avg-exclude-pad", "Pooling", [px], {"kernel": "(3, 3)", "pad": "(1, 1)", "stride": "(1, 1)",
                                                     "pool_type": "avg", "count_include_pad": "False"},
         pool2d(px.astype(F64), (3, 3), (1, 1), (1, 1), "avg", count_include_pad=False).astype(np.float32),
         **TOL)
    f.ok("Pooling/global-avg", "Pooling", [px], {"global_pool": "True", "pool_type": "avg", "kernel": "(1, 1)"},
         px.astype(F64).mean(axis=(2, 3), keepdims=True).astype(np.float32), **TOL)
    f.ok("Pooling/global-max", "Pooling", [px], {"global_pool": "True"},
         px.max(axis=(2, 3), keepdims=True), **TOL)
    f.error("Pooling/kernel-too-big", "Pooling", [px], {"kernel": "(7, 7)"}, "VALUE")
    return f


def _gelu(x):
    return 0.5 * x * (1 + special.erf(x / np.sqrt(2)))


def activation_family():
    f = Family("nn_activation")
    x = f.uniform((3, 4), -3, 3)
    xd = x.astype(F64)
    for act, fn in (("relu", lambda v: np.maximum(v, 0)), ("sigmoid", lambda v: 1 / (1 + np.exp(-v))),
                    ("tanh", np.tanh), ("softrelu", lambda v: np.log1p(np.exp(v))),
                    ("softsign", lambda v: v / (1 + np.abs(v)))):
        f.ok(f"Activation/{act}", "Activation", [x], {"act_type": act}, fn(xd).astype(np.float32))
    f.error("Activation/unknown-type", "Activation", [x], {"act_type": "swish"}, "VALUE")
    f.error("Activation/missing-type", "Activation", [x], {}, "VALUE")
    f.ok("LeakyReLU/leaky", "LeakyReLU", [x], {}, np.where(xd > 0, xd, 0.25 * xd).astype(np.float32))
    f.ok("LeakyReLU/leaky-slope", "LeakyReLU", [x], {"act_type": "leaky", "slope": "0.1"},
         np.where(xd > 0, xd, 0.1 * xd).astype(np.float32))
    f.ok("LeakyReLU/elu", "LeakyReLU", [x], {"act_type": "elu", "slope": "0.5"},
         np.where(xd > 0, xd, 0.5 * np.expm1(xd)).astype(np.float32))
    lam, alpha = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717
    f.ok("LeakyReLU/selu", "LeakyReLU", [x], {"act_type": "selu"},
         (lam * np.where(xd > 0, xd, alpha * np.expm1(xd))).astype(np.float32))
    f.ok("LeakyReLU/gelu", "LeakyReLU", [x], {"act_type": "gelu"}, _gelu(xd).astype(np.float32), atol=1e-5)
    x4 = f.uniform((2, 3, 2, 2), -2, 2)
    g = np.array([0.1, 0.5, 2.0], dtype=np.float32)
    f.ok("LeakyReLU/prelu", "LeakyReLU", [x4, g], {"act_type": "prelu"},
         np.where(x4 > 0, x4, x4 * g[None, :, None, None]).astype(np.float32))
    f.ok("MakeLoss/forward-identity", "MakeLoss", [x], {"grad_scale": "2"}, x)
    f.ok("Dropout/inference-identity", "Dropout", [x], {"p": "0.5"}, x)
    emb_w = f.uniform((5, 3))
    ids = np.array([[0, 4], [2, 2]], dtype=np.float32)
    f.ok("Embedding/2x2", "Embedding", [ids, emb_w], {"input_dim": "5", "output_dim": "3"},
         emb_w[ids.astype(int)])
    f.error("Embedding/weight-shape", "Embedding", [ids, emb_w], {"input_dim": "6", "output_dim": "3"}, "VALUE")
    px = f.uniform((1, 2, 3, 3))
    pads = (0, 0, 0, 0, 1, 2, 2, 1)
    pw = ((0, 0), (0, 0), (1, 2), (2, 1))
    f.ok("Pad/constant", "Pad", [px], {"mode": "constant", "pad_width": str(pads), "constant_value": "0.5"},
         np.pad(px, pw, constant_values=0.5))
    f.ok("Pad/edge", "Pad", [px], {"mode": "edge", "pad_width": str(pads)}, np.pad(px, pw, mode="edge"))
    f.ok("Pad/reflect", "Pad", [px], {"mode": "reflect", "pad_width": str(pads)}, np.pad(px, pw, mode="reflect"))
    f.error("Pad/pad-batch-axis", "Pad", [px], {"mode": "constant", "pad_width": "(1, 1, 0, 0, 1, 1, 1, 1)"},
            "VALUE")
    ux = f.uniform((1, 2, 2, 3))
    f.ok("UpSampling/nearest2", "UpSampling", [ux], {"scale": "2", "sample_type": "nearest"},
         ux.repeat(2, axis=2).repeat(2, axis=3))
    return f


def families():
    return [dense_family(), activation_family()]
