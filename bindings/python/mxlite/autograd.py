"""Eager automatic differentiation (MXNet 1.9's ``mx.autograd``).

The tape lives in the core (include/c_api.h, "autograd"); this module is the
Python face of it: scopes that switch recording and training mode, variables,
``backward``/``grad``, and custom differentiable functions."""
import threading

from .base import (MXNetError, TypeError_, ValueError_, _ERROR_CLASSES, check_call, ffi, lib)

_GRAD_REQ = {"null": 0, "write": 1, "inplace": 1, "add": 3}


def _flag(fn):
    p = ffi.new("int32_t*")
    check_call(fn(p))
    return bool(p[0])


def is_recording():
    """Whether operations are being recorded on this thread."""
    return _flag(lib.mxl_autograd_is_recording)


def is_training():
    """Whether this thread is in training mode (Dropout active, BatchNorm on batch stats)."""
    return _flag(lib.mxl_autograd_is_training)


def set_recording(is_recording):  # noqa: F811  (MXNet's name)
    """Set recording on or off; returns the previous state."""
    prev = ffi.new("int32_t*")
    check_call(lib.mxl_autograd_set_recording(1 if is_recording else 0, prev))
    return bool(prev[0])


def set_training(train_mode):
    """Set training mode on or off; returns the previous state."""
    prev = ffi.new("int32_t*")
    check_call(lib.mxl_autograd_set_training(1 if train_mode else 0, prev))
    return bool(prev[0])


class _RecordingStateScope:
    """Sets recording and/or training mode for a `with` block and restores them."""

    def __init__(self, is_record, train_mode):
        self._enter_record = is_record
        self._enter_train = train_mode
        self._prev_record = None
        self._prev_train = None

    def __enter__(self):
        if self._enter_record is not None:
            self._prev_record = set_recording(self._enter_record)
        if self._enter_train is not None:
            self._prev_train = set_training(self._enter_train)
        return self

    def __exit__(self, *exc):
        if self._enter_record is not None and self._prev_record != self._enter_record:
            set_recording(self._prev_record)
        if self._enter_train is not None and self._prev_train != self._enter_train:
            set_training(self._prev_train)
        return False


def record(train_mode=True):
    """Scope in which operations are recorded for differentiation."""
    return _RecordingStateScope(True, train_mode)


def pause(train_mode=False):
    """Scope in which recording is off (e.g. metric updates inside record())."""
    return _RecordingStateScope(False, train_mode)


def train_mode():
    """Scope in training mode, recording unchanged."""
    return _RecordingStateScope(None, True)


def predict_mode():
    """Scope in prediction mode, recording unchanged."""
    return _RecordingStateScope(None, False)


def _handles(arrays, what):
    from .ndarray.ndarray import NDArray
    if isinstance(arrays, NDArray):
        arrays = [arrays]
    arrays = list(arrays)
    for a in arrays:
        if not isinstance(a, NDArray):
            raise TypeError_(f"autograd: {what} must be NDArrays, got {type(a).__name__}")
    return arrays, [a._handle() for a in arrays]


def _req_code(req):
    if req not in _GRAD_REQ:
        raise ValueError_(f"autograd: grad_req must be one of {sorted(_GRAD_REQ)}, got {req!r}")
    return _GRAD_REQ[req]


def mark_variables(variables, gradients, grad_reqs="write"):
    """Make arrays variables whose gradients are written into `gradients`."""
    variables, vh = _handles(variables, "variables")
    gradients, gh = _handles(gradients, "gradients")
    if len(variables) != len(gradients):
        raise ValueError_(f"mark_variables: {len(variables)} variables but "
                          f"{len(gradients)} gradients")
    reqs = [grad_reqs] * len(variables) if isinstance(grad_reqs, str) else list(grad_reqs)
    codes = [_req_code(r) for r in reqs]
    check_call(lib.mxl_autograd_mark_variables(len(vh), vh, codes, gh))
    for v, g, r in zip(variables, gradients, reqs):
        v._grad = g
        v._grad_req = r


def _head_grads(heads, head_grads):
    from .ndarray.ndarray import NDArray
    if head_grads is None:
        return ffi.NULL, []
    if isinstance(head_grads, NDArray):
        head_grads = [head_grads]
    head_grads = list(head_grads)
    if len(head_grads) != len(heads):
        raise ValueError_(f"autograd: {len(head_grads)} head gradients for {len(heads)} heads")
    hs = [ffi.NULL if g is None else g._handle() for g in head_grads]
    return hs, head_grads


def backward(heads, head_grads=None, retain_graph=False, train_mode=True):  # noqa: F811
    """Compute the gradients of heads into the variables' .grad buffers."""
    heads, hh = _handles(heads, "heads")
    gh, keep = _head_grads(heads, head_grads)
    check_call(lib.mxl_autograd_backward(len(hh), hh, gh, 1 if retain_graph else 0,
                                         1 if train_mode else 0))
    del keep


def grad(heads, variables, head_grads=None, retain_graph=None, create_graph=False,
         train_mode=True):  # noqa: F811
    """Return the gradients of heads with respect to variables (buffers untouched).

    With create_graph=True the result is itself recorded and can be
    differentiated again (higher-order gradients)."""
    from .ndarray._invoke import wrap
    from .ndarray.ndarray import NDArray
    single = isinstance(variables, NDArray)
    heads, hh = _handles(heads, "heads")
    variables, vh = _handles(variables, "variables")
    gh, keep = _head_grads(heads, head_grads)
    if retain_graph is None:
        retain_graph = create_graph
    out = ffi.new("mxl_array_t*[]", len(vh))
    check_call(lib.mxl_autograd_grad(len(hh), hh, gh, len(vh), vh, 1 if retain_graph else 0,
                                     1 if create_graph else 0, 1 if train_mode else 0, out))
    del keep
    res = [wrap(out[i]) for i in range(len(vh))]
    return res[0] if single else res


def get_symbol(x):
    raise NotImplementedError("autograd.get_symbol needs symbols (mxlite issue 4)")


# ------------------------------------------------------------ custom functions
_live_functions = {}  # id -> (Function, ffi handle); released by the core
_lock = threading.Lock()


class Function:
    """A differentiable function with a hand-written backward, as in MXNet::

        class Sigmoid(mx.autograd.Function):
            def forward(self, x):
                y = 1 / (1 + mx.nd.exp(-x))
                self.save_for_backward(y)
                return y
            def backward(self, dy):
                y, = self.saved_tensors
                return dy * y * (1 - y)

    forward runs with recording paused; backward gets one gradient per output
    and returns one per input (None for "no gradient")."""

    def __init__(self):
        self._used = False
        self.saved_tensors = ()

    def save_for_backward(self, *args):
        # Detached views (same storage, no history): saving an output with its
        # history would make output -> node -> this function -> output a cycle
        # that Python's collector cannot see through the core.
        from .ndarray.ndarray import NDArray
        self.saved_tensors = tuple(a.detach() if isinstance(a, NDArray) else a for a in args)

    def forward(self, *inputs):
        raise NotImplementedError

    def backward(self, *output_grads):
        raise NotImplementedError

    def __call__(self, *inputs):
        from .ndarray.ndarray import NDArray
        if self._used:
            raise MXNetError("autograd.Function: each instance can be called once; create a "
                             "new instance for every call")
        self._used = True
        with pause(train_mode=is_training()):
            outputs = self.forward(*inputs)
        single = isinstance(outputs, NDArray)
        outs = [outputs] if single else list(outputs)
        _, ih = _handles(inputs, "Function inputs")
        _, oh = _handles(outs, "Function outputs")
        if is_recording():
            handle = ffi.new_handle(self)
            key = int(ffi.cast("uintptr_t", handle))
            with _lock:
                _live_functions[key] = handle
            check_call(lib.mxl_autograd_record_custom(len(ih), ih, len(oh), oh,
                                                      lib.mxl_py_custom_backward,
                                                      lib.mxl_py_custom_release, handle))
        self._num_inputs = len(ih)
        return outputs


def _new_ref(arr):
    p = ffi.new("mxl_array_t**")
    check_call(lib.mxl_array_detach(arr._handle(), p))
    return p[0]


@ffi.def_extern()
def mxl_py_custom_backward(ctx, n_out, out_grads, n_in, in_grads):
    from .ndarray._invoke import wrap
    from .ndarray.ndarray import NDArray
    try:
        func = ffi.from_handle(ctx)
        ograds = []
        for i in range(n_out):
            p = ffi.new("mxl_array_t**")
            check_call(lib.mxl_array_detach(out_grads[i], p))
            ograds.append(wrap(p[0]))
        with pause(train_mode=is_training()):
            res = func.backward(*ograds)
        res = [res] if isinstance(res, NDArray) or res is None else list(res)
        if len(res) != n_in:
            raise ValueError_(f"{type(func).__name__}.backward returned {len(res)} gradients "
                              f"for {n_in} inputs")
        for i, r in enumerate(res):
            if r is not None:
                if not isinstance(r, NDArray):
                    raise TypeError_(f"{type(func).__name__}.backward must return NDArrays, got "
                                     f"{type(r).__name__}")
                in_grads[i] = _new_ref(r)
        return 0
    except Exception as e:  # reported through the core's error channel
        kind = next((k for k, c in _ERROR_CLASSES.items() if isinstance(e, c)),
                    lib.MXL_ERR_RUNTIME)
        lib.mxl_set_last_error(kind, f"{type(e).__name__}: {e}".encode())
        return -1


@ffi.def_extern()
def mxl_py_custom_release(ctx):
    with _lock:
        _live_functions.pop(int(ffi.cast("uintptr_t", ctx)), None)
