#!/bin/sh
# bench_quick: framebench --quick runs, every row is measured (framebench
# exits 1 otherwise), and its JSON has the rows --list-rows says, each
# complete (check_json.py).
# Usage: smoke.sh FRAMEBENCH JSON
set -e
here=$(dirname "$0")
rm -f "$2"
"$1" --quick --quiet --json "$2"
python3 "$here/check_json.py" "$2" "$1" --quick
