"""Creation ops (no inputs): _zeros, _ones, _full, _arange, _eye, _linspace."""
import numpy as np

from .common import Family


def families():
    f = Family("creation")
    f.ok("_zeros/2x3", "_zeros", [], {"shape": "(2, 3)"}, np.zeros((2, 3), np.float32))
    f.ok("_zeros/int32", "_zeros", [], {"shape": "(4,)", "dtype": "int32"}, np.zeros(4, np.int32))
    f.ok("_zeros/empty", "_zeros", [], {"shape": "(0, 2)"}, np.zeros((0, 2), np.float32))
    f.ok("_ones/3x1x2", "_ones", [], {"shape": "(3, 1, 2)"}, np.ones((3, 1, 2), np.float32))
    f.ok("_ones/float64", "_ones", [], {"shape": "(2,)", "dtype": "float64"}, np.ones(2))
    f.ok("_ones/uint8", "_ones", [], {"shape": "(2, 2)", "dtype": "uint8"}, np.ones((2, 2), np.uint8))
    f.ok("_full/value", "_full", [], {"shape": "(2, 2)", "value": "3.5"}, np.full((2, 2), 3.5, np.float32))
    f.ok("_full/int64", "_full", [], {"shape": "(3,)", "value": "-7", "dtype": "int64"},
         np.full(3, -7, np.int64))
    for attrs, want in (({"start": "0", "stop": "5"}, np.arange(0, 5)),
                        ({"start": "2", "stop": "11", "step": "3"}, np.arange(2, 11, 3)),
                        ({"start": "1", "stop": "-1", "step": "-0.5"}, np.arange(1, -1, -0.5)),
                        ({"start": "4"}, np.arange(4)),
                        ({"start": "0", "stop": "3", "repeat": "2"}, np.repeat(np.arange(3), 2))):
        name = ",".join(f"{k}={v}" for k, v in attrs.items())
        f.ok(f"_arange/{name}", "_arange", [], attrs, want.astype(np.float32))
    f.ok("_arange/int32", "_arange", [], {"start": "0", "stop": "4", "dtype": "int32"},
         np.arange(4, dtype=np.int32))
    f.ok("_eye/3", "_eye", [], {"N": "3"}, np.eye(3, dtype=np.float32))
    f.ok("_eye/3x4-k1", "_eye", [], {"N": "3", "M": "4", "k": "1"}, np.eye(3, 4, 1, dtype=np.float32))
    f.ok("_eye/4x2-k-1", "_eye", [], {"N": "4", "M": "2", "k": "-1"}, np.eye(4, 2, -1, dtype=np.float32))
    f.ok("_linspace/5", "_linspace", [], {"start": "0", "stop": "1", "num": "5"},
         np.linspace(0, 1, 5, dtype=np.float64).astype(np.float32))
    f.ok("_linspace/no-endpoint", "_linspace", [], {"start": "-1", "stop": "1", "num": "4", "endpoint": "False"},
         np.linspace(-1, 1, 4, endpoint=False).astype(np.float32))
    f.error("_zeros/negative-extent", "_zeros", [], {"shape": "(2, -3)"}, "VALUE")
    f.error("_ones/bad-dtype", "_ones", [], {"shape": "(2,)", "dtype": "float7"}, "VALUE")
    f.error("_arange/zero-step", "_arange", [], {"start": "0", "stop": "3", "step": "0"}, "VALUE")
    f.error("_full/missing-value", "_full", [], {"shape": "(2,)"}, "VALUE")
    f.error("_eye/missing-N", "_eye", [], {}, "VALUE")
    return [f]
