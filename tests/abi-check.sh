#!/bin/sh
# The shared library exports exactly the symbols listed in tests/abi.txt:
# nothing internal leaks, nothing public goes missing.
# usage: abi-check.sh LIBFRAME_SO ABI_LIST
set -eu
actual=$(nm -D --defined-only "$1" | awk '{print $3}' | sort)
if ! printf '%s\n' "$actual" | diff -u "$2" -; then
    echo "abi-check: exported symbols differ from $2 (+ new, - missing)" >&2
    exit 1
fi
echo "abi-check: $(printf '%s\n' "$actual" | wc -l) symbols as listed"
