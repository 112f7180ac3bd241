"""`make bench`: every case on mxlite and its peers in one run, as ratio tables.

mxlite and NumPy run in .venv; MXNet 1.9.1 in .venv-peers (installed by
tools/install_bench_peers.sh, as it needs numpy < 1.24); PyTorch wherever it
imports.  A STREAM-style add kernel (bench/stream_add.c) gives the machine's
memory bandwidth in the same run."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.environ.get("MXL_BUILD_DIR", os.path.join(ROOT, "build"))
BIG = 16 * 1024 * 1024


def run_case_script(python, framework):
    cmd = [python, os.path.join(HERE, "cases.py"), "--framework", framework]
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=HERE)
    if p.returncode != 0:
        print(f"  ({framework}: failed: {p.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def importable(python, module):
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def stream_gbs():
    """Median STREAM-style add bandwidth; run before and after mxlite's cases
    (the machine's bandwidth drifts), and the median of those is used."""
    exe = os.path.join(BUILD, "stream_add")
    if not os.path.exists(exe):
        return None
    return float(subprocess.run([exe], capture_output=True, text=True).stdout.split()[0])


def fmt(s):
    return f"{s * 1e6:.2f} us" if s < 1e-3 else f"{s * 1e3:.2f} ms"


def table(title, header, rows):
    print(f"\n## {title}")
    w = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    print("  ".join(str(h).ljust(x) for h, x in zip(header, w)))
    print("  ".join("-" * x for x in w))
    for r in rows:
        print("  ".join(str(c).ljust(x) for c, x in zip(r, w)))


def main():
    py = sys.executable
    streams = [stream_gbs()]
    results = {"mxlite": run_case_script(py, "mxlite")}
    streams.append(stream_gbs())
    results["numpy"] = run_case_script(py, "numpy")
    streams.append(stream_gbs())
    peers_py = os.path.join(ROOT, ".venv-peers", "bin", "python")
    if os.path.exists(peers_py) and importable(peers_py, "mxnet"):
        results["mxnet"] = run_case_script(peers_py, "mxnet")
    for cand in (py, peers_py):
        if os.path.exists(cand) and importable(cand, "torch"):
            results["torch"] = run_case_script(cand, "torch")
            break
    results = {k: v for k, v in results.items() if v}
    me = results["mxlite"]
    peers = [k for k in ("numpy", "torch", "mxnet") if k in results]
    print("mxlite benchmarks (medians; ratio = peer time / mxlite time, >1 means mxlite faster)")
    print("peers in this run: " + ", ".join(peers) +
          ("" if "torch" in peers else "; torch: not installed") +
          ("" if "mxnet" in peers else "; mxnet: not installed (tools/install_bench_peers.sh)"))

    def rows_for(cases):
        rows = []
        for c in cases:
            r = [c, fmt(me[c])]
            for p in peers:
                r.append(f"{fmt(results[p][c])} ({results[p][c] / me[c]:.2f}x)")
            rows.append(r)
        return rows

    table("tiny-op dispatch from Python (a + b on 4 floats; sum(axis=1, keepdims=True) on 2x2); "
          "target <= 2 us", ["case", "mxlite"] + peers,
          rows_for(["dispatch", "dispatch_readback", "dispatch_attrs"]))
    stream = None if None in streams else sorted(streams)[len(streams) // 2]
    rows = rows_for(["add16M_out", "relu16M_out", "add16M_new", "relu16M_new"])
    for r, c in zip(rows, ["add16M_out", "relu16M_out", "add16M_new", "relu16M_new"]):
        nbytes = (3 if c.startswith("add") else 2) * 4 * BIG
        gbs = nbytes / me[c] / 1e9
        r.insert(2, f"{gbs:.1f} GB/s" + (f" ({gbs / stream:.0%} of STREAM)" if stream else ""))
    table(f"16M float32 element-wise; STREAM-style add on this machine (median of 3 runs "
          f"around mxlite's): {stream:.1f} GB/s; target >= 80%" if stream
          else "16M float32 element-wise",
          ["case", "mxlite", "bandwidth"] + peers, rows)
    table("dot float32 (2 threads); target >= 90% of NumPy (ratio >= 0.9)",
          ["case", "mxlite"] + peers, rows_for(["dot1024", "dot2048"]))
    for n in (1024, 2048):
        print(f"dot{n}: {2 * n ** 3 / me[f'dot{n}'] / 1e9:.0f} GFLOP/s")
    run_model_benchmarks(py)


# Each of these prints its own table with the peers it finds (.venv-peers).
MODEL_BENCHMARKS = ["bench_autograd_step.py", "bench_mlp.py", "bench_conv.py", "bench_norm.py",
                    "bench_rnn.py", "bench_optimizer.py", "bench_grad_shape.py", "bench_io.py",
                    "bench_resnet.py", "bench_gluon.py"]


def run_model_benchmarks(python):
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    for script in MODEL_BENCHMARKS:
        print(f"\n# {script}", flush=True)
        p = subprocess.run([python, os.path.join(HERE, script)], env=env, cwd=ROOT)
        if p.returncode != 0:
            print(f"  ({script}: failed with status {p.returncode})")


if __name__ == "__main__":
    main()
