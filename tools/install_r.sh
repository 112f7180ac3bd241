#!/usr/bin/env bash
# Installs R and the packages the R binding's tests use, from Debian (CRAN is
# not reachable from our machines).  Only missing packages are installed; quick
# when everything is present.  Called by tools/install_deps.sh.
set -euo pipefail
R_PACKAGES=(r-base-core r-base-dev r-cran-testthat r-cran-jsonlite)
missing=()
for p in "${R_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing R packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
