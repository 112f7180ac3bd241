#!/usr/bin/env bash
# Peers for `make bench`: MXNet 1.9.1 (needs numpy < 1.24, so its own venv).
# Optional: benchmarks print "not installed" for a peer that is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-peers/bin/python ]; then
  python3 -m venv .venv-peers
fi
if ! .venv-peers/bin/python -c "import mxnet" 2>/dev/null; then
  echo "== installing MXNet 1.9.1 into .venv-peers (benchmark peer)"
  .venv-peers/bin/python -m pip install -q "numpy<1.24" "mxnet==1.9.1" || \
    echo "   (MXNet 1.9.1 could not be installed; benchmarks will skip it)"
fi
