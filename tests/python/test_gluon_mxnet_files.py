"""Gluon files across frameworks, where MXNet 1.9.1 is installed: parameters
saved by one framework's save_parameters / export load in the other's
load_parameters / SymbolBlock.imports and give the same outputs."""
import os
import sys

import numpy as np
import pytest

from mxnet_peer import peers_python, run_script

SCRIPT = r'''
import json, sys, warnings
import numpy as np
warnings.simplefilter("ignore")
which, mode, folder = sys.argv[1], sys.argv[2], sys.argv[3]
if which == "mxnet":
    import mxnet as mx
else:
    import mxlite as mx
nn = mx.gluon.nn

def build():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(4, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"),
                nn.MaxPool2D(), nn.Flatten(), nn.Dense(5))
    return net

x = mx.nd.array(np.linspace(-1, 1, 2 * 3 * 6 * 6).reshape(2, 3, 6, 6))
out = {}
if mode == "write":
    net = build()
    net.initialize(mx.init.Xavier())
    with mx.autograd.record():  # moving statistics away from their initial values
        net(x)
    net.hybridize()
    out["y"] = net(x).asnumpy().tolist()
    net.save_parameters(folder + "/net.params")
    net.export(folder + "/model", epoch=7)
else:
    net = build()
    net.load_parameters(folder + "/net.params")
    out["y_load"] = net(x).asnumpy().tolist()
    blk = mx.gluon.SymbolBlock.imports(folder + "/model-symbol.json", ["data"],
                                       folder + "/model-0007.params")
    out["y_imports"] = blk(x).asnumpy().tolist()
print(json.dumps(out))
'''


@pytest.mark.parametrize("writer", ["mxnet", "mxlite"])
def test_params_and_export_across_frameworks(writer, tmp_path):
    exe = peers_python()
    if exe is None:
        pytest.skip("MXNet 1.9.1 is not installed (tools/install_bench_peers.sh)")
    pythons = {"mxnet": exe, "mxlite": sys.executable}
    reader = "mxlite" if writer == "mxnet" else "mxnet"
    wrote = run_script(pythons[writer], SCRIPT, writer, "write", str(tmp_path))
    read = run_script(pythons[reader], SCRIPT, reader, "read", str(tmp_path))
    assert os.path.exists(tmp_path / "model-symbol.json")
    np.testing.assert_allclose(read["y_load"], wrote["y"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(read["y_imports"], wrote["y"], rtol=1e-5, atol=1e-6)
