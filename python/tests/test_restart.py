"""The producer SIGKILLed and restarted under a Python reader: WriterLost
once, then the new writer's frames; an array of the old writer's frame
stays readable (its mapping is kept while it is held)."""
import signal

import numpy as np
import pytest

import libframe
from conftest import HANG_GUARD, tool


@pytest.fixture(scope="module")
def demo_frames(tmp_path_factory):
    import subprocess
    d = tmp_path_factory.mktemp("demo")
    subprocess.run([tool("LIBFRAME_MAKE_SAMPLES"), "--demo", str(d),
                    "--size", "64x48", "--frames", "4"], check=True,
                   stdout=subprocess.DEVNULL)
    return d


def test_sigkill_and_restart(names, procs, demo_frames):
    producer = tool("LIBFRAME_PRODUCER")
    name = names("restart")
    args = [producer, "--name", name, "--fps", "100", "--slots", "3",
            "--quiet", str(demo_frames)]
    p = procs(args)
    with libframe.Reader(name, wait=HANG_GUARD) as r:
        f = r.frame(timeout=HANG_GUARD)
        first = f.session_id
        old = np.asarray(f)
        keep = old.copy()
        p.send_signal(signal.SIGKILL)
        p.wait()
        with pytest.raises(libframe.WriterLost) as e:
            while True:  # frames published before the kill come first
                with r.frame(timeout=HANG_GUARD):
                    pass
        assert e.value.code == -1007
        # Once: the next call waits for a new writer, and none is there.
        with pytest.raises(libframe.Timeout):
            r.frame(timeout=0.3)
        procs(args)
        with r.frame(timeout=HANG_GUARD) as g:
            assert g.session_id != first
            assert g.frame_no >= 1
            assert np.asarray(g).shape == (48, 64, 4)
        # The old writer's frame: still mapped, still whole.
        assert np.array_equal(old, keep)
        del old
        f.release()
