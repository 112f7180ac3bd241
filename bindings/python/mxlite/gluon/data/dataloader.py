"""DataLoader: mini-batches from a Dataset, optionally prepared by worker processes.

Worker processes are forked from the trainer (so datasets and transforms need not be
picklable) and never hand NDArrays across the process boundary: a worker fetches and
batchifies its samples, turns every NDArray in the result into a NumPy array, and the
parent makes the NDArrays.  Inside a worker the engine runs synchronously
(NaiveEngine) with one OpenMP thread, since a forked child inherits none of the
parent's engine or OpenMP threads; each worker also reseeds NumPy, `random` and
mx.random so random augmentations differ between workers.
"""
import ctypes
import multiprocessing
import multiprocessing.pool
import random as _pyrandom
import signal
import threading
from collections import deque

import numpy as np

from ... import ndarray as nd
from . import sampler as _sampler

__all__ = ["DataLoader", "default_batchify_fn", "default_mp_batchify_fn"]


def default_batchify_fn(data):
    """Collate samples into a batch: NDArrays are stacked, tuples are collated per
    field (giving a list), anything else goes through np.asarray then nd.array with
    the resulting dtype."""
    if isinstance(data[0], nd.NDArray):
        return nd.stack(*data)
    if isinstance(data[0], tuple):
        return [default_batchify_fn(list(field)) for field in zip(*data)]
    arr = np.asarray(data)
    return nd.array(arr, dtype=arr.dtype)


# MXNet's variant for worker processes stacks into shared memory; here workers
# return NumPy arrays and the parent builds the batch (see the module doc).
default_mp_batchify_fn = default_batchify_fn


# ------------------------------------------------------------------ workers

class _Payload:
    """An NDArray crossing a process boundary as NumPy data."""
    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data

    def __getstate__(self):
        return self.data

    def __setstate__(self, state):
        self.data = state


def _np_batchify(data):
    """default_batchify_fn computed in NumPy (no engine in the worker); NDArray
    results become _Payloads."""
    first = data[0]
    if isinstance(first, nd.NDArray):
        return _Payload(np.stack([d.asnumpy() for d in data]))
    if isinstance(first, tuple):
        return [_np_batchify(list(field)) for field in zip(*data)]
    return _Payload(np.asarray(data))


def _to_payload(obj):
    if isinstance(obj, nd.NDArray):
        return _Payload(obj.asnumpy())
    if isinstance(obj, list):
        return [_to_payload(o) for o in obj]
    if isinstance(obj, tuple):
        return tuple(_to_payload(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _to_payload(v) for k, v in obj.items()}
    return obj


def _from_payload(obj):
    if isinstance(obj, _Payload):
        return nd.array(obj.data, dtype=obj.data.dtype)
    if isinstance(obj, list):
        return [_from_payload(o) for o in obj]
    if isinstance(obj, tuple):
        return tuple(_from_payload(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _from_payload(v) for k, v in obj.items()}
    return obj


_worker_state = {}


def _limit_openmp():
    try:
        ctypes.CDLL("libgomp.so.1").omp_set_num_threads(1)
    except (OSError, AttributeError):
        pass


def _worker_initializer(dataset, batchify_fn, base_seed):
    from ... import engine, random as mxrandom
    _worker_state["dataset"] = dataset
    _worker_state["batchify_fn"] = batchify_fn
    _limit_openmp()
    engine.set_engine_type("NaiveEngine")
    ident = multiprocessing.current_process()._identity
    seed = (base_seed + (ident[0] if ident else 0)) % (2 ** 31)
    np.random.seed(seed)
    _pyrandom.seed(seed)
    mxrandom.seed(seed)
    # Ctrl-C is the parent's to handle; it terminates the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _worker_fn(indices):
    dataset = _worker_state["dataset"]
    batchify_fn = _worker_state["batchify_fn"]
    samples = [dataset[i] for i in indices]
    if batchify_fn is None:
        return _np_batchify(samples)
    return _to_payload(batchify_fn(samples))


def _as_in_context(data, ctx):
    if isinstance(data, nd.NDArray):
        return data.as_in_context(ctx)
    if isinstance(data, (list, tuple)):
        return [_as_in_context(d, ctx) for d in data]
    return data


class _PoolIter:
    """Batches computed by a worker pool, `prefetch` of them in flight, returned in
    the sampler's order."""

    def __init__(self, loader, pool, fn, convert):
        self._loader = loader
        self._pool = pool
        self._fn = fn
        self._convert = convert
        self._batches = iter(loader._batch_sampler)
        self._pending = deque()
        for _ in range(max(1, loader._prefetch)):
            if not self._push():
                break

    def _push(self):
        indices = next(self._batches, None)
        if indices is None:
            return False
        self._pending.append(self._pool.apply_async(self._fn, (indices,)))
        return True

    def __iter__(self):
        return self

    def __next__(self):
        if not self._pending:
            raise StopIteration
        result = self._pending.popleft()
        try:
            batch = result.get(self._loader._timeout)
        except multiprocessing.TimeoutError:
            raise RuntimeError("DataLoader: a worker did not deliver a batch within %s s "
                               "(timeout); a sample may be too slow to load, or a worker "
                               "died" % self._loader._timeout) from None
        self._push()
        batch = self._convert(batch)
        if self._loader._pin_memory:
            batch = _as_in_context(batch, self._loader._pin_context())
        return batch

    next = __next__


# --------------------------------------------------------------- DataLoader

class DataLoader:
    """Loads data from a dataset and returns mini-batches.

    Parameters
    ----------
    dataset : Dataset
        Source dataset (NumPy and mxlite arrays work directly).
    batch_size : int
        Size of mini-batch.
    shuffle : bool
        Whether to shuffle the samples each epoch (not with `sampler`).
    sampler : Sampler
        The sampler to use (not with `shuffle`).
    last_batch : {'keep', 'discard', 'rollover'}, default 'keep'
        What to do with a final batch smaller than batch_size.
    batch_sampler : Sampler
        A sampler that returns mini-batches of indices (then none of batch_size,
        shuffle, sampler, last_batch may be given).
    batchify_fn : callable
        Merges a list of samples into a batch; default_batchify_fn by default.
    num_workers : int, default 0
        Worker processes preparing batches (0: in the calling thread).
    pin_memory : bool, default False
        Return batches in pinned CPU memory (same as CPU memory in this build).
    pin_device_id : int, default 0
    prefetch : int, default 2 * num_workers
        Batches requested from the workers ahead of use.
    thread_pool : bool, default False
        Use threads instead of processes for the workers.
    timeout : int, default 120
        Seconds to wait for a worker's batch before raising.
    auto_reload : bool, default False
        Start fetching the next epoch's first batches as soon as an epoch ends
        (and at construction).
    """

    def __init__(self, dataset, batch_size=None, shuffle=False, sampler=None,
                 last_batch=None, batch_sampler=None, batchify_fn=None,
                 num_workers=0, pin_memory=False, pin_device_id=0,
                 prefetch=None, thread_pool=False, timeout=120, auto_reload=False):
        self._dataset = dataset
        self._pin_memory = pin_memory
        self._pin_device_id = pin_device_id
        self._thread_pool = thread_pool
        if not timeout > 0:
            raise ValueError("timeout must be positive, given {}".format(timeout))
        self._timeout = timeout
        if batch_sampler is None:
            if batch_size is None:
                raise ValueError("batch_size must be specified unless batch_sampler is "
                                 "specified")
            if sampler is None:
                sampler = (_sampler.RandomSampler(len(dataset)) if shuffle
                           else _sampler.SequentialSampler(len(dataset)))
            elif shuffle:
                raise ValueError("shuffle must not be specified if sampler is specified")
            batch_sampler = _sampler.BatchSampler(sampler, batch_size, last_batch or "keep")
        elif batch_size is not None or shuffle or sampler is not None or last_batch is not None:
            raise ValueError("batch_size, shuffle, sampler and last_batch must not be specified "
                             "if batch_sampler is specified.")
        self._batch_sampler = batch_sampler
        self._num_workers = max(0, int(num_workers))
        self._prefetch = max(0, int(prefetch) if prefetch is not None else 2 * self._num_workers)
        self._user_batchify = batchify_fn
        self._batchify_fn = batchify_fn if batchify_fn is not None else default_batchify_fn
        self._worker_pool = None
        if self._num_workers > 0:
            if thread_pool:
                self._worker_pool = multiprocessing.pool.ThreadPool(self._num_workers)
            else:
                self._worker_pool = self._fork_pool()
        self.auto_reload = auto_reload
        self._iter = None
        if auto_reload:
            self.refresh()

    def _fork_pool(self):
        # Nothing may be in flight in the engine when the process forks.
        nd.waitall()
        ctx = multiprocessing.get_context("fork")
        base_seed = int(np.random.randint(0, 2 ** 31 - 1))
        in_main = threading.current_thread() is threading.main_thread()
        # Workers inherit SIG_IGN for SIGINT while they start, so Ctrl-C reaches
        # only the parent.
        old = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main else None
        try:
            return ctx.Pool(self._num_workers, initializer=_worker_initializer,
                            initargs=(self._dataset, self._user_batchify, base_seed))
        finally:
            if in_main:
                signal.signal(signal.SIGINT, old)

    def _pin_context(self):
        from ...context import cpu_pinned
        return cpu_pinned(self._pin_device_id)

    def _thread_fn(self, indices):
        return self._batchify_fn([self._dataset[i] for i in indices])

    def _same_process_iter(self):
        for indices in self._batch_sampler:
            batch = self._batchify_fn([self._dataset[i] for i in indices])
            if self._pin_memory:
                batch = _as_in_context(batch, self._pin_context())
            yield batch

    def _make_iter(self):
        if self._num_workers == 0:
            return self._same_process_iter()
        if self._thread_pool:
            return _PoolIter(self, self._worker_pool, self._thread_fn, lambda b: b)
        return _PoolIter(self, self._worker_pool, _worker_fn, _from_payload)

    def __iter__(self):
        it = self._iter if self._iter is not None else self._make_iter()
        self._iter = None
        for batch in it:
            yield batch
        if self.auto_reload and self._iter is None:
            self.refresh()

    def __len__(self):
        return len(self._batch_sampler)

    def refresh(self):
        """Start fetching an epoch now (used by auto_reload)."""
        self._iter = self._make_iter()

    def clean(self):
        """Drop a prefetched epoch; fetching starts at the next __iter__."""
        self._iter = None

    def __del__(self):
        pool = getattr(self, "_worker_pool", None)
        if pool is not None:
            self._worker_pool = None
            pool.terminate()
