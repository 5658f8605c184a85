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
LD_LIBRARY_PATH=$libdir "$scratch/pc_consumer"

# find_package, shared and static.
cmake -S "$src/tests/install" -B "$scratch/cm" \
    -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$scratch/cm" >/dev/null
LD_LIBRARY_PATH=$libdir "$scratch/cm/consumer_shared"
"$scratch/cm/consumer_static"
echo "install-check: pkg-config and find_package consumers work"
