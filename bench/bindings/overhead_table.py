"""Per-call overhead of a tiny op (_plus_scalar on a 1-element float32 array)
from every language binding next to Python's, in one table (issue 6 target:
within 3x Python's per-call time).

    .venv/bin/python bench/bindings/overhead_table.py

Each language's own script prints `overhead_us <lang> <median us per call>`;
this runs them one after another (Python in-process, the same N and runs) and
prints the table.  A language whose toolchain is missing is reported as such.
Julia has no runtime on this machine and is left out."""
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
N, RUNS = 20000, 7
LIB = os.path.join(REPO, "build", "libmxlite.so")


def python_overhead():
    import mxlite as mx
    x = mx.nd.array([1.0])
    f = mx.nd._internal._plus_scalar
    f(x, scalar=1.0).wait_to_read()
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        for _ in range(N):
            y = f(x, scalar=1.0)
        y.wait_to_read()
        times.append((time.perf_counter() - t) / N * 1e6)
    return float(np.median(times))


COMMANDS = {
    "javascript": ["node", os.path.join(HERE, "js_overhead.mjs"), str(N), str(RUNS)],
    "r": ["Rscript", os.path.join(HERE, "r_overhead.R"), os.path.join(REPO, "build", "rlib"),
          str(N), str(RUNS)],
    "scala": ["bash", os.path.join(HERE, "scala_overhead.sh"), str(N), str(RUNS)],
}


def run(lang, cmd):
    env = dict(os.environ, MXLITE_LIBRARY=LIB)
    try:
        out = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True,
                             timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"not run: {e}"
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "overhead_us":
            return float(parts[2]), ""
    return None, "failed: " + (out.stderr.strip().splitlines() or ["no output"])[-1]


def main():
    py = python_overhead()
    rows = [("python", py, "")]
    for lang, cmd in COMMANDS.items():
        us, note = run(lang, cmd)
        rows.append((lang, us, note))
    print(f"## Per-call overhead, _plus_scalar on 1 element (median of {RUNS} x {N} calls)")
    print(f"{'language':<12}{'us/call':>10}{'vs Python':>12}")
    for lang, us, note in rows:
        if us is None:
            print(f"{lang:<12}{'-':>10}{'':>12}  {note}")
        else:
            print(f"{lang:<12}{us:>10.2f}{us / py:>11.2f}x")
    print("target: every language within 3x Python's per-call time")


if __name__ == "__main__":
    sys.exit(main())
