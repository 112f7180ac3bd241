"""The main job: train a LeNet-style CNN with Gluon, hybridized, on real images.

Handwritten digits (UCI, 1797 8x8 grey images shipped in data/digits), two
conv-relu-pool stages and two dense layers, SGD with momentum through
gluon.Trainer, batches from gluon.data.DataLoader.  The network runs as one
compiled graph (hybridize -> CachedOp).  After training it saves the
parameters, and a fresh Python process rebuilds the network, loads them and
must report the same test accuracy -- the same code as MXNet 1.9 Gluon with
`import mxlite as mx`.

    python demo/train_cnn_gluon.py [--epochs N] [--out DIR]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import mxlite as mx
from mxlite import autograd, gluon
from mxlite.gluon import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datasets import load_digits  # noqa: E402


def build_net():
    net = nn.HybridSequential(prefix="lenet_")
    with net.name_scope():
        net.add(nn.Conv2D(16, kernel_size=3, padding=1, activation="relu"),
                nn.MaxPool2D(pool_size=2),                      # 8x8 -> 4x4
                nn.Conv2D(32, kernel_size=3, padding=1, activation="relu"),
                nn.MaxPool2D(pool_size=2),                      # 4x4 -> 2x2
                nn.Flatten(),
                nn.Dense(64, activation="relu"),
                nn.Dense(10))
    return net


def images(x):
    """(n, 64) pixel rows -> (n, 1, 8, 8) NCHW images."""
    return x.reshape(-1, 1, 8, 8)


def accuracy(net, x, y, batch=256):
    metric = mx.metric.Accuracy()
    for i in range(0, len(x), batch):
        metric.update(mx.nd.array(y[i:i + batch]), net(mx.nd.array(x[i:i + batch])))
    return metric.get()[1]


def progress(done, total, width=30):
    filled = int(width * done / total)
    return "[" + "#" * filled + "." * (width - filled) + f"] {done}/{total}"


def evaluate_saved(params_path):
    """Runs in a fresh process: rebuild, load the saved parameters, evaluate."""
    _, _, xte, yte = load_digits()
    net = build_net()
    net.load_parameters(params_path)
    net.hybridize(static_alloc=True, static_shape=True)
    print(f"reloaded accuracy: {accuracy(net, images(xte), yte):.4f}")


def train(epochs=8, batch=32, lr=0.05, out_dir=None, min_accuracy=0.9):
    mx.random.seed(0)
    np.random.seed(0)
    xtr, ytr, xte, yte = load_digits()
    xtr, xte = images(xtr), images(xte)
    net = build_net()
    net.initialize(mx.init.Xavier(magnitude=2.0))
    net.hybridize(static_alloc=True, static_shape=True)
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(xtr, ytr), batch_size=batch,
                                   shuffle=True, last_batch="discard")
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"learning_rate": lr, "momentum": 0.9, "wd": 1e-4})
    print(f"mxlite {mx.__version__}: LeNet-style CNN (Gluon, hybridized) on handwritten digits, "
          f"{len(xtr)} train / {len(xte)} test 8x8 images, SGD momentum, batch {batch}")
    print(f"epoch 0: test accuracy {accuracy(net, xte, yte):.3f} (chance is 0.1)")
    nbatches = len(loader)
    for epoch in range(1, epochs + 1):
        t0, total_loss, seen = time.time(), 0.0, 0
        for i, (x, y) in enumerate(loader):
            with autograd.record():
                loss = loss_fn(net(x), y)
            loss.backward()
            trainer.step(x.shape[0])
            total_loss += float(loss.mean().asscalar())
            seen += x.shape[0]
            if sys.stdout.isatty() or i == nbatches - 1:
                end = "\n" if i == nbatches - 1 else "\r"
                print(f"epoch {epoch:2d} {progress(i + 1, nbatches)} loss {total_loss / (i + 1):.4f}",
                      end=end, flush=True)
        speed = seen / (time.time() - t0)
        print(f"epoch {epoch:2d}: loss {total_loss / nbatches:.4f}  "
              f"test accuracy {accuracy(net, xte, yte):.3f}  ({speed:,.0f} images/s)")
    final = accuracy(net, xte, yte)
    print(f"final test accuracy: {final:.4f}")
    if final < min_accuracy:
        raise SystemExit(f"demo: the model did not learn (accuracy {final:.3f} < {min_accuracy})")

    out_dir = out_dir or tempfile.mkdtemp(prefix="mxlite-demo-")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "lenet.params")
    net.save_parameters(path)
    print(f"saved parameters to {path}; reloading them in a fresh process ...")
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--evaluate", path],
                         capture_output=True, text=True, check=True).stdout
    print(out.strip())
    reloaded = float(out.split("reloaded accuracy: ")[1].split()[0])
    if abs(reloaded - round(final, 4)) > 1e-9:
        raise SystemExit(f"demo: reloaded accuracy {reloaded} differs from {final:.4f}")
    print("same accuracy after reloading: yes")
    return final, reloaded


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--out", default=None, help="where lenet.params goes (default: a temp dir)")
    ap.add_argument("--evaluate", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.evaluate:
        evaluate_saved(args.evaluate)
    else:
        train(epochs=args.epochs, out_dir=args.out)


if __name__ == "__main__":
    main()
