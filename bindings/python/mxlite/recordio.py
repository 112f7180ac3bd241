"""mx.recordio: MXNet's RecordIO files (.rec) with optional .idx index files.

Record layout (dmlc-core's RecordIO, little-endian): u32 magic 0xced7230a, u32 lrec
= cflag << 29 | length, `length` bytes, zero padding to a multiple of 4.  A payload
that contains the magic word at a 4-byte-aligned offset is split there into parts
(cflag 1 first, 2 middle, 3 last; 0 is a whole record) and the magic word itself is
left out; a reader puts it back between the parts.  So any byte string round trips,
and a reader can resynchronise on the magic word.

An .idx file has one line per record, "key<TAB>byte offset".  Files interoperate with
MXNet's im2rec and mx.recordio.
"""
import numbers
import os
import struct
from collections import namedtuple
from multiprocessing import current_process

import numpy as np

__all__ = ["MXRecordIO", "MXIndexedRecordIO", "IRHeader", "pack", "unpack", "pack_img",
           "unpack_img"]

_MAGIC = 0xced7230a
_MAGIC_BYTES = struct.pack("<I", _MAGIC)
_MAX_LENGTH = (1 << 29) - 1


class MXRecordIO:
    """Reads/writes RecordIO data sequentially.

    >>> record = mx.recordio.MXRecordIO('tmp.rec', 'w')
    >>> for i in range(5):
    ...     record.write(b'record_%d' % i)
    >>> record.close()
    >>> record = mx.recordio.MXRecordIO('tmp.rec', 'r')
    >>> record.read()
    b'record_0'

    Parameters
    ----------
    uri : str
        Path to the record file.
    flag : str
        'w' for writing or 'r' for reading.
    """

    def __init__(self, uri, flag):
        self.uri = os.fspath(uri)
        self.flag = flag
        self._file = None
        self.writable = None
        self.pid = None
        self.is_open = False
        self.open()

    def open(self):
        """Opens the record file (truncating it in 'w' mode)."""
        if self.flag == "w":
            self._file = open(self.uri, "wb")
            self.writable = True
        elif self.flag == "r":
            self._file = open(self.uri, "rb")
            self.writable = False
        else:
            raise ValueError("Invalid flag %r: expected 'r' or 'w'" % (self.flag,))
        self.pid = current_process().pid
        self.is_open = True

    def __del__(self):
        self.close()

    def __getstate__(self):
        # A file object cannot be pickled; the copy reopens the file (worker
        # processes of a DataLoader each get their own reader).  A writer is
        # closed first, as in MXNet, so its data is on disk.
        is_open = self.is_open
        if self.writable:
            self.close()
        d = dict(self.__dict__)
        d["is_open"] = is_open
        d["_file"] = None
        return d

    def __setstate__(self, d):
        self.__dict__ = d
        is_open = d["is_open"]
        self.is_open = False
        self._file = None
        if is_open:
            self.open()

    def _check_pid(self, allow_reset=False):
        # A forked child must not share the parent's file position.
        if self.pid != current_process().pid:
            if allow_reset:
                self.reset()
            else:
                raise RuntimeError("Forbidden operation in multiple processes: a RecordIO "
                                   "writer was created in another process")

    def close(self):
        """Closes the record file."""
        if not getattr(self, "is_open", False):
            return
        if self._file is not None:
            self._file.close()
        self._file = None
        self.is_open = False
        self.pid = None

    def reset(self):
        """Moves back to the first record (in 'w' mode the file is truncated)."""
        self.close()
        self.open()

    def _need_open(self):
        if not self.is_open:
            raise ValueError("record file %r is closed" % self.uri)

    def write(self, buf):
        """Appends one record.

        Parameters
        ----------
        buf : bytes-like
        """
        assert self.writable, "record file %r is open for reading" % self.uri
        self._check_pid(allow_reset=False)
        self._need_open()
        data = bytes(buf)
        if len(data) > _MAX_LENGTH:
            raise ValueError("RecordIO records hold fewer than 2**29 bytes, got %d" % len(data))
        f = self._file
        start = 0
        pos = data.find(_MAGIC_BYTES)
        while pos != -1:
            if pos % 4 == 0:
                # Split at an aligned magic word; the parts between are
                # multiples of 4 bytes, so they need no padding.
                flag = 1 if start == 0 else 2
                f.write(struct.pack("<II", _MAGIC, flag << 29 | (pos - start)))
                f.write(data[start:pos])
                start = pos + 4
                pos = data.find(_MAGIC_BYTES, start)
            else:
                pos = data.find(_MAGIC_BYTES, pos + 1)
        flag = 3 if start != 0 else 0
        rest = len(data) - start
        f.write(struct.pack("<II", _MAGIC, flag << 29 | rest))
        f.write(data[start:])
        f.write(b"\0" * (-rest % 4))

    def _corrupt(self, offset, what):
        raise ValueError("RecordIO file %r is corrupt at byte offset %d: %s"
                         % (self.uri, offset, what))

    def read(self):
        """Returns the next record as bytes, or None at the end of the file."""
        assert not self.writable, "record file %r is open for writing" % self.uri
        self._check_pid(allow_reset=True)
        self._need_open()
        f = self._file
        parts = []
        while True:
            offset = f.tell()
            head = f.read(8)
            if not head and not parts:
                return None
            if len(head) < 8:
                self._corrupt(offset, "truncated record header (%d of 8 bytes)" % len(head))
            magic, lrec = struct.unpack("<II", head)
            if magic != _MAGIC:
                self._corrupt(offset, "magic is 0x%08x, expected 0xced7230a" % magic)
            cflag, length = lrec >> 29, lrec & _MAX_LENGTH
            if cflag > 3 or (cflag in (0, 1)) != (not parts):
                self._corrupt(offset, "unexpected continuation flag %d" % cflag)
            padded = length + (-length % 4)
            body = f.read(padded)
            if len(body) < padded:
                self._corrupt(offset, "record needs %d bytes, %d remain" % (padded, len(body)))
            parts.append(body[:length])
            if cflag in (0, 3):
                return _MAGIC_BYTES.join(parts)


class MXIndexedRecordIO(MXRecordIO):
    """Reads/writes RecordIO data with random access through an index file.

    >>> record = mx.recordio.MXIndexedRecordIO('tmp.idx', 'tmp.rec', 'w')
    >>> for i in range(5):
    ...     record.write_idx(i, b'record_%d' % i)
    >>> record.close()
    >>> record = mx.recordio.MXIndexedRecordIO('tmp.idx', 'tmp.rec', 'r')
    >>> record.read_idx(3)
    b'record_3'

    Parameters
    ----------
    idx_path : str
        Path to the index file.
    uri : str
        Path to the record file (must be seekable).
    flag : str
        'w' for writing or 'r' for reading.
    key_type : type
        Type of the keys (int by default).
    """

    def __init__(self, idx_path, uri, flag, key_type=int):
        self.idx_path = os.fspath(idx_path)
        self.idx = {}
        self.keys = []
        self.key_type = key_type
        self.fidx = None
        super().__init__(uri, flag)

    def open(self):
        super().open()
        self.idx = {}
        self.keys = []
        self.fidx = open(self.idx_path, self.flag)
        if not self.writable:
            for lineno, line in enumerate(iter(self.fidx.readline, "")):
                fields = line.strip().split("\t")
                if not fields or fields == [""]:
                    continue
                if len(fields) < 2:
                    raise ValueError("index file %r line %d: expected 'key<TAB>offset', got %r"
                                     % (self.idx_path, lineno + 1, line.rstrip("\n")))
                key = self.key_type(fields[0])
                self.idx[key] = int(fields[1])
                self.keys.append(key)

    def close(self):
        if not getattr(self, "is_open", False):
            return
        super().close()
        if self.fidx is not None:
            self.fidx.close()
        self.fidx = None

    def __getstate__(self):
        d = super().__getstate__()
        d["fidx"] = None
        return d

    def seek(self, idx):
        """Moves the read position to the record with key `idx`."""
        assert not self.writable, "record file %r is open for writing" % self.uri
        self._check_pid(allow_reset=True)
        if idx not in self.idx:
            raise KeyError("no record with key %r in index %r" % (idx, self.idx_path))
        self._file.seek(self.idx[idx])

    def tell(self):
        """Current write position (the offset the next record gets)."""
        assert self.writable, "record file %r is open for reading" % self.uri
        return self._file.tell()

    def read_idx(self, idx):
        """Returns the record with key `idx`."""
        self.seek(idx)
        return self.read()

    def write_idx(self, idx, buf):
        """Appends a record under key `idx` and indexes it."""
        key = self.key_type(idx)
        pos = self.tell()
        self.write(buf)
        self.fidx.write("%s\t%d\n" % (str(key), pos))
        self.idx[key] = pos
        self.keys.append(key)


IRHeader = namedtuple("HEADER", ["flag", "label", "id", "id2"])
IRHeader.__doc__ = """Header of an image record: flag (number of float labels stored before
the payload, 0 for a single label), label (float or array of float), id and id2."""
# Native alignment, as MXNet packs it: u32 flag, f32 label, u64 id, u64 id2 (24 bytes).
_IR_FORMAT = "IfQQ"
_IR_SIZE = struct.calcsize(_IR_FORMAT)


def pack(header, s):
    """Packs bytes with an IRHeader into an image record payload.

    A scalar label is stored in the header (flag 0); an array label is stored as
    float32 values before `s`, with flag = its length.
    """
    header = IRHeader(*header)
    if isinstance(header.label, numbers.Number):
        header = header._replace(flag=0)
    else:
        label = np.asarray(header.label, dtype=np.float32)
        header = header._replace(flag=label.size, label=0)
        s = label.tobytes() + bytes(s)
    return struct.pack(_IR_FORMAT, *header) + bytes(s)


def unpack(s):
    """Splits an image record payload into (IRHeader, bytes)."""
    s = bytes(s)
    if len(s) < _IR_SIZE:
        raise ValueError("record of %d bytes is shorter than the %d-byte IRHeader"
                         % (len(s), _IR_SIZE))
    header = IRHeader(*struct.unpack(_IR_FORMAT, s[:_IR_SIZE]))
    s = s[_IR_SIZE:]
    if header.flag > 0:
        if len(s) < header.flag * 4:
            raise ValueError("record declares %d float labels but holds only %d bytes"
                             % (header.flag, len(s)))
        header = header._replace(label=np.frombuffer(s, np.float32, header.flag))
        s = s[header.flag * 4:]
    return header, s


def _codec():
    """OpenCV if installed, else Pillow, else a clear error."""
    try:
        import cv2
        return "cv2", cv2
    except ImportError:
        pass
    try:
        from PIL import Image
        return "pil", Image
    except ImportError:
        raise ImportError("pack_img/unpack_img need an image codec: install opencv-python "
                          "(cv2) or Pillow") from None


def unpack_img(s, iscolor=-1):
    """Unpacks an image record into (IRHeader, image as a NumPy array).

    iscolor: -1 keeps the stored channels, 0 gives grayscale, 1 gives 3 channels
    (BGR order with OpenCV, as MXNet; RGB with Pillow)."""
    header, img = unpack(s)
    kind, codec = _codec()
    buf = np.frombuffer(img, dtype=np.uint8)
    if kind == "cv2":
        return header, codec.imdecode(buf, iscolor)
    import io
    im = codec.open(io.BytesIO(img))
    if iscolor == 0:
        im = im.convert("L")
    elif iscolor == 1:
        im = im.convert("RGB")
    return header, np.asarray(im)


def pack_img(header, img, quality=95, img_fmt=".jpg"):
    """Encodes an image (NumPy array) and packs it with an IRHeader.

    quality: JPEG quality (1-100) or PNG compression (0-9); img_fmt '.jpg' or '.png'."""
    kind, codec = _codec()
    fmt = img_fmt.lower()
    if fmt not in (".jpg", ".jpeg", ".png"):
        raise ValueError("img_fmt must be '.jpg' or '.png', got %r" % img_fmt)
    if kind == "cv2":
        param = [codec.IMWRITE_PNG_COMPRESSION if fmt == ".png" else codec.IMWRITE_JPEG_QUALITY,
                 quality]
        ok, buf = codec.imencode(fmt, img, param)
        if not ok:
            raise ValueError("failed to encode the image as %s" % img_fmt)
        return pack(header, buf.tobytes())
    import io
    out = io.BytesIO()
    im = codec.fromarray(np.asarray(img))
    if fmt == ".png":
        im.save(out, format="PNG", compress_level=min(int(quality), 9))
    else:
        im.save(out, format="JPEG", quality=int(quality))
    return pack(header, out.getvalue())
