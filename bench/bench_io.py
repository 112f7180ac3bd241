"""Data benchmarks: .params save/load, RecordIO and the DataLoader, for mxlite and
MXNet 1.9.1 (.venv-peers, tools/install_bench_peers.sh; or the interpreter named by
MXL_PEERS_PYTHON), running the same Python code.

  * save / load / load_frombuffer of ResNet-18's parameters (62 arrays, 11.7M floats);
  * RecordIO: write, then read back 20000 records of 1 KiB (indexed);
  * DataLoader over 12800 MNIST-sized uint8 images with ToTensor, batch 128,
    num_workers 0 and 2 (images per second over one epoch).

Medians of repeated runs.

    .venv/bin/python bench/bench_io.py
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from bench_optimizer_step import resnet18_shapes  # noqa: E402
from timing import median_time  # noqa: E402


def run(module, tmp):
    mx = __import__(module)
    from importlib import import_module
    gdata = import_module(module + ".gluon.data")
    transforms = import_module(module + ".gluon.data.vision.transforms")
    rng = np.random.default_rng(0)
    res = {}

    params = {"p%d" % i: mx.nd.array(rng.standard_normal(s).astype(np.float32))
              for i, s in enumerate(resnet18_shapes())}
    mx.nd.waitall()
    path = os.path.join(tmp, module + ".params")
    res["save"] = median_time(lambda: mx.nd.save(path, params), repeat=7)
    res["load"] = median_time(lambda: mx.nd.load(path), repeat=7)
    with open(path, "rb") as f:
        blob = f.read()
    res["load_frombuffer"] = median_time(lambda: mx.nd.load_frombuffer(blob), repeat=7)
    res["params_mb"] = len(blob) / 1e6

    payload = rng.integers(0, 256, size=1024, dtype=np.uint8).tobytes()
    rec, idx = os.path.join(tmp, module + ".rec"), os.path.join(tmp, module + ".idx")
    n_rec = 20000

    def write():
        w = mx.recordio.MXIndexedRecordIO(idx, rec, "w")
        for i in range(n_rec):
            w.write_idx(i, payload)
        w.close()

    def read():
        r = mx.recordio.MXIndexedRecordIO(idx, rec, "r")
        for i in range(n_rec):
            r.read_idx(i)
        r.close()

    res["rec_write"] = n_rec / median_time(write, repeat=3)
    res["rec_read"] = n_rec / median_time(read, repeat=3)

    n_img = 12800
    images = mx.nd.array(rng.integers(0, 256, size=(n_img, 28, 28, 1), dtype=np.uint8),
                         dtype="uint8")
    ds = gdata.ArrayDataset(images, np.arange(n_img) % 10).transform_first(transforms.ToTensor())
    for workers in (0, 2):
        loader = gdata.DataLoader(ds, batch_size=128, shuffle=True, num_workers=workers)

        def epoch():
            for x, y in loader:
                x.wait_to_read()
        res["loader_w%d" % workers] = n_img / median_time(epoch, repeat=3)
        del loader
    return res


def peers_python():
    for p in (os.environ.get("MXL_PEERS_PYTHON"), os.path.join(ROOT, ".venv-peers", "bin", "python")):
        if p and os.path.exists(p):
            return p
    return None


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(run(sys.argv[2], tmp)))
        return
    results = {}
    for name, py, module in (("mxlite", sys.executable, "mxlite"),
                             ("MXNet 1.9.1", peers_python(), "mxnet")):
        if py is None:
            continue
        p = subprocess.run([py, os.path.abspath(__file__), "--child", module],
                           capture_output=True, text=True, cwd=ROOT)
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
        if p.returncode != 0 or not lines:
            print("  (%s: failed: %s)" % (name, p.stderr.strip().splitlines()[-1:]))
            continue
        results[name] = json.loads(lines[-1])
    if not results:
        return
    names = list(results)
    mb = next(iter(results.values()))["params_mb"]
    rows = [("save ResNet-18 params (%.0f MB)" % mb, "save", "ms", 1e3),
            ("load ResNet-18 params", "load", "ms", 1e3),
            ("load_frombuffer ResNet-18 params", "load_frombuffer", "ms", 1e3),
            ("RecordIO write, 1 KiB records", "rec_write", "rec/s", 1),
            ("RecordIO read_idx, 1 KiB records", "rec_read", "rec/s", 1),
            ("DataLoader MNIST+ToTensor, 0 workers", "loader_w0", "img/s", 1),
            ("DataLoader MNIST+ToTensor, 2 workers", "loader_w2", "img/s", 1)]
    print("%-40s" % "case" + "".join("%16s" % n for n in names))
    for label, key, unit, scale in rows:
        cells = "".join("%16s" % ("%.1f %s" % (results[n][key] * scale, unit)) for n in names)
        print("%-40s%s" % (label, cells))


if __name__ == "__main__":
    main()
