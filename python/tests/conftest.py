"""Shared helpers of the Python module's tests: the real programs (paths
from the environment ctest sets), unique segment names cleaned up after
each test, child processes killed at the end, and a PNG decoder (zlib by
hand: no PIL)."""
import itertools
import os
import signal
import struct
import subprocess
import sys
import time
import zlib

import numpy as np
import pytest

import libframe

_counter = itertools.count()
HANG_GUARD = 60.0  # seconds: only a hang guard, never a speed assertion


def tool(var):
    path = os.environ.get(var)
    if not path or not os.path.exists(path):
        pytest.skip(f"{var} is not set to a built program")
    return path


@pytest.fixture
def names():
    made = []

    def make(tag="t"):
        n = f"py{os.getpid()}-{tag}-{next(_counter)}"
        made.append(n)
        return n

    yield make
    for n in made:
        try:
            os.unlink(f"/dev/shm/libframe.{n}")
        except FileNotFoundError:
            pass


@pytest.fixture
def procs():
    started = []

    def spawn(args, **kw):
        p = subprocess.Popen(args, **kw)
        started.append(p)
        return p

    yield spawn
    for p in started:
        if p.poll() is None:
            p.kill()
        p.wait()


def python_child(code, **kw):
    """Arguments running code in a fresh interpreter with this module."""
    return [sys.executable, "-c", code]


def wait_until(pred, what, timeout=HANG_GUARD):
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise AssertionError(f"hang guard: {what}")
        time.sleep(0.005)


def latest_frame_no(name):
    try:
        return libframe.info(name).latest_frame_no
    except libframe.Error:
        return 0


@pytest.fixture(scope="session")
def test_images(tmp_path_factory):
    d = tmp_path_factory.mktemp("test-images")
    subprocess.run([tool("LIBFRAME_MAKE_SAMPLES"), "--test-images", str(d)],
                   check=True, stdout=subprocess.DEVNULL)
    return d


def load_rgba(images, name):
    w, h = map(int, (images / f"{name}.size").read_text().split())
    data = np.fromfile(images / f"{name}.rgba", dtype=np.uint8)
    return data.reshape(h, w, 4)


def png_decode(path):
    """Samples of a non-interlaced PNG of bit depth 8 or 16, as
    (height, width, channels) uint8 or uint16, and its colour type."""
    raw = open(path, "rb").read()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, ihdr = 8, b"", None
    while pos < len(raw):
        n, kind = struct.unpack(">I4s", raw[pos:pos + 8])
        body = raw[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    w, h, depth, ctype, _, _, interlace = ihdr
    assert depth in (8, 16) and interlace == 0, ihdr
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    bpp = channels * depth // 8
    data = zlib.decompress(idat)
    stride = w * bpp
    out = np.zeros((h, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(h):
        ftype = data[y * (stride + 1)]
        line = np.frombuffer(data, np.uint8, stride, y * (stride + 1) + 1)
        cur = line.astype(np.int32)
        if ftype == 0:
            pass
        elif ftype == 2:
            cur = (cur + prev) & 0xFF
        else:  # 1 sub, 3 average, 4 Paeth depend on the row itself
            row = np.zeros(stride, dtype=np.int32)
            for x in range(stride):
                a = row[x - bpp] if x >= bpp else 0
                b = prev[x]
                c = prev[x - bpp] if x >= bpp else 0
                if ftype == 1:
                    p = a
                elif ftype == 3:
                    p = (a + b) >> 1
                else:
                    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                    p = a if pa <= pb and pa <= pc else b if pb <= pc else c
                row[x] = (cur[x] + p) & 0xFF
            cur = row
        out[y] = cur
        prev = cur
    if depth == 16:
        samples = out.view(">u2").astype(np.uint16)
    else:
        samples = out
    return samples.reshape(h, w, channels), ctype


def kill_and_wait(p, sig=signal.SIGTERM):
    if p.poll() is None:
        p.send_signal(sig)
    p.wait(timeout=HANG_GUARD)
