/*
 * body_inflate.h: Content-Encoding gzip and deflate of request bodies
 * (SPEC 2.2), inflated into one bounded buffer per worker. The output
 * never grows past its limit, whatever the input claims: a 64 KiB bomb
 * that would inflate to gigabytes stops at the limit, and the request is
 * refused.
 *
 * Limits: at most max_out bytes in all, and, once past RATIO_FREE bytes,
 * at most RATIO_MAX output bytes per input byte.
 */
#ifndef BEACON_BODY_INFLATE_H
#define BEACON_BODY_INFLATE_H

#include <stddef.h>

#include "proto/span.h"

#define BODY_INFLATE_RATIO_MAX 100
#define BODY_INFLATE_RATIO_FREE (16 * 1024)

enum body_encoding {
    BODY_GZIP,    /* RFC 1952 */
    BODY_DEFLATE  /* RFC 1950 zlib stream, or a raw RFC 1951 one */
};

enum body_inflate_result {
    BODY_INFLATE_OK,
    BODY_INFLATE_TOO_BIG, /* past max_out or the ratio: 413 */
    BODY_INFLATE_CORRUPT, /* bad, truncated, or followed by garbage: 400 */
    BODY_INFLATE_NOMEM
};

struct body_inflater {
    void *zs;          /* z_stream, made on first use and reused */
    int zs_raw;        /* the stream is set up for raw deflate */
    char *out;         /* max_out + 1 bytes */
    size_t max_out;
};

/* Prepares f for outputs of at most max_out bytes. Returns 0 or -1. */
int body_inflate_init(struct body_inflater *f, size_t max_out);

/* Frees everything; a zeroed f is fine. */
void body_inflate_deinit(struct body_inflater *f);

/*
 * Inflates in (the whole body as sent) into f's buffer; *out views it
 * until the next call. Only the result BODY_INFLATE_OK sets *out.
 */
enum body_inflate_result body_inflate(struct body_inflater *f,
                                      enum body_encoding enc, struct span in,
                                      struct span *out);

#endif
