"""mx.gluon.contrib.nn (MXNet 1.9): the container layers, shared with gluon.nn."""
from ...nn.basic_layers import Concurrent, HybridConcurrent, Identity

__all__ = ["Concurrent", "HybridConcurrent", "Identity"]
