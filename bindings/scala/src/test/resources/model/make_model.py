"""Trains a small model in Python (mxlite) and exports it for the Scala binding's
inference test (ModelSuite): a symbol file and a .params file as MXNet's
`export` writes them, plus the Python predictions the Scala side must match.

    .venv/bin/python bindings/scala/src/test/resources/model/make_model.py

Writes mlp-symbol.json, mlp-0000.params (keys "arg:..." and "aux:...") and
mlp-expected.json ({"input": {...}, "output": {...}}) next to this file.  The
model, data -> FullyConnected(8) -> BatchNorm -> relu -> FullyConnected(3) ->
softmax, has auxiliary states, so the test covers both key kinds and inference
mode (BatchNorm on its moving statistics).
"""
import json
import os

import numpy as np

import mxlite as mx

HERE = os.path.dirname(os.path.abspath(__file__))


def symbol():
    data = mx.sym.var("data")
    fc1 = mx.sym.FullyConnected(data, num_hidden=8, name="fc1")
    bn = mx.sym.BatchNorm(fc1, fix_gamma=False, name="bn1")
    act = mx.sym.Activation(bn, act_type="relu", name="relu1")
    fc2 = mx.sym.FullyConnected(act, num_hidden=3, name="fc2")
    return mx.sym.softmax(fc2, name="prob")


def logits(p, x):
    h = mx.nd.FullyConnected(x, p["fc1_weight"], p["fc1_bias"], num_hidden=8)
    h = mx.nd.BatchNorm(h, p["bn1_gamma"], p["bn1_beta"], p["bn1_moving_mean"],
                        p["bn1_moving_var"], fix_gamma=False)
    h = mx.nd.Activation(h, act_type="relu")
    return mx.nd.FullyConnected(h, p["fc2_weight"], p["fc2_bias"], num_hidden=3)


def main():
    rng = np.random.RandomState(7)
    x = rng.randn(96, 4).astype("float32")
    teacher = rng.randn(4, 3).astype("float32")
    y = (x @ teacher).argmax(axis=1).astype("float32")
    p = {"fc1_weight": rng.randn(8, 4) * 0.5, "fc1_bias": np.zeros(8),
         "bn1_gamma": np.ones(8), "bn1_beta": np.zeros(8),
         "bn1_moving_mean": np.zeros(8), "bn1_moving_var": np.ones(8),
         "fc2_weight": rng.randn(3, 8) * 0.5, "fc2_bias": np.zeros(3)}
    p = {k: mx.nd.array(v.astype("float32")) for k, v in p.items()}
    aux = ("bn1_moving_mean", "bn1_moving_var")
    trained = [k for k in p if k not in aux]
    for k in trained:
        p[k].attach_grad()
    xs, ys = mx.nd.array(x), mx.nd.array(y)
    for _ in range(40):
        with mx.autograd.record():
            loss = mx.nd.softmax_cross_entropy(logits(p, xs), ys) / len(x)
        loss.backward()
        for k in trained:
            mx.nd.sgd_update(p[k], p[k].grad, lr=0.5, out=p[k])

    symbol().save(os.path.join(HERE, "mlp-symbol.json"))
    mx.nd.save(os.path.join(HERE, "mlp-0000.params"),
               {("aux:" if k in aux else "arg:") + k: v for k, v in p.items()})
    test_x = rng.randn(5, 4).astype("float32")
    out = mx.nd.softmax(logits(p, mx.nd.array(test_x))).asnumpy()  # not recording: inference mode
    doc = {"input": {"name": "data", "shape": list(test_x.shape), "data": test_x.ravel().tolist()},
           "output": {"shape": list(out.shape), "data": out.ravel().tolist()}}
    with open(os.path.join(HERE, "mlp-expected.json"), "w") as f:
        json.dump(doc, f)
        f.write("\n")


if __name__ == "__main__":
    main()
