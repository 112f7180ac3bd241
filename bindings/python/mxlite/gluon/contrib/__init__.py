"""mx.gluon.contrib: where MXNet 1.9 keeps Concurrent, HybridConcurrent and
Identity (mxlite also has them in gluon.nn)."""
from . import nn
