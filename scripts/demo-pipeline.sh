#!/usr/bin/env bash
# The pipeline demo (issue 15): producer -> Python filter -> viewer, three
# processes sharing frames through two segments with no copy through the
# kernel. With a display the viewer opens one window with both streams side
# by side, the producer's and the filter's (close it or press q); without
# one it runs headless for a few seconds, prints both streams' rates and
# writes a snapshot of each. Ctrl-C stops all three.
#
#   scripts/demo-pipeline.sh                 edges of the 1280x720 test card
#   scripts/demo-pipeline.sh --mode heat --size 1920x1080
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh

usage="usage: scripts/demo-pipeline.sh [--size WxH] [--mode edges|heat]"
size=1280x720
mode=edges
while [ $# -gt 0 ]; do
    case "$1" in
    --size) size=${2:?$usage}; shift 2 ;;
    --mode) mode=${2:?$usage}; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
    esac
done

frame_ensure_packages $FRAME_BUILD_PACKAGES python3-dev python3-numpy
frame_build build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo

bin=build/release
if ! ls "$bin"/python/libframe*.so >/dev/null 2>&1; then
    echo "the Python module was not built (python3-dev missing?)" >&2
    exit 1
fi
# The interpreter the module was built for (CMake picked the first python3
# with numpy: a pyenv or venv first on PATH often has none).
python=$(sed -n 's/^_*Python3_EXECUTABLE:[A-Z]*=//p' "$bin/CMakeCache.txt" |
    head -n 1)
frames=$bin/demo-frames-$size
if [ ! -f "$frames/.complete" ]; then
    echo "making the demo frames ($size) in $frames"
    "$bin/samples/make-samples" --demo "$frames" --size "$size" >/dev/null
    touch "$frames/.complete"
fi

pids=""
stop() {
    for pid in $pids; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in $pids; do
        wait "$pid" 2>/dev/null || true
    done
    pids=""
}
trap stop EXIT
trap 'stop; exit 130' INT TERM

# Four slots: the filter and the viewer each hold a frame of "demo" while
# they work on it, and the writer needs two more (slots - 2 may be held).
"$bin/producer/producer" --name demo --fps 30 --slots 4 --quiet "$frames" &
pids="$pids $!"
PYTHONPATH=$PWD/$bin/python "${python:-python3}" samples/python/filter.py \
    --input demo --output demo-filtered --mode "$mode" --stats &
pids="$pids $!"

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "viewer on the frames and the filtered frames: q or Esc quits"
    "$bin/viewer/viewer" demo demo-filtered
else
    snapshot=$PWD/$bin/demo-pipeline-%s.png
    echo "no display: running the viewer headless for 5 seconds"
    "$bin/viewer/viewer" --headless demo demo-filtered --seconds 5 \
        --stats --snapshot "$snapshot"
    echo "snapshots of the last frames: ${snapshot/\%s/demo} and" \
        "${snapshot/\%s/demo-filtered}"
fi
