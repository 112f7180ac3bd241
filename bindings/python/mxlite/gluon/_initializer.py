"""How Gluon parameters are initialized with mx.init (MXNet 1.9 semantics):
the block-wide default initializer is called with an InitDesc whose
`__init__` attribute is the parameter's own initializer, so a parameter's
own init wins and the default dispatches on the name otherwise.  Plain
callables `fn(desc, arr)` are accepted as initializers too."""
from .. import initializer as _init


def default_init():
    """MXNet's default for Parameter.initialize: Uniform(scale=0.07)."""
    return _init.Uniform()


def constant(value):
    """An initializer filling value (mx.init.Constant)."""
    return _init.Constant(value)


def run(default, init, name, arr):
    """Initialize arr as Parameter `name`: MXNet's
    `create(default)(InitDesc(name, {'__init__': init}), arr)`."""
    if init is not None:
        if callable(init) and not isinstance(init, _init.Initializer):
            init(_init.InitDesc(name), arr)
            return
        if not (default is None or isinstance(default, (str, _init.Initializer))):
            # a plain-callable default cannot dispatch __init__: run init itself
            _init.create(init)._init_weight(_init.InitDesc(name, {"__init__": init}), arr)
            return
    if default is None:
        default = _init.Uniform()
    if isinstance(default, str):
        default = _init.create(default)
    default(_init.InitDesc(name, {} if init is None else {"__init__": init}), arr)
