"""Memory planning and gradient checkpointing (mirroring): results identical with
planning on and off (MXL_MEMORY_PLAN=0), planned < naive bytes on a ResNet-style
graph, in-place never touches arguments, mirroring gives identical gradients with
fewer planned bytes, in executors and CachedOp."""
import os

import numpy as np
import pytest

import mxlite as mx
from mxlite.test_utils import assert_almost_equal

from graph_helpers import random_inputs, resnet_small


class env:
    """Sets environment variables for the executors compiled inside the block."""

    def __init__(self, **values):
        self.values = values

    def __enter__(self):
        self.saved = {k: os.environ.get(k) for k in self.values}
        os.environ.update({k: str(v) for k, v in self.values.items()})

    def __exit__(self, *exc):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_executor(sym, args, aux, head):
    a = {n: mx.nd.array(v) for n, v in args.items()}
    g = {n: mx.nd.zeros(v.shape) for n, v in args.items()}
    x = {n: mx.nd.array(v) for n, v in aux.items()}
    ex = sym.bind(None, args=a, args_grad=g, aux_states=x)
    out = ex.forward(is_train=True)[0].asnumpy()
    ex.backward(mx.nd.array(head))
    return ex, out, {n: v.asnumpy() for n, v in g.items()}, {n: v.asnumpy() for n, v in a.items()}


@pytest.fixture
def resnet(rng):
    sym = resnet_small(units=(2, 2), filters=(4, 8))
    args, aux = random_inputs(sym, rng, data=(2, 3, 8, 8))
    head = rng.standard_normal((2, 3)).astype(np.float32)
    return sym, args, aux, head


def test_planning_on_off_identical(resnet):
    sym, args, aux, head = resnet
    ex_on, out_on, g_on, a_on = run_executor(sym, args, aux, head)
    with env(MXL_MEMORY_PLAN=0):
        ex_off, out_off, g_off, _ = run_executor(sym, args, aux, head)
    assert np.array_equal(out_on, out_off)
    for n in g_on:
        assert np.array_equal(g_on[n], g_off[n]), n
    for n in args:  # arguments are never used as scratch
        assert np.array_equal(a_on[n], args[n]), n
    assert ex_off.planned_bytes == ex_off.naive_bytes
    assert 0 < ex_on.planned_bytes < ex_on.naive_bytes
    with env(MXNET_EXEC_ENABLE_INPLACE=0):
        ex_ni, out_ni, g_ni, _ = run_executor(sym, args, aux, head)
    assert np.array_equal(out_on, out_ni)
    assert ex_on.planned_bytes <= ex_ni.planned_bytes < ex_ni.naive_bytes
    assert "MB planned" in ex_on.debug_str()


def test_resnet_savings_are_large(resnet):
    sym, args, aux, head = resnet
    ex, *_ = run_executor(sym, args, aux, head)
    assert ex.planned_bytes < 0.6 * ex.naive_bytes


def test_inplace_does_not_clobber_reused_values(rng):
    # relu's input is read again later (x * relu(x)): no in-place over it.
    x = mx.sym.var("x")
    h = x * 2.0
    y = mx.sym.relu(h) * h + mx.sym.sigmoid(h)
    xv = rng.standard_normal((64,)).astype(np.float32)
    ex = y.simple_bind(None, x=(64,))
    out = ex.forward(is_train=True, x=xv)[0].asnumpy()
    hv = 2 * xv
    sig = 1 / (1 + np.exp(-hv))
    assert_almost_equal(out, np.maximum(hv, 0) * hv + sig, rtol=1e-5, atol=1e-6)
    ex.backward(mx.nd.ones(64))
    d = np.where(hv > 0, 2 * hv, 0) + sig * (1 - sig)
    assert_almost_equal(ex.grad_dict["x"].asnumpy(), 2 * d, rtol=1e-4, atol=1e-5)


def cheap_chain():
    # Segments of cheap ops between dense layers: checkpointing keeps each
    # segment's input and recomputes the rest when backward reaches it.
    net = mx.sym.var("data")
    for i in range(4):
        net = mx.sym.FullyConnected(net, name=f"fc{i}", num_hidden=64)
        net = mx.sym.Activation(net, name=f"sig{i}", act_type="sigmoid")
        net = mx.sym.Activation(net * 1.5, name=f"tanh{i}", act_type="tanh")
    return mx.sym.FullyConnected(net, name="fc_out", num_hidden=4)


def test_mirroring_same_gradients_less_memory(rng):
    sym = cheap_chain()
    args, aux = random_inputs(sym, rng, data=(32, 16))
    head = rng.standard_normal((32, 4)).astype(np.float32)
    ex0, out0, g0, _ = run_executor(sym, args, aux, head)
    with env(MXNET_BACKWARD_DO_MIRROR=1):
        ex1, out1, g1, _ = run_executor(sym, args, aux, head)
    assert ex0.mirrored_nodes == 0 and ex1.mirrored_nodes > 0
    assert np.array_equal(out0, out1)
    for n in g0:
        assert_almost_equal(g1[n], g0[n], rtol=1e-6, atol=1e-7)
    assert ex1.planned_bytes < ex0.planned_bytes


def test_force_mirroring_attribute(rng):
    data = mx.sym.var("data")
    fc = mx.sym.FullyConnected(data, name="fc1", num_hidden=8)
    act = mx.sym.Activation(fc, name="act", act_type="tanh", attr={"force_mirroring": "True"})
    sym = mx.sym.FullyConnected(act, name="fc2", num_hidden=2)
    args, aux = random_inputs(sym, rng, data=(4, 5))
    head = rng.standard_normal((4, 2)).astype(np.float32)
    ex, _, g, _ = run_executor(sym, args, aux, head)
    assert ex.mirrored_nodes == 1
    with env(MXNET_BACKWARD_DO_MIRROR=0):
        pass
    plain = mx.sym.FullyConnected(
        mx.sym.Activation(mx.sym.FullyConnected(data, name="fc1", num_hidden=8), name="act",
                          act_type="tanh"), name="fc2", num_hidden=2)
    ex0, _, g0, _ = run_executor(plain, args, aux, head)
    assert ex0.mirrored_nodes == 0
    for n in g:
        assert_almost_equal(g[n], g0[n], rtol=1e-6, atol=1e-7)


def test_cached_op_mirroring_and_planning(resnet):
    sym, args, aux, head = resnet

    def grads(flags):
        arrays = {n: mx.nd.array(v) for n, v in {**args, **aux}.items()}
        for n in args:
            arrays[n].attach_grad()
        op = mx.nd.CachedOp(sym, flags)
        with mx.autograd.record():
            out = op(*[arrays[n] for n in sym.list_inputs()])
        out.backward(mx.nd.array(head))
        return op, {n: arrays[n].grad.asnumpy() for n in args}

    op0, g0 = grads([("static_alloc", True)])
    with env(MXL_MEMORY_PLAN=0):
        op1, g1 = grads([("static_alloc", True)])
    with env(MXNET_BACKWARD_DO_MIRROR=1):
        op2, g2 = grads(())
    for n in g0:
        assert np.array_equal(g0[n], g1[n]), n
        assert_almost_equal(g2[n], g0[n], rtol=1e-5, atol=1e-6)
    assert op0.planned_bytes < op0.naive_bytes
    assert op1.planned_bytes == op1.naive_bytes
    assert op2.mirrored_nodes > 0
