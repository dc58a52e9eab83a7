/*
 * fuzz_percent.c: percent_decode with arbitrary input, and utf8_valid and
 * utf8_cut on whatever it decodes to.
 *
 * Invariants: decoding never lengthens; in place equals out of place;
 * re-encoding every byte and decoding again gives the same bytes; a cap
 * one short of the result fails; utf8_cut gives a valid prefix of a valid
 * string, at most three bytes short.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/percent.h"
#include "proto/utf8.h"
#include "tests/fuzz/fuzz_check.h"

static void check_utf8(const char *s, size_t n)
{
    int valid = utf8_valid(s, n);

    for (size_t len = 0; len <= n; len++) {
        size_t cut = utf8_cut(s, len);

        CHECK(cut <= len);
        if (valid) {
            CHECK(len - cut < 4);
            CHECK(utf8_valid(s, cut));
        }
    }
    if (valid) {
        CHECK(utf8_cut(s, n) == n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *src = (const char *)data;
    char *out = malloc(size + 1), *inplace = malloc(size + 1);
    char *enc = malloc(3 * size + 1), *back = malloc(3 * size + 1);

    CHECK(out != NULL && inplace != NULL && enc != NULL && back != NULL);
    for (int plus = 0; plus <= 1; plus++) {
        ssize_t n = percent_decode(out, size, src, size, plus);

        memcpy(inplace, data, size);
        CHECK(percent_decode(inplace, size, inplace, size, plus) == n);
        if (n < 0) {
            CHECK(memchr(data, '%', size) != NULL);
            continue;
        }
        CHECK((size_t)n <= size);
        CHECK(memcmp(inplace, out, (size_t)n) == 0);
        if (memchr(data, '%', size) == NULL) {
            CHECK((size_t)n == size);
            for (size_t i = 0; i < size; i++) {
                char want = (plus && src[i] == '+') ? ' ' : src[i];

                CHECK(out[i] == want);
            }
        }
        if (n > 0) {
            CHECK(percent_decode(back, (size_t)n - 1, src, size, plus) == -1);
        }

        /* %XX for every byte decodes back to the same bytes. */
        for (ssize_t i = 0; i < n; i++) {
            static const char hex[] = "0123456789abcdef";
            unsigned char c = (unsigned char)out[i];

            enc[3 * i] = '%';
            enc[3 * i + 1] = hex[c >> 4];
            enc[3 * i + 2] = hex[c & 15];
        }
        CHECK(percent_decode(back, (size_t)n, enc, 3 * (size_t)n, plus) == n);
        CHECK(memcmp(back, out, (size_t)n) == 0);

        if (plus) {
            check_utf8(out, (size_t)n);
        }
    }
    check_utf8(src, size);
    free(out);
    free(inplace);
    free(enc);
    free(back);
    return 0;
}
