/*
 * test_cluster_slot.c: key slots against the values a cluster-enabled
 * redis-server 7.0 answered to CLUSTER KEYSLOT, hash tags by the
 * specification's rules, and tables of redirections to accept and to
 * refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/cluster_slot.h"

static void test_cluster_slot__crc16(void **state)
{
    (void)state;
    /* the check value of CRC16/XMODEM */
    assert_int_equal(cluster_crc16("123456789", 9), 0x31c3);
    assert_int_equal(cluster_crc16("", 0), 0);
}

static void test_cluster_slot__key_slots(void **state)
{
    static const struct {
        const char *key;
        unsigned slot;
    } cases[] = {
        {"foo", 12182},
        {"bar", 5061},
        {"hello", 866},
        {"123456789", 12739},
        {"", 0},
        /* the tag alone counts */
        {"{user1000}.following", 3443},
        {"{user1000}.followers", 3443},
        {"bc:{blog}:pages:d:20261126", 7653},
        /* the first '{' and the first '}' after it */
        {"foo{bar}{zap}", 5061},
        {"foo{{bar}}zap", 4015},
        /* an empty tag, or none closed: the whole key */
        {"foo{}{bar}", 8363},
        {"{}", 15257},
        {"{", 4092},
        {"a{b", 13340},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned got = cluster_key_slot(cases[i].key, strlen(cases[i].key));
        if (got != cases[i].slot) {
            fail_msg("%s: slot %u, want %u", cases[i].key, got, cases[i].slot);
        }
    }
}

static void test_cluster_slot__host_port(void **state)
{
    static const struct {
        const char *s;
        int hlen; /* -1: refused */
        const char *host;
        int port;
    } cases[] = {
        {"127.0.0.1:7000", 9, "127.0.0.1", 7000},
        {"::1:7000", 3, "::1", 7000}, /* the last ':' splits */
        {":6380", 0, "", 6380},       /* "the node you asked" */
        {"redis-a.local:1", 13, "redis-a.local", 1},
        {"h:65535", 1, "h", 65535},
        {"h:65536", -1, NULL, 0},
        {"h:0", -1, NULL, 0},
        {"h:", -1, NULL, 0},
        {"h", -1, NULL, 0},
        {"h:70a", -1, NULL, 0},
        {"h:+7", -1, NULL, 0},
        {"", -1, NULL, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char host[CLUSTER_HOST_MAX + 1] = "unchanged";
        int port = -1;
        int got = cluster_parse_host_port(cases[i].s, strlen(cases[i].s), host,
                                          &port);
        if (got != cases[i].hlen) {
            fail_msg("\"%s\": %d, not %d", cases[i].s, got, cases[i].hlen);
        }
        assert_string_equal(host, got >= 0 ? cases[i].host : "unchanged");
        assert_int_equal(port, got >= 0 ? cases[i].port : -1);
    }
    /* the host's limit */
    char long_host[CLUSTER_HOST_MAX + 8], host[CLUSTER_HOST_MAX + 1];
    int port;
    memset(long_host, 'h', CLUSTER_HOST_MAX);
    memcpy(long_host + CLUSTER_HOST_MAX, ":1", 3);
    assert_int_equal(
        cluster_parse_host_port(long_host, strlen(long_host), host, &port),
        CLUSTER_HOST_MAX);
    memset(long_host, 'h', CLUSTER_HOST_MAX + 1);
    memcpy(long_host + CLUSTER_HOST_MAX + 1, ":1", 3);
    assert_int_equal(
        cluster_parse_host_port(long_host, strlen(long_host), host, &port), -1);
}

static void test_cluster_slot__redirects(void **state)
{
    static const struct {
        const char *err;
        enum cluster_redirect_kind kind;
        unsigned slot;
        const char *host;
        int port;
    } cases[] = {
        {"MOVED 3999 127.0.0.1:6381", CLUSTER_MOVED, 3999, "127.0.0.1", 6381},
        {"ASK 16383 10.0.0.7:7000", CLUSTER_ASK, 16383, "10.0.0.7", 7000},
        {"MOVED 0 ::1:7002", CLUSTER_MOVED, 0, "::1", 7002},
        {"MOVED 12 redis-3.example:6379", CLUSTER_MOVED, 12, "redis-3.example",
         6379},
        /* the node did not say its address: the one asked */
        {"MOVED 7 :7001", CLUSTER_MOVED, 7, "", 7001},
        /* refused: other errors and malformed redirections */
        {"ERR unknown command", CLUSTER_NO_REDIRECT, 0, "", 0},
        {"TRYAGAIN Multiple keys request during rehashing of slot",
         CLUSTER_NO_REDIRECT, 0, "", 0},
        {"CLUSTERDOWN The cluster is down", CLUSTER_NO_REDIRECT, 0, "", 0},
        {"MOVED", CLUSTER_NO_REDIRECT, 0, "", 0},
        {"MOVED 16384 127.0.0.1:6379", CLUSTER_NO_REDIRECT, 0, "", 0},
        {"MOVED -1 127.0.0.1:6379", CLUSTER_NO_REDIRECT, 0, "", 0},
        {"MOVED 1 127.0.0.1", CLUSTER_NO_REDIRECT, 0, "", 0},
        {"MOVED 1 127.0.0.1:", CLUSTER_NO_REDIRECT, 0, "", 0},
        {"MOVED 1 127.0.0.1:0", CLUSTER_NO_REDIRECT, 0, "", 0},
        {"MOVED 1 127.0.0.1:65536", CLUSTER_NO_REDIRECT, 0, "", 0},
        {"MOVED 1 127.0.0.1:63a", CLUSTER_NO_REDIRECT, 0, "", 0},
        {"MOVED 1 127.0.0.1:6379 x", CLUSTER_NO_REDIRECT, 0, "", 0},
        {"MOVED 1  127.0.0.1:6379", CLUSTER_NO_REDIRECT, 0, "", 0},
        {"moved 1 127.0.0.1:6379", CLUSTER_NO_REDIRECT, 0, "", 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cluster_redirect r;
        enum cluster_redirect_kind k =
            cluster_parse_redirect(cases[i].err, strlen(cases[i].err), &r);
        if (k != cases[i].kind || r.kind != k) {
            fail_msg("%s: kind %d, want %d", cases[i].err, k, cases[i].kind);
        }
        if (k != CLUSTER_NO_REDIRECT) {
            assert_int_equal(r.slot, cases[i].slot);
            assert_string_equal(r.host, cases[i].host);
            assert_int_equal(r.port, cases[i].port);
        }
    }
}

/* A host past CLUSTER_HOST_MAX is refused, one at it accepted; only len
 * bytes are read. */
static void test_cluster_slot__redirect_limits(void **state)
{
    char err[CLUSTER_HOST_MAX + 64];
    struct cluster_redirect r;
    (void)state;

    memcpy(err, "ASK 5 ", 6);
    memset(err + 6, 'h', CLUSTER_HOST_MAX);
    memcpy(err + 6 + CLUSTER_HOST_MAX, ":6379", 5);
    size_t len = 6 + CLUSTER_HOST_MAX + 5;
    assert_int_equal(cluster_parse_redirect(err, len, &r), CLUSTER_ASK);
    assert_int_equal(strlen(r.host), CLUSTER_HOST_MAX);
    memmove(err + 7, err + 6, len - 6);
    assert_int_equal(cluster_parse_redirect(err, len + 1, &r),
                     CLUSTER_NO_REDIRECT);
    /* "MOVED 3999 127.0.0.1:6381" cut before its port's last digit */
    assert_int_equal(
        cluster_parse_redirect("MOVED 3999 127.0.0.1:6381", 24, &r),
        CLUSTER_MOVED);
    assert_int_equal(r.port, 638);
}

static void test_cluster_slot__seeds(void **state)
{
    struct cluster_seed seeds[CLUSTER_SEEDS_MAX];
    char err[128];
    (void)state;

    assert_int_equal(
        cluster_parse_seeds("127.0.0.1:7001", seeds, err, sizeof err), 1);
    assert_string_equal(seeds[0].host, "127.0.0.1");
    assert_int_equal(seeds[0].port, 7001);
    assert_int_equal(cluster_parse_seeds(" a.example:1 ,[::1]:7002,\tb:65535 ",
                                         seeds, err, sizeof err),
                     3);
    assert_string_equal(seeds[0].host, "a.example");
    assert_int_equal(seeds[0].port, 1);
    assert_string_equal(seeds[1].host, "::1");
    assert_int_equal(seeds[1].port, 7002);
    assert_string_equal(seeds[2].host, "b");
    assert_int_equal(seeds[2].port, 65535);

    static const char *const bad[] = {
        "",         " ",          "host",     "host:",   ":7000",
        "host:0",   "host:65536", "host:70a", "a:1,",    ",a:1",
        "a:1,,b:2", "[::1:7000",  "[]:7000",  "a b:1:x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        if (cluster_parse_seeds(bad[i], seeds, err, sizeof err) != -1) {
            fail_msg("\"%s\" accepted", bad[i]);
        }
        assert_non_null(strstr(err, "is not host:port"));
    }
    char many[512] = "";
    for (int i = 0; i <= CLUSTER_SEEDS_MAX; i++) {
        char one[16];
        snprintf(one, sizeof one, "%sh:%d", i ? "," : "", 7000 + i);
        strcat(many, one);
    }
    assert_int_equal(cluster_parse_seeds(many, seeds, err, sizeof err), -1);
    assert_string_equal(err, "more than 16 nodes");
    *strrchr(many, ',') = '\0';
    assert_int_equal(cluster_parse_seeds(many, seeds, err, sizeof err),
                     CLUSTER_SEEDS_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cluster_slot__crc16),
        cmocka_unit_test(test_cluster_slot__key_slots),
        cmocka_unit_test(test_cluster_slot__host_port),
        cmocka_unit_test(test_cluster_slot__redirects),
        cmocka_unit_test(test_cluster_slot__redirect_limits),
        cmocka_unit_test(test_cluster_slot__seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
