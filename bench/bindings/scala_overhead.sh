#!/usr/bin/env bash
# Per-call overhead of the Scala binding (a tiny op, median of several runs):
# prints "overhead_us scala <microseconds per call>".  Args go to the main class
# (calls per run, runs).  Needs build/libmxlite.so (or MXLITE_LIBRARY) and Maven.
set -euo pipefail
cd "$(dirname "$0")/../../bindings/scala"
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
  -Dmdep.includeScope=test > "${TMPDIR:-/tmp}/mxlite-scala-bench.log" 2>&1 \
  || { cat "${TMPDIR:-/tmp}/mxlite-scala-bench.log"; exit 1; }
exec java -cp "target/classes:target/test-classes:$(cat target/classpath.txt)" \
  org.mxlite.bench.Overhead "$@"
