#!/usr/bin/env python3
"""A libframe filter: read frames from one segment, compute something
visible with numpy (edges or a heat map; OpenCV's Canny when cv2
imports), publish the result to another segment. No copy through the
kernel: the input is read in place while held, the output is written
straight into the output segment's slot.

    filter.py --input demo --output edges [--mode edges|heat] [--stats]
"""
import argparse
import signal
import sys
import time

import numpy as np

import libframe

try:
    import cv2
except ImportError:
    cv2 = None


def grey(rgba):
    """Luma of an RGBA frame as uint16 (0..255), integer weights."""
    r, g, b = (rgba[..., i].astype(np.uint16) for i in range(3))
    return (77 * r + 150 * g + 29 * b + 128) >> 8


def edges(rgba, out):
    if cv2 is not None:
        e = cv2.Canny(cv2.cvtColor(np.ascontiguousarray(rgba),
                                   cv2.COLOR_RGBA2GRAY), 60, 120)
    else:
        y = grey(rgba).astype(np.int16)
        gx = np.abs(y[1:-1, 2:] - y[1:-1, :-2])
        gy = np.abs(y[2:, 1:-1] - y[:-2, 1:-1])
        e = np.zeros(y.shape, np.uint8)
        e[1:-1, 1:-1] = np.minimum(gx + gy, 255)
    out[..., 0] = e
    out[..., 1] = e
    out[..., 2] = e
    out[..., 3] = 255


def heat(rgba, out):
    """Luma as a heat map: black, red, yellow, white."""
    y = grey(rgba)
    out[..., 0] = np.minimum(y * 3, 255)
    out[..., 1] = np.clip(y * 3 - 255, 0, 255)
    out[..., 2] = np.clip(y * 3 - 510, 0, 255)
    out[..., 3] = 255


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--input", "-i", default="demo")
    ap.add_argument("--output", "-o", default="filtered")
    ap.add_argument("--mode", choices=("edges", "heat"), default="edges")
    ap.add_argument("--frames", type=int, default=0,
                    help="stop after N frames (0: until the input stops)")
    ap.add_argument("--wait", type=float, default=None,
                    help="seconds to wait for the input's writer")
    ap.add_argument("--stats", action="store_true",
                    help="a line every second on stderr")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    work = edges if args.mode == "edges" else heat
    count, shown, t0 = 0, 0, time.monotonic()
    writer = None
    try:
        with libframe.Reader(args.input, wait=args.wait) as r:
            while not args.frames or count < args.frames:
                try:
                    f = r.frame(timeout=None)
                except (libframe.WriterClosed, libframe.WriterLost):
                    break
                try:
                    with f:
                        # Other formats arrive as a converted copy.
                        src = (np.asarray(f) if f.format == "RGBA" else
                               np.asarray(r.copy(format="RGBA")))
                        if writer is None or (writer.width, writer.height) \
                                != (f.width, f.height):
                            if writer:
                                writer.close()
                            writer = libframe.Writer(
                                args.output, width=f.width,
                                height=f.height, slots=3)
                        with writer.frame(timestamp_ns=f.timestamp_ns,
                                          source_index=f.frame_no) as buf:
                            work(src, np.asarray(buf))
                            if not f.still_valid():
                                buf.abort()  # publish nothing torn
                        del src
                except libframe.TornFrame:
                    continue  # aborted above
                count += 1
                now = time.monotonic()
                if args.stats and now - t0 >= 1.0:
                    print(f"filter: {(count - shown) / (now - t0):.1f} "
                          f"frames/s ({args.mode}"
                          f"{', OpenCV' if cv2 is not None else ''})",
                          file=sys.stderr, flush=True)
                    shown, t0 = count, now
    except KeyboardInterrupt:
        pass
    finally:
        if writer:
            writer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
