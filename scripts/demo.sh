#!/usr/bin/env bash
# The demo: installs what is missing, builds, makes the sample frames, and
# runs producer and viewer side by side. With a display the viewer opens a
# window (close it or press q); without one it runs headless for a few
# seconds, prints what it saw and writes a snapshot. Ctrl-C stops both.
#
#   scripts/demo.sh                 1280x720 test card
#   scripts/demo.sh --size 1920x1080
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh

size=1280x720
case "${1:-}" in
--size) size=${2:?"usage: scripts/demo.sh [--size WxH]"} ;;
"") ;;
*) echo "usage: scripts/demo.sh [--size WxH]" >&2; exit 2 ;;
esac

frame_ensure_packages $FRAME_BUILD_PACKAGES
frame_build build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo

bin=build/release
frames=$bin/demo-frames-$size
if [ ! -f "$frames/.complete" ]; then
    echo "making the demo frames ($size) in $frames"
    "$bin/samples/make-samples" --demo "$frames" --size "$size" >/dev/null
    touch "$frames/.complete"
fi

name=demo
producer_pid=
stop() {
    if [ -n "$producer_pid" ]; then
        kill -TERM "$producer_pid" 2>/dev/null || true
        wait "$producer_pid" 2>/dev/null || true
        producer_pid=
    fi
}
trap stop EXIT
trap 'stop; exit 130' INT TERM

"$bin/producer/producer" --name "$name" --fps 30 --quiet "$frames" &
producer_pid=$!

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "viewer: q or Esc quits, h toggles the figures, f fullscreen"
    "$bin/viewer/viewer" --name "$name"
else
    snapshot=$PWD/$bin/demo-snapshot.png
    echo "no display: running the viewer headless for 5 seconds"
    "$bin/viewer/viewer" --headless --name "$name" --seconds 5 --stats \
        --snapshot "$snapshot"
    echo "snapshot of the last frame: $snapshot"
fi
