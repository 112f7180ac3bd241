"""gluon.data.vision: the dataset loaders on small synthetic files written in the
standard formats, and the transforms against NumPy / naive-loop references."""
import gzip
import os
import pickle
import struct

import numpy as np
import pytest

import mxlite as mx
from mxlite.gluon.data import DataLoader
from mxlite.gluon.data.vision import (CIFAR10, CIFAR100, MNIST, FashionMNIST, transforms)


# ------------------------------------------------------------------ datasets

def write_idx(path, arr, magic, gz):
    raw = struct.pack(">I", magic) + struct.pack(">%dI" % arr.ndim, *arr.shape) + arr.tobytes()
    if gz:
        with gzip.open(path + ".gz", "wb") as f:
            f.write(raw)
    else:
        with open(path, "wb") as f:
            f.write(raw)


def make_mnist(root, n_train=7, n_test=3, gz=True, seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        img = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        lbl = rng.integers(0, 10, size=n, dtype=np.uint8)
        write_idx(os.path.join(root, prefix + "-images-idx3-ubyte"), img, 0x803, gz)
        write_idx(os.path.join(root, prefix + "-labels-idx1-ubyte"), lbl, 0x801, gz)
        out[prefix] = (img, lbl)
    return out


@pytest.mark.parametrize("cls,gz", [(MNIST, True), (MNIST, False), (FashionMNIST, True)])
def test_mnist_formats(tmp_path, cls, gz):
    ref = make_mnist(str(tmp_path), gz=gz)
    train = cls(root=str(tmp_path))
    assert len(train) == 7
    x, y = train[4]
    assert isinstance(x, mx.nd.NDArray) and x.shape == (28, 28, 1) and x.dtype == np.uint8
    np.testing.assert_array_equal(x.asnumpy()[:, :, 0], ref["train"][0][4])
    assert y == ref["train"][1][4] and y.dtype == np.int32
    test = cls(root=str(tmp_path), train=False)
    assert len(test) == 3
    t = cls(root=str(tmp_path), transform=lambda d, l: (d.astype("float32") / 255, l + 100))
    d, l = t[0]
    np.testing.assert_allclose(d.asnumpy()[:, :, 0], ref["train"][0][0] / 255.0, rtol=1e-6)
    assert l == ref["train"][1][0] + 100


def test_mnist_missing_and_corrupt_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte\[\.gz\], "
                                                r"train-labels-idx1-ubyte\[\.gz\].*never downloads"):
        MNIST(root=str(tmp_path))
    make_mnist(str(tmp_path), gz=False)
    with open(tmp_path / "train-labels-idx1-ubyte", "r+b") as f:
        f.write(struct.pack(">I", 0x803))
    with pytest.raises(ValueError, match="idx magic is 0x00000803, expected 0x00000801"):
        MNIST(root=str(tmp_path))


def test_mnist_in_a_dataloader(tmp_path):
    ref = make_mnist(str(tmp_path), n_train=10)
    ds = MNIST(root=str(tmp_path)).transform_first(transforms.ToTensor())
    batches = list(DataLoader(ds, batch_size=4, num_workers=2))
    assert [b[0].shape for b in batches] == [(4, 1, 28, 28), (4, 1, 28, 28), (2, 1, 28, 28)]
    np.testing.assert_allclose(batches[0][0].asnumpy()[:, 0], ref["train"][0][:4] / 255.0,
                               rtol=1e-6)
    np.testing.assert_array_equal(batches[2][1].asnumpy(), ref["train"][1][8:])


def cifar_records(rng, n, label_bytes):
    labels = rng.integers(0, 100, size=(n, label_bytes), dtype=np.uint8)
    pixels = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
    return np.concatenate([labels, pixels], axis=1), labels, pixels


def test_cifar10_binary_batches(tmp_path):
    rng = np.random.default_rng(1)
    all_pix, all_lbl = [], []
    for name in ["data_batch_%d.bin" % i for i in range(1, 6)] + ["test_batch.bin"]:
        raw, lbl, pix = cifar_records(rng, 2, 1)
        raw.tofile(str(tmp_path / name))
        if name != "test_batch.bin":
            all_pix.append(pix)
            all_lbl.append(lbl[:, 0])
    pix, lbl = np.concatenate(all_pix), np.concatenate(all_lbl)
    ds = CIFAR10(root=str(tmp_path))
    assert len(ds) == 10
    x, y = ds[7]
    assert x.shape == (32, 32, 3) and x.dtype == np.uint8
    np.testing.assert_array_equal(x.asnumpy(), pix[7].reshape(3, 32, 32).transpose(1, 2, 0))
    assert y == lbl[7] and y.dtype == np.int32
    assert len(CIFAR10(root=str(tmp_path), train=False)) == 2


def test_cifar10_python_pickles_in_subdirectory(tmp_path):
    sub = tmp_path / "cifar-10-batches-py"
    sub.mkdir()
    rng = np.random.default_rng(2)
    raw, lbl, pix = cifar_records(rng, 3, 1)
    with open(sub / "test_batch", "wb") as f:
        pickle.dump({b"data": pix, b"labels": lbl[:, 0].tolist(), b"batch_label": b"t"}, f)
    ds = CIFAR10(root=str(tmp_path), train=False)
    x, y = ds[1]
    np.testing.assert_array_equal(x.asnumpy(), pix[1].reshape(3, 32, 32).transpose(1, 2, 0))
    assert y == lbl[1, 0]
    with pytest.raises(FileNotFoundError, match="data_batch_1.bin"):
        CIFAR10(root=str(tmp_path), train=True)


def test_cifar100_fine_and_coarse(tmp_path):
    rng = np.random.default_rng(3)
    raw, lbl, pix = cifar_records(rng, 4, 2)
    raw.tofile(str(tmp_path / "train.bin"))
    assert CIFAR100(root=str(tmp_path))[2][1] == lbl[2, 0]
    assert CIFAR100(root=str(tmp_path), fine_label=True)[2][1] == lbl[2, 1]


# ---------------------------------------------------------------- transforms

def image(h=5, w=7, c=3, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(h, w, c), dtype=np.uint8)


def test_to_tensor_normalize_cast():
    img = image()
    t = transforms.ToTensor()(mx.nd.array(img, dtype="uint8"))
    assert t.dtype == np.float32 and t.shape == (3, 5, 7)
    np.testing.assert_allclose(t.asnumpy(), img.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    batch = transforms.ToTensor()(mx.nd.array(np.stack([img, img]), dtype="uint8"))
    assert batch.shape == (2, 3, 5, 7)
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    n = transforms.Normalize(mean, std)(t)
    want = (img.transpose(2, 0, 1) / 255.0 - np.array(mean)[:, None, None]) \
        / np.array(std)[:, None, None]
    np.testing.assert_allclose(n.asnumpy(), want, rtol=1e-5, atol=1e-6)
    nb = transforms.Normalize(0.5, 2.0)(batch)
    np.testing.assert_allclose(nb.asnumpy()[1], (img.transpose(2, 0, 1) / 255.0 - 0.5) / 2,
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="argument 'mean' has 2 values but the input has 3 channels"):
        transforms.Normalize((0, 1), 1)(t)
    assert transforms.Cast("float16")(t).dtype == np.float16
    with pytest.raises(ValueError, match="_image_to_tensor: argument 'data' must be"):
        transforms.ToTensor()(mx.nd.ones((4, 4)))


def naive_bilinear(img, w_out, h_out):
    """Per-pixel bilinear with half-pixel centres and clamped edges."""
    h, w, c = img.shape
    out = np.zeros((h_out, w_out, c))
    for y in range(h_out):
        fy = min(max((y + 0.5) * h / h_out - 0.5, 0), h - 1)
        y0 = int(np.floor(fy))
        y1, wy = min(y0 + 1, h - 1), fy - y0
        for x in range(w_out):
            fx = min(max((x + 0.5) * w / w_out - 0.5, 0), w - 1)
            x0 = int(np.floor(fx))
            x1, wx = min(x0 + 1, w - 1), fx - x0
            out[y, x] = ((1 - wy) * ((1 - wx) * img[y0, x0] + wx * img[y0, x1])
                         + wy * ((1 - wx) * img[y1, x0] + wx * img[y1, x1]))
    return out


@pytest.mark.parametrize("size", [(11, 9), (3, 2), (7, 5), (14, 3)])
def test_resize_bilinear_against_naive_loops(size):
    img = image()
    out = transforms.Resize(size)(mx.nd.array(img, dtype="uint8"))
    assert out.dtype == np.uint8 and out.shape == (size[1], size[0], 3)
    want = naive_bilinear(img.astype(np.float64), *size)
    # rounded to nearest (ties may go either way by floating-point noise)
    assert np.abs(out.asnumpy() - want).max() <= 0.5 + 1e-9
    f = transforms.Resize(size)(mx.nd.array(img, dtype="float32"))
    np.testing.assert_allclose(f.asnumpy(), naive_bilinear(img.astype(np.float64), *size),
                               rtol=1e-5)


def test_resize_other_modes():
    img = image(4, 6)
    near = transforms.Resize((3, 2), interpolation=0)(mx.nd.array(img, dtype="uint8")).asnumpy()
    np.testing.assert_array_equal(near, img[[0, 2]][:, [0, 2, 4]])
    # area with an integer factor is the mean of each 2x2 block
    area = transforms.Resize((3, 2), interpolation=2)(mx.nd.array(img, dtype="float32")).asnumpy()
    np.testing.assert_allclose(area, img.reshape(2, 2, 3, 2, 3).mean(axis=(1, 3)), rtol=1e-6)
    for interp in (3, 4):  # cubic / Lanczos keep constants constant
        const = np.full((5, 6, 1), 77, np.uint8)
        out = transforms.Resize((9, 4), interpolation=interp)(mx.nd.array(const, dtype="uint8"))
        assert (out.asnumpy() == 77).all()
    with pytest.raises(ValueError, match="interpolation must be one of"):
        transforms.Resize(3, interpolation=9)(mx.nd.array(img, dtype="uint8"))


def test_resize_keep_ratio():
    img = mx.nd.array(image(10, 20), dtype="uint8")
    assert transforms.Resize(5, keep_ratio=True)(img).shape == (5, 10, 3)
    assert transforms.Resize(5)(img).shape == (5, 5, 3)
    tall = mx.nd.array(image(20, 10), dtype="uint8")
    assert transforms.Resize(5, keep_ratio=True)(tall).shape == (10, 5, 3)


def test_center_crop():
    img = image(9, 12)
    out = transforms.CenterCrop((4, 3))(mx.nd.array(img, dtype="uint8")).asnumpy()
    np.testing.assert_array_equal(out, img[3:6, 4:8])
    # larger than the image: the largest centred crop of that aspect, resized up
    big = transforms.CenterCrop(18)(mx.nd.array(img, dtype="uint8"))
    assert big.shape == (18, 18, 3)


def test_random_resized_crop():
    np.random.seed(0)
    img = image(16, 20)
    for _ in range(5):
        assert transforms.RandomResizedCrop((8, 6))(mx.nd.array(img, dtype="uint8")).shape \
            == (6, 8, 3)
    # the whole image with its own aspect ratio is a plain resize
    full = transforms.RandomResizedCrop((10, 8), scale=(1, 1), ratio=(1.25, 1.25))
    out = full(mx.nd.array(img, dtype="float32")).asnumpy()
    np.testing.assert_allclose(out, naive_bilinear(img.astype(np.float64), 10, 8), rtol=1e-5)


def test_random_flips():
    img = image()
    x = mx.nd.array(img, dtype="uint8")
    mx.random.seed(5)
    seen = set()
    for _ in range(20):
        lr = transforms.RandomFlipLeftRight()(x).asnumpy()
        if np.array_equal(lr, img):
            seen.add("same")
        else:
            np.testing.assert_array_equal(lr, img[:, ::-1])
            seen.add("flipped")
        tb = transforms.RandomFlipTopBottom()(x).asnumpy()
        assert np.array_equal(tb, img) or np.array_equal(tb, img[::-1])
    assert seen == {"same", "flipped"}


def test_compose():
    img = image(12, 12)
    t = transforms.Compose([transforms.Resize(8), transforms.CenterCrop(6),
                            transforms.ToTensor(), transforms.Normalize(0.5, 0.5)])
    out = t(mx.nd.array(img, dtype="uint8")).asnumpy()
    r = naive_bilinear(img.astype(np.float64), 8, 8)[1:7, 1:7]
    # uint8 rounding after the resize: within half a level (scaled by 1 / (255 * 0.5))
    want = (r.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
    assert out.shape == (3, 6, 6) and np.abs(out - want).max() <= 0.5 / 127.5 + 1e-6


# ------------------------------------------------------------ image datasets

def png_bytes(img):
    """A minimal PNG encoder (8-bit RGB or grayscale, filter 0), independent of the
    codec under test."""
    import zlib
    h, w, c = img.shape
    color = {1: 0, 3: 2}[c]

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data \
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\0" + img[y].tobytes() for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_image_folder_dataset(tmp_path):
    from mxlite.gluon.data.vision import ImageFolderDataset
    imgs = {}
    for cls, n in (("cat", 2), ("dog", 1)):
        (tmp_path / cls).mkdir()
        for i in range(n):
            img = image(4, 6, 3, seed=len(imgs))
            (tmp_path / cls / ("%d.png" % i)).write_bytes(png_bytes(img))
            imgs[(cls, i)] = img
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    ds = ImageFolderDataset(str(tmp_path))
    assert ds.synsets == ["cat", "dog"] and len(ds) == 3
    x, y = ds[2]
    assert y == 1 and x.shape == (4, 6, 3) and x.dtype == np.uint8
    np.testing.assert_array_equal(x.asnumpy(), imgs[("dog", 0)])  # RGB order, as MXNet
    gray, _ = ImageFolderDataset(str(tmp_path), flag=0)[0]
    assert gray.shape == (4, 6, 1)
    with pytest.raises(FileNotFoundError):
        ImageFolderDataset(str(tmp_path / "nope"))


def test_image_record_dataset(tmp_path):
    from mxlite import recordio
    from mxlite.gluon.data.vision import ImageRecordDataset
    w = recordio.MXIndexedRecordIO(str(tmp_path / "i.idx"), str(tmp_path / "i.rec"), "w")
    imgs = [image(5, 3, 3, seed=s) for s in range(3)]
    for i, img in enumerate(imgs):
        w.write_idx(i, recordio.pack(recordio.IRHeader(0, float(i * 2), i, 0), png_bytes(img)))
    w.close()
    ds = ImageRecordDataset(str(tmp_path / "i.rec"),
                            transform=lambda d, l: (transforms.ToTensor()(d), l))
    x, y = ds[1]
    assert y == 2.0 and x.shape == (3, 5, 3)
    np.testing.assert_allclose(x.asnumpy(), imgs[1].transpose(2, 0, 1) / 255.0, rtol=1e-6)


def test_compose_hybridize_gives_the_same_result():
    x = mx.nd.array(image(10, 12), dtype="uint8")
    t = transforms.Compose([transforms.Resize(8), transforms.ToTensor(),
                            transforms.Normalize(0.5, 0.25), transforms.Cast("float16"),
                            transforms.Cast("float32")])
    a = t(x).asnumpy()
    t.hybridize()
    b = t(x).asnumpy()
    assert b.dtype == np.float32 and b.shape == (3, 8, 8)
    np.testing.assert_array_equal(a, b)


# ------------------------------------------------------- mx.nd.image operators

def test_image_to_tensor_op():
    for dtype in ("uint8", "float32"):
        img = image(4, 5).astype(dtype)
        out = mx.nd.image.to_tensor(mx.nd.array(img, dtype=dtype))
        assert out.dtype == np.float32
        np.testing.assert_allclose(out.asnumpy(), img.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    batch = np.stack([image(3, 2, 1, seed=s) for s in range(2)])
    out = mx.nd.image.to_tensor(mx.nd.array(batch, dtype="uint8"))
    np.testing.assert_allclose(out.asnumpy(), batch.transpose(0, 3, 1, 2) / 255.0, rtol=1e-6)
    s = mx.sym.image.to_tensor(mx.sym.var("x"))
    assert s.infer_shape(x=(8, 6, 3))[1] == [(3, 8, 6)]


def test_image_normalize_op_and_gradient():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5)).astype(np.float32)
    mean, std = (0.1, -0.2, 0.3), (2.0, 0.5, 4.0)
    a = mx.nd.array(x)
    a.attach_grad()
    with mx.autograd.record():
        y = mx.nd.image.normalize(a, mean=mean, std=std)
    y.backward(mx.nd.ones_like(y))
    m, s = np.array(mean)[:, None, None], np.array(std)[:, None, None]
    np.testing.assert_allclose(y.asnumpy(), (x - m) / s, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a.grad.asnumpy(), np.broadcast_to(1 / s, x.shape), rtol=1e-6)
    one = mx.nd.image.normalize(mx.nd.array(x[0]), mean=0.5, std=2.0)
    np.testing.assert_allclose(one.asnumpy(), (x[0] - 0.5) / 2, rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match="floating-point"):
        mx.nd.image.normalize(mx.nd.array(image(), dtype="uint8"))
    with pytest.raises(ValueError, match="argument 'std' must be non-zero"):
        mx.nd.image.normalize(mx.nd.array(x), std=(1, 0, 1))


def test_image_flip_ops():
    img = image(3, 4)
    x = mx.nd.array(img, dtype="uint8")
    np.testing.assert_array_equal(mx.nd.image.flip_left_right(x).asnumpy(), img[:, ::-1])
    np.testing.assert_array_equal(mx.nd.image.flip_top_bottom(x).asnumpy(), img[::-1])
    b = np.stack([img, img + 1])
    xb = mx.nd.array(b, dtype="uint8")
    np.testing.assert_array_equal(mx.nd.image.flip_left_right(xb).asnumpy(), b[:, :, ::-1])
    np.testing.assert_array_equal(mx.nd.image.random_flip_top_bottom(xb, p=1.0).asnumpy(),
                                  b[:, ::-1])
    np.testing.assert_array_equal(mx.nd.image.random_flip_left_right(xb, p=0.0).asnumpy(), b)
    f = mx.nd.array(img.astype(np.float32))
    f.attach_grad()
    with mx.autograd.record():
        y = mx.nd.image.flip_left_right(f) * mx.nd.array(np.arange(img.size).reshape(img.shape))
    y.backward()
    np.testing.assert_array_equal(f.grad.asnumpy(), np.arange(img.size).reshape(img.shape)[:, ::-1])
    with pytest.raises(ValueError, match="rank 3"):
        mx.nd.image.flip_left_right(mx.nd.ones((2, 2)))
