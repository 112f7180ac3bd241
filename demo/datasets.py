"""Small real datasets the project ships (no downloads): see data/*/README.md."""
import gzip
import os

import numpy as np

_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def load_digits(test_fraction=0.2, seed=0):
    """UCI handwritten digits: 1797 8x8 images (pixels scaled to [0, 1]), labels 0..9.

    Returns (x_train, y_train, x_test, y_test) as float32 arrays, x of shape
    (n, 64); the split is a seeded shuffle, so it is the same on every run."""
    path = os.path.join(_DATA, "digits", "digits.csv.gz")
    if not os.path.exists(path):
        raise FileNotFoundError(f"digits dataset not found: expected {os.path.normpath(path)}")
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.float32)
    x, y = table[:, :64] / 16.0, table[:, 64]
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(len(x) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]
