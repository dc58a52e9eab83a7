/*
 * http_bench.c: nanoseconds per request of the HTTP framer (llhttp and
 * the framer's own RFC 9112 checks) on a 507-byte browser request, framed
 * one per read and 16 per read. A number, not a test: nothing here
 * asserts a timing. For instruction counts, which do not depend on what
 * else the machine does:
 *
 *   make bench-micro
 *   HTTP_BENCH_ROUNDS=50000 valgrind --tool=callgrind build/bench/http_bench
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/http/http.h"

#define ROUNDS 1000000

static const char req[] =
    "GET /p.gif?s=demo&u=%2Fdocs%2Fintro&r=https%3A%2F%2Fnews.example.org%2F"
    " HTTP/1.1\r\n"
    "Host: collector.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/126.0.0.0 Safari/537.36\r\n"
    "Accept: image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
    "\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-US,en;q=0.9\r\n"
    "Referer: https://news.example.org/\r\n"
    "Sec-Fetch-Dest: image\r\n"
    "Sec-Fetch-Mode: no-cors\r\n"
    "Sec-Fetch-Site: cross-site\r\n"
    "Connection: keep-alive\r\n"
    "\r\n";

static const struct http_limits limits = {8192, 16384, 64, 65536};
static size_t framed;

static void on_request(void *arg, const struct request *r)
{
    (void)arg;
    framed += r->target.len > 0;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ns per request, per_read requests written before each feed. */
static double run(long rounds, int per_read)
{
    struct http_framer h;
    size_t len = sizeof req - 1;
    if (http_init(&h, &limits, 16 * 1024, 32 * 1024, on_request, NULL) < 0) {
        fprintf(stderr, "http_bench: out of memory\n");
        exit(1);
    }
    double t0 = now_ns();
    for (long i = 0; i < rounds; i += per_read) {
        size_t room;
        char *w = http_space(&h, &room);
        for (int k = 0; k < per_read; k++) {
            memcpy(w + (size_t)k * len, req, len);
        }
        if (http_feed(&h, (size_t)per_read * len) != HTTP_FEED_OK) {
            fprintf(stderr, "http_bench: refused (%d)\n", h.status);
            exit(1);
        }
    }
    double ns = (now_ns() - t0) / (double)rounds;
    http_deinit(&h);
    return ns;
}

int main(void)
{
    const char *env = getenv("HTTP_BENCH_ROUNDS");
    long rounds = env != NULL ? atol(env) : ROUNDS;
    rounds -= rounds % 16;
    if (rounds <= 0) {
        rounds = 16;
    }
    printf("%zu-byte request, %ld rounds\n", sizeof req - 1, rounds);
    printf("  one request per read:  %6.1f ns/request\n", run(rounds, 1));
    printf("  16 requests per read:  %6.1f ns/request\n", run(rounds, 16));
    return framed == (size_t)rounds * 2 ? 0 : 1;
}
