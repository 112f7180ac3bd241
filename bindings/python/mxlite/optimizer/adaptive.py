"""Per-coordinate adaptive optimizers: RMSProp, AdaGrad, AdaDelta, Ftrl.

RMSProp (plain and centered) and Ftrl run the fused rmsprop_update,
rmspropalex_update and ftrl_update ops; AdaGrad and AdaDelta use
whole-array NDArray arithmetic, as MXNet 1.9 does for dense arrays.
"""
from .. import ndarray as nd
from .optimizer import Optimizer, _check_arrays, _zeros_like, register

__all__ = ["RMSProp", "AdaGrad", "AdaDelta", "Ftrl"]


def _scaled_clipped(opt, grad):
    grad = grad * opt.rescale_grad
    if opt.clip_gradient is not None:
        grad = nd.clip(grad, -opt.clip_gradient, opt.clip_gradient)
    return grad


@register
class RMSProp(Optimizer):
    """RMSProp (Tieleman & Hinton 2012), or centered RMSProp (Graves 2013) when centered.

    Plain: n = (1-gamma1)*g^2 + gamma1*n; weight -= lr * g / sqrt(n + epsilon).
    Centered: also g_avg = (1-gamma1)*g + gamma1*g_avg and
    delta = gamma2*delta - lr * g / sqrt(n - g_avg^2 + epsilon); weight += delta.
    Here g = clip(rescale_grad * grad + wd * weight); weights are clipped to
    [-clip_weights, clip_weights] when clip_weights is set.
    """

    def __init__(self, learning_rate=0.001, gamma1=0.9, gamma2=0.9, epsilon=1e-8,
                 centered=False, clip_weights=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.centered = centered
        self.epsilon = epsilon
        self.clip_weights = clip_weights

    def create_state(self, index, weight):
        if self.centered:
            return (_zeros_like(weight), _zeros_like(weight), _zeros_like(weight))  # n, g, delta
        return (_zeros_like(weight),)  # n

    def update(self, index, weight, grad, state):
        _check_arrays("RMSProp", weight, grad)
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kwargs = {"gamma1": self.gamma1, "epsilon": self.epsilon,
                  "rescale_grad": self.rescale_grad}
        if self.centered:
            kwargs["gamma2"] = self.gamma2
        if self.clip_gradient:
            kwargs["clip_gradient"] = self.clip_gradient
        if self.clip_weights:
            kwargs["clip_weights"] = self.clip_weights
        if not self.centered:
            (n,) = state
            nd.rmsprop_update(weight, grad, n, out=weight, lr=lr, wd=wd, **kwargs)
        else:
            n, g, delta = state
            nd.rmspropalex_update(weight, grad, n, g, delta, out=weight, lr=lr, wd=wd, **kwargs)


@register
class AdaGrad(Optimizer):
    """AdaGrad (Duchi et al. 2011).

    g = clip(rescale_grad * grad); history += g^2;
    weight -= lr * (g / sqrt(history + eps) + wd * weight).
    """

    def __init__(self, eps=1e-7, **kwargs):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index, weight):
        return _zeros_like(weight)  # history

    def update(self, index, weight, grad, state):
        _check_arrays("AdaGrad", weight, grad)
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        grad = _scaled_clipped(self, grad)
        history = state
        history += nd.square(grad)
        div = grad / nd.sqrt(history + self.float_stable_eps)
        weight += (div + weight * wd) * -lr


@register
class AdaDelta(Optimizer):
    """AdaDelta (Zeiler 2012); uses no learning rate.

    g = clip(rescale_grad * grad); acc_g = rho*acc_g + (1-rho)*g^2;
    delta = sqrt(acc_delta + epsilon) / sqrt(acc_g + epsilon) * g;
    acc_delta = rho*acc_delta + (1-rho)*delta^2; weight -= delta + wd * weight.
    """

    def __init__(self, rho=0.90, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def create_state(self, index, weight):
        return (_zeros_like(weight), _zeros_like(weight))  # accumulated g, accumulated delta

    def update(self, index, weight, grad, state):
        _check_arrays("AdaDelta", weight, grad)
        wd = self._get_wd(index)
        self._update_count(index)
        # (MXNet scales the caller's grad in place here; we leave it untouched.)
        grad = _scaled_clipped(self, grad)
        acc_g, acc_delta = state
        acc_g *= self.rho
        acc_g += (1. - self.rho) * grad * grad
        current_delta = nd.sqrt(acc_delta + self.epsilon) / nd.sqrt(acc_g + self.epsilon) * grad
        acc_delta *= self.rho
        acc_delta += (1. - self.rho) * current_delta * current_delta
        weight -= current_delta + wd * weight


@register
class Ftrl(Optimizer):
    """FTRL-Proximal (McMahan et al. 2013), via ftrl_update.

    g = clip(rescale_grad * grad); z += g - (sqrt(n + g^2) - sqrt(n)) * weight / lr;
    n += g^2; weight = (sign(z) * lamda1 - z) / ((beta + sqrt(n)) / lr + wd)
    where |z| > lamda1, else 0.
    """

    def __init__(self, lamda1=0.01, learning_rate=0.1, beta=1, **kwargs):
        super().__init__(**kwargs)
        self.lamda1 = lamda1
        self.beta = beta
        self.lr = learning_rate

    def create_state(self, index, weight):
        return (_zeros_like(weight), _zeros_like(weight))  # z, n

    def update(self, index, weight, grad, state):
        _check_arrays("Ftrl", weight, grad)
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kwargs = {"lamda1": self.lamda1, "beta": self.beta, "rescale_grad": self.rescale_grad}
        if self.clip_gradient:
            kwargs["clip_gradient"] = self.clip_gradient
        z, n = state
        nd.ftrl_update(weight, grad, z, n, out=weight, lr=lr, wd=wd, **kwargs)
