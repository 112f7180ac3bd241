"""Arrays a kernel leaves in a layout of its own (float32 Convolution with 16+
channels writes y and dx in oneDNN's blocked layout; the first read converts
them row-major, see Chunk in src/ndarray/ndarray.h).  Every way of reading,
viewing, overwriting, exporting or accumulating such an array must see the
same values as NumPy."""
import os
import subprocess
import sys

import numpy as np
import pytest

import mxlite as mx

KW = dict(kernel=(3, 3), pad=(1, 1), num_filter=32, no_bias=True)


def conv_ref(x, w):
    """3x3, pad 1, stride 1, no bias: the float64 kernel as the oracle."""
    return mx.nd.Convolution(mx.nd.array(x, dtype="float64"), mx.nd.array(w, dtype="float64"),
                             **KW).asnumpy()


@pytest.fixture
def data(rng):
    x = rng.standard_normal((2, 16, 6, 7)).astype(np.float32)
    w = (rng.standard_normal((32, 16, 3, 3)) * 0.2).astype(np.float32)
    return x, w


def conv(x, w):
    return mx.nd.Convolution(mx.nd.array(x), mx.nd.array(w), **KW)


def test_readers_see_row_major_values(data):
    x, w = data
    ref = conv_ref(x, w)
    y = conv(x, w)
    # several consumers queued before anyone converts, then views
    z1, z2, s = y + 1, y * 2, mx.nd.sum(y, axis=(2, 3))
    np.testing.assert_allclose(z1.asnumpy(), ref + 1, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(z2.asnumpy(), ref * 2, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(s.asnumpy(), ref.sum(axis=(2, 3)), rtol=1e-4, atol=1e-3)
    y2 = conv(x, w)
    np.testing.assert_allclose(y2[1].asnumpy(), ref[1], rtol=1e-4, atol=1e-4)  # a view first
    np.testing.assert_allclose(y2.reshape((2, -1)).asnumpy(), ref.reshape(2, -1),
                               rtol=1e-4, atol=1e-4)


def test_partial_and_whole_overwrites(data):
    x, w = data
    ref = conv_ref(x, w)
    y = conv(x, w)
    y[0] = 0  # writes a view: the rest must survive
    expected = ref.copy()
    expected[0] = 0
    np.testing.assert_allclose(y.asnumpy(), expected, rtol=1e-4, atol=1e-4)
    y = conv(x, w)
    a = mx.nd.array(-ref.astype(np.float32))
    mx.nd.relu(a, out=y)  # overwrites all of it
    np.testing.assert_allclose(y.asnumpy(), np.maximum(-ref, 0), rtol=1e-4, atol=1e-4)
    y = conv(x, w)
    y[:] = np.ones(y.shape, dtype=np.float32)
    np.testing.assert_array_equal(y.asnumpy(), np.ones(y.shape))


def test_output_into_an_existing_array_and_dlpack(data):
    x, w = data
    ref = conv_ref(x, w)
    out = mx.nd.zeros(ref.shape)
    mx.nd.Convolution(mx.nd.array(x), mx.nd.array(w), out=out, **KW)
    view = np.from_dlpack(out)  # pins the memory: later results stay row-major
    np.testing.assert_allclose(view, ref, rtol=1e-4, atol=1e-4)
    mx.nd.Convolution(mx.nd.array(2 * x), mx.nd.array(w), out=out, **KW)
    out.wait_to_read()
    np.testing.assert_allclose(view, 2 * ref, rtol=1e-4, atol=1e-3)


def test_gradients_left_blocked_accumulate_and_save(data, tmp_path):
    x_np, w_np = data
    x, w = mx.nd.array(x_np), mx.nd.array(w_np)
    x.attach_grad(grad_req="add")
    w.attach_grad()
    head = np.random.default_rng(1).standard_normal((2, 32, 6, 7)).astype(np.float32)
    for _ in range(2):
        with mx.autograd.record():
            y = mx.nd.Convolution(x, w, **KW)
        y.backward(mx.nd.array(head))
    dx = mx.nd._backward_Convolution(mx.nd.array(head, dtype="float64"),
                                     mx.nd.array(x_np, dtype="float64"),
                                     mx.nd.array(w_np, dtype="float64"), **KW)[0].asnumpy()
    np.testing.assert_allclose(x.grad.asnumpy(), 2 * dx, rtol=1e-4, atol=1e-3)
    y = conv(x_np, w_np)
    path = str(tmp_path / "y.params")
    mx.nd.save(path, {"y": y})
    np.testing.assert_allclose(mx.nd.load(path)["y"].asnumpy(), conv_ref(x_np, w_np),
                               rtol=1e-4, atol=1e-4)


def test_concurrent_readers_from_threads(data):
    import threading
    x, w = data
    ref = conv_ref(x, w)
    for _ in range(5):
        y = conv(x, w)
        y.wait_to_read()
        results = [None] * 4

        def read(i):
            results[i] = y.asnumpy()

        threads = [threading.Thread(target=read, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in results:
            np.testing.assert_allclose(r, ref, rtol=1e-4, atol=1e-4)


def test_switch_off_gives_the_same_values(data):
    """MXL_OWN_LAYOUTS=0 makes every kernel write row-major at once."""
    x, w = data
    code = ("import numpy as np, mxlite as mx, sys\n"
            "x = np.load(sys.argv[1]); w = np.load(sys.argv[2])\n"
            "y = mx.nd.Convolution(mx.nd.array(x), mx.nd.array(w), kernel=(3, 3), pad=(1, 1),"
            " num_filter=32, no_bias=True)\n"
            "np.save(sys.argv[3], y.asnumpy())\n")
    d = os.path.dirname(os.path.abspath(__file__))
    tmp = os.path.join(d, "__pycache__")
    os.makedirs(tmp, exist_ok=True)
    paths = [os.path.join(tmp, f"own_layout_{n}.npy") for n in ("x", "w", "y")]
    np.save(paths[0], x)
    np.save(paths[1], w)
    env = dict(os.environ, MXL_OWN_LAYOUTS="0")
    subprocess.run([sys.executable, "-c", code] + paths, check=True, env=env, timeout=120)
    np.testing.assert_array_equal(np.load(paths[2]), conv(x, w).asnumpy())
