"""mx.nd.random: sampling ops with MXNet 1.9 signatures."""
from ..context import check_cpu
from . import _internal
from ._invoke import attr_str

__all__ = ["uniform", "normal", "randint"]


def _shape(shape):
    if shape is None:
        return ()
    if isinstance(shape, int):
        return (shape,)
    return tuple(shape)


def uniform(low=0, high=1, shape=(1,), dtype=None, ctx=None, out=None, **kwargs):
    """Samples from U[low, high)."""
    check_cpu(ctx, "random.uniform")
    kw = {} if dtype is None else {"dtype": attr_str(dtype)}
    return _internal._random_uniform(low=float(low), high=float(high), shape=_shape(shape),
                                     out=out, **kw, **kwargs)


def normal(loc=0, scale=1, shape=(1,), dtype=None, ctx=None, out=None, **kwargs):
    """Samples from N(loc, scale**2)."""
    check_cpu(ctx, "random.normal")
    kw = {} if dtype is None else {"dtype": attr_str(dtype)}
    return _internal._random_normal(loc=float(loc), scale=float(scale), shape=_shape(shape),
                                    out=out, **kw, **kwargs)


def randint(low, high, shape=(1,), dtype=None, ctx=None, out=None, **kwargs):
    """Integers uniformly from [low, high)."""
    check_cpu(ctx, "random.randint")
    kw = {} if dtype is None else {"dtype": attr_str(dtype)}
    return _internal._random_randint(low=int(low), high=int(high), shape=_shape(shape), out=out,
                                     **kw, **kwargs)
