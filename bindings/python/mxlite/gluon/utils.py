"""gluon.utils (MXNet 1.9): splitting batches over contexts, global-norm
gradient clipping, file checksums."""
import hashlib
import math
import warnings

import numpy as np

from .. import ndarray
from ..context import Context

__all__ = ["split_data", "split_and_load", "clip_global_norm", "check_sha1", "download"]


def split_data(data, num_slice, batch_axis=0, even_split=True):
    """Split data into num_slice slices along batch_axis."""
    size = data.shape[batch_axis]
    if even_split and size % num_slice != 0:
        raise ValueError(
            f"data with shape {data.shape} cannot be evenly split into {num_slice} slices along "
            f"axis {batch_axis}. Use a batch size that's multiple of {num_slice} or set "
            "even_split=False to allow uneven partitioning of data.")
    if size < num_slice:
        raise ValueError(f"Too many slices for data with shape {data.shape}. Arguments are "
                         f"num_slice={num_slice} and batch_axis={batch_axis}.")
    step = size // num_slice
    if num_slice == 1:
        return [data]
    if not even_split and size < num_slice:
        step = 1
        num_slice = size
    slices = []
    for i in range(num_slice):
        begin = i * step
        end = (i + 1) * step if i < num_slice - 1 else size
        slices.append(ndarray.slice_axis(data, axis=batch_axis, begin=begin, end=end))
    return slices


def split_and_load(data, ctx_list, batch_axis=0, even_split=True):
    """Split data into len(ctx_list) slices, one per context."""
    if isinstance(ctx_list, Context):
        ctx_list = [ctx_list]
    if not isinstance(data, ndarray.NDArray):
        data = ndarray.array(data)
    if len(ctx_list) == 1:
        return [data.as_in_context(ctx_list[0])]
    slices = split_data(data, len(ctx_list), batch_axis, even_split)
    return [i.as_in_context(ctx) for i, ctx in zip(slices, ctx_list)]


def clip_global_norm(arrays, max_norm, check_isfinite=True):
    """Scale arrays in place so that the 2-norm of all of them together is at
    most max_norm; returns the norm before scaling."""
    if not arrays:
        raise AssertionError("arrays must not be empty")
    total = ndarray.add_n(*[ndarray.sum(ndarray.square(a.astype("float32"))) for a in arrays])
    total_norm = math.sqrt(float(total.asscalar()))
    if check_isfinite and not np.isfinite(total_norm):
        warnings.warn(UserWarning("nan or inf is detected. Clipping results will be undefined."),
                      stacklevel=2)
    scale = max_norm / (total_norm + 1e-8)
    if scale < 1.0:
        for arr in arrays:
            arr *= scale
    return total_norm


def check_sha1(filename, sha1_hash):
    """True if the file's SHA-1 is sha1_hash."""
    sha1 = hashlib.sha1()
    with open(filename, "rb") as f:
        while True:
            data = f.read(1048576)
            if not data:
                break
            sha1.update(data)
    return sha1.hexdigest() == sha1_hash


def download(url, path=None, overwrite=False, sha1_hash=None, retries=5, verify_ssl=True):
    """Not available: mxlite never downloads; place the file locally instead."""
    raise RuntimeError(f"mxlite does not download files ({url}); download it yourself and pass "
                       "the local path")
