"""No Python code can read freed memory: views used after release or
close raise, arrays keep holds and mappings alive, the GIL is released
while waiting, Ctrl-C interrupts a wait, and 100,000 frames leave the
resident size flat."""
import gc
import os
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest

import libframe
from conftest import HANG_GUARD, python_child, tool


def inode(name):
    return os.stat(f"/dev/shm/libframe.{name}").st_ino


def mapped(ino):
    """Whether this process maps the file of that inode (a writer's
    segment was made unnamed and shows as /dev/shm/#INODE)."""
    with open("/proc/self/maps") as m:
        return any(line.split()[4] == str(ino) and "/dev/shm/" in line
                   for line in m)


def publish(w, value):
    with w.frame() as buf:
        np.asarray(buf)[:] = value


def test_views_after_release_raise(names):
    name = names("rel")
    with libframe.Writer(name, width=16, height=8, slots=3) as w:
        publish(w, 5)
        with libframe.Reader(name, wait=0) as r:
            with r.frame(timeout=HANG_GUARD) as f:
                planes = f.planes
            for use in (lambda: np.asarray(f), lambda: memoryview(f),
                        lambda: f.planes, lambda: np.asarray(planes[0]),
                        lambda: bytes(planes[0])):
                with pytest.raises(ValueError, match="released"):
                    use()
            assert f.released and f.frame_no == 1 and f.width == 16
            # A writer's frame after its commit, and after an abort.
            with w.frame() as buf:
                pass
            with pytest.raises(ValueError, match="committed"):
                np.asarray(buf)


def test_array_keeps_hold_until_released(names):
    name = names("keep")
    with libframe.Writer(name, width=16, height=8, slots=3) as w:
        publish(w, 5)
        with libframe.Reader(name, wait=0) as r:
            with r.frame(timeout=HANG_GUARD) as f:
                a = np.asarray(f)
            assert libframe.info(name).slots_held == 1
            del f
            assert (a == 5).all()
            del a
            gc.collect()
            assert libframe.info(name).slots_held == 0


def test_close_deferred_while_exported(names):
    name = names("close")
    with libframe.Writer(name, width=16, height=8, slots=3) as w:
        publish(w, 7)
        ino = inode(name)
        r = libframe.Reader(name, wait=0)
        f = r.frame(timeout=HANG_GUARD)
        a = np.asarray(f)
        r.close()
        with pytest.raises(ValueError, match="closed"):
            r.frame(timeout=0)
        with pytest.raises(ValueError, match="closed"):
            np.asarray(f)
        # The array still reads the mapping, which stays until it goes.
        assert mapped(ino) and (a == 7).all()
        del a
        f.release()
        # Only the writer's own mapping is left.
        with open("/proc/self/maps") as m:
            assert sum(line.split()[4] == str(ino) for line in m) == 1
        del f, r
        # The writer side: an array of a begun frame outlives close().
        buf = w.frame()
        b = np.asarray(buf)
        w.close()
        assert mapped(ino) and os.path.exists(f"/dev/shm/libframe.{name}")
        b[:] = 1  # still our memory (the frame was aborted by close)
        del b, buf
        gc.collect()
        assert not mapped(ino)
        assert not os.path.exists(f"/dev/shm/libframe.{name}")


def test_gil_released_while_waiting(names):
    name = names("gil")
    with libframe.Writer(name, width=16, height=8, slots=3) as w:
        r = libframe.Reader(name, wait=0)
        got = []
        t = threading.Thread(
            target=lambda: got.append(r.frame(timeout=HANG_GUARD).frame_no))
        t.start()
        # This thread runs while the other waits in the library: were the
        # GIL held there, nothing would be published and it would time out.
        publish(w, 1)
        t.join(HANG_GUARD)
        assert got == [1]
        r.close()


def test_ctrl_c_interrupts_wait(names, procs):
    name = names("sigint")
    code = ("import sys, libframe\n"
            "w = libframe.Writer(sys.argv[1], width=8, height=8)\n"
            "r = libframe.Reader(sys.argv[1], wait=0)\n"
            "try:\n"
            "    print('waiting', flush=True)\n"
            "    r.frame()\n"
            "except KeyboardInterrupt:\n"
            "    print('interrupted', flush=True)\n")
    p = procs(python_child(code) + [name], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "waiting"
    p.send_signal(signal.SIGINT)
    assert p.stdout.readline().strip() == "interrupted"
    assert p.wait(timeout=HANG_GUARD) == 0


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(os.environ.get("LIBFRAME_SANITIZED") == "1",
                    reason="ASan keeps freed memory in its quarantine "
                    "(256 MB): the resident size says nothing there")
def test_100k_frames_rss_flat(names, procs, tmp_path):
    frames = tmp_path / "demo"
    subprocess.run([tool("LIBFRAME_MAKE_SAMPLES"), "--demo", str(frames),
                    "--size", "32x24", "--frames", "4"], check=True,
                   stdout=subprocess.DEVNULL)
    name = names("rss")
    procs([tool("LIBFRAME_PRODUCER"), "--name", name, "--fps", "0",
           "--slots", "3", "--quiet", str(frames)])
    with libframe.Reader(name, wait=HANG_GUARD) as r:
        def read(n):
            total = 0
            for _ in range(n):
                with r.frame(timeout=HANG_GUARD) as f:
                    total += int(np.asarray(f).sum())
                    f.planes
                    f.format
            return total
        read(10000)  # warm up: allocator pools, numpy caches
        gc.collect()
        before = rss_bytes()
        read(90000)
        gc.collect()
        after = rss_bytes()
    # A Frame leaked per frame would be ~30 MB.
    assert after - before < 4 << 20, (before, after)
