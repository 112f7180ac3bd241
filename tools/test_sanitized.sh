#!/usr/bin/env bash
# `make test-asan`: the C++ suite and the Python suite against a library built
# with AddressSanitizer + UndefinedBehaviorSanitizer.  Slower than `make test`
# (a second build), so it is a separate target.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${ASAN_BUILD_DIR:-build-asan}
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer"
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$SAN" \
  -DCMAKE_C_FLAGS="$SAN" -DCMAKE_EXE_LINKER_FLAGS="$SAN" -DCMAKE_SHARED_LINKER_FLAGS="$SAN" > "$B.cmake.log"
cmake --build "$B" -j "$(nproc)" --target mxlite mxlite_tests
echo "== C++ (ASan+UBSan)"
UBSAN_OPTIONS=halt_on_error=1 "$B/mxlite_tests" --gtest_brief=1
# The Python package's own copy of the library is swapped for the sanitized
# one for the duration of the run, then restored.
pkg=$(.venv/bin/python -c "import mxlite, os; print(os.path.dirname(mxlite.__file__))")
cp "$pkg/libmxlite.so" "$B/libmxlite.so.orig"
trap 'cp "$B/libmxlite.so.orig" "$pkg/libmxlite.so"' EXIT
cp "$B/libmxlite.so" "$pkg/libmxlite.so"
preload="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
for engine in ThreadedEngine NaiveEngine; do
  echo "== Python (ASan+UBSan, $engine)"
  MXNET_ENGINE_TYPE=$engine LD_PRELOAD="$preload" ASAN_OPTIONS=detect_leaks=0 \
    UBSAN_OPTIONS=halt_on_error=1 .venv/bin/python -m pytest tests/python -q -p no:cacheprovider
done
