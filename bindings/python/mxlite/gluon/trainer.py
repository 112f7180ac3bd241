"""gluon.Trainer (MXNet 1.9 semantics): applies an mx.optimizer to a set of
Parameters after backward.

mxlite runs on one device, so gradients need no reduction: the kvstore MXNet
would create for several devices is never needed and parameters are always
updated locally (update_on_kvstore=False), as MXNet does for one device.
"""
from ..base import check_call, ffi, lib
from .parameter import Parameter, ParameterDict

__all__ = ["Trainer"]


def _optimizer_module():
    from .. import optimizer
    return optimizer


def _fresh_grad(arr):
    out = ffi.new("int32_t*")
    check_call(lib.mxl_array_get_grad_state(arr._handle(), out))
    return bool(out[0])


def _set_fresh_grad(arr, fresh):
    check_call(lib.mxl_array_set_grad_state(arr._handle(), 1 if fresh else 0))


class Trainer:
    """Updates `params` with `optimizer` (a name for mx.optimizer.create with
    optimizer_params, or an Optimizer instance).

    step(batch_size) rescales the gradients by 1/batch_size and applies one
    update to every parameter with grad_req != 'null'.
    """

    def __init__(self, params, optimizer, optimizer_params=None, kvstore="device",
                 compression_params=None, update_on_kvstore=None):
        if isinstance(params, (dict, ParameterDict)):
            params = [params[key] for key in sorted(params.keys())]
        if not isinstance(params, (list, tuple)):
            raise ValueError(f"First argument must be a list or dict of Parameters, got "
                             f"{type(params)}.")
        self._params = []
        seen = set()
        for param in params:
            if not isinstance(param, Parameter):
                raise ValueError(f"First argument must be a list or dict of Parameters, got list "
                                 f"of {type(param)}.")
            if id(param) in seen:  # shared parameters are updated once
                continue
            seen.add(id(param))
            self._params.append(param)
        if isinstance(kvstore, str) and kvstore.startswith("dist"):
            raise NotImplementedError(f"Trainer: kvstore '{kvstore}' (distributed training) is "
                                      "not available in this build; use kvstore='device' or None")
        if update_on_kvstore:
            raise ValueError("Cannot set update_on_kvstore=True: mxlite trains on one device, "
                             "where parameters are updated locally (no kvstore)")
        self._compression_params = compression_params
        self._kvstore = None
        self._update_on_kvstore = False
        self._kv_initialized = True
        optimizer_params = optimizer_params if optimizer_params else {}
        self._init_optimizer(optimizer, optimizer_params)
        self._scale = self._optimizer.rescale_grad

    def _init_optimizer(self, optimizer, optimizer_params):
        opt = _optimizer_module()
        param_dict = dict(enumerate(self._params))
        if isinstance(optimizer, opt.Optimizer):
            if optimizer_params:
                raise AssertionError("optimizer_params must be None if optimizer is an instance "
                                     "of Optimizer instead of str")
            self._optimizer = optimizer
            # not copied: lr_mult / wd_mult changed later on the parameters take effect
            self._optimizer.param_dict = param_dict
        else:
            self._optimizer = opt.create(optimizer, param_dict=param_dict, **optimizer_params)
        self._updaters = [opt.get_updater(self._optimizer)]

    @property
    def learning_rate(self):
        return self._optimizer.learning_rate

    @property
    def optimizer(self):
        return self._optimizer

    def set_learning_rate(self, lr):
        """Set a new learning rate (fails when a scheduler drives it)."""
        self._optimizer.set_learning_rate(lr)

    def step(self, batch_size, ignore_stale_grad=False):
        """One update with gradients normalized by 1/batch_size.  Raises
        UserWarning if a parameter's gradient was not written by a backward
        since the last step (unless ignore_stale_grad: then it is skipped)."""
        self._optimizer.rescale_grad = self._scale / batch_size
        self._allreduce_grads()
        self._update(ignore_stale_grad)

    def allreduce_grads(self):
        """Sum gradients over devices (one device here: nothing to do); for
        use with update() to modify gradients in between."""
        self._allreduce_grads()

    def _allreduce_grads(self):
        # one device: the gradients are already complete
        return

    def update(self, batch_size, ignore_stale_grad=False):
        """The update half of step() (after allreduce_grads())."""
        self._optimizer.rescale_grad = self._scale / batch_size
        self._update(ignore_stale_grad)

    def _update(self, ignore_stale_grad=False):
        updates = []
        for i, param in enumerate(self._params):
            if param.grad_req == "null":
                continue
            data = param.list_data()
            if not ignore_stale_grad:
                for arr in data:
                    if not _fresh_grad(arr):
                        raise UserWarning(
                            f"Gradient of Parameter `{param.name}` on context {arr.context} has "
                            "not been updated by backward since last `step`. This could mean a "
                            "bug in your model that made it only use a subset of the Parameters "
                            "(Blocks) for this iteration. If you are intentionally only using a "
                            "subset, call step with ignore_stale_grad=True to suppress this "
                            "warning and skip updating of Parameters with stale gradient")
            for arr, grad in zip(data, param.list_grad()):
                if not ignore_stale_grad or _fresh_grad(arr):
                    updates.append((i, grad, arr))
                    _set_fresh_grad(arr, False)
        if updates:
            # one call with lists: the updater hands same-dtype weights to the
            # optimizer in groups (fused multi-weight update ops)
            idx, grads, arrs = zip(*updates)
            self._updaters[0](list(idx), list(grads), list(arrs))

    def save_states(self, fname):
        """Save the optimizer state (momentum, ...) to a file."""
        with open(fname, "wb") as fout:
            fout.write(self._updaters[0].get_states(dump_optimizer=True))

    def load_states(self, fname):
        """Load optimizer state saved by save_states."""
        with open(fname, "rb") as f:
            states = f.read()
        for updater in self._updaters:
            updater.set_states(states)
            updater.optimizer = self._updaters[0].optimizer
        self._optimizer = self._updaters[0].optimizer
        self._optimizer.param_dict = dict(enumerate(self._params))
