"""A Python writer with the C viewer and framectl, and with a Python
reader in another process; an exception inside w.frame() publishes
nothing."""
import subprocess
import sys

import numpy as np
import pytest

import libframe
from conftest import (HANG_GUARD, kill_and_wait, latest_frame_no,
                      png_decode, python_child, tool, wait_until)

FORMATS = [f["name"] for f in libframe.formats()]

# A child that publishes one frame of pattern(fmt, w, h, seed) with
# padded rows, says "published", and lives until its stdin closes.
WRITER = r"""
import sys, numpy as np, libframe
name, fmt, w, h, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5])
with libframe.Writer(name, width=w, height=h, format=fmt, slots=3) as wr:
    with wr.frame(stride_align=32) as buf:
        rng = np.random.default_rng(seed)
        for p in buf.planes:
            a = np.asarray(p)
            a[:] = rng.integers(0, np.iinfo(a.dtype).max + 1, a.shape,
                                dtype=a.dtype)
    print("published", flush=True)
    sys.stdin.read()
"""


def pattern(fmt, w, h, seed):
    """The planes WRITER publishes, made the same way here."""
    name = f"pat-{fmt}-{seed}"
    rng = np.random.default_rng(seed)
    d = next(x for x in libframe.formats() if x["name"] == fmt)
    planes = []
    for samples, xs, ys in d["planes"]:
        shape = (-(-h >> ys), -(-w >> xs)) + ((samples,) if samples > 1
                                               else ())
        dt = np.dtype(d["numpy_dtype"])
        planes.append(rng.integers(0, np.iinfo(dt).max + 1, shape, dtype=dt))
    return planes


def start_writer(procs, name, fmt, w, h, seed):
    p = procs([sys.executable, "-c", WRITER, name, fmt, str(w), str(h),
               str(seed)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
              text=True)
    assert p.stdout.readline().strip() == "published"
    return p


@pytest.mark.parametrize("fmt", ["RGBA", "BGRA", "RGB", "GRAY8", "GRAY16_LE",
                                 "RGBA64_LE", "I420", "NV12"])
def test_writer_to_viewer_snapshot(fmt, names, procs, tmp_path):
    viewer = tool("LIBFRAME_VIEWER")
    name, w, h = names("view"), 37, 23
    p = start_writer(procs, name, fmt, w, h, 7)
    out = tmp_path / "snap.png"
    subprocess.run([viewer, "--headless", "--name", name, "--frames", "1",
                    "--wait", str(HANG_GUARD), "--snapshot", str(out)],
                   check=True, stdout=subprocess.DEVNULL,
                   timeout=HANG_GUARD)
    got, ctype = png_decode(out)
    planes = pattern(fmt, w, h, 7)
    if fmt in ("I420", "NV12"):
        # Converted to RGB by the library: its conversion is the reference.
        with libframe.Reader(name, wait=0) as r:
            want = np.array(r.copy(format="RGB"))
    elif fmt == "BGRA":
        want = planes[0][..., [2, 1, 0, 3]]
    else:
        want = planes[0]
    want = want.reshape(h, w, -1)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got, want)
    p.stdin.close()
    p.wait(timeout=HANG_GUARD)


@pytest.mark.parametrize("fmt", FORMATS)
def test_writer_to_framectl_dump(fmt, names, procs, tmp_path):
    framectl = tool("LIBFRAME_FRAMECTL")
    name, w, h = names("dump"), 41, 31
    p = start_writer(procs, name, fmt, w, h, 11)
    out = tmp_path / "frame.raw"
    subprocess.run([framectl, "dump", name, "-c", "1", "-o", str(out)],
                   check=True, stderr=subprocess.DEVNULL, timeout=HANG_GUARD)
    want = b"".join(np.ascontiguousarray(a).tobytes()
                    for a in pattern(fmt, w, h, 11))
    assert out.read_bytes() == want
    p.stdin.close()
    p.wait(timeout=HANG_GUARD)


# A child that publishes frames 1 and 2 around an aborted one, in steps the
# test drives through stdin, so nothing depends on who is faster.
STEPS = r"""
import sys, numpy as np, libframe
with libframe.Writer(sys.argv[1], width=64, height=48, slots=3) as w:
    def step(value, fail):
        with w.frame() as buf:
            np.asarray(buf)[:] = value
            if fail:
                raise RuntimeError("inside the frame")
    step(1, False)
    print("one", flush=True); sys.stdin.readline()
    try:
        step(99, True)
    except RuntimeError:
        print("aborted", flush=True)
    sys.stdin.readline()
    step(2, False)
    print("two", flush=True); sys.stdin.readline()
"""


def test_writer_to_reader_process_and_abort(names, procs):
    name = names("abort")
    p = procs(python_child(STEPS) + [name], stdin=subprocess.PIPE,
              stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "one"
    with libframe.Reader(name, wait=HANG_GUARD) as r:
        with r.frame(timeout=HANG_GUARD) as f:
            assert f.frame_no == 1
            assert (np.asarray(f) == 1).all()
        p.stdin.write("\n")
        p.stdin.flush()
        assert p.stdout.readline().strip() == "aborted"
        # Nothing was published: no new frame, the newest is still 1.
        with pytest.raises(libframe.Timeout):
            r.frame(timeout=0.2)
        assert libframe.info(name).latest_frame_no == 1
        assert (np.asarray(r.copy()) == 1).all()
        p.stdin.write("\n")
        p.stdin.flush()
        assert p.stdout.readline().strip() == "two"
        with r.frame(timeout=HANG_GUARD) as f:
            assert (np.asarray(f) == 2).all()
            assert f.frame_no == 2
        p.stdin.write("\n")
        p.stdin.flush()
        with pytest.raises(libframe.WriterClosed):
            r.frame(timeout=HANG_GUARD)
    assert p.wait(timeout=HANG_GUARD) == 0


def test_errors_carry_library_words(names):
    name = names("err")
    with pytest.raises(libframe.NotFound) as e:
        libframe.Reader(name, wait=0)
    assert e.value.code == -2 and "no such segment" in str(e.value)
    assert isinstance(e.value, libframe.Error)
    with pytest.raises(libframe.Timeout) as e:
        libframe.Reader(name, wait=0.05)
    assert isinstance(e.value, TimeoutError)
    assert isinstance(e.value, libframe.Error)
    with libframe.Writer(name, width=8, height=8):
        with pytest.raises(libframe.WriterAlive) as e:
            libframe.Writer(name, width=8, height=8)
        assert e.value.code == -1006
        assert libframe.strerror(-1006) in str(e.value)
        segs = {s.name: s for s in libframe.segments()}
        assert segs[name].writer_alive and segs[name].format == "RGBA"
        assert segs[name].error is None
