"""Loading the core, the version check, and core errors as Python exceptions."""
import numpy as np

from ._mxlite_cffi import ffi, lib

__all__ = ["MXNetError", "check_call", "ffi", "lib", "mx_real_t", "NotSupportedForSparseNDArray"]

mx_real_t = np.float32

_major = lib.mxl_version() // 10000
if _major != lib.MXL_VERSION_MAJOR:
    raise ImportError(
        f"mxlite: the loaded libmxlite has ABI major version {_major}, "
        f"but this package was built for {lib.MXL_VERSION_MAJOR}; reinstall the package")


class MXNetError(RuntimeError):
    """Error raised by the mxlite core (same name as MXNet's)."""


class NotSupportedForSparseNDArray(MXNetError):
    """Kept for MXNet API compatibility; mxlite has dense arrays only."""


class _PlainKeyError(MXNetError, KeyError):
    # KeyError's str() wraps the message in quotes; the core's message reads
    # better as is.
    def __str__(self):
        return str(self.args[0]) if self.args else ""


def _kind(name, *bases):
    return type(name, (MXNetError,) + bases, {"__module__": __name__})


ValueError_ = _kind("MXNetValueError", ValueError)
TypeError_ = _kind("MXNetTypeError", TypeError)
IndexError_ = _kind("MXNetIndexError", IndexError)
MemoryError_ = _kind("MXNetMemoryError", MemoryError)
NotImplementedError_ = _kind("MXNetNotImplementedError", NotImplementedError)
KeyError_ = type("MXNetKeyError", (_PlainKeyError,), {"__module__": __name__})
InvalidHandleError = _kind("MXNetInvalidHandleError", ValueError)

_ERROR_CLASSES = {
    lib.MXL_ERR_VALUE: ValueError_,
    lib.MXL_ERR_TYPE: TypeError_,
    lib.MXL_ERR_INDEX: IndexError_,
    lib.MXL_ERR_OUT_OF_MEMORY: MemoryError_,
    lib.MXL_ERR_NOT_IMPLEMENTED: NotImplementedError_,
    lib.MXL_ERR_KEY: KeyError_,
    lib.MXL_ERR_RUNTIME: MXNetError,
    lib.MXL_ERR_INVALID_HANDLE: InvalidHandleError,
}


def last_error():
    """The calling thread's last core error as an exception object."""
    kind = ffi.new("int32_t*")
    needed = ffi.new("uint64_t*")
    lib.mxl_last_error(kind, ffi.NULL, 0, needed)
    buf = ffi.new("char[]", needed[0])
    lib.mxl_last_error(kind, buf, needed[0], ffi.NULL)
    cls = _ERROR_CLASSES.get(kind[0], MXNetError)
    return cls(ffi.string(buf).decode("utf-8", "replace"))


def check_call(status):
    """Raise the core's last error if a C call failed."""
    if status != 0:
        raise last_error()


def c_str_list(strings):
    """Python strings -> (keepalive, const char*[]) for a C call."""
    bufs = [ffi.new("char[]", s.encode()) for s in strings]
    return bufs, ffi.new("const char*[]", bufs)


def copy_string(fn, *args):
    """Call a string-returning C function using its size-query convention."""
    needed = ffi.new("uint64_t*")
    check_call(fn(*args, ffi.NULL, 0, needed))
    buf = ffi.new("char[]", needed[0])
    check_call(fn(*args, buf, needed[0], needed))
    return ffi.string(buf).decode()
