"""mx.autograd's API against hand-computed gradients (per-op gradients are
checked against finite differences in test_grad_*.py and the op tests)."""
import threading

import numpy as np
import pytest

import mxlite as mx
from mxlite import autograd as ag
from mxlite.test_utils import assert_almost_equal, check_numeric_gradient


def var(values, grad_req="write", dtype="float64"):
    x = mx.nd.array(np.asarray(values, dtype=dtype), dtype=dtype)
    x.attach_grad(grad_req)
    return x


def test_scopes_switch_and_restore_state():
    assert not ag.is_recording() and not ag.is_training()
    with ag.record():
        assert ag.is_recording() and ag.is_training()
        with ag.pause():
            assert not ag.is_recording() and not ag.is_training()
        with ag.predict_mode():
            assert ag.is_recording() and not ag.is_training()
        assert ag.is_recording() and ag.is_training()
    with ag.record(train_mode=False):
        assert ag.is_recording() and not ag.is_training()
    with ag.train_mode():
        assert not ag.is_recording() and ag.is_training()
    assert not ag.is_recording() and not ag.is_training()
    assert ag.set_recording(True) is False
    assert ag.set_recording(False) is True


def test_scope_restores_state_after_exception():
    with pytest.raises(KeyError):
        with ag.record():
            raise KeyError("x")
    assert not ag.is_recording() and not ag.is_training()


def test_recording_is_per_thread():
    seen = []
    with ag.record():
        t = threading.Thread(target=lambda: seen.append(ag.is_recording()))
        t.start()
        t.join()
    assert seen == [False]


def test_polynomial_gradient_with_fan_out():
    x = var([1.0, -2.0, 0.5])
    with ag.record():
        y = x * x * x + 2 * x  # x used three times
    y.backward()
    assert_almost_equal(x.grad.asnumpy(), 3 * np.array([1.0, 4.0, 0.25]) + 2)


def test_head_gradient_weights_the_output():
    x = var([1.0, 2.0])
    with ag.record():
        y = x * x
    y.backward(mx.nd.array([10.0, 100.0], dtype="float64"))
    assert_almost_equal(x.grad.asnumpy(), [20.0, 400.0])


def test_grad_req_add_accumulates_and_write_overwrites():
    x = var([1.0, 2.0], grad_req="add")
    for _ in range(3):
        with ag.record():
            y = x * x
        y.backward()
    assert_almost_equal(x.grad.asnumpy(), 3 * np.array([2.0, 4.0]))
    w = var([1.0, 2.0])
    for _ in range(3):
        with ag.record():
            y = w * w
        y.backward()
    assert_almost_equal(w.grad.asnumpy(), [2.0, 4.0])


def test_kernels_writing_gradient_buffers_directly():
    """A leaf with grad_req write and a single consumer gets its gradient
    written by the backward kernel straight into its buffer (no copy): the
    handle taken before backward sees it, repeated passes overwrite, a leaf
    read twice still sums, and a gradient buffer that the backward kernel
    also reads (here as the head gradient) is not corrupted."""
    rng = np.random.default_rng(0)
    x_np, w_np, h_np = (rng.standard_normal(s) for s in ((4, 3), (3, 3), (4, 3)))
    x, w = var(x_np), var(w_np)
    gx, gw = x.grad, w.grad
    for _ in range(2):
        with ag.record():
            y = mx.nd.FullyConnected(x, w, num_hidden=3, no_bias=True)
        y.backward(mx.nd.array(h_np, dtype="float64"))
    assert_almost_equal(gx.asnumpy(), h_np @ w_np)
    assert_almost_equal(gw.asnumpy(), h_np.T @ x_np)
    assert_almost_equal(x.grad.asnumpy(), h_np @ w_np)
    # read twice: x feeds both operands, so its gradient is a sum
    with ag.record():
        y = mx.nd.FullyConnected(x, x[:3], num_hidden=3, no_bias=True)
    y.backward(mx.nd.array(h_np, dtype="float64"))
    expected = h_np @ x_np[:3]
    expected[:3] += h_np.T @ x_np
    assert_almost_equal(x.grad.asnumpy(), expected)
    # the head gradient is x's own gradient buffer
    x.grad[:] = h_np
    with ag.record():
        y = mx.nd.FullyConnected(x, w, num_hidden=3, no_bias=True)
    y.backward(x.grad)
    assert_almost_equal(x.grad.asnumpy(), h_np @ w_np)


def test_grad_req_null_gets_no_gradient():
    x = var([1.0, 2.0], grad_req="null")
    w = var([3.0, 4.0])
    with ag.record():
        y = x * w
    y.backward()
    assert_almost_equal(w.grad.asnumpy(), [1.0, 2.0])
    assert x.grad is None or np.all(x.grad.asnumpy() == 0)


def test_bad_grad_req_is_a_value_error():
    x = mx.nd.ones((2,))
    with pytest.raises(ValueError, match="grad_req"):
        x.attach_grad("sometimes")


def test_several_heads_sum_their_gradients():
    x = var([1.0, 2.0])
    with ag.record():
        a = x * x
        b = 3 * x
    ag.backward([a, b])
    assert_almost_equal(x.grad.asnumpy(), 2 * np.array([1.0, 2.0]) + 3)


def test_retain_graph_allows_a_second_backward():
    x = var([1.0, 2.0], grad_req="add")
    with ag.record():
        y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert_almost_equal(x.grad.asnumpy(), [4.0, 8.0])
    with pytest.raises(mx.MXNetError, match="retain_graph"):
        y.backward()


def test_backward_outside_a_recorded_graph_is_an_error():
    x = mx.nd.ones((2,))
    with pytest.raises(mx.MXNetError, match="not part of a recorded graph"):
        x.backward()
    v = var([1.0])
    y = v * 2  # not recorded
    with pytest.raises(mx.MXNetError, match="not part of a recorded graph"):
        y.backward()


def test_head_gradient_shape_must_match():
    x = var([1.0, 2.0])
    with ag.record():
        y = x * x
    with pytest.raises(ValueError, match="shape"):
        y.backward(mx.nd.ones((3,), dtype="float64"))


def test_autograd_grad_returns_without_touching_buffers():
    x = var([1.0, 2.0])
    with ag.record():
        y = x * x * x
    g = ag.grad(y, x, retain_graph=True)
    assert_almost_equal(g.asnumpy(), [3.0, 12.0])
    assert np.all(x.grad.asnumpy() == 0)
    gs = ag.grad([y], [x], retain_graph=False)
    assert isinstance(gs, list) and len(gs) == 1


def test_second_order_gradient_with_create_graph():
    x = var([0.5, 2.0])
    with ag.record():
        y = x * x * x
        dy = ag.grad(y, x, create_graph=True)  # 3 x^2, recorded
        z = dy * x                             # 3 x^3
    z.backward()
    assert_almost_equal(dy.asnumpy(), [0.75, 12.0])
    assert_almost_equal(x.grad.asnumpy(), 9 * np.array([0.25, 4.0]))


def test_third_order_of_a_cube():
    x = var([1.5])
    with ag.record():
        y = x * x * x
        d1 = ag.grad(y, x, create_graph=True)
        d2 = ag.grad(d1, x, create_graph=True)
    d2.backward()
    assert_almost_equal(d2.asnumpy(), [9.0])       # 6x
    assert_almost_equal(x.grad.asnumpy(), [6.0])   # 6


def test_detach_cuts_the_graph():
    x = var([1.0, 2.0])
    with ag.record():
        y = x * x
        z = y.detach() * x
    z.backward()
    assert_almost_equal(x.grad.asnumpy(), [1.0, 4.0])  # only through the second factor


def test_mark_variables_with_own_buffers():
    x = mx.nd.array([1.0, 2.0], dtype="float64")
    g = mx.nd.zeros((2,), dtype="float64")
    ag.mark_variables([x], [g], "write")
    with ag.record():
        y = x * 5
    y.backward()
    assert_almost_equal(g.asnumpy(), [5.0, 5.0])
    assert x.grad is g


def test_views_are_recorded_while_recording():
    x = var(np.arange(12.0).reshape(3, 4))
    with ag.record():
        a = x[1]             # at view
        b = x[0:2]           # slice view
        c = x.reshape(4, 3)  # reshape view
        y = (a * 2).sum() + (b * 3).sum() + (c * c).sum()
    y.backward()
    expected = 2 * np.arange(12.0).reshape(3, 4)
    expected[1] += 2
    expected[0:2] += 3
    assert_almost_equal(x.grad.asnumpy(), expected)


def test_inplace_write_to_a_variable_while_recording_is_an_error():
    x = var([1.0, 2.0])
    with ag.record():
        with pytest.raises(mx.MXNetError, match="in-place"):
            x += 1


def test_non_differentiable_op_names_itself():
    x = var([[1.0, 3.0], [2.0, 0.0]])
    with ag.record():
        y = mx.nd._internal._trigamma(x)  # a helper kernel that declares no gradient
    with pytest.raises(mx.MXNetError, match="_trigamma is not differentiable"):
        y.backward()


def test_training_mode_reaches_kernels_and_backward_default():
    # Dropout is active only in training mode (record() defaults to it).
    x = mx.nd.ones((1000,))
    with ag.record():
        y = mx.nd.Dropout(x, p=0.5)
    assert (y.asnumpy() == 0).mean() > 0.3
    with ag.record(train_mode=False):
        y = mx.nd.Dropout(x, p=0.5)
    assert np.all(y.asnumpy() == 1)


class _Sigmoid(ag.Function):
    def forward(self, x):
        y = 1 / (1 + mx.nd.exp(-x))
        self.save_for_backward(y)
        return y

    def backward(self, dy):
        y, = self.saved_tensors
        return dy * y * (1 - y)


def test_custom_function_gradient_matches_finite_differences():
    check_numeric_gradient(lambda x: _Sigmoid()(x) * x, [np.linspace(-2, 2, 7)])


def test_custom_function_with_two_inputs_and_two_outputs():
    class SumDiff(ag.Function):
        def forward(self, a, b):
            return a + b, a - b

        def backward(self, ds, dd):
            return ds + dd, ds - dd

    a, b = var([1.0, 2.0]), var([3.0, 5.0])
    with ag.record():
        s, d = SumDiff()(a, b)
        y = s * 2 + d * 3
    y.backward()
    assert_almost_equal(a.grad.asnumpy(), [5.0, 5.0])
    assert_almost_equal(b.grad.asnumpy(), [-1.0, -1.0])


def test_custom_function_errors_are_reported():
    class Broken(ag.Function):
        def forward(self, x):
            return x * 1

        def backward(self, dy):
            raise RuntimeError("deliberate failure")

    class WrongCount(ag.Function):
        def forward(self, x):
            return x * 1

        def backward(self, dy):
            return dy, dy

    x = var([1.0])
    for fn, msg in ((Broken, "deliberate failure"), (WrongCount, "returned 2 gradients")):
        with ag.record():
            y = fn()(x)
        with pytest.raises(mx.MXNetError, match=msg):
            y.backward()
    f = _Sigmoid()
    f(x)
    with pytest.raises(mx.MXNetError, match="called once"):
        f(x)


def test_graph_is_freed_when_arrays_go_away():
    before = mx.base.ffi.new("int64_t*")
    mx.base.check_call(mx.base.lib.mxl_live_handles(before))
    for _ in range(3):
        x = var(np.ones(10))
        with ag.record():
            y = _Sigmoid()(x) * x
        y.backward()
        del x, y
    import gc
    gc.collect()
    after = mx.base.ffi.new("int64_t*")
    mx.base.check_call(mx.base.lib.mxl_live_handles(after))
    assert after[0] <= before[0] + 2  # op handles cached on first use
    assert not ag._live_functions
