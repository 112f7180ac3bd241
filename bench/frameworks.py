"""One adapter per framework, so every benchmark case runs the same way on
mxlite, NumPy, MXNet 1.9.1 and PyTorch.  Each adapter is imported only in the
interpreter that has that framework (MXNet needs its own venv: numpy < 1.24)."""
import numpy as np


class MXLite:
    name = "mxlite"

    def __init__(self):
        import mxlite as mx
        self.mx = mx

    def array(self, x):
        return self.mx.nd.array(x, dtype=x.dtype)

    def add(self, a, b, out=None):
        return self.mx.nd.broadcast_add(a, b, out=out) if out is not None else a + b

    def relu(self, a, out=None):
        return self.mx.nd.relu(a, out=out)

    def dot(self, a, b, out=None):
        return self.mx.nd.dot(a, b, out=out)

    def sum_axis(self, a):
        return self.mx.nd.sum(a, axis=1, keepdims=True)

    def sync(self, x=None):
        self.mx.nd.waitall()

    def readback(self, x):
        return x.asnumpy()


class MXNet(MXLite):
    name = "mxnet"

    def __init__(self):
        import mxnet as mx
        self.mx = mx


class NumPy:
    name = "numpy"

    def array(self, x):
        return x.copy()

    def add(self, a, b, out=None):
        return np.add(a, b, out=out)

    def relu(self, a, out=None):
        return np.maximum(a, 0, out=out)

    def dot(self, a, b, out=None):
        return np.dot(a, b, out=out)

    def sum_axis(self, a):
        return np.sum(a, axis=1, keepdims=True)

    def sync(self, x=None):
        pass

    def readback(self, x):
        return x


class Torch:
    name = "torch"

    def __init__(self):
        import torch
        torch.set_num_threads(2)
        self.torch = torch

    def array(self, x):
        return self.torch.from_numpy(x.copy())

    def add(self, a, b, out=None):
        return self.torch.add(a, b, out=out) if out is not None else a + b

    def relu(self, a, out=None):
        return self.torch.relu(a) if out is None else self.torch.clamp(a, min=0, out=out)

    def dot(self, a, b, out=None):
        return self.torch.mm(a, b, out=out) if out is not None else self.torch.mm(a, b)

    def sum_axis(self, a):
        return self.torch.sum(a, dim=1, keepdim=True)

    def sync(self, x=None):
        pass

    def readback(self, x):
        return x.numpy()


ADAPTERS = {"mxlite": MXLite, "mxnet": MXNet, "numpy": NumPy, "torch": Torch}
