#!/usr/bin/env bash
# The Scala binding's toolchain: a JDK (17 or newer) and Maven, from Debian's
# packages when missing.  Scala, JNA and MUnit come from Maven Central on the
# first `mvn test` in bindings/scala (cached in ~/.m2 afterwards).  Idempotent
# and quick when both are present.
set -euo pipefail
missing=()
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if ((${#missing[@]})); then
  echo "== installing the Scala binding's toolchain: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
