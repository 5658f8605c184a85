# Sourced by the scripts here: install the Debian packages a step needs,
# only those missing, with one `apt-get update` at most.

# Packages every build needs (the viewer needs SDL2, SDL2_ttf and a font),
# and what only the tests use (a real X server for the viewer's window
# tests; ffmpeg, which takes framectl dump's raw streams of every pixel
# format; the Python module's headers, numpy and pytest for its tests, venv
# for its offline pip install; GStreamer's headers, tools and plugins for
# the libframesrc/libframesink plugin, which is built only when they are
# there, and its pipelines' tests: x264enc is in -ugly).
FRAME_BUILD_PACKAGES="cmake make gcc libc6-dev pkg-config libpng-dev zlib1g-dev
                      libsdl2-dev libsdl2-ttf-dev fonts-dejavu-core"
FRAME_TEST_PACKAGES="xvfb xauth valgrind groff-base python3 ffmpeg
                     python3-dev python3-numpy python3-pytest python3-setuptools
                     python3-venv
                     libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
                     gstreamer1.0-tools gstreamer1.0-plugins-base
                     gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
                     gstreamer1.0-plugins-ugly"

_frame_apt_updated=0

frame_missing_packages() {
    local p missing=""
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
                grep -q "install ok installed"; then
            missing="$missing $p"
        fi
    done
    echo "$missing"
}

frame_ensure_packages() {
    local missing sudo=""
    missing=$(frame_missing_packages "$@")
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            echo "missing packages:$missing (run as root to install them)" >&2
            return 1
        fi
    fi
    echo "installing:$missing" >&2
    if [ "$_frame_apt_updated" -eq 0 ]; then
        $sudo apt-get update -qq
        _frame_apt_updated=1
    fi
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        --no-install-recommends $missing
}

# Configure (once) and build one tree: frame_build DIR [cmake args...]
frame_build() {
    local dir=$1
    shift
    if [ ! -f "$dir/CMakeCache.txt" ]; then
        cmake -S . -B "$dir" "$@" >/dev/null
    fi
    cmake --build "$dir" -j "$(nproc)"
}
