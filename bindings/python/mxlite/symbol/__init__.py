"""mx.sym / mx.symbol: symbolic graphs; every registry op is generated here at import."""
import sys
import types

from .._registry import add_fluent_methods as _add_fluent_methods

_internal = types.ModuleType(__name__ + "._internal", "Internal operators (names with '_').")
op = types.ModuleType(__name__ + ".op", "Every registry operator.")
sys.modules[_internal.__name__] = _internal
sys.modules[op.__name__] = op

from .symbol import (Group, Symbol, Variable, arange, eye, fromjson, full, hypot,  # noqa: E402
                     linspace, load, load_json, maximum, minimum, ones, pow, power, var, zeros)
from . import register as _register  # noqa: E402

_generated = {}
_register.populate(_generated, _internal)
# Hand-written functions keep their MXNet signatures over same-named ops.
_keep = {"zeros", "ones", "full", "arange", "eye", "linspace", "pow", "power", "maximum",
         "minimum", "hypot", "Group", "load", "load_json"}
for _name, _fn in _generated.items():
    setattr(op, _name, _fn)
    if _name not in _keep:
        globals()[_name] = _fn

# Fluent methods (sym.sum(axis=1), sym.reshape(...), ...), as MXNet's Symbol has them.
_FLUENT = ["reshape", "reshape_like", "zeros_like", "ones_like", "broadcast_axes", "repeat", "pad",
           "swapaxes", "split", "slice", "slice_axis", "slice_like", "take", "one_hot", "pick",
           "sort", "topk", "argsort", "argmax", "argmax_channel", "argmin", "clip", "abs", "sign",
           "flatten", "shape_array", "size_array", "expand_dims", "broadcast_to",
           "broadcast_like", "tile", "transpose", "flip", "depth_to_space", "space_to_depth",
           "diag", "sum", "nansum", "prod", "nanprod", "mean", "max", "min", "norm", "round",
           "rint", "fix", "floor", "ceil", "trunc", "sin", "cos", "tan", "arcsin", "arccos",
           "arctan", "degrees", "radians", "sinh", "cosh", "tanh", "arcsinh", "arccosh",
           "arctanh", "exp", "expm1", "log", "log10", "log2", "log1p", "sqrt", "rsqrt", "cbrt",
           "rcbrt", "square", "reciprocal", "relu", "sigmoid", "softmax", "log_softmax",
           "softmin", "squeeze", "dot", "where"]


_add_fluent_methods(Symbol, _FLUENT, _generated)

from .._image_ns import make_namespace as _make_image_namespace  # noqa: E402
image = _make_image_namespace(_internal, __name__ + ".image")

del _name, _fn
