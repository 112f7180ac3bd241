"""The Optimizer base class of mx.optimizer (MXNet 1.9 API).

An optimizer owns the hyper-parameters shared by every rule (learning rate or
scheduler, weight decay, gradient rescale and clipping, per-parameter lr/wd
multipliers, update counts) and the per-parameter state creation; each
subclass implements `update(index, weight, grad, state)`, which changes
`weight` (and the state arrays) in place.
"""
import warnings

import numpy

from ..ndarray import NDArray, cast, zeros

__all__ = ["Optimizer", "register", "create"]


class Optimizer:
    """The base class inherited by all optimizers.

    Parameters
    ----------
    rescale_grad : float, default 1.0
        Multiply the gradient with `rescale_grad` before updating (often 1/batch_size).
    param_idx2name : dict of int to str, optional
        Parameter names by index; names pick up lr/wd multipliers.
    wd : float, default 0.0
        Weight decay: the L2 penalty 0.5 * wd * |w|^2 is added to the objective.
    clip_gradient : float, optional
        Clip the (rescaled) gradient to [-clip_gradient, clip_gradient].
    learning_rate : float, optional
        The learning rate (0.01 when neither it nor lr_scheduler is given).
    lr_scheduler : LRScheduler, optional
        Sets the learning rate from the update count.
    sym : Symbol, optional
        A symbol whose `__lr_mult__` / `__wd_mult__` attributes set multipliers.
    begin_num_update : int, default 0
        The update count to start from.
    multi_precision : bool, default False
        Keep a float32 master copy of float16 weights and update that.
    param_dict : dict of int to gluon Parameter, optional
        Parameters whose lr_mult / wd_mult attributes set the multipliers.
    """

    opt_registry = {}

    def __init__(self, rescale_grad=1., param_idx2name=None, wd=0., clip_gradient=None,
                 learning_rate=None, lr_scheduler=None, sym=None, begin_num_update=0,
                 multi_precision=False, param_dict=None):
        self.rescale_grad = rescale_grad
        self.lr_scheduler = lr_scheduler
        if lr_scheduler is None and learning_rate is None:
            learning_rate = 0.01
        self.lr = learning_rate
        if lr_scheduler is not None and learning_rate is not None:
            if lr_scheduler.base_lr != learning_rate:
                warnings.warn("learning rate from ``lr_scheduler`` has been overwritten by "
                              "``learning_rate`` in optimizer.", UserWarning, stacklevel=2)
                lr_scheduler.base_lr = learning_rate
        self.wd = wd
        self.lr_mult = {}
        self.wd_mult = {}
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        # Update counts are kept per device so that several copies of a
        # parameter (one per context) count one step each; index 0 is cpu.
        self._all_index_update_counts = {0: {}}
        self._index_update_count = self._all_index_update_counts[0]
        self.clip_gradient = clip_gradient
        self.multi_precision = multi_precision
        # How many weights one update call may take (0: one at a time).
        self.aggregate_num = 0
        if param_idx2name is None:
            param_idx2name = {}
        if not isinstance(param_idx2name, dict):
            raise TypeError("param_idx2name should be a dict of param indexes to names.")
        self.idx2name = param_idx2name.copy()
        self.sym_info = (sym.attr_dict(), sym.list_arguments()) if sym is not None else ()
        self.param_dict = param_dict if param_dict else {}
        self.set_lr_mult({})
        self.set_wd_mult({})

    # ------------------------------------------------------------------ registry
    @staticmethod
    def register(klass):
        """Register an optimizer class under its lower-cased class name."""
        if not isinstance(klass, type):
            raise TypeError("register expects a class, got %r" % (klass,))
        name = klass.__name__.lower()
        if name in Optimizer.opt_registry and Optimizer.opt_registry[name] is not klass:
            old = Optimizer.opt_registry[name]
            warnings.warn("WARNING: New optimizer %s.%s is overriding existing optimizer %s.%s"
                          % (klass.__module__, klass.__name__, old.__module__, old.__name__),
                          UserWarning, stacklevel=2)
        Optimizer.opt_registry[name] = klass
        return klass

    @staticmethod
    def create_optimizer(name, **kwargs):
        """Instantiate the optimizer registered as `name` (case-insensitive)."""
        if isinstance(name, Optimizer):
            if kwargs:
                raise ValueError("optimizer is already an instance; extra arguments are invalid")
            return name
        if not isinstance(name, str):
            raise TypeError("optimizer name must be a string, got %r" % type(name).__name__)
        if name.lower() in Optimizer.opt_registry:
            return Optimizer.opt_registry[name.lower()](**kwargs)
        raise ValueError("Cannot find optimizer %s" % name)

    # ------------------------------------------------------------- learning rate
    @property
    def learning_rate(self):
        """The current learning rate (from the scheduler when there is one)."""
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.num_update)
        return self.lr

    def set_learning_rate(self, lr):
        """Set the learning rate; not allowed when an lr_scheduler drives it."""
        if self.lr_scheduler is not None:
            raise UserWarning("LRScheduler of the optimizer has already been defined. Note that "
                              "set_learning_rate can mutate the value of the learning rate of "
                              "the optimizer only when the LRScheduler of the optimizer is "
                              "undefined.")
        self.lr = lr

    def set_lr_scale(self, args_lrscale):  # pylint: disable=unused-argument
        """Removed in MXNet; use set_lr_mult."""
        raise DeprecationWarning("set_lr_scale is deprecated; use set_lr_mult instead.")

    def set_lr_mult(self, args_lr_mult):
        """Set per-parameter learning-rate multipliers (name or index -> float).

        Symbol attributes `__lr_mult__` are read first; `args_lr_mult` overrides them."""
        self.lr_mult = {}
        if self.sym_info:
            attr, arg_names = self.sym_info
            for name in arg_names:
                if name in attr and "__lr_mult__" in attr[name]:
                    self.lr_mult[name] = float(attr[name]["__lr_mult__"])
        self.lr_mult.update(args_lr_mult)

    def set_wd_mult(self, args_wd_mult):
        """Set per-parameter weight-decay multipliers (name or index -> float).

        As in MXNet, parameters whose name ends neither in '_weight' nor in
        '_gamma' get no weight decay by default (biases, betas)."""
        self.wd_mult = {}
        for n in self.idx2name.values():
            if not (n.endswith("_weight") or n.endswith("_gamma")):
                self.wd_mult[n] = 0.0
        if self.sym_info:
            attr, arg_names = self.sym_info
            for name in arg_names:
                if name in attr and "__wd_mult__" in attr[name]:
                    self.wd_mult[name] = float(attr[name]["__wd_mult__"])
        self.wd_mult.update(args_wd_mult)

    # ------------------------------------------------------------------- counts
    def _set_current_context(self, device_id):
        """Switch the update counts to those of device `device_id`."""
        if device_id not in self._all_index_update_counts:
            self._all_index_update_counts[device_id] = {}
        self._index_update_count = self._all_index_update_counts[device_id]

    def _update_count(self, index):
        """Count one update of each index (an index or a list of them)."""
        if not isinstance(index, (list, tuple)):
            index = [index]
        counts = self._index_update_count
        for idx in index:
            if idx not in counts:
                counts[idx] = self.begin_num_update
            counts[idx] += 1
            if counts[idx] > self.num_update:
                self.num_update = counts[idx]

    def _get_lrs(self, indices):
        """Learning rates of the indices: the current rate times each multiplier."""
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        lrs = [lr] * len(indices)
        for i, index in enumerate(indices):
            if index in self.param_dict:
                lrs[i] *= self.param_dict[index].lr_mult
            elif index in self.lr_mult:
                lrs[i] *= self.lr_mult[index]
            elif index in self.idx2name:
                lrs[i] *= self.lr_mult.get(self.idx2name[index], 1.0)
        return lrs

    def _get_lr(self, index):
        return self._get_lrs([index])[0]

    def _get_wds(self, indices):
        """Weight decays of the indices: wd times each multiplier."""
        wds = [self.wd] * len(indices)
        for i, index in enumerate(indices):
            if index in self.param_dict:
                wds[i] *= self.param_dict[index].wd_mult
            elif index in self.wd_mult:
                wds[i] *= self.wd_mult[index]
            elif index in self.idx2name:
                wds[i] *= self.wd_mult.get(self.idx2name[index], 1.0)
        return wds

    def _get_wd(self, index):
        return self._get_wds([index])[0]

    # -------------------------------------------------------------------- state
    def create_state(self, index, weight):
        """The auxiliary state of one weight (None, an NDArray or a tuple of them)."""
        return None

    def create_state_multi_precision(self, index, weight):
        """State for `weight`; with multi_precision and a float16 weight the state is
        (float32 master copy, state of the master copy)."""
        if self.multi_precision and weight.dtype == numpy.float16:
            weight_master_copy = weight.astype(numpy.float32)
            return (weight_master_copy,) + (self.create_state(index, weight_master_copy),)
        if weight.dtype == numpy.float16 and not self.multi_precision:
            warnings.warn("Accumulating with float16 in optimizer can lead to poor accuracy or "
                          "slow convergence. Consider using multi_precision=True option of the "
                          "optimizer", UserWarning, stacklevel=2)
        return self.create_state(index, weight)

    def update(self, index, weight, grad, state):
        """Update `weight` (in place) from `grad` and `state`."""
        raise NotImplementedError()

    def update_multi_precision(self, index, weight, grad, state):
        """`update`, run on the float32 master copy for float16 weights with
        multi_precision, then rounded back into `weight`."""
        if self.multi_precision and weight.dtype == numpy.float16:
            weight_master_copy, original_state = state[0], state[1]
            grad32 = grad.astype(numpy.float32)
            self.update(index, weight_master_copy, grad32, original_state)
            cast(weight_master_copy, dtype=weight.dtype, out=weight)
        else:
            self.update(index, weight, grad, state)

    # ------------------------------------------------------------------ pickling
    def __getstate__(self):
        ret = self.__dict__.copy()
        # Parameters are not part of the optimizer's state; the trainer sets them again.
        ret.pop("param_dict", None)
        return ret

    def __setstate__(self, state):
        self.__dict__ = state
        self.param_dict = {}


register = Optimizer.register
create = Optimizer.create_optimizer


def _check_arrays(op_name, weight, grad):
    """Clear errors for non-NDArray arguments (MXNet asserts)."""
    if not isinstance(weight, NDArray):
        raise TypeError("%s.update: weight must be an NDArray, got %s"
                        % (op_name, type(weight).__name__))
    if not isinstance(grad, NDArray):
        raise TypeError("%s.update: grad must be an NDArray, got %s"
                        % (op_name, type(grad).__name__))


def _zeros_like(weight, dtype=None):
    """A zero state array shaped like `weight` (its dtype unless given)."""
    return zeros(weight.shape, weight.context, dtype=weight.dtype if dtype is None else dtype)


@register
class Test(Optimizer):
    """The Test optimizer of MXNet: weight += rescale_grad * grad; state = weight."""

    def create_state(self, index, weight):
        return zeros(weight.shape, weight.context)

    def update(self, index, weight, grad, state):
        weight += grad * self.rescale_grad
        state[:] = weight
