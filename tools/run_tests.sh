#!/usr/bin/env bash
# Runs every test suite, prints each suite's summary, then one closing line
# "N passed, N failed" totalling all of them.  Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
total_pass=0; total_fail=0; status=0
summary=()

add() {  # suite passed failed
  total_pass=$((total_pass + $2)); total_fail=$((total_fail + $3))
  summary+=("$1: $2 passed, $3 failed")
}

echo "== generated bindings (tools/bindgen --check)"
if .venv/bin/python tools/bindgen/generate.py --lib "$BUILD_DIR/libmxlite.so" --check; then
  add "bindgen check" 1 0
else
  add "bindgen check" 0 1; status=1
fi

echo "== C++ (ctest)"
log=$(mktemp)
(cd "$BUILD_DIR" && ctest --output-on-failure -j 2) 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1)
if [ -n "$line" ]; then
  failed=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
  all=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/')
  add "C++ (ctest)" $((all - failed)) "$failed"
else
  add "C++ (ctest)" 0 1
fi
[ "$rc" -ne 0 ] && status=1

pytest_suite() {  # name, then environment assignments for the run
  local name=$1; shift
  echo "== $name"
  env "$@" .venv/bin/python -m pytest tests/python -q -p no:cacheprovider 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local last p f
  last=$(grep -E "^=*.* in [0-9.]+s" "$log" | tail -1)
  p=$(echo "$last" | grep -Eo "[0-9]+ passed" | awk '{s+=$1} END {print s+0}')
  f=$(echo "$last" | grep -Eo "[0-9]+ (failed|errors?)" | awk '{s+=$1} END {print s+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi  # collection error, no tests, ...
  add "$name" "$p" "$f"
  [ "$rc" -ne 0 ] && status=1
}

pytest_suite "Python (pytest)"
# The same suite on the synchronous engine: results and errors must not
# depend on scheduling.
pytest_suite "Python (pytest, NaiveEngine)" MXNET_ENGINE_TYPE=NaiveEngine
# The JavaScript binding (bindings/js): node --test prints "# pass N" / "# fail N".
echo "== JavaScript (node --test)"
if tools/install_js.sh; then
  jslib=$(cd "$BUILD_DIR" && pwd)/libmxlite.so
  (cd bindings/js && MXLITE_LIBRARY="$jslib" node --test test/*.test.js) > "$log" 2>&1
  rc=$?
  grep -E "^# (tests|pass|fail) " "$log"
  p=$(grep -E "^# pass [0-9]+" "$log" | tail -1 | awk '{print $3}')
  f=$(grep -E "^# fail [0-9]+" "$log" | tail -1 | awk '{print $3}')
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ]; then
    grep -E "^not ok|^# Subtest" "$log" | grep -B1 "^not ok" | head -40
    [ "$f" -eq 0 ] && f=1
  fi
  add "JavaScript (node --test)" "$p" "$f"
  [ "$rc" -ne 0 ] && status=1
else
  add "JavaScript (node --test)" 0 1; status=1
fi
rm -f "$log"

echo
echo "== summary"
for s in "${summary[@]}"; do echo "  $s"; done
echo "$total_pass passed, $total_fail failed"
exit $status
