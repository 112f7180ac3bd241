"""gluon.ParameterDict (MXNet 1.9): parameters by full name under a prefix,
with sharing, bulk initialization and .params save/load."""
from collections import OrderedDict

import numpy as np

from ..ndarray import NDArray
from . import _initializer
from .parameter import Constant, Parameter, _brief, _load, _save

__all__ = ["ParameterDict"]


def _indent(text, spaces):
    return text.replace("\n", "\n" + " " * spaces)


class ParameterDict:
    """Parameters by full name, all sharing `prefix`; `shared` supplies
    existing parameters that get() returns instead of making new ones."""

    def __init__(self, prefix="", shared=None):
        self._prefix = prefix
        self._params = OrderedDict()
        self._shared = shared

    def __repr__(self):
        name = f"{self._prefix} " if self._prefix else ""
        body = "\n".join(_indent(f"  {v}", 2) for v in self.values())
        return f"{name}(\n{body}\n)"

    def __getitem__(self, key):
        return self._params[key]

    def __iter__(self):
        return iter(self._params)

    def __len__(self):
        return len(self._params)

    def __contains__(self, key):
        return key in self._params

    def items(self):
        return self._params.items()

    def keys(self):
        return self._params.keys()

    def values(self):
        return self._params.values()

    @property
    def prefix(self):
        return self._prefix

    def _get_impl(self, name):
        if name in self._params:
            return self._params[name]
        if self._shared is not None and name in self._shared._params:
            self._params[name] = self._shared._params[name]
            return self._params[name]
        return None

    def get(self, name, **kwargs):
        """The parameter prefix+name, created with kwargs when missing; when it
        exists, kwargs must agree with it (unknown shape extents are filled)."""
        name = self.prefix + name
        param = self._get_impl(name)
        if param is None:
            param = Parameter(name, **kwargs)
            self._params[name] = param
            return param
        for k, v in kwargs.items():
            existing = getattr(param, k, None)
            if existing is None:
                setattr(param, k, v)
                continue
            if k == "shape" and v is not None:
                v = (v,) if isinstance(v, int) else tuple(v)
                if len(v) == len(existing):
                    inferred, matched = [], True
                    for d1, d2 in zip(v, existing):
                        if d1 != d2 and d1 > 0 and d2 > 0:
                            matched = False
                            break
                        inferred.append(d2 if d1 in (0, -1) else d1)
                    if matched:
                        param._shape = tuple(inferred)
                        continue
            elif k == "dtype" and v is not None and np.dtype(v) == np.dtype(existing):
                continue
            if v is not None and v != existing:
                raise AssertionError(
                    f"Cannot retrieve Parameter '{name}' because desired attribute does not "
                    f"match with stored for attribute '{k}': desired '{v}' vs stored "
                    f"'{existing}'.")
        return param

    def get_constant(self, name, value=None):
        """The Constant prefix+name, created from value when missing."""
        name = self.prefix + name
        param = self._get_impl(name)
        if param is None:
            if value is None:
                raise KeyError(f"No constant named '{name}'. Please specify value if you want "
                               "to create a new constant.")
            param = Constant(name, value)
            self._params[name] = param
        elif value is not None:
            if not isinstance(param, Constant):
                raise AssertionError(f"Parameter '{name}' already exists but it is not a "
                                     "constant.")
            if isinstance(value, NDArray):
                value = value.asnumpy()
            if param.shape != np.shape(value) or not np.array_equal(
                    param.value.asnumpy(), np.asarray(value)):
                raise AssertionError(f"Constant '{name}' already exists but it's value doesn't "
                                     "match new value")
        return param

    def update(self, other):
        """Add the parameters of another ParameterDict (or dict)."""
        for k, v in other.items():
            if k in self._params:
                if self._params[k] is not v:
                    raise ValueError(f"Cannot update self with other because they have different "
                                     f"Parameters with the same name '{k}'")
            else:
                self._params[k] = v

    def initialize(self, init=None, ctx=None, verbose=False, force_reinit=False):
        """Initialize every parameter; `init` is the default for parameters
        without their own initializer."""
        if init is None:
            init = _initializer.default_init()
        if verbose and hasattr(init, "set_verbosity"):
            init.set_verbosity(verbose=verbose)
        for v in self.values():
            v.initialize(None, ctx, init, force_reinit=force_reinit)

    def zero_grad(self):
        for v in self.values():
            v.zero_grad()

    def reset_ctx(self, ctx):
        for v in self.values():
            v.reset_ctx(ctx)

    def list_ctx(self):
        ret = []
        for v in self.values():
            ret.extend(c for c in v.list_ctx() if c not in ret)
        return ret

    def setattr(self, name, value):
        """Set an attribute (grad_req, lr_mult, wd_mult, ...) on every parameter."""
        for v in self.values():
            setattr(v, name, value)

    def save(self, filename, strip_prefix=""):
        """Save the values to a .params file, keys without strip_prefix."""
        arg_dict = {}
        for param in self.values():
            if not param.name.startswith(strip_prefix):
                raise ValueError(
                    f"Prefix '{strip_prefix}' is to be striped before saving, but Parameter's "
                    f"name '{param.name}' does not start with '{strip_prefix}'. this may be due "
                    "to your Block shares parameters from other Blocks or you forgot to use "
                    "'with name_scope()' when creating child blocks. For more info on naming, "
                    "please see https://mxnet.apache.org/api/python/docs/tutorials/packages/"
                    "gluon/blocks/naming.html")
            arg_dict[param.name[len(strip_prefix):]] = param._reduce()
        _save(filename, arg_dict)

    def load(self, filename, ctx=None, allow_missing=False, ignore_extra=False,
             restore_prefix="", cast_dtype=False, dtype_source="current"):
        """Load values saved by save() (or an export's arg:/aux: file)."""
        if restore_prefix:
            for name in self.keys():
                if not name.startswith(restore_prefix):
                    raise ValueError(f"restore_prefix is '{restore_prefix}' but Parameters name "
                                     f"'{name}' does not start with '{restore_prefix}'")
        loaded = _load(filename)
        if not isinstance(loaded, dict):
            raise ValueError(f"'{filename}' holds a list of arrays, not named parameters")
        arg_dict = {}
        for k, v in loaded.items():
            if k.startswith("arg:") or k.startswith("aux:"):
                k = k[4:]
            arg_dict[restore_prefix + k] = v
        if not allow_missing:
            for name in self.keys():
                if name not in arg_dict:
                    raise AssertionError(
                        f"Parameter '{name[len(restore_prefix):]}' is missing in file "
                        f"'{filename}', which contains parameters: {_brief(arg_dict)}. Please "
                        "make sure source and target networks have the same prefix.")
        for name, value in arg_dict.items():
            if name not in self._params:
                if not ignore_extra:
                    raise AssertionError(
                        f"Parameter '{name[len(restore_prefix):]}' loaded from file "
                        f"'{filename}' is not present in ParameterDict, choices are: "
                        f"{_brief(self.keys())}. Set ignore_extra to True to ignore. Please "
                        "make sure source and target networks have the same prefix.")
                continue
            self[name]._load_init(value, ctx, cast_dtype=cast_dtype, dtype_source=dtype_source)
