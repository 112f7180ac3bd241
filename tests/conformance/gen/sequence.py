"""SequenceMask, SequenceLast, SequenceReverse (time-major by default)."""
import numpy as np

from .common import Family


def _mask(x, lens, value, axis):
    out = x.copy()
    for b, n in enumerate(lens.astype(int)):
        if axis == 0:
            out[n:, b] = value
        else:
            out[b, n:] = value
    return out


def _last(x, lens, axis):
    if axis == 0:
        return np.stack([x[int(n) - 1, b] for b, n in enumerate(lens)])
    return np.stack([x[b, int(n) - 1] for b, n in enumerate(lens)])


def _reverse(x, lens):
    out = x.copy()
    for b, n in enumerate(lens.astype(int)):
        out[:n, b] = x[:n, b][::-1]
    return out


def families():
    f = Family("sequence")
    x = f.uniform((4, 3, 2))  # (time, batch, feature)
    lens = np.array([2, 4, 1], dtype=np.float32)
    f.ok("SequenceMask/no-lengths", "SequenceMask", [x], {}, x)
    f.ok("SequenceMask/lengths", "SequenceMask", [x, lens], {"use_sequence_length": "True"},
         _mask(x, lens, 0.0, 0))
    f.ok("SequenceMask/value", "SequenceMask", [x, lens], {"use_sequence_length": "True", "value": "-1.5"},
         _mask(x, lens, -1.5, 0))
    xb = f.uniform((3, 4, 2))  # (batch, time, feature)
    f.ok("SequenceMask/axis1", "SequenceMask", [xb, lens], {"use_sequence_length": "True", "axis": "1"},
         _mask(xb, lens, 0.0, 1))
    f.ok("SequenceLast/no-lengths", "SequenceLast", [x], {}, x[-1])
    f.ok("SequenceLast/lengths", "SequenceLast", [x, lens], {"use_sequence_length": "True"}, _last(x, lens, 0))
    f.ok("SequenceLast/axis1", "SequenceLast", [xb, lens], {"use_sequence_length": "True", "axis": "1"},
         _last(xb, lens, 1))
    f.ok("SequenceReverse/no-lengths", "SequenceReverse", [x], {}, x[::-1])
    f.ok("SequenceReverse/lengths", "SequenceReverse", [x, lens], {"use_sequence_length": "True"},
         _reverse(x, lens))
    f.error("SequenceMask/lengths-shape", "SequenceMask", [x, np.array([1, 2], np.float32)],
            {"use_sequence_length": "True"}, "VALUE")
    f.error("SequenceLast/missing-lengths", "SequenceLast", [x], {"use_sequence_length": "True"}, "VALUE")
    return [f]
