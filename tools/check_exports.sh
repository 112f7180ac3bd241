#!/usr/bin/env bash
# Guards the C ABI's exported symbols (DESIGN.md section 2, rule 9).
#
#   tools/check_exports.sh LIB LIST           check LIB against the committed LIST
#   tools/check_exports.sh --update LIB LIST  rewrite LIST from LIB
#
# The check fails (exit 1) if a symbol named in LIST is missing from LIB (a
# removed or renamed function breaks every binding built against it) or if
# LIB exports anything not starting with mxl_ (internals leaking past the
# version script).  Symbols in LIB but not yet in LIST are printed as
# additions, which the ABI allows; run --update to commit them.
set -euo pipefail
export LC_ALL=C  # one collation for sort and comm

usage() {
  echo "usage: $0 [--update] LIB LIST" >&2
  exit 2
}

update=0
if [ "${1:-}" = "--update" ]; then
  update=1
  shift
fi
[ $# -eq 2 ] || usage
lib=$1
list=$2

if [ ! -f "$lib" ]; then
  echo "check_exports: library '$lib' not found" >&2
  exit 2
fi

# Names of the defined dynamic symbols, without version suffixes (name@@VER).
exported=$(nm -D --defined-only "$lib" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' | sort -u)
if [ -z "$exported" ]; then
  echo "check_exports: '$lib' exports no symbols (is it a shared library?)" >&2
  exit 1
fi

status=0
foreign=$(grep -v '^mxl_' <<<"$exported" || true)
if [ -n "$foreign" ]; then
  echo "check_exports: '$lib' exports symbols outside the mxl_ prefix:" >&2
  sed 's/^/  /' <<<"$foreign" >&2
  status=1
fi

if [ "$update" -eq 1 ]; then
  if [ "$status" -ne 0 ]; then
    echo "check_exports: not updating '$list' while foreign symbols are exported" >&2
    exit 1
  fi
  {
    echo "# Symbols exported by libmxlite; checked by tools/check_exports.sh."
    echo "# Regenerate with: tools/check_exports.sh --update LIB include/exported_symbols.txt"
    echo "$exported"
  } >"$list"
  echo "check_exports: wrote $(wc -l <<<"$exported") symbols to '$list'"
  exit 0
fi

if [ ! -f "$list" ]; then
  echo "check_exports: symbol list '$list' not found (create it with --update)" >&2
  exit 2
fi
committed=$(grep -v -e '^#' -e '^[[:space:]]*$' "$list" | sort -u)

missing=$(comm -23 <(echo "$committed") <(echo "$exported"))
if [ -n "$missing" ]; then
  echo "check_exports: symbols in '$list' are missing from '$lib' (an ABI break):" >&2
  sed 's/^/  /' <<<"$missing" >&2
  status=1
fi

added=$(comm -13 <(echo "$committed") <(grep "^mxl_" <<<"$exported" || true))
if [ -n "$added" ]; then
  echo "check_exports: new symbols (allowed; run with --update to record them):"
  sed 's/^/  /' <<<"$added"
fi

if [ "$status" -eq 0 ]; then
  echo "check_exports: OK, $(wc -l <<<"$exported") symbols exported, all committed ones present"
fi
exit "$status"
