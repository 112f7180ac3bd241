"""The memory-plan report shared by Executor and CachedOp (C ABI
mxl_executor_memory / mxl_cached_op_memory: planned bytes, naive bytes,
mirrored nodes)."""
from .base import check_call, ffi


class MemoryPlanReport:
    """Mixin: a class with `handle` and `_memory_query` (the C function taking
    the handle and three out-pointers) gets the three report properties."""

    _memory_query = None

    def _memory(self):
        p, n, m = ffi.new("int64_t*"), ffi.new("int64_t*"), ffi.new("int32_t*")
        check_call(type(self)._memory_query(self.handle, p, n, m))
        return p[0], n[0], m[0]

    @property
    def planned_bytes(self):
        """Bytes of the planned blocks for intermediate values (for a CachedOp: of the
        graph the last call ran, 0 before the first call)."""
        return self._memory()[0]

    @property
    def naive_bytes(self):
        """Bytes the intermediate values would take with one buffer each."""
        return self._memory()[1]

    @property
    def mirrored_nodes(self):
        """Forward nodes recomputed in backward (gradient checkpointing)."""
        return self._memory()[2]
