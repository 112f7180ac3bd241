"""mx.nd: imperative NDArray API; every registry op is generated here at import."""
import sys
import types

from .._registry import add_fluent_methods as _add_fluent_methods

from . import register as _register
from .dlpack import from_dlpack, to_dlpack_for_read, to_dlpack_for_write
from .ndarray import NDArray, array, empty, waitall
from .save_load import load, load_frombuffer, save
from .utils import arange, concatenate, eye, full, linspace, moveaxis, ones, zeros

_internal = types.ModuleType(__name__ + "._internal", "Internal operators (names with '_').")
op = types.ModuleType(__name__ + ".op", "Every registry operator.")
sys.modules[_internal.__name__] = _internal
sys.modules[op.__name__] = op

_generated = {}
_register.populate(_generated, _internal)
# Hand-written constructors keep their MXNet signatures over same-named ops.
_keep = {"array", "empty", "zeros", "ones", "full", "arange", "eye", "linspace", "concatenate",
         "waitall", "save", "load", "load_frombuffer"}
for _name, _fn in _generated.items():
    setattr(op, _name, _fn)
    if _name not in _keep:
        globals()[_name] = _fn

# Fluent methods (x.sum(axis=1), x.exp(), ...), as MXNet's NDArray has them.
_FLUENT = ["sum", "mean", "prod", "max", "min", "argmax", "argmin", "norm", "nansum", "nanprod",
           "abs", "sign", "sqrt", "rsqrt", "square", "exp", "log", "log1p", "expm1", "sin", "cos",
           "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "sigmoid", "relu",
           "softsign", "floor", "ceil", "round", "rint", "fix", "trunc", "reciprocal", "cbrt",
           "transpose", "expand_dims", "squeeze", "flatten", "tile", "repeat", "flip", "clip",
           "take", "one_hot", "split", "slice", "slice_axis", "broadcast_to", "broadcast_like",
           "broadcast_axes", "zeros_like", "ones_like", "swapaxes", "pick", "topk", "sort",
           "argsort", "softmax", "log_softmax", "dot", "diag", "where"]


_add_fluent_methods(NDArray, _FLUENT, _generated)

from . import random  # noqa: E402  (needs _internal populated)

from .._image_ns import make_namespace as _make_image_namespace  # noqa: E402
image = _make_image_namespace(_internal, __name__ + ".image")
from .cached_op import CachedOp  # noqa: E402

del _name, _fn
