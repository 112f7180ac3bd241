"""mx.recordio against byte layouts built here from the RecordIO format description
(magic 0xced7230a, lrec = cflag << 29 | length, 4-byte padding, payloads split at
aligned magic words) and round trips."""
import pickle
import struct

import numpy as np
import pytest

import mxlite as mx
from mxlite import recordio

MAGIC = 0xced7230a
MB = struct.pack("<I", MAGIC)


def rec(payload, cflag=0):
    pad = b"\0" * (-len(payload) % 4)
    return struct.pack("<II", MAGIC, cflag << 29 | len(payload)) + payload + pad


def write_all(path, payloads):
    w = recordio.MXRecordIO(str(path), "w")
    for p in payloads:
        w.write(p)
    w.close()


def read_all(path):
    r = recordio.MXRecordIO(str(path), "r")
    out = []
    while True:
        item = r.read()
        if item is None:
            break
        out.append(item)
    r.close()
    return out


def test_plain_records_bytes(tmp_path):
    f = tmp_path / "a.rec"
    payloads = [b"", b"a", b"ab", b"abc", b"abcd", b"abcde" * 3]
    write_all(f, payloads)
    assert f.read_bytes() == b"".join(rec(p) for p in payloads)
    assert read_all(f) == payloads


def test_aligned_magic_splits_the_record(tmp_path):
    f = tmp_path / "m.rec"
    p = b"abcd" + MB + b"efgh" + MB + b"xy"
    write_all(f, [p])
    # parts: [abcd] cflag 1, [efgh] cflag 2, [xy] cflag 3; the magic words are dropped
    assert f.read_bytes() == rec(b"abcd", 1) + rec(b"efgh", 2) + rec(b"xy", 3)
    assert read_all(f) == [p]


@pytest.mark.parametrize("payload", [
    MB, MB + MB, b"12" + MB + b"34",  # unaligned magic: no split
    MB + b"tail", b"head" + MB, b"\0" * 7 + MB + b"\0" * 9,
    bytes(range(256)) * 3 + MB * 3,
])
def test_round_trip_with_magic_inside(tmp_path, payload):
    f = tmp_path / "r.rec"
    write_all(f, [payload, b"next"])
    assert read_all(f) == [payload, b"next"]


def test_unaligned_magic_is_not_split(tmp_path):
    f = tmp_path / "u.rec"
    p = b"12" + MB + b"34"
    write_all(f, [p])
    assert f.read_bytes() == rec(p)


def test_random_payloads_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    payloads = []
    for n in range(40):
        words = rng.integers(0, 4, size=n).astype(np.uint32)
        words[words == 3] = MAGIC  # plenty of aligned magic words
        payloads.append(words.tobytes() + bytes(rng.integers(0, 256, size=n % 4, dtype=np.uint8)))
    f = tmp_path / "rand.rec"
    write_all(f, payloads)
    assert read_all(f) == payloads


def test_reset_and_eof(tmp_path):
    f = tmp_path / "e.rec"
    write_all(f, [b"x", b"y"])
    r = recordio.MXRecordIO(str(f), "r")
    assert [r.read(), r.read(), r.read()] == [b"x", b"y", None]
    r.reset()
    assert r.read() == b"x"
    r.close()
    r.close()  # closing twice is fine


def test_corrupt_files(tmp_path):
    f = tmp_path / "bad.rec"
    f.write_bytes(rec(b"good") + struct.pack("<II", 0x12345678, 4) + b"abcd")
    r = recordio.MXRecordIO(str(f), "r")
    assert r.read() == b"good"
    with pytest.raises(ValueError, match=r"bad\.rec.*byte offset 12: magic is 0x12345678"):
        r.read()
    f.write_bytes(rec(b"abcdefgh")[:10])
    with pytest.raises(ValueError, match=r"byte offset 0: record needs 8 bytes, 2 remain"):
        recordio.MXRecordIO(str(f), "r").read()
    f.write_bytes(rec(b"abcd")[:5])
    with pytest.raises(ValueError, match=r"truncated record header"):
        recordio.MXRecordIO(str(f), "r").read()
    f.write_bytes(rec(b"abcd", 2))
    with pytest.raises(ValueError, match=r"unexpected continuation flag 2"):
        recordio.MXRecordIO(str(f), "r").read()


def test_mode_errors(tmp_path):
    with pytest.raises(ValueError, match="Invalid flag"):
        recordio.MXRecordIO(str(tmp_path / "x.rec"), "a")
    w = recordio.MXRecordIO(str(tmp_path / "x.rec"), "w")
    with pytest.raises(AssertionError):
        w.read()
    w.close()
    r = recordio.MXRecordIO(str(tmp_path / "x.rec"), "r")
    with pytest.raises(AssertionError):
        r.write(b"x")


def test_indexed_records(tmp_path):
    idx, f = tmp_path / "d.idx", tmp_path / "d.rec"
    w = recordio.MXIndexedRecordIO(str(idx), str(f), "w")
    payloads = {k: (b"record_%d" % k) * (k + 1) for k in (3, 0, 7, 1)}
    offsets = {}
    pos = 0
    for k, p in payloads.items():
        offsets[k] = pos
        assert w.tell() == pos
        w.write_idx(k, p)
        pos += len(rec(p))
    w.close()
    assert idx.read_text() == "".join("%d\t%d\n" % (k, offsets[k]) for k in payloads)
    r = recordio.MXIndexedRecordIO(str(idx), str(f), "r")
    assert r.keys == [3, 0, 7, 1]
    for k in (7, 0, 1, 3, 7):
        assert r.read_idx(k) == payloads[k]
    with pytest.raises(KeyError):
        r.read_idx(99)
    # a pickled reader (what DataLoader workers receive) reopens the files
    r2 = pickle.loads(pickle.dumps(r))
    assert r2.read_idx(1) == payloads[1]
    assert r.read_idx(0) == payloads[0]  # the original keeps working
    r.close()
    r2.close()


def test_string_keys(tmp_path):
    idx, f = tmp_path / "s.idx", tmp_path / "s.rec"
    w = recordio.MXIndexedRecordIO(str(idx), str(f), "w", key_type=str)
    w.write_idx("cat", b"meow")
    w.write_idx("dog", b"woof")
    w.close()
    r = recordio.MXIndexedRecordIO(str(idx), str(f), "r", key_type=str)
    assert r.read_idx("dog") == b"woof" and r.keys == ["cat", "dog"]


def test_pack_unpack_header_bytes():
    s = recordio.pack(recordio.IRHeader(0, 3.5, 7, 0), b"payload")
    assert s == struct.pack("<IfQQ", 0, 3.5, 7, 0) + b"payload"
    header, body = recordio.unpack(s)
    assert (header.flag, header.label, header.id, header.id2) == (0, 3.5, 7, 0)
    assert body == b"payload"
    # an array label is stored as float32 values before the payload, flag = its length
    s = recordio.pack((0, [1, 2.5, -3], 9, 1), b"xyz")
    assert s == struct.pack("<IfQQ", 3, 0, 9, 1) + np.array([1, 2.5, -3], np.float32).tobytes() \
        + b"xyz"
    header, body = recordio.unpack(s)
    assert header.flag == 3 and header.id == 9 and body == b"xyz"
    np.testing.assert_array_equal(header.label, [1, 2.5, -3])
    with pytest.raises(ValueError, match="shorter than the 24-byte IRHeader"):
        recordio.unpack(b"abc")


def test_pack_img_codec_or_clear_error():
    img = (np.arange(4 * 5 * 3) % 251).astype(np.uint8).reshape(4, 5, 3)
    try:
        recordio._codec()
    except ImportError as e:
        assert "opencv-python" in str(e) and "Pillow" in str(e)
        with pytest.raises(ImportError, match="image codec"):
            recordio.pack_img((0, 1, 2, 0), img, img_fmt=".png")
        return
    s = recordio.pack_img((0, 1, 2, 0), img, img_fmt=".png")  # lossless
    header, out = recordio.unpack_img(s, 1)
    assert header.label == 1 and header.id == 2
    np.testing.assert_array_equal(out, img)


def test_module_is_mx_recordio():
    assert mx.recordio is recordio
