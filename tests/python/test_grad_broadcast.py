"""Gradients of the broadcasting ops: the broadcast_* arithmetic (gradients
summed back to each input's shape) and broadcast_to / broadcast_like /
broadcast_axis (gradients summed over the replicated axes).  Oracles: central
finite differences in float64 and NumPy sums."""
import numpy as np
import pytest

import mxlite as mx
from mxlite import autograd as ag
from mxlite.test_utils import assert_almost_equal, check_numeric_gradient

from grad_helpers import autograd_grads, check_second_order, nd64

RNG = np.random.default_rng(11)

# (lhs shape, rhs shape): same shape, trailing vector, both stretched,
# scalar-like, rank mismatch on both sides.
SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((4, 1), (1, 5)), ((1,), (2, 3)),
          ((2, 1, 4), (3, 1)), ((3,), (2, 2, 3))]


def values(domain, shape):
    if domain == "any":
        return RNG.uniform(-2, 2, shape)
    if domain == "pos":
        return RNG.uniform(0.5, 2.5, shape)
    if domain == "nonzero":
        return RNG.choice([-1.0, 1.0], shape) * RNG.uniform(0.4, 2, shape)
    raise ValueError(domain)


# op -> (lhs domain, rhs domain)
BROADCAST = {
    "broadcast_add": ("any", "any"), "broadcast_sub": ("any", "any"),
    "broadcast_mul": ("any", "any"), "broadcast_div": ("any", "nonzero"),
    "broadcast_power": ("pos", "any"), "broadcast_hypot": ("nonzero", "nonzero"),
}
BROADCAST_ZERO = ["broadcast_equal", "broadcast_not_equal", "broadcast_greater",
                  "broadcast_greater_equal", "broadcast_lesser", "broadcast_lesser_equal",
                  "broadcast_logical_and", "broadcast_logical_or", "broadcast_logical_xor"]


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(BROADCAST))
def test_broadcast_first_order(name, shapes):
    dl, dr = BROADCAST[name]
    op = getattr(mx.nd, name)
    check_numeric_gradient(lambda a, b: op(a, b), [values(dl, shapes[0]), values(dr, shapes[1])])


def _no_ties(shape_l, shape_r):
    """Inputs whose broadcast pairs are never equal (maximum/minimum kinks)."""
    l = RNG.permutation(np.arange(np.prod(shape_l)) * 2.0).reshape(shape_l) / 7
    r = RNG.permutation(np.arange(np.prod(shape_r)) * 2.0 + 1).reshape(shape_r) / 7
    return l, r


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("name", ["broadcast_maximum", "broadcast_minimum", "broadcast_mod"])
def test_broadcast_piecewise_first_order(name, shapes):
    l, r = _no_ties(*shapes)
    if name == "broadcast_mod":  # keep l / r away from integers
        l, r = l + 0.31, np.abs(r) + 0.77
    op = getattr(mx.nd, name)
    check_numeric_gradient(lambda a, b: op(a, b), [l, r])


@pytest.mark.parametrize("name", BROADCAST_ZERO)
def test_broadcast_zero_gradient(name):
    gl, gr = autograd_grads(getattr(mx.nd, name), [values("any", (2, 3)), values("any", (3,))],
                            RNG.standard_normal((2, 3)))
    assert gl.shape == (2, 3) and gr.shape == (3,)
    assert np.all(gl == 0) and np.all(gr == 0)


def test_gradients_are_sums_over_broadcast_axes():
    # d(l + r) with l (4, 1) and r (1, 5): each input gets the head summed
    # over the axis it was stretched along.
    h = RNG.standard_normal((4, 5))
    gl, gr = autograd_grads(mx.nd.broadcast_add, [values("any", (4, 1)), values("any", (1, 5))], h)
    assert_almost_equal(gl, h.sum(axis=1, keepdims=True), rtol=1e-12, atol=1e-12)
    assert_almost_equal(gr, h.sum(axis=0, keepdims=True), rtol=1e-12, atol=1e-12)
    # Leading axes the input lacks are summed away: a bias of shape (3,).
    x, b = values("any", (2, 4, 3)), values("any", (3,))
    h = RNG.standard_normal((2, 4, 3))
    gx, gb = autograd_grads(mx.nd.broadcast_mul, [x, b], h)
    assert gb.shape == (3,)
    assert_almost_equal(gb, (h * x).sum(axis=(0, 1)), rtol=1e-12, atol=1e-12)
    assert_almost_equal(gx, h * b, rtol=1e-12, atol=1e-12)


def test_python_operators_broadcast_gradients():
    x, w, b = values("pos", (3, 4)), values("nonzero", (4,)), values("any", (3, 1))
    check_numeric_gradient(lambda x, w, b: (x * w + b) / w - x ** b, [x, w, b])


def test_broadcast_grad_req_add():
    x, b = values("any", (5, 3)), values("any", (3,))
    h = RNG.standard_normal((5, 3))
    once = autograd_grads(mx.nd.broadcast_add, [x, b], h)
    twice = [nd64(x), nd64(b)]
    for a in twice:
        a.attach_grad(grad_req="add")
    for _ in range(2):
        with ag.record():
            y = mx.nd.broadcast_add(*twice)
        y.backward(nd64(h))
    for a, g in zip(twice, once):
        assert_almost_equal(a.grad.asnumpy(), 2 * g, rtol=1e-12, atol=1e-12)


def test_zero_size_broadcast_gradient():
    x, b = np.zeros((0, 3)), values("any", (3,))
    gx, gb = autograd_grads(mx.nd.broadcast_add, [x, b], np.zeros((0, 3)))
    assert gx.shape == (0, 3) and gb.shape == (3,) and np.all(gb == 0)


# ---------------------------------------------------------------------------
# Second order through broadcasting
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shapes", [((2, 3), (3,)), ((4, 1), (1, 5)), ((1,), (2, 3))], ids=str)
@pytest.mark.parametrize("name", ["broadcast_mul", "broadcast_div", "broadcast_power",
                                  "broadcast_hypot", "broadcast_sub"])
def test_broadcast_second_order(name, shapes):
    dl, dr = BROADCAST[name]
    op = getattr(mx.nd, name)
    check_second_order(lambda a, b: op(a, b), [values(dl, shapes[0]), values(dr, shapes[1])], RNG)


def test_broadcast_maximum_second_order():
    l, r = _no_ties((2, 3), (3,))
    check_second_order(lambda a, b: mx.nd.broadcast_maximum(a, b) * a * b, [l, r], RNG)


# ---------------------------------------------------------------------------
# broadcast_to / broadcast_like / broadcast_axis
# ---------------------------------------------------------------------------

REPLICATE = [
    ("broadcast_to", (2, 1, 3), lambda a: mx.nd.broadcast_to(a, shape=(2, 4, 3)), (1,)),
    ("broadcast_to keep", (1, 3), lambda a: mx.nd.broadcast_to(a, shape=(5, 0)), (0,)),
    ("broadcast_to leading", (3,), lambda a: mx.nd.broadcast_to(a, shape=(2, 4, 3)), (0, 1)),
    ("broadcast_axis", (2, 1, 3, 1),
     lambda a: mx.nd.broadcast_axis(a, axis=(1, 3), size=(4, 2)), (1, 3)),
    ("broadcast_axes negative", (1, 3),
     lambda a: mx.nd.broadcast_axes(a, axis=-2, size=3), (0,)),
    ("broadcast_like", (1, 3),
     lambda a: mx.nd.broadcast_like(a, mx.nd.zeros((4, 3), dtype="float64")), (0,)),
    ("broadcast_like axes", (2, 1),
     lambda a: mx.nd.broadcast_like(a, mx.nd.zeros((5, 6), dtype="float64"),
                                    lhs_axes=(1,), rhs_axes=(0,)), (1,)),
]


@pytest.mark.parametrize("label,shape,fn,axes", REPLICATE, ids=[r[0] for r in REPLICATE])
def test_replicate_gradient(label, shape, fn, axes):
    x = values("any", shape)
    check_numeric_gradient(fn, [x])
    with ag.pause():
        out_shape = fn(nd64(x)).shape
    h = RNG.standard_normal(out_shape)
    (g,) = autograd_grads(fn, [x], h)
    assert g.shape == shape
    assert_almost_equal(g, h.sum(axis=axes, keepdims=True).reshape(shape), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("label,shape,fn,axes", REPLICATE, ids=[r[0] for r in REPLICATE])
def test_replicate_second_order(label, shape, fn, axes):
    check_second_order(lambda a: fn(a) * fn(a * a), [values("any", shape)], RNG)


def test_broadcast_like_rhs_gets_zero():
    gl, gr = autograd_grads(mx.nd.broadcast_like, [values("any", (2, 1)), values("any", (2, 3))],
                            RNG.standard_normal((2, 3)))
    assert gl.shape == (2, 1) and np.all(gr == 0)


def test_sum_to_input_when_nothing_is_stretched():
    # broadcast_to onto the same shape is the identity; its gradient too.
    x = values("any", (2, 3))
    h = RNG.standard_normal((2, 3))
    (g,) = autograd_grads(lambda a: mx.nd.broadcast_to(a, shape=(2, 3)), [x], h)
    assert_almost_equal(g, h, rtol=0, atol=0)
