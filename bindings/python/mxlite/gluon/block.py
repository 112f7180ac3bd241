"""gluon.Block and HybridBlock (MXNet 1.9 semantics: name scopes and
prefixes, parameter registration, hooks, save/load_parameters, hybridize
through a traced Symbol)."""
import re
import threading
import warnings
from collections import OrderedDict, defaultdict

from .. import name as _name
from .. import ndarray, symbol
from ..ndarray import NDArray
from ..symbol import Symbol
from . import _graph
from ._graph import flatten as _flatten, regroup as _regroup, tracing as _tracing
from .parameter import DeferredInitializationError, Parameter, _load, _save
from .parameter_dict import ParameterDict

__all__ = ["Block", "HybridBlock"]


class _BlockScope:
    """The name scope of a Block: children created inside `with
    block.name_scope():` get `<block prefix><hint><n>_` prefixes."""

    _current = threading.local()

    def __init__(self, block):
        self._block = block
        self._counter = {}
        self._old_scope = None
        self._name_scope = None

    @staticmethod
    def create(prefix, params, hint):
        """(prefix, ParameterDict) for a new Block with alias `hint`."""
        current = getattr(_BlockScope._current, "value", None)
        if current is None:
            if prefix is None:
                prefix = _name.current().get(None, hint) + "_"
            params = ParameterDict(prefix) if params is None else \
                ParameterDict(params.prefix, params)
            return prefix, params
        if prefix is None:
            count = current._counter.get(hint, 0)
            prefix = f"{hint}{count}_"
            current._counter[hint] = count + 1
        if params is None:
            parent = current._block.params
            params = ParameterDict(parent.prefix + prefix, parent._shared)
        else:
            params = ParameterDict(params.prefix, params)
        return current._block.prefix + prefix, params

    def __enter__(self):
        if self._block._empty_prefix:
            return self
        self._old_scope = getattr(_BlockScope._current, "value", None)
        _BlockScope._current.value = self
        self._name_scope = _name.Prefix(self._block.prefix)
        self._name_scope.__enter__()
        return self

    def __exit__(self, ptype, value, trace):
        if self._block._empty_prefix:
            return
        self._name_scope.__exit__(ptype, value, trace)
        self._name_scope = None
        _BlockScope._current.value = self._old_scope


class HookHandle:
    """Returned by register_forward_(pre_)hook; detach() removes the hook."""

    def __init__(self, hooks, hook_id):
        self._hooks = hooks
        self._id = hook_id

    def detach(self):
        if self._hooks is not None:
            self._hooks.pop(self._id, None)
            self._hooks = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.detach()


def _indent(text, spaces):
    return text.replace("\n", "\n" + " " * spaces)


class Block:
    """Base class of all layers and models.  Children assigned as attributes
    are registered; parameters come from `self.params.get(...)`."""

    def __init__(self, prefix=None, params=None):
        self._empty_prefix = prefix == ""
        self._prefix, self._params = _BlockScope.create(prefix, params, self._alias())
        self._name = self._prefix[:-1] if self._prefix.endswith("_") else self._prefix
        self._scope = _BlockScope(self)
        self._children = OrderedDict()
        self._reg_params = {}
        self._forward_hooks = OrderedDict()
        self._forward_pre_hooks = OrderedDict()
        self._hook_counter = 0

    def __repr__(self):
        modstr = "\n".join(f"  ({key}): {_indent(repr(block), 2)}"
                           for key, block in self.__dict__.items() if isinstance(block, Block))
        return f"{self.__class__.__name__}(\n{modstr}\n)"

    def __setattr__(self, name, value):
        """Registers Blocks and Parameters assigned as attributes."""
        if hasattr(self, name):
            existing = getattr(self, name)
            if isinstance(existing, (Parameter, Block)) and not isinstance(value, type(existing)):
                raise TypeError(f"Changing attribute type for {name} from {type(existing)} to "
                                f"{type(value)} is not allowed.")
        if isinstance(value, Block):
            self.register_child(value, name)
        elif isinstance(value, Parameter):
            if name in self._reg_params:
                raise AssertionError(f"Overriding Parameter attribute {name} is not allowed. If "
                                     "you want to share parameters between blocks, please set "
                                     "'params' at Block construction instead.")
            self._reg_params[name] = value
        super().__setattr__(name, value)

    def _check_container_with_block(self):
        children = set(self._children.values())

        def _find(data):
            if isinstance(data, (list, tuple)):
                return any(_find(x) for x in data)
            if isinstance(data, dict):
                return any(_find(x) for x in data.values())
            return isinstance(data, Block) and data not in children

        for k, v in self.__dict__.items():
            if isinstance(v, (list, tuple, dict)) and not (k.startswith("__") or k == "_children"):
                if _find(v):
                    warnings.warn(f"\"{self.name}.{k}\" is an unregistered container with Blocks. "
                                  "Note that Blocks inside the list, tuple or dict will not be "
                                  "registered automatically. Make sure to register them using "
                                  "register_child() or switching to nn.Sequential/"
                                  "nn.HybridSequential instead. ", stacklevel=3)

    def _alias(self):
        return self.__class__.__name__.lower()

    @property
    def prefix(self):
        """Prefix of this block's names (parameters and child blocks)."""
        return self._prefix

    @property
    def name(self):
        return self._name

    def name_scope(self):
        """`with self.name_scope():` while creating children, so their names
        start with this block's prefix."""
        return self._scope

    @property
    def params(self):
        """This block's own ParameterDict (children's parameters not included)."""
        return self._params

    def collect_params(self, select=None):
        """A ParameterDict of this block's and its descendants' parameters;
        `select` is a regex the names must match (re.match), e.g.
        '.*weight|.*bias'."""
        self._check_container_with_block()
        ret = ParameterDict(self._params.prefix)
        if not select:
            ret.update(self.params)
        else:
            pattern = re.compile(select)
            ret.update({k: v for k, v in self.params.items() if pattern.match(k)})
        for cld in self._children.values():
            ret.update(cld.collect_params(select=select))
        return ret

    def _collect_params_with_prefix(self, prefix=""):
        if prefix:
            prefix += "."
        ret = {prefix + key: val for key, val in self._reg_params.items()}
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    def save_parameters(self, filename, deduplicate=False):
        """Save parameters under structural names ('features.0.weight')."""
        params = self._collect_params_with_prefix()
        if deduplicate:
            reverse = {v: k for k, v in params.items()}
            params = {v: k for k, v in reverse.items()}
        _save(filename, {key: val._reduce() for key, val in params.items()})

    def load_parameters(self, filename, ctx=None, allow_missing=False, ignore_extra=False,
                        cast_dtype=False, dtype_source="current"):
        """Load parameters saved by save_parameters (or, for files with prefixed
        names, by collect_params().save / export)."""
        loaded = _load(filename)
        if not isinstance(loaded, dict):
            raise ValueError(f"'{filename}' holds a list of arrays, not named parameters")
        params = self._collect_params_with_prefix()
        if not loaded and not params:
            return
        if not any("." in i for i in loaded.keys()):
            # legacy files: names with the block's prefix (save_params, export)
            del loaded
            self.collect_params().load(filename, ctx, allow_missing, ignore_extra, self.prefix,
                                       cast_dtype=cast_dtype, dtype_source=dtype_source)
            return
        if not allow_missing:
            inverse = defaultdict(list)
            for k, v in params.items():
                inverse[v].append(k)
            for name, param in params.items():
                if not any(p in loaded for p in inverse[param]):
                    raise AssertionError(
                        f"Parameter '{name}' is missing in file '{filename}', which contains "
                        f"parameters: {_brief(loaded.keys())}. Set allow_missing=True to ignore "
                        "missing parameters.")
        for name in loaded:
            if not ignore_extra and name not in params:
                raise ValueError(
                    f"Parameter '{name}' loaded from file '{filename}' is not present in "
                    f"ParameterDict, which contains parameters {_brief(params.keys())}. Set "
                    "ignore_extra=True to ignore. ")
            if name in params:
                params[name]._load_init(loaded[name], ctx, cast_dtype=cast_dtype,
                                        dtype_source=dtype_source)

    def save_params(self, filename):
        """Deprecated (MXNet): saves with prefixed names; use save_parameters."""
        warnings.warn("save_params is deprecated. Please use save_parameters. Note that if you "
                      "want load from SymbolBlock later, please use export instead.",
                      stacklevel=2)
        self.collect_params().save(filename, strip_prefix=self.prefix)

    def load_params(self, filename, ctx=None, allow_missing=False, ignore_extra=False):
        """Deprecated (MXNet): use load_parameters."""
        warnings.warn("load_params is deprecated. Please use load_parameters.", stacklevel=2)
        self.load_parameters(filename, ctx, allow_missing, ignore_extra)

    def register_child(self, block, name=None):
        """Register a child block (its parameters join collect_params)."""
        if name is None:
            name = str(len(self._children))
        self._children[name] = block

    def _add_hook(self, hooks, hook):
        self._hook_counter += 1
        hooks[self._hook_counter] = hook
        return HookHandle(hooks, self._hook_counter)

    def register_forward_pre_hook(self, hook):
        """hook(block, inputs) runs before forward."""
        return self._add_hook(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook):
        """hook(block, inputs, outputs) runs after forward."""
        return self._add_hook(self._forward_hooks, hook)

    def apply(self, fn):
        """fn(block) on every descendant, then on this block."""
        for cld in self._children.values():
            cld.apply(fn)
        fn(self)
        return self

    def initialize(self, init=None, ctx=None, verbose=False, force_reinit=False):
        """Initialize this block's and its children's parameters."""
        self.collect_params().initialize(init, ctx, verbose, force_reinit)

    def hybridize(self, active=True, **kwargs):
        """Hybridize the HybridBlocks among the children (plain Blocks run
        imperatively)."""
        for cld in self._children.values():
            cld.hybridize(active, **kwargs)

    def cast(self, dtype):
        """Cast this block's and its children's parameters to dtype."""
        for child in self._children.values():
            child.cast(dtype)
        for _, param in self.params.items():
            param.cast(dtype)

    def __call__(self, *args):
        if self._forward_pre_hooks:
            for hook in list(self._forward_pre_hooks.values()):
                hook(self, args)
        out = self.forward(*args)
        if self._forward_hooks:
            for hook in list(self._forward_hooks.values()):
                hook(self, args, out)
        return out

    def forward(self, *args):
        """Override to define the computation."""
        raise NotImplementedError

    def summary(self, *inputs):
        """Print each layer's output shape and parameter count for one forward
        of `inputs` (the block must not be hybridized)."""
        from ._summary import print_summary
        print_summary(self, inputs)


def _all_arrays(args):
    for a in args:
        if not isinstance(a, NDArray):
            return False
    return True


def _brief(names, limit=5):
    names = list(names)
    if len(names) > limit:
        names = names[:limit // 2] + ["..."] + names[-limit // 2:]
    return ", ".join(f"'{n}'" for n in names)


class HybridBlock(Block):
    """A Block that can also run as a compiled graph.

    Define either `hybrid_forward(self, F, x, *args, **params)` (F is mx.nd
    when called on NDArrays and mx.sym while tracing; params are this block's
    registered parameters as arrays or variables) or a plain `forward(self,
    x, ...)` that uses child blocks, `param.data()` and methods of its inputs.
    After `hybridize()`, the first call traces the computation to a Symbol and
    later calls run it as one cached graph."""

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._cached_graph = ()
        self._cached_op = None
        self._cached_op_args = None
        self._out_format = None
        self._in_format = None
        self._active = False
        self._flags = []

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if isinstance(value, HybridBlock):
            self._clear_cached_op()

    def _plain_forward(self):
        """True for blocks that define forward() instead of hybrid_forward()
        (cached per class: it is asked on every call)."""
        cls = type(self)
        plain = cls.__dict__.get("_plain_cache")
        if plain is None:
            plain = cls.forward is not HybridBlock.forward and \
                cls.hybrid_forward is HybridBlock.hybrid_forward
            cls._plain_cache = plain
        return plain

    def register_child(self, block, name=None):
        if not isinstance(block, HybridBlock):
            raise ValueError(f"Children of HybridBlock must also be HybridBlock, but {block} has "
                             f"type {type(block)}. If you are using Sequential, please try "
                             "HybridSequential instead.")
        super().register_child(block, name)
        self._clear_cached_op()

    def hybridize(self, active=True, backend=None, clear=True, static_alloc=False,
                  static_shape=False, inline_limit=2, forward_bulk_size=None,
                  backward_bulk_size=None, **kwargs):
        """Run this block as a cached graph from the next call on
        (static_alloc / static_shape are passed to CachedOp).  backend:
        subgraph backends are not available (None only)."""
        if backend is not None:
            raise NotImplementedError(f"hybridize: backend {backend!r} is not available; "
                                      "mxlite has no subgraph backends (use backend=None)")
        self._active = active
        self._flags = [("static_alloc", static_alloc), ("static_shape", static_shape),
                       ("inline_limit", inline_limit)]
        if forward_bulk_size is not None:
            self._flags.append(("forward_bulk_size", forward_bulk_size))
        if backward_bulk_size is not None:
            self._flags.append(("backward_bulk_size", backward_bulk_size))
        self._clear_cached_op()
        if active and (self._forward_hooks or self._forward_pre_hooks):
            warnings.warn(f"\"{self}\" is being hybridized while still having forward hook/"
                          f"pre-hook. If \"{self}\" is a child of HybridBlock, the hooks will not "
                          "take effect.", stacklevel=2)
        super().hybridize(active, static_alloc=static_alloc, static_shape=static_shape,
                          inline_limit=inline_limit, forward_bulk_size=forward_bulk_size,
                          backward_bulk_size=backward_bulk_size, **kwargs)

    def optimize_for(self, x, *args, backend=None, clear=False, static_alloc=False,
                     static_shape=False, inline_limit=2, forward_bulk_size=None,
                     backward_bulk_size=None, **kwargs):
        """Hybridize and run once on the given inputs (builds the cached graph)."""
        self.hybridize(True, backend=backend, static_alloc=static_alloc,
                       static_shape=static_shape, inline_limit=inline_limit,
                       forward_bulk_size=forward_bulk_size,
                       backward_bulk_size=backward_bulk_size, **kwargs)
        self(x, *args)

    def cast(self, dtype):
        self._clear_cached_op()
        super().cast(dtype)

    def _clear_cached_op(self):
        self._cached_graph = ()
        self._cached_op = None

    # -- tracing ------------------------------------------------------------

    def _trace(self, *grouped_inputs):
        """The block's output Symbol(s) for Symbol inputs."""
        if self._plain_forward():
            with _graph.trace_scope(), self.name_scope():
                return self.forward(*grouped_inputs)
        params = {i: j.var() for i, j in self._reg_params.items()}
        with self.name_scope():
            return self.hybrid_forward(symbol, *grouped_inputs, **params)

    def _get_graph(self, *args):
        if not self._cached_graph:
            flat, self._in_format = _flatten(args, "input")
            real = sum(a is not None for a in flat)
            if real == 0:
                raise ValueError("There must at least one argument (non-None) to the "
                                 "HybridBlock")
            inputs, grouped, cnt = [], [], 0
            for a in flat:
                if a is None:
                    grouped.append(None)
                    continue
                v = symbol.var(f"data{cnt}" if real > 1 else "data")
                cnt += 1
                inputs.append(v)
                grouped.append(v)
            grouped_inputs = _regroup(grouped, self._in_format)[0]
            if not isinstance(self._in_format, list):
                grouped_inputs = [grouped_inputs]
            out = self._trace(*grouped_inputs)
            out, self._out_format = _flatten(out, "output")
            self._cached_graph = inputs, symbol.Group(out) if len(out) > 1 else out[0]
        return self._cached_graph

    def _infer_attrs(self, infer_fn, attr, *args):
        inputs, out = self._get_graph(*args)
        flat = [a for a in _flatten(args, "input")[0] if a is not None]
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            arg_attrs, _, aux_attrs = getattr(out, infer_fn)(
                **{i.name: getattr(j, attr) for i, j in zip(inputs, flat)})
            if arg_attrs is None:
                raise ValueError(str(w[0].message) if w else f"{infer_fn} failed")
        sdict = dict(zip(out.list_arguments(), arg_attrs))
        sdict.update(zip(out.list_auxiliary_states(), aux_attrs))
        for i in self.collect_params().values():
            if i.name in sdict:
                setattr(i, attr, sdict[i.name])

    def infer_shape(self, *args):
        """Fill the unknown parameter shapes from the input shapes."""
        self._infer_attrs("infer_shape", "shape", *args)

    def infer_type(self, *args):
        """Fill the parameter dtypes from the input dtypes."""
        self._infer_attrs("infer_type", "dtype", *args)

    def _deferred_infer_shape(self, *args):
        try:
            self.infer_shape(*args)
        except Exception as e:
            raise ValueError("Deferred initialization failed because shape cannot be inferred. "
                             f"{e}") from e

    def _finish_deferred(self, *args):
        self._deferred_infer_shape(*args)
        for p in self.collect_params().values():
            p._finish_deferred_init()

    # -- the cached graph ---------------------------------------------------

    def _build_cache(self, *args):
        data, out = self._get_graph(*args)
        data_names = {d.name: i for i, d in enumerate(data)}
        params = self.collect_params()
        input_names = out.list_inputs()
        expected = set(input_names)
        for name in expected:
            if name not in params and name not in data_names:
                raise AssertionError(f"Unknown input to HybridBlock: {name}")
        unused = [f"{i}-th" for name, i in data_names.items() if name not in expected]
        if unused:
            warnings.warn(f"The {', '.join(unused)} input to HybridBlock is not used by any "
                          "computation. Is this intended?", stacklevel=4)
        unused = [n for n in params.keys() if n not in expected]
        if unused:
            warnings.warn(f"Parameter {', '.join(unused)} is not used by any computation. Is "
                          "this intended?", stacklevel=4)
        data_indices, param_indices = [], []
        self._cached_op_args = []
        for i, name in enumerate(input_names):
            if name in data_names:
                data_indices.append(i)
                self._cached_op_args.append((True, data_names[name]))
            else:
                param_indices.append(i)
                self._cached_op_args.append((False, params[name]))
        flags = [("data_indices", data_indices), ("param_indices", param_indices)] + self._flags
        self._cached_op = _graph.make_cached_op(out, flags)

    def _call_cached_op(self, *args):
        if self._cached_op is None:
            self._build_cache(*args)
        if _all_arrays(args) and self._in_format == [0] * len(args):
            flat = args  # the common case: plain NDArray arguments
        else:
            flat, fmt = _flatten(args, "input")
            if fmt != self._in_format:
                raise ValueError("Invalid input format")
            flat = [a for a in flat if a is not None]
        try:
            cargs = [flat[i] if is_arg else i._fast_data() for is_arg, i in self._cached_op_args]
        except DeferredInitializationError:
            self._finish_deferred(*args)
            cargs = [flat[i] if is_arg else i._fast_data() for is_arg, i in self._cached_op_args]
        out = self._cached_op(*cargs)
        if isinstance(out, NDArray):
            out = [out]
        return _regroup(out, self._out_format)[0]

    # -- calling ------------------------------------------------------------

    def __call__(self, *args):
        if not self._plain_forward():
            if self._forward_pre_hooks or self._forward_hooks:
                return super().__call__(*args)
            return self.forward(*args)
        # plain forward(): the dispatch MXNet's HybridBlock.forward does for hybrid_forward
        for hook in list(self._forward_pre_hooks.values()):
            hook(self, args)
        flat = _flatten(list(args), "input")[0]
        if any(isinstance(a, Symbol) for a in flat) or _tracing():
            out = self.forward(*args)
        elif self._active:
            out = self._call_cached_op(*args)
        else:
            try:
                out = self.forward(*args)
            except DeferredInitializationError:
                self._finish_deferred(*args)
                out = self.forward(*args)
        for hook in list(self._forward_hooks.values()):
            hook(self, args, out)
        return out

    def forward(self, x, *args):
        """Runs hybrid_forward with F = mx.nd on NDArrays (through the cached
        graph once hybridized) and F = mx.sym on Symbols."""
        if isinstance(x, NDArray) and (not args or _all_arrays(args)):
            nd_inputs = True  # the common case, decided without flattening
        else:
            flat = _flatten([x] + list(args), "input")[0]
            nd_inputs = any(isinstance(a, NDArray) for a in flat)
            if nd_inputs and any(isinstance(a, Symbol) for a in flat):
                raise ValueError("In HybridBlock, we do not support mixed NDArrays and Symbols "
                                 "types for the input.")
        if nd_inputs:
            if self._active:
                return self._call_cached_op(x, *args)
            try:
                params = {k: v._fast_data() for k, v in self._reg_params.items()}
            except DeferredInitializationError:
                self._finish_deferred(x, *args)
                params = {k: v._fast_data() for k, v in self._reg_params.items()}
            return self.hybrid_forward(ndarray, x, *args, **params)
        if not any(isinstance(a, Symbol) for a in flat):
            raise ValueError(f"HybridBlock requires the first argument to forward be either "
                             f"Symbol or NDArray, but got {type(x)}")
        params = {i: j.var() for i, j in self._reg_params.items()}
        with self.name_scope():
            return self.hybrid_forward(symbol, x, *args, **params)

    def hybrid_forward(self, F, x, *args, **kwargs):
        """Override to define the computation with F (mx.nd or mx.sym)."""
        raise NotImplementedError

    def export(self, path, epoch=0, remove_amp_cast=True):
        """Write `path-symbol.json` and `path-%04d.params` (arg:/aux: keys) for
        SymbolBlock.imports or Module-style loading; the block must have run
        once (hybridized or not) so its graph is known."""
        if not self._cached_graph:
            raise RuntimeError("Please first call block.hybridize() and then run forward with "
                               "this block at least once before calling export.")
        sym = self._cached_graph[1]
        sym_filename = f"{path}-symbol.json"
        sym.save(sym_filename, remove_amp_cast=remove_amp_cast)
        arg_names = set(sym.list_arguments())
        aux_names = set(sym.list_auxiliary_states())
        arg_dict = {}
        for name, param in self.collect_params().items():
            if name in arg_names:
                arg_dict[f"arg:{name}"] = param._reduce()
            elif name in aux_names:
                arg_dict[f"aux:{name}"] = param._reduce()
            else:
                warnings.warn(f"Parameter {name} is not used by the exported graph; it is not "
                              "saved.", stacklevel=2)
        params_filename = "%s-%04d.params" % (path, epoch)
        _save(params_filename, arg_dict)
        return sym_filename, params_filename
