"""Train a small MLP with Gluon on the UCI digits, export it, and write the
inputs and Python's predictions that the R, Scala and JavaScript predictors
must reproduce.

Usage: train_and_save.py OUT_DIR
Writes OUT_DIR/model-symbol.json, OUT_DIR/model-0000.params (HybridBlock.export,
MXNet's checkpoint format), OUT_DIR/inputs.json ({"shape": [n, 64], "data": [...]}
row-major) and OUT_DIR/python_predictions.json (same layout, softmax outputs).
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mxlite as mx  # noqa: E402
from mxlite import gluon  # noqa: E402
from mxlite.gluon import nn  # noqa: E402
from datasets import load_digits  # noqa: E402

N_INPUTS = 20


class Classifier(gluon.HybridBlock):
    """The exported graph ends in softmax so every language gets probabilities
    from the model itself; training uses the logits (`body`) with the fused
    softmax cross-entropy loss, which is numerically safer."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.body = nn.HybridSequential()
            self.body.add(nn.Dense(64, activation="relu"), nn.Dense(10))

    def hybrid_forward(self, F, x):
        return F.softmax(self.body(x), axis=-1)


def train(net, xtr, ytr, epochs=5, batch=32):
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    for epoch in range(epochs):
        order = np.random.default_rng(epoch).permutation(len(xtr))
        total = 0.0
        for i in range(len(xtr) // batch):
            idx = order[i * batch:(i + 1) * batch]
            x, y = mx.nd.array(xtr[idx]), mx.nd.array(ytr[idx])
            with mx.autograd.record():
                loss = loss_fn(net.body(x), y)
            loss.backward()
            trainer.step(batch)
            total += float(loss.mean().asscalar())
        print(f"epoch {epoch + 1}: loss {total / (len(xtr) // batch):.4f}", file=sys.stderr)


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    mx.random.seed(0)
    xtr, ytr, xte, yte = load_digits()
    net = Classifier()
    net.initialize(mx.init.Xavier())
    net.hybridize()
    train(net, xtr, ytr)
    x = mx.nd.array(xte[:N_INPUTS])
    prob = net(x).asnumpy()  # hybridized: the same graph that export writes
    acc = float((net(mx.nd.array(xte)).asnumpy().argmax(axis=1) == yte).mean())
    print(f"test accuracy {acc:.3f} on {len(xte)} images", file=sys.stderr)
    net.export(os.path.join(out_dir, "model"), epoch=0)
    for name, arr in (("inputs.json", xte[:N_INPUTS]), ("python_predictions.json", prob)):
        with open(os.path.join(out_dir, name), "w") as f:
            json.dump({"shape": list(arr.shape), "data": [float(v) for v in arr.ravel()]}, f)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: train_and_save.py OUT_DIR")
    main(sys.argv[1])
