/* Corrupt and hostile PNG files for the producer's error handling. */
#include "bad_images.h"

#include "files.h"
#include "png_write.h"
#include "testcard.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <zlib.h>

#define BASE_W 64
#define BASE_H 48

enum damage {
    TEXT,
    EMPTY,
    CUT_IHDR,
    CUT_IDAT,
    FLIP_IDAT,
    BAD_DEFLATE,
    HUGE,
    ZERO_W,
    ZERO_H,
};

static const struct {
    const char *name;
    enum damage damage;
    const char *what;
} bad[] = {
    {"not-a-png.png", TEXT, "text, no PNG signature"},
    {"empty.png", EMPTY, "zero bytes"},
    {"truncated-ihdr.png", CUT_IHDR, "file ends inside IHDR"},
    {"truncated.png", CUT_IDAT, "file ends in the middle of the first IDAT"},
    {"bad-crc.png", FLIP_IDAT, "one IDAT byte flipped, CRC now wrong"},
    {"bad-zlib.png", BAD_DEFLATE,
     "IDAT deflate block of reserved type 3, CRC correct"},
    {"huge-ihdr.png", HUGE,
     "IHDR says 100000x100000 RGBA8, CRC correct, little IDAT"},
    {"zero-width.png", ZERO_W, "IHDR width 0, CRC correct"},
    {"zero-height.png", ZERO_H, "IHDR height 0, CRC correct"},
};

#define COUNT (sizeof(bad) / sizeof(bad[0]))

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Offset of the data of the first chunk of `type`; 0 if there is none. */
static size_t find_chunk(const uint8_t *png, size_t len, const char *type,
                         uint32_t *data_len)
{
    size_t off = 8;
    while (len >= 12 && off <= len - 12) {
        uint32_t n = get_be32(png + off);
        if (n > len - off - 12)
            return 0;
        if (memcmp(png + off + 4, type, 4) == 0) {
            *data_len = n;
            return off + 8;
        }
        off += 12 + (size_t)n;
    }
    return 0;
}

/* The CRC covers the chunk type and data, not the length. */
static void fix_crc(uint8_t *png, size_t data_off, uint32_t data_len)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, png + data_off - 4, data_len + 4);
    put_be32(png + data_off + data_len, (uint32_t)crc);
}

/* A valid RGBA8 PNG with noise, so its IDAT is long enough to damage. */
static int make_base(uint8_t **png, size_t *len, char *why, size_t whylen)
{
    size_t stride = BASE_W * 4;
    uint8_t *pixels = malloc(stride * BASE_H);
    if (!pixels) {
        snprintf(why, whylen, "%s", strerror(ENOMEM));
        return -ENOMEM;
    }
    struct testcard tc = {BASE_W, BASE_H, 30, 40};
    testcard_draw(&tc, 0, pixels, stride);

    struct pngw_spec spec;
    pngw_spec_8bit(&spec, PNG_COLOR_TYPE_RGB_ALPHA, pixels, BASE_W, BASE_H,
                   stride);
    int rc = pngw_write_mem(&spec, png, len, why, whylen);
    free(pixels);
    return rc;
}

/* Apply one damage to a copy of the base; *out_len bytes of *out count. */
static void damage(enum damage d, uint8_t *png, size_t *len, size_t ihdr,
                   size_t idat, uint32_t idat_len)
{
    static const char text[] =
        "This is not a PNG file, only text with a .png name.\n";
    switch (d) {
    case TEXT:
        memcpy(png, text, sizeof(text) - 1);
        *len = sizeof(text) - 1;
        break;
    case EMPTY:
        *len = 0;
        break;
    case CUT_IHDR:
        *len = ihdr + 6;
        break;
    case CUT_IDAT:
        *len = idat + idat_len / 2;
        break;
    case FLIP_IDAT:
        png[idat + idat_len / 2] ^= 0xff;
        break;
    case BAD_DEFLATE:
        /* After the 2-byte zlib header: BFINAL in bit 0, BTYPE in bits 1-2;
         * type 3 is reserved, so inflate fails at once and for sure. */
        png[idat + 2] |= 0x06;
        fix_crc(png, idat, idat_len);
        break;
    case HUGE:
        put_be32(png + ihdr, 100000);
        put_be32(png + ihdr + 4, 100000);
        fix_crc(png, ihdr, 13);
        break;
    case ZERO_W:
        put_be32(png + ihdr, 0);
        fix_crc(png, ihdr, 13);
        break;
    case ZERO_H:
        put_be32(png + ihdr + 4, 0);
        fix_crc(png, ihdr, 13);
        break;
    }
}

static int write_list(const char *dir, char *err, size_t errlen)
{
    char path[PATH_MAX], text[2048];
    size_t used = 0;
    for (size_t i = 0; i < COUNT && used < sizeof(text); i++)
        used += (size_t)snprintf(text + used, sizeof(text) - used, "%s: %s\n",
                                 bad[i].name, bad[i].what);
    int rc = join_path(path, sizeof(path), dir, "bad-images.txt");
    if (rc == 0)
        rc = write_file(path, text, strlen(text));
    if (rc)
        snprintf(err, errlen, "cannot write %s/bad-images.txt: %s", dir,
                 strerror(-rc));
    return rc;
}

int bad_images_write(const char *dir, char *err, size_t errlen)
{
    char path[PATH_MAX], why[200];
    uint8_t *base = NULL, *copy = NULL;
    size_t base_len = 0;
    uint32_t ihdr_len = 0, idat_len = 0;
    int rc = make_base(&base, &base_len, why, sizeof(why));
    if (rc) {
        snprintf(err, errlen, "cannot make a PNG to damage: %s", why);
        return rc;
    }
    size_t ihdr = find_chunk(base, base_len, "IHDR", &ihdr_len);
    size_t idat = find_chunk(base, base_len, "IDAT", &idat_len);
    if (!ihdr || ihdr_len != 13 || !idat || idat_len < 16) {
        rc = -EPROTO;
        snprintf(err, errlen, "libpng wrote a PNG without IHDR or IDAT");
        goto out;
    }
    copy = malloc(base_len);
    if (!copy) {
        rc = -ENOMEM;
        snprintf(err, errlen, "%s", strerror(ENOMEM));
        goto out;
    }

    for (size_t i = 0; i < COUNT; i++) {
        size_t len = base_len;
        memcpy(copy, base, base_len);
        damage(bad[i].damage, copy, &len, ihdr, idat, idat_len);
        rc = join_path(path, sizeof(path), dir, bad[i].name);
        if (rc == 0)
            rc = write_file(path, copy, len);
        if (rc) {
            snprintf(err, errlen, "cannot write %s/%s: %s", dir, bad[i].name,
                     strerror(-rc));
            goto out;
        }
    }
    rc = write_list(dir, err, errlen);
out:
    free(copy);
    free(base);
    return rc;
}
