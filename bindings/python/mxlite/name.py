"""Automatic names of symbols (MXNet's mx.name).

The current NameManager is per thread.  An op symbol created without a
name gets its op name lowercased plus a counter for that name
(fullyconnected0, fullyconnected1, ...); `with mx.name.NameManager():`
starts fresh counters and `with mx.name.Prefix('net_'):` also prefixes
every name, given or automatic.
"""
import threading

__all__ = ["NameManager", "Prefix", "current"]


class NameManager:
    """Gives unique names to symbols that were created without one."""

    _current = threading.local()

    def __init__(self):
        self._counter = {}
        self._old_manager = None

    def get(self, name, hint):
        """`name` if given, otherwise hint followed by this manager's counter
        for hint."""
        if name:
            return name
        n = self._counter.get(hint, 0)
        self._counter[hint] = n + 1
        return f"{hint}{n}"

    def __enter__(self):
        self._old_manager = current()
        NameManager._current.value = self
        return self

    def __exit__(self, ptype, value, trace):
        assert self._old_manager is not None
        NameManager._current.value = self._old_manager
        self._old_manager = None


class Prefix(NameManager):
    """A NameManager that prepends a prefix to every name.

    >>> with mx.name.Prefix('mynet_'):
    ...     net = mx.sym.FullyConnected(data, num_hidden=10, name='fc1')
    >>> net.list_arguments()
    ['data', 'mynet_fc1_weight', 'mynet_fc1_bias']
    """

    def __init__(self, prefix):
        super().__init__()
        self._prefix = prefix

    def get(self, name, hint):
        return self._prefix + super().get(name, hint)


def current():
    """This thread's current NameManager (created on first use)."""
    try:
        return NameManager._current.value
    except AttributeError:
        m = NameManager._current.value = NameManager()
        return m
