"""Updater: applies an optimizer to (index, grad, weight) triples and keeps the states.

This is what kvstore and gluon's Trainer call.  States are created lazily on a
weight's first update; `get_states` / `set_states` pickle them (optionally
with the optimizer) exactly as MXNet 1.9 does, so a Trainer can save and
restore its optimizer state.
"""
import pickle

from ..ndarray import NDArray

__all__ = ["Updater", "get_updater"]


class Updater:
    """Updater for kvstore and gluon.Trainer.

    `updater(index, grad, weight)` updates `weight` in place; index, grad and
    weight may also be equal-length lists (one call for many parameters), in
    which case weights of the same dtype are handed to the optimizer in
    groups of `optimizer.aggregate_num` when the optimizer aggregates.
    """

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.states = {}
        self.states_synced = {}
        self.aggregate_updates = optimizer.aggregate_num > 0

    def __call__(self, index, grad, weight):
        if not isinstance(index, (list, tuple)):
            indices, grads, weights = [index], [grad], [weight]
        else:
            indices, grads, weights = list(index), list(grad), list(weight)
            if not len(indices) == len(grads) == len(weights):
                raise ValueError("Updater: index, grad and weight lists differ in length "
                                 "(%d, %d, %d)" % (len(indices), len(grads), len(weights)))
        for w, g in zip(weights, grads):
            if not isinstance(w, NDArray) or not isinstance(g, NDArray):
                raise TypeError("Updater: weight and grad must be NDArrays, got %s and %s"
                                % (type(w).__name__, type(g).__name__))
        if weights:
            self.optimizer._set_current_context(weights[0].context.device_id)
        for i, idx in enumerate(indices):
            if isinstance(idx, bytes):  # keys that came through a C string
                idx = indices[i] = idx.decode()
            if idx not in self.states:
                self.states[idx] = self.optimizer.create_state_multi_precision(idx, weights[i])
                self.states_synced[idx] = True
            elif not self.states_synced[idx]:
                self.states[idx] = self.sync_state_context(self.states[idx], weights[i].context)
                self.states_synced[idx] = True
        opt = self.optimizer
        if self.aggregate_updates and len(indices) > 1:
            # Group by dtype (a fused multi-weight op takes one dtype), then
            # hand over aggregate_num weights per call.
            by_type = {}
            for i, w, g in zip(indices, weights, grads):
                by_type.setdefault(w.dtype, []).append((i, w, g))
            step = opt.aggregate_num
            for group in by_type.values():
                for start in range(0, len(group), step):
                    part = group[start:start + step]
                    idxs = [p[0] for p in part]
                    opt.update_multi_precision(idxs, [p[1] for p in part], [p[2] for p in part],
                                               [self.states[i] for i in idxs])
        else:
            for i, w, g in zip(indices, weights, grads):
                opt.update_multi_precision(i, w, g, self.states[i])

    def sync_state_context(self, state, context):
        """Move a state to `context` (a no-op on a CPU-only build; kept for the API)."""
        if isinstance(state, NDArray):
            return state.as_in_context(context)
        if isinstance(state, (tuple, list)):
            synced = [self.sync_state_context(s, context) for s in state]
            return tuple(synced) if isinstance(state, tuple) else synced
        return state

    def set_states(self, states):
        """Restore states (and the optimizer, when they were dumped with it)."""
        states = pickle.loads(states)
        if isinstance(states, tuple) and len(states) == 2:
            self.states, self.optimizer = states
        else:
            self.states = states
        self.states_synced = dict.fromkeys(self.states.keys(), False)

    def get_states(self, dump_optimizer=False):
        """Pickled states; with dump_optimizer, a pickled (states, optimizer) pair."""
        return pickle.dumps((self.states, self.optimizer) if dump_optimizer else self.states)


def get_updater(optimizer):
    """An Updater (a callable `updater(index, grad, weight)`) for `optimizer`."""
    return Updater(optimizer)
