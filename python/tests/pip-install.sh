#!/bin/sh
# pip install of the Python module, offline, in a fresh virtual
# environment with the system's setuptools and numpy, as the README says:
#   python3 -m venv --system-site-packages VENV
#   VENV/bin/pip install --no-build-isolation --no-index ./python
# from a copy of the sources (pip builds in the tree it is given), then
# a frame through the installed module.
#   pip-install.sh PYTHON SOURCE_DIR SCRATCH_DIR
set -eu
python=$1 src=$2 scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch/src"
cp -r "$src/python" "$src/libframe" "$src/CMakeLists.txt" "$scratch/src/"
rm -rf "$scratch/src/python/build" "$scratch/src/python/"*.egg-info
"$python" -m venv --system-site-packages "$scratch/venv"
cd "$scratch/src"
# No index: anything pip would download fails the test.
PIP_NO_INDEX=1 "$scratch/venv/bin/pip" install --no-build-isolation \
    --no-index --disable-pip-version-check ./python
cd "$scratch"
"$scratch/venv/bin/python" - <<PY
import os, libframe, numpy as np
assert libframe.__file__.startswith("$scratch/venv/"), libframe.__file__
name = "pip-check-%d" % os.getpid()
with libframe.Writer(name, width=32, height=16, format="GRAY16_LE") as w:
    with w.frame() as buf:
        np.asarray(buf)[:] = np.arange(32, dtype=np.uint16)
    with libframe.Reader(name, wait=0) as r, r.frame(timeout=5) as f:
        assert (np.asarray(f)[3] == np.arange(32)).all()
        print("installed:", libframe.__version__, f.format, f.width, f.height)
PY
rm -rf "$scratch"
