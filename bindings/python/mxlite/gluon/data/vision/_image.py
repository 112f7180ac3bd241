"""Image resampling for the vision transforms, in NumPy (HxWxC arrays).

Resizing is separable: each axis gets an (out, in) weight matrix and the image is
multiplied by both.  The sampling geometry and kernels follow OpenCV's, which is what
MXNet's image operators use: pixel centres at +0.5, edges replicated;
interpolation codes 0 nearest, 1 bilinear, 2 area, 3 bicubic (a = -0.75),
4 Lanczos (8 taps).  Integer images are rounded to nearest and saturated.
"""
import numpy as np

_INTERP = {0: "nearest", 1: "bilinear", 2: "area", 3: "bicubic", 4: "lanczos"}


def _weights(n_in, n_out, interp):
    """(n_out, n_in) float64 matrix mapping source pixels of one axis to outputs."""
    scale = n_in / n_out
    w = np.zeros((n_out, n_in))
    d = np.arange(n_out)
    if interp == 0:
        w[d, np.minimum(np.floor(d * scale).astype(np.int64), n_in - 1)] = 1
        return w
    if interp == 2 and scale > 1:
        # Each output averages the source interval it covers.
        lo, hi = d * scale, (d + 1) * scale
        for i in range(n_in):
            w[:, i] = np.clip(np.minimum(hi, i + 1) - np.maximum(lo, i), 0, None) / scale
        return w
    if interp == 2:
        sx = np.floor(d * scale).astype(np.int64)
        fx = (d + 1) - (sx + 1) / scale
        fx = np.where(fx <= 0, 0.0, fx - np.floor(fx))
        taps, coef = [sx, sx + 1], [1 - fx, fx]
    else:
        f = (d + 0.5) * scale - 0.5
        sx = np.floor(f).astype(np.int64)
        fx = f - sx
        if interp == 1:
            # OpenCV pins the left edge (no weight outside) and the right edge.
            fx = np.where(sx < 0, 0.0, fx)
            sx = np.maximum(sx, 0)
            fx = np.where(sx >= n_in - 1, 0.0, fx)
            sx = np.minimum(sx, n_in - 1)
            taps, coef = [sx, sx + 1], [1 - fx, fx]
        elif interp == 3:
            a = -0.75
            taps, coef = [], []
            for k in range(-1, 3):
                t = np.abs(fx - k)
                c = np.where(t <= 1, ((a + 2) * t - (a + 3)) * t * t + 1,
                             np.where(t < 2, ((a * t - 5 * a) * t + 8 * a) * t - 4 * a, 0.0))
                taps.append(sx + k)
                coef.append(c)
        else:
            taps, coef = [], []
            for k in range(-3, 5):
                x = fx - k
                taps.append(sx + k)
                coef.append(np.sinc(x) * np.sinc(x / 4))
            total = np.sum(coef, axis=0)
            coef = [c / total for c in coef]
    for t, c in zip(taps, coef):
        np.add.at(w, (d, np.clip(t, 0, n_in - 1)), c)
    return w


def resize(img, size, interp=1):
    """img (H, W, C) or (N, H, W, C) NumPy array -> resized to size = (w, h)."""
    if interp not in _INTERP:
        raise ValueError("interpolation must be one of %s, got %r"
                         % (", ".join("%d (%s)" % kv for kv in _INTERP.items()), interp))
    w_out, h_out = int(size[0]), int(size[1])
    if w_out <= 0 or h_out <= 0:
        raise ValueError("resize: target size must be positive, got (w=%d, h=%d)"
                         % (w_out, h_out))
    batched = img.ndim == 4
    if not batched and img.ndim != 3:
        raise ValueError("resize: expected an (H, W, C) or (N, H, W, C) image, got shape %s"
                         % (img.shape,))
    h_ax = 1 if batched else 0
    h_in, w_in = img.shape[h_ax], img.shape[h_ax + 1]
    if (h_in, w_in) == (h_out, w_out):
        return img.copy()
    wy = _weights(h_in, h_out, interp)
    wx = _weights(w_in, w_out, interp)
    x = img.astype(np.float64)
    x = np.moveaxis(np.tensordot(wy, x, axes=(1, h_ax)), 0, h_ax)
    x = np.moveaxis(np.tensordot(wx, x, axes=(1, h_ax + 1)), 0, h_ax + 1)
    if np.issubdtype(img.dtype, np.integer):
        info = np.iinfo(img.dtype)
        x = np.clip(np.rint(x), info.min, info.max)
    return x.astype(img.dtype)


def scale_down(src_size, size):
    """Shrink a crop size (w, h) to fit in src_size (w, h), keeping its aspect ratio."""
    w, h = size
    sw, sh = src_size
    if sh < h:
        w, h = float(w * sh) / h, sh
    if sw < w:
        w, h = sw, float(h * sw) / w
    return int(w), int(h)


def fixed_crop(img, x0, y0, w, h, size=None, interp=1):
    """Crop (x0, y0, w, h) from an (H, W, C) image, then resize to size = (w, h)."""
    out = img[y0:y0 + h, x0:x0 + w]
    if size is not None and (w, h) != tuple(size):
        out = resize(out, size, interp)
    return out


def center_crop(img, size, interp=1):
    """Crop the centre of size (w, h) (scaled down to fit, then resized up)."""
    h, w = img.shape[:2]
    new_w, new_h = scale_down((w, h), size)
    x0, y0 = int((w - new_w) / 2), int((h - new_h) / 2)
    return fixed_crop(img, x0, y0, new_w, new_h, size, interp)


def random_size_crop(img, size, area, ratio, interp=1, rng=np.random):
    """A crop of random area fraction and aspect ratio, resized to size; after 10
    failed draws, a centre crop."""
    h, w = img.shape[:2]
    src_area = h * w
    if np.isscalar(area):
        area = (area, 1.0)
    for _ in range(10):
        target = rng.uniform(area[0], area[1]) * src_area
        aspect = np.exp(rng.uniform(np.log(ratio[0]), np.log(ratio[1])))
        new_w = int(round(np.sqrt(target * aspect)))
        new_h = int(round(np.sqrt(target / aspect)))
        if 0 < new_w <= w and 0 < new_h <= h:
            x0 = rng.randint(0, w - new_w + 1)
            y0 = rng.randint(0, h - new_h + 1)
            return fixed_crop(img, x0, y0, new_w, new_h, size, interp)
    return center_crop(img, size, interp)
