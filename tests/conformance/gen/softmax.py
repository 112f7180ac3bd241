"""softmax / log_softmax / softmin (axis, temperature, lengths),
SoftmaxOutput's forward and softmax_cross_entropy."""
import numpy as np

from .common import Family

F64 = np.float64
TOL = {"rtol": 1e-5, "atol": 1e-6}


def _softmax(x, axis, t=1.0):
    z = x / t
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def families():
    f = Family("softmax")
    x = f.uniform((2, 3, 4), -3, 3)
    xd = x.astype(F64)
    for axis in (-1, 0, 1):
        f.ok(f"softmax/axis{axis}", "softmax", [x], {"axis": str(axis)},
             _softmax(xd, axis).astype(np.float32), **TOL)
        f.ok(f"log_softmax/axis{axis}", "log_softmax", [x], {"axis": str(axis)},
             np.log(_softmax(xd, axis)).astype(np.float32), **TOL)
        f.ok(f"softmin/axis{axis}", "softmin", [x], {"axis": str(axis)},
             _softmax(-xd, axis).astype(np.float32), **TOL)
    f.ok("softmax/temperature", "softmax", [x], {"temperature": "2.5"}, _softmax(xd, -1, 2.5).astype(np.float32),
         **TOL)
    f.ok("log_softmax/temperature", "log_softmax", [x], {"temperature": "0.5"},
         np.log(_softmax(xd, -1, 0.5)).astype(np.float32), **TOL)
    big = np.array([[1000.0, 0.0, -1000.0]], dtype=np.float32)
    f.ok("softmax/large-logits", "softmax", [big], {}, _softmax(big.astype(F64), -1).astype(np.float32), **TOL)
    f.ok("log_softmax/large-logits", "log_softmax", [big], {},
         (big - 1000.0).astype(np.float32), **TOL)
    f.ok("softmax/float64", "softmax", [xd], {"axis": "1"}, _softmax(xd, 1), rtol=1e-12, atol=1e-14)
    f.ok("softmax/dtype-float64", "softmax", [x], {"dtype": "float64"}, _softmax(xd, -1), rtol=1e-6, atol=1e-7)
    m = f.uniform((3, 5), -2, 2)
    lens = np.array([2, 5, 1], dtype=np.int32)
    want = np.zeros((3, 5))
    for i, n in enumerate(lens):
        want[i, :n] = _softmax(m[i, :n].astype(F64), -1)
    f.ok("softmax/use_length", "softmax", [m, lens], {"use_length": "True"}, want.astype(np.float32), **TOL)
    f.error("softmax/axis-out-of-range", "softmax", [x], {"axis": "3"}, "INDEX")

    logits = f.uniform((4, 5), -2, 2)
    label = np.array([0, 3, 4, 1], dtype=np.float32)
    f.ok("SoftmaxOutput/forward", "SoftmaxOutput", [logits, label], {},
         _softmax(logits.astype(F64), -1).astype(np.float32), **TOL)
    l3 = f.uniform((2, 3, 4), -2, 2)
    f.ok("SoftmaxOutput/multi-output", "SoftmaxOutput", [l3, np.zeros((2, 4), np.float32)],
         {"multi_output": "True"}, _softmax(l3.astype(F64), 1).astype(np.float32), **TOL)
    p = _softmax(logits.astype(F64), -1)
    ce = -np.log(p[np.arange(4), label.astype(int)]).sum()
    f.ok("softmax_cross_entropy/sum", "softmax_cross_entropy", [logits, label], {},
         np.array([ce], dtype=np.float32), rtol=1e-5, atol=1e-5)
    f.error("softmax_cross_entropy/label-shape", "softmax_cross_entropy", [logits, label[:3]], {}, "VALUE")
    return [f]
