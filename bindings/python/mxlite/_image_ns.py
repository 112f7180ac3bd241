"""mx.nd.image / mx.sym.image: MXNet's image operators (registered as _image_<name>)
under their short names, so transforms can call F.image.to_tensor for either F."""
import sys
import types

_OPS = ["to_tensor", "normalize", "flip_left_right", "flip_top_bottom",
        "random_flip_left_right", "random_flip_top_bottom"]


def make_namespace(internal, name):
    """A module `name` holding internal._image_<op> as <op>; registered in sys.modules."""
    mod = types.ModuleType(name, __doc__)
    for op in _OPS:
        setattr(mod, op, getattr(internal, "_image_" + op))
    mod.__all__ = list(_OPS)
    sys.modules[name] = mod
    return mod
