"""Engine selection: ThreadedEngine (default) or NaiveEngine (synchronous, for debugging)."""
from .base import check_call, copy_string, lib

__all__ = ["set_engine_type", "engine_type"]


def set_engine_type(name):
    """Switch engines after pending work finished ("NaiveEngine" / "ThreadedEngine")."""
    check_call(lib.mxl_engine_set_type(name.encode()))


def engine_type():
    return copy_string(lib.mxl_engine_type)
