"""DLPack exchange: `NDArray.__dlpack__` and `mx.nd.from_dlpack`, zero-copy."""
import ctypes

from ..base import TypeError_, check_call, ffi, lib
from ._invoke import wrap

_capi = ctypes.pythonapi
_capi.PyCapsule_New.restype = ctypes.py_object
_capi.PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
_capi.PyCapsule_GetPointer.restype = ctypes.c_void_p
_capi.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_capi.PyCapsule_SetName.restype = ctypes.c_int
_capi.PyCapsule_SetName.argtypes = [ctypes.py_object, ctypes.c_char_p]
_capi.PyCapsule_IsValid.restype = ctypes.c_int
_capi.PyCapsule_IsValid.argtypes = [ctypes.py_object, ctypes.c_char_p]

_VERSIONED, _LEGACY = b"dltensor_versioned", b"dltensor"
_dtor = {True: int(ffi.cast("uintptr_t", lib.mxl_py_capsule_dtor(1))),
         False: int(ffi.cast("uintptr_t", lib.mxl_py_capsule_dtor(0)))}


def to_dlpack_capsule(x, max_version=None):
    """A PyCapsule per the DLPack Python spec (versioned when the consumer allows)."""
    versioned = max_version is not None and tuple(max_version)[0] >= 1
    if versioned:
        p = ffi.new("struct DLManagedTensorVersioned**")
        check_call(lib.mxl_array_to_dlpack(x._handle(), p))
    else:
        p = ffi.new("struct DLManagedTensor**")
        check_call(lib.mxl_array_to_dlpack_legacy(x._handle(), p))
    addr = int(ffi.cast("uintptr_t", p[0]))
    return _capi.PyCapsule_New(addr, _VERSIONED if versioned else _LEGACY, _dtor[versioned])


def from_dlpack(ext):
    """An NDArray sharing memory with any DLPack producer (NumPy, PyTorch, ...)."""
    if hasattr(ext, "__dlpack__"):
        try:
            cap = ext.__dlpack__(max_version=(1, 0))
        except TypeError:
            cap = ext.__dlpack__()
    else:
        cap = ext  # a capsule already
    out = ffi.new("mxl_array_t**")
    if _capi.PyCapsule_IsValid(cap, _VERSIONED):
        ptr = _capi.PyCapsule_GetPointer(cap, _VERSIONED)
        check_call(lib.mxl_array_from_dlpack(ffi.cast("struct DLManagedTensorVersioned*", ptr), out))
        _capi.PyCapsule_SetName(cap, b"used_dltensor_versioned")
    elif _capi.PyCapsule_IsValid(cap, _LEGACY):
        ptr = _capi.PyCapsule_GetPointer(cap, _LEGACY)
        check_call(lib.mxl_array_from_dlpack_legacy(ffi.cast("struct DLManagedTensor*", ptr), out))
        _capi.PyCapsule_SetName(cap, b"used_dltensor")
    else:
        raise TypeError_("from_dlpack: expected an object with __dlpack__ or an unused DLPack "
                         "capsule")
    return wrap(out[0])


to_dlpack_for_read = to_dlpack_for_write = lambda x: to_dlpack_capsule(x)  # noqa: E731
