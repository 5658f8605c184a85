#!/usr/bin/env python3
"""Python rows of the benchmark (issue 15), same run, on this machine:
a reader that takes each frame and sums it with numpy, with the writer
publishing 1920x1080 RGBA frames at full speed, over
  - libframe (the frame held, read in place: numpy.asarray(frame)),
  - multiprocessing.Queue sending numpy arrays (pickled),
  - multiprocessing.shared_memory with a Queue for the hand-off (no
    validity check: the hand-rolled way; its writer never waits either,
    a hand-off the queue has no room for is dropped);
and the Python-side cost of a hold and release (small frames, frames
always ready). Prints a table of medians of --runs runs.

    PYTHONPATH=build/release/python python3 python/bench_python.py

Run it against an optimised build (RelWithDebInfo).
"""
import argparse
import multiprocessing as mp
import os
import queue
import statistics
import sys
import time
from multiprocessing import shared_memory

import numpy as np

import libframe

W, H = 1920, 1080


def source():
    return np.random.default_rng(1).integers(0, 256, (H, W, 4), np.uint8)


def lf_writer(name, ready, stop):
    src = source()
    with libframe.Writer(name, width=W, height=H, slots=3) as w:
        ready.set()
        while not stop.is_set():
            with w.frame() as buf:
                np.copyto(np.asarray(buf), src)


def q_writer(q, ready, stop):
    q.cancel_join_thread()  # exit at stop, whatever is still unsent
    src = source()
    ready.set()
    while not stop.is_set():
        try:
            q.put(src, timeout=0.1)
        except Exception:
            pass


def shm_writer(shm_name, slots, q, ready, stop):
    q.cancel_join_thread()
    shm = shared_memory.SharedMemory(name=shm_name)
    bufs = [np.ndarray((H, W, 4), np.uint8, shm.buf, i * W * H * 4)
            for i in range(slots)]
    src = source()
    ready.set()
    i = 0
    # At full speed, as the libframe writer: it never waits for the reader.
    # A hand-off the queue has no room for is dropped, and the reader may
    # read a buffer being rewritten (this baseline has no validity check).
    while not stop.is_set():
        np.copyto(bufs[i], src)
        try:
            q.put_nowait(i)
        except queue.Full:
            pass
        i = (i + 1) % slots
    del bufs
    shm.close()


def run(target, args, read, seconds):
    ctx = mp.get_context("fork")
    ready, stop = ctx.Event(), ctx.Event()
    p = ctx.Process(target=target, args=args + (ready, stop))
    p.start()
    ready.wait(30)
    try:
        return read(seconds)
    finally:
        stop.set()
        p.join(10)
        if p.is_alive():
            p.kill()


def bench_libframe(seconds):
    name = f"pybench-{os.getpid()}"

    def read(seconds):
        with libframe.Reader(name, wait=30) as r:
            n, total = 0, 0
            end = time.monotonic() + seconds
            t0 = time.monotonic()
            while time.monotonic() < end:
                try:
                    with r.frame(timeout=5) as f:
                        total += int(np.asarray(f).sum())
                    n += 1
                except libframe.TornFrame:
                    pass
            return n / (time.monotonic() - t0)

    return run(lf_writer, (name,), read, seconds)


def bench_queue(seconds):
    q = mp.get_context("fork").Queue(maxsize=2)

    def read(seconds):
        n, total = 0, 0
        end = time.monotonic() + seconds
        t0 = time.monotonic()
        while time.monotonic() < end:
            total += int(q.get(timeout=5).sum())
            n += 1
        return n / (time.monotonic() - t0)

    try:
        return run(q_writer, (q,), read, seconds)
    finally:
        q.close()


def bench_shm(seconds):
    slots = 3
    ctx = mp.get_context("fork")
    q = ctx.Queue(maxsize=slots - 1)
    shm = shared_memory.SharedMemory(create=True, size=slots * W * H * 4)
    bufs = [np.ndarray((H, W, 4), np.uint8, shm.buf, i * W * H * 4)
            for i in range(slots)]

    def read(seconds):
        n, total = 0, 0
        end = time.monotonic() + seconds
        t0 = time.monotonic()
        while time.monotonic() < end:
            total += int(bufs[q.get(timeout=5)].sum())
            n += 1
        return n / (time.monotonic() - t0)

    try:
        return run(shm_writer, (shm.name, slots, q), read, seconds)
    finally:
        q.close()
        del bufs
        shm.close()
        shm.unlink()


def bench_hold_cost(n=20000):
    """Python-side cost of `with r.frame() as f: np.asarray(f)` (hold,
    Frame, export, release), no waiting: a writer in this process
    publishes each frame just before it is read, and the writer's own
    loop is timed alone and subtracted."""
    name = f"pybench-small-{os.getpid()}"
    with libframe.Writer(name, width=64, height=48, slots=3) as w, \
            libframe.Reader(name, wait=0) as r:
        def publish_only():
            t0 = time.perf_counter()
            for _ in range(n):
                with w.frame():
                    pass
            return time.perf_counter() - t0

        def publish_and_read():
            t0 = time.perf_counter()
            for _ in range(n):
                with w.frame():
                    pass
                with r.frame(timeout=0) as f:
                    np.asarray(f)
            return time.perf_counter() - t0

        publish_and_read()  # warm up
        return (publish_and_read() - publish_only()) / n * 1e6


def main():
    ap = argparse.ArgumentParser(description="Python rows of framebench")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    rows = {"libframe (held, in place)": [], "multiprocessing.Queue": [],
            "shared_memory + Queue": [], "hold+release µs/frame": []}
    for _ in range(args.runs):  # interleaved: the same run for every row
        rows["libframe (held, in place)"].append(bench_libframe(args.seconds))
        rows["multiprocessing.Queue"].append(bench_queue(args.seconds))
        rows["shared_memory + Queue"].append(bench_shm(args.seconds))
        rows["hold+release µs/frame"].append(bench_hold_cost())
    med = {k: statistics.median(v) for k, v in rows.items()}
    lf = med["libframe (held, in place)"]
    print(f"1920x1080 RGBA, writer at full speed, reader sums each frame "
          f"with numpy; median of {args.runs} runs of {args.seconds:g} s")
    print(f"{'row':30} {'frames/s':>10} {'libframe vs':>12}")
    for k in ("libframe (held, in place)", "multiprocessing.Queue",
              "shared_memory + Queue"):
        print(f"{k:30} {med[k]:10.1f} {lf / med[k]:11.2f}x")
    print(f"{'hold+release (64x48)':30} {med['hold+release µs/frame']:10.2f}"
          f" µs per frame: frame(), asarray, release; no wait")
    return 0


if __name__ == "__main__":
    sys.exit(main())
