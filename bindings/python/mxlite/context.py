"""Devices.  This build runs on the CPU only; asking for a GPU is a clear error."""
import threading

from .base import NotImplementedError_

__all__ = ["Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus"]


class Context:
    """A device, as in MXNet: `mx.cpu()`, `mx.cpu(0)`; usable as a `with` block."""

    devtype2str = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}
    devstr2type = {v: k for k, v in devtype2str.items()}
    _default = threading.local()

    def __init__(self, device_type, device_id=0):
        if isinstance(device_type, Context):
            device_type, device_id = device_type.device_type, device_type.device_id
        if isinstance(device_type, str):
            if device_type not in self.devstr2type:
                raise ValueError(f"unknown device type '{device_type}'; expected one of "
                                 f"{sorted(self.devstr2type)}")
            device_type = self.devstr2type[device_type]
        self.device_typeid = device_type
        self.device_id = device_id
        self._old = None

    @property
    def device_type(self):
        return self.devtype2str[self.device_typeid]

    def __eq__(self, other):
        return (isinstance(other, Context) and self.device_typeid == other.device_typeid
                and self.device_id == other.device_id)

    def __hash__(self):
        return hash((self.device_typeid, self.device_id))

    def __repr__(self):
        return f"{self.device_type}({self.device_id})"

    __str__ = __repr__

    def __enter__(self):
        self._old = current_context()
        Context._default.value = self
        return self

    def __exit__(self, *exc):
        Context._default.value = self._old

    def empty_cache(self):
        from . import storage
        storage.release_pooled()


def cpu(device_id=0):
    """The CPU context (`mx.cpu()`)."""
    return Context("cpu", device_id)


def cpu_pinned(device_id=0):
    return Context("cpu_pinned", device_id)


def gpu(device_id=0):
    """GPUs are not available in this build: raises NotImplementedError (an MXNetError)."""
    raise NotImplementedError_(
        f"mx.gpu({device_id}): this mxlite build has no GPU support; use mx.cpu()")


def num_gpus():
    return 0


def current_context():
    ctx = getattr(Context._default, "value", None)
    return ctx if ctx is not None else Context("cpu", 0)


def check_cpu(ctx, where):
    """Accept None / mx.cpu() / 'cpu'; anything else raises NotImplementedError."""
    if ctx is None:
        return
    c = ctx if isinstance(ctx, Context) else Context(ctx)
    if c.device_type not in ("cpu", "cpu_pinned", "cpu_shared") or c.device_id != 0:
        raise NotImplementedError_(f"{where}: context {c} is not available; this build "
                                   "supports only cpu(0)")
