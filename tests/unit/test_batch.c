/*
 * test_batch.c: a merged aggregate table -> the per-site EVALSHA commands
 * of apply_script.h, checked argument by argument, and then run for real
 * against a private redis-server (started here on a Unix socket in a
 * temporary directory; those cases are skipped when redis-server is not
 * installed): values, expiry, at-most-once retries, the "(other)" cap.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <hiredis.h>

#include "aggregator/apply_script.h"
#include "aggregator/batch.h"
#include "aggregator/counts.h"
#include "aggregator/sketch.h"
#include "aggregator/table.h"

/* Unix minutes of 2026-11-26 15:57, 15:58 and 16:01 UTC. */
#define M1557 UINT32_C(29928477)
#define M1558 (M1557 + 1)
#define M1601 (M1557 + 4)

static const struct batch_params real_params = {
    .prefix = "bc",
    .applied_as = "i1",
    .retention_minute_s = 48 * 3600,
    .retention_hour_s = 35 * 86400,
    .retention_day_s = 400 * 86400,
    .max_members = 10000,
    .max_areas = 50,
};

/* For Redis: expiry far in the future, whatever the clock says. */
#define RET_M UINT64_C(1000000000)
#define RET_H UINT64_C(2000000000)
#define RET_D UINT64_C(3000000000)
static const struct batch_params redis_params = {
    .prefix = "bc",
    .applied_as = "i1",
    .retention_minute_s = RET_M,
    .retention_hour_s = RET_H,
    .retention_day_s = RET_D,
    .max_members = 10000,
    .max_areas = 50,
};
/* Bucket ends of the times above. */
#define END_M1557 1795708680LL
#define END_M1558 1795708740LL
#define END_H15 1795708800LL
#define END_H16 1795712400LL
#define END_D26 1795737600LL

static void make_hit(struct hit *h, const char *site, const char *path,
                     const char *ref, const char *event, const char *src,
                     const char *med, const char *camp)
{
    memset(h, 0, sizeof(*h));
    h->site_len = strlen(site);
    memcpy(h->site, site, h->site_len);
    h->path_len = strlen(path);
    memcpy(h->path, path, h->path_len);
    h->ref_len = strlen(ref);
    memcpy(h->ref_host, ref, h->ref_len);
    h->event_len = strlen(event);
    memcpy(h->event, event, h->event_len);
    h->is_pageview = strcmp(event, "pageview") == 0;
    h->utm_source_len = strlen(src);
    memcpy(h->utm_source, src, h->utm_source_len);
    h->utm_medium_len = strlen(med);
    memcpy(h->utm_medium, med, h->utm_medium_len);
    h->utm_campaign_len = strlen(camp);
    memcpy(h->utm_campaign, camp, h->utm_campaign_len);
}

static const struct ua_class mobile_firefox = {UA_DEVICE_MOBILE,
                                               UA_BROWSER_FIREFOX};

static void add_hits(struct table *t, const struct hit *h, uint32_t minute,
                     int times)
{
    for (int i = 0; i < times; i++) {
        assert_true(counts_add_hit(t, h, mobile_firefox, NULL, minute) >= 0);
    }
}

static void add_page(struct table *t, const char *site, const char *path,
                     uint32_t minute, int times)
{
    struct hit h;
    make_hit(&h, site, path, "", "pageview", "", "", "");
    add_hits(t, &h, minute, times);
}

static struct batch *build(const struct table *t, uint64_t seq,
                           const struct batch_params *p)
{
    char err[128] = "";
    struct batch *b = batch_build(t, seq, p, err, sizeof err);
    if (b == NULL) {
        fail_msg("batch_build: %s", err);
    }
    return b;
}

/* Compares cmd's argv with want[0..n), byte for byte. */
static void assert_argv(const struct batch_cmd *c, const char *const *want,
                        int n)
{
    for (int i = 0; i < n && i < c->argc; i++) {
        size_t len = strlen(want[i]);
        if (c->argvlen[i] != len || memcmp(c->argv[i], want[i], len) != 0) {
            fail_msg("argv[%d] is \"%.*s\", want \"%s\"", i, (int)c->argvlen[i],
                     c->argv[i], want[i]);
        }
    }
    assert_int_equal(c->argc, n);
}

#define ASSERT_ARGV(c, want)                                                   \
    assert_argv((c), (want), (int)(sizeof(want) / sizeof(*(want))))

/* The batch of two pageviews at 15:57 (with referrer and campaign) and
 * one at 15:58, argument by argument. */
static void test_batch__argv_exact(void **state)
{
    struct table *t = table_create();
    struct hit a;
    (void)state;

    assert_non_null(t);
    make_hit(&a, "blog", "/a", "news.example", "pageview", "news", "email", "");
    add_hits(t, &a, M1557, 2);
    add_page(t, "blog", "/b", M1558, 1);
    /* pages count their areas, pageviews their devices and browsers */
    assert_int_equal(table_count(t), 6);

    struct batch *b = build(t, 1795708650123ULL, &real_params);
    assert_int_equal(b->seq, 1795708650123ULL);
    assert_int_equal(b->keys, 6);
    assert_int_equal(b->n_cmds, 2);

    static const char *const script[] = {
        "EVALSHA",
        "(script sha)",
        "19",
        "bc:{blog}:applied:i1",
        /* hashes, then sorted sets, by name */
        "bc:{blog}:series:d:20261126",
        "bc:{blog}:series:h:2026112615",
        "bc:{blog}:tot:d:20261126",
        "bc:{blog}:tot:h:2026112615",
        "bc:{blog}:tot:m:202611261557",
        "bc:{blog}:tot:m:202611261558",
        "bc:{blog}:areas:d:20261126",
        "bc:{blog}:areas:h:2026112615",
        "bc:{blog}:br:d:20261126",
        "bc:{blog}:br:h:2026112615",
        "bc:{blog}:dev:d:20261126",
        "bc:{blog}:dev:h:2026112615",
        "bc:{blog}:pages:d:20261126",
        "bc:{blog}:pages:h:2026112615",
        "bc:{blog}:refs:d:20261126",
        "bc:{blog}:refs:h:2026112615",
        "bc:{blog}:utm:d:20261126",
        "bc:{blog}:utm:h:2026112615",
        /* ARGV: seq, call, TTL of the applied-key (day retention),
         * max_areas, max_members, data keys */
        "1795708650123",
        "0",
        "34560000",
        "50",
        "10000",
        "18",
        /* day end + 400 d, hour end + 35 d, minute end + 48 h */
        "h",
        "1830297600",
        "1",
        "15",
        "3",
        "h",
        "1798732800",
        "2",
        "57",
        "2",
        "58",
        "1",
        "h",
        "1830297600",
        "1",
        "pageviews",
        "3",
        "h",
        "1798732800",
        "1",
        "pageviews",
        "3",
        "h",
        "1795881480",
        "1",
        "pageviews",
        "2",
        "h",
        "1795881540",
        "1",
        "pageviews",
        "1",
        /* members by count, largest first */
        "z",
        "1830297600",
        "2",
        "a",
        "2",
        "b",
        "1",
        "z",
        "1798732800",
        "2",
        "a",
        "2",
        "b",
        "1",
        "z",
        "1830297600",
        "1",
        "firefox",
        "3",
        "z",
        "1798732800",
        "1",
        "firefox",
        "3",
        "z",
        "1830297600",
        "1",
        "mobile",
        "3",
        "z",
        "1798732800",
        "1",
        "mobile",
        "3",
        "z",
        "1830297600",
        "2",
        "/a",
        "2",
        "/b",
        "1",
        "z",
        "1798732800",
        "2",
        "/a",
        "2",
        "/b",
        "1",
        "z",
        "1830297600",
        "1",
        "news.example",
        "2",
        "z",
        "1798732800",
        "1",
        "news.example",
        "2",
        "z",
        "1830297600",
        "1",
        "news/email/",
        "2",
        "z",
        "1798732800",
        "1",
        "news/email/",
        "2",
    };
    static const char *const sadd[] = {"SADD", "bc:sites", "blog"};

    assert_int_equal(b->cmds[0].is_script, 1);
    ASSERT_ARGV(&b->cmds[0], script);
    assert_int_equal(b->cmds[1].is_script, 0);
    ASSERT_ARGV(&b->cmds[1], sadd);

    /* bytes counts the argument strings at least. */
    size_t strings = 0;
    for (size_t i = 0; i < b->n_cmds; i++) {
        for (int j = 0; j < b->cmds[i].argc; j++) {
            strings += b->cmds[i].argvlen[j];
        }
    }
    assert_true(b->bytes >= strings);

    /* Building again gives the same commands (a retry is the same). */
    struct batch *again = build(t, 1795708650123ULL, &real_params);
    assert_int_equal(again->n_cmds, 2);
    ASSERT_ARGV(&again->cmds[0], script);
    ASSERT_ARGV(&again->cmds[1], sadd);
    batch_destroy(again);
    batch_destroy(b);
    table_destroy(t);
}

static void test_batch__event_argv(void **state)
{
    struct table *t = table_create();
    struct hit e;
    (void)state;

    assert_non_null(t);
    make_hit(&e, "s1", "/x", "ref.example", "signup", "a", "b", "c");
    add_hits(t, &e, M1557, 1);
    struct batch *b = build(t, 7, &real_params);
    static const char *const script[] = {
        "EVALSHA",
        "(script sha)",
        "10",
        "bc:{s1}:applied:i1",
        "bc:{s1}:tot:d:20261126",
        "bc:{s1}:tot:h:2026112615",
        "bc:{s1}:tot:m:202611261557",
        "bc:{s1}:br:d:20261126",
        "bc:{s1}:br:h:2026112615",
        "bc:{s1}:dev:d:20261126",
        "bc:{s1}:dev:h:2026112615",
        "bc:{s1}:ev:d:20261126",
        "bc:{s1}:ev:h:2026112615",
        "7",
        "0",
        "34560000",
        "50",
        "10000",
        "9",
        "h",
        "1830297600",
        "1",
        "events",
        "1",
        "h",
        "1798732800",
        "1",
        "events",
        "1",
        "h",
        "1795881480",
        "1",
        "events",
        "1",
        "z",
        "1830297600",
        "1",
        "firefox",
        "1",
        "z",
        "1798732800",
        "1",
        "firefox",
        "1",
        "z",
        "1830297600",
        "1",
        "mobile",
        "1",
        "z",
        "1798732800",
        "1",
        "mobile",
        "1",
        "z",
        "1830297600",
        "1",
        "signup",
        "1",
        "z",
        "1798732800",
        "1",
        "signup",
        "1",
    };
    static const char *const sadd[] = {"SADD", "bc:sites", "s1"};

    assert_int_equal(b->n_cmds, 2);
    ASSERT_ARGV(&b->cmds[0], script);
    ASSERT_ARGV(&b->cmds[1], sadd);
    batch_destroy(b);
    table_destroy(t);
}

static void test_batch__empty_table(void **state)
{
    struct table *t = table_create();
    (void)state;

    assert_non_null(t);
    struct batch *b = build(t, 1, &real_params);
    assert_int_equal(b->n_cmds, 0);
    assert_int_equal(b->keys, 0);
    batch_destroy(b);
    batch_destroy(NULL);
    table_destroy(t);
}

static void test_batch__undecodable_key(void **state)
{
    struct table *t = table_create();
    char err[128] = "";
    (void)state;

    assert_non_null(t);
    add_page(t, "blog", "/a", M1557, 1);
    assert_int_equal(table_add(t,
                               "\x04"
                               "blog"
                               "\xff"
                               "\0\0\0\0",
                               10, 1),
                     1);
    assert_null(batch_build(t, 1, &real_params, err, sizeof err));
    assert_string_equal(err, "undecodable aggregate key");
    table_destroy(t);
}

/* Argument i of c as a number (arguments are not NUL-terminated). */
static long arg_long(const struct batch_cmd *c, int i)
{
    char num[24];
    assert_true(c->argvlen[i] < sizeof num);
    memcpy(num, c->argv[i], c->argvlen[i]);
    num[c->argvlen[i]] = '\0';
    return strtol(num, NULL, 10);
}

/* The pairs of cmd's key named `key`: its n and (field, incr) list as
 * "f=n,f=n". */
static void key_pairs(const struct batch_cmd *c, const char *key, char *out,
                      size_t cap)
{
    long numkeys = arg_long(c, 2);
    /* after seq, call, TTL, max_areas, max_members: the data keys */
    long data_keys = arg_long(c, 3 + (int)numkeys + 5);
    int k = -1;
    for (int i = 4; i < 4 + data_keys; i++) {
        if (c->argvlen[i] == strlen(key) &&
            memcmp(c->argv[i], key, c->argvlen[i]) == 0) {
            k = i - 4;
        }
    }
    if (k < 0) {
        fail_msg("no key %s", key);
    }
    int a = 3 + (int)numkeys + 6;
    for (int i = 0;; i++) {
        long n = arg_long(c, a + 2);
        if (i == k) {
            size_t len = 0;
            out[0] = '\0';
            for (long j = 0; j < n; j++) {
                len += (size_t)snprintf(
                    out + len, cap - len, "%s%.*s=%.*s", j ? "," : "",
                    (int)c->argvlen[a + 3 + 2 * j], c->argv[a + 3 + 2 * j],
                    (int)c->argvlen[a + 4 + 2 * j], c->argv[a + 4 + 2 * j]);
            }
            return;
        }
        a += 3 + 2 * (int)n;
    }
}

/* The HyperLogLogs a day's areas may merge into are declared after the
 * data keys, <key>:(other) first, then one per area of the call: Redis
 * Cluster sees every key a call may write (apply_script.h). */
static void test_batch__area_keys_declared(void **state)
{
    struct table *t = table_create();
    struct hit h;
    char got[1024] = "";
    (void)state;

    assert_non_null(t);
    make_hit(&h, "blog", "/docs/a", "", "pageview", "", "", "");
    assert_true(counts_add_hit(t, &h, mobile_firefox,
                               (const unsigned char *)"0123456789abcdef",
                               M1557) >= 0);
    make_hit(&h, "blog", "/shop/b", "", "pageview", "", "", "");
    assert_true(counts_add_hit(t, &h, mobile_firefox,
                               (const unsigned char *)"fedcba9876543210",
                               M1557) >= 0);
    struct batch *b = build(t, 3, &real_params);
    const struct batch_cmd *c = &b->cmds[0];
    long numkeys = arg_long(c, 2);
    long data_keys = arg_long(c, 3 + (int)numkeys + 5);
    assert_true(c->is_script);
    for (long i = 4 + data_keys; i <= 2 + numkeys; i++) {
        strncat(got, c->argv[i], c->argvlen[i]);
        strcat(got, ",");
    }
    assert_string_equal(got, "bc:{blog}:uva:d:20261126:(other),"
                             "bc:{blog}:uva:d:20261126:docs,"
                             "bc:{blog}:uva:d:20261126:shop,");
    batch_destroy(b);
    table_destroy(t);
}

/* A sorted set's members go largest count first, ties by member, and
 * all of them: the cap is the script's, per key (apply_script.h). */
static void test_batch__members_by_count(void **state)
{
    struct table *t = table_create();
    char pairs[512];
    struct batch_params p = real_params;
    (void)state;

    assert_non_null(t);
    add_page(t, "blog", "/a", M1557, 2);
    add_page(t, "blog", "/b", M1557, 5);
    add_page(t, "blog", "/c", M1557, 1);
    add_page(t, "blog", "/d", M1557, 4);
    add_page(t, "blog", "/e", M1557, 3);
    p.max_members = 3;
    struct batch *b = build(t, 1, &p);
    assert_int_equal(b->n_cmds, 2);
    key_pairs(&b->cmds[0], "bc:{blog}:pages:h:2026112615", pairs, sizeof pairs);
    assert_string_equal(pairs, "/b=5,/d=4,/e=3,/a=2,/c=1");
    key_pairs(&b->cmds[0], "bc:{blog}:pages:d:20261126", pairs, sizeof pairs);
    assert_string_equal(pairs, "/b=5,/d=4,/e=3,/a=2,/c=1");
    key_pairs(&b->cmds[0], "bc:{blog}:dev:h:2026112615", pairs, sizeof pairs);
    assert_string_equal(pairs, "mobile=15");
    key_pairs(&b->cmds[0], "bc:{blog}:tot:h:2026112615", pairs, sizeof pairs);
    assert_string_equal(pairs, "pageviews=15");
    /* max_members, the script's cap, is the call's fifth argument */
    assert_int_equal(arg_long(&b->cmds[0], 3 + (int)arg_long(&b->cmds[0], 2) + 4),
                     3);
    batch_destroy(b);

    /* Ties by member, so a rebuilt batch has the same order. */
    table_reset(t);
    add_page(t, "blog", "/d", M1557, 1);
    add_page(t, "blog", "/b", M1557, 1);
    add_page(t, "blog", "/c", M1557, 1);
    add_page(t, "blog", "/a", M1557, 1);
    b = build(t, 1, &p);
    key_pairs(&b->cmds[0], "bc:{blog}:pages:h:2026112615", pairs, sizeof pairs);
    assert_string_equal(pairs, "/a=1,/b=1,/c=1,/d=1");
    batch_destroy(b);
    table_destroy(t);
}

/* The (key, field, value) triples of the calls b->cmds[from..to), one a
 * line, and checks each call's number and size against p: at most
 * max_call_ops operations, and no fewer than one short of it but in the
 * last call. */
static char *call_ops(const struct batch *b, size_t from, size_t to,
                      const struct batch_params *p)
{
    size_t cap = 1 << 20, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
    for (size_t i = from; i < to; i++) {
        const struct batch_cmd *c = &b->cmds[i];
        long numkeys = arg_long(c, 2);
        long data_keys = arg_long(c, 3 + (int)numkeys + 5);
        int a = 3 + (int)numkeys + 6;
        size_t ops = 0;
        assert_int_equal(c->is_script, 1);
        assert_int_equal(arg_long(c, 3 + (int)numkeys + 1), (long)(i - from));
        for (long k = 1; k <= data_keys; k++) {
            long n = arg_long(c, a + 2);
            assert_true(n > 0);
            ops += 1 + (size_t)n;
            for (long j = 0; j < n; j++) {
                len += (size_t)snprintf(
                    out + len, cap - len, "%.*s %.*s %.*s=%.*s\n",
                    (int)c->argvlen[3 + k], c->argv[3 + k],
                    (int)c->argvlen[a], c->argv[a],
                    (int)c->argvlen[a + 3 + 2 * j], c->argv[a + 3 + 2 * j],
                    (int)c->argvlen[a + 4 + 2 * j], c->argv[a + 4 + 2 * j]);
                assert_true(len < cap);
            }
            a += 3 + 2 * (int)n;
        }
        assert_int_equal(a, c->argc);
        if (p->max_call_ops != 0) {
            /* full, but for the last: a pair and its key's header at
             * most are left for the next call */
            assert_true(ops <= p->max_call_ops);
            assert_true(i + 1 == to || ops + 1 >= p->max_call_ops);
        }
    }
    return out;
}

/* A site's operations cut into calls of at most max_call_ops operations
 * (a key's header counts as one): the same operations in the same order,
 * a key going on from one call into the next, calls numbered from 0. */
static void test_batch__calls_cut(void **state)
{
    struct table *t = table_create();
    struct batch_params p = real_params;
    char path[16];
    (void)state;

    assert_non_null(t);
    for (int i = 0; i < 40; i++) {
        snprintf(path, sizeof path, "/p%02d", i);
        add_page(t, "blog", path, M1557, 1 + i % 7);
    }
    add_page(t, "shop", "/x", M1557, 1);
    struct batch *whole = build(t, 9, &p);
    assert_int_equal(whole->n_cmds, 3); /* blog, shop, SADD */
    char *want = call_ops(whole, 0, 1, &p);
    size_t pairs = 0;
    for (const char *l = want; (l = strchr(l, '\n')) != NULL; l++) {
        pairs++;
    }

    for (size_t max = 2; max <= 50; max += 3) {
        p.max_call_ops = max;
        struct batch *b = build(t, 9, &p);
        /* blog's calls, then shop's (sites in byte order), then SADD */
        size_t blog = 0;
        while (blog < b->n_cmds && b->cmds[blog].is_script &&
               memcmp(b->cmds[blog].argv[3], "bc:{blog}", 9) == 0) {
            blog++;
        }
        /* a call holds a key's header and max - 1 pairs at most */
        assert_true(blog >= (pairs + max - 2) / (max - 1));
        char *got = call_ops(b, 0, blog, &p);
        assert_string_equal(got, want);
        free(got);
        assert_true(b->cmds[b->n_cmds - 1].is_script == 0);
        assert_int_equal(b->keys, whole->keys);
        /* a rebuild cuts the same way */
        struct batch *again = build(t, 9, &p);
        assert_int_equal(again->n_cmds, b->n_cmds);
        for (size_t i = 0; i < b->n_cmds; i++) {
            assert_int_equal(again->cmds[i].argc, b->cmds[i].argc);
            for (int j = 0; j < b->cmds[i].argc; j++) {
                assert_int_equal(again->cmds[i].argvlen[j],
                                 b->cmds[i].argvlen[j]);
                assert_memory_equal(again->cmds[i].argv[j],
                                    b->cmds[i].argv[j],
                                    b->cmds[i].argvlen[j]);
            }
        }
        batch_destroy(again);
        batch_destroy(b);
    }

    /* A call holds at most max_call_bytes, but at least one pair. */
    p.max_call_ops = 0;
    p.max_call_bytes = 200;
    struct batch *b = build(t, 9, &p);
    for (size_t i = 0; i + 1 < b->n_cmds; i++) {
        assert_true(b->cmds[i].argc > 3 + 2 + 6 + 3);
        size_t bytes = 0;
        long numkeys = arg_long(&b->cmds[i], 2);
        for (int j = 3 + (int)numkeys + 6; j < b->cmds[i].argc; j++) {
            bytes += b->cmds[i].argvlen[j];
        }
        assert_true(bytes <= 200);
    }
    assert_true(b->n_cmds > 10);
    batch_destroy(b);
    free(want);
    batch_destroy(whole);
    table_destroy(t);
}

static void test_batch__two_sites(void **state)
{
    struct table *t = table_create();
    char pairs[512];
    (void)state;

    assert_non_null(t);
    add_page(t, "shop", "/cart", M1557, 2);
    add_page(t, "blog", "/a", M1557, 1);
    struct batch *b = build(t, 5, &real_params);
    assert_int_equal(b->n_cmds, 3);
    assert_int_equal(b->keys, 4);

    const struct batch_cmd *blog = NULL, *shop = NULL;
    for (int i = 0; i < 2; i++) {
        const struct batch_cmd *c = &b->cmds[i];
        assert_int_equal(c->is_script, 1);
        assert_int_equal(c->argvlen[0], 7);
        assert_memory_equal(c->argv[0], "EVALSHA", 7);
        if (c->argvlen[3] == 20 &&
            memcmp(c->argv[3], "bc:{blog}:applied:i1", 20) == 0) {
            blog = c;
        } else if (c->argvlen[3] == 20 &&
                   memcmp(c->argv[3], "bc:{shop}:applied:i1", 20) == 0) {
            shop = c;
        }
    }
    assert_non_null(blog);
    assert_non_null(shop);
    /* Each command touches its own site's keys only. */
    for (int i = 3; i < 3 + 12; i++) {
        assert_memory_equal(blog->argv[i], "bc:{blog}:", 10);
        assert_memory_equal(shop->argv[i], "bc:{shop}:", 10);
    }
    assert_int_equal(blog->argc, shop->argc);
    key_pairs(shop, "bc:{shop}:pages:d:20261126", pairs, sizeof pairs);
    assert_string_equal(pairs, "/cart=2");
    key_pairs(blog, "bc:{blog}:pages:d:20261126", pairs, sizeof pairs);
    assert_string_equal(pairs, "/a=1");

    const struct batch_cmd *s = &b->cmds[2];
    assert_int_equal(s->is_script, 0);
    assert_int_equal(s->argc, 4);
    assert_memory_equal(s->argv[0], "SADD", 4);
    assert_int_equal(s->argvlen[1], 8);
    assert_memory_equal(s->argv[1], "bc:sites", 8);
    int seen_blog = 0, seen_shop = 0;
    for (int i = 2; i < 4; i++) {
        assert_int_equal(s->argvlen[i], 4);
        seen_blog += memcmp(s->argv[i], "blog", 4) == 0;
        seen_shop += memcmp(s->argv[i], "shop", 4) == 0;
    }
    assert_int_equal(seen_blog, 1);
    assert_int_equal(seen_shop, 1);
    batch_destroy(b);
    table_destroy(t);
}

/* ---- against a real redis-server ---- */

struct redis_fixture {
    int available;
    pid_t pid;
    char dir[64];
    char sock[128];
    redisContext *c;
    char sha[41];
};

static struct redis_fixture rs;

static void redis_stop(void)
{
    if (rs.c != NULL) {
        redisFree(rs.c);
        rs.c = NULL;
    }
    if (rs.pid > 0) {
        kill(rs.pid, SIGTERM);
        waitpid(rs.pid, NULL, 0);
        rs.pid = 0;
    }
    if (rs.dir[0] != '\0') {
        char path[192];
        snprintf(path, sizeof path, "%s/redis.log", rs.dir);
        unlink(path);
        unlink(rs.sock);
        rmdir(rs.dir);
        rs.dir[0] = '\0';
    }
}

static int redis_start(void **state)
{
    char log[192];
    (void)state;

    memset(&rs, 0, sizeof rs);
    snprintf(rs.dir, sizeof rs.dir, "/tmp/test_batch.XXXXXX");
    if (mkdtemp(rs.dir) == NULL) {
        rs.dir[0] = '\0';
        return 0;
    }
    snprintf(rs.sock, sizeof rs.sock, "%s/r.sock", rs.dir);
    snprintf(log, sizeof log, "%s/redis.log", rs.dir);
    rs.pid = fork();
    if (rs.pid < 0) {
        rs.pid = 0;
        return 0;
    }
    if (rs.pid == 0) {
        /* Gone with the test, even when it crashes. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        execlp("redis-server", "redis-server", "--port", "0", "--unixsocket",
               rs.sock, "--save", "", "--appendonly", "no", "--dir", rs.dir,
               "--logfile", log, (char *)NULL);
        _exit(127);
    }
    /* Up to 10 s for the socket to answer. */
    for (int i = 0; i < 1000; i++) {
        if (waitpid(rs.pid, NULL, WNOHANG) == rs.pid) {
            rs.pid = 0; /* not installed, or it failed to start */
            return 0;
        }
        redisContext *c = redisConnectUnix(rs.sock);
        if (c != NULL && c->err == 0) {
            rs.c = c;
            break;
        }
        redisFree(c);
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (rs.c == NULL) {
        return 0;
    }
    redisReply *r = redisCommand(rs.c, "SCRIPT LOAD %s", APPLY_SCRIPT);
    if (r != NULL && r->type == REDIS_REPLY_STRING && r->len == 40) {
        memcpy(rs.sha, r->str, 40);
        rs.available = 1;
    }
    freeReplyObject(r);
    return 0;
}

static int redis_teardown(void **state)
{
    (void)state;
    redis_stop();
    return 0;
}

/* Every Redis case starts from an empty database. */
static int redis_case_setup(void **state)
{
    (void)state;
    if (rs.available) {
        redisReply *r = redisCommand(rs.c, "FLUSHALL");
        assert_non_null(r);
        freeReplyObject(r);
    }
    return 0;
}

#define NEED_REDIS()                                                           \
    do {                                                                       \
        if (!rs.available) {                                                   \
            print_message("redis-server not available: skipped\n");            \
            skip();                                                            \
        }                                                                      \
    } while (0)

/* Sends every command of b as the flusher would (argv[1] = the SHA);
 * each script must answer want, the SADD an integer. */
static void apply(const struct batch *b, long long want)
{
    for (size_t i = 0; i < b->n_cmds; i++) {
        const struct batch_cmd *c = &b->cmds[i];
        const char **argv = malloc((size_t)c->argc * sizeof(*argv));
        size_t *len = malloc((size_t)c->argc * sizeof(*len));
        assert_non_null(argv);
        assert_non_null(len);
        memcpy(argv, c->argv, (size_t)c->argc * sizeof(*argv));
        memcpy(len, c->argvlen, (size_t)c->argc * sizeof(*len));
        if (c->is_script) {
            argv[1] = rs.sha;
            len[1] = 40;
        }
        redisReply *r = redisCommandArgv(rs.c, c->argc, argv, len);
        assert_non_null(r);
        if (r->type == REDIS_REPLY_ERROR) {
            fail_msg("command %zu: %s", i, r->str);
        }
        assert_int_equal(r->type, REDIS_REPLY_INTEGER);
        if (c->is_script) {
            assert_int_equal(r->integer, want);
        }
        freeReplyObject(r);
        free(argv);
        free(len);
    }
}

static long long hget(const char *key, const char *field)
{
    redisReply *r = redisCommand(rs.c, "HGET %s %s", key, field);
    long long v = -1;
    assert_non_null(r);
    if (r->type == REDIS_REPLY_STRING) {
        v = strtoll(r->str, NULL, 10);
    } else {
        assert_int_equal(r->type, REDIS_REPLY_NIL);
    }
    freeReplyObject(r);
    return v;
}

static long long zscore(const char *key, const char *member)
{
    redisReply *r = redisCommand(rs.c, "ZSCORE %s %s", key, member);
    long long v = -1;
    assert_non_null(r);
    if (r->type == REDIS_REPLY_STRING) {
        v = strtoll(r->str, NULL, 10);
    } else {
        assert_int_equal(r->type, REDIS_REPLY_NIL);
    }
    freeReplyObject(r);
    return v;
}

static long long int_cmd(const char *fmt, const char *key)
{
    redisReply *r = redisCommand(rs.c, fmt, key);
    assert_non_null(r);
    if (r->type != REDIS_REPLY_INTEGER) {
        fail_msg("%s %s: reply type %d %s", fmt, key, r->type,
                 r->type == REDIS_REPLY_ERROR ? r->str : "");
    }
    long long v = r->integer;
    freeReplyObject(r);
    return v;
}

static long long expiretime(const char *key)
{
    return int_cmd("EXPIRETIME %s", key);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* All keys, sorted, one per line. */
static char *all_keys(void)
{
    redisReply *r = redisCommand(rs.c, "KEYS *");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    char **k = malloc((r->elements ? r->elements : 1) * sizeof(*k));
    size_t total = 1;
    assert_non_null(k);
    for (size_t i = 0; i < r->elements; i++) {
        k[i] = r->element[i]->str;
        total += r->element[i]->len + 1;
    }
    qsort(k, r->elements, sizeof(*k), cmp_str);
    char *out = malloc(total);
    assert_non_null(out);
    out[0] = '\0';
    for (size_t i = 0; i < r->elements; i++) {
        strcat(out, k[i]);
        strcat(out, "\n");
    }
    free(k);
    freeReplyObject(r);
    return out;
}

/* A text dump of every key's content, to compare before and after. */
static char *dump_db(void)
{
    char *keys = all_keys();
    size_t cap = 65536, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
    for (char *k = strtok(keys, "\n"); k != NULL; k = strtok(NULL, "\n")) {
        redisReply *r = redisCommand(rs.c, "TYPE %s", k);
        assert_non_null(r);
        char type[16];
        snprintf(type, sizeof type, "%s", r->str);
        freeReplyObject(r);
        if (strcmp(type, "hash") == 0) {
            r = redisCommand(rs.c, "HGETALL %s", k);
        } else if (strcmp(type, "zset") == 0) {
            r = redisCommand(rs.c, "ZRANGE %s 0 -1 WITHSCORES", k);
        } else if (strcmp(type, "set") == 0) {
            r = redisCommand(rs.c, "SORT %s ALPHA", k);
        } else {
            r = redisCommand(rs.c, "GET %s", k);
        }
        assert_non_null(r);
        len += (size_t)snprintf(out + len, cap - len, "%s %s %lld:", k, type,
                                expiretime(k));
        if (r->type == REDIS_REPLY_ARRAY) {
            for (size_t i = 0; i < r->elements; i++) {
                len += (size_t)snprintf(out + len, cap - len, " %s",
                                        r->element[i]->str);
            }
        } else if (r->type == REDIS_REPLY_STRING) {
            len += (size_t)snprintf(out + len, cap - len, " %s", r->str);
        }
        len += (size_t)snprintf(out + len, cap - len, "\n");
        assert_true(len < cap);
        freeReplyObject(r);
    }
    free(keys);
    return out;
}

#define K(s) "bc:{blog}:" s

static void test_batch__redis_apply(void **state)
{
    struct table *t = table_create();
    struct hit a;
    (void)state;
    NEED_REDIS();

    assert_non_null(t);
    make_hit(&a, "blog", "/a", "news.example", "pageview", "news", "email", "");
    add_hits(t, &a, M1557, 2);
    add_page(t, "blog", "/b", M1558, 1);
    struct batch *b = build(t, 1000, &redis_params);
    apply(b, 1);

    char *keys = all_keys();
    assert_string_equal(
        keys,
        "bc:sites\n" K("applied:i1\n") K("areas:d:20261126\n")
            K("areas:h:2026112615\n") K("br:d:20261126\n")
            K("br:h:2026112615\n") K("dev:d:20261126\n") K("dev:h:2026112615\n")
                K("pages:d:20261126\n") K("pages:h:2026112615\n")
                    K("refs:d:20261126\n") K("refs:h:2026112615\n")
                        K("series:d:20261126\n") K("series:h:2026112615\n") K(
                            "tot:d:20261126\n") K("tot:h:2026112615\n")
                            K("tot:m:202611261557\n") K("tot:m:202611261558\n")
                                K("utm:d:20261126\n") K("utm:h:2026112615\n"));
    free(keys);

    assert_int_equal(hget(K("tot:m:202611261557"), "pageviews"), 2);
    assert_int_equal(hget(K("tot:m:202611261558"), "pageviews"), 1);
    assert_int_equal(hget(K("tot:h:2026112615"), "pageviews"), 3);
    assert_int_equal(hget(K("tot:d:20261126"), "pageviews"), 3);
    assert_int_equal(hget(K("tot:d:20261126"), "events"), -1);
    assert_int_equal(hget(K("series:h:2026112615"), "57"), 2);
    assert_int_equal(hget(K("series:h:2026112615"), "58"), 1);
    assert_int_equal(int_cmd("HLEN %s", K("series:h:2026112615")), 2);
    assert_int_equal(hget(K("series:d:20261126"), "15"), 3);
    assert_int_equal(int_cmd("HLEN %s", K("series:d:20261126")), 1);
    assert_int_equal(zscore(K("pages:h:2026112615"), "/a"), 2);
    assert_int_equal(zscore(K("pages:h:2026112615"), "/b"), 1);
    assert_int_equal(zscore(K("pages:d:20261126"), "/a"), 2);
    assert_int_equal(zscore(K("pages:d:20261126"), "/b"), 1);
    assert_int_equal(int_cmd("ZCARD %s", K("pages:d:20261126")), 2);
    assert_int_equal(zscore(K("refs:d:20261126"), "news.example"), 2);
    assert_int_equal(zscore(K("areas:h:2026112615"), "a"), 2);
    assert_int_equal(zscore(K("areas:d:20261126"), "b"), 1);
    assert_int_equal(zscore(K("utm:h:2026112615"), "news/email/"), 2);
    assert_int_equal(zscore(K("dev:d:20261126"), "mobile"), 3);
    assert_int_equal(zscore(K("br:h:2026112615"), "firefox"), 3);
    assert_int_equal(int_cmd("SISMEMBER bc:sites %s", "blog"), 1);
    assert_int_equal(int_cmd("SCARD %s", "bc:sites"), 1);

    /* Each key expires its retention after its bucket ends. */
    assert_int_equal(expiretime(K("tot:m:202611261557")), END_M1557 + RET_M);
    assert_int_equal(expiretime(K("tot:m:202611261558")), END_M1558 + RET_M);
    assert_int_equal(expiretime(K("tot:h:2026112615")), END_H15 + RET_H);
    assert_int_equal(expiretime(K("series:h:2026112615")), END_H15 + RET_H);
    assert_int_equal(expiretime(K("pages:h:2026112615")), END_H15 + RET_H);
    assert_int_equal(expiretime(K("tot:d:20261126")), END_D26 + RET_D);
    assert_int_equal(expiretime(K("series:d:20261126")), END_D26 + RET_D);
    assert_int_equal(expiretime(K("br:d:20261126")), END_D26 + RET_D);
    assert_int_equal(expiretime("bc:sites"), -1);

    /* The applied-key holds the sequence for the day retention. */
    redisReply *r = redisCommand(rs.c, "GET %s", K("applied:i1"));
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    assert_string_equal(r->str, "1000:0");
    freeReplyObject(r);
    long long ttl = int_cmd("TTL %s", K("applied:i1"));
    assert_true(ttl <= (long long)RET_D && ttl >= (long long)RET_D - 60);

    batch_destroy(b);
    table_destroy(t);
}

static void test_batch__redis_retry_is_noop(void **state)
{
    struct table *t = table_create();
    (void)state;
    NEED_REDIS();

    assert_non_null(t);
    add_page(t, "blog", "/a", M1557, 3);
    struct batch *b = build(t, 2000, &redis_params);
    apply(b, 1);
    char *before = dump_db();

    /* The same batch again (its reply was lost): nothing changes. */
    apply(b, 0);
    apply(b, 0);
    char *after = dump_db();
    assert_string_equal(after, before);
    assert_int_equal(hget(K("tot:h:2026112615"), "pageviews"), 3);

    /* An older sequence is refused as well. */
    struct batch *old = build(t, 1999, &redis_params);
    apply(old, 0);
    free(after);
    after = dump_db();
    assert_string_equal(after, before);

    /* The next batch adds. */
    struct batch *next = build(t, 2001, &redis_params);
    apply(next, 1);
    assert_int_equal(hget(K("tot:m:202611261557"), "pageviews"), 6);
    assert_int_equal(hget(K("tot:h:2026112615"), "pageviews"), 6);
    assert_int_equal(hget(K("series:d:20261126"), "15"), 6);
    assert_int_equal(zscore(K("pages:d:20261126"), "/a"), 6);
    assert_int_equal(zscore(K("br:d:20261126"), "firefox"), 6);
    redisReply *r = redisCommand(rs.c, "GET %s", K("applied:i1"));
    assert_non_null(r);
    assert_string_equal(r->str, "2001:0");
    freeReplyObject(r);
    /* And is itself applied once only. */
    apply(next, 0);
    assert_int_equal(hget(K("tot:h:2026112615"), "pageviews"), 6);

    /* Another instance has its own sequence. */
    struct batch_params p2 = redis_params;
    p2.applied_as = "i2";
    struct batch *other = build(t, 5, &p2);
    apply(other, 1);
    assert_int_equal(hget(K("tot:h:2026112615"), "pageviews"), 9);

    /* So has a new data dir's log of the same instance, whatever its
     * numbers: they began at a clock that may read earlier. */
    struct batch_params p3 = redis_params;
    p3.applied_as = "i1:0123456789abcdef";
    struct batch *relog = build(t, 1, &p3);
    apply(relog, 1);
    assert_int_equal(hget(K("tot:h:2026112615"), "pageviews"), 12);
    apply(relog, 0);
    batch_destroy(relog);

    free(before);
    free(after);
    batch_destroy(b);
    batch_destroy(old);
    batch_destroy(next);
    batch_destroy(other);
    table_destroy(t);
}

static void test_batch__redis_events_and_hours(void **state)
{
    struct table *t = table_create();
    struct hit e;
    (void)state;
    NEED_REDIS();

    assert_non_null(t);
    make_hit(&e, "blog", "/a", "", "video:play", "", "", "");
    add_hits(t, &e, M1557, 2);
    add_hits(t, &e, M1601, 1);
    add_page(t, "blog", "/a", M1601, 1);
    struct batch *b = build(t, 1, &redis_params);
    apply(b, 1);

    assert_int_equal(hget(K("tot:m:202611261557"), "events"), 2);
    assert_int_equal(hget(K("tot:m:202611261557"), "pageviews"), -1);
    assert_int_equal(hget(K("tot:h:2026112615"), "events"), 2);
    assert_int_equal(hget(K("tot:h:2026112616"), "events"), 1);
    assert_int_equal(hget(K("tot:h:2026112616"), "pageviews"), 1);
    assert_int_equal(hget(K("tot:d:20261126"), "events"), 3);
    assert_int_equal(hget(K("tot:d:20261126"), "pageviews"), 1);
    assert_int_equal(zscore(K("ev:h:2026112615"), "video:play"), 2);
    assert_int_equal(zscore(K("ev:d:20261126"), "video:play"), 3);
    assert_int_equal(zscore(K("dev:d:20261126"), "mobile"), 4);
    /* Events are not in the series; the pageview at 16:01 is. */
    assert_int_equal(int_cmd("EXISTS %s", K("series:h:2026112615")), 0);
    assert_int_equal(hget(K("series:h:2026112616"), "01"), 1);
    assert_int_equal(hget(K("series:d:20261126"), "16"), 1);
    assert_int_equal(hget(K("series:d:20261126"), "15"), -1);
    assert_int_equal(expiretime(K("tot:h:2026112616")), END_H16 + RET_H);
    batch_destroy(b);
    table_destroy(t);
}

/* A key keeps its first max_members members, whichever flush brought
 * them: a flush at the cap lets its most frequent new members in, and
 * later new members add to "(other)" while known ones still count. */
static void test_batch__redis_other_cap(void **state)
{
    struct table *t = table_create();
    struct batch_params p = redis_params;
    (void)state;
    NEED_REDIS();

    assert_non_null(t);
    add_page(t, "blog", "/a", M1557, 2);
    add_page(t, "blog", "/b", M1557, 5);
    add_page(t, "blog", "/c", M1557, 1);
    add_page(t, "blog", "/d", M1557, 4);
    add_page(t, "blog", "/e", M1557, 3);
    p.max_members = 3;
    struct batch *b = build(t, 1, &p);
    apply(b, 1);
    batch_destroy(b);
    for (int d = 0; d < 2; d++) {
        const char *key = d ? K("pages:d:20261126") : K("pages:h:2026112615");
        assert_int_equal(int_cmd("ZCARD %s", key), 4);
        assert_int_equal(zscore(key, "/b"), 5);
        assert_int_equal(zscore(key, "/d"), 4);
        assert_int_equal(zscore(key, "/e"), 3);
        assert_int_equal(zscore(key, "(other)"), 3);
        assert_int_equal(zscore(key, "/a"), -1);
        assert_int_equal(zscore(key, "/c"), -1);
    }

    /* The next flush: a known member, two new ones (the key is full). */
    table_reset(t);
    add_page(t, "blog", "/d", M1558, 1);
    add_page(t, "blog", "/f", M1558, 6);
    add_page(t, "blog", "/a", M1558, 1);
    b = build(t, 2, &p);
    apply(b, 1);
    batch_destroy(b);
    for (int d = 0; d < 2; d++) {
        const char *key = d ? K("pages:d:20261126") : K("pages:h:2026112615");
        assert_int_equal(int_cmd("ZCARD %s", key), 4);
        assert_int_equal(zscore(key, "/d"), 5);
        assert_int_equal(zscore(key, "(other)"), 10);
        assert_int_equal(zscore(key, "/f"), -1);
    }
    /* Counts are exact: the cap moves members, it loses nothing. */
    assert_int_equal(hget(K("tot:d:20261126"), "pageviews"), 23);

    /* Raising the cap lets new members in from the next flush on. */
    p.max_members = 4;
    b = build(t, 3, &p);
    apply(b, 1);
    batch_destroy(b);
    assert_int_equal(zscore(K("pages:d:20261126"), "/f"), 6);
    assert_int_equal(zscore(K("pages:d:20261126"), "(other)"), 11);
    assert_int_equal(int_cmd("ZCARD %s", K("pages:d:20261126")), 5);
    table_destroy(t);
}

/* Calls of a command since the last CONFIG RESETSTAT. */
static long long command_calls(const char *name)
{
    redisReply *r = redisCommand(rs.c, "INFO commandstats");
    char want[64];
    long long calls = 0;
    assert_non_null(r);
    snprintf(want, sizeof want, "cmdstat_%s:calls=", name);
    const char *at = strstr(r->str, want);
    if (at != NULL) {
        calls = strtoll(at + strlen(want), NULL, 10);
    }
    freeReplyObject(r);
    return calls;
}

/*
 * The script writes a sorted set's members in bulk (ZADD into a scratch
 * set, ZUNIONSTORE) or one by one, and both give what ZINCRBY ("z": the
 * counts add up) and ZADD GT ("x": the later time wins) give. One by one
 * when the call has few members, when the set could meet its cap, when
 * the set is more than 4 times the call's members (a rewrite would cost
 * more than it saves), or when the two hold more than 10 000 members.
 * The call is sent by hand: "have" members are in the set, the call
 * brings n members from have / 3 on.
 */
static void test_batch__redis_bulk_members(void **state)
{
    static const struct {
        char type;
        int have, n;
        long long cap;
        int bulk;
    } cases[] = {
        {'z', 0, 40, 100000, 1},  {'z', 30, 40, 100000, 1},
        {'x', 30, 40, 100000, 1}, {'z', 0, 2500, 100000, 1},
        {'z', 200, 40, 100000, 0}, {'x', 200, 40, 100000, 0},
        {'z', 30, 40, 69, 0},      {'z', 30, 40, 70, 1},
        {'z', 0, 3, 100000, 0},    {'z', 0, 4, 100000, 1},
        /* past 10 000 members together: the union would take too long */
        {'z', 7501, 2500, 100000, 0}, {'z', 7500, 2500, 100000, 1},
    };
    const char *key = "bc:{t}:pages:d:20261126";
    (void)state;
    NEED_REDIS();

    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int have = cases[c].have, n = cases[c].n, from = have / 3;
        char type = cases[c].type;
        redisReply *r = redisCommand(rs.c, "FLUSHALL");
        freeReplyObject(r);
        for (int i = 0; i < have; i++) {
            r = redisCommand(rs.c, "ZADD %s %d m%04d", key, 10 * i + 5, i);
            freeReplyObject(r);
        }

        int argc = 14 + 2 * n;
        const char **argv = malloc((size_t)argc * sizeof(*argv));
        char(*num)[24] = malloc((size_t)(4 + 2 * n) * sizeof(*num));
        assert_non_null(argv);
        assert_non_null(num);
        snprintf(num[0], sizeof num[0], "%lld", cases[c].cap);
        snprintf(num[1], sizeof num[1], "%d", n);
        snprintf(num[2], sizeof num[2], "%c", type);
        const char *head[] = {"EVALSHA", rs.sha,  "2",        "bc:{t}:applied:i1",
                              key,       "1",     "0",        "3600",
                              "10",      num[0],  "1",        num[2],
                              "1900000000", num[1]};
        memcpy(argv, head, sizeof head);
        for (int j = 0; j < n; j++) {
            int m = from + j;
            /* odd members later than the stored time, even ones earlier */
            int v = type == 'z' ? m % 7 * 3 + 1 : 10 * m + (m % 2 ? 9 : 1);
            snprintf(num[4 + 2 * j], sizeof num[0], "m%04d", m);
            snprintf(num[5 + 2 * j], sizeof num[0], "%d", v);
            argv[14 + 2 * j] = num[4 + 2 * j];
            argv[15 + 2 * j] = num[5 + 2 * j];
        }
        r = redisCommand(rs.c, "CONFIG RESETSTAT");
        freeReplyObject(r);
        r = redisCommandArgv(rs.c, argc, argv, NULL);
        assert_non_null(r);
        if (r->type == REDIS_REPLY_ERROR) {
            fail_msg("case %zu: %s", c, r->str);
        }
        assert_int_equal(r->integer, 1);
        freeReplyObject(r);
        assert_int_equal(command_calls("zunionstore"), cases[c].bulk);
        assert_int_equal(command_calls("zincrby") + command_calls("zadd"),
                         cases[c].bulk ? (n + 999) / 1000 : n);

        int total = from + n > have ? from + n : have;
        assert_int_equal(int_cmd("ZCARD %s", key), total);
        for (int m = 0; m < total; m++) {
            char member[16];
            long long stored = m < have ? 10 * m + 5 : 0;
            long long sent = m < from || m >= from + n ? 0
                             : type == 'z' ? m % 7 * 3 + 1
                                           : 10 * m + (m % 2 ? 9 : 1);
            long long want = type == 'z'        ? stored + sent
                             : stored > sent ? stored
                                             : sent;
            snprintf(member, sizeof member, "m%04d", m);
            assert_int_equal(zscore(key, member), want);
        }
        assert_int_equal(expiretime(key), 1900000000);
        assert_int_equal(int_cmd("EXISTS %s", "bc:{t}:applied:i1:members"), 0);
        free(argv);
        free(num);
    }
}

/* The database's content but for the applied-keys, which record calls. */
static char *dump_data(void)
{
    redisReply *r = redisCommand(rs.c, "EVAL %s 0", "for _, k in ipairs("
                                 "redis.call('KEYS', '*:applied:*')) do "
                                 "redis.call('DEL', k) end return 0");
    assert_non_null(r);
    freeReplyObject(r);
    return dump_db();
}

/* Sends b->cmds[from..to) and checks each script's answer. */
static void apply_range(const struct batch *b, size_t from, size_t to,
                        long long want)
{
    struct batch part = *b;
    part.cmds = b->cmds + from;
    part.n_cmds = to - from;
    apply(&part, want);
}

/*
 * A batch cut into calls and applied in part (the connection died after
 * call k), then sent again whole: Redis ends as if it had been applied
 * once uncut, for every k. A call whose predecessor was not applied is
 * refused and changes nothing. A mark of an older version ("<seq>")
 * covers every call of that batch.
 */
static void test_batch__redis_calls_resume(void **state)
{
    struct table *t = table_create();
    struct batch_params p = redis_params;
    struct hit h;
    char path[16];
    (void)state;
    NEED_REDIS();

    assert_non_null(t);
    make_hit(&h, "blog", "/x", "news.example", "pageview", "", "", "");
    for (int i = 0; i < 30; i++) {
        snprintf(path, sizeof path, "/p%02d", i);
        add_page(t, "blog", path, M1557 + (uint32_t)(i % 3), 1 + i % 4);
        assert_true(counts_add_hit(t, &h, mobile_firefox,
                                   (const unsigned char *)"0123456789abcdef",
                                   M1557 + (uint32_t)i) >= 0);
    }
    struct batch *whole = build(t, 50, &p);
    assert_int_equal(whole->n_cmds, 2);
    apply(whole, 1);
    char *want = dump_data();

    p.max_call_ops = 7;
    struct batch *b = build(t, 50, &p);
    size_t calls = b->n_cmds - 1;
    assert_true(calls >= 10);
    for (size_t k = 0; k <= calls; k += 3) {
        redisReply *r = redisCommand(rs.c, "FLUSHALL");
        freeReplyObject(r);
        apply_range(b, 0, k, 1);
        apply_range(b, 0, k, 0);
        if (k + 2 <= calls) {
            /* call k+1 before call k: refused, nothing written */
            char *before = dump_db();
            const struct batch_cmd *c = &b->cmds[k + 1];
            const char **argv = malloc((size_t)c->argc * sizeof(*argv));
            assert_non_null(argv);
            memcpy(argv, c->argv, (size_t)c->argc * sizeof(*argv));
            argv[1] = rs.sha;
            size_t *len = malloc((size_t)c->argc * sizeof(*len));
            assert_non_null(len);
            memcpy(len, c->argvlen, (size_t)c->argc * sizeof(*len));
            len[1] = 40;
            r = redisCommandArgv(rs.c, c->argc, argv, len);
            assert_non_null(r);
            assert_int_equal(r->type, REDIS_REPLY_ERROR);
            assert_non_null(strstr(r->str, "was applied"));
            freeReplyObject(r);
            free(argv);
            free(len);
            char *after = dump_db();
            assert_string_equal(after, before);
            free(before);
            free(after);
        }
        /* the retry: the first k calls are repeats, the rest apply */
        apply_range(b, 0, k, 0);
        apply_range(b, k, b->n_cmds, 1);
        char *got = dump_data();
        assert_string_equal(got, want);
        free(got);
    }

    /* An older version's mark: all of batch 50 is in, 51 applies. */
    redisReply *r = redisCommand(rs.c, "FLUSHALL");
    freeReplyObject(r);
    r = redisCommand(rs.c, "SET %s 50", K("applied:i1"));
    freeReplyObject(r);
    apply_range(b, 0, calls, 0);
    assert_int_equal(int_cmd("EXISTS %s", K("tot:d:20261126")), 0);
    struct batch *next = build(t, 51, &p);
    apply(next, 1);
    /* 30 pages counted 1 to 4 times in turn, 30 pageviews of /x */
    assert_int_equal(hget(K("tot:d:20261126"), "pageviews"), 73 + 30);
    assert_int_equal(int_cmd("PFCOUNT %s", K("uv:d:20261126")), 1);
    free(want);
    batch_destroy(next);
    batch_destroy(b);
    batch_destroy(whole);
    table_destroy(t);
}

static void test_batch__redis_two_sites(void **state)
{
    struct table *t = table_create();
    (void)state;
    NEED_REDIS();

    assert_non_null(t);
    add_page(t, "shop", "/cart", M1557, 2);
    add_page(t, "blog", "/a", M1557, 1);
    struct batch *b = build(t, 10, &redis_params);
    assert_int_equal(b->n_cmds, 3);
    apply(b, 1);
    assert_int_equal(int_cmd("SCARD %s", "bc:sites"), 2);
    assert_int_equal(int_cmd("SISMEMBER bc:sites %s", "blog"), 1);
    assert_int_equal(int_cmd("SISMEMBER bc:sites %s", "shop"), 1);
    assert_int_equal(hget("bc:{shop}:tot:d:20261126", "pageviews"), 2);
    assert_int_equal(hget(K("tot:d:20261126"), "pageviews"), 1);
    assert_int_equal(zscore("bc:{shop}:pages:d:20261126", "/cart"), 2);
    redisReply *r = redisCommand(rs.c, "MGET %s %s", K("applied:i1"),
                                 "bc:{shop}:applied:i1");
    assert_non_null(r);
    assert_int_equal(r->elements, 2);
    assert_string_equal(r->element[0]->str, "10:0");
    assert_string_equal(r->element[1]->str, "10:0");
    freeReplyObject(r);
    batch_destroy(b);
    table_destroy(t);
}

/*
 * apply_script.h: a key that another program created with another type is
 * skipped (never written), the rest is applied and recorded, and the reply
 * is minus the number of keys skipped; a retry then changes nothing.
 */
static void test_batch__redis_foreign_type_skipped(void **state)
{
    struct table *t = table_create();
    (void)state;
    NEED_REDIS();

    assert_non_null(t);
    add_page(t, "blog", "/a", M1557, 1);
    redisReply *r =
        redisCommand(rs.c, "SET %s %s", K("pages:h:2026112615"), "not a zset");
    assert_non_null(r);
    freeReplyObject(r);
    r = redisCommand(rs.c, "SADD %s %s", K("tot:d:20261126"), "a set");
    assert_non_null(r);
    freeReplyObject(r);

    struct batch *b = build(t, 1, &redis_params);
    apply(b, -2);

    /* The foreign keys are untouched, everything else applied once. */
    r = redisCommand(rs.c, "GET %s", K("pages:h:2026112615"));
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    assert_string_equal(r->str, "not a zset");
    freeReplyObject(r);
    assert_int_equal(expiretime(K("pages:h:2026112615")), -1);
    assert_int_equal(int_cmd("SCARD %s", K("tot:d:20261126")), 1);
    assert_int_equal(expiretime(K("tot:d:20261126")), -1);
    assert_int_equal(zscore(K("pages:d:20261126"), "/a"), 1);
    assert_int_equal(hget(K("tot:h:2026112615"), "pageviews"), 1);
    assert_int_equal(hget(K("tot:m:202611261557"), "pageviews"), 1);
    assert_int_equal(hget(K("series:d:20261126"), "15"), 1);
    assert_int_equal(zscore(K("br:h:2026112615"), "firefox"), 1);
    assert_int_equal(expiretime(K("pages:d:20261126")), END_D26 + RET_D);
    r = redisCommand(rs.c, "GET %s", K("applied:i1"));
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    assert_string_equal(r->str, "1:0");
    freeReplyObject(r);

    /* The retry of a half-skipped batch is still a no-op. */
    char *before = dump_db();
    apply(b, 0);
    char *after = dump_db();
    assert_string_equal(after, before);
    free(before);
    free(after);
    batch_destroy(b);
    table_destroy(t);
}

/* Areas: pageviews per first path segment, and the day's visitors per
 * area: the first max_areas areas of a site's day get their own
 * HyperLogLog (the index P:{S}:uva:d:<day> lists them), later ones share
 * "(other)", across batches too; a retry changes nothing. */
static void test_batch__redis_areas(void **state)
{
    struct table *t = table_create();
    struct batch_params p = redis_params;
    struct hit h;
    unsigned char v[4][COUNTS_VISITOR_BYTES];
    static const char *const paths[] = {"/", "/blog/2024/x", "/blog", "/shop/a",
                                        "/docs/", "/zoo"};
    (void)state;
    NEED_REDIS();

    assert_non_null(t);
    memset(v, 0, sizeof(v));
    for (int i = 0; i < 4; i++) {
        v[i][0] = (unsigned char)(i + 1);
    }
    p.max_areas = 3;
    /* visitor i sees paths[0..i+1]: "/" and blog 4 visitors (blog two
     * pages), shop 2, docs 1 */
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j <= i + 1 && j < 5; j++) {
            make_hit(&h, "ar", paths[j], "", "pageview", "", "", "");
            assert_true(counts_add_hit(t, &h, mobile_firefox, v[i], M1557) >=
                        0);
        }
    }
    struct batch *b = build(t, 300, &p);
    apply(b, 1);
    assert_int_equal(zscore("bc:{ar}:areas:d:20261126", "/"), 4);
    assert_int_equal(zscore("bc:{ar}:areas:d:20261126", "blog"), 7);
    assert_int_equal(zscore("bc:{ar}:areas:h:2026112615", "shop"), 2);
    assert_int_equal(zscore("bc:{ar}:areas:d:20261126", "docs"), 1);
    /* Three areas in the index, the fourth in (other): which three, when
     * one batch brings more new areas than the index has room for, is
     * not specified (the batch's order is its table's). */
    static const char *const areas[] = {"/", "blog", "shop", "docs"};
    static const unsigned visited_by[] = {0xf, 0xf, 0xc, 0x8}; /* bit i: v[i] */
    int out = -1;
    char key[64];
    assert_int_equal(int_cmd("SCARD %s", "bc:{ar}:uva:d:20261126"), 3);
    for (int i = 0; i < 4; i++) {
        snprintf(key, sizeof(key), "bc:{ar}:uva:d:20261126:%s", areas[i]);
        if (int_cmd("SISMEMBER bc:{ar}:uva:d:20261126 %s", areas[i]) == 1) {
            assert_int_equal(int_cmd("PFCOUNT %s", key),
                             __builtin_popcount(visited_by[i]));
            assert_int_equal(expiretime(key), END_D26 + RET_D);
        } else {
            assert_int_equal(out, -1);
            out = i;
            assert_int_equal(int_cmd("EXISTS %s", key), 0);
        }
    }
    assert_int_not_equal(out, -1);
    assert_int_equal(int_cmd("PFCOUNT %s", "bc:{ar}:uva:d:20261126:(other)"),
                     __builtin_popcount(visited_by[out]));
    assert_int_equal(expiretime("bc:{ar}:uva:d:20261126"), END_D26 + RET_D);
    assert_int_equal(expiretime("bc:{ar}:uva:d:20261126:(other)"),
                     END_D26 + RET_D);

    /* A retry is a no-op. */
    char *before = dump_db();
    apply(b, 0);
    char *after = dump_db();
    assert_string_equal(after, before);
    free(before);
    free(after);
    batch_destroy(b);

    /* A later flush of the same day: a known area keeps its key or
     * (other) (visitor 4 again: no change), a new one goes to (other)
     * (visitor 1 joins it). */
    table_reset(t);
    make_hit(&h, "ar", "/blog/y", "", "pageview", "", "", "");
    assert_true(counts_add_hit(t, &h, mobile_firefox, v[3], M1558) >= 0);
    make_hit(&h, "ar", "/zoo", "", "pageview", "", "", "");
    assert_true(counts_add_hit(t, &h, mobile_firefox, v[0], M1558) >= 0);
    b = build(t, 301, &p);
    apply(b, 1);
    if (out != 1) {
        assert_int_equal(
            int_cmd("PFCOUNT %s", "bc:{ar}:uva:d:20261126:blog"), 4);
    }
    assert_int_equal(int_cmd("PFCOUNT %s", "bc:{ar}:uva:d:20261126:(other)"),
                     __builtin_popcount(visited_by[out] | 0x1));
    assert_int_equal(int_cmd("SCARD %s", "bc:{ar}:uva:d:20261126"), 3);
    assert_int_equal(int_cmd("EXISTS %s", "bc:{ar}:uva:d:20261126:zoo"), 0);
    batch_destroy(b);
    table_destroy(t);
}

/* Visitors: one PFADD key per hour and day, members deduplicated by the
 * HyperLogLog, across minutes and hours, retried without effect. */
static void test_batch__redis_visitors(void **state)
{
    struct table *t = table_create();
    struct hit h;
    unsigned char v[3][COUNTS_VISITOR_BYTES];
    (void)state;

    assert_non_null(t);
    memset(v, 0, sizeof(v));
    for (int i = 0; i < 3; i++) {
        v[i][0] = (unsigned char)(i + 1);
    }
    make_hit(&h, "uvs", "/a", "", "pageview", "", "", "");
    /* visitors 1 and 2 at 15:57, 1 again at 15:58, 3 at 16:01 */
    assert_true(counts_add_hit(t, &h, mobile_firefox, v[0], M1557) >= 0);
    assert_true(counts_add_hit(t, &h, mobile_firefox, v[1], M1557) >= 0);
    assert_true(counts_add_hit(t, &h, mobile_firefox, v[0], M1558) >= 0);
    assert_true(counts_add_hit(t, &h, mobile_firefox, v[2], M1601) >= 0);
    struct batch *b = build(t, 100, &redis_params);
    apply(b, 1);
    assert_int_equal(int_cmd("PFCOUNT %s", "bc:{uvs}:uv:h:2026112615"), 2);
    assert_int_equal(int_cmd("PFCOUNT %s", "bc:{uvs}:uv:h:2026112616"), 1);
    assert_int_equal(int_cmd("PFCOUNT %s", "bc:{uvs}:uv:d:20261126"), 3);
    assert_int_equal(expiretime("bc:{uvs}:uv:h:2026112615"), END_H15 + RET_H);
    assert_int_equal(expiretime("bc:{uvs}:uv:d:20261126"), END_D26 + RET_D);
    assert_int_equal(hget("bc:{uvs}:tot:d:20261126", "pageviews"), 4);
    apply(b, 0);
    assert_int_equal(int_cmd("PFCOUNT %s", "bc:{uvs}:uv:d:20261126"), 3);
    assert_int_equal(hget("bc:{uvs}:tot:d:20261126", "pageviews"), 4);
    batch_destroy(b);
    table_destroy(t);
}

/* A backlog across midnight: many hour buckets and two days in one site's
 * batch (the bucket array grows while buckets are in use). */
static void test_batch__redis_visitors_across_midnight(void **state)
{
    struct table *t = table_create();
    struct hit h;
    unsigned char v[COUNTS_VISITOR_BYTES];
    (void)state;

    assert_non_null(t);
    make_hit(&h, "night", "/n", "", "pageview", "", "", "");
    /* 2026-11-26 15:57 to 2026-11-27 03:57, one visitor per hour */
    for (int i = 0; i < 13; i++) {
        memset(v, 0, sizeof(v));
        v[0] = (unsigned char)i;
        assert_true(counts_add_hit(t, &h, mobile_firefox, v,
                                   M1557 + (uint32_t)(60 * i)) >= 0);
    }
    struct batch *b = build(t, 200, &redis_params);
    apply(b, 1);
    assert_int_equal(int_cmd("PFCOUNT %s", "bc:{night}:uv:d:20261126"), 9);
    assert_int_equal(int_cmd("PFCOUNT %s", "bc:{night}:uv:d:20261127"), 4);
    assert_int_equal(int_cmd("PFCOUNT %s", "bc:{night}:uv:h:2026112623"), 1);
    assert_int_equal(int_cmd("PFCOUNT %s", "bc:{night}:uv:h:2026112703"), 1);
    batch_destroy(b);
    table_destroy(t);
}

/* E-mail opens and clicks: campaign keys, tot buckets, unique openers and
 * clickers, the campaign index with the latest second of activity. */
static void test_batch__redis_mail(void **state)
{
    struct table *t = table_create();
    unsigned char r[3][COUNTS_RECIPIENT_BYTES];
    int64_t t0 = (int64_t)M1557 * 60 + 42; /* 15:57:42 */
    (void)state;

    NEED_REDIS();
    assert_non_null(t);
    memset(r, 0, sizeof(r));
    for (int i = 0; i < 3; i++) {
        r[i][5] = (unsigned char)(i + 1);
    }
    struct counts_mail a = {"news", 4, "spring", 6, r[0]};
    struct counts_mail b = {"news", 4, "spring", 6, r[1]};
    struct counts_mail c = {"news", 4, "spring", 6, r[2]};
    struct counts_mail anon = {"news", 4, "spring", 6, NULL};
    struct counts_mail other = {"news", 4, "autumn", 6, r[0]};
    /* a opens twice as a human, b through a proxy, c's Apple prefetch, a
     * scanner; a clicks hero twice, anonymous clicks foot at 15:58:05 */
    assert_true(counts_add_open(t, &a, COUNTS_OPEN_HUMAN, t0) >= 0);
    assert_true(counts_add_open(t, &a, COUNTS_OPEN_HUMAN, t0 + 1) >= 0);
    assert_true(counts_add_open(t, &b, COUNTS_OPEN_PROXY, t0) >= 0);
    assert_true(counts_add_open(t, &c, COUNTS_OPEN_MACHINE, t0) >= 0);
    assert_true(counts_add_open(t, &c, COUNTS_OPEN_SCANNER, t0) >= 0);
    assert_true(counts_add_click(t, &a, "hero", 4, t0) >= 0);
    assert_true(counts_add_click(t, &a, "hero", 4, t0) >= 0);
    assert_true(counts_add_click(t, &anon, "foot", 4, t0 + 23) >= 0);
    assert_true(counts_add_open(t, &other, COUNTS_OPEN_HUMAN, t0 - 40) >= 0);
    struct batch *bt = build(t, 100, &redis_params);
    apply(bt, 1);

    const char *tot = "bc:{news}:mail:spring:tot";
    assert_int_equal(hget(tot, "opens"), 5);
    assert_int_equal(hget(tot, "opens_human"), 2);
    assert_int_equal(hget(tot, "opens_proxy"), 1);
    assert_int_equal(hget(tot, "opens_machine"), 1);
    assert_int_equal(hget(tot, "opens_scanner"), 1);
    assert_int_equal(hget(tot, "clicks"), 3);
    assert_int_equal(int_cmd("HLEN %s", tot), 6);
    /* uo: the human and the proxy opener, not the machine or scanner */
    assert_int_equal(int_cmd("PFCOUNT %s", "bc:{news}:mail:spring:uo"), 2);
    assert_int_equal(int_cmd("PFCOUNT %s", "bc:{news}:mail:spring:uc"), 1);
    assert_int_equal(int_cmd("PFCOUNT %s", "bc:{news}:mail:autumn:uo"), 1);
    assert_int_equal(zscore("bc:{news}:mail:spring:links", "hero"), 2);
    assert_int_equal(zscore("bc:{news}:mail:spring:links", "foot"), 1);
    assert_int_equal(zscore("bc:{news}:mail:idx", "spring"), t0 + 23);
    assert_int_equal(zscore("bc:{news}:mail:idx", "autumn"), t0 - 40);
    assert_int_equal(hget("bc:{news}:tot:m:202611261557", "opens"), 6);
    assert_int_equal(hget("bc:{news}:tot:m:202611261557", "clicks"), 2);
    assert_int_equal(hget("bc:{news}:tot:m:202611261558", "clicks"), 1);
    assert_int_equal(hget("bc:{news}:tot:h:2026112615", "opens"), 6);
    assert_int_equal(hget("bc:{news}:tot:d:20261126", "clicks"), 3);
    assert_int_equal(hget("bc:{news}:tot:d:20261126", "pageviews"), -1);
    assert_int_equal(expiretime(tot), END_D26 + RET_D);
    assert_int_equal(expiretime("bc:{news}:mail:spring:uo"), END_D26 + RET_D);
    assert_int_equal(expiretime("bc:{news}:mail:spring:links"),
                     END_D26 + RET_D);
    assert_int_equal(expiretime("bc:{news}:mail:idx"), END_D26 + RET_D);
    assert_int_equal(int_cmd("SISMEMBER bc:sites %s", "news"), 1);
    /* a retry changes nothing */
    apply(bt, 0);
    assert_int_equal(hget(tot, "opens"), 5);
    batch_destroy(bt);

    /* A later batch with an older activity does not move the index back. */
    table_reset(t);
    assert_true(counts_add_click(t, &anon, "hero", 4, t0 - 30) >= 0);
    bt = build(t, 101, &redis_params);
    apply(bt, 1);
    assert_int_equal(zscore("bc:{news}:mail:idx", "spring"), t0 + 23);
    assert_int_equal(zscore("bc:{news}:mail:spring:links", "hero"), 3);
    batch_destroy(bt);

    /* Past max_members, the index keeps its first campaigns: of one
     * flush the latest, and drops the others (times have no "(other)"). */
    struct batch_params p3 = redis_params;
    p3.max_members = 2;
    table_reset(t);
    const char *names[4] = {"c-a", "c-b", "c-c", "c-d"};
    for (int i = 0; i < 4; i++) {
        struct counts_mail cm = {"capped", 6, names[i], 3, NULL};
        assert_true(counts_add_click(t, &cm, "l", 1, t0 + i) >= 0);
    }
    bt = build(t, 102, &p3);
    apply(bt, 1);
    assert_int_equal(int_cmd("ZCARD %s", "bc:{capped}:mail:idx"), 2);
    assert_int_equal(zscore("bc:{capped}:mail:idx", "c-d"), t0 + 3);
    assert_int_equal(zscore("bc:{capped}:mail:idx", "c-c"), t0 + 2);
    assert_int_equal(zscore("bc:{capped}:mail:idx", "(other)"), -1);
    batch_destroy(bt);
    table_destroy(t);
}

/* The 16 384 registers of HyperLogLog key (PFDEBUG GETREG). */
static void registers(const char *key, long long out[HLL_REGISTERS])
{
    redisReply *r = redisCommand(rs.c, "PFDEBUG GETREG %s", key);
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, HLL_REGISTERS);
    for (size_t i = 0; i < HLL_REGISTERS; i++) {
        out[i] = r->element[i]->integer;
    }
    freeReplyObject(r);
}

/* The pseudonym of visitor i: 16 bytes, i in the first four. */
static void visitor_of(uint32_t i, unsigned char v[COUNTS_VISITOR_BYTES])
{
    memset(v, 0x5a, COUNTS_VISITOR_BYTES);
    memcpy(v, &i, sizeof i);
}

/*
 * Sketches built by two workers, merged by the flusher and sent as
 * strings (sparse and dense) leave exactly the registers PFADD of the same
 * pseudonyms leaves, so PFCOUNT answers the same to the unit: for sets
 * that stay sparse, that cross SKETCH_SPARSE_MAX, and that are dense, into
 * a new key and into one that holds earlier visitors.
 */
static void test_batch__redis_sketch_equals_pfadd(void **state)
{
    static const uint32_t sizes[] = {1, 7, 300, 513, 20000};
    static long long want[HLL_REGISTERS], got[HLL_REGISTERS];
    struct hit h;
    uint64_t seq = 1;
    uint32_t from = 0;
    (void)state;
    NEED_REDIS();

    make_hit(&h, "eq", "/a", "", "pageview", "", "", "");
    for (size_t n = 0; n < sizeof sizes / sizeof *sizes; n++) {
        struct table *w1 = table_create(), *w2 = table_create();
        struct table *merged = table_create();
        assert_true(w1 && w2 && merged);
        /* visitors [from, from + size): the even ones by worker 1, the odd
         * ones by worker 2, every tenth by both */
        for (uint32_t i = from; i < from + sizes[n]; i++) {
            unsigned char v[COUNTS_VISITOR_BYTES];
            visitor_of(i, v);
            if (i % 2 == 0 || i % 10 == 1) {
                assert_int_equal(table_reserve(w1, COUNTS_MAX_BYTES_PER_HIT),
                                 0);
                assert_true(counts_add_hit(w1, &h, mobile_firefox, v,
                                           M1557) >= 0);
            }
            if (i % 2 == 1) {
                assert_int_equal(table_reserve(w2, COUNTS_MAX_BYTES_PER_HIT),
                                 0);
                assert_true(counts_add_hit(w2, &h, mobile_firefox, v,
                                           M1557) >= 0);
            }
            redisReply *r = redisCommand(rs.c, "PFADD ref %b", v, sizeof v);
            assert_non_null(r);
            freeReplyObject(r);
        }
        from += sizes[n];
        assert_true(table_merge(merged, w1) >= 0);
        assert_true(table_merge(merged, w2) >= 0);
        struct batch *b = build(merged, seq++, &redis_params);
        apply(b, 1);
        batch_destroy(b);

        registers("ref", want);
        registers("bc:{eq}:uv:d:20261126", got);
        assert_memory_equal(got, want, sizeof want);
        assert_int_equal(int_cmd("PFCOUNT %s", "bc:{eq}:uv:d:20261126"),
                         int_cmd("PFCOUNT %s", "ref"));
        registers("bc:{eq}:uv:h:2026112615", got);
        assert_memory_equal(got, want, sizeof want);
        /* the scratch key is gone */
        assert_int_equal(int_cmd("EXISTS %s", "bc:{eq}:applied:i1:sketch"), 0);
        table_destroy(w1);
        table_destroy(w2);
        table_destroy(merged);
    }
}

/* A string that is not a HyperLogLog under a uv key: its merge fails and
 * changes nothing, counts as skipped, and the rest of the batch applies. */
static void test_batch__redis_not_a_hyperloglog(void **state)
{
    struct table *t = table_create();
    struct hit h;
    unsigned char v[COUNTS_VISITOR_BYTES];
    (void)state;
    NEED_REDIS();

    assert_non_null(t);
    visitor_of(1, v);
    make_hit(&h, "blog", "/a", "", "pageview", "", "", "");
    assert_true(counts_add_hit(t, &h, mobile_firefox, v, M1557) >= 0);
    redisReply *r = redisCommand(rs.c, "SET %s %s", K("uv:d:20261126"),
                                 "plain text");
    assert_non_null(r);
    freeReplyObject(r);

    struct batch *b = build(t, 1, &redis_params);
    apply(b, -1);
    r = redisCommand(rs.c, "GET %s", K("uv:d:20261126"));
    assert_non_null(r);
    assert_string_equal(r->str, "plain text");
    freeReplyObject(r);
    assert_int_equal(int_cmd("PFCOUNT %s", K("uv:h:2026112615")), 1);
    assert_int_equal(int_cmd("PFCOUNT %s", K("uva:d:20261126:a")), 1);
    assert_int_equal(hget(K("tot:d:20261126"), "pageviews"), 1);
    batch_destroy(b);
    table_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_batch__redis_visitors_across_midnight,
                               redis_case_setup),
        cmocka_unit_test_setup(test_batch__redis_visitors, redis_case_setup),
        cmocka_unit_test_setup(test_batch__redis_areas, redis_case_setup),
        cmocka_unit_test_setup(test_batch__redis_mail, redis_case_setup),
        cmocka_unit_test(test_batch__argv_exact),
        cmocka_unit_test(test_batch__event_argv),
        cmocka_unit_test(test_batch__empty_table),
        cmocka_unit_test(test_batch__undecodable_key),
        cmocka_unit_test(test_batch__members_by_count),
        cmocka_unit_test(test_batch__area_keys_declared),
        cmocka_unit_test(test_batch__calls_cut),
        cmocka_unit_test(test_batch__two_sites),
        cmocka_unit_test_setup(test_batch__redis_apply, redis_case_setup),
        cmocka_unit_test_setup(test_batch__redis_retry_is_noop,
                               redis_case_setup),
        cmocka_unit_test_setup(test_batch__redis_events_and_hours,
                               redis_case_setup),
        cmocka_unit_test_setup(test_batch__redis_other_cap, redis_case_setup),
        cmocka_unit_test_setup(test_batch__redis_bulk_members,
                               redis_case_setup),
        cmocka_unit_test_setup(test_batch__redis_calls_resume,
                               redis_case_setup),
        cmocka_unit_test_setup(test_batch__redis_two_sites, redis_case_setup),
        cmocka_unit_test_setup(test_batch__redis_foreign_type_skipped,
                               redis_case_setup),
        cmocka_unit_test_setup(test_batch__redis_sketch_equals_pfadd,
                               redis_case_setup),
        cmocka_unit_test_setup(test_batch__redis_not_a_hyperloglog,
                               redis_case_setup),
    };
    return cmocka_run_group_tests(tests, redis_start, redis_teardown);
}
