"""Vision datasets read from the standard files in a local directory (never downloaded).

MNIST and FashionMNIST: the idx files (train-images-idx3-ubyte, ..., gzipped or not).
CIFAR10 / CIFAR100: the binary batches MXNet reads (data_batch_1.bin ... test_batch.bin,
train.bin / test.bin), or the Python pickles of the same data (data_batch_1 ... /
train, test), in `root` or in the archive's own sub-directory.  Samples are
(HxWxC uint8 NDArray, int32 label), as in MXNet; `transform(data, label)` is applied
to each sample if given.
"""
import gzip
import os
import pickle
import struct

import numpy as np

from .... import ndarray as nd
from ..dataset import Dataset, RecordFileDataset

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "ImageRecordDataset",
           "ImageFolderDataset"]


def _default_root(name):
    base = os.environ.get("MXNET_HOME", os.path.join("~", ".mxnet"))
    return os.path.join(base, "datasets", name)


class _LocalDataset(Dataset):
    """Arrays loaded once from files in `root`; subclasses fill _data and _label."""

    def __init__(self, root, transform):
        self._root = os.path.expanduser(root)
        self._transform = transform
        self._data = None
        self._label = None
        self._get_data()

    def __getitem__(self, idx):
        if self._transform is not None:
            return self._transform(self._data[idx], self._label[idx])
        return self._data[idx], self._label[idx]

    def __len__(self):
        return len(self._label)

    def _get_data(self):
        raise NotImplementedError

    def _missing(self, wanted):
        raise FileNotFoundError(
            "%s: missing file(s) %s in %r; this build never downloads data: put the standard "
            "files there (or pass root=...)" % (type(self).__name__, ", ".join(wanted), self._root))


# ---------------------------------------------------------------- MNIST

def _read_idx(path, magic, dims):
    """An idx-ubyte file (big-endian header: magic, then one u32 per dimension)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    head = 4 + 4 * dims
    if len(raw) < head:
        raise ValueError("%s: truncated idx header (%d bytes)" % (path, len(raw)))
    got = struct.unpack(">I", raw[:4])[0]
    if got != magic:
        raise ValueError("%s: idx magic is 0x%08x, expected 0x%08x" % (path, got, magic))
    shape = struct.unpack(">%dI" % dims, raw[4:head])
    n = int(np.prod(shape))
    if len(raw) - head < n:
        raise ValueError("%s: header says %s (%d bytes) but only %d bytes follow"
                         % (path, shape, n, len(raw) - head))
    return np.frombuffer(raw, dtype=np.uint8, count=n, offset=head).reshape(shape)


class MNIST(_LocalDataset):
    """The MNIST handwritten digits: 28x28x1 uint8 images and int32 labels.

    Parameters
    ----------
    root : str, default $MXNET_HOME/datasets/mnist (~/.mxnet/datasets/mnist)
        Directory holding train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz),
        t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz).
    train : bool, default True
        The training set, else the test set.
    transform : callable, default None
        Called as transform(data, label) per sample.
    """
    _name = "mnist"

    def __init__(self, root=None, train=True, transform=None):
        self._train = train
        super().__init__(root if root is not None else _default_root(self._name), transform)

    def _find(self, base):
        for name in (base + ".gz", base):
            path = os.path.join(self._root, name)
            if os.path.isfile(path):
                return path
        return None

    def _get_data(self):
        prefix = "train" if self._train else "t10k"
        images, labels = prefix + "-images-idx3-ubyte", prefix + "-labels-idx1-ubyte"
        img_path, lbl_path = self._find(images), self._find(labels)
        if img_path is None or lbl_path is None:
            self._missing([n + "[.gz]" for n, p in ((images, img_path), (labels, lbl_path))
                           if p is None])
        label = _read_idx(lbl_path, 0x801, 1).astype(np.int32)
        data = _read_idx(img_path, 0x803, 3)
        if data.shape[0] != label.shape[0]:
            raise ValueError("%s has %d images but %s has %d labels"
                             % (img_path, data.shape[0], lbl_path, label.shape[0]))
        data = data.reshape(data.shape + (1,))
        self._data = nd.array(data, dtype=data.dtype)
        self._label = label


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: the same files and layout as MNIST.

    root defaults to $MXNET_HOME/datasets/fashion-mnist."""
    _name = "fashion-mnist"


# ---------------------------------------------------------------- CIFAR

class CIFAR10(_LocalDataset):
    """CIFAR-10: 32x32x3 uint8 images and int32 labels.

    Parameters
    ----------
    root : str, default $MXNET_HOME/datasets/cifar10
        Directory with the binary batches (data_batch_1.bin ... data_batch_5.bin,
        test_batch.bin) or the Python pickles (data_batch_1 ... data_batch_5,
        test_batch), directly or in cifar-10-batches-bin / cifar-10-batches-py.
    train : bool, default True
    transform : callable, default None
        Called as transform(data, label) per sample.
    """
    _name = "cifar10"
    _train_files = ["data_batch_%d" % i for i in range(1, 6)]
    _test_files = ["test_batch"]
    _subdirs = ("cifar-10-batches-bin", "cifar-10-batches-py")
    _label_bytes = 1

    def __init__(self, root=None, train=True, transform=None):
        self._train = train
        super().__init__(root if root is not None else _default_root(self._name), transform)

    def _label_of(self, labels):
        return labels[:, 0]

    def _read_bin(self, path):
        raw = np.fromfile(path, dtype=np.uint8)
        rec = 3072 + self._label_bytes
        if raw.size % rec:
            raise ValueError("%s: %d bytes is not a whole number of %d-byte records"
                             % (path, raw.size, rec))
        raw = raw.reshape(-1, rec)
        data = raw[:, self._label_bytes:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return data, self._label_of(raw[:, :self._label_bytes]).astype(np.int32)

    def _pickle_label_key(self):
        return "labels"

    def _read_pickle(self, path):
        with open(path, "rb") as f:
            d = pickle.load(f, encoding="bytes")
        d = {(k.decode() if isinstance(k, bytes) else k): v for k, v in d.items()}
        key = self._pickle_label_key()
        if "data" not in d or key not in d:
            raise ValueError("%s: expected a pickled dict with 'data' and %r" % (path, key))
        data = np.asarray(d["data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return data, np.asarray(d[key], dtype=np.int32)

    def _locate(self, names):
        """Paths of all files of one format, binary preferred; None if incomplete."""
        for suffix, reader in ((".bin", self._read_bin), ("", self._read_pickle)):
            for d in ("",) + self._subdirs:
                paths = [os.path.join(self._root, d, n + suffix) for n in names]
                if all(os.path.isfile(p) for p in paths):
                    return paths, reader
        return None, None

    def _get_data(self):
        names = self._train_files if self._train else self._test_files
        paths, reader = self._locate(names)
        if paths is None:
            self._missing([n + ".bin" for n in names] + ["(or the pickles %s)" % ", ".join(names)])
        parts = [reader(p) for p in paths]
        data = np.ascontiguousarray(np.concatenate([p[0] for p in parts]))
        self._label = np.concatenate([p[1] for p in parts])
        self._data = nd.array(data, dtype=data.dtype)


class CIFAR100(CIFAR10):
    """CIFAR-100: train.bin / test.bin (or the pickles train / test); fine_label picks
    the 100 fine classes instead of the 20 coarse ones.

    root defaults to $MXNET_HOME/datasets/cifar100."""
    _name = "cifar100"
    _train_files = ["train"]
    _test_files = ["test"]
    _subdirs = ("cifar-100-binary", "cifar-100-python")
    _label_bytes = 2

    def __init__(self, root=None, fine_label=False, train=True, transform=None):
        self._fine_label = fine_label
        super().__init__(root, train, transform)

    def _label_of(self, labels):
        return labels[:, 1 if self._fine_label else 0]

    def _pickle_label_key(self):
        return "fine_labels" if self._fine_label else "coarse_labels"


# ---------------------------------------------------------------- images

def _decode(buf, flag):
    """Encoded image bytes -> HxWxC uint8 array in RGB order (as MXNet's image.imdecode):
    flag 1 gives 3 channels, 0 gives 1 (grayscale)."""
    from .... import recordio
    kind, codec = recordio._codec()
    if kind == "cv2":
        img = codec.imdecode(np.frombuffer(buf, dtype=np.uint8), 1 if flag else 0)
        if img is None:
            raise ValueError("cannot decode the image (%d bytes)" % len(buf))
        if img.ndim == 3:
            img = img[:, :, ::-1]  # OpenCV decodes to BGR
    else:
        import io
        img = np.asarray(codec.open(io.BytesIO(buf)).convert("RGB" if flag else "L"))
    if img.ndim == 2:
        img = img[:, :, None]
    return np.ascontiguousarray(img)


class ImageRecordDataset(RecordFileDataset):
    """Images packed with recordio.pack_img (e.g. by im2rec): samples are
    (HxWxC uint8 NDArray, label).  Needs an image codec (OpenCV or Pillow).

    flag: 1 for 3-channel color, 0 for grayscale."""

    def __init__(self, filename, flag=1, transform=None):
        super().__init__(filename)
        self._flag = flag
        self._transform = transform

    def __getitem__(self, idx):
        from .... import recordio
        header, buf = recordio.unpack(super().__getitem__(idx))
        label = header.label
        data = nd.array(_decode(buf, self._flag), dtype=np.uint8)
        if self._transform is not None:
            return self._transform(data, label)
        return data, label


class ImageFolderDataset(Dataset):
    """Images in class folders (root/car/0001.jpg, root/bus/xyz.png, ...): samples are
    (HxWxC uint8 NDArray, class index); `synsets` lists the class names (sorted).
    Needs an image codec (OpenCV or Pillow).

    flag: 1 for 3-channel color, 0 for grayscale."""

    _exts = (".jpg", ".jpeg", ".png")

    def __init__(self, root, flag=1, transform=None):
        self._root = os.path.expanduser(root)
        self._flag = flag
        self._transform = transform
        if not os.path.isdir(self._root):
            raise FileNotFoundError("ImageFolderDataset: %r is not a directory" % self._root)
        self.synsets = []
        self.items = []
        for folder in sorted(os.listdir(self._root)):
            path = os.path.join(self._root, folder)
            if not os.path.isdir(path):
                continue
            label = len(self.synsets)
            self.synsets.append(folder)
            for name in sorted(os.listdir(path)):
                if os.path.splitext(name)[1].lower() in self._exts:
                    self.items.append((os.path.join(path, name), label))

    def __getitem__(self, idx):
        path, label = self.items[idx]
        with open(path, "rb") as f:
            data = nd.array(_decode(f.read(), self._flag), dtype=np.uint8)
        if self._transform is not None:
            return self._transform(data, label)
        return data, label

    def __len__(self):
        return len(self.items)
