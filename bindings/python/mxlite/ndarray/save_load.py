"""mx.nd.save / mx.nd.load / mx.nd.load_frombuffer: MXNet's NDArray file format.

The format is read and written by the core (src/io/ndarray_file.cc, C ABI section
"files"), so every language binding shares one implementation.  As in MXNet, a
single NDArray or a list is saved as a list file and loads as a list; a dict of
str -> NDArray is saved with names and loads as a dict.  "none" arrays (MXNet's
records for arrays that were never allocated) load as None, and None values are
saved as such records.
"""
import os

from ..base import check_call, ffi, lib
from ._invoke import wrap
from .ndarray import NDArray

__all__ = ["save", "load", "load_frombuffer"]


def _prepare(data):
    """data -> (handles keepalive, mxl_array_t*[], names keepalive, const char*[] or NULL)."""
    if isinstance(data, NDArray):
        values, keys = [data], None
    elif isinstance(data, dict):
        keys = list(data.keys())
        values = list(data.values())
        if any(not isinstance(k, str) for k in keys):
            raise TypeError("save only accepts a dict of str -> NDArray or a list of NDArray; "
                            "got a key of type %s"
                            % next(type(k).__name__ for k in keys if not isinstance(k, str)))
    elif isinstance(data, (list, tuple)):
        values, keys = list(data), None
    else:
        raise ValueError("data needs to either be a NDArray, dict of str, NDArray pairs "
                         "or a list of NDarrays; got %s" % type(data).__name__)
    for v in values:
        if v is not None and not isinstance(v, NDArray):
            raise TypeError("save only accepts a dict of str -> NDArray or a list of NDArray; "
                            "got an element of type %s" % type(v).__name__)
    handles = ffi.new("mxl_array_t*[]", [ffi.NULL if v is None else v._handle() for v in values])
    if keys is None:
        return values, handles, None, ffi.NULL
    bufs = [ffi.new("char[]", k.encode("utf-8")) for k in keys]
    return values, handles, bufs, ffi.new("const char*[]", bufs)


def save(fname, data):
    """Save an NDArray, a list of NDArrays or a dict of str -> NDArray to a file
    in MXNet's format (loadable by MXNet 1.x and by every mxlite binding).

    Parameters
    ----------
    fname : str or os.PathLike
        The file to write (created or truncated).
    data : NDArray, list of NDArray, or dict of str to NDArray
    """
    values, handles, keep, names = _prepare(data)
    path = os.fsencode(os.fspath(fname))
    check_call(lib.mxl_arrays_save(path, len(values), handles, names))


def _save_to_bytes(data):
    """The bytes mx.nd.save would write (an mxlite extension; MXNet 1.9 has none)."""
    values, handles, keep, names = _prepare(data)
    needed = ffi.new("uint64_t*")
    check_call(lib.mxl_arrays_save_buffer(len(values), handles, names, ffi.NULL, 0, needed))
    buf = bytearray(needed[0])
    if needed[0]:
        check_call(lib.mxl_arrays_save_buffer(len(values), handles, names,
                                              ffi.from_buffer(buf), needed[0], needed))
    return bytes(buf)


def _unpack(lst_ptr):
    """A core array list -> list or dict of NDArray (None for none arrays)."""
    try:
        num = ffi.new("int32_t*")
        has_names = ffi.new("int32_t*")
        check_call(lib.mxl_array_list_size(lst_ptr, num, has_names))
        out = ffi.new("mxl_array_t**")
        needed = ffi.new("uint64_t*")
        arrays, names = [], []
        for i in range(num[0]):
            if has_names[0]:
                check_call(lib.mxl_array_list_get(lst_ptr, i, out, ffi.NULL, 0, needed))
                lib.mxl_array_free(out[0])
                buf = ffi.new("char[]", needed[0])
                check_call(lib.mxl_array_list_get(lst_ptr, i, out, buf, needed[0], needed))
                names.append(ffi.unpack(buf, needed[0] - 1).decode("utf-8", "replace"))
            else:
                check_call(lib.mxl_array_list_get(lst_ptr, i, out, ffi.NULL, 0, ffi.NULL))
            arrays.append(None if out[0] == ffi.NULL else wrap(out[0]))
    finally:
        lib.mxl_array_list_free(lst_ptr)
    if has_names[0]:
        return dict(zip(names, arrays))
    return arrays


def load(fname):
    """Load arrays saved by mx.nd.save (or by MXNet): a list, or a dict when the
    file has names.

    Parameters
    ----------
    fname : str or os.PathLike
    """
    if not isinstance(fname, (str, bytes, os.PathLike)):
        raise TypeError("fname required to be a string, got %s" % type(fname).__name__)
    out = ffi.new("mxl_array_list_t**")
    check_call(lib.mxl_arrays_load(os.fsencode(os.fspath(fname)), out))
    return _unpack(out[0])


def load_frombuffer(buf):
    """Load arrays from the bytes of a file mx.nd.save wrote: a list, or a dict
    when the data has names."""
    if isinstance(buf, str):
        buf = buf.encode("latin-1")
    if not isinstance(buf, (bytes, bytearray, memoryview)):
        raise TypeError("buf required to be a string or bytes, got %s" % type(buf).__name__)
    mv = memoryview(buf).cast("B")
    out = ffi.new("mxl_array_list_t**")
    check_call(lib.mxl_arrays_load_buffer(ffi.from_buffer(mv), len(mv), out))
    return _unpack(out[0])
