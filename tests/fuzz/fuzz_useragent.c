/*
 * fuzz_useragent.c: ua_classify with arbitrary bytes.
 *
 * Invariants: classes are in range and have names; the result does not
 * depend on bytes past len (the input is classified from its own exact
 * heap block, then again with junk after it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/useragent.h"
#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char junk[] = "iPhone Chrome/1 Firefox/1 Mobile Windows NT";
    char *padded = malloc(size + sizeof junk);
    struct ua_class a, b;

    CHECK(padded != NULL);
    a = ua_classify((const char *)data, size);
    CHECK((int)a.device >= 0 && (int)a.device < UA_DEVICE_COUNT);
    CHECK((int)a.browser >= 0 && (int)a.browser < UA_BROWSER_COUNT);
    CHECK(ua_device_name(a.device) != NULL);
    CHECK(ua_browser_name(a.browser) != NULL);
    CHECK(strcmp(ua_browser_name(a.browser), "other") != 0 ||
          a.browser == UA_BROWSER_OTHER);

    memcpy(padded, data, size);
    memcpy(padded + size, junk, sizeof junk);
    b = ua_classify(padded, size);
    CHECK(a.device == b.device && a.browser == b.browser);
    free(padded);
    return 0;
}
