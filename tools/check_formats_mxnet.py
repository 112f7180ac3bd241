#!/usr/bin/env python3
"""Cross-check the .params and RecordIO formats with MXNet 1.9.1 itself (optional: CI
has no MXNet; there the byte-level fixtures in tests/python/test_ndarray_save_load.py
and test_recordio.py are the oracle).

    .venv/bin/python tools/check_formats_mxnet.py [--peers-python PATH]

MXNet (in .venv-peers, installed by tools/install_bench_peers.sh, or the interpreter
named by --peers-python / MXLITE_PEERS_PYTHON) writes files -- lists, dicts with
arg:/aux: keys, every dtype both have, a Gluon save_parameters file, a numpy-shape
file with a 0-d array -- that mxlite must load with identical values; then mxlite
writes the same content and MXNet must load it with identical values.  RecordIO: both
write the same indexed records (payloads with the magic word inside) and image-record
headers; the files must be byte-identical and each reads the other's.  Exit status 1
on any mismatch, 2 when MXNet is not available."""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# RecordIO payloads, several with the record magic word inside (aligned or not).
_MAGIC = b"\x0a\x23\xd7\xce"
RECORDS = [b"", b"x", _MAGIC, _MAGIC * 2, b"ab" + _MAGIC + b"cd",
           b"abcd" + _MAGIC + b"efgh" + _MAGIC + b"z", bytes(range(256)) * 5]

DTYPES = ["float32", "float64", "float16", "uint8", "int8", "int32", "int64", "bool"]

# Run by MXNet's interpreter: mode "write" writes the cases, mode "read" loads
# mxlite's files and dumps their values to .npz files for comparison.
MXNET_SCRIPT = r'''
import os, sys, warnings
warnings.simplefilter("ignore")
import numpy as np
import mxnet as mx
mode, d = sys.argv[1], sys.argv[2]
DTYPES = %(dtypes)r
RECORDS = %(records)r
def values(seed):
    rng = np.random.RandomState(seed)
    out = {}
    for i, dt in enumerate(DTYPES):
        a = rng.standard_normal((3, 4)) * 40
        out["v:" + dt] = (a > 0) if dt == "bool" else a.astype(dt)
    return out
if mode == "write":
    vals = values(0)
    mx.nd.save(os.path.join(d, "mx_list.params"), [mx.nd.array(v, dtype=v.dtype) for v in vals.values()])
    mx.nd.save(os.path.join(d, "mx_dict.params"),
               {"arg:" + k: mx.nd.array(v, dtype=v.dtype) for k, v in vals.items()})
    np.savez(os.path.join(d, "expect.npz"), **{k.replace(":", "_"): v for k, v in vals.items()})
    net = mx.gluon.nn.HybridSequential()
    net.add(mx.gluon.nn.Dense(5, in_units=4), mx.gluon.nn.BatchNorm(in_channels=5))
    net.initialize(mx.init.Xavier())
    net.save_parameters(os.path.join(d, "mx_gluon.params"))
    np.savez(os.path.join(d, "gluon.npz"),
             **{k: v.data().asnumpy() for k, v in net._collect_params_with_prefix().items()})
    w = mx.recordio.MXIndexedRecordIO(os.path.join(d, "mx.idx"), os.path.join(d, "mx.rec"), "w")
    for i, p in enumerate(RECORDS):
        w.write_idx(i, mx.recordio.pack(mx.recordio.IRHeader(0, [i, 0.5], i, 0), p))
    w.close()
    mx.npx.set_np()
    mx.npx.save(os.path.join(d, "mx_np.params"), {"s": mx.np.array(2.5), "m": mx.np.ones((2, 3))})
elif mode == "readrec":
    r = mx.recordio.MXIndexedRecordIO(os.path.join(d, "lite.idx"), os.path.join(d, "lite.rec"), "r")
    for i, p in enumerate(RECORDS):
        h, body = mx.recordio.unpack(r.read_idx(i))
        assert body == p and list(h.label) == [i, 0.5] and h.id == i, i
    print("mxnet read", len(RECORDS), "records")
else:
    for name in sorted(os.listdir(d)):
        if name.startswith("lite_") and name.endswith(".params"):
            r = mx.nd.load(os.path.join(d, name))
            if isinstance(r, list):
                r = {"%%d" %% i: v for i, v in enumerate(r)}
            np.savez(os.path.join(d, name + ".npz"), **{k.replace(":", "_"): v.asnumpy() for k, v in r.items()})
            print("mxnet loaded", name, len(r), "arrays")
'''


def find_peers(arg):
    for p in (arg, os.environ.get("MXLITE_PEERS_PYTHON"),
              os.path.join(ROOT, ".venv-peers", "bin", "python"),
              "/work/main/.venv-peers/bin/python"):
        if p and os.path.exists(p):
            ok = subprocess.run([p, "-c", "import mxnet"], capture_output=True).returncode == 0
            if ok:
                return p
    return None


class Checker:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, what, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL:", what, detail)


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


def check_recordio(c, peers, script, d):
    from mxlite import recordio
    w = recordio.MXIndexedRecordIO(os.path.join(d, "lite.idx"), os.path.join(d, "lite.rec"), "w")
    for i, p in enumerate(RECORDS):
        w.write_idx(i, recordio.pack(recordio.IRHeader(0, [i, 0.5], i, 0), p))
    w.close()
    for ext in ("rec", "idx"):
        a = open(os.path.join(d, "mx." + ext), "rb").read()
        b = open(os.path.join(d, "lite." + ext), "rb").read()
        c.check("recordio .%s byte-identical" % ext, a == b)
    r = recordio.MXIndexedRecordIO(os.path.join(d, "mx.idx"), os.path.join(d, "mx.rec"), "r")
    for i, p in enumerate(RECORDS):
        h, body = recordio.unpack(r.read_idx(i))
        c.check("mxlite reads MXNet record %d" % i, body == p and list(h.label) == [i, 0.5])
    ok = subprocess.run([peers, "-c", script, "readrec", d]).returncode == 0
    c.check("MXNet reads mxlite's records", ok)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peers-python")
    args = ap.parse_args()
    peers = find_peers(args.peers_python)
    if not peers:
        print("check_formats_mxnet: MXNet 1.9.1 is not installed (tools/install_bench_peers.sh); "
              "nothing checked")
        return 2
    import mxlite as mx

    c = Checker()
    script = MXNET_SCRIPT % {"dtypes": DTYPES, "records": RECORDS}
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([peers, "-c", script, "write", d], check=True)
        expect = dict(np.load(os.path.join(d, "expect.npz")))
        # MXNet -> mxlite
        lst = mx.nd.load(os.path.join(d, "mx_list.params"))
        c.check("list file is a list", isinstance(lst, list) and len(lst) == len(DTYPES))
        for i, dt in enumerate(DTYPES):
            c.check("list " + dt, same(lst[i].asnumpy(), expect["v_" + dt]))
        dct = mx.nd.load(os.path.join(d, "mx_dict.params"))
        for dt in DTYPES:
            c.check("dict arg:v:" + dt, same(dct["arg:v:" + dt].asnumpy(), expect["v_" + dt]))
        gl = mx.nd.load(os.path.join(d, "mx_gluon.params"))
        gexp = dict(np.load(os.path.join(d, "gluon.npz")))
        c.check("gluon keys", sorted(gl) == sorted(gexp), (sorted(gl), sorted(gexp)))
        for k in gexp:
            c.check("gluon " + k, k in gl and same(gl[k].asnumpy(), gexp[k]))
        npf = mx.nd.load(os.path.join(d, "mx_np.params"))
        c.check("numpy-shape scalar", npf["s"].shape == () and npf["s"].asscalar() == 2.5)
        c.check("numpy-shape matrix", same(npf["m"].asnumpy(), np.ones((2, 3), np.float32)))

        # mxlite -> MXNet (0-d arrays excepted: MXNet reads them only in numpy mode)
        mx.nd.save(os.path.join(d, "lite_list.params"),
                   [mx.nd.array(expect["v_" + dt], dtype=dt) for dt in DTYPES])
        mx.nd.save(os.path.join(d, "lite_dict.params"),
                   {"aux:" + dt: mx.nd.array(expect["v_" + dt], dtype=dt) for dt in DTYPES})
        mx.nd.save(os.path.join(d, "lite_gluon.params"), {k: mx.nd.array(v) for k, v in gexp.items()})
        subprocess.run([peers, "-c", script, "read", d], check=True)
        back = dict(np.load(os.path.join(d, "lite_list.params.npz")))
        for i, dt in enumerate(DTYPES):
            c.check("mxnet reads list " + dt, same(back[str(i)], expect["v_" + dt]))
        back = dict(np.load(os.path.join(d, "lite_dict.params.npz")))
        for dt in DTYPES:
            c.check("mxnet reads dict aux:" + dt, same(back["aux_" + dt], expect["v_" + dt]))
        back = dict(np.load(os.path.join(d, "lite_gluon.params.npz")))
        for k in gexp:
            c.check("mxnet reads gluon " + k, same(back[k], gexp[k]))
        # byte identity: mxlite writes exactly what MXNet wrote
        for name in ("list", "dict"):
            a = open(os.path.join(d, "mx_%s.params" % name), "rb").read()
            src = mx.nd.load(os.path.join(d, "mx_%s.params" % name))
            out = os.path.join(d, "resaved_%s.params" % name)
            mx.nd.save(out, src)
            c.check("byte-identical re-save of MXNet's %s file" % name, open(out, "rb").read() == a)
        check_recordio(c, peers, script, d)
    print("check_formats_mxnet: %d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
