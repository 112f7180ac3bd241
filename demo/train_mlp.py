"""The main job: train a multilayer perceptron with mx.autograd on real data.

Handwritten digits (UCI, 8x8 images shipped in data/digits), an MLP
64-128-64-10 with ReLU, softmax cross-entropy, and SGD with momentum through
the fused update op -- the way an MXNet 1.x imperative training loop reads.
"""
import sys
import time

import numpy as np

import mxlite as mx
from datasets import load_digits


def progress(done, total, width=30):
    filled = int(width * done / total)
    return "[" + "#" * filled + "." * (width - filled) + f"] {done}/{total}"


class MLP:
    def __init__(self, sizes, seed=0):
        mx.random.seed(seed)
        self.params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            scale = np.sqrt(2.0 / fan_in)  # He initialization for ReLU layers
            w = mx.nd.random.normal(0, scale, shape=(fan_out, fan_in))
            b = mx.nd.zeros((fan_out,))
            self.params += [w, b]
        for p in self.params:
            p.attach_grad()
        self.momentum = [mx.nd.zeros(p.shape) for p in self.params]

    def __call__(self, x):
        layers = len(self.params) // 2
        for i in range(layers):
            w, b = self.params[2 * i], self.params[2 * i + 1]
            x = mx.nd.FullyConnected(x, w, b, num_hidden=w.shape[0])
            if i < layers - 1:
                x = mx.nd.Activation(x, act_type="relu")
        return x

    def step(self, lr, batch_size):
        for p, m in zip(self.params, self.momentum):
            mx.nd.sgd_mom_update(p, p.grad, m, lr=lr, momentum=0.9, wd=1e-4,
                                 rescale_grad=1.0 / batch_size, out=p)


def accuracy(net, x, y):
    pred = mx.nd.argmax(net(x), axis=1)
    return float((pred == y).mean().asscalar())


def main(epochs=20, batch=32, lr=0.05, min_accuracy=0.9):
    xtr, ytr, xte, yte = load_digits()
    net = MLP([64, 128, 64, 10])
    x_test, y_test = mx.nd.array(xte), mx.nd.array(yte)
    print(f"mxlite {mx.__version__}: MLP 64-128-64-10 on handwritten digits, {len(xtr)} train / "
          f"{len(xte)} test images, SGD momentum, batch {batch}")
    print(f"epoch 0: test accuracy {accuracy(net, x_test, y_test):.3f} (chance is 0.1)")
    nbatches = len(xtr) // batch
    for epoch in range(1, epochs + 1):
        order = np.random.default_rng(epoch).permutation(len(xtr))
        t0, total_loss = time.time(), 0.0
        for i in range(nbatches):
            idx = order[i * batch:(i + 1) * batch]
            x, y = mx.nd.array(xtr[idx]), mx.nd.array(ytr[idx])
            with mx.autograd.record():
                loss = mx.nd.softmax_cross_entropy(net(x), y)  # summed over the batch
            loss.backward()
            net.step(lr, batch)
            total_loss += float(loss.asscalar()) / batch
            if sys.stdout.isatty() or i == nbatches - 1:
                end = "\n" if i == nbatches - 1 else "\r"
                print(f"epoch {epoch:2d} {progress(i + 1, nbatches)} loss {total_loss / (i + 1):.4f}",
                      end=end, flush=True)
        acc = accuracy(net, x_test, y_test)
        speed = nbatches * batch / (time.time() - t0)
        print(f"epoch {epoch:2d}: loss {total_loss / nbatches:.4f}  test accuracy {acc:.3f}  "
              f"({speed:,.0f} samples/s)")
    final = accuracy(net, x_test, y_test)
    print(f"final test accuracy: {final:.3f}")
    if final < min_accuracy:
        raise SystemExit(f"demo: the model did not learn (accuracy {final:.3f} < {min_accuracy})")
    return final


if __name__ == "__main__":
    main()
