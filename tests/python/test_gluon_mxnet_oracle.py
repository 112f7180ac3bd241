"""Gluon against MXNet 1.9.1 itself, where it is installed (.venv-peers, or
the interpreter named by MXLITE_PEERS_PYTHON).

One script builds the same Gluon models with `mxnet` and with `mxlite`:
parameter names and shapes after deferred initialization, the hybridized
graph's JSON, layer outputs and losses for identical inputs and weights must
agree.  Skipped when MXNet is not available."""

import numpy as np
import pytest

from mxnet_peer import run_with_both

SCRIPT = r'''
import json, sys, warnings
import numpy as np
warnings.simplefilter("ignore")
if sys.argv[1] == "mxnet":
    import mxnet as mx
else:
    import mxlite as mx
from collections import OrderedDict
gluon, nn = mx.gluon, mx.gluon.nn
out = OrderedDict()
rng = np.random.default_rng(0)

def set_weights(net):
    for name, p in sorted(net.collect_params().items()):
        r = np.random.default_rng(sum(map(ord, name.split("_", 1)[-1])))
        v = r.standard_normal(p.shape) * 0.3
        p.set_data(mx.nd.array(np.abs(v) + 0.5 if name.endswith("var") else v, dtype=p.dtype))

def cnn():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(4, 3, padding=1, activation="relu"), nn.BatchNorm(),
                nn.MaxPool2D(), nn.Conv2D(6, 2, strides=2, use_bias=False),
                nn.GlobalAvgPool2D(), nn.Flatten(), nn.Dense(5, activation="tanh"),
                nn.Dropout(0.0), nn.Dense(3))  # no random masks to compare
    return net

with mx.name.NameManager():
    net = cnn()
    net.initialize()
    x = mx.nd.array(rng.standard_normal((2, 3, 8, 8)))
    net(x)
    out["names"] = [[k, list(v.shape)] for k, v in net.collect_params().items()]
    set_weights(net)
    out["forward"] = net(x).asnumpy().tolist()
    with mx.autograd.record():
        y = net(x)
        (y * y).sum().backward()
    out["grads"] = {k: v.grad().asnumpy().tolist() for k, v in net.collect_params().items()
                    if v.grad_req != "null"}
    out["running_mean"] = net[1].running_mean.data().asnumpy().tolist()
    net.hybridize()
    out["hybrid_forward"] = net(x).asnumpy().tolist()
    out["json"] = json.loads(net._cached_graph[1].tojson())["nodes"]

with mx.name.NameManager():
    a = nn.Dense(3)
    b = nn.Dense(3)
    seq = nn.Sequential()
    with seq.name_scope():
        seq.add(nn.Dense(2), nn.Activation("relu"), nn.LeakyReLU(0.1), nn.PReLU(),
                nn.Embedding(4, 2), nn.LayerNorm(), nn.InstanceNorm(), nn.Conv2DTranspose(2, 3))
    out["prefixes"] = [a.prefix, b.prefix, seq.prefix] + [c.prefix for c in seq._children.values()]
    out["seq_params"] = list(seq.collect_params().keys())

L = gluon.loss
pred = mx.nd.array(rng.standard_normal((4, 5)))
lab = mx.nd.array(rng.standard_normal((4, 5)))
cls = mx.nd.array([0, 3, 4, 1])
sign = mx.nd.array(np.where(rng.random((4, 5)) < 0.5, -1, 1))
bin_ = mx.nd.array((rng.random((4, 5)) < 0.5).astype("float32"))
losses = OrderedDict()
losses["l2"] = L.L2Loss()(pred, lab)
losses["l1"] = L.L1Loss()(pred, lab)
losses["bce"] = L.SigmoidBCELoss()(pred, bin_)
losses["sce"] = L.SoftmaxCrossEntropyLoss()(pred, cls)
losses["kl"] = L.KLDivLoss(from_logits=False)(pred, mx.nd.softmax(lab))
losses["huber"] = L.HuberLoss(rho=0.5)(pred, lab)
losses["hinge"] = L.HingeLoss()(pred, sign)
losses["sqhinge"] = L.SquaredHingeLoss()(pred, sign)
losses["logistic"] = L.LogisticLoss()(pred, sign)
losses["triplet"] = L.TripletLoss()(pred, lab, sign)
losses["poisson"] = L.PoissonNLLLoss()(pred, mx.nd.abs(lab))
losses["cosine"] = L.CosineEmbeddingLoss()(pred, lab, mx.nd.array([1, -1, 1, -1]))
ctc_pred = mx.nd.array(rng.standard_normal((2, 6, 4)))
losses["ctc"] = L.CTCLoss()(ctc_pred, mx.nd.array([[0, 1], [2, -1]]))
out["losses"] = {k: v.asnumpy().tolist() for k, v in losses.items()}
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def results():
    return dict(zip(("mxnet", "mxlite"), run_with_both(SCRIPT)))


def test_names_and_shapes(results):
    assert results["mxlite"]["names"] == results["mxnet"]["names"]
    assert results["mxlite"]["prefixes"] == results["mxnet"]["prefixes"]
    assert results["mxlite"]["seq_params"] == results["mxnet"]["seq_params"]


def test_forward_backward(results):
    a, b = results["mxlite"], results["mxnet"]
    for key in ("forward", "hybrid_forward", "running_mean"):
        np.testing.assert_allclose(a[key], b[key], rtol=1e-4, atol=1e-5, err_msg=key)
    assert a["grads"].keys() == b["grads"].keys()
    for k in a["grads"]:
        np.testing.assert_allclose(a["grads"][k], b["grads"][k], rtol=1e-3, atol=1e-4, err_msg=k)


def test_hybridized_graph(results):
    def simplify(nodes):
        return [(n["op"], n["name"], {k: v for k, v in n.get("attrs", {}).items()
                                      if not k.startswith("__")}) for n in nodes]
    assert simplify(results["mxlite"]["json"]) == simplify(results["mxnet"]["json"])


def test_losses(results):
    a, b = results["mxlite"]["losses"], results["mxnet"]["losses"]
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_allclose(a[k], b[k], rtol=1e-4, atol=1e-5, err_msg=k)
