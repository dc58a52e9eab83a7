/*
 * privacy_bench.c: nanoseconds per hit of the privacy work on the pixel
 * path: the gate (headers, cookie, bot verdict through the user-agent
 * cache), the client address behind a trusted proxy, the day's salt and
 * the pseudonym. Also the parts alone, and a cache miss for comparison.
 *
 *   make bench-micro
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "collector/privacy/botlist.h"
#include "collector/privacy/client_addr.h"
#include "collector/privacy/gate.h"
#include "collector/privacy/policy.h"
#include "collector/privacy/pseudo.h"
#include "collector/privacy/salt.h"
#include "collector/server.h"
#include "collector/privacy/ua_cache.h"

#define ROUNDS 2000000

static const char ua[] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
                         "AppleWebKit/537.36 (KHTML, like Gecko) "
                         "Chrome/126.0.0.0 Safari/537.36";

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile unsigned sink;

int main(void)
{
    static struct server srv;
    struct policy *pol;
    static struct ua_cache cache;
    struct request r;
    char err[256];
    unsigned char salt[SALT_BYTES], out[PSEUDO_BYTES];
    struct ip_addr peer, client;
    static const char xff[] = "203.0.113.77";
    static const char cookie[] = "_ga=GA1.2.3.4; theme=dark";

    if (sodium_init() < 0) {
        return 1;
    }
    memset(&r, 0, sizeof(r));
    r.header[HDR_USER_AGENT] = span_make(ua, sizeof(ua) - 1);
    r.cookie[0] = span_make(cookie, sizeof(cookie) - 1);
    r.n_cookie = 1;
    r.xff[0] = span_make(xff, sizeof(xff) - 1);
    r.n_xff = 1;
    static struct config cfg;
    config_defaults(&cfg);
    snprintf(cfg.trusted_proxies, sizeof(cfg.trusted_proxies),
             "127.0.0.1/32");
    pol = policy_create(&cfg, 1, err, sizeof(err));
    if (pol == NULL || ip_parse(&peer, "127.0.0.1", 9) < 0) {
        fprintf(stderr, "setup: %s\n", err);
        return 1;
    }
    time_t t = time(NULL);
    salt_manager_init(&srv.salts, SALT_STORE_MEMORY, "bc", t);

    double t0 = now_ns();
    for (int i = 0; i < ROUNDS; i++) {
        struct ua_info info = ua_cache_lookup(&cache, pol->bots, 1, ua,
                                              sizeof(ua) - 1);
        struct gate_facts facts = {info.bot, 0};
        sink += gate_check(&pol->gate, &r, &facts);
        client_addr(&client, &pol->trusted, &peer, &r);
        salt_get(&srv.salts, salt_day(t), salt);
        pseudo_visitor(out, salt, "site0", 5, &client, ua, sizeof(ua) - 1);
        sink += out[0];
    }
    double all = (now_ns() - t0) / ROUNDS;

    t0 = now_ns();
    for (int i = 0; i < ROUNDS; i++) {
        struct ua_info info = ua_cache_lookup(&cache, pol->bots, 1, ua,
                                              sizeof(ua) - 1);
        struct gate_facts facts = {info.bot, 0};
        sink += gate_check(&pol->gate, &r, &facts);
    }
    double gate = (now_ns() - t0) / ROUNDS;

    t0 = now_ns();
    for (int i = 0; i < ROUNDS; i++) {
        client_addr(&client, &pol->trusted, &peer, &r);
        sink += client.bytes[3];
    }
    double addr = (now_ns() - t0) / ROUNDS;

    t0 = now_ns();
    for (int i = 0; i < ROUNDS; i++) {
        salt_get(&srv.salts, salt_day(t), salt);
        pseudo_visitor(out, salt, "site0", 5, &client, ua, sizeof(ua) - 1);
        sink += out[0];
    }
    double pseudo = (now_ns() - t0) / ROUNDS;

    t0 = now_ns();
    for (int i = 0; i < ROUNDS / 10; i++) {
        sink += (unsigned)botlist_match(pol->bots, ua, sizeof(ua) - 1);
        sink += (unsigned)ua_classify(ua, sizeof(ua) - 1).browser;
    }
    double miss = (now_ns() - t0) / (ROUNDS / 10);

    printf("privacy path per hit:            %6.1f ns\n", all);
    printf("  gate (cached user agent):      %6.1f ns\n", gate);
    printf("  client address (trusted XFF):  %6.1f ns\n", addr);
    printf("  salt + SipHash pseudonym:     %6.1f ns\n", pseudo);
    printf("user-agent cache miss (classify + bot automaton): %.1f ns\n",
           miss);
    salt_manager_deinit(&srv.salts);
    policy_destroy(pol);
    return 0;
}
