"""NumPy dtypes <-> the C ABI's DLPack-packed dtype codes."""
import numpy as np

from .base import TypeError_


def _code(code, bits):
    return code | (bits << 8) | (1 << 16)


_NP_TO_CODE = {
    np.dtype(np.float32): _code(2, 32),
    np.dtype(np.float64): _code(2, 64),
    np.dtype(np.float16): _code(2, 16),
    np.dtype(np.uint8): _code(1, 8),
    np.dtype(np.int8): _code(0, 8),
    np.dtype(np.int32): _code(0, 32),
    np.dtype(np.int64): _code(0, 64),
    np.dtype(np.bool_): _code(6, 8),
}
_CODE_TO_NP = {v: k for k, v in _NP_TO_CODE.items()}
_CODE_TO_TYPE = {v: k.type for k, v in _NP_TO_CODE.items()}


def np_dtype(dtype):
    """Anything NumPy accepts as a dtype ('float32', np.int32, ...) -> np.dtype."""
    try:
        dt = np.dtype(dtype)
    except TypeError as e:
        raise TypeError_(f"unknown dtype {dtype!r}") from e
    if dt not in _NP_TO_CODE:
        raise TypeError_(f"dtype {dt} is not supported; supported: "
                         f"{', '.join(sorted(d.name for d in _NP_TO_CODE))}")
    return dt


def to_code(dtype):
    return _NP_TO_CODE[np_dtype(dtype)]


def from_code(code):
    """Code -> NumPy scalar type (np.float32, ...), as MXNet's NDArray.dtype."""
    return _CODE_TO_TYPE[code]


def dtype_name(dtype):
    return np_dtype(dtype).name
