"""gluon.model_zoo.vision: every model builds, initializes and runs; parameter
counts equal the published totals; structural parameter names as in MXNet
1.9 (the full name/shape comparison against MXNet 1.9.1 is the oracle script
tools/oracles/model_zoo_names.py, not run in CI)."""
import os

import numpy as np
import pytest

import mxlite as mx
from mxlite.gluon.model_zoo import vision
from mxlite.gluon.model_zoo.model_store import get_model_file

# (trainable = without BatchNorm running statistics, total = with them), at
# 224x224 input (299 for inceptionv3).  Sources: torchvision's published
# counts for the architectures MXNet shares (resnet18/34, vgg*, alexnet,
# densenet*, squeezenet*), Keras' MobileNet total 4,253,864, and for MXNet's
# own variants hand arithmetic on top of those:
#   resnet50_v1 = torchvision's 25,557,032 + 18,880 biases of the bottleneck
#     1x1 convolutions MXNet keeps (3*(64+256)+4*(128+512)+6*(256+1024)+3*(512+2048));
#   mobilenet_v2_1_0 = torchvision's 3,504,872 + 1,088 (MXNet keeps the t=1
#     expansion conv 32x32 + its BatchNorm) - 1,000 (bias-free 1x1 classifier);
#   inception_v3 = 23,834,568 trainable; 23,869,000 includes running stats.
# All of them were also checked against MXNet 1.9.1 with the oracle script.
COUNTS = {
    "resnet18_v1": (11689512, 11699112),
    "resnet34_v1": (21797672, 21814696),
    "resnet50_v1": (25575912, 25629032),
    "resnet101_v1": (44589800, 44695144),
    "resnet152_v1": (60252648, 60404072),
    "resnet18_v2": (11687854, 11695796),
    "resnet50_v2": (25549486, 25595060),
    "vgg11": (132863336, 132863336),
    "vgg16": (138357544, 138357544),
    "vgg19": (143667240, 143667240),
    "vgg16_bn": (138365992, 138374440),
    "alexnet": (61100840, 61100840),
    "densenet121": (7978856, 8062504),
    "densenet161": (28681000, 28900936),
    "densenet169": (14149480, 14307880),
    "densenet201": (20013928, 20242984),
    "squeezenet1.0": (1248424, 1248424),
    "squeezenet1.1": (1235496, 1235496),
    "inceptionv3": (23834568, 23869000),
    "mobilenet1.0": (4231976, 4253864),
    "mobilenet0.25": (470072, 475544),
    "mobilenetv2_1.0": (3504960, 3539136),
    "mobilenetv2_0.5": (1964736, 1983104),
}

ALL_MODELS = sorted(vision._models)


def _input_size(name):
    """Smallest convenient input: the fixed final pools of densenet (7x7),
    squeezenet (13x13) and inception (8x8) need 224/224/299; alexnet's three
    3x3 stride-2 pools need 64; the rest reduce to 1x1 at 32."""
    if name.startswith("inception"):
        return 299
    if name.startswith(("densenet", "squeezenet")):
        return 224
    if name == "alexnet":
        return 64
    return 32


def _count(net, size):
    """(trainable, total) parameter values, by symbolic shape inference."""
    sym = net(mx.sym.var("data"))
    args, _, auxs = sym.infer_shape(data=(1, 3, size, size))
    shapes = dict(zip(sym.list_arguments(), args))
    shapes.update(zip(sym.list_auxiliary_states(), auxs))
    trainable = total = 0
    for key, p in net._collect_params_with_prefix().items():
        n = int(np.prod(shapes[p.name]))
        total += n
        if not key.endswith(("running_mean", "running_var")):
            trainable += n
    return trainable, total


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_parameter_count(name):
    net = vision.get_model(name)
    assert _count(net, 299 if name.startswith("inception") else 224) == COUNTS[name]


@pytest.mark.parametrize("name", ALL_MODELS)
def test_forward_shape(name):
    size = _input_size(name)
    net = vision.get_model(name, classes=10)
    net.initialize(mx.init.Xavier())
    x = mx.nd.array(np.random.RandomState(0).uniform(-1, 1, (1, 3, size, size)))
    y = net(x)
    assert y.shape == (1, 10)
    assert np.isfinite(y.asnumpy()).all()


def test_hybridized_equals_imperative():
    net = vision.resnet18_v2(classes=10)
    net.initialize(mx.init.Xavier())
    x = mx.nd.array(np.random.RandomState(1).uniform(-1, 1, (2, 3, 32, 32)))
    imperative = net(x).asnumpy()
    net.hybridize()
    hybrid = net(x).asnumpy()
    np.testing.assert_allclose(hybrid, imperative, rtol=1e-4, atol=1e-5)
    # second call goes through the cached graph
    np.testing.assert_allclose(net(x).asnumpy(), imperative, rtol=1e-4, atol=1e-5)


def test_structural_names():
    r = vision.resnet18_v1()._collect_params_with_prefix()
    for key in ("features.0.weight", "features.1.gamma", "features.1.running_var",
                "features.4.0.body.0.weight", "features.5.0.downsample.0.weight",
                "features.5.0.downsample.1.beta", "output.weight", "output.bias"):
        assert key in r, key
    assert "features.4.0.downsample.0.weight" not in r  # 64 -> 64: identity shortcut
    assert r["features.0.weight"].name == "resnetv10_conv0_weight" or \
        r["features.0.weight"].name.endswith("_conv0_weight")
    v2 = vision.resnet50_v2()._collect_params_with_prefix()
    for key in ("features.0.gamma", "features.5.0.bn1.gamma", "features.5.0.conv3.weight",
                "features.5.0.downsample.weight", "features.9.gamma"):
        assert key in v2, key
    m2 = vision.mobilenet_v2_1_0()._collect_params_with_prefix()
    assert "output.0.weight" in m2 and "output.0.bias" not in m2
    assert "features.3.out.0.weight" in m2  # conv, BN, relu6, then bottlenecks
    d = vision.densenet121()._collect_params_with_prefix()
    assert "features.4.0.1.0.gamma" in d and "features.5.2.weight" in d
    i3 = vision.inception_v3()._collect_params_with_prefix()
    assert "features.17.1.1.0.0.0.weight" in i3  # E2, 3x3 branch, split, 1x3 branch, conv


def test_thumbnail():
    net = vision.resnet18_v1(thumbnail=True, classes=10)
    net.initialize()
    assert net(mx.nd.zeros((1, 3, 32, 32))).shape == (1, 10)
    assert net.features[0].weight.shape == (64, 3, 3, 3)
    assert len(net.features) == 6  # conv, 4 stages, pool: no 7x7 stem, BN or max pool


def test_get_model_errors():
    with pytest.raises(ValueError, match="resnet19_v1 is not supported"):
        vision.get_model("resnet19_v1")
    with pytest.raises(ValueError, match="Invalid number of layers: 20"):
        vision.get_resnet(1, 20)
    with pytest.raises(ValueError, match="Invalid resnet version: 3"):
        vision.get_resnet(3, 18)
    with pytest.raises(ValueError, match="Unsupported SqueezeNet version 2.0"):
        vision.get_squeezenet("2.0")
    with pytest.raises(ValueError, match="Invalid number of layers: 12"):
        vision.get_vgg(12)
    assert isinstance(vision.get_model("ResNet18_V1"), vision.ResNetV1)


def test_pretrained_missing_file_names_it(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        vision.mobilenet0_25(pretrained=True, root=str(tmp_path))
    msg = str(info.value)
    assert os.path.join(str(tmp_path), "mobilenet0.25.params") in msg
    assert "mobilenet0.25-<hash>.params" in msg and "does not download" in msg


@pytest.mark.parametrize("filename", ["mobilenet0.25.params", "mobilenet0.25-0123abcd.params"])
def test_pretrained_loads_local_file(tmp_path, filename):
    x = mx.nd.array(np.random.RandomState(2).uniform(-1, 1, (1, 3, 32, 32)))
    src = vision.mobilenet0_25()
    src.initialize(mx.init.Xavier())
    expected = src(x).asnumpy()
    src.save_parameters(str(tmp_path / filename))
    assert get_model_file("mobilenet0.25", root=str(tmp_path)) == str(tmp_path / filename)
    net = vision.get_model("mobilenet0.25", pretrained=True, root=str(tmp_path))
    np.testing.assert_allclose(net(x).asnumpy(), expected, rtol=1e-5, atol=1e-6)


def test_get_model_file_ignores_other_names(tmp_path):
    (tmp_path / "resnet18_v1-notahash.params").write_bytes(b"")
    (tmp_path / "resnet18_v10-0123abcd.params").write_bytes(b"")
    with pytest.raises(FileNotFoundError):
        get_model_file("resnet18_v1", root=str(tmp_path))


def test_purge(tmp_path):
    from mxlite.gluon.model_zoo.model_store import purge
    (tmp_path / "alexnet.params").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("kept")
    purge(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
