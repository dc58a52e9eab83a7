/*
 * fuzz_body_inflate.c: body_inflate with arbitrary bodies, gzip and
 * deflate, on one reused inflater (as a worker does).
 *
 * Invariants: no crash, no read past the body; an accepted body never
 * inflates past the limit, nor past 100:1 once past 16 KiB; a body that
 * inflated once inflates the same again after another one.
 */
// clang-format off
// FUZZ_SOURCES: collector/body_inflate.c
// FUZZ_LIBS: -lz
// FUZZ_SEED: \037\213\010\000\000\000\000\000\000\003\253V*V\262RJR\322Q*U\262R\322W\252\005\000\006\025\3371\023\000\000\000
// FUZZ_SEED: x\234\253V*V\262RJR\322Q*U\262R\322W\252\005\000>\332\005\321
// clang-format on
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collector/body_inflate.h"
#include "tests/fuzz/fuzz_check.h"

#define MAX_OUT (256 * 1024)

static struct body_inflater f;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        CHECK(body_inflate_init(&f, MAX_OUT) == 0);
        ready = 1;
    }
    char *body = malloc(size ? size : 1);
    CHECK(body != NULL);
    memcpy(body, data, size);
    for (int e = 0; e < 2; e++) {
        enum body_encoding enc = e == 0 ? BODY_GZIP : BODY_DEFLATE;
        struct span out;
        enum body_inflate_result rc =
            body_inflate(&f, enc, span_make(body, size), &out);
        if (rc != BODY_INFLATE_OK) {
            continue;
        }
        CHECK(out.len <= MAX_OUT);
        CHECK(out.len <= BODY_INFLATE_RATIO_FREE ||
              out.len <= size * BODY_INFLATE_RATIO_MAX);
        size_t len = out.len;
        /* the same body again gives the same length */
        CHECK(body_inflate(&f, enc, span_make(body, size), &out) ==
                  BODY_INFLATE_OK &&
              out.len == len);
    }
    free(body);
    return 0;
}
