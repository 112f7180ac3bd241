"""Executors (Symbol.bind / simple_bind): forward and backward equal eager autograd
on the same inputs (graph_helpers.eager_grads), NumPy where cheap; grad_req
write/add/null, auxiliary states, multiple outputs, reshape, errors."""
import numpy as np
import pytest

import mxlite as mx
from mxlite.test_utils import (assert_almost_equal, check_numeric_gradient,
                               check_symbolic_backward, check_symbolic_forward)

from graph_helpers import cnn, eager_grads, mlp, random_inputs, resnet_small


def bind_all(sym, args, aux, grad_req="write"):
    a = {n: mx.nd.array(v) for n, v in args.items()}
    g = {n: mx.nd.zeros(v.shape) for n, v in args.items()}
    x = {n: mx.nd.array(v) for n, v in aux.items()}
    return sym.bind(mx.cpu(), args=a, args_grad=g, grad_req=grad_req, aux_states=x)


@pytest.mark.parametrize("build,shape", [(mlp, (4, 6)), (cnn, (2, 3, 6, 6)),
                                         (resnet_small, (2, 3, 8, 8))])
def test_forward_backward_equal_eager(build, shape, rng):
    sym = build()
    args, aux = random_inputs(sym, rng, data=shape)
    ex = bind_all(sym, args, aux)
    outs = ex.forward(is_train=True)
    head = [rng.standard_normal(o.shape).astype(np.float32) for o in outs]
    ex.backward([mx.nd.array(h) for h in head])
    e_outs, e_grads, e_aux = eager_grads(sym, args, aux, head)
    for o, e in zip(outs, e_outs):
        assert_almost_equal(o.asnumpy(), e, rtol=1e-4, atol=1e-5)
    for n in args:
        assert_almost_equal(ex.grad_dict[n].asnumpy(), e_grads[n], rtol=1e-3, atol=1e-4,
                            names=(f"executor gradient of {n}", "eager"))
    for n in aux:  # moving statistics updated once, as eagerly
        assert_almost_equal(ex.aux_dict[n].asnumpy(), e_aux[n], rtol=1e-4, atol=1e-5)


def test_mlp_numpy_oracle(rng):
    x = mx.sym.var("x")
    w = mx.sym.var("w")
    y = mx.sym.tanh(mx.sym.dot(x, w)) * 2.0
    xv = rng.standard_normal((3, 4)).astype(np.float32)
    wv = rng.standard_normal((4, 5)).astype(np.float32)
    t = np.tanh(xv @ wv)
    check_symbolic_forward(y, [xv, wv], [2 * t], rtol=1e-5, atol=1e-6)
    hg = rng.standard_normal((3, 5)).astype(np.float32)
    d = hg * 2 * (1 - t ** 2)
    check_symbolic_backward(y, {"x": xv, "w": wv}, [hg], {"x": d @ wv.T, "w": xv.T @ d},
                            rtol=1e-4, atol=1e-5)


def test_grad_req_add_and_null(rng):
    x = mx.sym.var("x")
    w = mx.sym.var("w")
    y = mx.sym.FullyConnected(x, w, num_hidden=3, no_bias=True)
    xv = rng.standard_normal((2, 4)).astype(np.float32)
    wv = rng.standard_normal((3, 4)).astype(np.float32)
    hg = rng.standard_normal((2, 3)).astype(np.float32)
    check_symbolic_backward(y, [xv, wv], [hg], {"x": hg @ wv, "w": hg.T @ xv}, grad_req="add",
                            rtol=1e-4, atol=1e-5)
    got = check_symbolic_backward(y, [xv, wv], [hg], {"w": hg.T @ xv},
                                  grad_req={"x": "null", "w": "write"}, rtol=1e-4, atol=1e-5)
    assert set(got) == {"w"}
    # add accumulates across calls
    gx = mx.nd.ones((2, 4))
    ex = y.bind(None, args=[mx.nd.array(xv), mx.nd.array(wv)], args_grad={"x": gx},
                grad_req="add")
    for _ in range(2):
        ex.forward(is_train=True)
        ex.backward(mx.nd.array(hg))
    assert_almost_equal(gx.asnumpy(), 1 + 2 * (hg @ wv), rtol=1e-4, atol=1e-5)
    assert ex.grad_dict["w"] is None


def test_shared_input_sums_contributions(rng):
    x = mx.sym.var("x")
    y = x * x + mx.sym.sin(x) + x
    xv = rng.standard_normal((5,)).astype(np.float32)
    check_symbolic_backward(y, [xv], [np.ones(5, np.float32)],
                            [2 * xv + np.cos(xv) + 1], rtol=1e-5, atol=1e-6)


def test_multiple_outputs_and_defaults(rng):
    x = mx.sym.var("x")
    g = mx.sym.Group([mx.sym.exp(x), x * 3.0])
    xv = rng.standard_normal((2, 3)).astype(np.float32)
    ex = g.simple_bind(mx.cpu(), x=(2, 3))
    assert len(ex.outputs) == 2 and set(ex.output_dict) == set(g.list_outputs())
    outs = ex.forward(is_train=True, x=mx.nd.array(xv))
    assert_almost_equal(outs[0].asnumpy(), np.exp(xv), rtol=1e-5)
    assert_almost_equal(outs[1].asnumpy(), 3 * xv, rtol=1e-5)
    ex.backward()  # head gradients default to ones
    assert_almost_equal(ex.grad_dict["x"].asnumpy(), np.exp(xv) + 3, rtol=1e-5)
    ex.backward([None, mx.nd.ones((2, 3)) * 2])
    assert_almost_equal(ex.grad_dict["x"].asnumpy(), np.exp(xv) + 6, rtol=1e-5)


def test_simple_bind_allocates_and_infers(rng):
    sym = mlp((7, 3))
    ex = sym.simple_bind(mx.cpu(), data=(5, 4))
    assert ex.arg_dict["fc1_weight"].shape == (7, 4)
    assert ex.grad_dict["fc2_bias"].shape == (3,)
    assert ex.outputs[0].shape == (5, 3)
    ex2 = sym.simple_bind(mx.cpu(), grad_req="null", data=(5, 4))
    assert all(g is None for g in ex2.grad_arrays)
    ex3 = sym.simple_bind(mx.cpu(), type_dict={"data": np.float64}, data=(5, 4))
    assert ex3.arg_dict["fc1_weight"].dtype == np.float64


def test_softmax_output_loss(rng):
    data = mx.sym.var("data")
    fc = mx.sym.FullyConnected(data, name="fc", num_hidden=4)
    sym = mx.sym.SoftmaxOutput(fc, name="softmax")
    ex = sym.simple_bind(mx.cpu(), data=(3, 5))
    xv = rng.standard_normal((3, 5)).astype(np.float32)
    label = np.array([0, 3, 1], np.float32)
    ex.arg_dict["fc_weight"][:] = rng.standard_normal((4, 5)).astype(np.float32)
    out = ex.forward(is_train=True, data=xv, softmax_label=label)[0].asnumpy()
    ex.backward()
    onehot = np.eye(4, dtype=np.float32)[label.astype(int)]
    assert_almost_equal(ex.grad_dict["fc_bias"].asnumpy(), (out - onehot).sum(0), rtol=1e-4,
                        atol=1e-5)


def test_batchnorm_aux_and_inference_mode(rng):
    sym = cnn()
    args, aux = random_inputs(sym, rng, data=(2, 3, 4, 4))
    ex = bind_all(sym, args, aux)
    ex.forward(is_train=False)
    for n in aux:  # no update outside training
        assert_almost_equal(ex.aux_dict[n].asnumpy(), aux[n])
    arrays = {n: mx.nd.array(v) for n, v in {**args, **aux}.items()}
    from graph_helpers import eager_eval
    ref = eager_eval(sym, arrays)[0].asnumpy()
    assert_almost_equal(ex.outputs[0].asnumpy(), ref, rtol=1e-4, atol=1e-5)


def test_dropout_hidden_mask(rng):
    x = mx.sym.var("x")
    y = mx.sym.Dropout(x, p=0.5)
    ex = y.simple_bind(None, x=(50, 40))
    xv = rng.standard_normal((50, 40)).astype(np.float32)
    out = ex.forward(is_train=True, x=xv)[0].asnumpy()
    ex.backward(mx.nd.ones((50, 40)))
    g = ex.grad_dict["x"].asnumpy()
    kept = out != 0
    assert 0.3 < kept.mean() < 0.7
    assert_almost_equal(g[kept], np.full(kept.sum(), 2.0, np.float32))
    assert np.all(g[~kept] == 0)


def test_check_numeric_gradient_symbol(rng):
    x = mx.sym.var("x")
    w = mx.sym.var("w")
    y = mx.sym.sigmoid(mx.sym.FullyConnected(x, w, num_hidden=2, no_bias=True))
    check_numeric_gradient(y, [rng.standard_normal((3, 4)), rng.standard_normal((2, 4))])
    check_numeric_gradient(y, {"x": rng.standard_normal((3, 4)), "w": rng.standard_normal((2, 4))},
                           grad_nodes=["w"])


def test_reshape(rng):
    sym = mlp((6, 2))
    ex = sym.simple_bind(mx.cpu(), data=(4, 3))
    ex.arg_dict["fc1_weight"][:] = rng.standard_normal((6, 3)).astype(np.float32)
    ex2 = ex.reshape(allow_up_sizing=True, data=(8, 3))
    assert ex2.outputs[0].shape == (8, 2)
    assert ex2.arg_dict["fc1_weight"] is ex.arg_dict["fc1_weight"]  # shared
    xv = rng.standard_normal((8, 3)).astype(np.float32)
    o2 = ex2.forward(data=xv)[0].asnumpy()
    o1 = ex.forward(data=xv[:4])[0].asnumpy()
    assert_almost_equal(o2[:4], o1, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="allow_up_sizing"):
        ex.reshape(data=(16, 3))
    with pytest.raises(ValueError, match="partial_shaping"):
        ex.reshape(allow_up_sizing=True, data=(4, 5))  # fc1_weight would change unasked
    ex3 = ex.reshape(partial_shaping=True, allow_up_sizing=True, data=(4, 5))
    assert ex3.arg_dict["fc1_weight"].shape == (6, 5)


def test_errors(rng):
    sym = mlp((4, 2))
    with pytest.raises(ValueError, match="incomplete|infer"):
        sym.simple_bind(mx.cpu())  # no data shape
    with pytest.raises(ValueError, match="grad_req"):
        sym.simple_bind(mx.cpu(), grad_req="sometimes", data=(2, 3))
    args = [mx.nd.zeros((2, 3)), mx.nd.zeros((4, 5)), mx.nd.zeros((4,)), mx.nd.zeros((2, 4)),
            mx.nd.zeros((2,))]
    with pytest.raises(ValueError, match="fc1"):
        sym.bind(mx.cpu(), args=args)  # fc1_weight has the wrong shape
    with pytest.raises(ValueError, match="arrays"):
        sym.bind(mx.cpu(), args=args[:2])
    ex = sym.simple_bind(mx.cpu(), data=(2, 3))
    with pytest.raises(TypeError, match="unknown argument"):
        ex.forward(nonsense=np.zeros(3))
    with pytest.raises(ValueError, match="shape"):
        ex.forward(data=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="before backward"):
        sym.simple_bind(mx.cpu(), data=(2, 3)).backward()
    ex.forward(is_train=True)
    with pytest.raises(ValueError, match="shape"):
        ex.backward(mx.nd.ones((5, 5)))
