#!/usr/bin/env bash
# Runs every test suite, prints each suite's summary, then one closing line
# "N passed, N failed" totalling all of them.  Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
total_pass=0; total_fail=0; status=0
summary=()
log=$(mktemp)

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

echo "== conformance cases (tests/conformance/generate_cases.py --check)"
if .venv/bin/python tests/conformance/generate_cases.py --check; then
  add "conformance cases check" 1 0
else
  add "conformance cases check" 0 1; status=1
fi

echo "== Julia binding, static checks (tools/check_julia.py: syntax, ccall signatures)"
# No Julia runtime exists on the build machines; where one does, run
# bindings/julia/MXLite/test/runtests.jl (see bindings/julia/MXLite/README.md).
.venv/bin/python tools/check_julia.py 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
line=$(grep -E "^[0-9]+ passed, [0-9]+ failed$" "$log" | tail -1)
if [ -n "$line" ]; then
  add "Julia static checks" "$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f3)"
else
  add "Julia static checks" 0 1
fi
[ "$rc" -ne 0 ] && status=1

echo "== C++ (ctest)"
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

echo "== Scala (mvn test in bindings/scala)"
lib=$(cd "$BUILD_DIR" && pwd)/libmxlite.so
(cd bindings/scala && mvn -B -ntp test -Dmxlite.library="$lib") 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# Surefire's closing summary: "Tests run: N, Failures: F, Errors: E, Skipped: S".
line=$(grep -E "Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$" "$log" | tail -1)
if [ -n "$line" ]; then
  read -r run fl er sk <<< "$(echo "$line" | grep -Eo "[0-9]+" | tr '\n' ' ')"
  add "Scala (Surefire)" $((run - fl - er - sk)) $((fl + er))
  [ "$rc" -ne 0 ] && [ $((fl + er)) -eq 0 ] && add "Scala (build)" 0 1
else
  add "Scala (Surefire)" 0 1
fi
[ "$rc" -ne 0 ] && status=1

# R binding: install the package against this build's library, then its
# testthat suite and the conformance cases (run_all.R prints "N passed, N failed").
echo "== R (testthat + conformance)"
rlib="$BUILD_DIR/rlib"
mkdir -p "$rlib"
if MXLITE_LIBRARY="$(cd "$BUILD_DIR" && pwd)/libmxlite.so" R CMD INSTALL --preclean --no-test-load \
     -l "$rlib" bindings/r > "$log" 2>&1; then
  Rscript bindings/r/tests/run_all.R "$rlib" tests/conformance 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E "^[0-9]+ passed, [0-9]+ failed$" "$log" | tail -1)
  p=$(echo "$line" | awk '{print $1+0}')
  f=$(echo "$line" | awk '{print $3+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  add "R (testthat + conformance)" "$p" "$f"
  [ "$rc" -ne 0 ] && status=1
else
  cat "$log"
  add "R (testthat + conformance)" 0 1; status=1
fi

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
# The cross-language demo (demo/cross_language): one model trained and exported
# by Python, run by R (the package installed above), Scala (compiled above) and
# JavaScript; check.py prints "N passed, N failed", one check per language.
echo "== cross-language demo (demo/cross_language/check.py)"
.venv/bin/python demo/cross_language/check.py "$BUILD_DIR/cross_language" \
  --lib "$(cd "$BUILD_DIR" && pwd)/libmxlite.so" --rlib "$rlib" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
line=$(grep -E "^[0-9]+ passed, [0-9]+ failed$" "$log" | tail -1)
if [ -n "$line" ]; then
  add "cross-language demo" "$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f3)"
  [ "$rc" -ne 0 ] && [ "$(echo "$line" | cut -d' ' -f3)" -eq 0 ] && add "cross-language demo (run)" 0 1
else
  add "cross-language demo" 0 1
fi
[ "$rc" -ne 0 ] && status=1
rm -f "$log"

echo
echo "== summary"
for s in "${summary[@]}"; do echo "  $s"; done
echo "$total_pass passed, $total_fail failed"
exit $status
