"""gluon.Parameter, Constant and ParameterDict (MXNet 1.9 semantics).

A Parameter holds one array per context (mxlite runs on the CPU, so usually
one) plus its gradient buffer, marked as an autograd variable.  Its shape may
have unknown extents (0 or -1); with allow_deferred_init the arrays are made
at the first forward, once the input shapes fix the missing extents.
"""
import re
import warnings

import numpy as np

from .. import autograd, ndarray
from ..context import Context, cpu, current_context
from ..ndarray import NDArray
from . import _initializer

__all__ = ["DeferredInitializationError", "Parameter", "Constant", "ParameterDict",
           "tensor_types"]

tensor_types = (NDArray,)


class DeferredInitializationError(Exception):
    """Raised when a Parameter is read before its deferred initialization ran."""


def _shape_known(shape):
    return shape is not None and all(d > 0 for d in shape)


def _brief(names, limit=5):
    names = list(names)
    if len(names) > limit:
        names = names[:limit // 2] + ["..."] + names[-limit // 2:]
    return ", ".join(f"'{n}'" for n in names)


def _dtype_name(dtype):
    return np.dtype(dtype).name if dtype is not None else None


class Parameter:
    """A Block's parameter: weights, biases, running statistics.

    Parameters
    ----------
    name : str
    grad_req : {'write', 'add', 'null'}
    shape : int or tuple of int; 0 or -1 marks an extent known only later
    dtype : numpy dtype or str, default float32
    lr_mult, wd_mult : float, multipliers of the learning rate and weight decay
    init : Initializer, str or callable(desc, arr); this parameter's initializer
    allow_deferred_init : bool, allow initialize() before the shape is known
    differentiable : bool; False forces grad_req 'null'
    """

    def __init__(self, name, grad_req="write", shape=None, dtype=np.float32, lr_mult=1.0,
                 wd_mult=1.0, init=None, allow_deferred_init=False, differentiable=True,
                 stype="default", grad_stype="default"):
        self._var = None
        self._data = None
        self._grad = None
        self._ctx_list = None
        self._deferred_init = ()
        self._differentiable = differentiable
        self._allow_deferred_init = allow_deferred_init
        self._grad_req = None
        if isinstance(shape, int):
            shape = (shape,)
        self._shape = tuple(shape) if shape is not None else None
        self.name = name
        self._dtype = dtype
        self.lr_mult = lr_mult
        self.wd_mult = wd_mult
        self.grad_req = grad_req
        self.init = init
        for what, st in (("stype", stype), ("grad_stype", grad_stype)):
            if st != "default":
                raise ValueError(f"Parameter '{name}': {what} {st!r} is not supported (mxlite "
                                 "arrays are dense); use 'default'")
        self._stype = stype
        self._grad_stype = grad_stype

    def __repr__(self):
        return f"Parameter {self.name} (shape={self.shape}, dtype={self.dtype})"

    # -- attributes ---------------------------------------------------------

    @property
    def grad_req(self):
        return self._grad_req

    @grad_req.setter
    def grad_req(self, req):
        if req not in ("write", "add", "null"):
            raise ValueError(f"grad_req must be one of 'write', 'add', or 'null', but got "
                             f"'{req}'")
        if not self._differentiable:
            req = "null"
        if self._grad_req == req:
            return
        self._grad_req = req
        if req == "null" and self._grad is not None:
            self._grad = None
            self._data = [i.detach() for i in self._data]
        elif self._data is not None:
            self._init_grad()

    @property
    def dtype(self):
        return self._dtype

    @dtype.setter
    def dtype(self, dtype):
        self._dtype = dtype

    @property
    def shape(self):
        return self._shape

    @shape.setter
    def shape(self, new_shape):
        if new_shape is not None:
            new_shape = tuple(int(d) for d in new_shape)
        if self._shape is None:
            self._shape = new_shape
            return
        if new_shape is None or len(self._shape) != len(new_shape) or not all(
                j in (-1, 0, i) for i, j in zip(new_shape, self._shape)):
            raise AssertionError(f"Expected shape {new_shape} is incompatible with given shape "
                                 f"{self._shape} for Parameter '{self.name}'.")
        self._shape = new_shape

    @property
    def stype(self):
        return self._stype

    # -- arrays -------------------------------------------------------------

    def _check_and_get(self, arr_list, ctx):
        if arr_list is not None:
            if ctx is list:
                return arr_list
            if ctx is None:
                if len(arr_list) == 1:
                    return arr_list[0]
                ctx = current_context()
            for c, arr in zip(self._ctx_list, arr_list):
                if c == ctx:
                    return arr
            raise RuntimeError(f"Parameter '{self.name}' was not initialized on context {ctx}. "
                               f"It was only initialized on {self._ctx_list}.")
        if self._deferred_init:
            raise DeferredInitializationError(
                f"Parameter '{self.name}' has not been initialized yet because initialization "
                "was deferred. Actual initialization happens during the first forward pass. "
                "Please pass one batch of data through the network before accessing Parameters."
                " You can also avoid deferred initialization by specifying in_units, "
                "num_features, etc., for network layers.")
        raise RuntimeError(
            f"Parameter '{self.name}' has not been initialized. Note that you should initialize "
            "parameters and create Trainer with Block.collect_params() instead of Block.params "
            "because the later does not include Parameters of nested child Blocks")

    def data(self, ctx=None):
        """The array on ctx (the only one when ctx is None).  While a HybridBlock is
        being traced to a symbol, the parameter's variable symbol."""
        from .block import _tracing
        if _tracing():
            return self.var()
        return self._check_and_get(self._data, ctx)

    def _fast_data(self):
        """data() for the single-context, not-tracing case blocks hit on every call."""
        d = self._data
        if d is not None and len(d) == 1:
            return d[0]
        return self._check_and_get(d, None)

    def list_data(self):
        """The arrays on every context, in list_ctx() order."""
        return self._check_and_get(self._data, list)

    def grad(self, ctx=None):
        """The gradient buffer on ctx."""
        if self._data is not None and self._grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' because "
                               "grad_req='null'")
        return self._check_and_get(self._grad, ctx)

    def list_grad(self):
        if self._data is not None and self._grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' because "
                               "grad_req='null'")
        return self._check_and_get(self._grad, list)

    def list_ctx(self):
        if self._data is None:
            if self._deferred_init:
                return self._deferred_init[1]
            raise RuntimeError(f"Parameter '{self.name}' has not been initialized")
        return self._ctx_list

    # -- initialization -----------------------------------------------------

    def initialize(self, init=None, ctx=None, default_init=None, force_reinit=False):
        """Create the arrays and fill them with `init` (this parameter's own
        initializer wins over `init`, which is the default)."""
        if default_init is None:
            default_init = _initializer.default_init()
        if self._data is not None and not force_reinit:
            warnings.warn(f"Parameter '{self.name}' is already initialized, ignoring. Set "
                          "force_reinit=True to re-initialize.", stacklevel=2)
            return
        self._data = self._grad = None
        if ctx is None:
            ctx = [current_context()]
        if isinstance(ctx, Context):
            ctx = [ctx]
        if init is None:
            init = default_init if self.init is None else self.init
        if not _shape_known(self.shape):
            if self._allow_deferred_init:
                self._deferred_init = (init, list(ctx), default_init, None)
                return
            raise ValueError(f"Cannot initialize Parameter '{self.name}' because it has invalid "
                             f"shape: {self.shape}.")
        self._deferred_init = (init, list(ctx), default_init, None)
        self._finish_deferred_init()

    def _finish_deferred_init(self):
        """Make the arrays now that the shape is known."""
        if not self._deferred_init:
            return
        init, ctx, default_init, data = self._deferred_init
        self._deferred_init = ()
        if not _shape_known(self.shape):
            raise ValueError(f"Cannot initialize Parameter '{self.name}' because it has invalid "
                             f"shape: {self.shape}. Please specify in_units, in_channels, etc "
                             "for `Block`s.")
        with autograd.pause():
            if data is None:
                data = ndarray.zeros(self.shape, dtype=self.dtype, ctx=cpu())
                # as MXNet: create(default_init)(InitDesc(name, {'__init__': init}), data)
                _initializer.run(default_init, init, self.name, data)
            self._init_impl(data, ctx)

    def _init_impl(self, data, ctx_list):
        self._ctx_list = list(ctx_list)
        self._data = [data.copyto(c) if data.dtype == np.dtype(self.dtype) else
                      data.astype(self.dtype) for c in self._ctx_list]
        self._init_grad()

    def _init_grad(self):
        if self.grad_req == "null":
            self._grad = None
            return
        self._grad = [ndarray.zeros(d.shape, dtype=d.dtype) for d in self._data]
        autograd.mark_variables(self._data, self._grad, self.grad_req)

    def _reduce(self):
        """One CPU copy of the value (the mean over contexts)."""
        data = self.list_data()
        if len(data) == 1:
            return data[0].copy()
        return ndarray.add_n(*data) / len(data)

    def _load_init(self, data, ctx, cast_dtype=False, dtype_source="current"):
        """Initialize from a loaded array (shapes fill unknown extents)."""
        if cast_dtype and dtype_source not in ("current", "saved"):
            raise ValueError("dtype_source must be either 'current' or 'saved'")
        if self.shape:
            if len(self.shape) != len(data.shape) or not all(
                    s in (0, -1, d) for s, d in zip(self.shape, data.shape)):
                raise AssertionError(f"Failed loading Parameter '{self.name}' from saved params: "
                                     f"shape incompatible expected {self.shape} vs saved "
                                     f"{data.shape}")
            self.shape = tuple(d if s in (0, -1) else s for s, d in zip(self.shape, data.shape))
        else:
            self.shape = data.shape
        if self.dtype is not None and np.dtype(self.dtype) != np.dtype(data.dtype):
            if not cast_dtype:
                raise AssertionError(f"Failed loading Parameter '{self.name}' from saved params: "
                                     f"dtype incompatible expected {_dtype_name(self.dtype)} vs "
                                     f"saved {_dtype_name(data.dtype)}. Set cast_dtype=True to "
                                     "cast the dtype of saved params.")
            if dtype_source == "current":
                data = data.astype(self.dtype)
            else:
                self.dtype = data.dtype
        if isinstance(ctx, Context):
            ctx = [ctx]
        if self._data is None:
            if self._deferred_init:
                ctx = self._deferred_init[1]
            elif ctx is None:
                ctx = [cpu()]
            with autograd.pause():
                self._init_impl(data, ctx)
        else:
            self.set_data(data)
        self._deferred_init = ()

    def set_data(self, data):
        """Overwrite the value on every context."""
        self.shape = data.shape
        if self._data is None:
            if not self._deferred_init:
                raise AssertionError(f"Parameter '{self.name}' has not been initialized")
            self._deferred_init = self._deferred_init[:3] + (data,)
            return
        if not isinstance(data, NDArray):
            data = ndarray.array(data, dtype=self.dtype)
        for arr in self.list_data():
            arr[:] = data

    def reset_ctx(self, ctx):
        """Move the parameter to other contexts (all CPU in this build)."""
        if ctx is None:
            ctx = [current_context()]
        if isinstance(ctx, Context):
            ctx = [ctx]
        if self._data is not None:
            data = self._reduce()
            with autograd.pause():
                self._init_impl(data, ctx)
        elif self._deferred_init:
            init, _, default_init, data = self._deferred_init
            self._deferred_init = (init, list(ctx), default_init, data)
        else:
            raise ValueError(f"Cannot reset context for Parameter '{self.name}' because it has "
                             "not been initialized.")

    def zero_grad(self):
        """Set the gradient buffers to 0."""
        if self._grad is None:
            return
        for g in self._grad:
            g[:] = 0

    def cast(self, dtype):
        """Change the dtype of the value and gradient (keeping their values)."""
        self.dtype = dtype
        self._var = None
        if self._data is None:
            return
        with autograd.pause():
            self._data = [i.astype(dtype) for i in self._data]
            if self._grad is None:
                return
            self._grad = [i.astype(dtype) for i in self._grad]
            autograd.mark_variables(self._data, self._grad, self.grad_req)

    def var(self):
        """A symbol Variable for this parameter (shape, dtype, lr_mult, wd_mult attributes)."""
        if self._var is None:
            from .. import symbol
            init = self.init
            if init is not None and not isinstance(init, str):
                init = init.dumps() if hasattr(init, "dumps") else None
            self._var = symbol.var(self.name, shape=self.shape, dtype=self.dtype,
                                   lr_mult=self.lr_mult, wd_mult=self.wd_mult, init=init)
        return self._var

    def _clear_var(self):
        self._var = None


class Constant(Parameter):
    """A parameter that holds a fixed value and gets no gradient."""

    def __init__(self, name, value):
        if not isinstance(value, NDArray):
            value = ndarray.array(value)
        self.value = value

        def _init(_desc, arr):
            value.copyto(arr)

        super().__init__(name, grad_req="null", shape=value.shape, dtype=value.dtype,
                         init=_init)

    def __repr__(self):
        return f"Constant {self.name} (shape={self.shape}, dtype={self.dtype})"

    @property
    def grad_req(self):
        return "null"

    @grad_req.setter
    def grad_req(self, req):
        if req != "null":
            warnings.warn(f"Constant parameter \"{self.name}\" does not support grad_req other "
                          f"than \"null\", and new value \"{req}\" is ignored.", stacklevel=2)
        self._grad_req = "null"


def _save(filename, arrays):
    """mx.nd.save (the .params format)."""
    save = getattr(ndarray, "save", None)
    if save is None:
        raise NotImplementedError("mx.nd.save is not available in this build yet")
    save(filename, arrays)


def _load(filename):
    load = getattr(ndarray, "load", None)
    if load is None:
        raise NotImplementedError("mx.nd.load is not available in this build yet")
    return load(filename)


def select_params(params, select):
    """The (name, param) pairs whose name matches the regex `select` (re.match)."""
    if not select:
        return list(params.items())
    pattern = re.compile(select)
    return [(k, v) for k, v in params.items() if pattern.match(k)]


# ParameterDict lives in its own file; MXNet code imports it from here too.
from .parameter_dict import ParameterDict  # noqa: E402
