"""Holds through the Python API: a held frame stays whole under a writer
at full speed, and one released late under more holders than the writer
can spare raises TornFrame. Progress is awaited by frame numbers, never
by time."""
import subprocess

import numpy as np
import pytest

import libframe
from conftest import HANG_GUARD, latest_frame_no, python_child, wait_until

# Publishes frames as fast as it can, every byte of frame n equal to
# n & 0xff, until killed.
FLOOD = r"""
import sys, numpy as np, libframe
with libframe.Writer(sys.argv[1], width=256, height=64, slots=3) as w:
    print("up", flush=True)
    while True:
        with w.frame() as buf:
            np.asarray(buf)[:] = buf.frame_no & 0xFF
"""


@pytest.fixture
def flood(names, procs):
    name = names("flood")
    p = procs(python_child(FLOOD) + [name], stdout=subprocess.PIPE,
              text=True)
    assert p.stdout.readline().strip() == "up"
    return name


def test_held_frame_survives_full_speed_writer(flood):
    with libframe.Reader(flood, wait=HANG_GUARD) as r:
        for _ in range(3):
            with r.frame(timeout=HANG_GUARD) as f:
                a = np.asarray(f)
                n = f.frame_no
                assert (a == n & 0xFF).all()
                # The writer goes on around the held slot meanwhile.
                wait_until(lambda: latest_frame_no(flood) >= n + 20,
                           "the writer publishing on")
                assert (a == n & 0xFF).all()
                assert f.still_valid()
            del a  # the hold ends with the last export


def test_late_release_beyond_promise_is_torn(flood):
    # slot_count - 2 = 1 hold is promised; two handles hold two frames.
    with libframe.Reader(flood, wait=HANG_GUARD) as r1, \
            libframe.Reader(flood, wait=HANG_GUARD) as r2:
        old = r1.frame(timeout=HANG_GUARD)
        wait_until(lambda: latest_frame_no(flood) > old.frame_no,
                   "a newer frame")
        new = r2.frame(timeout=HANG_GUARD)
        assert new.frame_no > old.frame_no
        # Two frames later every slot but the newest is held: the writer
        # overruns the oldest hold, and only it.
        wait_until(lambda: latest_frame_no(flood) >= new.frame_no + 3,
                   "the writer lapping the holds")
        new.release()  # whole: no exception
        with pytest.raises(libframe.TornFrame) as e:
            with old:
                pass
        assert "overwritten" in str(e.value)
        assert isinstance(e.value, libframe.Error)


def test_torn_does_not_hide_an_exception(flood):
    with libframe.Reader(flood, wait=HANG_GUARD) as r1, \
            libframe.Reader(flood, wait=HANG_GUARD) as r2:
        old = r1.frame(timeout=HANG_GUARD)
        wait_until(lambda: latest_frame_no(flood) > old.frame_no, "newer")
        new = r2.frame(timeout=HANG_GUARD)
        wait_until(lambda: latest_frame_no(flood) >= new.frame_no + 3,
                   "lapped")
        with pytest.raises(KeyError):
            with old:
                raise KeyError("mine")
        new.release()
