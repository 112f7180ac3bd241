"""SGD-family optimizers: SGD, NAG, Signum, ccSGD, DCASGD, SGLD, LARS.

SGD, NAG and Signum run the fused update ops (sgd_update, sgd_mom_update,
nag_mom_update, signum_update, their mp_ forms, and the multi_ forms that
update several weights per call); their multi-precision state is
(momentum or None, float32 master copy), as in MXNet 1.9.
"""
import math
import os
import warnings

import numpy

from .. import ndarray as nd
from .optimizer import Optimizer, _check_arrays, _zeros_like, register

__all__ = ["SGD", "NAG", "Signum", "ccSGD", "DCASGD", "SGLD", "LARS"]


def _mp_state(opt, index, weight):
    """(state of the float32 master copy, master copy) for float16 weights with
    multi_precision; the plain state otherwise (MXNet's SGD layout)."""
    if opt.multi_precision and weight.dtype == numpy.float16:
        weight32 = weight.astype(numpy.float32)
        return (opt.create_state(index, weight32), weight32)
    if weight.dtype == numpy.float16 and not opt.multi_precision:
        warnings.warn("Accumulating with float16 in optimizer can lead to poor accuracy or slow "
                      "convergence. Consider using multi_precision=True option of the SGD "
                      "optimizer", UserWarning, stacklevel=3)
    return opt.create_state(index, weight)


def _use_mp(opt, weight):
    w = weight[0] if isinstance(weight, (list, tuple)) else weight
    return bool(opt.multi_precision and w.dtype == numpy.float16)


def _common_kwargs(opt):
    kwargs = {"rescale_grad": opt.rescale_grad}
    if opt.momentum > 0:
        kwargs["momentum"] = opt.momentum
    if opt.clip_gradient:
        kwargs["clip_gradient"] = opt.clip_gradient
    return kwargs


def _momentum_step(weight, grad, state, lr, wd, kwargs, multi_precision, mom_op, mp_mom_op):
    """One weight's SGD-family update in place: mom_op / mp_mom_op (SGD's or NAG's fused
    momentum op) when there is a momentum state, plain (mp_)sgd_update otherwise.  A
    multi-precision state is (momentum or None, float32 master weight)."""
    if not multi_precision:
        if state is not None:
            mom_op(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
        else:
            nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)
    elif state[0] is not None:
        mp_mom_op(weight, grad, state[0], state[1], out=weight, lr=lr, wd=wd, **kwargs)
    else:
        nd.mp_sgd_update(weight, grad, state[1], out=weight, lr=lr, wd=wd, **kwargs)


@register
class SGD(Optimizer):
    """SGD with momentum and weight decay.

    Without momentum: weight = weight - lr * (rescale_grad * clip(grad) + wd * weight).
    With momentum: state = momentum * state - lr * (g + wd * weight); weight += state.
    Several weights of one dtype are updated per call (multi_sgd_* ops), up
    to MXNET_OPTIMIZER_AGGREGATION_SIZE (default 4) at a time.

    Parameters
    ----------
    momentum : float, default 0.
    lazy_update : bool, default True
        Accepted for compatibility (only dense arrays exist here, where it has no effect).
    multi_precision : bool, default False
        Update float16 weights through a float32 master copy.
    """

    def __init__(self, momentum=0.0, lazy_update=True, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lazy_update = lazy_update
        self.aggregate_num = int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "4"))

    def create_state_multi_precision(self, index, weight):
        return _mp_state(self, index, weight)

    def create_state(self, index, weight):
        if self.momentum != 0.0:
            return _zeros_like(weight)
        return None

    def _update_impl(self, indices, weights, grads, states, multi_precision=False):
        if not isinstance(indices, (tuple, list)):
            indices, weights, grads, states = [indices], [weights], [grads], [states]
        for w, g in zip(weights, grads):
            _check_arrays("SGD", w, g)
        self._update_count(indices)
        lrs = self._get_lrs(indices)
        wds = self._get_wds(indices)
        kwargs = _common_kwargs(self)
        mom = self.momentum > 0
        if len(indices) > 1:
            # One fused call; inputs grouped per weight as the multi_ ops expect.
            ins = []
            for w, g, s in zip(weights, grads, states):
                ins += [w, g]
                if multi_precision:
                    ins += ([s[0]] if mom else []) + [s[1]]
                elif mom:
                    ins.append(s)
            op = {(False, False): nd.multi_sgd_update, (False, True): nd.multi_sgd_mom_update,
                  (True, False): nd.multi_mp_sgd_update,
                  (True, True): nd.multi_mp_sgd_mom_update}[(multi_precision, mom)]
            op(*ins, out=list(weights), num_weights=len(weights), lrs=lrs, wds=wds, **kwargs)
            return
        _momentum_step(weights[0], grads[0], states[0], lrs[0], wds[0], kwargs, multi_precision,
                       nd.sgd_mom_update, nd.mp_sgd_mom_update)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=_use_mp(self, weight))


@register
class ccSGD(SGD):  # pylint: disable=invalid-name
    """[DEPRECATED] Same as SGD; kept for backward compatibility."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


@register
class NAG(Optimizer):
    """Nesterov accelerated gradient (nag_mom_update / mp_nag_mom_update).

    With momentum: g = rescale_grad * clip(grad) + wd * weight;
    state = momentum * state - lr * g; weight += momentum * state - lr * g.
    Without momentum this is plain SGD.
    """

    def __init__(self, momentum=0.0, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum

    def create_state_multi_precision(self, index, weight):
        return _mp_state(self, index, weight)

    def create_state(self, index, weight):
        if self.momentum != 0.0:
            return _zeros_like(weight)
        return None

    def _update_impl(self, index, weight, grad, state, multi_precision=False):
        _check_arrays("NAG", weight, grad)
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        _momentum_step(weight, grad, state, lr, wd, _common_kwargs(self), multi_precision,
                       nd.nag_mom_update, nd.mp_nag_mom_update)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=_use_mp(self, weight))


@register
class Signum(Optimizer):
    """Signum: SignSGD with momentum (signum_update; signsgd_update without momentum).

    state = momentum * state - (1 - momentum) * (g + wd * weight);
    weight = (1 - lr * wd_lh) * weight + lr * sign(state).
    """

    def __init__(self, learning_rate=0.01, momentum=0.9, wd_lh=0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum
        self.wd_lh = wd_lh

    def create_state(self, index, weight):
        if self.momentum != 0.0:
            return _zeros_like(weight)
        return None

    def update(self, index, weight, grad, state):
        _check_arrays("Signum", weight, grad)
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kwargs = _common_kwargs(self)
        if state is not None:
            if self.wd_lh:
                kwargs["wd_lh"] = self.wd_lh
            nd.signum_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
        else:
            nd.signsgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)


@register
class DCASGD(Optimizer):
    """Delay-compensated asynchronous SGD (Zheng et al. 2016).

    g = rescale_grad * clip(grad); state = momentum * state - lr * (g + wd * weight
    + lamda * g * g * (weight - previous_weight)); weight += state (or the
    momentum-free step when momentum is 0); previous_weight = weight.
    """

    def __init__(self, momentum=0.0, lamda=0.04, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.weight_previous = {}
        self.lamda = lamda

    def create_state(self, index, weight):
        mom = None if self.momentum == 0.0 else _zeros_like(weight)
        return (mom, weight.copy())

    def update(self, index, weight, grad, state):
        _check_arrays("DCASGD", weight, grad)
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        grad = grad * self.rescale_grad
        if self.clip_gradient is not None:
            grad = nd.clip(grad, -self.clip_gradient, self.clip_gradient)
        mom, previous_weight = state
        step = -lr * (grad + wd * weight + self.lamda * grad * grad * (weight - previous_weight))
        if mom is not None:
            mom *= self.momentum
            mom += step
            step = mom
        previous_weight[:] = weight
        weight += step


@register
class SGLD(Optimizer):
    """Stochastic gradient Langevin dynamics: a half gradient step plus N(0, lr) noise.

    weight += -lr/2 * (rescale_grad * clip(grad) + wd * weight) + N(0, sqrt(lr)).
    The noise comes from mx.random, so mx.random.seed makes runs repeatable.
    """

    def update(self, index, weight, grad, state):
        _check_arrays("SGLD", weight, grad)
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        grad = grad * self.rescale_grad
        if self.clip_gradient is not None:
            grad = nd.clip(grad, -self.clip_gradient, self.clip_gradient)
        noise = nd.random.normal(0, math.sqrt(lr), shape=weight.shape, dtype=weight.dtype)
        weight += -lr / 2 * (grad + wd * weight) + noise


@register
class LARS(Optimizer):
    """LARS (You et al. 2017): SGD with momentum whose learning rate is scaled per layer.

    For weights (not gamma / beta / bias parameters):
    lr_layer = lr * lr_mult * eta * |w| / (|rescale_grad * g| + wd * |w| + eps) when
    both norms are positive, else lr * lr_mult; then the sgd(_mom)_update step.
    With momentum_correction the momentum is scaled by lr / previous lr when a
    scheduler changes the rate (Goyal et al. 2017). Weight decay applies to
    '_weight' parameters only.
    """

    def __init__(self, momentum=0.0, lazy_update=True, eta=0.001, eps=0,
                 momentum_correction=True, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.momentum_correction = momentum_correction
        self.lazy_update = lazy_update
        self.aggregate_num = int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "4"))
        self.eta = eta
        self.eps = eps
        self.last_lr = None
        self.cur_lr = None

    def set_wd_mult(self, args_wd_mult):
        self.wd_mult = {}
        for n in self.idx2name.values():
            if not n.endswith("_weight"):
                self.wd_mult[n] = 0.0
        if self.sym_info:
            attr, arg_names = self.sym_info
            for name in arg_names:
                if name in attr and "__wd_mult__" in attr[name]:
                    self.wd_mult[name] = float(attr[name]["__wd_mult__"])
        self.wd_mult.update(args_wd_mult)

    def _get_lrs(self, indices):
        # Remember the global rate of the previous call for the momentum correction.
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        self.last_lr = lr if self.cur_lr is None else self.cur_lr
        self.cur_lr = lr
        return super()._get_lrs(indices)

    def create_state_multi_precision(self, index, weight):
        return _mp_state(self, index, weight)

    def create_state(self, index, weight):
        if self.momentum != 0.0:
            return _zeros_like(weight)
        return None

    def _lars_lr(self, index, weight, grad, lr, wd):
        name = self.idx2name.get(index, str(index))
        if name.endswith("gamma") or name.endswith("beta") or name.endswith("bias"):
            return lr
        w_norm = float(nd.norm(weight.astype(numpy.float32)).asscalar())
        g_norm = float(nd.norm(grad.astype(numpy.float32)).asscalar()) * abs(self.rescale_grad)
        if w_norm > 0.0 and g_norm > 0.0:
            return lr * self.eta * w_norm / (g_norm + wd * w_norm + self.eps)
        return lr

    def _update_impl(self, indices, weights, grads, states, multi_precision=False):
        # Lists (from the Updater, aggregate_num at a time) share one learning
        # rate look-up, and so one momentum correction, as in MXNet.
        if not isinstance(indices, (tuple, list)):
            indices, weights, grads, states = [indices], [weights], [grads], [states]
        for w, g in zip(weights, grads):
            _check_arrays("LARS", w, g)
        self._update_count(indices)
        lrs, wds = self._get_lrs(indices), self._get_wds(indices)
        kwargs = _common_kwargs(self)
        if self.momentum > 0 and self.momentum_correction and self.last_lr:
            kwargs["momentum"] = self.momentum * (self.cur_lr / self.last_lr)
        for index, weight, grad, state, lr, wd in zip(indices, weights, grads, states, lrs, wds):
            master = state[1] if multi_precision else weight
            lr = self._lars_lr(index, master, grad, lr, wd)
            if not multi_precision:
                if state is not None:
                    nd.sgd_mom_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
                else:
                    nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)
            elif state[0] is not None:
                nd.mp_sgd_mom_update(weight, grad, state[0], state[1], out=weight, lr=lr, wd=wd,
                                     **kwargs)
            else:
                nd.mp_sgd_update(weight, grad, state[1], out=weight, lr=lr, wd=wd, **kwargs)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=_use_mp(self, weight))
