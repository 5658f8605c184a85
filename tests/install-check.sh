#!/bin/sh
# Install the build tree into a scratch prefix and build a consumer against
# it twice: with pkg-config and with find_package(libframe).
# usage: install-check.sh BUILD_DIR SOURCE_DIR SCRATCH_DIR
set -eu
build=$1 src=$2 scratch=$3
rm -rf "$scratch"
prefix=$scratch/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(ls -d "$prefix"/lib*/pkgconfig | head -n 1 | xargs dirname)

# pkg-config, shared: run it from the installed library.
flags=$(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs libframe)
cc -std=c11 -o "$scratch/pc_consumer" "$src/tests/install/consumer.c" $flags
cc -std=c11 -Wall -Werror -o "$scratch/pc_reader_example" \
    "$src/samples/reader_example.c" $flags
LD_LIBRARY_PATH=$libdir "$scratch/pc_consumer"

# find_package, shared and static.
cmake -S "$src/tests/install" -B "$scratch/cm" \
    -DCMAKE_PREFIX_PATH="$prefix" -DFRAME_SAMPLES_DIR="$src/samples" >/dev/null
cmake --build "$scratch/cm" >/dev/null
LD_LIBRARY_PATH=$libdir "$scratch/cm/consumer_shared"
"$scratch/cm/consumer_static"
test -x "$scratch/cm/reader_example"

# The tools, the man pages and the version header are installed too.
for f in bin/producer bin/viewer bin/framectl bin/make-samples \
         include/libframe/frame_version.h share/man/man1/producer.1 \
         share/man/man1/viewer.1 share/man/man1/framectl.1 \
         share/man/man1/make-samples.1 share/man/man3/libframe.3; do
    if [ ! -e "$prefix/$f" ]; then
        echo "install-check: $f was not installed" >&2
        exit 1
    fi
done
# framebench is installed only with FRAME_INSTALL_BENCH; its page with it.
bench=no page=no
[ -e "$prefix/bin/framebench" ] && bench=yes
[ -e "$prefix/share/man/man1/framebench.1" ] && page=yes
if [ "$bench" != "$page" ]; then
    echo "install-check: bin/framebench installed: $bench," \
         "share/man/man1/framebench.1 installed: $page" >&2
    exit 1
fi
# The GStreamer plugin, when this tree built it: under the prefix's
# lib*/gstreamer-1.0, and loadable from there with nothing but GStreamer
# (libframe is linked in).
gst=""
if [ -e "$build/gst/libgstlibframe.so" ]; then
    plugin=$libdir/gstreamer-1.0/libgstlibframe.so
    if [ ! -e "$plugin" ]; then
        echo "install-check: ${plugin#"$prefix"/} was not installed" >&2
        exit 1
    fi
    if command -v gst-inspect-1.0 >/dev/null 2>&1; then
        for element in libframesink libframesrc; do
            if ! GST_PLUGIN_PATH=$libdir/gstreamer-1.0 \
                GST_REGISTRY=$scratch/gst-registry.bin \
                gst-inspect-1.0 "$element" >"$scratch/gst-inspect.txt" 2>&1 ||
                ! grep -q "$plugin" "$scratch/gst-inspect.txt"; then
                echo "install-check: $element does not load from $plugin:" >&2
                cat "$scratch/gst-inspect.txt" >&2
                exit 1
            fi
        done
    fi
    gst="; the GStreamer plugin installed and loadable"
fi
echo "install-check: pkg-config and find_package consumers and the sample reader build; tools and man pages installed$gst"
