#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, builds
# three ways (plain, ASan+UBSan, TSan) and runs ctest in each.
#
#   scripts/test.sh            everything (what .ci/run calls)
#   scripts/test.sh --quick    the plain build only
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh

quick=0
case "${1:-}" in
--quick) quick=1 ;;
"") ;;
*) echo "usage: scripts/test.sh [--quick]" >&2; exit 2 ;;
esac

frame_ensure_packages $FRAME_BUILD_PACKAGES $FRAME_TEST_PACKAGES

run_suite() {
    local dir=$1 what=$2
    shift 2
    echo "== $what ($dir)"
    (cd "$dir" && ctest --output-on-failure "$@")
}

# Warnings are errors here (they are not in a plain cmake build): gcc's -O2
# warnings reached main twice in session 4 because nothing failed on them.
frame_build build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFRAME_WERROR=ON
run_suite build/release "plain build"
[ "$quick" -eq 1 ] && exit 0

frame_build build/asan -DCMAKE_BUILD_TYPE=Debug -DFRAME_WERROR=ON \
    -DFRAME_SANITIZE=address,undefined
run_suite build/asan "AddressSanitizer + UndefinedBehaviorSanitizer"

frame_build build/tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFRAME_WERROR=ON \
    -DFRAME_SANITIZE=thread
run_suite build/tsan "ThreadSanitizer, threaded tests" -L tsan
