#!/usr/bin/env python3
"""Seeds of the header fuzz corpus (tests/fuzz/corpus/header) for segment
ABI 2: segments built byte by byte from the layout in
libframe/src/frame_internal.h, not by the library, so the corpus does not
share the library's mistakes.

    python3 tests/fuzz/header_seeds.py tests/fuzz/corpus/header

writes fmt-* (every pixel format, valid and invalid descriptors) and, with
--upgrade, rewrites the ABI 1 files of the directory in ABI 2's layout (the
slot descriptor's stride moved to stride[0], the format to its new place,
no plane offsets), keeping one ABI 1 segment as abi1-*. Deterministic: a
second run writes the same bytes.
"""
import os
import struct
import sys

MAGIC = 0x454D41524642494C  # "LIBFRAME"
HEADER = 4096
PAGE = 4096
SLOT_DESC = 384  # offset of slot 0's descriptor
SLOT_SIZE = 128

# format: (planes as (samples, subsampled), bytes per sample)
RGBA8, BGRA8, RGB8, GRAY8, GRAY16, RGBA16, I420, NV12 = range(1, 9)
FORMATS = {
    RGBA8: ([(4, 0)], 1),
    BGRA8: ([(4, 0)], 1),
    RGB8: ([(3, 0)], 1),
    GRAY8: ([(1, 0)], 1),
    GRAY16: ([(1, 0)], 2),
    RGBA16: ([(4, 0)], 2),
    I420: ([(1, 0), (1, 1), (1, 1)], 1),
    NV12: ([(1, 0), (2, 1)], 1),
}
NAMES = {RGBA8: "rgba8", BGRA8: "bgra8", RGB8: "rgb8", GRAY8: "gray8",
         GRAY16: "gray16", RGBA16: "rgba16", I420: "i420", NV12: "nv12"}


def planes(fmt, w, h):
    """[(row bytes, rows)] of each plane of a w x h frame."""
    out = []
    samples, bps = FORMATS[fmt]
    for n, sub in samples:
        pw, ph = ((w + 1) // 2, (h + 1) // 2) if sub else (w, h)
        out.append((pw * n * bps, ph))
    return out


def layout(fmt, w, h, align=1):
    """(strides, offsets, bytes) of the frame laid out plane after plane."""
    strides, offsets, at = [], [], 0
    for row, rows in planes(fmt, w, h):
        stride = (row + align - 1) // align * align
        strides.append(stride)
        offsets.append(at)
        at += stride * rows
    return strides, offsets, at


class Segment:
    def __init__(self, fmt, max_w, max_h, slots=2):
        need = layout(fmt, max_w, max_h)[2]
        self.cap = (need + PAGE - 1) // PAGE * PAGE
        self.slots = slots
        size = HEADER + slots * self.cap
        self.b = bytearray(size)
        struct.pack_into("<QIIII", self.b, 0, MAGIC, 2, HEADER, slots, fmt)
        struct.pack_into("<QIIQiIqQ", self.b, 24, self.cap, max_w, max_h,
                         0x1234567890ABCDEF ^ fmt, 4242, 0,
                         1700000000000000000, size)
        struct.pack_into("<q", self.b, 256, 5000000000)  # heartbeat
        struct.pack_into("<I", self.b, 264, 1)  # running
        # Samples that differ from their neighbours, so a copy from a wrong
        # place shows (a pattern, not noise: git compresses it).
        for i in range(HEADER, size):
            self.b[i] = (i * 31 + (i >> 8) * 7 + fmt) & 0xFF

    def publish(self, slot, frame_no, fmt, w, h, strides, offsets):
        d = SLOT_DESC + slot * SLOT_SIZE
        struct.pack_into("<QQIII", self.b, d, 2 * frame_no, frame_no, w, h,
                         fmt)
        struct.pack_into("<qQ", self.b, d + 32, 1000 + frame_no, frame_no)
        s = (list(strides) + [0, 0, 0])[:3]
        o = (list(offsets) + [0, 0, 0])[:3]
        struct.pack_into("<III", self.b, d + 48, *s)
        struct.pack_into("<III", self.b, d + 64, *o)
        struct.pack_into("<QI", self.b, 128, frame_no << 8 | slot, frame_no)

    def frame(self, slot, frame_no, fmt, w, h, align=1):
        strides, offsets, _ = layout(fmt, w, h, align)
        self.publish(slot, frame_no, fmt, w, h, strides, offsets)
        return strides, offsets


def seeds():
    """(file name, bytes) of every seed."""
    out = []
    for fmt, name in NAMES.items():
        # Valid: tight at the largest (odd) size, padded and smaller in the
        # other slot, the older frame still in place.
        s = Segment(fmt, 17, 9)
        s.frame(0, 1, fmt, 17, 9)
        s.frame(1, 2, fmt, 5, 3, 64)
        out.append((f"fmt-{name}-17x9-padded-5x3", bytes(s.b)))
        s = Segment(fmt, 17, 9)
        s.frame(1, 1, fmt, 17, 9)
        out.append((f"fmt-{name}-17x9", bytes(s.b)))
        s = Segment(fmt, 1, 1)
        s.frame(0, 1, fmt, 1, 1)
        out.append((f"fmt-{name}-1x1", bytes(s.b)))

        # The last plane moved to the very end of the slot: valid.
        s = Segment(fmt, 17, 9)
        st, off = s.frame(0, 1, fmt, 17, 9)
        row, rows = planes(fmt, 17, 9)[-1]
        last = st[-1] * (rows - 1) + row
        off[-1] = s.cap - last
        s.publish(0, 1, fmt, 17, 9, st, off)
        out.append((f"fmt-{name}-last-plane-at-slot-end", bytes(s.b)))
        # ... and one byte further: out of the slot.
        off[-1] += FORMATS[fmt][1]
        s.publish(0, 1, fmt, 17, 9, st, off)
        out.append((f"fmt-{name}-last-plane-past-slot", bytes(s.b)))

        # Every plane's stride one sample short of its row.
        for p in range(len(st)):
            s = Segment(fmt, 17, 9)
            st, off = s.frame(0, 1, fmt, 17, 9)
            st[p] = planes(fmt, 17, 9)[p][0] - FORMATS[fmt][1]
            s.publish(0, 1, fmt, 17, 9, st, off)
            out.append((f"fmt-{name}-plane{p}-stride-short", bytes(s.b)))

        # An unused plane's field set.
        n = len(FORMATS[fmt][0])
        if n < 3:
            s = Segment(fmt, 17, 9)
            st, off = s.frame(0, 1, fmt, 17, 9)
            s.publish(0, 1, fmt, 17, 9, st + [0] * (2 - n) + [8],
                      off + [0] * (3 - n))
            out.append((f"fmt-{name}-unused-plane-stride", bytes(s.b)))
            s.publish(0, 1, fmt, 17, 9, st, off + [0] * (2 - n) + [4000])
            out.append((f"fmt-{name}-unused-plane-offset", bytes(s.b)))

        # Sized for this format, a frame of the next one in the slot.
        other = fmt % len(NAMES) + 1
        s = Segment(fmt, 17, 9)
        s.frame(0, 1, other, 17, 9)
        out.append((f"fmt-{name}-holds-{NAMES[other]}", bytes(s.b)))

    # Multi-plane ones: planes overlapping, out of order, wrapping.
    for fmt in (I420, NV12):
        name = NAMES[fmt]
        s = Segment(fmt, 31, 17)
        st, off = s.frame(0, 1, fmt, 31, 17)
        s.publish(0, 1, fmt, 31, 17, st, [off[0], 0] + off[2:])
        out.append((f"fmt-{name}-chroma-over-luma", bytes(s.b)))
        s.publish(0, 1, fmt, 31, 17, st, [off[0], off[1] - 1] + off[2:])
        out.append((f"fmt-{name}-chroma-on-last-luma-byte", bytes(s.b)))
        s.publish(0, 1, fmt, 31, 17, st, [off[0], 0xFFFFFFF0] + off[2:])
        out.append((f"fmt-{name}-chroma-offset-wraps", bytes(s.b)))
        s.publish(0, 1, fmt, 31, 17, [st[0], 0xFFFFFFFF] + st[2:], off)
        out.append((f"fmt-{name}-chroma-stride-huge", bytes(s.b)))
        # Chroma first, luma after it: a legitimate order.
        csize = layout(fmt, 31, 17)[2] - off[1]
        s.publish(0, 1, fmt, 31, 17, st,
                  [csize] + [o - off[1] for o in off[1:]])
        out.append((f"fmt-{name}-chroma-before-luma", bytes(s.b)))
        # Odd height 17 has 9 chroma rows: a height of 18 makes luma run
        # into them.
        s.publish(0, 1, fmt, 31, 18, st, off)
        out.append((f"fmt-{name}-luma-into-chroma", bytes(s.b)))
    s = Segment(I420, 31, 17)
    st, off = s.frame(0, 1, I420, 31, 17)
    s.publish(0, 1, I420, 31, 17, st, [off[0], off[1], off[1]])
    out.append(("fmt-i420-v-over-u", bytes(s.b)))
    s.publish(0, 1, I420, 31, 17, st, [off[0], off[2], off[1]])
    out.append(("fmt-i420-v-before-u", bytes(s.b)))

    # 16-bit samples off their 2-byte grid.
    for fmt in (GRAY16, RGBA16):
        s = Segment(fmt, 17, 9)
        st, off = s.frame(0, 1, fmt, 16, 8)
        s.publish(0, 1, fmt, 16, 8, st, [1])
        out.append((f"fmt-{NAMES[fmt]}-offset-odd", bytes(s.b)))
        s.publish(0, 1, fmt, 16, 8, [st[0] + 1], off)
        out.append((f"fmt-{NAMES[fmt]}-stride-odd", bytes(s.b)))
        s.publish(0, 1, fmt, 16, 8, [st[0] + 2], [2])
        out.append((f"fmt-{NAMES[fmt]}-offset-stride-even", bytes(s.b)))

    # Formats that are none.
    for bad in (0, 9, 0xFFFFFFFF):
        s = Segment(RGBA8, 16, 16)
        st, off = s.frame(0, 1, RGBA8, 16, 16)
        s.publish(0, 1, bad, 16, 16, st, off)
        out.append((f"fmt-frame-format-{bad:x}", bytes(s.b)))
        s = Segment(RGBA8, 16, 16)
        s.frame(0, 1, RGBA8, 16, 16)
        struct.pack_into("<I", s.b, 20, bad)
        out.append((f"fmt-fixed-format-{bad:x}", bytes(s.b)))
    # Sized for GRAY8 but saying RGBA16: its largest frame does not fit.
    s = Segment(GRAY8, 32, 32)
    s.frame(0, 1, GRAY8, 32, 32)
    struct.pack_into("<I", s.b, 20, RGBA16)
    out.append(("fmt-fixed-format-too-big", bytes(s.b)))
    return out


def upgrade(path):
    """An ABI 1 corpus file rewritten in ABI 2's slot layout."""
    b = bytearray(open(path, "rb").read())
    if len(b) < 16 or struct.unpack_from("<I", b, 8)[0] != 1:
        return False
    struct.pack_into("<I", b, 8, 2)
    for i in range(8):
        d = SLOT_DESC + i * SLOT_SIZE
        if d + SLOT_SIZE > len(b):
            break
        stride, fmt = struct.unpack_from("<II", b, d + 24)
        struct.pack_into("<II", b, d + 24, fmt, 0)
        b[d + 48:d + 80] = bytes(32)
        struct.pack_into("<I", b, d + 48, stride)
    open(path, "wb").write(b)
    return True


def main(argv):
    args = [a for a in argv[1:] if a != "--upgrade"]
    if len(args) != 1:
        sys.stderr.write(f"usage: {argv[0]} [--upgrade] CORPUS_DIR\n")
        return 2
    d = args[0]
    if "--upgrade" in argv:
        keep = os.path.join(d, "abi1-seg-16x16-2slots-1frame")
        if not os.path.exists(keep):
            src = os.path.join(d, "seg-16x16-2slots-1frame")
            open(keep, "wb").write(open(src, "rb").read())
        # Two seeds whose meaning changed with ABI 2: "bad-abi-version"
        # said 2 (then unknown) and "bad-format" 2 (now BGRA8).
        bad_abi = os.path.join(d, "bad-abi-version")
        b = bytearray(open(bad_abi, "rb").read())
        if struct.unpack_from("<I", b, 8)[0] == 2 and \
                struct.unpack_from("<I", b, SLOT_DESC + 28)[0] == 1:
            struct.pack_into("<I", b, 8, 1)
            open(bad_abi, "wb").write(b)
        for f in sorted(os.listdir(d)):
            if not f.startswith("abi1-") and upgrade(os.path.join(d, f)):
                print(f"upgraded {f}")
                path = os.path.join(d, f)
                b = bytearray(open(path, "rb").read())
                if f == "bad-abi-version":
                    struct.pack_into("<I", b, 8, 3)
                elif f == "bad-format":
                    struct.pack_into("<I", b, 20, 9)
                    open(os.path.join(d, "fixed-format-2"), "wb").write(
                        open(path, "rb").read())
                open(path, "wb").write(b)
    for name, data in seeds():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds())} seeds written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
