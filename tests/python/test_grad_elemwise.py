"""Gradients of the element-wise ops: unary, array-scalar, same-shape binary,
where and clip.  Oracles: central finite differences in float64 (first order
via check_numeric_gradient, second order as differences of the first-order
autograd gradient) and analytic derivatives; MXNet 1.9's values at kinks
(measured with MXNet 1.9.1) are checked exactly."""
import numpy as np
import pytest

import mxlite as mx
from mxlite import autograd as ag
from mxlite.test_utils import assert_almost_equal, check_numeric_gradient

from grad_helpers import (autograd_grads, check_second_order, nd64, ops_registered_in,
                          registry_ops, second_order)

RNG = np.random.default_rng(7)
SHAPE = (2, 3)


def sample(domain, shape=SHAPE, rng=RNG):
    """Inputs inside an op's smooth domain, away from kinks and poles."""
    if domain == "any":
        return rng.uniform(-2, 2, shape)
    if domain == "pos":
        return rng.uniform(0.5, 3, shape)
    if domain == "nonzero":
        return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.3, 2, shape)
    if domain == "unit":
        return rng.uniform(-0.8, 0.8, shape)
    if domain == "above1":
        return rng.uniform(1.2, 3, shape)
    if domain == "offint":  # away from integers and half-integers (rounding ops)
        return np.floor(rng.uniform(-3, 3, shape)) + rng.uniform(0.1, 0.4, shape)
    raise ValueError(domain)


# ---------------------------------------------------------------------------
# Unary
# ---------------------------------------------------------------------------

UNARY = {
    "abs": "nonzero", "negative": "any", "square": "any", "relu": "nonzero",
    "reciprocal": "nonzero", "sqrt": "pos", "rsqrt": "pos", "cbrt": "nonzero",
    "rcbrt": "nonzero", "exp": "any", "log": "pos", "log2": "pos", "log10": "pos",
    "log1p": "pos", "expm1": "any", "sin": "any", "cos": "any", "tan": "unit",
    "arcsin": "unit", "arccos": "unit", "arctan": "any", "sinh": "any", "cosh": "any",
    "tanh": "any", "arcsinh": "any", "arccosh": "above1", "arctanh": "unit",
    "degrees": "any", "radians": "any", "sigmoid": "any", "softsign": "nonzero", "erf": "any",
    "erfinv": "unit", "gamma": "pos", "gammaln": "pos", "_digamma": "pos",
}
UNARY_ZERO = ["sign", "floor", "ceil", "round", "rint", "fix", "trunc", "logical_not"]


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_first_order(name):
    op = getattr(mx.nd, name)
    check_numeric_gradient(lambda x: op(x), [sample(UNARY[name])])


def test_gammaln_negative_arguments():
    # gammaln = log|gamma|; between the poles its derivative is still digamma.
    check_numeric_gradient(lambda x: mx.nd.gammaln(x), [np.array([-0.5, -1.3, -2.7, 0.2])])
    check_numeric_gradient(lambda x: mx.nd.gamma(x), [np.array([-0.5, -1.3, -2.7, 0.2])])


@pytest.mark.parametrize("name", UNARY_ZERO)
def test_unary_zero_gradient(name):
    x = sample("offint")
    (g,) = autograd_grads(getattr(mx.nd, name), [x], RNG.standard_normal(SHAPE))
    assert g.shape == SHAPE
    assert np.all(g == 0)


# Second order: every smooth unary op except _digamma (its derivative,
# _trigamma, declares no gradient) against differences of first-order autograd.
@pytest.mark.parametrize("name", sorted(set(UNARY) - {"_digamma"}))
def test_unary_second_order_numeric(name):
    op = getattr(mx.nd, name)
    check_second_order(lambda x: op(x), [sample(UNARY[name], (4,))], RNG)


def _sig(x):
    return 1 / (1 + np.exp(-x))


SECOND_DERIVATIVES = {
    "sin": (lambda x: -np.sin(x), "any"),
    "exp": (np.exp, "any"),
    "log": (lambda x: -1 / x**2, "pos"),
    "tanh": (lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2), "any"),
    "sigmoid": (lambda x: _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x)), "any"),
    "sqrt": (lambda x: -0.25 * x**-1.5, "pos"),
    "reciprocal": (lambda x: 2 / x**3, "nonzero"),
    "arctan": (lambda x: -2 * x / (1 + x * x) ** 2, "any"),
}


@pytest.mark.parametrize("name", sorted(SECOND_DERIVATIVES))
def test_unary_second_order_analytic(name):
    f2, domain = SECOND_DERIVATIVES[name]
    x = sample(domain, (5,))
    h1, h2 = RNG.standard_normal(5), RNG.standard_normal(5)
    (got,) = second_order(getattr(mx.nd, name), [x], h1, [h2])
    assert_almost_equal(got, f2(x) * h1 * h2, rtol=1e-10, atol=1e-12)


THIRD_DERIVATIVES = {
    "sin": lambda x: -np.cos(x),
    "tanh": lambda x: -2 * (1 - np.tanh(x) ** 2) * (1 - 3 * np.tanh(x) ** 2),
    "sigmoid": lambda x: _sig(x) * (1 - _sig(x)) * (1 - 6 * _sig(x) + 6 * _sig(x) ** 2),
    "relu": lambda x: 0 * x,
}


@pytest.mark.parametrize("name", sorted(THIRD_DERIVATIVES))
def test_third_order(name):
    # relu, sigmoid and tanh differentiate through their fused backward ops.
    x = nd64([0.3, -1.1, 2.0])
    x.attach_grad()
    with ag.record():
        y = getattr(mx.nd, name)(x)
        (g1,) = ag.grad(y, [x], create_graph=True)
        (g2,) = ag.grad(g1, [x], create_graph=True)
        g2 = g2 + 0 * mx.nd.sum(x)  # keeps relu's (constant) g2 on the tape
    g2.backward()
    want = THIRD_DERIVATIVES[name](x.asnumpy())
    assert_almost_equal(x.grad.asnumpy(), want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,f", [("_backward_relu", lambda g, y: g * (y > 0)),
                                    ("_backward_sigmoid", lambda g, y: g * y * (1 - y)),
                                    ("_backward_tanh", lambda g, y: g * (1 - y * y))])
def test_fused_backward_ops(name, f):
    g, y = RNG.standard_normal(SHAPE), RNG.uniform(-1, 1, SHAPE)
    y[0, 0] = 0.0
    got = getattr(mx.nd, name)(nd64(g), nd64(y)).asnumpy()
    assert_almost_equal(got, f(g, y), rtol=1e-15, atol=0)
    got = getattr(mx.nd, name)(mx.nd.array(g), mx.nd.array(y)).asnumpy()
    assert got.dtype == np.float32
    assert_almost_equal(got, f(g, y), rtol=1e-6, atol=1e-7)
    check_numeric_gradient(lambda a, b: getattr(mx.nd, name)(a, b), [g, y + 0.05])
    with pytest.raises(mx.MXNetError, match=name):
        getattr(mx.nd, name)(nd64(g), nd64(y[0]))


def test_unary_values_at_kinks_follow_mxnet():
    x = [0.0, 1.0, -2.0]
    h = [1.0, 1.0, 1.0]
    assert autograd_grads(mx.nd.abs, [x], h)[0].tolist() == [0.0, 1.0, -1.0]
    assert autograd_grads(mx.nd.relu, [x], h)[0].tolist() == [0.0, 1.0, 0.0]
    # sqrt'(0) = 1 / (2 sqrt(0)) = inf, as in MXNet
    assert autograd_grads(mx.nd.sqrt, [[0.0, 1.0]], [1.0, 1.0])[0].tolist() == [np.inf, 0.5]


def test_gamma_gradient_values():
    # Exact: psi(1.5) = 2 - euler - 2 ln 2, psi(2.5) = psi(1.5) + 1/1.5, gamma(1.5) = sqrt(pi)/2;
    # MXNet 1.9.1 prints 0.03233847, 0.93473463 and 0.03649006, 0.70315672 (float32 digits).
    psi = 2 - 0.5772156649015329 - 2 * np.log(2)
    psi = np.array([psi, psi + 1 / 1.5])
    gam = np.array([np.sqrt(np.pi) / 2, 0.75 * np.sqrt(np.pi)])
    x = [1.5, 2.5]
    g = autograd_grads(mx.nd.gamma, [x], [1.0, 1.0])[0]
    assert_almost_equal(g, gam * psi, rtol=1e-12, atol=1e-14)
    assert_almost_equal(g, [0.03233847, 0.93473463], rtol=1e-5, atol=1e-7)
    g = autograd_grads(mx.nd.gammaln, [x], [1.0, 1.0])[0]
    assert_almost_equal(g, psi, rtol=1e-12, atol=1e-14)


def test_digamma_trigamma_values():
    x = nd64([1.0, 0.5, -0.5, 10.5, 25.0])
    euler = 0.5772156649015329
    want_psi = [-euler, -euler - 2 * np.log(2), 2 - euler - 2 * np.log(2) + 0.0, None, None]
    got = mx.nd._digamma(x).asnumpy()
    for g, w in zip(got, want_psi):
        if w is not None:
            assert abs(g - w) < 1e-12
    # psi(x + 1) = psi(x) + 1/x across the series switch-over at 10
    a = mx.nd._digamma(nd64([9.5, 24.0])).asnumpy()
    assert_almost_equal(got[3:], a + 1 / np.array([9.5, 24.0]), rtol=1e-13, atol=1e-14)
    t = mx.nd._trigamma(nd64([1.0, 0.5, -0.5])).asnumpy()
    assert_almost_equal(t, [np.pi**2 / 6, np.pi**2 / 2, np.pi**2 / 2 + 4], rtol=1e-12, atol=1e-13)
    assert np.isnan(mx.nd._digamma(nd64([0.0, -2.0])).asnumpy()).all()


# ---------------------------------------------------------------------------
# Array-scalar ops
# ---------------------------------------------------------------------------

# (op, scalar, inputs away from the op's kinks)
SCALAR = [
    ("_plus_scalar", 1.5, sample("any")), ("_minus_scalar", 1.5, sample("any")),
    ("_rminus_scalar", 1.5, sample("any")), ("_mul_scalar", -2.5, sample("any")),
    ("_div_scalar", -2.5, sample("any")), ("_rdiv_scalar", 3.0, sample("nonzero")),
    ("_mod_scalar", 0.7, [0.3, 1.1, -0.45, 2.2]),   # x / 0.7 away from integers
    ("_rmod_scalar", 5.3, [2.0, -1.7, 0.9, 3.1]),   # 5.3 / x away from integers
    ("_power_scalar", 2.5, sample("pos")), ("_power_scalar", 2.0, sample("any")),
    ("_power_scalar", 3.0, sample("any")), ("_power_scalar", -1.5, sample("pos")),
    ("_rpower_scalar", 2.5, sample("any")),
    ("_maximum_scalar", 0.25, [-1.0, 0.6, 1.5, -0.2]),
    ("_minimum_scalar", 0.25, [-1.0, 0.6, 1.5, -0.2]),
    ("_hypot_scalar", 1.5, sample("any")),
    ("smooth_l1", 1.0, [0.5, -0.3, 1.7, -2.2]), ("smooth_l1", 2.0, [0.1, -0.2, 0.6, -1.3]),
]
SCALAR_ZERO = ["_equal_scalar", "_not_equal_scalar", "_greater_scalar", "_greater_equal_scalar",
               "_lesser_scalar", "_lesser_equal_scalar", "_logical_and_scalar",
               "_logical_or_scalar", "_logical_xor_scalar"]


@pytest.mark.parametrize("name,s,x", SCALAR, ids=[f"{n}-{s}" for n, s, _ in SCALAR])
def test_scalar_first_order(name, s, x):
    op = getattr(mx.nd, name)
    check_numeric_gradient(lambda a: op(a, scalar=s), [np.asarray(x)])


@pytest.mark.parametrize("name,s,x", SCALAR, ids=[f"{n}-{s}" for n, s, _ in SCALAR])
def test_scalar_second_order(name, s, x):
    op = getattr(mx.nd, name)
    check_second_order(lambda a: op(a, scalar=s), [np.asarray(x, dtype=np.float64)], RNG)


@pytest.mark.parametrize("name", SCALAR_ZERO)
def test_scalar_zero_gradient(name):
    (g,) = autograd_grads(lambda a: getattr(mx.nd, name)(a, scalar=0.5), [sample("any")],
                          RNG.standard_normal(SHAPE))
    assert np.all(g == 0)


def test_scalar_values_follow_mxnet():
    h = [1.0, 1.0, 1.0]
    # ties at the scalar go to x (MXNet: >= for maximum, <= for minimum)
    assert autograd_grads(lambda a: mx.nd._maximum_scalar(a, scalar=1.0), [[1.0, 2.0, 0.0]],
                          h)[0].tolist() == [1.0, 1.0, 0.0]
    assert autograd_grads(lambda a: mx.nd._minimum_scalar(a, scalar=1.0), [[1.0, 2.0, 0.0]],
                          h)[0].tolist() == [1.0, 0.0, 1.0]
    # smooth_l1 at the boundary |x| = 1/sigma^2 gives +-1 from both sides
    g = autograd_grads(lambda a: mx.nd.smooth_l1(a, scalar=1.0), [[0.5, -0.5, 1.0, -1.0, 2.0]],
                       [1.0] * 5)[0]
    assert g.tolist() == [0.5, -0.5, 1.0, -1.0, 1.0]
    # 5.5 % x: -floor(5.5 / x)
    assert autograd_grads(lambda a: mx.nd._rmod_scalar(a, scalar=5.5), [[2.0, -2.0]],
                          [1.0, 1.0])[0].tolist() == [-2.0, 3.0]
    # x ** 0 at 0: MXNet's 0 * 0^-1 = nan
    g = autograd_grads(lambda a: mx.nd._power_scalar(a, scalar=0.0), [[0.0, 1.0]], [1.0, 1.0])[0]
    assert np.isnan(g[0]) and g[1] == 0.0


# ---------------------------------------------------------------------------
# Same-shape binary ops
# ---------------------------------------------------------------------------

BINARY = [
    ("elemwise_add", sample("any"), sample("any")),
    ("elemwise_sub", sample("any"), sample("any")),
    ("elemwise_mul", sample("any"), sample("any")),
    ("elemwise_div", sample("any"), sample("nonzero")),
    ("_mod", [[5.5, -5.5, 1.3], [2.2, 0.4, -3.1]], [[2.0, 2.0, 0.7], [-0.9, 1.5, 1.1]]),
    ("_power", sample("pos"), sample("any")),
    ("_maximum", [[1.0, -2.0, 0.5], [3.0, 0.2, -1.0]], [[0.0, 1.0, 0.9], [-3.0, 1.0, 2.0]]),
    ("_minimum", [[1.0, -2.0, 0.5], [3.0, 0.2, -1.0]], [[0.0, 1.0, 0.9], [-3.0, 1.0, 2.0]]),
    ("_hypot", sample("nonzero"), sample("nonzero")),
]
BINARY_ZERO = ["_equal", "_not_equal", "_greater", "_greater_equal", "_lesser", "_lesser_equal",
               "_logical_and", "_logical_or", "_logical_xor"]


@pytest.mark.parametrize("name,l,r", BINARY, ids=[b[0] for b in BINARY])
def test_binary_first_order(name, l, r):
    op = getattr(mx.nd, name)
    check_numeric_gradient(lambda a, b: op(a, b), [np.asarray(l), np.asarray(r)])


@pytest.mark.parametrize("name,l,r", BINARY, ids=[b[0] for b in BINARY])
def test_binary_second_order(name, l, r):
    op = getattr(mx.nd, name)
    check_second_order(lambda a, b: op(a, b), [np.asarray(l, np.float64), np.asarray(r, np.float64)],
                       RNG)


@pytest.mark.parametrize("name", BINARY_ZERO)
def test_binary_zero_gradient(name):
    gl, gr = autograd_grads(getattr(mx.nd, name), [sample("any"), sample("any")],
                            RNG.standard_normal(SHAPE))
    assert np.all(gl == 0) and np.all(gr == 0)


def test_binary_second_order_analytic():
    x, y = np.array([0.7, 1.3, 2.1]), np.array([1.5, -0.4, 0.8])
    ones = np.ones(3)
    # d/dx f with head 1, then the sum of that gradient differentiated again.
    gx, gy = second_order(mx.nd.elemwise_mul, [x, y], ones, [ones, np.zeros(3)])
    assert_almost_equal(gx, 0 * x) and assert_almost_equal(gy, ones)
    gx, gy = second_order(mx.nd.elemwise_div, [x, y], ones, [ones, np.zeros(3)])
    assert_almost_equal(gx, 0 * x, atol=1e-14)
    assert_almost_equal(gy, -1 / y**2, rtol=1e-12)
    gx, gy = second_order(mx.nd._power, [x, y], ones, [ones, np.zeros(3)])
    assert_almost_equal(gx, y * (y - 1) * x ** (y - 2), rtol=1e-12)
    assert_almost_equal(gy, x ** (y - 1) + y * x ** (y - 1) * np.log(x), rtol=1e-12)


def test_maximum_minimum_ties_go_to_lhs():
    # MXNet 1.9.1: maximum: lhs where l >= r, rhs where l < r; minimum: <= / >.
    l, r, h = [1.0, 2.0, 3.0], [1.0, 1.0, 4.0], [1.0, 1.0, 1.0]
    for name in ("_maximum", "broadcast_maximum"):
        gl, gr = autograd_grads(getattr(mx.nd, name), [l, r], h)
        assert gl.tolist() == [1.0, 1.0, 0.0] and gr.tolist() == [0.0, 0.0, 1.0]
    for name in ("_minimum", "broadcast_minimum"):
        gl, gr = autograd_grads(getattr(mx.nd, name), [l, r], h)
        assert gl.tolist() == [1.0, 0.0, 1.0] and gr.tolist() == [0.0, 1.0, 0.0]


def test_mod_and_power_values_follow_mxnet():
    gl, gr = autograd_grads(mx.nd._mod, [[5.5, -5.5], [2.0, 2.0]], [1.0, 1.0])
    assert gl.tolist() == [1.0, 1.0] and gr.tolist() == [-2.0, 3.0]
    gl, gr = autograd_grads(mx.nd._power, [[0.0, 1.0, -2.0], [2.0, 0.0, 2.0]], [1.0] * 3)
    assert gl.tolist() == [0.0, 0.0, -4.0]
    assert np.isnan(gr[0]) and gr[1] == 0.0 and np.isnan(gr[2])  # y * log(l)


def test_operators_use_these_gradients():
    x, y = sample("pos"), sample("nonzero")
    check_numeric_gradient(lambda a, b: (a * b - a / b + a ** b) % 3.0 + 2.0 ** a - 1 / b,
                           [x, y])


# ---------------------------------------------------------------------------
# where and clip
# ---------------------------------------------------------------------------

def test_where_gradient():
    cond = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    x, y = sample("any"), sample("any")
    check_numeric_gradient(lambda c, a, b: mx.nd.where(c, a, b), [cond, x, y], grad_nodes=[1, 2])
    h = RNG.standard_normal(SHAPE)
    gc, gx, gy = autograd_grads(mx.nd.where, [cond, x, y], h)
    assert np.all(gc == 0)
    assert_almost_equal(gx, np.where(cond != 0, h, 0)) and assert_almost_equal(gy, np.where(cond != 0, 0, h))


def test_where_row_condition_gradient():
    cond, x, y = np.array([0.0, 2.0]), sample("any"), sample("any")
    h = RNG.standard_normal(SHAPE)
    _, gx, gy = autograd_grads(mx.nd.where, [cond, x, y], h)
    assert_almost_equal(gx, h * [[0.0], [1.0]]) and assert_almost_equal(gy, h * [[1.0], [0.0]])
    check_second_order(lambda a, b: mx.nd.where(nd64(cond), a * a, b * a), [x, y], RNG)


def test_clip_gradient():
    x = np.array([[-1.5, -0.2, 0.3], [0.8, 1.7, -3.0]])
    check_numeric_gradient(lambda a: mx.nd.clip(a, a_min=-0.5, a_max=1.0), [x])
    # Inclusive bounds, NaN passes (MXNet 1.9.1).
    g = autograd_grads(lambda a: mx.nd.clip(a, a_min=0.0, a_max=1.0),
                       [[0.0, 1.0, -2.0, 0.5, 2.0, np.nan]], [1.0] * 6)[0]
    assert g.tolist() == [1.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    # Second order: clip' is piecewise constant, so the chain through it is exact.
    check_second_order(lambda a: mx.nd.clip(a * a, a_min=0.1, a_max=2.0), [x], RNG)


def test_backward_clip_op():
    g = nd64([1.0, 2.0, 3.0, 4.0])
    x = nd64([-1.0, 0.5, 2.0, np.nan])
    out = mx.nd._backward_clip(g, x, a_min=0.0, a_max=1.0).asnumpy()
    assert out.tolist() == [0.0, 2.0, 0.0, 4.0]
    for dtype in ("float32", "float16", "int32"):  # the vectorized loop, per dtype
        xv = np.arange(-40, 40).astype(dtype)
        gv = (np.arange(80) % 7 + 1).astype(dtype)
        out = mx.nd._backward_clip(mx.nd.array(gv, dtype=dtype), mx.nd.array(xv, dtype=dtype),
                                   a_min=-3, a_max=5).asnumpy()
        assert out.dtype == np.dtype(dtype)
        assert out.tolist() == np.where((xv >= -3) & (xv <= 5), gv, 0).tolist()
    with pytest.raises(mx.MXNetError, match="_backward_clip"):
        mx.nd._backward_clip(nd64([1.0, 2.0]), nd64([1.0]), a_min=0.0, a_max=1.0)


# ---------------------------------------------------------------------------
# Accumulation, dtypes, coverage
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fn,n_in", [(mx.nd.sin, 1), (mx.nd.elemwise_mul, 2),
                                     (lambda a: mx.nd.clip(a, a_min=-1.0, a_max=1.0), 1)])
def test_grad_req_add_accumulates(fn, n_in):
    xs = [sample("any") for _ in range(n_in)]
    h = RNG.standard_normal(SHAPE)
    once = autograd_grads(fn, xs, h)
    arrs = [nd64(x) for x in xs]
    for a in arrs:
        a.attach_grad(grad_req="add")
    for _ in range(3):
        with ag.record():
            y = fn(*arrs)
        y.backward(nd64(h))
    for a, g in zip(arrs, once):
        assert_almost_equal(a.grad.asnumpy(), 3 * g, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_low_precision_gradients(dtype):
    x = sample("pos").astype(dtype)
    a = mx.nd.array(x, dtype=dtype)
    a.attach_grad()
    with ag.record():
        y = mx.nd.log(a) * mx.nd.sigmoid(a)
    y.backward()
    assert a.grad.dtype == np.dtype(dtype)
    x64 = x.astype(np.float64)
    want = _sig(x64) / x64 + np.log(x64) * _sig(x64) * (1 - _sig(x64))
    tol = 1e-5 if dtype == "float32" else 1e-2
    assert_almost_equal(a.grad.asnumpy().astype(np.float64), want, rtol=tol, atol=tol)


# Ops in this files that deliberately declare no gradient.
NON_DIFFERENTIABLE = {"_trigamma": "third derivative of gammaln; not needed by any gradient"}
FILES = ["elemwise_unary.cc", "elemwise_unary_backward.cc", "elemwise_binary.cc", "elemwise_scalar.cc", "broadcast.cc",
         "reduce.cc", "reduce_norm.cc", "reduce_arg.cc", "where_clip.cc"]


def test_every_op_declares_a_gradient_or_is_listed():
    ops = registry_ops()
    seen = set()
    for f in FILES:
        names = ops_registered_in(f)
        assert names, f"no ops found in {f}"
        seen |= names
        for name in names:
            assert name in ops, f"{name} (from {f}) is not in the registry"
            if name in NON_DIFFERENTIABLE:
                assert not ops[name]["differentiable"], f"{name} is listed but has a gradient"
            else:
                assert ops[name]["differentiable"], f"{name} (from {f}) declares no gradient"
    assert set(NON_DIFFERENTIABLE) <= seen
    assert len(seen) >= 123  # 45 + 3 unary, 36 binary, 23 scalar, 3 + 7 + 1 + 2 + 3 others
