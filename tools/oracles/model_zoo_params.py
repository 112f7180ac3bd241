"""Oracle (not in CI): MXNet 1.9.1 .params files of model_zoo networks load in
mxlite (pretrained=True, root=...) and give MXNet's outputs.

    .venv/bin/python tools/oracles/model_zoo_params.py [--peers PYTHON]

MXNet builds each model, randomizes the BatchNorm running statistics (so they
matter), runs one inference forward, and writes the parameters twice: with
save_parameters (structural names, 'features.0.weight') as <name>.params and
with the deprecated save_params (prefix-stripped names, 'conv0_weight') as
<name>-0000beef.params in a second directory.  mxlite loads both through the
model store and must reproduce MXNet's output."""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

MODELS = {"resnet18_v1": 32, "resnet18_v2": 32, "resnet50_v1": 32, "mobilenet0.25": 32,
          "mobilenetv2_0.25": 32, "vgg11_bn": 32, "alexnet": 64, "squeezenet1.1": 224,
          "densenet121": 224, "inceptionv3": 299}


def produce(out_dir):
    import warnings
    warnings.simplefilter("ignore")  # save_params is deprecated; used on purpose
    import mxnet as mx
    from mxnet.gluon.model_zoo import vision
    rng = np.random.RandomState(0)
    for name, size in MODELS.items():
        net = vision.get_model(name, classes=10)
        net.initialize(mx.init.Xavier())
        x = rng.uniform(-1, 1, (1, 3, size, size)).astype(np.float32)
        net(mx.nd.array(x))
        for key, p in net._collect_params_with_prefix().items():
            if key.endswith("running_mean"):
                p.set_data(mx.nd.array(rng.uniform(-0.1, 0.1, p.shape)))
            elif key.endswith("running_var"):
                p.set_data(mx.nd.array(rng.uniform(0.5, 1.5, p.shape)))
        y = net(mx.nd.array(x)).asnumpy()
        net.save_parameters(os.path.join(out_dir, "structural", name + ".params"))
        net.save_params(os.path.join(out_dir, "legacy", name + "-0000beef.params"))
        np.savez(os.path.join(out_dir, name + ".npz"), x=x, y=y)


def check(out_dir):
    import mxlite as mx
    from mxlite.gluon.model_zoo import vision
    bad = 0
    for name in MODELS:
        data = np.load(os.path.join(out_dir, name + ".npz"))
        for kind in ("structural", "legacy"):
            net = vision.get_model(name, classes=10, pretrained=True,
                                   root=os.path.join(out_dir, kind))
            y = net(mx.nd.array(data["x"])).asnumpy()
            err = float(np.max(np.abs(y - data["y"])) / (np.max(np.abs(data["y"])) + 1e-12))
            ok = err < 1e-4
            bad += not ok
            print(f"{name:18s} {kind:10s} {'OK' if ok else 'MISMATCH'} (max rel err {err:.2e})")
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peers", default="/work/main/.venv-peers/bin/python")
    ap.add_argument("--produce")
    a = ap.parse_args()
    if a.produce:
        produce(a.produce)
        return 0
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "structural"))
        os.makedirs(os.path.join(d, "legacy"))
        subprocess.check_call([a.peers, os.path.abspath(__file__), "--produce", d])
        return 1 if check(d) else 0


if __name__ == "__main__":
    sys.exit(main())
