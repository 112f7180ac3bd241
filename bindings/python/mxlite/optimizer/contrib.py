"""Contributed optimizers (mx.optimizer.contrib in MXNet 1.9): GroupAdaGrad."""
from .. import ndarray as nd
from .optimizer import Optimizer, _check_arrays, register

__all__ = ["GroupAdaGrad"]


@register
class GroupAdaGrad(Optimizer):
    """AdaGrad with one learning rate per row of a 2-d weight (e.g. an embedding).

    g = clip(rescale_grad * grad); history += mean(g^2, axis=1, keepdims=True);
    weight -= lr * g / sqrt(history + eps).  Weight decay is not supported.
    """

    def __init__(self, eps=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index, weight):
        if len(weight.shape) != 2:
            raise ValueError("GroupAdaGrad: the weight must be 2-d (one rate per row), got "
                             "shape %s" % (weight.shape,))
        return nd.zeros((weight.shape[0], 1), dtype=weight.dtype)  # history, one per row

    def update(self, index, weight, grad, state):
        _check_arrays("GroupAdaGrad", weight, grad)
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        if wd != 0:
            raise ValueError("GroupAdaGrad: weight decay is not supported (wd = %g)" % wd)
        grad = grad * self.rescale_grad
        if self.clip_gradient is not None:
            grad = nd.clip(grad, -self.clip_gradient, self.clip_gradient)
        history = state
        history += nd.mean(nd.square(grad), axis=1, keepdims=True)
        weight -= lr * nd.broadcast_div(grad, nd.sqrt(history + self.float_stable_eps))
