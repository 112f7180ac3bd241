"""The main job, first form: train a classifier from Python on mxlite.

Softmax regression on a generated 4-class problem (Gaussian clusters in 20
dimensions, with label noise), trained by minibatch SGD.  Until autograd lands
(issue 3) the gradient is written out with mx.nd ops: for logits Z = XW + b and
one-hot targets Y, dL/dZ = softmax(Z) - Y.  Every step runs on the core
(dot, broadcasting, reductions, exp) through the generated op wrappers.
"""
import sys
import time

import numpy as np

import mxlite as mx


def make_dataset(n, dim=20, classes=4, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 0.7, size=(classes, dim))
    y = rng.integers(0, classes, size=n)
    x = centers[y] + rng.normal(0, 1.0, size=(n, dim))
    flip = rng.random(n) < 0.05  # 5% label noise: accuracy cannot reach 100%
    y[flip] = rng.integers(0, classes, size=flip.sum())
    return x.astype(np.float32), y.astype(np.float32)


def softmax(z):
    z = z - mx.nd.max(z, axis=1, keepdims=True)
    e = mx.nd.exp(z)
    return e / mx.nd.sum(e, axis=1, keepdims=True)


def progress(done, total, width=30):
    filled = int(width * done / total)
    return "[" + "#" * filled + "." * (width - filled) + f"] {done}/{total}"


def main(epochs=8, batch=128, lr=0.02):
    mx.random.seed(42)
    x_all, y_all = make_dataset(8000, seed=1)
    xtr, ytr, xte, yte = x_all[:6000], y_all[:6000], x_all[6000:], y_all[6000:]
    dim, classes = xtr.shape[1], 4
    w = mx.nd.random.normal(0, 0.01, shape=(dim, classes))
    b = mx.nd.zeros((classes,))
    x_test, y_test = mx.nd.array(xte), mx.nd.array(yte)

    def accuracy(x, y):
        pred = mx.nd.argmax(mx.nd.dot(x, w) + b, axis=1)
        return float((pred == y).mean().asscalar())

    print(f"mxlite {mx.__version__}: softmax regression, {len(xtr)} train / {len(xte)} test "
          f"samples, {dim} features, {classes} classes")
    print(f"epoch 0: test accuracy {accuracy(x_test, y_test):.3f} (chance is 0.25)")
    nbatches = len(xtr) // batch
    for epoch in range(1, epochs + 1):
        order = np.random.default_rng(epoch).permutation(len(xtr))
        t0, total_loss = time.time(), 0.0
        for i in range(nbatches):
            idx = order[i * batch:(i + 1) * batch]
            x, y = mx.nd.array(xtr[idx]), mx.nd.array(ytr[idx])
            p = softmax(mx.nd.dot(x, w) + b)
            onehot = mx.nd.one_hot(y, depth=classes)
            loss = -mx.nd.sum(onehot * mx.nd.log(p + 1e-9)) / batch
            dz = (p - onehot) / batch
            w -= lr * mx.nd.dot(x, dz, transpose_a=True)
            b -= lr * mx.nd.sum(dz, axis=0)
            total_loss += float(loss.asscalar())
            if sys.stdout.isatty() or i == nbatches - 1:
                end = "\n" if i == nbatches - 1 else "\r"
                print(f"epoch {epoch} {progress(i + 1, nbatches)} loss {total_loss / (i + 1):.4f}",
                      end=end, flush=True)
        acc = accuracy(x_test, y_test)
        speed = nbatches * batch / (time.time() - t0)
        print(f"epoch {epoch}: loss {total_loss / nbatches:.4f}  test accuracy {acc:.3f}  "
              f"({speed:,.0f} samples/s)")
    final = accuracy(x_test, y_test)
    print(f"final test accuracy: {final:.3f}")
    if final < 0.8:
        raise SystemExit("demo: the model did not learn (accuracy below 0.8)")


if __name__ == "__main__":
    main()
