"""Attribute scopes (MXNet's mx.AttrScope): attributes attached to every
symbol created inside `with mx.AttrScope(ctx_group='dev1'):`."""
import threading

__all__ = ["AttrScope", "current"]


class AttrScope:
    """Attributes (string values) for the symbols created in its scope.
    Nested scopes combine; explicit attributes of a symbol win."""

    _current = threading.local()

    def __init__(self, **kwargs):
        self._old_scope = None
        for value in kwargs.values():
            if not isinstance(value, str):
                raise ValueError("Attributes need to be string")
        self._attr = kwargs

    def get(self, attr):
        """The scope's attributes updated with `attr` (a dict or None)."""
        if self._attr:
            ret = self._attr.copy()
            if attr:
                ret.update(attr)
            return ret
        return dict(attr) if attr else {}

    def __enter__(self):
        self._old_scope = current()
        merged = self._old_scope._attr.copy()
        merged.update(self._attr)
        self._attr = merged
        AttrScope._current.value = self
        return self

    def __exit__(self, ptype, value, trace):
        assert self._old_scope is not None
        AttrScope._current.value = self._old_scope
        self._old_scope = None


def current():
    """This thread's current AttrScope (an empty one on first use)."""
    try:
        return AttrScope._current.value
    except AttributeError:
        s = AttrScope._current.value = AttrScope()
        return s
