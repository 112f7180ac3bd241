"""The pooled allocator's counters, and releasing its cache."""
from .base import check_call, ffi, lib

__all__ = ["stats", "release_pooled", "reset_peak", "live_handles"]


def stats():
    """{'in_use': bytes, 'peak': bytes, 'pooled': bytes} of the core's storage pool."""
    a, b, c = ffi.new("int64_t*"), ffi.new("int64_t*"), ffi.new("int64_t*")
    check_call(lib.mxl_storage_stats(a, b, c))
    return {"in_use": a[0], "peak": b[0], "pooled": c[0]}


def release_pooled():
    """Return every cached block to the system (waits for pending work)."""
    check_call(lib.mxl_storage_release_pooled())


def reset_peak():
    check_call(lib.mxl_storage_reset_peak())


def live_handles():
    """Core handles created and not yet freed (arrays, op handles)."""
    p = ffi.new("int64_t*")
    check_call(lib.mxl_live_handles(p))
    return p[0]
