"""mx.registry: named registries for optimizers, initializers and metrics.

Each base class gets one registry (lower-cased name -> class).  `create`
accepts what MXNet 1.9's factories accept: an instance (returned as is), a
registered name with constructor arguments, a dict of constructor arguments
holding the name under the nickname, or the JSON that `dumps()` writes
('["name", {kwargs}]' or '{"nickname": "name", ...}').
"""
import json
import warnings

__all__ = ["get_register_func", "get_alias_func", "get_create_func", "get_registry"]

_REGISTRY = {}


def get_registry(base_class):
    """A copy of the registry of `base_class` (name -> class)."""
    return dict(_REGISTRY.setdefault(base_class, {}))


def get_register_func(base_class, nickname):
    """A decorator that registers subclasses of `base_class` under their lower-cased name."""
    registry = _REGISTRY.setdefault(base_class, {})

    def register(klass, name=None):
        if not (isinstance(klass, type) and issubclass(klass, base_class)):
            raise TypeError("Can only register subclass of %s, got %r" % (base_class.__name__,
                                                                          klass))
        name = (klass.__name__ if name is None else name).lower()
        if name in registry and registry[name] is not klass:
            warnings.warn("New %s %s.%s registered with name %s is overriding existing %s %s.%s"
                          % (nickname, klass.__module__, klass.__name__, name, nickname,
                             registry[name].__module__, registry[name].__name__), UserWarning,
                          stacklevel=2)
        registry[name] = klass
        return klass

    register.__doc__ = "Register %s to the %s factory" % (nickname, nickname)
    return register


def get_alias_func(base_class, nickname):
    """A decorator factory `alias(*names)` registering extra names for a class."""
    register = get_register_func(base_class, nickname)

    def alias(*aliases):
        def reg(klass):
            for name in aliases:
                register(klass, name)
            return klass
        return reg
    return alias


def get_create_func(base_class, nickname):
    """The factory `create(name_or_instance, *args, **kwargs)` of a registry."""
    registry = _REGISTRY.setdefault(base_class, {})

    def create(*args, **kwargs):
        if args:
            name, args = args[0], args[1:]
        else:
            if nickname not in kwargs:
                raise TypeError("create() needs the %s name as first argument or as %s=..."
                                % (nickname, nickname))
            name = kwargs.pop(nickname)
        if isinstance(name, base_class):
            if args or kwargs:
                raise ValueError("%s is already an instance. Additional arguments are invalid"
                                 % nickname)
            return name
        if isinstance(name, dict):
            return create(**name)
        if not isinstance(name, str):
            raise TypeError("%s must be of string type, got %r" % (nickname, type(name).__name__))
        if name.startswith("["):
            if args or kwargs:
                raise ValueError("a JSON %s description takes no further arguments" % nickname)
            name, kwargs = json.loads(name)
            return create(name, **kwargs)
        if name.startswith("{"):
            if args or kwargs:
                raise ValueError("a JSON %s description takes no further arguments" % nickname)
            return create(**json.loads(name))
        key = name.lower()
        if key not in registry:
            raise ValueError("%s is not registered. Please register with %s.register first "
                             "(known: %s)" % (name, nickname, ", ".join(sorted(registry))))
        return registry[key](*args, **kwargs)

    create.__doc__ = "Create a %s instance from its name, JSON description or instance" % nickname
    return create
