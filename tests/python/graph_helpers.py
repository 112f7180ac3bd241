"""Symbol graphs for the executor / CachedOp / memory-plan tests, and the
oracle they are checked against: the same graph evaluated op by op through
eager mx.nd calls (and eager autograd for gradients), read from the symbol's
JSON, so no executor code is involved."""
import json

import numpy as np

import mxlite as mx


def mlp(hidden=(16, 8), act="relu"):
    net = mx.sym.var("data")
    for i, h in enumerate(hidden):
        net = mx.sym.FullyConnected(data=net, name=f"fc{i + 1}", num_hidden=h)
        if i + 1 < len(hidden):
            net = mx.sym.Activation(data=net, name=f"{act}{i + 1}", act_type=act)
    return net


def cnn():
    data = mx.sym.var("data")
    net = mx.sym.Convolution(data, name="conv1", kernel=(3, 3), num_filter=4, pad=(1, 1))
    net = mx.sym.BatchNorm(net, name="bn1", fix_gamma=False)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.Pooling(net, name="pool1", kernel=(2, 2), stride=(2, 2), pool_type="max")
    net = mx.sym.Flatten(net, name="flat")
    return mx.sym.FullyConnected(net, name="fc", num_hidden=5)


def residual_unit(data, nf, name, stride=1, project=False):
    b1 = mx.sym.BatchNorm(data, name=name + "_bn1", fix_gamma=False)
    a1 = mx.sym.Activation(b1, name=name + "_relu1", act_type="relu")
    c1 = mx.sym.Convolution(a1, name=name + "_conv1", kernel=(3, 3), stride=(stride, stride),
                            pad=(1, 1), num_filter=nf, no_bias=True)
    b2 = mx.sym.BatchNorm(c1, name=name + "_bn2", fix_gamma=False)
    a2 = mx.sym.Activation(b2, name=name + "_relu2", act_type="relu")
    c2 = mx.sym.Convolution(a2, name=name + "_conv2", kernel=(3, 3), pad=(1, 1), num_filter=nf,
                            no_bias=True)
    short = data
    if project:
        short = mx.sym.Convolution(a1, name=name + "_sc", kernel=(1, 1),
                                   stride=(stride, stride), num_filter=nf, no_bias=True)
    return c2 + short


def resnet_small(units=(1, 1), filters=(4, 8), classes=3):
    data = mx.sym.var("data")
    net = mx.sym.Convolution(data, name="conv0", kernel=(3, 3), pad=(1, 1),
                             num_filter=filters[0], no_bias=True)
    for s, (n, nf) in enumerate(zip(units, filters)):
        for u in range(n):
            stride = 2 if s > 0 and u == 0 else 1
            net = residual_unit(net, nf, f"stage{s}_unit{u}", stride,
                                project=(u == 0 and s > 0))
    net = mx.sym.BatchNorm(net, name="bn_final", fix_gamma=False)
    net = mx.sym.Activation(net, name="relu_final", act_type="relu")
    net = mx.sym.Pooling(net, name="pool", global_pool=True, kernel=(1, 1), pool_type="avg")
    net = mx.sym.Flatten(net)
    return mx.sym.FullyConnected(net, name="fc", num_hidden=classes)


def random_inputs(sym, rng, **shapes):
    """NumPy values for every argument and auxiliary state (moving_var positive)."""
    arg_shapes, _, aux_shapes = sym.infer_shape(**shapes)
    args = {n: rng.standard_normal(s).astype(np.float32) * 0.5
            for n, s in zip(sym.list_arguments(), arg_shapes)}
    aux = {}
    for n, s in zip(sym.list_auxiliary_states(), aux_shapes):
        aux[n] = (rng.uniform(0.5, 1.5, s) if n.endswith("var")
                  else rng.standard_normal(s) * 0.1).astype(np.float32)
    return args, aux


def eager_eval(sym, arrays):
    """Run sym's graph op by op with eager mx.nd calls.  arrays: name -> NDArray for
    every variable (auxiliary states are updated in place as the ops do).  Returns the
    symbol's outputs."""
    graph = json.loads(sym.tojson())
    values = []
    for node in graph["nodes"]:
        if node["op"] == "null":
            values.append([arrays[node["name"]]])
            continue
        ins = [values[i][j] for i, j, *_ in node["inputs"]]
        attrs = {k: v for k, v in node.get("attrs", {}).items() if not k.startswith("__")}
        out = getattr(mx.nd, node["op"])(*ins, **attrs)
        values.append([out] if isinstance(out, mx.nd.NDArray) else list(out))
    return [values[i][j] for i, j, *_ in graph["heads"]]


def eager_grads(sym, args, aux, head_grads, train=True, wrt=None):
    """Eager autograd oracle: outputs, gradients (name -> NumPy) and updated aux states."""
    arrays = {n: mx.nd.array(v) for n, v in args.items()}
    arrays.update({n: mx.nd.array(v) for n, v in aux.items()})
    wrt = list(args) if wrt is None else wrt
    for n in wrt:
        arrays[n].attach_grad()
    with mx.autograd.record(train_mode=train):
        outs = eager_eval(sym, arrays)
    mx.autograd.backward(outs, [mx.nd.array(h) for h in head_grads])
    return ([o.asnumpy() for o in outs], {n: arrays[n].grad.asnumpy() for n in wrt},
            {n: arrays[n].asnumpy() for n in aux})
