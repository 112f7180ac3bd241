#!/usr/bin/env bash
# Installs the JavaScript binding's toolchain and dependencies: Node.js >= 20
# and the npm packages locked in bindings/js/package-lock.json (koffi; its
# prebuilt native part arrives as an npm package, nothing is compiled).
# Idempotent and quick when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 20 ] || ! command -v npm > /dev/null; then
  echo "== installing Node.js (Debian packages nodejs, npm)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
  if [ "$(node_major)" -lt 20 ]; then
    echo "mxlite: the JavaScript binding needs Node.js >= 20, found $(node --version 2>/dev/null || echo none)" >&2
    exit 1
  fi
fi

stamp=bindings/js/node_modules/.mxlite-stamp
if [ ! -f "$stamp" ] || [ bindings/js/package-lock.json -nt "$stamp" ]; then
  echo "== installing the JavaScript binding's npm packages (npm ci)"
  (cd bindings/js && npm ci --no-audit --no-fund --loglevel=error)
  touch "$stamp"
fi
