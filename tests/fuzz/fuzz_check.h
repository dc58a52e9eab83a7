/*
 * fuzz_check.h: what every fuzz target shares: libFuzzer's entry point and
 * the invariant check. A broken invariant aborts, which libFuzzer reports
 * with the input that broke it; the line on stderr says which invariant.
 */
#ifndef BEACON_FUZZ_CHECK_H
#define BEACON_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,         \
                    __LINE__, #c);                                             \
            abort();                                                           \
        }                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
