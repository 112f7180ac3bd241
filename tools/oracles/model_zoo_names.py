"""Oracle (not in CI): compare gluon.model_zoo.vision parameter names and
shapes of mxlite against MXNet 1.9.1's.

The same dump code runs under either framework (their APIs match), so:
    <peers python> tools/oracles/model_zoo_names.py --framework mxnet --out ref.json
    .venv/bin/python tools/oracles/model_zoo_names.py --framework mxlite --out ours.json
    .venv/bin/python tools/oracles/model_zoo_names.py --compare ref.json ours.json
or, in one go (needs /work/main/.venv-peers/bin/python with MXNet 1.9.1):
    .venv/bin/python tools/oracles/model_zoo_names.py --auto
Shapes come from symbolic shape inference at each model's standard input
size, so nothing is computed; structural names (save_parameters) and prefixed
names (save_params / export) are both compared, as are the output shapes."""
import argparse
import json
import os
import subprocess
import sys

MODELS = ["resnet18_v1", "resnet34_v1", "resnet50_v1", "resnet101_v1", "resnet152_v1",
          "resnet18_v2", "resnet34_v2", "resnet50_v2", "resnet101_v2", "resnet152_v2",
          "vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn",
          "alexnet", "densenet121", "densenet161", "densenet169", "densenet201",
          "squeezenet1.0", "squeezenet1.1", "inceptionv3",
          "mobilenet1.0", "mobilenet0.75", "mobilenet0.5", "mobilenet0.25",
          "mobilenetv2_1.0", "mobilenetv2_0.75", "mobilenetv2_0.5", "mobilenetv2_0.25"]


def dump(framework):
    mx = __import__(framework)
    from importlib import import_module
    vision = import_module(framework + ".gluon.model_zoo.vision")
    out = {}
    for name in MODELS:
        size = 299 if name.startswith("inception") else 224
        net = vision.get_model(name)
        sym = net(mx.sym.var("data"))
        args, outs, auxs = sym.infer_shape(data=(1, 3, size, size))
        shapes = dict(zip(sym.list_arguments(), args))
        shapes.update(zip(sym.list_auxiliary_states(), auxs))
        params = {}
        for key, p in net._collect_params_with_prefix().items():
            params[key] = [p.name, list(shapes[p.name])]
        out[name] = {"params": params, "output": list(outs[0])}
    return out


def compare(ref, ours):
    bad = 0
    for name, r in ref.items():
        o = ours.get(name)
        if o is None:
            print(f"{name}: missing in mxlite")
            bad += 1
            continue
        problems = []
        if r["output"] != o["output"]:
            problems.append(f"output {o['output']} != {r['output']}")
        for key in sorted(set(r["params"]) | set(o["params"])):
            if r["params"].get(key) != o["params"].get(key):
                problems.append(f"{key}: {o['params'].get(key)} != {r['params'].get(key)}")
        count = sum(_size(s) for _, s in r["params"].values())
        print(f"{name}: {'OK' if not problems else 'MISMATCH'} ({len(r['params'])} params, "
              f"{count} values incl. running stats)")
        for p in problems[:10]:
            print("   ", p)
        bad += bool(problems)
    return bad


def _size(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework", choices=["mxnet", "mxlite"])
    ap.add_argument("--out")
    ap.add_argument("--compare", nargs=2)
    ap.add_argument("--auto", action="store_true")
    ap.add_argument("--peers", default="/work/main/.venv-peers/bin/python")
    a = ap.parse_args()
    if a.framework:
        with open(a.out, "w") as f:
            json.dump(dump(a.framework), f)
        return 0
    if a.compare:
        with open(a.compare[0]) as f, open(a.compare[1]) as g:
            return 1 if compare(json.load(f), json.load(g)) else 0
    if a.auto:
        ref = "/tmp/model_zoo_ref.json"
        if not os.path.exists(ref):
            subprocess.check_call([a.peers, __file__, "--framework", "mxnet", "--out", ref])
        ours = dump("mxlite")
        with open(ref) as f:
            return 1 if compare(json.load(f), ours) else 0
    ap.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
