"""mx.test_utils: comparison helpers and random inputs, with MXNet 1.9's names.

Gradient and symbol checks (check_numeric_gradient, check_symbolic_forward /
backward) arrive with autograd and symbols."""
import numpy as np

from .context import Context, cpu
from .ndarray import NDArray, array

__all__ = ["check_symbolic_forward", "check_symbolic_backward", "default_context",
           "set_default_context", "assert_almost_equal", "almost_equal",
           "same", "rand_shape_2d", "rand_shape_3d", "rand_shape_nd", "rand_ndarray",
           "default_rtols", "default_atols"]

_default_ctx = [cpu()]


def default_context():
    """The context tests run on (mx.cpu() in this build)."""
    return _default_ctx[0]


def set_default_context(ctx):
    if not isinstance(ctx, Context):
        raise TypeError(f"set_default_context: expected a Context, got {type(ctx).__name__}")
    _default_ctx[0] = ctx


def default_rtols():
    """Relative tolerances per dtype, as MXNet's test_utils uses them."""
    return {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-5,
            np.dtype(np.bool_): 0, np.dtype(np.int8): 0, np.dtype(np.uint8): 0,
            np.dtype(np.int32): 0, np.dtype(np.int64): 0}


def default_atols():
    """Absolute tolerances per dtype, as MXNet's test_utils uses them."""
    return {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3, np.dtype(np.float64): 1e-20,
            np.dtype(np.bool_): 0, np.dtype(np.int8): 0, np.dtype(np.uint8): 0,
            np.dtype(np.int32): 0, np.dtype(np.int64): 0}


def _as_numpy(x):
    return x.asnumpy() if isinstance(x, NDArray) else np.asarray(x)


def _tolerances(a, b, rtol, atol):
    # The looser of the two dtypes' defaults, so float16 vs float32 compares at float16's.
    dts = [a.dtype if a.dtype in default_rtols() else np.dtype(np.float64),
           b.dtype if b.dtype in default_rtols() else np.dtype(np.float64)]
    if rtol is None:
        rtol = max(default_rtols()[d] for d in dts)
    if atol is None:
        atol = max(default_atols()[d] for d in dts)
    return rtol, atol


def almost_equal(a, b, rtol=None, atol=None, equal_nan=False, use_broadcast=True):
    """True if |a - b| <= atol + rtol * |b| everywhere (NDArrays or array-likes)."""
    a, b = _as_numpy(a), _as_numpy(b)
    if not use_broadcast and a.shape != b.shape:
        return False
    rtol, atol = _tolerances(a, b, rtol, atol)
    return bool(np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def assert_almost_equal(a, b, rtol=None, atol=None, names=("a", "b"), equal_nan=False,
                        use_broadcast=True, mismatches=(10, 10)):
    """Raise AssertionError, showing the worst elements, unless a and b are close."""
    a, b = _as_numpy(a), _as_numpy(b)
    if not use_broadcast and a.shape != b.shape:
        raise AssertionError(f"shape mismatch: {names[0]} {a.shape} vs {names[1]} {b.shape}")
    rtol, atol = _tolerances(a, b, rtol, atol)
    a64, b64 = np.broadcast_arrays(a.astype(np.float64), b.astype(np.float64))
    close = np.isclose(a64, b64, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if close.all():
        return
    err = np.abs(a64 - b64) / (atol + rtol * np.abs(b64))
    err[close] = 0
    worst = np.argsort(err, axis=None)[::-1][:mismatches[0]]
    lines = [f"Items are not equal (rtol={rtol}, atol={atol}): "
             f"{int((~close).sum())} of {close.size} elements differ"]
    for flat in worst:
        idx = np.unravel_index(flat, close.shape)
        if close[idx]:
            break
        lines.append(f"  at {tuple(int(i) for i in idx)}: {names[0]}={a64[idx]!r} "
                     f"{names[1]}={b64[idx]!r} (error {err[idx]:.3g})")
    raise AssertionError("\n".join(lines))


def same(a, b):
    """Exact equality of values and shapes."""
    return bool(np.array_equal(_as_numpy(a), _as_numpy(b)))


def rand_shape_2d(dim0=10, dim1=10):
    return (np.random.randint(1, dim0 + 1), np.random.randint(1, dim1 + 1))


def rand_shape_3d(dim0=10, dim1=10, dim2=10):
    return (np.random.randint(1, dim0 + 1), np.random.randint(1, dim1 + 1),
            np.random.randint(1, dim2 + 1))


def rand_shape_nd(num_dim, dim=10):
    return tuple(np.random.randint(1, dim + 1, size=num_dim).tolist())


def rand_ndarray(shape, stype="default", density=None, dtype=None, modifier_func=None,
                 shuffle_csr_indices=False, distribution=None, ctx=None):
    """A dense NDArray of uniform values in [0, 1) (MXNet's default)."""
    if stype != "default":
        raise NotImplementedError(f"rand_ndarray: storage type '{stype}' is not supported; "
                                  "mxlite arrays are dense")
    values = np.random.uniform(0, 1, size=shape)
    if modifier_func is not None:
        values = modifier_func(values)
    return array(values, dtype=np.float32 if dtype is None else dtype)


# ------------------------------------------------------------ gradient checks
def _call_outputs(fn, arrays, names):
    out = fn(**dict(zip(names, arrays))) if names else fn(*arrays)
    return [out] if isinstance(out, NDArray) else list(out)


def numeric_grad(fn, location, head_grads, eps=1e-6, use_forward_train=True, names=None):
    """Central finite differences of sum(output * head_grad) over every input element.

    fn takes NDArrays (positionally, or by `names`) and returns one NDArray or a
    list; location is a list of NumPy arrays; returns one NumPy gradient per input."""
    from . import autograd
    location = [np.array(x, copy=True) for x in location]

    def objective():
        arrays = [array(x, dtype=x.dtype) for x in location]
        with autograd.train_mode() if use_forward_train else autograd.predict_mode():
            outs = _call_outputs(fn, arrays, names)
        return sum(float((o.asnumpy().astype(np.float64) * h).sum())
                   for o, h in zip(outs, head_grads))

    grads = []
    for x in location:
        g = np.zeros(x.shape, dtype=np.float64)
        flat, gflat = x.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            orig = flat[i]
            flat[i] = orig + eps
            f_plus = objective()
            flat[i] = orig - eps
            f_minus = objective()
            flat[i] = orig
            gflat[i] = (f_plus - f_minus) / (2 * eps)
        grads.append(g)
    return grads


def check_numeric_gradient(sym, location, aux_states=None, numeric_eps=None, rtol=None,
                           atol=None, grad_nodes=None, use_forward_train=True, ctx=None,
                           grad_stype_dict=None, dtype=np.float64, head_grads=None, seed=0):
    """Check autograd's gradients of `sym` against central finite differences.

    sym: a Symbol (checked through a bound executor's backward; location then
    follows list_arguments, aux_states list_auxiliary_states) or a function of
    NDArrays returning an NDArray or a list of them.  location: list of NumPy arrays, or a dict
    name -> array passed as keyword arguments.  grad_nodes: indices (or names)
    of the inputs to check, default all.  The objective is
    sum(output * head_grad) with random head gradients (or the given ones), so
    every output element is weighted differently.  float64 by default, where
    central differences are accurate to about 1e-8."""
    from . import autograd
    names = None
    if isinstance(location, dict):
        names = list(location)
        location = [location[k] for k in names]
    dtype = np.dtype(dtype)
    location = [np.asarray(x, dtype=dtype) for x in location]
    if numeric_eps is None:
        numeric_eps = 1e-6 if dtype == np.float64 else 1e-3
    if rtol is None:
        rtol = 1e-4 if dtype == np.float64 else 1e-2
    if atol is None:
        atol = 1e-6 if dtype == np.float64 else 1e-3
    from .symbol import Symbol
    if isinstance(sym, Symbol):
        if names is not None:
            location = dict(zip(names, location))
        return _check_numeric_gradient_symbol(sym, location, aux_states, numeric_eps, rtol, atol,
                                              grad_nodes, use_forward_train, dtype, head_grads,
                                              seed)
    n = len(location)
    if grad_nodes is None:
        check = list(range(n))
    else:
        check = [names.index(g) if isinstance(g, str) else int(g) for g in grad_nodes]

    arrays = [array(x, dtype=dtype) for x in location]
    for i in check:
        arrays[i].attach_grad()
    with autograd.record(train_mode=use_forward_train):
        outs = _call_outputs(sym, arrays, names)
    rng = np.random.default_rng(seed)
    if head_grads is None:
        head_grads = [rng.standard_normal(o.shape).astype(dtype) for o in outs]
    else:
        head_grads = [np.asarray(h, dtype=dtype) for h in head_grads]
    autograd.backward(outs, [array(h, dtype=dtype) for h in head_grads])
    numeric = numeric_grad(sym, location, head_grads, numeric_eps, use_forward_train, names)
    for i in check:
        label = names[i] if names else f"input {i}"
        assert_almost_equal(arrays[i].grad.asnumpy(), numeric[i], rtol=rtol, atol=atol,
                            names=(f"autograd gradient of {label}", "numeric gradient"))


# ------------------------------------------------------------ symbolic checks
def _sym_location(sym, location, dtype):
    """location (list in list_arguments order, or dict) -> {name: NDArray}."""
    names = sym.list_arguments()
    if isinstance(location, dict):
        unknown = set(location) - set(names)
        if unknown:
            raise ValueError(f"location names unknown arguments {sorted(unknown)}; the symbol's "
                             f"arguments are {names}")
        missing = [n for n in names if n not in location]
        if missing:
            raise ValueError(f"location is missing arguments {missing}")
        return {n: array(np.asarray(location[n]), dtype=dtype) for n in names}
    location = list(location)
    if len(location) != len(names):
        raise ValueError(f"location has {len(location)} arrays for {len(names)} arguments "
                         f"{names}")
    return {n: array(np.asarray(v), dtype=dtype) for n, v in zip(names, location)}


def _sym_aux(sym, aux_states, dtype):
    names = sym.list_auxiliary_states()
    if aux_states is None:
        if names:
            shapes = sym.infer_shape_partial()[2]
            return {n: array(np.zeros(s if s else ()), dtype=dtype) for n, s in zip(names, shapes)}
        return {}
    if isinstance(aux_states, dict):
        return {n: array(np.asarray(aux_states[n]), dtype=dtype) for n in names}
    return {n: array(np.asarray(v), dtype=dtype) for n, v in zip(names, aux_states)}


def _named(expected, names):
    if isinstance(expected, dict):
        return expected
    return dict(zip(names, expected))


def check_symbolic_forward(sym, location, expected, rtol=None, atol=None, aux_states=None,
                           ctx=None, equal_nan=False, dtype=np.float32):
    """Bind sym to location, run forward (is_train=False) and compare every output with
    expected (a list, or a dict by output name).  Returns the outputs as NumPy arrays."""
    args = _sym_location(sym, location, dtype)
    aux = _sym_aux(sym, aux_states, dtype)
    ex = sym.bind(ctx, args=args, aux_states=aux)
    outputs = [o.asnumpy() for o in ex.forward(is_train=False)]
    names = sym.list_outputs()
    if isinstance(expected, dict):
        expected = [expected[n] for n in names]
    for name, out, exp in zip(names, outputs, expected):
        assert_almost_equal(out, exp, rtol=rtol, atol=atol, equal_nan=equal_nan,
                            names=(f"forward output {name}", "expected"))
    return outputs


def check_symbolic_backward(sym, location, out_grads, expected, rtol=None, atol=None,
                            aux_states=None, grad_req="write", ctx=None, grad_stypes=None,
                            equal_nan=False, dtype=np.float32):
    """Bind sym, run forward (is_train=True) and backward(out_grads), and compare the
    gradients with expected (a list in list_arguments order, or a dict by name).
    grad_req 'add' starts from random gradient buffers and expects them plus the gradient,
    as MXNet's check does.  Returns {name: gradient as NumPy}."""
    from .executor import grad_req_codes
    args = _sym_location(sym, location, dtype)
    aux = _sym_aux(sym, aux_states, dtype)
    names = sym.list_arguments()
    expected = _named(expected, names)
    if isinstance(grad_req, str):
        reqs = {n: grad_req for n in names}
    elif isinstance(grad_req, (list, tuple)):
        reqs = dict(zip(names, grad_req))
    else:
        reqs = {n: grad_req.get(n, "null") for n in names}
    grad_req_codes(reqs, names)  # validates the values
    rng = np.random.default_rng(0)
    initial = {n: rng.normal(size=args[n].shape).astype(dtype) if reqs[n] == "add"
               else np.zeros(args[n].shape, dtype=dtype) for n in names}
    grads = {n: array(initial[n], dtype=dtype) for n in names if reqs[n] != "null"}
    ex = sym.bind(ctx, args=args, args_grad=grads, grad_req=reqs, aux_states=aux)
    ex.forward(is_train=True)
    if out_grads is not None:
        if isinstance(out_grads, dict):
            out_grads = [out_grads[n] for n in sym.list_outputs()]
        out_grads = [array(np.asarray(g), dtype=dtype) for g in out_grads]
    ex.backward(out_grads)
    result = {}
    for n in names:
        if reqs[n] == "null" or n not in grads:
            continue
        got = grads[n].asnumpy()
        result[n] = got
        if n not in expected:
            continue
        want = np.asarray(expected[n])
        if reqs[n] == "add":
            want = want + initial[n]
        assert_almost_equal(got, want, rtol=rtol, atol=atol, equal_nan=equal_nan,
                            names=(f"gradient of {n}", "expected"))
    return result


def _check_numeric_gradient_symbol(sym, location, aux_states, numeric_eps, rtol, atol,
                                   grad_nodes, use_forward_train, dtype, head_grads, seed):
    names = sym.list_arguments()
    if isinstance(location, dict):
        location = [location[n] for n in names]
    location = [np.asarray(x, dtype=dtype) for x in location]
    aux0 = {n: a.asnumpy() for n, a in _sym_aux(sym, aux_states, dtype).items()}
    if grad_nodes is None:
        check = list(names)
    else:
        check = [names[g] if isinstance(g, int) else g for g in grad_nodes]
    args = {n: array(x, dtype=dtype) for n, x in zip(names, location)}
    aux = {n: array(v, dtype=dtype) for n, v in aux0.items()}
    grads = {n: array(np.zeros(args[n].shape), dtype=dtype) for n in check}
    ex = sym.bind(None, args=args, args_grad=grads,
                  grad_req={n: ("write" if n in check else "null") for n in names},
                  aux_states=aux)
    outs = ex.forward(is_train=use_forward_train)
    rng = np.random.default_rng(seed)
    if head_grads is None:
        head_grads = [rng.standard_normal(o.shape).astype(dtype) for o in outs]
    else:
        head_grads = [np.asarray(h, dtype=dtype) for h in head_grads]
    ex.backward([array(h, dtype=dtype) for h in head_grads])
    analytic = {n: grads[n].asnumpy() for n in check}

    def objective():
        for n, v in aux0.items():
            ex.aux_dict[n][:] = v
        outs = ex.forward(is_train=use_forward_train)
        return sum(float((o.asnumpy().astype(np.float64) * h).sum())
                   for o, h in zip(outs, head_grads))

    for n in check:
        x = location[names.index(n)]
        g = np.zeros(x.shape, dtype=np.float64)
        flat, gflat = x.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            orig = flat[i]
            flat[i] = orig + numeric_eps
            ex.arg_dict[n][:] = x
            f_plus = objective()
            flat[i] = orig - numeric_eps
            ex.arg_dict[n][:] = x
            f_minus = objective()
            flat[i] = orig
            ex.arg_dict[n][:] = x
            gflat[i] = (f_plus - f_minus) / (2 * numeric_eps)
        assert_almost_equal(analytic[n], g, rtol=rtol, atol=atol,
                            names=(f"symbolic gradient of {n}", "numeric gradient"))
