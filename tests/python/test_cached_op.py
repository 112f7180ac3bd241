"""mx.nd.CachedOp: results and gradients equal eager autograd (graph_helpers), one
tape node per call, BatchNorm's moving statistics updated in training, static_alloc
reuse across calls, re-planning when shapes change."""
import numpy as np
import pytest

import mxlite as mx
from mxlite.test_utils import assert_almost_equal

from graph_helpers import cnn, eager_grads, mlp, random_inputs, resnet_small


def call_cached(op, sym, args, aux, head, train=True):
    arrays = {n: mx.nd.array(v) for n, v in {**args, **aux}.items()}
    for n in args:
        arrays[n].attach_grad()
    inputs = [arrays[n] for n in sym.list_inputs()]
    with mx.autograd.record(train_mode=train):
        out = op(*inputs)
    outs = [out] if isinstance(out, mx.nd.NDArray) else out
    mx.autograd.backward(outs, [mx.nd.array(h) for h in head])
    return ([o.asnumpy() for o in outs], {n: arrays[n].grad.asnumpy() for n in args},
            {n: arrays[n].asnumpy() for n in aux})


@pytest.mark.parametrize("flags", [(), [("static_alloc", True), ("static_shape", True)]])
@pytest.mark.parametrize("build,shape", [(mlp, (4, 6)), (cnn, (2, 3, 6, 6)),
                                         (resnet_small, (2, 3, 8, 8))])
def test_equals_eager_autograd(build, shape, flags, rng):
    sym = build()
    args, aux = random_inputs(sym, rng, data=shape)
    op = mx.nd.CachedOp(sym, flags)
    out_shape = sym.infer_shape(data=shape)[1][0]
    head = [rng.standard_normal(out_shape).astype(np.float32)]
    for _ in range(2):  # the second call reuses the compiled graph (and static memory)
        outs, grads, new_aux = call_cached(op, sym, args, aux, head)
    e_outs, e_grads, e_aux = eager_grads(sym, args, aux, head)
    assert_almost_equal(outs[0], e_outs[0], rtol=1e-4, atol=1e-5)
    for n in args:
        assert_almost_equal(grads[n], e_grads[n], rtol=1e-3, atol=1e-4,
                            names=(f"CachedOp gradient of {n}", "eager"))
    for n in aux:
        assert_almost_equal(new_aux[n], e_aux[n], rtol=1e-4, atol=1e-5)


def test_inference_and_predict_mode(rng):
    sym = cnn()
    args, aux = random_inputs(sym, rng, data=(2, 3, 4, 4))
    op = mx.nd.CachedOp(sym)
    arrays = {n: mx.nd.array(v) for n, v in {**args, **aux}.items()}
    out = op(*[arrays[n] for n in sym.list_inputs()])
    assert isinstance(out, mx.nd.NDArray)
    from graph_helpers import eager_eval
    ref = eager_eval(sym, {n: mx.nd.array(v) for n, v in {**args, **aux}.items()})[0]
    assert_almost_equal(out.asnumpy(), ref.asnumpy(), rtol=1e-4, atol=1e-5)
    for n in aux:  # predict mode: moving statistics untouched
        assert_almost_equal(arrays[n].asnumpy(), aux[n])


def test_one_tape_node_and_partial_grads(rng):
    x = mx.sym.var("x")
    w = mx.sym.var("w")
    sym = mx.sym.tanh(mx.sym.dot(x, w))
    op = mx.nd.CachedOp(sym)
    xv = rng.standard_normal((3, 4)).astype(np.float32)
    wv = rng.standard_normal((4, 2)).astype(np.float32)
    xa, wa = mx.nd.array(xv), mx.nd.array(wv)
    wa.attach_grad()  # only w is tracked
    with mx.autograd.record():
        y = op(xa, wa)
        loss = (y * 2.0).sum()
    loss.backward()
    t = np.tanh(xv @ wv)
    assert_almost_equal(wa.grad.asnumpy(), xv.T @ (2 * (1 - t ** 2)), rtol=1e-4, atol=1e-5)


def test_multiple_outputs(rng):
    x = mx.sym.var("x")
    sym = mx.sym.Group([mx.sym.exp(x), mx.sym.sin(x)])
    op = mx.nd.CachedOp(sym)
    xv = rng.standard_normal((4,)).astype(np.float32)
    xa = mx.nd.array(xv)
    xa.attach_grad()
    with mx.autograd.record():
        a, b = op(xa)
    mx.autograd.backward([a, b])
    assert_almost_equal(xa.grad.asnumpy(), np.exp(xv) + np.cos(xv), rtol=1e-5)
    # only one output used: the other's gradient is zero
    with mx.autograd.record():
        a, b = op(xa)
    b.backward()
    assert_almost_equal(xa.grad.asnumpy(), np.cos(xv), rtol=1e-5)


def test_static_alloc_reuses_memory_across_calls(rng):
    sym = mlp((32, 8))
    op = mx.nd.CachedOp(sym, [("static_alloc", True), ("static_shape", True)])
    args, _ = random_inputs(sym, rng, data=(16, 20))
    arrays = [mx.nd.array(args[n]) for n in sym.list_inputs()]
    first = op(*arrays).asnumpy()
    mx.nd.waitall()
    used = mx.storage.stats()["in_use"] if hasattr(mx.storage, "stats") else None
    for _ in range(5):
        again = op(*arrays).asnumpy()
        assert_almost_equal(again, first)
    if used is not None:
        mx.nd.waitall()
        # The planned blocks are kept, not allocated again: no growth per call.
        assert mx.storage.stats()["in_use"] <= used + 4096


def test_shape_change_replans(rng):
    sym = mlp((5, 3))
    op = mx.nd.CachedOp(sym)
    args, _ = random_inputs(sym, rng, data=(2, 4))
    params = {n: mx.nd.array(v) for n, v in args.items() if n != "data"}
    for batch in (2, 7, 2):
        xv = rng.standard_normal((batch, 4)).astype(np.float32)
        arrays = dict(params, data=mx.nd.array(xv))
        out = op(*[arrays[n] for n in sym.list_inputs()])
        assert out.shape == (batch, 3)
        h = np.maximum(xv @ args["fc1_weight"].T + args["fc1_bias"], 0)
        assert_almost_equal(out.asnumpy(), h @ args["fc2_weight"].T + args["fc2_bias"],
                            rtol=1e-4, atol=1e-5)
    assert op.planned_bytes > 0


def test_errors():
    x = mx.sym.var("x")
    with pytest.raises(KeyError, match="unknown flag"):
        mx.nd.CachedOp(x * 2, [("fast", True)])
    with pytest.raises(ValueError, match="boolean"):
        mx.nd.CachedOp(x * 2, [("static_alloc", "maybe")])
    op = mx.nd.CachedOp(x * 2)
    with pytest.raises(ValueError, match="expects 1 inputs"):
        op(mx.nd.ones(2), mx.nd.ones(2))
    with pytest.raises(TypeError):
        op(np.ones(2))
