"""mxlite: MXNet 1.9's API over a small, fast C++ core.  `import mxlite as mx`."""
from . import autograd, base, context, engine, ndarray, random, storage, test_utils
from . import attribute, name, symbol
from . import registry, lr_scheduler, optimizer, initializer, metric, io, executor
from . import initializer as init
from . import gluon
from . import recordio
from .attribute import AttrScope
from .base import MXNetError
from .context import Context, cpu, cpu_pinned, current_context, gpu, num_gpus
from . import ndarray as nd
from . import symbol as sym

__version__ = "0.1.0"
__all__ = ["MXNetError", "Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus",
           "autograd", "nd", "ndarray", "sym", "symbol", "name", "attribute", "AttrScope",
           "random", "engine", "storage", "context", "base", "test_utils", "executor",
           "registry", "lr_scheduler", "optimizer", "initializer", "init", "metric", "io",
           "gluon", "recordio"]
