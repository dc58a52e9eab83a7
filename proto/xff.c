/*
 * xff.c: find the client in X-Forwarded-For behind trusted proxies.
 *
 * The lines are walked from the last to the first and each line from its
 * end, so no entry is copied and nothing to the left of the answer is even
 * looked at: what a client wrote there cannot make the walk fail.
 */
#include "proto/xff.h"

/*
 * Empty entries ("a,,b", ", a", an empty header line) are skipped: HTTP
 * list syntax allows them (RFC 9110 section 5.6.1) and they say nothing.
 */
int xff_client(const struct span *values, int n,
               const struct cidr_list *trusted, struct ip_addr *out)
{
    if (values == NULL) {
        return -1;
    }
    for (int v = n - 1; v >= 0; v--) {
        const char *p = values[v].p;
        size_t end = values[v].len;

        if (p == NULL) {
            continue;
        }
        /* Each turn takes the entry p[start..end), right to left. */
        for (;;) {
            size_t start = end;
            struct ip_addr a;
            int blank = 1;

            while (start > 0 && p[start - 1] != ',') {
                start--;
            }
            for (size_t i = start; i < end; i++) {
                if (p[i] != ' ' && p[i] != '\t') {
                    blank = 0;
                    break;
                }
            }
            if (!blank) {
                if (ip_parse(&a, p + start, end - start) != 0) {
                    return -1;
                }
                if (!cidr_list_match(trusted, &a)) {
                    *out = a;
                    return 0;
                }
            }
            if (start == 0) {
                break;
            }
            end = start - 1; /* step over the comma */
        }
    }
    return -1;
}
