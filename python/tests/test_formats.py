"""The real producer publishes the test images in every format of the
library's table; the Python reader's zero-copy arrays hold exactly the
expected samples."""
import subprocess

import numpy as np
import pytest

import libframe
from conftest import HANG_GUARD, load_rgba, tool, wait_until

FORMATS = [f["name"] for f in libframe.formats()]


def image_names(images):
    return (images / "test-images.txt").read_text().split()


def expected_simple(fmt, rgba):
    """What each packed format's samples are, from the RGBA8 a decoder
    must give (8-bit images: no depth lost)."""
    r, g, b = (rgba[..., i].astype(np.uint32) for i in range(3))
    if fmt == "RGBA":
        return [rgba]
    if fmt == "BGRA":
        return [rgba[..., [2, 1, 0, 3]]]
    if fmt == "RGB":
        return [rgba[..., :3]]
    if fmt == "RGBA64_LE":
        return [rgba.astype(np.uint16) * 257]
    if fmt == "GRAY8":
        return [((77 * r + 150 * g + 29 * b + 128) >> 8).astype(np.uint8)]
    return None


def reference(names, fmt, rgba):
    """The library's own conversion of the RGBA8 image, through a Python
    writer and Reader.copy(format=): for the formats whose rule is more
    than a formula here (GRAY16 weights, BT.601 YUV)."""
    h, w = rgba.shape[:2]
    name = names("ref")
    with libframe.Writer(name, width=w, height=h) as wr:
        with wr.frame() as buf:
            np.asarray(buf)[:] = rgba
        with libframe.Reader(name, wait=0) as r:
            img = r.copy(format=fmt)
            return [np.array(p) for p in img.planes]


def read_all(name, count, want):
    """Frames until every input index in want was seen (the producer
    loops): index -> planes copied out of the held frame."""
    seen = {}
    with libframe.Reader(name, wait=HANG_GUARD) as r:
        while not want <= seen.keys():
            with r.frame(timeout=HANG_GUARD) as f:
                if f.source_index in want and f.source_index not in seen:
                    planes = [np.array(np.asarray(p)) for p in f.planes]
                    seen[f.source_index] = (f.format, f.width, f.height,
                                            planes)
    return seen


@pytest.mark.parametrize("fmt", FORMATS)
def test_producer_format(fmt, test_images, names, procs):
    producer = tool("LIBFRAME_PRODUCER")
    files = [n for n in image_names(test_images)
             if fmt == "RGBA" or "16" not in n]
    name = names(fmt.lower())
    # 3 slots: one hold is then a promise the writer keeps.
    procs([producer, "--name", name, "--format", fmt, "--fps", "200",
           "--slots", "3",
           "--quiet", "--threads", "1"] +
          [str(test_images / f"{n}.png") for n in files])
    seen = read_all(name, len(files), set(range(len(files))))
    for i, n in enumerate(files):
        got_fmt, w, h, planes = seen[i]
        rgba = load_rgba(test_images, n)
        assert got_fmt == fmt, n
        assert (h, w) == rgba.shape[:2], n
        want = expected_simple(fmt, rgba) or reference(names, fmt, rgba)
        assert len(planes) == len(want), n
        for p, (a, b) in enumerate(zip(planes, want)):
            assert a.dtype == b.dtype and a.shape == b.shape, (n, p)
            assert np.array_equal(a, b), f"{n} plane {p} differs"


def test_every_format_shape_and_dtype(names):
    """The table's shape rule, for a frame of odd size and padded rows."""
    name = names("shape")
    with libframe.Writer(name, width=33, height=17, format="RGBA64_LE") as w:
        for fmt in FORMATS:
            d = next(x for x in libframe.formats() if x["name"] == fmt)
            with w.frame(format=fmt, stride_align=64) as buf:
                for p, (samples, xs, ys) in enumerate(d["planes"]):
                    a = np.asarray(buf.planes[p])
                    shape = (-(-17 >> ys), -(-33 >> xs))
                    if samples > 1:
                        shape += (samples,)
                    assert a.shape == shape, (fmt, p)
                    assert a.dtype == np.dtype(d["numpy_dtype"]), fmt
                    assert a.strides[0] % 64 == 0, fmt
                    a[:] = p + 1
            with libframe.Reader(name, wait=0) as r:
                with r.frame(timeout=HANG_GUARD) as f:
                    assert f.format == fmt
                    for p, plane in enumerate(f.planes):
                        a = np.asarray(plane)
                        assert not a.flags.writeable
                        assert (a == p + 1).all(), (fmt, p)
                    if len(f.planes) == 1:
                        assert np.asarray(f).shape == a.shape
                    else:
                        with pytest.raises(BufferError, match="planes"):
                            np.asarray(f)
