"""The initializer API Gluon uses: mx.init when it exists, otherwise a small
stand-in with the same interface (InitDesc, Initializer.__call__(desc, arr),
create(name_or_instance), Uniform, Normal, Zero, One, Constant, Xavier).

Why a stand-in: mx.init is written in parallel by another helper; Gluon must
initialize parameters meanwhile.  Everything here follows MXNet 1.9's
mx.init semantics, so switching to mx.init changes no result.
"""
import json
import math

import numpy as np

_real = None


def _module():
    """mx.init (the module mxlite.initializer) when the build has it, looked
    up lazily so the import order of mxlite's packages does not matter."""
    global _real
    if _real is None:
        try:
            from .. import initializer as real
        except ImportError:  # pragma: no cover - depends on what has been merged
            return _Fallback
        _real = real
    return _real


class _InitDesc(str):
    """A parameter's name with attributes (`__init__`: its own initializer)."""

    def __new__(cls, name, attrs=None, global_init=None):
        ret = super().__new__(cls, name)
        ret.attrs = attrs or {}
        ret.global_init = global_init
        return ret


class _Initializer:
    """Dispatches on the parameter's name as MXNet does: weight, bias (0),
    gamma (1), beta (0); an `__init__` attribute names the initializer."""

    def __init__(self, **kwargs):
        self._kwargs = kwargs

    def dumps(self):
        return json.dumps([type(self).__name__.lower(), self._kwargs])

    def __call__(self, desc, arr):
        if not isinstance(desc, str):
            raise TypeError("initializer: desc must be an InitDesc or a str")
        if not isinstance(desc, _InitDesc):
            desc = _InitDesc(desc)
        init = desc.attrs.get("__init__", "")
        if init:
            _create(init)._init_weight(desc, arr)
        elif desc.endswith("weight"):
            self._init_weight(desc, arr)
        elif desc.endswith("bias") or desc.endswith("beta") or desc.endswith("min"):
            arr[:] = 0.0
        elif desc.endswith("gamma") or desc.endswith("max"):
            arr[:] = 1.0
        else:
            raise ValueError(
                f"Unknown initialization pattern for {desc}. Default initialization is now "
                "limited to \"weight\", \"bias\", \"gamma\" (1.0), and \"beta\" (0.0). Please use "
                "mx.sym.Variable(init=mx.init.*) to set initialization pattern")

    def _init_weight(self, name, arr):
        raise NotImplementedError(f"{type(self).__name__} must override _init_weight")


class _Uniform(_Initializer):
    def __init__(self, scale=0.07):
        super().__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _, arr):
        from ..ndarray import random
        random.uniform(-self.scale, self.scale, shape=arr.shape, dtype=arr.dtype, out=arr)


class _Normal(_Initializer):
    def __init__(self, sigma=0.01):
        super().__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _, arr):
        from ..ndarray import random
        random.normal(0, self.sigma, shape=arr.shape, dtype=arr.dtype, out=arr)


class _Zero(_Initializer):
    def _init_weight(self, _, arr):
        arr[:] = 0.0


class _One(_Initializer):
    def _init_weight(self, _, arr):
        arr[:] = 1.0


class _Constant(_Initializer):
    def __init__(self, value):
        super().__init__(value=value)
        self.value = value

    def _init_weight(self, _, arr):
        from ..ndarray import NDArray
        if isinstance(self.value, NDArray):
            self.value.copyto(arr)
        else:
            arr[:] = np.broadcast_to(np.asarray(self.value, dtype=arr.dtype), arr.shape) \
                if np.ndim(self.value) else self.value


class _Xavier(_Initializer):
    def __init__(self, rnd_type="uniform", factor_type="avg", magnitude=3):
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        self.rnd_type, self.factor_type, self.magnitude = rnd_type, factor_type, float(magnitude)

    def _init_weight(self, name, arr):
        from ..ndarray import random
        shape = arr.shape
        hw_scale = 1.0
        if len(shape) < 2:
            raise ValueError(f"Xavier initializer cannot be applied to vector {name}. It requires"
                             " at least 2D.")
        if len(shape) > 2:
            hw_scale = float(np.prod(shape[2:]))
        fan_in, fan_out = shape[1] * hw_scale, shape[0] * hw_scale
        factor = {"avg": (fan_in + fan_out) / 2.0, "in": fan_in, "out": fan_out}.get(
            self.factor_type)
        if factor is None:
            raise ValueError("Incorrect factor type")
        scale = math.sqrt(self.magnitude / factor)
        if self.rnd_type == "uniform":
            random.uniform(-scale, scale, shape=shape, dtype=arr.dtype, out=arr)
        elif self.rnd_type == "gaussian":
            random.normal(0, scale, shape=shape, dtype=arr.dtype, out=arr)
        else:
            raise ValueError("Unknown random type")


_REGISTRY = {"uniform": _Uniform, "normal": _Normal, "zero": _Zero, "zeros": _Zero,
             "one": _One, "ones": _One, "constant": _Constant, "xavier": _Xavier}


def _create(init):
    """An initializer from an instance, a registered name or MXNet's JSON dump."""
    if isinstance(init, _Initializer):
        return init
    if isinstance(init, str):
        if init.startswith("["):
            name, kwargs = json.loads(init)
            return _REGISTRY[name.lower()](**kwargs)
        if init.lower() in _REGISTRY:
            return _REGISTRY[init.lower()]()
    raise ValueError(f"Cannot create initializer from {init!r}: expected an Initializer, one of "
                     f"{sorted(_REGISTRY)} or an initializer's JSON text")


class _Fallback:
    InitDesc = _InitDesc
    Initializer = _Initializer
    Uniform = _Uniform
    Normal = _Normal
    Zero = _Zero
    One = _One
    Constant = _Constant
    Xavier = _Xavier
    create = staticmethod(_create)


def init_desc(name, attrs):
    return _module().InitDesc(name, attrs)


def default_init():
    """MXNet's default for Parameter.initialize: Uniform(scale=0.07)."""
    return _module().Uniform()


def is_initializer(obj):
    return isinstance(obj, _module().Initializer)


def run(default, init, name, arr):
    """Initialize arr as Parameter `name` with its own init (may be None) and
    the block-wide default: MXNet's
    `create(default)(InitDesc(name, {'__init__': init}), arr)`.  Plain
    callables `fn(desc, arr)` are accepted for either."""
    mod = _module()
    if init is not None:
        if callable(init) and not isinstance(init, mod.Initializer):
            init(mod.InitDesc(name), arr)
            return
        if not (isinstance(default, (str, mod.Initializer)) or default is None):
            # a plain-callable default cannot dispatch __init__: run init itself
            mod.create(init)._init_weight(mod.InitDesc(name, {"__init__": init}), arr)
            return
    if default is None:
        default = mod.Uniform()
    if isinstance(default, str):
        default = mod.create(default)
    default(mod.InitDesc(name, {} if init is None else {"__init__": init}), arr)


def constant(value):
    """An initializer filling value (mx.init.Constant)."""
    return _module().Constant(value)
