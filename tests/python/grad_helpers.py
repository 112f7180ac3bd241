"""Helpers for the gradient tests: float64 arrays, first- and second-order
gradients through mx.autograd, finite-difference oracles, and the list of ops
each C++ file registers (so a new op without a gradient is noticed)."""
import re
from pathlib import Path

import numpy as np

import mxlite as mx
from mxlite import autograd as ag
from mxlite.test_utils import assert_almost_equal

SRC = Path(__file__).resolve().parents[2] / "src" / "operator"


def nd64(x):
    return mx.nd.array(np.asarray(x, dtype=np.float64), dtype="float64")


def autograd_grads(fn, xs, head, grad_req="write"):
    """x.grad for every input of fn(*xs) after backward(head)."""
    arrs = [nd64(x) for x in xs]
    for a in arrs:
        a.attach_grad(grad_req=grad_req)
    with ag.record():
        y = fn(*arrs)
    y.backward(nd64(head))
    return [a.grad.asnumpy() for a in arrs]


def second_order(fn, xs, head1, head2):
    """Autograd's gradient of phi(x) = sum_i <d<fn(x), head1>/dx_i, head2_i>,
    computed by differentiating the recorded first-order gradient."""
    arrs = [nd64(x) for x in xs]
    for a in arrs:
        a.attach_grad()
    with ag.record():
        y = fn(*arrs)
        gs = ag.grad(y, arrs, head_grads=nd64(head1), create_graph=True)
        # 0 * sum(x) keeps phi on the tape when the gradient does not
        # depend on x (linear ops: the second derivative is zero).
        phi = mx.nd.sum(arrs[0]) * 0
        for g, h in zip(gs, head2):
            phi = phi + mx.nd.sum(g * nd64(h))
    phi.backward()
    return [a.grad.asnumpy() for a in arrs]


def first_order_phi(fn, xs, head1, head2):
    """phi(x) as above, with the first-order gradient from autograd (not recorded)."""
    arrs = [nd64(x) for x in xs]
    for a in arrs:
        a.attach_grad()
    with ag.record():
        y = fn(*arrs)
    gs = ag.grad(y, arrs, head_grads=nd64(head1))
    return sum(float((g.asnumpy() * h).sum()) for g, h in zip(gs, head2))


def check_second_order(fn, xs, rng, eps=1e-5, rtol=1e-4, atol=1e-6):
    """Second-order autograd vs central differences of first-order autograd."""
    xs = [np.asarray(x, dtype=np.float64) for x in xs]
    with ag.pause():
        out_shape = fn(*[nd64(x) for x in xs]).shape
    head1 = rng.standard_normal(out_shape)
    head2 = [rng.standard_normal(x.shape) for x in xs]
    got = second_order(fn, xs, head1, head2)
    for i, x in enumerate(xs):
        num = np.zeros_like(x)
        flat, nflat = x.reshape(-1), num.reshape(-1)
        for j in range(flat.size):
            orig = flat[j]
            flat[j] = orig + eps
            plus = first_order_phi(fn, xs, head1, head2)
            flat[j] = orig - eps
            minus = first_order_phi(fn, xs, head1, head2)
            flat[j] = orig
            nflat[j] = (plus - minus) / (2 * eps)
        assert_almost_equal(got[i], num, rtol=rtol, atol=atol,
                            names=(f"second-order gradient of input {i}", "numeric"))


_REGISTRATION = [
    re.compile(r"MXL_REGISTER_OP\((\w+)\)"),
    # add_exact<Abs>("abs", ...), add_reduce("sum", ...), add_unary("logical_not", ...)
    re.compile(r"\badd_(?!input|param|alias|inplace|mutate)\w+(?:<\w+>)?\(\s*\"(\w+)\""),
    # add_binary_pair<Add>({"elemwise_add", {aliases}, "broadcast_add", ...})
    re.compile(r"add_binary_pair<\w+>\(\{\s*\"(\w+)\",\s*\{[^}]*\},\s*\"(\w+)\""),
]


def ops_registered_in(filename):
    """Names of the ops a registration file declares (read from its source)."""
    text = (SRC / filename).read_text()
    names = set()
    for rx in _REGISTRATION:
        for m in rx.finditer(text):
            names.update(g for g in m.groups() if g)
    return names


def registry_ops():
    from mxlite.ndarray.register import registry
    return {op["name"]: op for op in registry()["ops"]}
