/* Error descriptions and the version string. */
#include "frame_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *frame_version_string(void) { return FRAME_VERSION_STRING; }

const char *frame_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
    case FRAME_ENOTFRAME:
        return "not a libframe segment";
    case FRAME_EVERSION:
        return "segment made by an incompatible libframe";
    case FRAME_ELAYOUT:
        return "segment header is inconsistent";
    case FRAME_ETRUNCATED:
        return "segment is truncated: smaller than its header says";
    case FRAME_EBADFRAME:
        return "segment header names a frame that cannot be read (corrupt)";
    case FRAME_EOWNER:
        return "segment belongs to another user";
    case FRAME_EALIVE:
        return "segment is in use by a running writer";
    case FRAME_ELOST:
        return "writer lost";
    case FRAME_ECLOSED:
        return "writer stopped";
    case FRAME_ERESTARTED:
        return "writer restarted";
    case FRAME_ENOFRAME:
        return "no frame published yet";
    case FRAME_EDEAD:
        return "segment was truncated under its mapping";
    case FRAME_EBUSY:
        return "frame kept being overwritten while read";
    }
    if (err < 0) {
        /* strerrordesc_np returns static text: thread-safe, unlike
         * strerror() for unknown values. */
        const char *s = strerrordesc_np(-err);
        if (s)
            return s;
    }
    return "unknown error";
}

const char *frame_segment_strerror(const char *name, int err, char *buf,
                                   size_t len)
{
    uint32_t abi;
    if (!buf || !len)
        return frame_strerror(err);
    if (err == -ENOENT)
        snprintf(buf, len, "no such segment");
    else if (err == FRAME_EVERSION && frame__segment_abi(name, &abi) == 0)
        snprintf(buf, len,
                 "%s (segment layout %u; this libframe reads only %u)",
                 frame_strerror(err), abi, FRAME__ABI_VERSION);
    else
        snprintf(buf, len, "%s", frame_strerror(err));
    return buf;
}
