"""Error handling shared by every op: unknown ops and parameters, attribute
text that does not parse, wrong input counts, axes out of range, dtypes."""
import numpy as np

from .common import Family


def families():
    f = Family("errors")
    x = f.uniform((2, 3))
    i = f.ints((2, 3), 0, 3)
    f.error("unknown-op", "no_such_operator", [x], {}, "KEY")
    f.error("unknown-op-case", "fullyconnected", [x], {}, "KEY")
    f.error("unknown-param/relu", "relu", [x], {"alpha": "1"}, "KEY")
    f.error("unknown-param/Convolution", "Convolution", [f.uniform((1, 1, 3, 3)), f.uniform((1, 1, 1, 1))],
            {"kernel": "(1, 1)", "num_filter": "1", "no_bias": "True", "filters": "2"}, "KEY")
    f.error("bad-int/FullyConnected", "FullyConnected", [x, f.uniform((2, 3))],
            {"num_hidden": "two", "no_bias": "True"}, "VALUE")
    f.error("bad-bool/transpose_a", "dot", [x, x], {"transpose_a": "yes please"}, "VALUE")
    f.error("bad-shape/Reshape", "Reshape", [x], {"shape": "(2, 3"}, "VALUE")
    f.error("bad-enum/Pooling", "Pooling", [f.uniform((1, 1, 2, 2))], {"kernel": "(1, 1)", "pool_type": "median"},
            "VALUE")
    f.error("bad-float/clip", "clip", [x], {"a_min": "low", "a_max": "1"}, "VALUE")
    f.error("missing-required/clip", "clip", [x], {"a_min": "0"}, "VALUE")
    f.error("too-many-inputs/relu", "relu", [x, x], {}, "VALUE")
    f.error("too-few-inputs/dot", "dot", [x], {}, "VALUE")
    f.error("no-inputs/exp", "exp", [], {}, "VALUE")
    f.error("axis/sum", "sum", [x], {"axis": "(0, 7)"}, "INDEX")
    f.error("axis/expand_dims-negative", "expand_dims", [x], {"axis": "-4"}, "INDEX")
    f.error("axis/Concat", "Concat", [x, x], {"dim": "2", "num_args": "2"}, "INDEX")
    f.error("axis/softmax", "log_softmax", [x], {"axis": "-3"}, "INDEX")
    f.error("axis/transpose", "transpose", [x], {"axes": "(0, 2)"}, "INDEX")
    f.error("dtype/elemwise_add-int-float", "elemwise_add", [x, i], {}, "TYPE")
    f.error("dtype/Convolution-int", "Convolution", [f.ints((1, 1, 3, 3), 0, 3), f.ints((1, 1, 1, 1), 0, 3)],
            {"kernel": "(1, 1)", "num_filter": "1", "no_bias": "True"}, "TYPE")
    f.error("dtype/Cast-unknown", "Cast", [x], {"dtype": "complex64"}, "VALUE")
    f.error("dtype/one_hot-bad", "one_hot", [x], {"depth": "3", "dtype": "str"}, "VALUE")
    return [f]
