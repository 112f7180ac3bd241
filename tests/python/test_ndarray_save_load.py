"""mx.nd.save / load / load_frombuffer against byte-level fixtures built here
from MXNet's format description (DESIGN.md section 9) with `struct`, plus
round trips.  Files written by MXNet 1.9.1 itself are checked by
tools/check_formats_mxnet.py where MXNet is installed."""
import os
import struct

import numpy as np
import pytest

import mxlite as mx
from mxlite.ndarray.save_load import _save_to_bytes

V1, V2, V3 = 0xF993FAC8, 0xF993FAC9, 0xF993FACA
FLAGS = {"float32": 0, "float64": 1, "float16": 2, "uint8": 3, "int32": 4, "int8": 5,
         "int64": 6, "bool": 7}


def header(n):
    return struct.pack("<QQQ", 0x112, 0, n)


def record(a, magic=V2, dev=(1, 0)):
    """One array record as MXNet writes it (dense, magic V2 or V3)."""
    a = np.asarray(a, order="C")  # (ascontiguousarray would make 0-d arrays 1-d)
    b = struct.pack("<Iii", magic, 0, a.ndim) + struct.pack("<%dq" % a.ndim, *a.shape)
    return b + struct.pack("<iii", dev[0], dev[1], FLAGS[a.dtype.name]) + a.tobytes()


def names(keys):
    b = struct.pack("<Q", len(keys))
    for k in keys:
        kb = k.encode()
        b += struct.pack("<Q", len(kb)) + kb
    return b


def test_list_file_bytes_match_the_spec(tmp_path):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([1, -2], dtype=np.int32)
    f = tmp_path / "list.params"
    mx.nd.save(str(f), [mx.nd.array(a), mx.nd.array(b, dtype="int32")])
    assert f.read_bytes() == header(2) + record(a) + record(b) + names([])
    out = mx.nd.load(str(f))
    assert isinstance(out, list) and len(out) == 2
    np.testing.assert_array_equal(out[0].asnumpy(), a)
    assert out[1].dtype == np.int32
    np.testing.assert_array_equal(out[1].asnumpy(), b)


def test_single_array_saves_as_a_list(tmp_path):
    f = tmp_path / "one.params"
    mx.nd.save(f, mx.nd.ones((2,)))  # os.PathLike accepted
    out = mx.nd.load(f)
    assert isinstance(out, list) and out[0].shape == (2,)


def test_dict_file_bytes_match_the_spec(tmp_path):
    w = np.random.rand(3, 4).astype(np.float32)
    m = np.zeros(3, np.float32)
    d = {"arg:fc1_weight": mx.nd.array(w), "aux:bn_moving_mean": mx.nd.array(m)}
    f = tmp_path / "d.params"
    mx.nd.save(str(f), d)
    assert f.read_bytes() == header(2) + record(w) + record(m) + names(list(d))
    out = mx.nd.load(str(f))
    assert list(out) == list(d)
    np.testing.assert_array_equal(out["arg:fc1_weight"].asnumpy(), w)


@pytest.mark.parametrize("dtype", list(FLAGS))
def test_every_dtype_round_trips(dtype):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((3, 5)) * 50).astype(dtype)
    data = _save_to_bytes({"x": mx.nd.array(a, dtype=dtype)})
    assert data == header(1) + record(a) + names(["x"])
    out = mx.nd.load_frombuffer(data)["x"]
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.asnumpy(), a)


def test_structural_names_and_views(tmp_path):
    base = mx.nd.array(np.arange(12, dtype=np.float32).reshape(4, 3))
    view = base[1:3]  # a view with a byte offset into its storage
    f = tmp_path / "v.params"
    mx.nd.save(str(f), {"features.0.weight": view, "features.1.bias": base.reshape((12,))})
    out = mx.nd.load(str(f))
    np.testing.assert_array_equal(out["features.0.weight"].asnumpy(), base.asnumpy()[1:3])
    assert out["features.1.bias"].shape == (12,)


def test_pending_results_are_saved_after_they_are_computed():
    x = mx.nd.ones((256, 256))
    y = mx.nd.dot(x, x) + 1  # asynchronous
    out = mx.nd.load_frombuffer(_save_to_bytes([y]))[0]
    np.testing.assert_array_equal(out.asnumpy(), np.full((256, 256), 257, np.float32))


def test_none_scalar_and_empty_arrays():
    data = header(3) + struct.pack("<Iii", V2, 0, 0) \
        + record(np.float32(3.5).reshape(()), magic=V3) \
        + record(np.zeros((2, 0), np.float32)) + names(["none", "scalar", "empty"])
    out = mx.nd.load_frombuffer(data)
    assert out["none"] is None
    assert out["scalar"].shape == () and out["scalar"].asscalar() == 3.5
    assert out["empty"].shape == (2, 0)
    # and back: None is written as MXNet's none record, 0-d with the numpy-shape magic
    assert _save_to_bytes(out) == data


def test_legacy_layouts():
    body = struct.pack("<I", V1) + struct.pack("<iq", 1, 2) + struct.pack("<iii", 1, 0, 0) \
        + struct.pack("<2f", 1, 2)
    # no magic: u32 ndim and u32 dims, saved on gpu(0) (loaded on the CPU)
    body += struct.pack("<III", 2, 1, 2) + struct.pack("<iii", 2, 0, 6) + struct.pack("<2q", 5, 6)
    body += struct.pack("<I", 0)  # legacy none
    out = mx.nd.load_frombuffer(header(3) + body + names([]))
    np.testing.assert_array_equal(out[0].asnumpy(), [1, 2])
    assert out[1].dtype == np.int64 and out[1].shape == (1, 2)
    np.testing.assert_array_equal(out[1].asnumpy(), [[5, 6]])
    assert out[2] is None


def test_numpy_shape_none_forms():
    data = header(2) + struct.pack("<Iii", V3, 0, -1) \
        + struct.pack("<Iii", V3, 0, 2) + struct.pack("<2q", 4, -1) + names([])
    assert mx.nd.load_frombuffer(data) == [None, None]


def test_widened_dtypes():
    bf16 = np.array([1.5, -2.0, 3.0e38], np.float32).view(np.uint32) >> 16
    vals = {
        12: (bf16.astype(np.uint16), np.float32, np.array([1.5, -2.0, 3.0e38], np.float32)),
        8: (np.array([-7, 300], np.int16), np.int32, None),
        9: (np.array([65535, 1], np.uint16), np.int32, None),
        10: (np.array([4000000000], np.uint32), np.int64, None),
        11: (np.array([2 ** 62], np.uint64), np.int64, None),
    }
    for flag, (raw, want_dtype, want) in vals.items():
        data = header(1) + struct.pack("<Iiiq", V2, 0, 1, raw.size) \
            + struct.pack("<iii", 1, 0, flag) + raw.tobytes() + names([])
        out = mx.nd.load_frombuffer(data)[0]
        assert out.dtype == want_dtype, flag
        expect = raw.astype(want_dtype) if want is None else want
        if flag == 12:
            # bfloat16 keeps the top 16 bits of the float32
            expect = (raw.astype(np.uint32) << 16).view(np.float32)
        np.testing.assert_array_equal(out.asnumpy(), expect)


def test_truncations_at_every_offset_fail_cleanly():
    good = _save_to_bytes({"a": mx.nd.array([[1, 2], [3, 4]]), "b": mx.nd.array([5], dtype="int64")})
    for n in range(len(good)):
        with pytest.raises(ValueError, match=r"buffer is truncated: .* byte offset \d+"):
            mx.nd.load_frombuffer(good[:n])
    assert len(mx.nd.load_frombuffer(good)) == 2


def test_truncated_file_names_the_file(tmp_path):
    f = tmp_path / "t.params"
    f.write_bytes(_save_to_bytes([mx.nd.ones((3,))])[:-12])
    with pytest.raises(mx.MXNetError, match=r"file '.*t\.params' is truncated: "
                                            r"array 0's data .* needs 12 bytes but only 8"):
        mx.nd.load(str(f))


@pytest.mark.parametrize("data,kind,pattern", [
    (struct.pack("<QQQQ", 0x113, 0, 0, 0), ValueError, r"header magic is 0x113, expected 0x112"),
    (header(1) + struct.pack("<I", 0xDEADBEEF) + names([]), ValueError,
     r"array 0's magic is 0xDEADBEEF, expected 0xF993FAC9"),
    (header(1) + struct.pack("<Iiiq", V2, 0, 1, 1) + struct.pack("<iii", 1, 0, 42) + b"\0" * 8
     + names([]), ValueError, r"dtype flag is 42"),
    (header(1) + struct.pack("<Iiiq", V2, 0, 1, 1) + struct.pack("<iii", 9, 0, 0) + b"\0" * 4
     + names([]), ValueError, r"device type is 9"),
    (header(1) + struct.pack("<Iii", V2, 0, 0) + names(["a", "b"]), ValueError, r"name count 2"),
    (header(1) + struct.pack("<Iii", V2, 1, 0) + names([]), NotImplementedError, r"row_sparse"),
])
def test_corrupt_input_errors(data, kind, pattern):
    with pytest.raises(kind, match=pattern):
        mx.nd.load_frombuffer(data)


def test_frontend_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="data needs to either be"):
        mx.nd.save(str(tmp_path / "x"), 3)
    with pytest.raises(TypeError, match="dict of str"):
        mx.nd.save(str(tmp_path / "x"), {1: mx.nd.ones((1,))})
    with pytest.raises(TypeError, match="element of type ndarray"):
        mx.nd.save(str(tmp_path / "x"), [np.ones(1)])
    with pytest.raises(TypeError, match="fname"):
        mx.nd.load(5)
    with pytest.raises(TypeError, match="buf"):
        mx.nd.load_frombuffer(5)
    with pytest.raises(ValueError, match="cannot open file"):
        mx.nd.load(str(tmp_path / "missing.params"))
    with pytest.raises(ValueError, match="cannot open file"):
        mx.nd.save(str(tmp_path / "no" / "dir.params"), [mx.nd.ones((1,))])


def test_handles_do_not_leak():
    live = mx.base.ffi.new("int64_t*")
    mx.base.lib.mxl_live_handles(live)
    before = live[0]
    data = _save_to_bytes({"a": mx.nd.ones((2,)), "n": None})
    for _ in range(3):
        out = mx.nd.load_frombuffer(data)
        del out
    with pytest.raises(ValueError):
        mx.nd.load_frombuffer(data[:-1])
    mx.base.lib.mxl_live_handles(live)
    assert live[0] == before


def test_ndarrays_pickle_through_the_file_format():
    import pickle
    for a in (np.arange(6, dtype=np.int64).reshape(2, 3), np.float32(2.5).reshape(()),
              np.zeros((0, 4), np.float16)):
        x = mx.nd.array(a, dtype=a.dtype)
        y = pickle.loads(pickle.dumps(x))
        assert y.dtype == a.dtype and y.shape == a.shape
        np.testing.assert_array_equal(y.asnumpy(), a)
    nested = pickle.loads(pickle.dumps({"w": [mx.nd.ones((2,))]}))
    np.testing.assert_array_equal(nested["w"][0].asnumpy(), [1, 1])
