"""ResNet-18 (v1 BasicBlocks of 64, 128, 256, 512 filters, two per stage; global
average pool; dense head), built with any module that has MXNet's mx.sym API (mxlite
or MXNet 1.9.1), so both run the same graph.

arch "v1": Gluon model_zoo's resnet18_v1 layout (7x7/2 stem and 3x3/2 max pool,
1000 classes) on 3x32x32 inputs -- the configuration the issue's reference
numbers (MXNet 1.9.1 hybridized 659 img/s, PyTorch 605 img/s) were measured
with.  arch "cifar": 3x3 stem without pooling, 10 classes (16x the FLOPs at
32x32)."""


def _conv_bn(sym, data, nf, stride, name, relu=True, kernel=3):
    pad = (kernel // 2, kernel // 2)
    c = sym.Convolution(data, name=name + "_conv", kernel=(kernel, kernel),
                        stride=(stride, stride), pad=pad, num_filter=nf, no_bias=True)
    b = sym.BatchNorm(c, name=name + "_bn", fix_gamma=False, eps=1e-5, momentum=0.9)
    return sym.Activation(b, name=name + "_relu", act_type="relu") if relu else b


def _block(sym, data, nf, stride, name, project):
    h = _conv_bn(sym, data, nf, stride, name + "_a")
    h = _conv_bn(sym, h, nf, 1, name + "_b", relu=False)
    short = _conv_bn(sym, data, nf, stride, name + "_sc", relu=False, kernel=1) if project \
        else data
    return sym.Activation(h + short, name=name + "_out", act_type="relu")


def resnet18(sym, arch="v1", with_loss=True):
    data = sym.var("data")
    if arch == "v1":
        classes = 1000
        net = _conv_bn(sym, data, 64, 2, "stem", kernel=7)
        net = sym.Pooling(net, name="stem_pool", kernel=(3, 3), stride=(2, 2), pad=(1, 1),
                          pool_type="max")
    else:
        classes = 10
        net = _conv_bn(sym, data, 64, 1, "stem")
    in_f = 64
    for s, nf in enumerate((64, 128, 256, 512)):
        for u in range(2):
            stride = 2 if s > 0 and u == 0 else 1
            net = _block(sym, net, nf, stride, f"stage{s + 1}_unit{u + 1}",
                         project=(stride != 1 or in_f != nf))
            in_f = nf
    net = sym.Pooling(net, name="pool", global_pool=True, kernel=(1, 1), pool_type="avg")
    net = sym.Flatten(net, name="flatten")
    net = sym.FullyConnected(net, name="fc", num_hidden=classes)
    return sym.SoftmaxOutput(net, name="softmax") if with_loss else net
