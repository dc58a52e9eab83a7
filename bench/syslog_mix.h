/*
 * syslog_mix.h: the access-log lines of the syslog benchmarks, shared by
 * bench/syslog_send.c (the UDP load of bench/syslog.sh) and
 * bench/ingest_bench.c (the same lines straight into ingest_line()).
 * Header-only, plain libc.
 *
 * Each call of syslog_mix_line() writes one syslog message as nginx sends
 * it (RFC 3164, nohostname, beacond's v1 format: proto/accesslog.h), drawn
 * from a fixed pseudo-random sequence (syslog_mix_seed()):
 * `visitors` visitors (a client address, 10.x.y.z or for one in ten
 * 2001:db8::/32, and one of 6 browser user agents each), 49 pages (the
 * root and 6 in each of 8 areas), a tenth of them with utm parameters,
 * half without a referrer and the rest from 5 referrers (one internal),
 * 2 hosts (map them in [sites] or not: both are valid site ids). Besides
 * page views: 5 % assets (skipped by the default ingest_skip_ext), 2 %
 * 404s and 1 % POSTs (skipped), 3 % DNT, 1 % GPC, 1 % opt-out cookie, 2 %
 * crawlers (dropped by the gate): about 85 % are counted.
 */
#ifndef BEACON_BENCH_SYSLOG_MIX_H
#define BEACON_BENCH_SYSLOG_MIX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/* Longest message syslog_mix_line() writes, with room to spare. */
#define SYSLOG_MIX_MAX 1024

static const char *const mix_areas[] = {"blog", "docs", "pricing", "about",
                                        "shop", "help", "news", "careers"};
/* "": the area's own page ("/blog/"). */
static const char *const mix_pages[] = {
    "", "intro", "2024/a-year", "getting-started", "faq", "release-notes"};
static const char *const mix_referers[] = {
    "https://www.google.com/", "https://news.ycombinator.com/item?id=4211",
    "https://duckduckgo.com/", "https://t.co/x1Yz",
    "https://www.example.com/blog/"};
static const char *const mix_agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 "
    "Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"};
static const char *const mix_bots[] = {
    "Mozilla/5.0 (compatible; Googlebot/2.1; "
    "+http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"};
static const char *const mix_assets[] = {
    "/static/app.js?v=3", "/static/site.css", "/img/logo.png", "/favicon.ico"};
static const char *const mix_hosts[] = {"www.example.com", "blog.example.org"};

#define MIX_N(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t syslog_mix_rng;

static inline uint64_t syslog_mix_next(void) /* xorshift64* */
{
    syslog_mix_rng ^= syslog_mix_rng >> 12;
    syslog_mix_rng ^= syslog_mix_rng << 25;
    syslog_mix_rng ^= syslog_mix_rng >> 27;
    return syslog_mix_rng * 0x2545F4914F6CDD1DULL;
}

static inline char *mix_put(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

static inline char *mix_put_u(char *p, unsigned v)
{
    char t[12];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n > 0) {
        *p++ = t[--n];
    }
    return p;
}

static inline char *mix_put_hex(char *p, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    char t[8];
    int n = 0;
    do {
        t[n++] = hex[v & 15];
        v >>= 4;
    } while (v > 0);
    while (n > 0) {
        *p++ = t[--n];
    }
    return p;
}

/* One syslog message into out (at most SYSLOG_MIX_MAX bytes) after the
 * syslog header (syslog_mix_header()); returns its length. */
static inline size_t syslog_mix_line(char *out, const char *header,
                                     unsigned visitors)
{
    char *p = mix_put(out, header);
    uint64_t r = syslog_mix_next();
    unsigned v = (unsigned)(syslog_mix_next() % visitors);
    unsigned kind = (unsigned)(r % 100);
    r /= 100;

    p = mix_put(p, "v1 ");
    if (v % 10 == 0) { /* one visitor in ten on IPv6 */
        p = mix_put(p, "2001:db8:");
        p = mix_put_hex(p, v >> 16);
        *p++ = ':';
        p = mix_put_hex(p, v & 0xffff);
        p = mix_put(p, "::1");
    } else {
        p = mix_put(p, "10.");
        p = mix_put_u(p, (v >> 16) & 255);
        *p++ = '.';
        p = mix_put_u(p, (v >> 8) & 255);
        *p++ = '.';
        p = mix_put_u(p, v & 255);
    }
    p = mix_put(p, kind == 99 ? " \"POST\" \"" : " \"GET\" \"");
    if (kind < 5) {
        p = mix_put(p, mix_assets[r % MIX_N(mix_assets)]);
    } else {
        unsigned pg =
            (unsigned)(r % (MIX_N(mix_areas) * MIX_N(mix_pages) + 1));
        if (pg == 0) {
            *p++ = '/';
        } else {
            pg--;
            *p++ = '/';
            p = mix_put(p, mix_areas[pg / MIX_N(mix_pages)]);
            *p++ = '/';
            p = mix_put(p, mix_pages[pg % MIX_N(mix_pages)]);
        }
        if ((r >> 8) % 10 == 0) {
            p = mix_put(p, "?utm_source=newsletter&utm_medium=email"
                           "&utm_campaign=spring");
        }
    }
    p = mix_put(p, kind >= 5 && kind < 7 ? "\" 404 \"" : "\" 200 \"");
    unsigned ref = (unsigned)((r >> 16) % (2 * MIX_N(mix_referers)));
    p = mix_put(p, ref < MIX_N(mix_referers) ? mix_referers[ref] : "-");
    p = mix_put(p, "\" \"");
    p = mix_put(p, kind >= 12 && kind < 14
                       ? mix_bots[(r >> 24) % MIX_N(mix_bots)]
                       : mix_agents[(v / 10) % MIX_N(mix_agents)]);
    p = mix_put(p, kind >= 7 && kind < 10 ? "\" \"1\"" : "\" \"-\"");
    p = mix_put(p, kind == 10 ? " \"1\"" : " \"-\"");
    p = mix_put(p, kind == 11 ? " \"1\" \"" : " \"-\" \"");
    p = mix_put(p, mix_hosts[(r >> 32) % 4 == 0]);
    *p++ = '"';
    return (size_t)(p - out);
}

/* Starts the sequence over from seed (not 0). */
static inline void syslog_mix_seed(uint64_t seed)
{
    syslog_mix_rng = seed * 0x9E3779B97F4A7C15ULL;
}

/* nginx's syslog header (nohostname) at time t, which beacond does not
 * read: "<190>Dec  4 21:40:01 beacon: ". */
static inline void syslog_mix_header(char *out, size_t cap, time_t t)
{
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, cap, "<190>%b %e %H:%M:%S beacon: ", &tm);
}

#endif
