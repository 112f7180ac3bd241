"""Running one benchmark script per framework in its own process (so each
framework's threads, allocator and peak memory are its own), and finding the
MXNet 1.9.1 peer interpreter (.venv-peers, from tools/install_bench_peers.sh)."""
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def child(script, python, framework):
    """Runs `python script --framework framework` with OMP_NUM_THREADS (2 unless
    set) and returns the JSON its last output line holds, or None (printing
    why) when it fails."""
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    p = subprocess.run([python, os.path.abspath(script), "--framework", framework],
                       capture_output=True, text=True, env=env)
    if p.returncode != 0:
        print(f"({framework}: failed: {p.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def peers_python():
    """The interpreter that imports MXNet 1.9.1 (MXL_PEERS_PYTHON or
    .venv-peers), or None."""
    cand = os.environ.get("MXL_PEERS_PYTHON") or os.path.join(ROOT, ".venv-peers", "bin", "python")
    if os.path.exists(cand) and subprocess.run([cand, "-c", "import mxnet"],
                                               capture_output=True).returncode == 0:
        return cand
    return None
