#!/usr/bin/env bash
# Installs what mxlite needs to build and test, from Debian packages and PyPI.
# Idempotent and quick when everything is present: only missing packages are
# installed, and apt-get update runs only when something must be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

# libopenblas-openmp-dev: OpenBLAS threaded with the same OpenMP runtime as our
# kernels, so its workers and ours share one pool instead of spinning against
# each other (the pthread build next to OpenMP halved GEMM-heavy throughput).
DEB_PACKAGES=(cmake ninja-build g++ make libopenblas-dev libopenblas-openmp-dev nlohmann-json3-dev
              libgtest-dev)
PY=${PYTHON:-python3}
# Debian's own python3 needs python3-venv (and -dev for the cffi extension);
# other installations (pyenv, ...) ship both.
if ! "$PY" -c "import venv, sysconfig, os; assert os.path.exists(sysconfig.get_paths()['include'] + '/Python.h')" 2>/dev/null; then
  DEB_PACKAGES+=(python3-venv python3-dev)
fi
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The R binding's toolchain (bindings/r).
tools/install_r.sh

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PY" -m venv .venv
fi
if ! .venv/bin/python -c "import numpy, cffi, pytest, setuptools" 2>/dev/null ||
   [ requirements-dev.txt -nt .venv/.deps-stamp ]; then
  echo "== installing Python packages (requirements-dev.txt)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements-dev.txt
  touch .venv/.deps-stamp
fi

# Language bindings' toolchains (each script installs only what is missing).
tools/install_scala.sh
# The JavaScript binding (bindings/js): Node.js and its locked npm packages.
# Not fatal here, so the core and Python build without npm's registry; the
# JavaScript suite of tools/run_tests.sh tries again and fails if it cannot.
tools/install_js.sh || echo "warning: the JavaScript binding's dependencies are not installed" >&2
