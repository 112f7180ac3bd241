"""Image transforms (MXNet 1.9's gluon.data.vision.transforms), as gluon Blocks.

Inputs are NDArrays: HxWxC (or NxHxWxC) images for the geometric transforms and
ToTensor, CxHxW (or NxCxHxW) float tensors for Normalize.  The element-wise ones
(ToTensor, Normalize, Cast, the flips) run as mxlite ops; resizing and cropping
run in NumPy (see _image.py).  Difference from MXNet: only Cast is a HybridBlock.
ToTensor, Normalize and the flips depend on the input's rank, which mxlite has no
rank-generic image operator for yet (MXNet's _image_* ops), so they are Blocks and
hybridize() leaves them imperative.  Random transforms draw from NumPy's global
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


class ToTensor(Block):
    """(H, W, C) / (N, H, W, C) images in [0, 255] -> float32 (C, H, W) / (N, C, H, W)
    tensors in [0, 1]."""

    def forward(self, x):
        if x.ndim not in (3, 4):
            raise ValueError("ToTensor expects an (H, W, C) or (N, H, W, C) image, got shape %s"
                             % (x.shape,))
        axes = (2, 0, 1) if x.ndim == 3 else (0, 3, 1, 2)
        return nd.transpose(nd.Cast(x, dtype="float32"), axes=axes) / 255.0


class Normalize(Block):
    """Per-channel (x - mean) / std for (C, H, W) or (N, C, H, W) float tensors.

    mean, std: a float (all channels) or one value per channel."""

    def __init__(self, mean=0.0, std=1.0):
        super().__init__()
        self._mean = np.atleast_1d(np.asarray(mean, dtype=np.float32))
        self._std = np.atleast_1d(np.asarray(std, dtype=np.float32))
        if np.any(self._std == 0):
            raise ValueError("Normalize: std must be non-zero, got %s" % (std,))

    def forward(self, x):
        if x.ndim not in (3, 4):
            raise ValueError("Normalize expects a (C, H, W) or (N, C, H, W) tensor, got shape %s"
                             % (x.shape,))
        c = x.shape[0 if x.ndim == 3 else 1]
        for name, v in (("mean", self._mean), ("std", self._std)):
            if v.size not in (1, c):
                raise ValueError("Normalize: %s has %d values but the input has %d channels"
                                 % (name, v.size, c))
        shape = (c, 1, 1) if x.ndim == 3 else (1, c, 1, 1)
        mean = nd.array(np.broadcast_to(self._mean, (c,)).reshape(shape), dtype=x.dtype)
        std = nd.array(np.broadcast_to(self._std, (c,)).reshape(shape), dtype=x.dtype)
        return nd.broadcast_div(nd.broadcast_sub(x, mean), std)


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


class _RandomFlip(Block):
    _axis = None

    def forward(self, x):
        if x.ndim not in (3, 4):
            raise ValueError("%s expects an (H, W, C) or (N, H, W, C) image, got shape %s"
                             % (type(self).__name__, x.shape))
        if np.random.random() < 0.5:
            return nd.flip(x, axis=self._axis + x.ndim - 3)
        return x


class RandomFlipLeftRight(_RandomFlip):
    """Flips an (H, W, C) image horizontally with probability 0.5."""
    _axis = 1


class RandomFlipTopBottom(_RandomFlip):
    """Flips an (H, W, C) image vertically with probability 0.5."""
    _axis = 0
