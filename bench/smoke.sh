#!/bin/sh
# bench_quick: framebench --quick runs and its JSON is complete.
# Usage: smoke.sh FRAMEBENCH FRAMEBENCH-CHECK JSON
set -e
rm -f "$3"
"$1" --quick --quiet --json "$3"
"$2" "$3"
