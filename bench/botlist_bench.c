/*
 * botlist_bench.c: nanoseconds per botlist_match() call against the
 * shipped list, for typical browser user agents (the common case: no
 * match, so every byte is read) and a few bots (early exit).
 *
 *   make build/bench/botlist_bench       (or make bench-micro: all of them)
 *   taskset -c 0 build/bench/botlist_bench [ITERATIONS]
 *
 * or without the library:
 *   make build/gen/bot_patterns.c
 *   cc -O2 -std=c11 -D_GNU_SOURCE -I. bench/botlist_bench.c \
 *       collector/privacy/botlist.c build/gen/bot_patterns.c \
 *       -o build/botlist_bench
 *
 * A number to compare with the CPU cost per request in DESIGN.md section
 * 4, not a test: nothing here asserts a timing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/privacy/botlist.h"

static const char *const agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 "
    "Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 "
    "(KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 "
    "Firefox/125.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
};

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 3000000L;
    char err[256];
    struct botlist *b = botlist_default(err, sizeof err);

    if (b == NULL || iters <= 0) {
        fprintf(stderr, "botlist_bench: %s\n", b == NULL ? err : "ITERATIONS");
        return 1;
    }
    printf("%zu patterns, %ld calls per agent\n", botlist_count(b), iters);
    for (size_t a = 0; a < sizeof agents / sizeof *agents; a++) {
        /* Read the agent through a volatile pointer so that the calls
         * cannot be hoisted out of the loop. */
        const char *volatile ua = agents[a];
        size_t len = strlen(agents[a]);
        long hits = 0;
        double t0, ns;

        for (long i = 0; i < iters / 10; i++) { /* warm up */
            hits += botlist_match(b, ua, len);
        }
        hits = 0;
        t0 = now_ns();
        for (long i = 0; i < iters; i++) {
            hits += botlist_match(b, ua, len);
        }
        ns = (now_ns() - t0) / (double)iters;
        printf("%6.1f ns/call %5.2f ns/byte  %3zu bytes  %s  %.40s...\n", ns,
               ns / (double)len, len, hits ? "bot" : "   ", agents[a]);
    }
    botlist_destroy(b);
    return 0;
}
