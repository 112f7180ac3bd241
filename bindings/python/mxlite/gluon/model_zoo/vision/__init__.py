"""mx.gluon.model_zoo.vision: MXNet 1.9's image-classification networks with
the same structure and parameter names, and get_model(name, **kwargs)."""
from .alexnet import *  # noqa: F401,F403
from .densenet import *  # noqa: F401,F403
from .inception import *  # noqa: F401,F403
from .mobilenet import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .squeezenet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
from importlib import import_module as _import

# the star imports shadow the submodules alexnet and inception by functions
_alexnet, _densenet, _inception, _mobilenet, _resnet, _squeezenet, _vgg = (
    _import(f"{__name__}.{m}") for m in
    ("alexnet", "densenet", "inception", "mobilenet", "resnet", "squeezenet", "vgg"))

# MXNet's registry names (note the dots: 'mobilenet1.0', 'squeezenet1.1').
_models = {"alexnet": _alexnet.alexnet, "inceptionv3": _inception.inception_v3}
for _v in (1, 2):
    for _n in (18, 34, 50, 101, 152):
        _models[f"resnet{_n}_v{_v}"] = getattr(_resnet, f"resnet{_n}_v{_v}")
for _n in (11, 13, 16, 19):
    _models[f"vgg{_n}"] = getattr(_vgg, f"vgg{_n}")
    _models[f"vgg{_n}_bn"] = getattr(_vgg, f"vgg{_n}_bn")
for _n in (121, 161, 169, 201):
    _models[f"densenet{_n}"] = getattr(_densenet, f"densenet{_n}")
_models["squeezenet1.0"] = _squeezenet.squeezenet1_0
_models["squeezenet1.1"] = _squeezenet.squeezenet1_1
for _m, _s in (("1.0", "1_0"), ("0.75", "0_75"), ("0.5", "0_5"), ("0.25", "0_25")):
    _models["mobilenet" + _m] = getattr(_mobilenet, "mobilenet" + _s)
    _models["mobilenetv2_" + _m] = getattr(_mobilenet, "mobilenet_v2_" + _s)


def get_model(name, **kwargs):
    """A model by MXNet's registry name (e.g. 'resnet50_v1', 'mobilenet1.0',
    'squeezenet1.1', 'inceptionv3'); kwargs go to its constructor
    (pretrained, ctx, root, classes, ...)."""
    name = name.lower()
    if name not in _models:
        raise ValueError(f"Model {name} is not supported. Available options are\n\t"
                         + "\n\t".join(sorted(_models)))
    return _models[name](**kwargs)
