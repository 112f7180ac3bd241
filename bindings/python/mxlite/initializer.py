"""mx.init / mx.initializer: weight initializers (MXNet 1.9 API).

An initializer is called as `init(desc, arr)` and fills `arr` in place.
`desc` is an InitDesc (a str, the parameter's name, with attributes): when
its attributes carry `__init__` (a registered name, JSON from `dumps()` or
an instance) that initializer fills the array; otherwise the name's suffix
decides: *weight -> _init_weight (the subclass's rule), *bias and *beta -> 0,
*gamma -> 1, moving_mean / moving_avg / moving_inv_var / *min -> 0,
moving_var / *max -> 1.  Random initializers draw from mx.random, so
mx.random.seed makes them repeatable.
"""
import json
import logging
import re
import warnings

import numpy as np

from . import ndarray as nd
from .ndarray import NDArray
from .registry import get_alias_func, get_create_func, get_register_func

__all__ = ["InitDesc", "Initializer", "register", "alias", "create", "Load", "Mixed", "Zero",
           "One", "Constant", "Uniform", "Normal", "Orthogonal", "Xavier", "MSRAPrelu",
           "Bilinear", "LSTMBias"]


class InitDesc(str):
    """The name of a parameter to initialize, with its attributes.

    Parameters
    ----------
    name : str
    attrs : dict of str to str or Initializer, optional
        '__init__' names the initializer of this parameter.
    global_init : Initializer, optional
        The initializer that was called for the whole model.
    """

    def __new__(cls, name, attrs=None, global_init=None):
        ret = super().__new__(cls, name)
        ret.attrs = attrs or {}
        ret.global_init = global_init
        return ret


# Suffix rules shared by both call paths (before _init_default).
_STATE_SUFFIXES = (("moving_mean", "_init_zero"), ("moving_var", "_init_one"),
                   ("moving_inv_var", "_init_zero"), ("moving_avg", "_init_zero"))


class Initializer:
    """The base class of initializers; subclasses implement `_init_weight(name, arr)`."""

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._verbose = False
        self._print_func = None

    def set_verbosity(self, verbose=False, print_func=None):
        """Log every initialization; print_func(arr) -> str summarizes an array
        (default: its L2 norm divided by sqrt(size))."""
        self._verbose = verbose
        if print_func is None:
            def asum_stat(x):
                return str((nd.norm(x) / np.sqrt(x.size)).asscalar())
            print_func = asum_stat
        self._print_func = print_func
        return self

    def _verbose_print(self, desc, init, arr):
        if self._verbose and self._print_func:
            logging.info("Initialized %s as %s: %s", desc, init, self._print_func(arr))

    def dumps(self):
        """JSON '["name", {kwargs}]' that `mx.init.create` turns back into this initializer."""
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __call__(self, desc, arr):
        if not isinstance(desc, InitDesc):
            self._legacy_init(desc, arr)
            return
        if desc.global_init is None:
            desc.global_init = self
        init = desc.attrs.get("__init__", "")
        if init:
            create(init)._init_weight(desc, arr)
            self._verbose_print(desc, init, arr)
            return
        for suffix, method in (("weight", "_init_weight"), ("bias", "_init_bias"),
                               ("gamma", "_init_gamma"), ("beta", "_init_beta"),
                               ("min", "_init_zero"), ("max", "_init_one")) + _STATE_SUFFIXES:
            if desc.endswith(suffix):
                getattr(self, method)(desc, arr)
                self._verbose_print(desc, suffix, arr)
                return
        self._init_default(desc, arr)

    def _legacy_init(self, name, arr):
        """Initialization by name alone (MXNet's pre-InitDesc path)."""
        warnings.warn("Calling initializer with init(str, NDArray) has been deprecated; "
                      "please use init(mx.init.InitDesc(...), NDArray) instead.",
                      DeprecationWarning, stacklevel=3)
        if not isinstance(name, str):
            raise TypeError("name must be string")
        if not isinstance(arr, NDArray):
            raise TypeError("arr must be NDArray")
        if name.startswith("upsampling"):
            self._init_bilinear(name, arr)
        elif name.startswith("stn_loc") and name.endswith("weight"):
            self._init_zero(name, arr)
        elif name.startswith("stn_loc") and name.endswith("bias"):
            self._init_loc_bias(name, arr)
        elif name.endswith("bias"):
            self._init_bias(name, arr)
        elif name.endswith("gamma"):
            self._init_gamma(name, arr)
        elif name.endswith("beta"):
            self._init_beta(name, arr)
        elif name.endswith("weight"):
            self._init_weight(name, arr)
        elif name.endswith("min"):
            self._init_zero(name, arr)
        elif name.endswith("max"):
            self._init_one(name, arr)
        else:
            for suffix, method in _STATE_SUFFIXES:
                if name.endswith(suffix):
                    getattr(self, method)(name, arr)
                    return
            self._init_default(name, arr)

    def _init_bilinear(self, _, arr):
        arr[:] = _bilinear_kernel(arr.shape)

    def _init_loc_bias(self, _, arr):
        if arr.shape[0] != 6:
            raise ValueError("stn_loc bias must have 6 entries, got shape %s" % (arr.shape,))
        arr[:] = np.array([1.0, 0, 0, 0, 1.0, 0])

    def _init_zero(self, _, arr):
        arr[:] = 0.0

    def _init_one(self, _, arr):
        arr[:] = 1.0

    def _init_bias(self, _, arr):
        arr[:] = 0.0

    def _init_gamma(self, _, arr):
        arr[:] = 1.0

    def _init_beta(self, _, arr):
        arr[:] = 0.0

    def _init_weight(self, name, arr):
        raise NotImplementedError("Must override it")

    def _init_default(self, name, _):
        raise ValueError(
            "Unknown initialization pattern for %s. Default initialization is now limited to "
            "\"weight\", \"bias\", \"gamma\" (1.0), and \"beta\" (0.0). Please use "
            "mx.sym.Variable(init=mx.init.*) to set initialization pattern" % name)

    def __eq__(self, other):
        if not isinstance(other, Initializer):
            return NotImplemented
        return type(self) is type(other) and self._kwargs == other._kwargs

    __hash__ = object.__hash__

    def __repr__(self):
        return "%s(%s)" % (self.__class__.__name__,
                           ", ".join("%s=%r" % kv for kv in self._kwargs.items()))


register = get_register_func(Initializer, "initializer")
alias = get_alias_func(Initializer, "initializer")
create = get_create_func(Initializer, "initializer")


def _bilinear_kernel(shape):
    """The bilinear upsampling filter over the last two axes of a 4-d shape."""
    if len(shape) != 4:
        raise ValueError("Bilinear initializer needs a 4-d (N, C, H, W) array, got shape %s"
                         % (shape,))
    f = np.ceil(shape[3] / 2.)
    c = (2 * f - 1 - f % 2) / (2. * f)
    x = np.arange(shape[3], dtype=np.float64)
    y = np.arange(shape[2], dtype=np.float64)
    k = np.outer(1 - np.abs(y / f - c), 1 - np.abs(x / f - c)).astype(np.float32)
    return np.broadcast_to(k, shape)


def _fill_random(kind, a, b, arr):
    """Fill arr from mx.random: uniform on [a, b) or normal(mean a, std b)."""
    sampler = nd.random.uniform if kind == "uniform" else nd.random.normal
    sampler(a, b, shape=arr.shape, dtype=arr.dtype, out=arr)


class Load:
    """Initialize by loading from a .params file (mx.nd.save of a dict) or a dict of
    arrays; names missing there go to `default_init`.  Keys may carry 'arg:' / 'aux:'
    prefixes."""

    def __init__(self, param, default_init=None, verbose=False):
        if isinstance(param, str):
            param = nd.load(param)
        if not isinstance(param, dict):
            raise TypeError("Load expects a dict of name -> NDArray")
        self.param = {}
        for name, arr in param.items():
            if name.startswith("arg:") or name.startswith("aux:"):
                name = name[4:]
            self.param[name] = arr
        self.default_init = default_init
        self.verbose = verbose

    def __call__(self, name, arr):
        if name in self.param:
            if tuple(arr.shape) != tuple(self.param[name].shape):
                raise ValueError("Parameter %s cannot be initialized from loading. Shape "
                                 "mismatch, target %s vs loaded %s"
                                 % (name, arr.shape, self.param[name].shape))
            arr[:] = self.param[name]
            if self.verbose:
                logging.info("Initialized %s by loading", name)
        else:
            if self.default_init is None:
                raise ValueError("Cannot Initialize %s. Not found in loaded param and no "
                                 "default Initializer is provided." % name)
            self.default_init(name, arr)
            if self.verbose:
                logging.info("Initialized %s by default", name)


class Mixed:
    """Initialize each parameter with the first initializer whose regex pattern matches
    its name (re.match)."""

    def __init__(self, patterns, initializers):
        if len(patterns) != len(initializers):
            raise ValueError("Mixed: %d patterns but %d initializers"
                             % (len(patterns), len(initializers)))
        self.map = list(zip([re.compile(p) for p in patterns], initializers))

    def __call__(self, name, arr):
        for prog, init in self.map:
            if prog.match(name):
                init(name, arr)
                return
        raise ValueError("Parameter name %s did not match any pattern. Consider add a \".*\" "
                         "pattern at the and with default Initializer." % name)


@register
@alias("zeros")
class Zero(Initializer):
    """Initialize weights to zero."""

    def __init__(self):
        super().__init__()

    def _init_weight(self, _, arr):
        arr[:] = 0


@register
@alias("ones")
class One(Initializer):
    """Initialize weights to one."""

    def __init__(self):
        super().__init__()

    def _init_weight(self, _, arr):
        arr[:] = 1


@register
class Constant(Initializer):
    """Initialize weights to `value` (a scalar, or an array broadcast to the weight)."""

    def __init__(self, value):
        super().__init__(value=value)
        self.value = value

    def _init_weight(self, _, arr):
        arr[:] = self.value

    def dumps(self):
        val = self._kwargs["value"]
        if not np.isscalar(val):
            val = val.tolist() if isinstance(val, np.ndarray) else val.asnumpy().tolist()
        return json.dumps([self.__class__.__name__.lower(), dict(self._kwargs, value=val)])


@register
class Uniform(Initializer):
    """Weights drawn uniformly from [-scale, scale)."""

    def __init__(self, scale=0.07):
        super().__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _, arr):
        _fill_random("uniform", -self.scale, self.scale, arr)


@register
class Normal(Initializer):
    """Weights drawn from N(0, sigma^2)."""

    def __init__(self, sigma=0.01):
        super().__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _, arr):
        _fill_random("normal", 0, self.sigma, arr)


@register
class Orthogonal(Initializer):
    """Orthogonal weights (Saxe et al. 2013): the SVD factor of a random
    (nout, prod(rest)) matrix that has its shape, times `scale`; its rows
    (or columns) are orthonormal before scaling.

    rand_type : 'uniform' (entries from U[-1, 1)) or 'normal' (N(0, 1)).
    """

    def __init__(self, scale=1.414, rand_type="uniform"):
        super().__init__(scale=scale, rand_type=rand_type)
        self.scale = scale
        self.rand_type = rand_type

    def _init_weight(self, _, arr):
        nout = arr.shape[0]
        nin = int(np.prod(arr.shape[1:]))
        if self.rand_type == "uniform":
            tmp = nd.random.uniform(-1.0, 1.0, shape=(nout, nin)).asnumpy()
        elif self.rand_type == "normal":
            tmp = nd.random.normal(0.0, 1.0, shape=(nout, nin)).asnumpy()
        else:
            raise ValueError("Orthogonal: unknown rand_type %r (expected 'uniform' or 'normal')"
                             % (self.rand_type,))
        u, _, v = np.linalg.svd(tmp, full_matrices=False)
        res = u if u.shape == tmp.shape else v
        arr[:] = (self.scale * res.reshape(arr.shape)).astype(np.float32)


@register
class Xavier(Initializer):
    """Xavier / Glorot initialization: scale = sqrt(magnitude / factor), where factor
    is fan_in, fan_out or their average (factor_type 'in', 'out', 'avg'); the fans
    are shape[1] and shape[0] times the receptive field size prod(shape[2:]).
    rnd_type 'uniform' draws from [-scale, scale), 'gaussian' from N(0, scale^2)."""

    def __init__(self, rnd_type="uniform", factor_type="avg", magnitude=3):
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        self.rnd_type = rnd_type
        self.factor_type = factor_type
        self.magnitude = float(magnitude)

    def _init_weight(self, name, arr):
        shape = arr.shape
        hw_scale = 1.
        if len(shape) < 2:
            raise ValueError("Xavier initializer cannot be applied to vector {0}. It requires at "
                             "least 2D.".format(name))
        if len(shape) > 2:
            hw_scale = np.prod(shape[2:])
        fan_in, fan_out = shape[1] * hw_scale, shape[0] * hw_scale
        if self.factor_type == "avg":
            factor = (fan_in + fan_out) / 2.0
        elif self.factor_type == "in":
            factor = fan_in
        elif self.factor_type == "out":
            factor = fan_out
        else:
            raise ValueError("Incorrect factor type")
        scale = float(np.sqrt(self.magnitude / factor))
        if self.rnd_type == "uniform":
            _fill_random("uniform", -scale, scale, arr)
        elif self.rnd_type == "gaussian":
            _fill_random("normal", 0, scale, arr)
        else:
            raise ValueError("Unknown random type")


@register
class MSRAPrelu(Xavier):
    """He / MSRA initialization for PReLU nets: Gaussian Xavier with
    magnitude 2 / (1 + slope^2)."""

    def __init__(self, factor_type="avg", slope=0.25):
        magnitude = 2. / (1 + slope ** 2)
        super().__init__("gaussian", factor_type, magnitude)
        self._kwargs = {"factor_type": factor_type, "slope": slope}


@register
class Bilinear(Initializer):
    """Bilinear upsampling filters for Deconvolution weights (N, C, H, W)."""

    def __init__(self):
        super().__init__()

    def _init_weight(self, _, arr):
        arr[:] = _bilinear_kernel(arr.shape)


@register
class LSTMBias(Initializer):
    """LSTM biases: zero, except `forget_bias` on the forget gate (the second of
    the four gate blocks)."""

    def __init__(self, forget_bias=1.0):
        super().__init__(forget_bias=forget_bias)
        self.forget_bias = forget_bias

    def _init_weight(self, name, arr):
        arr[:] = 0.0
        num_hidden = int(arr.shape[0] / 4)
        arr[num_hidden:2 * num_hidden] = self.forget_bias
