"""Helpers for the gradient tests: float64 arrays, first- and second-order
gradients through mx.autograd, finite-difference oracles, the list of ops
each C++ file registers (so a new op without a gradient is noticed), and, for
the linear-algebra, shape and indexing ops, an exact oracle built from forward
evaluations only.  Most of those ops are linear (or affine) in their
differentiable inputs: the op's matrix J (one forward call per unit input
vector) gives, for y = <flat(f(x)), w>:
    d y / d x          = J^T w        (first order, through the op's gradient)
    d <J^T w, G> / d w = J G          (second order, through the gradient's gradient)
"""
import re
from pathlib import Path

import numpy as np

import mxlite as mx
from mxlite import autograd as ag
from mxlite.test_utils import assert_almost_equal, check_numeric_gradient

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


# ---- linear ops: exact oracle from the forward op's matrix
def var(values, grad_req="write", dtype="float64"):
    x = mx.nd.array(np.asarray(values, dtype=dtype), dtype=dtype)
    x.attach_grad(grad_req)
    return x


def _flat_np(out):
    if isinstance(out, (list, tuple)):
        return np.concatenate([o.asnumpy().ravel() for o in out])
    return out.asnumpy().ravel()


def _flat_nd(out):
    """The output(s) as one 1-D array, built with differentiable ops."""
    if isinstance(out, (list, tuple)):
        parts = [mx.nd.Reshape(o, shape=(-1,)) for o in out]
        return parts[0] if len(parts) == 1 else mx.nd.Concat(*parts, dim=0, num_args=len(parts))
    return mx.nd.Reshape(out, shape=(-1,))


def linear_map_matrix(fn, shapes):
    """J and the offset b with flat(fn(*xs)) = J @ concat(flat(xs)) + b, by
    evaluating the forward op on unit vectors (fn must be affine)."""
    sizes = [int(np.prod(s)) for s in shapes]
    zeros = [np.zeros(s) for s in shapes]
    base = _flat_np(fn(*[mx.nd.array(z, dtype="float64") for z in zeros]))
    cols = []
    for i, shape in enumerate(shapes):
        for j in range(sizes[i]):
            xs = [z.copy() for z in zeros]
            xs[i].reshape(-1)[j] = 1.0
            cols.append(_flat_np(fn(*[mx.nd.array(x, dtype="float64") for x in xs])) - base)
    return np.stack(cols, axis=1) if cols else np.zeros((base.size, 0)), base


def check_linear_op(fn, inputs, rng):
    """First- and second-order gradients of an affine op against its matrix.

    fn: function of float64 NDArrays returning an NDArray or a list of them;
    inputs: list of NumPy arrays (all differentiated)."""
    shapes = [np.shape(x) for x in inputs]
    J, _ = linear_map_matrix(fn, shapes)
    xs = [var(x) for x in inputs]
    w_np = rng.standard_normal(J.shape[0])
    w = var(w_np)
    with ag.record():
        y = mx.nd.dot(_flat_nd(fn(*xs)), w)
        gs = ag.grad(y, xs, create_graph=True)
        # <g, G> summed over the inputs, with dot so only gradients of this
        # family's ops are involved.
        G_np = [rng.standard_normal(s) for s in shapes]
        terms = [mx.nd.dot(mx.nd.Reshape(g, shape=(-1,)), mx.nd.array(G.ravel(), dtype="float64"))
                 for g, G in zip(gs, G_np) if G.size]
    expected_g = J.T @ w_np
    offset = 0
    for g, s in zip(gs, shapes):
        n = int(np.prod(s))
        assert g.shape == tuple(s)
        assert_almost_equal(g.asnumpy().ravel(), expected_g[offset:offset + n], rtol=1e-10, atol=1e-12)
        offset += n
    if not terms:
        return
    ag.backward(terms)
    G_flat = np.concatenate([G.ravel() for G in G_np])
    assert_almost_equal(w.grad.asnumpy(), J @ G_flat, rtol=1e-10, atol=1e-12,
                        names=("second-order gradient", "J @ G"))


def check_first_order(fn, inputs, grad_nodes=None, **kw):
    """Autograd against central finite differences in float64, with random
    head gradients (check_numeric_gradient's default)."""
    check_numeric_gradient(fn, [np.asarray(x, dtype=np.float64) for x in inputs],
                           grad_nodes=grad_nodes, **kw)


def registered_ops(source_files):
    """Names of the ops registered in the given src/operator files."""
    import pathlib
    import re
    root = pathlib.Path(__file__).resolve().parents[2] / "src" / "operator"
    pattern = re.compile(r'MXL_REGISTER_OP\((\w+)\)|\.add\("(\w+)"\)|add_random_op\(\s*"(\w+)"')
    names = set()
    for f in source_files:
        for m in pattern.finditer((root / f).read_text()):
            names.add(next(g for g in m.groups() if g))
    return names
