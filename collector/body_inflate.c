/*
 * body_inflate.c: see body_inflate.h. One z_stream per worker, reset per
 * body (inflateReset2), so a compressed request allocates nothing once
 * the worker has seen its first one.
 */
#include "collector/body_inflate.h"

#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

/* windowBits for inflateInit2/inflateReset2 */
#define WB_GZIP (16 + MAX_WBITS)
#define WB_ZLIB MAX_WBITS
#define WB_RAW (-MAX_WBITS)

int body_inflate_init(struct body_inflater *f, size_t max_out)
{
    f->zs = NULL;
    f->zs_raw = 0;
    f->max_out = max_out;
    /* one byte more than the limit: see body_inflate() */
    f->out = malloc(max_out + 1);
    return f->out != NULL ? 0 : -1;
}

void body_inflate_deinit(struct body_inflater *f)
{
    if (f->zs != NULL) {
        inflateEnd(f->zs);
        free(f->zs);
        f->zs = NULL;
    }
    free(f->out);
    f->out = NULL;
}

/* "deflate" is meant to be a zlib stream (RFC 9110 8.4.1.2), but some
 * clients send raw deflate: a zlib header is two bytes whose first names
 * method 8 and whose big-endian value is a multiple of 31. */
static int zlib_header(struct span in)
{
    const unsigned char *b = (const unsigned char *)in.p;
    return in.len >= 2 && (b[0] & 0x0f) == Z_DEFLATED &&
           ((unsigned)b[0] << 8 | b[1]) % 31 == 0;
}

static int stream_reset(struct body_inflater *f, int wbits)
{
    if (f->zs == NULL) {
        z_stream *zs = calloc(1, sizeof(*zs));
        if (zs == NULL) {
            return -1;
        }
        if (inflateInit2(zs, wbits) != Z_OK) {
            free(zs);
            return -1;
        }
        f->zs = zs;
        return 0;
    }
    return inflateReset2(f->zs, wbits) == Z_OK ? 0 : -1;
}

enum body_inflate_result body_inflate(struct body_inflater *f,
                                      enum body_encoding enc, struct span in,
                                      struct span *out)
{
    int wbits = enc == BODY_GZIP ? WB_GZIP
                : zlib_header(in) ? WB_ZLIB
                                  : WB_RAW;
    if (stream_reset(f, wbits) < 0) {
        return BODY_INFLATE_NOMEM;
    }
    z_stream *zs = f->zs;
    /* The ratio bound: never more than this much output for this input. */
    size_t limit = f->max_out;
    if (in.len <= limit / BODY_INFLATE_RATIO_MAX) {
        size_t by_ratio = in.len * BODY_INFLATE_RATIO_MAX;
        if (by_ratio < BODY_INFLATE_RATIO_FREE) {
            by_ratio = BODY_INFLATE_RATIO_FREE;
        }
        if (by_ratio < limit) {
            limit = by_ratio;
        }
    }
    zs->next_in = (unsigned char *)(uintptr_t)in.p;
    zs->avail_in = (uInt)in.len;
    zs->next_out = (unsigned char *)f->out;
    /* One byte of room past the limit tells "exactly the limit" from
     * "more than the limit" without a second buffer. */
    size_t room = limit + 1;
    zs->avail_out = (uInt)room;
    int rc = inflate(zs, Z_FINISH);
    size_t produced = room - zs->avail_out;
    if (rc == Z_STREAM_END) {
        if (zs->avail_in != 0) {
            return BODY_INFLATE_CORRUPT; /* garbage after the stream */
        }
        if (produced > limit) {
            return BODY_INFLATE_TOO_BIG;
        }
        *out = span_make(f->out, produced);
        return BODY_INFLATE_OK;
    }
    if (rc == Z_MEM_ERROR) {
        return BODY_INFLATE_NOMEM;
    }
    /* Z_BUF_ERROR with the output full: there is more than the limit;
     * with input left over or none: the stream is truncated. */
    if ((rc == Z_BUF_ERROR || rc == Z_OK) && zs->avail_out == 0) {
        return BODY_INFLATE_TOO_BIG;
    }
    return BODY_INFLATE_CORRUPT;
}
