"""The fused RNN op (MXNet 1.9's `RNN`) against a NumPy implementation written
from the cell equations, and its gradient (`_backward_RNN`, applied by
autograd) against central finite differences."""
import numpy as np
import pytest

import mxlite as mx
from mxlite.test_utils import check_numeric_gradient

GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


# ---------------------------------------------------------------------------
# NumPy reference
# ---------------------------------------------------------------------------

def param_size(mode, L, D, I, H):
    G = GATES[mode]
    return sum(D * (G * H * ((I if l == 0 else D * H) + H) + 2 * G * H) for l in range(L))


def unpack(mode, w, L, D, I, H):
    """Per (layer, direction): (W_i2h, W_h2h, b_i2h, b_h2h) from MXNet's flat
    layout: every weight matrix first, then every bias, both ordered by
    layer then direction."""
    G = GATES[mode]
    mats, pos = {}, 0
    for l in range(L):
        ins = I if l == 0 else D * H
        for d in range(D):
            wi = w[pos:pos + G * H * ins].reshape(G * H, ins)
            pos += G * H * ins
            wh = w[pos:pos + G * H * H].reshape(G * H, H)
            pos += G * H * H
            mats[l, d] = [wi, wh]
    for l in range(L):
        for d in range(D):
            mats[l, d] += [w[pos:pos + G * H], w[pos + G * H:pos + 2 * G * H]]
            pos += 2 * G * H
    assert pos == w.size
    return mats


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def cell(mode, x, h, c, wi, wh, bi, bh, clip):
    """One step for one batch row; returns (h, c)."""
    H = h.shape[0]
    if mode in ("rnn_relu", "rnn_tanh"):
        a = wi @ x + bi + wh @ h + bh
        return (np.maximum(a, 0) if mode == "rnn_relu" else np.tanh(a)), None
    if mode == "lstm":
        a = wi @ x + bi + wh @ h + bh
        i, f, g, o = sigmoid(a[:H]), sigmoid(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), sigmoid(a[3 * H:])
        c = f * c + i * g
        if clip is not None:
            c = np.clip(c, clip[0], clip[1])
        return o * np.tanh(c), c
    xa, ha = wi @ x + bi, wh @ h + bh
    r = sigmoid(xa[:H] + ha[:H])
    z = sigmoid(xa[H:2 * H] + ha[H:2 * H])
    n = np.tanh(xa[2 * H:] + r * ha[2 * H:])
    return (1 - z) * n + z * h, None


def np_rnn(mode, x, w, hx, cx, L, D, H, lens=None, clip=None, masks=None):
    """Returns (out, hy, cy).  Rows run one at a time over their own length;
    the reverse direction starts at the row's last valid step; padded
    outputs are zero.  masks[l]: dropout mask applied to layer l's output."""
    T, N, I = x.shape
    mats = unpack(mode, w, L, D, I, H)
    hy, cy = np.zeros_like(hx), np.zeros_like(hx)
    inp = x
    for l in range(L):
        out = np.zeros((T, N, D * H), dtype=x.dtype)
        for d in range(D):
            wi, wh, bi, bh = mats[l, d]
            for b in range(N):
                n = T if lens is None else int(lens[b])
                h, c = hx[l * D + d, b], (cx[l * D + d, b] if mode == "lstm" else None)
                for t in (range(n) if d == 0 else range(n - 1, -1, -1)):
                    h, c = cell(mode, inp[t, b], h, c, wi, wh, bi, bh, clip)
                    out[t, b, d * H:(d + 1) * H] = h
                hy[l * D + d, b] = h
                if mode == "lstm":
                    cy[l * D + d, b] = c
        inp = out if masks is None or l == L - 1 else out * masks[l]
    return out, hy, cy


def make_inputs(rng, mode, T, N, I, H, L, D, dtype, scale=0.4):
    x = rng.standard_normal((T, N, I)).astype(dtype)
    w = (rng.standard_normal(param_size(mode, L, D, I, H)) * scale).astype(dtype)
    hx = rng.standard_normal((L * D, N, H)).astype(dtype) * 0.5
    cx = rng.standard_normal((L * D, N, H)).astype(dtype) * 0.5
    return x, w, hx, cx


def nd(a):
    return mx.nd.array(a, dtype=a.dtype)


def call(mode, x, w, hx, cx, H, L, D, **kw):
    args = [nd(x), nd(w), nd(hx)] + ([nd(cx)] if mode == "lstm" else [])
    return mx.nd.RNN(*args, state_size=H, num_layers=L, bidirectional=D == 2, mode=mode, **kw)


TOL = {"float32": dict(rtol=2e-5, atol=2e-5), "float64": dict(rtol=1e-12, atol=1e-12)}


# ---------------------------------------------------------------------------
# Forward
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("mode", list(GATES))
@pytest.mark.parametrize("L,D", [(1, 1), (2, 1), (1, 2), (2, 2)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_forward_matches_numpy(mode, L, D, dtype):
    rng = np.random.default_rng(hash((mode, L, D)) % 2**32)
    T, N, I, H = 5, 3, 4, 6
    x, w, hx, cx = make_inputs(rng, mode, T, N, I, H, L, D, dtype)
    res = call(mode, x, w, hx, cx, H, L, D, state_outputs=True)
    out, hy = res[0], res[1]
    ref_out, ref_hy, ref_cy = np_rnn(mode, x.astype("f8"), w.astype("f8"), hx.astype("f8"),
                                     cx.astype("f8"), L, D, H)
    assert out.dtype == np.dtype(dtype) and out.shape == (T, N, D * H)
    np.testing.assert_allclose(out.asnumpy(), ref_out, **TOL[dtype])
    np.testing.assert_allclose(hy.asnumpy(), ref_hy, **TOL[dtype])
    if mode == "lstm":
        np.testing.assert_allclose(res[2].asnumpy(), ref_cy, **TOL[dtype])


@pytest.mark.parametrize("mode", list(GATES))
def test_state_outputs_flag(mode):
    rng = np.random.default_rng(1)
    x, w, hx, cx = make_inputs(rng, mode, 4, 2, 3, 5, 1, 1, "float32")
    single = call(mode, x, w, hx, cx, 5, 1, 1)
    assert isinstance(single, mx.nd.NDArray) and single.shape == (4, 2, 5)
    multi = call(mode, x, w, hx, cx, 5, 1, 1, state_outputs=True)
    assert len(multi) == (3 if mode == "lstm" else 2)
    np.testing.assert_array_equal(single.asnumpy(), multi[0].asnumpy())
    assert all(s.shape == (1, 2, 5) for s in multi[1:])


def test_large_lstm_float32_accuracy():
    """The vectorized exp/tanh stay within float32 rounding on a real-sized
    layer, including saturated gates."""
    rng = np.random.default_rng(2)
    T, N, I, H = 6, 8, 64, 64
    x, w, hx, cx = make_inputs(rng, "lstm", T, N, I, H, 2, 1, "float32", scale=0.3)
    x *= 4  # push pre-activations into saturation
    out = call("lstm", x, w, hx, cx, H, 2, 1).asnumpy()
    ref = np_rnn("lstm", x.astype("f8"), w.astype("f8"), hx.astype("f8"), cx.astype("f8"),
                 2, 1, H)[0]
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh"])
@pytest.mark.parametrize("D", [1, 2])
@pytest.mark.parametrize("len_dtype", ["int32", "float32"])
def test_sequence_length(mode, D, len_dtype):
    rng = np.random.default_rng(3)
    T, N, I, H, L = 5, 4, 3, 4, 2
    x, w, hx, cx = make_inputs(rng, mode, T, N, I, H, L, D, "float64")
    lens = np.array([5, 2, 0, 3], dtype=len_dtype)
    args = [nd(x), nd(w), nd(hx)] + ([nd(cx)] if mode == "lstm" else []) + [nd(lens)]
    res = mx.nd.RNN(*args, state_size=H, num_layers=L, bidirectional=D == 2, mode=mode,
                    use_sequence_length=True, state_outputs=True)
    ref = np_rnn(mode, x, w, hx, cx, L, D, H, lens=lens)
    for got, want in zip(res, ref):
        np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12, atol=1e-12)


def test_lstm_state_clip():
    rng = np.random.default_rng(4)
    T, N, I, H = 6, 3, 4, 5
    x, w, hx, cx = make_inputs(rng, "lstm", T, N, I, H, 2, 2, "float64", scale=1.0)
    cx *= 4
    res = call("lstm", x, w, hx, cx, H, 2, 2, state_outputs=True, lstm_state_clip_min=-0.5,
               lstm_state_clip_max=0.4)
    ref = np_rnn("lstm", x, w, hx, cx, 2, 2, H, clip=(-0.5, 0.4))
    assert np.abs(ref[2]).max() <= 0.5 and not np.allclose(
        ref[0], np_rnn("lstm", x, w, hx, cx, 2, 2, H)[0])  # the clip matters here
    for got, want in zip(res, ref):
        np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12, atol=1e-12)


def test_lstm_state_clip_nan():
    H = 2
    x = np.zeros((1, 1, 1))
    w = np.zeros(param_size("lstm", 1, 1, 1, H))
    hx = np.zeros((1, 1, H))
    cx = np.full((1, 1, H), np.nan)  # f * NaN is NaN
    kw = dict(state_outputs=True, lstm_state_clip_min=-1.0, lstm_state_clip_max=1.0)
    _, _, cy = call("lstm", x, w, hx, cx, H, 1, 1, **kw)
    assert np.isnan(cy.asnumpy()).all()
    _, hy, cy = call("lstm", x, w, hx, cx, H, 1, 1, lstm_state_clip_nan=True, **kw)
    np.testing.assert_array_equal(cy.asnumpy(), -1.0)  # NaN is clipped to the minimum
    np.testing.assert_allclose(hy.asnumpy(), 0.5 * np.tanh(-1.0))


def test_empty_sequence_passes_states_through():
    rng = np.random.default_rng(5)
    x, w, hx, cx = make_inputs(rng, "lstm", 0, 2, 3, 4, 1, 1, "float32")
    out, hy, cy = call("lstm", x, w, hx, cx, 4, 1, 1, state_outputs=True)
    assert out.shape == (0, 2, 4)
    np.testing.assert_array_equal(hy.asnumpy(), hx)
    np.testing.assert_array_equal(cy.asnumpy(), cx)


# ---------------------------------------------------------------------------
# Dropout between layers
# ---------------------------------------------------------------------------

def test_dropout_only_in_training():
    rng = np.random.default_rng(6)
    T, N, I, H = 4, 3, 5, 8
    x, w, hx, cx = make_inputs(rng, "lstm", T, N, I, H, 2, 1, "float64")
    plain = np_rnn("lstm", x, w, hx, cx, 2, 1, H)[0]
    np.testing.assert_allclose(call("lstm", x, w, hx, cx, H, 2, 1, p=0.5).asnumpy(), plain,
                               rtol=1e-12)
    with mx.autograd.record(train_mode=False):
        np.testing.assert_allclose(call("lstm", x, w, hx, cx, H, 2, 1, p=0.5).asnumpy(), plain,
                                   rtol=1e-12)
    with mx.autograd.train_mode():
        mx.random.seed(7)
        a = call("lstm", x, w, hx, cx, H, 2, 1, p=0.5).asnumpy()
        mx.random.seed(7)
        b = call("lstm", x, w, hx, cx, H, 2, 1, p=0.5).asnumpy()
        c = call("lstm", x, w, hx, cx, H, 2, 1, p=0.5).asnumpy()
    np.testing.assert_array_equal(a, b)  # seeded: reproducible
    assert not np.allclose(a, plain) and not np.allclose(a, c)


def test_dropout_mask_statistics():
    """Layer 0's output reaches layer 1 scaled by 1/(1-p) or zeroed: with an
    identity-like rnn_relu second layer the kept fraction is visible."""
    T, N, H, p = 50, 40, 8, 0.3
    x = np.ones((T, N, 1))
    w = np.zeros(param_size("rnn_relu", 2, 1, 1, H))
    mats = unpack("rnn_relu", w, 2, 1, 1, H)  # views into w
    mats[0, 0][2][:] = 1.0                       # layer 0: h = relu(1) = 1
    mats[1, 0][0][:] = np.eye(H)                 # layer 1: h = relu(x_in)
    hx = np.zeros((2, N, H))
    with mx.autograd.train_mode():
        out = call("rnn_relu", x, w, hx, None, H, 2, 1, p=p).asnumpy()
    vals = np.unique(np.round(out, 12))
    np.testing.assert_allclose(vals, [0.0, 1 / (1 - p)])
    assert abs((out == 0).mean() - p) < 0.03


# ---------------------------------------------------------------------------
# Gradients (float64 finite differences through autograd)
# ---------------------------------------------------------------------------

def rnn_fn(mode, H, L, D, seed=None, **kw):
    def f(*a):
        if seed is not None:
            mx.random.seed(seed)  # the same dropout masks at every evaluation
        return mx.nd.RNN(*a, state_size=H, num_layers=L, bidirectional=D == 2, mode=mode, **kw)
    return f


@pytest.mark.parametrize("mode", list(GATES))
@pytest.mark.parametrize("L,D", [(1, 1), (2, 2)])
@pytest.mark.parametrize("state_outputs", [False, True])
def test_gradient_numeric(mode, L, D, state_outputs):
    rng = np.random.default_rng(8)
    T, N, I, H = 3, 2, 3, 3
    x, w, hx, cx = make_inputs(rng, mode, T, N, I, H, L, D, "float64", scale=0.6)
    loc = [x, w, hx] + ([cx] if mode == "lstm" else [])
    check_numeric_gradient(rnn_fn(mode, H, L, D, state_outputs=state_outputs), loc,
                           rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_relu"])
def test_gradient_sequence_length(mode):
    rng = np.random.default_rng(9)
    T, N, I, H, L, D = 4, 3, 2, 3, 2, 2
    x, w, hx, cx = make_inputs(rng, mode, T, N, I, H, L, D, "float64", scale=0.6)
    lens = mx.nd.array([4, 1, 2], dtype="int32")  # not differentiated: held out of `loc`
    loc = [x, w, hx] + ([cx] if mode == "lstm" else [])
    inner = rnn_fn(mode, H, L, D, state_outputs=True, use_sequence_length=True)
    check_numeric_gradient(lambda *a: inner(*a, lens), loc, rtol=1e-5, atol=1e-7)


def test_gradient_lstm_clip():
    rng = np.random.default_rng(10)
    T, N, I, H = 4, 2, 3, 3
    x, w, hx, cx = make_inputs(rng, "lstm", T, N, I, H, 1, 2, "float64", scale=1.0)
    cx *= 3
    fn = rnn_fn("lstm", H, 1, 2, state_outputs=True, lstm_state_clip_min=-0.6,
                lstm_state_clip_max=0.7)
    check_numeric_gradient(fn, [x, w, hx, cx], rtol=1e-5, atol=1e-7)


def test_gradient_with_dropout():
    rng = np.random.default_rng(11)
    T, N, I, H = 3, 3, 2, 4
    x, w, hx, cx = make_inputs(rng, "gru", T, N, I, H, 3, 1, "float64", scale=0.6)
    check_numeric_gradient(rnn_fn("gru", H, 3, 1, seed=3, p=0.4), [x, w, hx],
                           use_forward_train=True, rtol=1e-5, atol=1e-7)


def test_gradient_float32_close_to_float64():
    """The float32 backward (vectorized cells) agrees with float64's."""
    rng = np.random.default_rng(12)
    T, N, I, H = 5, 4, 6, 8
    grads = {}
    for dtype in ("float32", "float64"):
        x, w, hx, cx = make_inputs(np.random.default_rng(12), "lstm", T, N, I, H, 2, 2, dtype)
        arrs = [nd(a) for a in (x, w, hx, cx)]
        for a in arrs:
            a.attach_grad()
        head = nd(rng.standard_normal((T, N, 2 * H)).astype(dtype)) if dtype == "float32" else \
            nd(grads["head"].astype(dtype))
        grads["head"] = head.asnumpy()
        with mx.autograd.record():
            out = mx.nd.RNN(*arrs, state_size=H, num_layers=2, bidirectional=True, mode="lstm")
        out.backward(head)
        grads[dtype] = [a.grad.asnumpy() for a in arrs]
    for g32, g64 in zip(grads["float32"], grads["float64"]):
        np.testing.assert_allclose(g32, g64, rtol=1e-3, atol=1e-5)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------

def lstm_args(T=3, N=2, I=4, H=5, L=1):
    rng = np.random.default_rng(0)
    x, w, hx, cx = make_inputs(rng, "lstm", T, N, I, H, L, 1, "float32")
    return nd(x), nd(w), nd(hx), nd(cx)


def test_wrong_parameter_size():
    x, w, hx, cx = lstm_args()
    with pytest.raises(ValueError, match=r"Operator RNN: argument 'parameters' has shape \(219,\)"
                                         r"; expected \(220,\)"):
        mx.nd.RNN(x, w[:219], hx, cx, state_size=5, num_layers=1, mode="lstm")


def test_wrong_state_shape():
    x, w, hx, cx = lstm_args()
    with pytest.raises(ValueError, match=r"RNN: argument 'state' has shape \(1, 3, 5\)"):
        mx.nd.RNN(x, w, mx.nd.zeros((1, 3, 5)), cx, state_size=5, num_layers=1, mode="lstm")
    with pytest.raises(ValueError, match=r"RNN: argument 'state_cell' has shape \(2, 2, 5\)"):
        mx.nd.RNN(x, w, hx, mx.nd.zeros((2, 2, 5)), state_size=5, num_layers=1, mode="lstm")


def test_missing_state_cell_for_lstm():
    x, w, hx, _ = lstm_args()
    with pytest.raises(ValueError, match=r"RNN: expected 4 inputs \(data, parameters, state, "
                                         r"state_cell\), got 3"):
        mx.nd.RNN(x, w, hx, state_size=5, num_layers=1, mode="lstm")


def test_missing_sequence_length():
    x, w, hx, cx = lstm_args()
    with pytest.raises(ValueError, match=r"expected 5 inputs .*sequence_length\), got 4"):
        mx.nd.RNN(x, w, hx, cx, state_size=5, num_layers=1, mode="lstm", use_sequence_length=True)


def test_bad_data_rank_and_dtype():
    x, w, hx, cx = lstm_args()
    with pytest.raises(ValueError, match=r"RNN: argument 'data' .*expected a 3-d array"):
        mx.nd.RNN(x.reshape((6, 4)), w, hx, cx, state_size=5, num_layers=1, mode="lstm")
    with pytest.raises(TypeError, match=r"RNN: argument 'data' has dtype int32"):
        mx.nd.RNN(x.astype("int32"), w, hx, cx, state_size=5, num_layers=1, mode="lstm")
    with pytest.raises(TypeError, match=r"RNN: argument 'parameters' has dtype float64"):
        mx.nd.RNN(x, w.astype("float64"), hx, cx, state_size=5, num_layers=1, mode="lstm")


def test_bad_attributes():
    x, w, hx, cx = lstm_args()
    with pytest.raises(NotImplementedError, match="projection_size"):
        mx.nd.RNN(x, w, hx, cx, state_size=5, num_layers=1, mode="lstm", projection_size=2)
    with pytest.raises(ValueError, match="together"):
        mx.nd.RNN(x, w, hx, cx, state_size=5, num_layers=1, mode="lstm", lstm_state_clip_min=0.0)
    with pytest.raises(ValueError, match="lstm_state_clip_max"):
        mx.nd.RNN(x, w, hx, cx, state_size=5, num_layers=1, mode="lstm",
                  lstm_state_clip_min=1.0, lstm_state_clip_max=0.0)
    with pytest.raises(ValueError, match=r"RNN: argument 'p'"):
        mx.nd.RNN(x, w, hx, cx, state_size=5, num_layers=1, mode="lstm", p=1.0)
    with pytest.raises(ValueError, match=r"'state_size'"):
        mx.nd.RNN(x, w, hx, cx, state_size=0, num_layers=1, mode="lstm")
    with pytest.raises(mx.MXNetError, match="mode"):
        mx.nd.RNN(x, w, hx, cx, state_size=5, num_layers=1, mode="lstmp")
    with pytest.raises(mx.MXNetError, match="num_layers"):
        mx.nd.RNN(x, w, hx, cx, state_size=5, mode="lstm")


def test_bad_sequence_length_values():
    x, w, hx, cx = lstm_args()
    with pytest.raises(ValueError, match=r"'sequence_length' holds 4 at batch index 1"):
        out = mx.nd.RNN(x, w, hx, cx, mx.nd.array([1, 4], dtype="int32"), state_size=5,
                        num_layers=1, mode="lstm", use_sequence_length=True)
        out.asnumpy()
