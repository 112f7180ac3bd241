"""Adam-family optimizers: Adam, AdamW, Adamax, Nadam, LAMB, FTML.

Adam and AdamW run the fused adam_update op; LAMB runs its two phase ops
(with the mp_ forms for float16 weights); Adamax, Nadam and FTML are written
with whole-array NDArray arithmetic (no fused op exists for them in MXNet
1.9's CPU build either).
"""
import math

import numpy

from .. import ndarray as nd
from .optimizer import Optimizer, _check_arrays, _zeros_like, register

__all__ = ["Adam", "AdamW", "Adamax", "Nadam", "LAMB", "FTML"]


def _clipped_grad(opt, grad, extra=None):
    """rescale_grad * grad (+ extra), clipped to clip_gradient when set."""
    grad = grad * opt.rescale_grad
    if extra is not None:
        grad = grad + extra
    if opt.clip_gradient is not None:
        grad = nd.clip(grad, -opt.clip_gradient, opt.clip_gradient)
    return grad


@register
class Adam(Optimizer):
    """Adam (Kingma & Ba 2014), via adam_update with the bias correction folded into lr.

    g = clip(rescale_grad * grad + wd * weight); m = beta1*m + (1-beta1)*g;
    v = beta2*v + (1-beta2)*g^2; lr_t = lr * sqrt(1-beta2^t) / (1-beta1^t);
    weight -= lr_t * m / (sqrt(v) + epsilon).
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 lazy_update=True, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lazy_update = lazy_update

    def create_state(self, index, weight):
        return (_zeros_like(weight), _zeros_like(weight))  # mean, variance

    def _corrected_lr(self, index):
        lr = self._get_lr(index)
        t = self._index_update_count[index]
        return lr * math.sqrt(1. - self.beta2 ** t) / (1. - self.beta1 ** t)

    def _kwargs(self):
        kwargs = {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon,
                  "rescale_grad": self.rescale_grad}
        if self.clip_gradient:
            kwargs["clip_gradient"] = self.clip_gradient
        return kwargs

    def update(self, index, weight, grad, state):
        _check_arrays("Adam", weight, grad)
        self._update_count(index)
        lr = self._corrected_lr(index)
        wd = self._get_wd(index)
        mean, var = state
        nd.adam_update(weight, grad, mean, var, out=weight, lr=lr, wd=wd, **self._kwargs())


@register
class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2017), registered as 'adamw'.

    MXNet 1.9 has only the contrib op; this follows the optimizer of later
    MXNet releases:
    g = clip(rescale_grad * grad); m = beta1*m + (1-beta1)*g;
    v = beta2*v + (1-beta2)*g^2; lr_t = lr * sqrt(1-beta2^t) / (1-beta1^t) when
    correct_bias, else lr; weight -= lr_t * (m / (sqrt(v) + epsilon) + wd * weight).

    Done as weight *= (1 - lr_t * wd) followed by adam_update with wd = 0,
    which is the same formula (the Adam step does not depend on the weight).
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-6,
                 correct_bias=True, **kwargs):
        super().__init__(learning_rate=learning_rate, beta1=beta1, beta2=beta2,
                         epsilon=epsilon, **kwargs)
        self.correct_bias = correct_bias

    def update(self, index, weight, grad, state):
        _check_arrays("AdamW", weight, grad)
        self._update_count(index)
        lr = self._corrected_lr(index) if self.correct_bias else self._get_lr(index)
        wd = self._get_wd(index)
        if wd:
            weight *= 1. - lr * wd
        mean, var = state
        nd.adam_update(weight, grad, mean, var, out=weight, lr=lr, wd=0.0, **self._kwargs())


@register
class Adamax(Optimizer):
    """AdaMax, Adam's infinity-norm variant (Kingma & Ba 2014, section 7).

    g = clip(rescale_grad * grad + wd * weight); m = beta1*m + (1-beta1)*g;
    u = max(beta2*u, |g|); weight -= lr / (1 - beta1^t) * m / u.
    """

    def __init__(self, learning_rate=0.002, beta1=0.9, beta2=0.999, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2

    def create_state(self, index, weight):
        return (_zeros_like(weight), _zeros_like(weight))  # mean, exp_inf

    def update(self, index, weight, grad, state):
        _check_arrays("Adamax", weight, grad)
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        t = self._index_update_count[index]
        lr /= (1. - self.beta1 ** t)
        grad = _clipped_grad(self, grad, wd * weight)
        m_t, u_t = state
        m_t *= self.beta1
        m_t += (1. - self.beta1) * grad
        nd.broadcast_maximum(self.beta2 * u_t, nd.abs(grad), out=u_t)
        weight -= lr * m_t / u_t


@register
class Nadam(Optimizer):
    """Nesterov-accelerated Adam (Dozat 2016) with the warming momentum schedule.

    mu_t = beta1 * (1 - 0.5 * 0.96^(t * schedule_decay)); the product of the
    mu's is kept in m_schedule; the step is
    weight -= lr * ((1-mu_t) * g / (1-m_schedule) + mu_{t+1} * m / (1-m_schedule*mu_{t+1}))
              / (sqrt(v / (1-beta2^t)) + epsilon).
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 schedule_decay=0.004, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule_decay = schedule_decay
        self.m_schedule = 1.

    def create_state(self, index, weight):
        return (_zeros_like(weight), _zeros_like(weight))  # mean, variance

    def update(self, index, weight, grad, state):
        _check_arrays("Nadam", weight, grad)
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        t = self._index_update_count[index]
        grad = _clipped_grad(self, grad, wd * weight)
        momentum_t = self.beta1 * (1. - 0.5 * (pow(0.96, t * self.schedule_decay)))
        momentum_t_1 = self.beta1 * (1. - 0.5 * (pow(0.96, (t + 1) * self.schedule_decay)))
        # m_schedule is shared by all parameters, as in MXNet.
        self.m_schedule = self.m_schedule * momentum_t
        m_schedule_next = self.m_schedule * momentum_t_1
        m_t, v_t = state
        m_t *= self.beta1
        m_t += (1. - self.beta1) * grad
        v_t *= self.beta2
        v_t += (1. - self.beta2) * grad * grad
        grad_prime = grad / (1. - self.m_schedule)
        m_t_prime = m_t / (1. - m_schedule_next)
        v_t_prime = v_t / (1. - pow(self.beta2, t))
        m_t_bar = (1. - momentum_t) * grad_prime + momentum_t_1 * m_t_prime
        weight -= lr * m_t_bar / (nd.sqrt(v_t_prime) + self.epsilon)


@register
class FTML(Optimizer):
    """FTML, Follow the Moving Leader (Zheng & Kwok 2017).

    g = clip(rescale_grad * grad + wd * weight); v = beta2*v + (1-beta2)*g^2;
    d_t = (1-beta1^t)/lr * (sqrt(v/(1-beta2^t)) + epsilon);
    z = beta1*z + (1-beta1)*g - (d_t - beta1*d_{t-1}) * weight; weight = -z / d_t.
    """

    def __init__(self, beta1=0.6, beta2=0.999, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def create_state(self, index, weight):
        return (_zeros_like(weight), _zeros_like(weight), _zeros_like(weight))  # d, v, z

    def update(self, index, weight, grad, state):
        _check_arrays("FTML", weight, grad)
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        t = self._index_update_count[index]
        grad = _clipped_grad(self, grad, wd * weight)
        prev_d, prev_v, prev_z = state
        prev_v *= self.beta2
        prev_v += (1. - self.beta2) * nd.square(grad)
        d_t = (1. - self.beta1 ** t) / lr * (
            nd.sqrt(prev_v / (1. - self.beta2 ** t)) + self.epsilon)
        sigma_t = d_t - self.beta1 * prev_d
        prev_z *= self.beta1
        prev_z += (1. - self.beta1) * grad - sigma_t * weight
        prev_d[:] = d_t
        nd.broadcast_div(-prev_z, d_t, out=weight)


@register
class LAMB(Optimizer):
    """LAMB (You et al. 2019): Adam's direction scaled per layer by ||w|| / ||direction||.

    Runs lamb_update_phase1 (moments and direction g), the two norms, and
    lamb_update_phase2 (weight -= lr * r1/r2 * g), or their mp_ forms on
    the float32 master copy for float16 weights with multi_precision.
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-6,
                 lower_bound=None, upper_bound=None, bias_correction=True, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        self.bias_correction = bias_correction

    def create_state(self, index, weight):
        return (_zeros_like(weight), _zeros_like(weight))  # mean, variance

    def _update_impl(self, index, weight, grad, state, multi_precision=False):
        _check_arrays("LAMB", weight, grad)
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kwargs = {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon,
                  "bias_correction": self.bias_correction, "rescale_grad": self.rescale_grad,
                  "t": self._index_update_count[index]}
        if self.clip_gradient:
            kwargs["clip_gradient"] = self.clip_gradient
        bounds = {}
        if self.lower_bound:
            bounds["lower_bound"] = self.lower_bound
        if self.upper_bound:
            bounds["upper_bound"] = self.upper_bound
        if multi_precision:
            weight32 = state[0]
            mean, var = state[1]
            g = nd.mp_lamb_update_phase1(weight, grad, mean, var, weight32, wd=wd, **kwargs)
            r_1, r_2 = weight32.norm(), g.norm()
            nd.mp_lamb_update_phase2(weight, g, r_1, r_2, weight32, lr=lr, out=weight, **bounds)
        else:
            mean, var = state
            g = nd.lamb_update_phase1(weight, grad, mean, var, wd=wd, **kwargs)
            r_1, r_2 = weight.norm(), g.norm()
            nd.lamb_update_phase2(weight, g, r_1, r_2, lr=lr, out=weight, **bounds)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        mp = bool(self.multi_precision and weight.dtype == numpy.float16)
        self._update_impl(index, weight, grad, state, multi_precision=mp)
