"""MXNet 1.9.1 as an oracle: the interpreter that has it (.venv-peers, installed
by tools/install_bench_peers.sh, or MXLITE_PEERS_PYTHON), and a runner for the
comparison scripts the *_mxnet_oracle tests execute with both libraries."""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))


def peers_python():
    """The Python that imports mxnet, or None."""
    exe = os.environ.get("MXLITE_PEERS_PYTHON") or os.path.join(ROOT, ".venv-peers", "bin",
                                                                "python")
    if not os.path.exists(exe):
        return None
    ok = subprocess.run([exe, "-c", "import mxnet"], capture_output=True).returncode == 0
    return exe if ok else None


def run_script(python, script, *args, timeout=600):
    """Runs `script` as `python -c script <args>`; returns the JSON its last line prints."""
    r = subprocess.run([python, "-c", script, *args], capture_output=True, text=True,
                       timeout=timeout)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def run_with_both(script, *args, timeout=600):
    """(MXNet's result, mxlite's result): the script's first argument is the
    library to import.  Skips the calling test when MXNet is not installed."""
    peers = peers_python()
    if peers is None:
        pytest.skip("MXNet 1.9.1 is not installed (.venv-peers or MXLITE_PEERS_PYTHON)")
    return (run_script(peers, script, "mxnet", *args, timeout=timeout),
            run_script(sys.executable, script, "mxlite", *args, timeout=timeout))
