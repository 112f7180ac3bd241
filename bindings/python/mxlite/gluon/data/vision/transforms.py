"""Image transforms (MXNet 1.9's gluon.data.vision.transforms), as gluon Blocks.

Inputs are NDArrays: HxWxC (or NxHxWxC) images for the geometric transforms and
ToTensor, CxHxW (or NxCxHxW) float tensors for Normalize.  The element-wise ones
(ToTensor, Normalize, Cast, the flips) run as mxlite ops; resizing and cropping
run in NumPy (see _image.py).  As in MXNet, ToTensor, Normalize, Cast and the flips
are HybridBlocks built on the image operators (F.image.*), and the resizing and
cropping transforms are Blocks.  Random flips draw from mx.random (mx.random.seed);
the random crops from NumPy's global generator (np.random.seed).  Random transforms draw from NumPy's global
generator, so np.random.seed makes them reproducible (DataLoader workers reseed it
per worker).
"""
import numpy as np

from .... import ndarray as nd
from . import _image

try:  # the gluon layers (Block, HybridBlock, Sequential)
    from ...block import Block, HybridBlock
    from ...nn import HybridSequential, Sequential
except ImportError:  # gluon.block is not on this branch yet: minimal stand-ins
    class Block:
        """Stand-in until mxlite.gluon.block is available: call -> forward."""

        def __init__(self, prefix=None, params=None):
            self._children = []

        def __call__(self, *args):
            return self.forward(*args)

        def register_child(self, block, name=None):
            self._children.append(block)

        def hybridize(self, active=True, **kwargs):
            for c in self._children:
                c.hybridize(active, **kwargs)

    class HybridBlock(Block):
        def forward(self, x, *args):
            return self.hybrid_forward(nd, x, *args)

    class Sequential(Block):
        def add(self, *blocks):
            for b in blocks:
                self.register_child(b)

        def forward(self, x, *args):
            for b in self._children:
                x = b(x, *args) if args else b(x)
                args = ()
            return x

    class HybridSequential(Sequential, HybridBlock):
        forward = Sequential.forward

__all__ = ["Compose", "Cast", "ToTensor", "Normalize", "Resize", "CenterCrop",
           "RandomResizedCrop", "RandomFlipLeftRight", "RandomFlipTopBottom"]


def _size_pair(size, what):
    if isinstance(size, (int, np.integer)):
        return int(size), int(size)
    if isinstance(size, (tuple, list)) and len(size) == 2:
        return int(size[0]), int(size[1])
    raise ValueError("%s: size must be an int or a (width, height) pair, got %r" % (what, size))


def _image_of(x, what):
    if not isinstance(x, nd.NDArray):
        raise TypeError("%s expects an NDArray image, got %s" % (what, type(x).__name__))
    if x.ndim not in (3, 4):
        raise ValueError("%s expects an (H, W, C) or (N, H, W, C) image, got shape %s"
                         % (what, x.shape))
    return x.asnumpy()


class Compose(Sequential):
    """Applies transforms in order.  Runs of HybridBlocks are grouped into a
    HybridSequential (hybridizable together), as MXNet does.

    >>> transformer = transforms.Compose([transforms.Resize(300),
    ...                                   transforms.CenterCrop(256),
    ...                                   transforms.ToTensor()])
    """

    def __init__(self, transforms):
        super().__init__()
        transforms = list(transforms) + [None]
        run = []
        for t in transforms:
            if isinstance(t, HybridBlock):
                run.append(t)
                continue
            if len(run) == 1:
                self.add(run[0])
            elif len(run) > 1:
                hblock = HybridSequential()
                for r in run:
                    hblock.add(r)
                self.add(hblock)
            run = []
            if t is not None:
                self.add(t)


class Cast(HybridBlock):
    """Casts the input to `dtype` (default float32)."""

    def __init__(self, dtype="float32"):
        super().__init__()
        self._dtype = np.dtype(dtype).name

    def hybrid_forward(self, F, x):
        return F.Cast(x, dtype=self._dtype)


class ToTensor(HybridBlock):
    """(H, W, C) / (N, H, W, C) images in [0, 255] -> float32 (C, H, W) / (N, C, H, W)
    tensors in [0, 1]."""

    def hybrid_forward(self, F, x):
        return F.image.to_tensor(x)


class Normalize(HybridBlock):
    """Per-channel (x - mean) / std for (C, H, W) or (N, C, H, W) float tensors.

    mean, std: a float (all channels) or one value per channel."""

    def __init__(self, mean=0.0, std=1.0):
        super().__init__()
        self._mean = tuple(float(v) for v in np.atleast_1d(mean))
        self._std = tuple(float(v) for v in np.atleast_1d(std))
        if any(v == 0 for v in self._std):
            raise ValueError("Normalize: std must be non-zero, got %s" % (std,))

    def hybrid_forward(self, F, x):
        return F.image.normalize(x, mean=self._mean, std=self._std)


class Resize(Block):
    """Resizes (H, W, C) / (N, H, W, C) images.

    size: an int or (width, height).  With an int and keep_ratio=True, the shorter
    side becomes `size` and the other keeps the aspect ratio; with an int otherwise,
    the output is size x size.  interpolation: 0 nearest, 1 bilinear (default),
    2 area, 3 bicubic, 4 Lanczos."""

    def __init__(self, size, keep_ratio=False, interpolation=1):
        super().__init__()
        self._size = size
        self._keep = keep_ratio
        self._interp = interpolation
        _size_pair(size, "Resize")

    def forward(self, x):
        img = _image_of(x, "Resize")
        h, w = img.shape[-3], img.shape[-2]
        if isinstance(self._size, (int, np.integer)) and self._keep:
            if h > w:
                size = (self._size, int(self._size * h / w))
            else:
                size = (int(self._size * w / h), self._size)
        else:
            size = _size_pair(self._size, "Resize")
        return nd.array(_image.resize(img, size, self._interp), dtype=img.dtype)


class CenterCrop(Block):
    """Crops the centre of an (H, W, C) image to size (an int or (width, height));
    an image smaller than that is cropped as large as fits and resized up."""

    def __init__(self, size, interpolation=1):
        super().__init__()
        self._size = _size_pair(size, "CenterCrop")
        self._interp = interpolation

    def forward(self, x):
        img = _image_of(x, "CenterCrop")
        if img.ndim == 4:
            out = np.stack([_image.center_crop(i, self._size, self._interp) for i in img])
        else:
            out = _image.center_crop(img, self._size, self._interp)
        return nd.array(out, dtype=img.dtype)


class RandomResizedCrop(Block):
    """Crops a random area fraction (in `scale`) with a random aspect ratio (in
    `ratio`, drawn log-uniformly) and resizes it to size; after 10 failed draws
    a centre crop."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation=1):
        super().__init__()
        self._size = _size_pair(size, "RandomResizedCrop")
        self._scale = scale
        self._ratio = ratio
        self._interp = interpolation

    def forward(self, x):
        img = _image_of(x, "RandomResizedCrop")
        if img.ndim == 4:
            raise ValueError("RandomResizedCrop expects one (H, W, C) image, got shape %s"
                             % (img.shape,))
        out = _image.random_size_crop(img, self._size, self._scale, self._ratio, self._interp)
        return nd.array(out, dtype=img.dtype)


class RandomFlipLeftRight(HybridBlock):
    """Flips an (H, W, C) image (or a batch, all at once) horizontally with
    probability 0.5."""

    def hybrid_forward(self, F, x):
        return F.image.random_flip_left_right(x)


class RandomFlipTopBottom(HybridBlock):
    """Flips an (H, W, C) image (or a batch, all at once) vertically with
    probability 0.5."""

    def hybrid_forward(self, F, x):
        return F.image.random_flip_top_bottom(x)
