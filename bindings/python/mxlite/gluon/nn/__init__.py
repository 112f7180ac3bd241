"""mx.gluon.nn: neural-network layers."""
from .activations import *  # noqa: F401,F403
from .basic_layers import *  # noqa: F401,F403
from .conv_layers import *  # noqa: F401,F403
from .activations import __all__ as _a
from .basic_layers import __all__ as _b
from .conv_layers import __all__ as _c

__all__ = _a + _b + _c
