/*
 * test_config.c: the configuration (SPEC 8): every value parser against
 * tables of must-accept and must-reject inputs, config_set per key, the
 * INI file with its errors at FILE:LINE, validation, and the defaults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_parse.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define KIB (1ULL << 10)
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define EXAMPLE "deploy/beacond.conf.example"

#define HEX64 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define B64_32 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define B64URL_32 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

struct num_case {
    const char *in;
    uint64_t want;
};

/* ---- sizes, durations, booleans, log levels ---------------------------- */

static void test_config__size_accepts(void **state)
{
    static const struct num_case ok[] = {
        {"0", 0},
        {"1", 1},
        {"007", 7},
        {"1B", 1},
        {"0B", 0},
        {"8KiB", 8 * KIB},
        {"64MiB", 64 * MIB},
        {"1GiB", GIB},
        {"18446744073709551615", UINT64_MAX},
        {"18446744073709551615B", UINT64_MAX},
        {"17179869183GiB", 17179869183ULL * GIB},
    };
    (void)state;
    for (size_t i = 0; i < N(ok); i++) {
        uint64_t v = 0;
        if (config_parse_size(ok[i].in, &v) != 0 || v != ok[i].want) {
            fail_msg("size '%s' not accepted as %llu", ok[i].in,
                     (unsigned long long)ok[i].want);
        }
    }
}

static void test_config__size_rejects(void **state)
{
    static const char *const bad[] = {
        "",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1 KiB",
        "1KB",
        "1kib",
        "1K",
        "1k",
        "1MB",
        "1TiB",
        "1.5MiB",
        "1,5KiB",
        "KiB",
        "B",
        "0x10",
        "1B2",
        "18446744073709551616",
        "17179869184GiB",
        "99999999999999999999",
        "1iB",
        "1KiBB",
    };
    (void)state;
    for (size_t i = 0; i < N(bad); i++) {
        uint64_t v = 42;
        if (config_parse_size(bad[i], &v) != -1) {
            fail_msg("size '%s' accepted", bad[i]);
        }
        assert_int_equal(v, 42);
    }
}

static void test_config__duration_accepts(void **state)
{
    static const struct num_case ok[] = {
        {"0ms", 0},       {"1ms", 1},
        {"1500ms", 1500}, {"10s", 10000},
        {"1m", 60000},    {"2h", 7200000},
        {"1d", 86400000}, {"400d", 34560000000ULL},
        {"0s", 0},        {"18446744073709551615ms", UINT64_MAX},
    };
    (void)state;
    for (size_t i = 0; i < N(ok); i++) {
        uint64_t v = 0;
        if (config_parse_duration_ms(ok[i].in, &v) != 0 || v != ok[i].want) {
            fail_msg("duration '%s' not accepted as %llu", ok[i].in,
                     (unsigned long long)ok[i].want);
        }
    }
}

static void test_config__duration_rejects(void **state)
{
    static const char *const bad[] = {
        "",
        "10",
        "0",
        "-1s",
        "+1s",
        "1.5s",
        "10 s",
        " 10s",
        "10s ",
        "10S",
        "10sec",
        "10ss",
        "1h30m",
        "s",
        "ms",
        "1w",
        "1y",
        "1us",
        "18446744073709551615s",
        "213503982335d",
        "0x10s",
    };
    (void)state;
    for (size_t i = 0; i < N(bad); i++) {
        uint64_t v = 42;
        if (config_parse_duration_ms(bad[i], &v) != -1) {
            fail_msg("duration '%s' accepted", bad[i]);
        }
        assert_int_equal(v, 42);
    }
}

static void test_config__duration_plain_number_asks_for_unit(void **state)
{
    const char *why = NULL;
    uint64_t v;

    (void)state;
    assert_int_equal(config_parse_duration_ms_why("10", &v, &why), -1);
    assert_non_null(strstr(why, "unit"));
}

static void test_config__bool_table(void **state)
{
    static const struct {
        const char *in;
        int want;
    } ok[] = {
        {"yes", 1}, {"no", 0}, {"true", 1}, {"false", 0}, {"on", 1},
        {"off", 0}, {"1", 1},  {"0", 0},    {"YES", 1},   {"False", 0},
    };
    static const char *const bad[] = {
        "", "y", "n", "2", "-1", "yes ", " no", "enable", "nope", "01",
    };
    (void)state;
    for (size_t i = 0; i < N(ok); i++) {
        int v = -1;
        if (config_parse_bool(ok[i].in, &v) != 0 || v != ok[i].want) {
            fail_msg("bool '%s' not accepted", ok[i].in);
        }
    }
    for (size_t i = 0; i < N(bad); i++) {
        int v = -1;
        if (config_parse_bool(bad[i], &v) != -1) {
            fail_msg("bool '%s' accepted", bad[i]);
        }
    }
}

static void test_config__log_level_table(void **state)
{
    static const struct {
        const char *in;
        enum log_level want;
    } ok[] = {
        {"debug", LOG_DEBUG}, {"info", LOG_INFO}, {"warn", LOG_WARN},
        {"error", LOG_ERROR}, {"INFO", LOG_INFO},
    };
    static const char *const bad[] = {
        "", "warning", "trace", "err", "fatal", "info ", "0",
    };
    (void)state;
    for (size_t i = 0; i < N(ok); i++) {
        enum log_level l = LOG_ERROR;
        if (config_parse_log_level(ok[i].in, &l) != 0 || l != ok[i].want) {
            fail_msg("log level '%s' not accepted", ok[i].in);
        }
    }
    for (size_t i = 0; i < N(bad); i++) {
        enum log_level l;
        if (config_parse_log_level(bad[i], &l) != -1) {
            fail_msg("log level '%s' accepted", bad[i]);
        }
    }
}

/* ---- addresses ----------------------------------------------------------- */

static int port_of(const struct config_addr *a)
{
    if (a->sa.ss_family == AF_INET6) {
        return ntohs(((const struct sockaddr_in6 *)&a->sa)->sin6_port);
    }
    return ntohs(((const struct sockaddr_in *)&a->sa)->sin_port);
}

static void test_config__addr_accepts(void **state)
{
    static const struct {
        const char *in;
        int family;
        int port;
        const char *text;
    } ok[] = {
        {"127.0.0.1:8080", AF_INET, 8080, "127.0.0.1:8080"},
        {"0.0.0.0:80", AF_INET, 80, "0.0.0.0:80"},
        {"10.1.2.3:1", AF_INET, 1, "10.1.2.3:1"},
        {"10.1.2.3:65535", AF_INET, 65535, "10.1.2.3:65535"},
        {"[::1]:8080", AF_INET6, 8080, "[::1]:8080"},
        {"[::]:8080", AF_INET6, 8080, "[::]:8080"},
        {"[0:0::1]:443", AF_INET6, 443, "[::1]:443"},
        {"[2001:DB8::1]:80", AF_INET6, 80, "[2001:db8::1]:80"},
        {"[::ffff:1.2.3.4]:80", AF_INET6, 80, "[::ffff:1.2.3.4]:80"},
        {"127.0.0.1:00080", AF_INET, 80, "127.0.0.1:80"},
    };
    (void)state;
    for (size_t i = 0; i < N(ok); i++) {
        struct config_addr a;
        if (config_parse_addr(ok[i].in, &a) != 0) {
            fail_msg("address '%s' rejected", ok[i].in);
        }
        assert_int_equal(a.sa.ss_family, ok[i].family);
        assert_int_equal(port_of(&a), ok[i].port);
        assert_string_equal(a.text, ok[i].text);
        assert_int_equal(a.salen, ok[i].family == AF_INET
                                      ? sizeof(struct sockaddr_in)
                                      : sizeof(struct sockaddr_in6));
    }
}

static void test_config__addr_rejects(void **state)
{
    static const char *const bad[] = {
        "",
        "127.0.0.1",
        "127.0.0.1:",
        "127.0.0.1:0",
        "127.0.0.1:65536",
        "127.0.0.1:999999",
        "127.0.0.1:-1",
        "127.0.0.1:+80",
        "127.0.0.1:80x",
        "127.0.0.1: 80",
        " 127.0.0.1:80",
        "127.0.0.1:80 ",
        "localhost:8080",
        "example.com:80",
        "::1:8080",
        "::1",
        "[::1]",
        "[::1]:",
        "[::1]8080",
        "[::1:8080",
        "[]:80",
        "[127.0.0.1]:80",
        "[fe80::1%eth0]:80",
        "[::1]:80:80",
        "256.0.0.1:80",
        "127.1:80",
        "01.2.3.4:80",
        ":8080",
        "*:8080",
        "127.0.0.1:80,127.0.0.1:81",
    };
    (void)state;
    for (size_t i = 0; i < N(bad); i++) {
        struct config_addr a;
        if (config_parse_addr(bad[i], &a) != -1) {
            fail_msg("address '%s' accepted", bad[i]);
        }
    }
}

static void test_config__addr_list_accepts(void **state)
{
    struct config_addr_list l;
    char many[1024] = "";

    (void)state;
    assert_int_equal(config_parse_addr_list("127.0.0.1:8080, [::1]:8080", &l),
                     0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.addr[0].text, "127.0.0.1:8080");
    assert_string_equal(l.addr[1].text, "[::1]:8080");

    assert_int_equal(config_parse_addr_list("127.0.0.1:1,127.0.0.1:2", &l), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(
        config_parse_addr_list("  127.0.0.1:1 ,\t127.0.0.1:2  ", &l), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.addr[1].text, "127.0.0.1:2");

    for (int i = 0; i < CONFIG_MAX_ADDRS; i++) {
        char one[32];
        snprintf(one, sizeof(one), "%s127.0.0.1:%d", i ? ", " : "", 100 + i);
        strcat(many, one);
    }
    assert_int_equal(config_parse_addr_list(many, &l), 0);
    assert_int_equal(l.n, CONFIG_MAX_ADDRS);
}

static void test_config__addr_list_rejects(void **state)
{
    static const char *const bad[] = {
        "",
        " ",
        ",",
        "127.0.0.1:1,",
        ",127.0.0.1:1",
        "127.0.0.1:1,,127.0.0.1:2",
        "127.0.0.1:1, ,127.0.0.1:2",
        "127.0.0.1:1;127.0.0.1:2",
        "127.0.0.1:1 127.0.0.1:2",
        "127.0.0.1:1, 127.0.0.1:1",
        "[::1]:1, [0::1]:1",
        "127.0.0.1:1, localhost:2",
    };
    struct config_addr_list l;
    char many[1024] = "";

    (void)state;
    for (size_t i = 0; i < N(bad); i++) {
        if (config_parse_addr_list(bad[i], &l) != -1) {
            fail_msg("address list '%s' accepted", bad[i]);
        }
        assert_int_equal(l.n, 0);
    }
    for (int i = 0; i <= CONFIG_MAX_ADDRS; i++) {
        char one[32];
        snprintf(one, sizeof(one), "%s127.0.0.1:%d", i ? "," : "", 100 + i);
        strcat(many, one);
    }
    assert_int_equal(config_parse_addr_list(many, &l), -1);
}

/* ---- Redis URL ----------------------------------------------------------- */

static void test_config__redis_url_accepts(void **state)
{
    static const struct {
        const char *in;
        const char *host;
        int port;
        const char *unix_path;
        const char *password;
        int db;
        const char *text;
    } ok[] = {
        {"redis://127.0.0.1:6379/0", "127.0.0.1", 6379, "", "", 0,
         "redis://127.0.0.1:6379/0"},
        {"redis://localhost", "localhost", 6379, "", "", 0,
         "redis://localhost"},
        {"redis://localhost:6380", "localhost", 6380, "", "", 0,
         "redis://localhost:6380"},
        {"redis://localhost/3", "localhost", 6379, "", "", 3,
         "redis://localhost/3"},
        {"redis://localhost:1/", "localhost", 1, "", "", 0,
         "redis://localhost:1/"},
        {"redis://:secret@10.0.0.2:6379/2", "10.0.0.2", 6379, "", "secret", 2,
         "redis://:***@10.0.0.2:6379/2"},
        {"redis://:p%40ss%2Fw@h:1", "h", 1, "", "p@ss/w", 0,
         "redis://:***@h:1"},
        {"redis://:a:b@h", "h", 6379, "", "a:b", 0, "redis://:***@h"},
        {"redis://[::1]:6379/1", "::1", 6379, "", "", 1,
         "redis://[::1]:6379/1"},
        {"redis://[::1]", "::1", 6379, "", "", 0, "redis://[::1]"},
        {"redis://my-redis_1.internal:7000", "my-redis_1.internal", 7000, "",
         "", 0, "redis://my-redis_1.internal:7000"},
        {"REDIS://h:2", "h", 2, "", "", 0, "redis://h:2"},
        {"unix:///run/redis/redis.sock", "", 0, "/run/redis/redis.sock", "", 0,
         "unix:///run/redis/redis.sock"},
        {"unix:///tmp/r.sock?db=4", "", 0, "/tmp/r.sock", "", 4,
         "unix:///tmp/r.sock?db=4"},
    };
    (void)state;
    for (size_t i = 0; i < N(ok); i++) {
        struct config_redis_url u;
        if (config_parse_redis_url(ok[i].in, &u) != 0) {
            fail_msg("redis URL '%s' rejected", ok[i].in);
        }
        assert_string_equal(u.host, ok[i].host);
        assert_int_equal(u.port, ok[i].port);
        assert_string_equal(u.unix_path, ok[i].unix_path);
        assert_string_equal(u.password, ok[i].password);
        assert_int_equal(u.db, ok[i].db);
        assert_string_equal(u.text, ok[i].text);
    }
}

static void test_config__redis_url_rejects(void **state)
{
    static const char *const bad[] = {
        "",
        "127.0.0.1:6379",
        "localhost",
        "http://localhost:6379",
        "rediss://localhost:6379",
        "redis://",
        "redis:///0",
        "redis://:6379",
        "redis://h:",
        "redis://h:0",
        "redis://h:65536",
        "redis://h:x",
        "redis://h:1/x",
        "redis://h:1/-1",
        "redis://h:1/0/1",
        "redis://h:1/99999999999",
        "redis://h:1?db=2",
        "redis://h h:1",
        "redis://-h:1",
        "redis://user:pw@h",
        "redis://pw@h",
        "redis://:@h",
        "redis://:p%4@h",
        "redis://:p%zz@h",
        "redis://:p%00@h",
        "redis://[::1",
        "redis://[zz]:1",
        "redis://[::1]x",
        "redis://[]:1",
        "unix://",
        "unix://relative.sock",
        "unix:///tmp/r.sock?foo=1",
        "unix:///tmp/r.sock?db=x",
        "unix:///tmp/r.sock?db=",
        ("unix:///aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock"),
    };
    (void)state;
    for (size_t i = 0; i < N(bad); i++) {
        struct config_redis_url u;
        if (config_parse_redis_url(bad[i], &u) != -1) {
            fail_msg("redis URL '%s' accepted", bad[i]);
        }
        assert_string_equal(u.password, "");
    }
}

/* ---- CIDR lists and keys --------------------------------------------- */

static void test_config__cidr_list_table(void **state)
{
    static const char *const ok[] = {
        "",
        " ",
        "10.0.0.0/8",
        "10.0.0.0/8, 192.168.0.1",
        "::1/128,fd00::/8",
        "0.0.0.0/0",
        "::/0",
        "17.0.0.0/8",
        "10.0.0.1/32",
    };
    static const char *const bad[] = {
        "10.0.0.0/33",  "::/129",
        "10.0.0.0/",    "10/8",
        "a.b.c.d/8",    "10.0.0.0/8,",
        ",10.0.0.0/8",  "10.0.0.0/-1",
        "/8",           "10.0.0.0/8/8",
        "10.0.0.0/08x", "10.0.0.0 /8",
        "localhost",    "10.0.0.0/8;10.0.0.1",
        "[::1]/128",
    };
    const char *why;

    (void)state;
    for (size_t i = 0; i < N(ok); i++) {
        if (config_parse_cidr_list_why(ok[i], &why) != 0) {
            fail_msg("CIDR list '%s' rejected: %s", ok[i], why);
        }
    }
    for (size_t i = 0; i < N(bad); i++) {
        if (config_parse_cidr_list_why(bad[i], &why) != -1) {
            fail_msg("CIDR list '%s' accepted", bad[i]);
        }
    }
}

static void test_config__key_decodes_hex_and_base64(void **state)
{
    static const char *const ok32[] = {HEX64, B64_32, B64URL_32};
    static const char *const bad[] = {"", "!!!!", "A", "AAAAA", "zz zz"};
    uint8_t key[CONFIG_KEY_MAX];
    size_t len;
    const char *why;

    (void)state;
    for (size_t i = 0; i < N(ok32); i++) {
        if (config_parse_key_why(ok32[i], strlen(ok32[i]), key, &len, &why) !=
            0) {
            fail_msg("key '%s' rejected: %s", ok32[i], why);
        }
        assert_int_equal(len, 32);
        for (size_t j = 0; j < 32; j++) {
            assert_int_equal(key[j], j);
        }
    }
    for (size_t i = 0; i < N(bad); i++) {
        if (config_parse_key_why(bad[i], strlen(bad[i]), key, &len, &why) !=
            -1) {
            fail_msg("key '%s' accepted", bad[i]);
        }
    }
}

static void test_config__link_keys_table(void **state)
{
    static const char *const ok[] = {
        "",
        "k1:" HEX64,
        "k1:" HEX64 ", k2:" B64_32,
        "2024-01.a_b:" B64URL_32,
    };
    static const char *const bad[] = {
        "k1",
        ":" HEX64,
        "k1:",
        "k1:0001",
        "k1:" HEX64 ", k1:" B64_32,
        "bad id:" HEX64,
        "k1:" HEX64 ",",
        "k1:" HEX64 " k2:" HEX64,
        "abcdefghijklmnopqrstuvwxyz0123456:" HEX64,
    };
    const char *why;

    (void)state;
    for (size_t i = 0; i < N(ok); i++) {
        if (config_parse_link_keys_why(ok[i], &why) != 0) {
            fail_msg("link_keys '%s' rejected: %s", ok[i], why);
        }
    }
    for (size_t i = 0; i < N(bad); i++) {
        if (config_parse_link_keys_why(bad[i], &why) != -1) {
            fail_msg("link_keys '%s' accepted", bad[i]);
        }
    }
}

static void test_config__link_key_lookup(void **state)
{
    static struct config c;
    unsigned char key[CONFIG_KEY_MAX];
    size_t len = 0;
    char id[33];
    char err[CONFIG_ERR_LEN];

    (void)state;
    config_defaults(&c);
    assert_int_equal(config_first_link_key_id(&c, id, sizeof(id)), -1);
    assert_int_equal(config_link_key(&c, "k1", key, &len), -1);
    assert_int_equal(config_set(&c, "mail", "link_keys",
                                " k1:" HEX64 " ,  k.2:" B64_32 " ", err,
                                sizeof(err)),
                     0);
    assert_int_equal(config_first_link_key_id(&c, id, sizeof(id)), 0);
    assert_string_equal(id, "k1");
    assert_int_equal(config_first_link_key_id(&c, id, 2), -1);
    assert_int_equal(config_first_link_key_id(&c, id, 3), 0);
    assert_int_equal(config_link_key(&c, "k1", key, &len), 0);
    assert_int_equal(len, 32);
    for (size_t i = 0; i < 32; i++) {
        assert_int_equal(key[i], i);
    }
    memset(key, 0, sizeof(key));
    assert_int_equal(config_link_key(&c, "k.2", key, &len), 0);
    assert_int_equal(len, 32);
    for (size_t i = 0; i < 32; i++) {
        assert_int_equal(key[i], i);
    }
    assert_int_equal(config_link_key(&c, "k", key, &len), -1);
    assert_int_equal(config_link_key(&c, "k11", key, &len), -1);
    assert_int_equal(config_link_key(&c, "", key, &len), -1);
}

/* ---- config_set, key by key --------------------------------------------- */

struct set_case {
    const char *section;
    const char *key;
    const char *value;
};

static void test_config__set_accepts(void **state)
{
    static const struct set_case ok[] = {
        {"server", "listen", "0.0.0.0:80, [::]:80"},
        {"server", "admin", "[::1]:9000"},
        {"server", "workers", "0"},
        {"server", "workers", "256"},
        {"server", "data_dir", "/var/lib/beacond"},
        {"server", "instance_id", "eu-1:8080"},
        {"server", "instance_id", ""},
        {"server", "max_connections", "1"},
        {"server", "header_timeout", "1ms"},
        {"server", "idle_timeout", "1d"},
        {"server", "drain_timeout", "0s"},
        {"server", "log_level", "warn"},
        {"server", "trusted_proxies", "10.0.0.0/8, ::1"},
        {"server", "trusted_proxies", ""},
        {"server", "cookie_secure", "on"},
        {"server", "public_url", "https://t.example.com"},
        {"server", "public_url", "http://[::1]:8080/beacon/"},
        {"server", "public_url", ""},
        {"server", "ingest_syslog", "127.0.0.1:5140"},
        {"server", "ingest_syslog", ""},
        {"server", "ingest_syslog", "127.0.0.1:5140, [::1]:5140"},
        {"server", "ingest_syslog_tcp", "yes"},
        {"server", "ingest_skip_ext", "css, .JS png"},
        {"server", "ingest_skip_ext", ""},
        {"redis", "url", "unix:///run/redis.sock"},
        {"redis", "cluster", "10.0.0.1:7000,10.0.0.2:7000"},
        {"redis", "key_prefix", "a.b_c-D9"},
        {"redis", "key_prefix", "1234567890123456789012345678901"},
        {"redis", "flush_interval", "10ms"},
        {"redis", "max_keys", "1"},
        {"redis", "max_members", "10000000"},
        {"redis", "backlog_max_bytes", "64KiB"},
        {"redis", "wal_fsync", "always"},
        {"redis", "wal_fsync", "never"},
        {"redis", "wal_segment_bytes", "4KiB"},
        {"privacy", "honor_dnt", "false"},
        {"privacy", "honor_gpc", "0"},
        {"privacy", "salt_store", "memory"},
        {"privacy", "bot_patterns", "/etc/beacond/bots.txt"},
        {"mail", "recipient_key", HEX64},
        {"mail", "recipient_key", B64_32},
        {"mail", "recipient_key", ""},
        {"mail", "link_keys", "a:" HEX64 ", b:" B64URL_32},
        {"mail", "mail_proxy_cidrs", ""},
        {"mail", "image_proxy_agents", "GoogleImageProxy"},
        {"limits", "max_request_line", "256B"},
        {"limits", "max_request_line", "1MiB"},
        {"limits", "max_header_bytes", "1KiB"},
        {"limits", "max_header_bytes", "1048576"},
        {"limits", "max_headers", "1"},
        {"limits", "max_body", "1"},
        {"limits", "body_timeout", "1ms"},
        {"limits", "body_timeout", "1d"},
        {"limits", "max_inflated_body", "1GiB"},
        {"limits", "max_batch_events", "1"},
        {"retention", "minute", "1s"},
        {"retention", "hour", "3650d"},
        {"retention", "day", "2000ms"},
        {"sites", "WWW.Example.com", "example"},
    };
    char err[CONFIG_ERR_LEN];

    (void)state;
    for (size_t i = 0; i < N(ok); i++) {
        struct config c;
        config_defaults(&c);
        if (config_set(&c, ok[i].section, ok[i].key, ok[i].value, err,
                       sizeof(err)) != 0) {
            fail_msg("[%s] %s = '%s' rejected: %s", ok[i].section, ok[i].key,
                     ok[i].value, err);
        }
    }
}

static void test_config__set_rejects(void **state)
{
    static const struct set_case bad[] = {
        {"server", "listen", ""},
        {"server", "listen", "localhost:80"},
        {"server", "admin", "127.0.0.1"},
        {"server", "workers", "257"},
        {"server", "workers", "-1"},
        {"server", "workers", "4x"},
        {"server", "workers", "99999999999999999999"},
        {"server", "data_dir", ""},
        {"server", "data_dir", "a\tb"},
        {"server", "instance_id", "has space"},
        {"server", "instance_id", "a/b"},
        {"server", "max_connections", "0"},
        {"server", "max_connections", "1000001"},
        {"server", "header_timeout", "10"},
        {"server", "header_timeout", "0s"},
        {"server", "header_timeout", "2d"},
        {"server", "idle_timeout", "-1s"},
        {"server", "drain_timeout", "2h"},
        {"server", "log_level", "verbose"},
        {"server", "trusted_proxies", "10.0.0.0/33"},
        {"server", "cookie_secure", "maybe"},
        {"server", "public_url", "example.com"},
        {"server", "public_url", "ftp://example.com"},
        {"server", "public_url", "http://"},
        {"server", "public_url", "http://a b"},
        {"server", "ingest_syslog", "localhost:514"},
        {"server", "ingest_skip_ext", "c$s"},
        {"redis", "url", "localhost:6379"},
        {"redis", "cluster", "10.0.0.1"},
        {"redis", "cluster", "10.0.0.1:7000,"},
        {"redis", "cluster", "a:1,b:0"},
        {"redis", "min_replicas_ack", "17"},
        {"redis", "min_replicas_ack", "-1"},
        {"redis", "min_replicas_ack", "some"},
        {"redis", "key_prefix", ""},
        {"redis", "key_prefix", "a:b"},
        {"redis", "key_prefix", "{bc}"},
        {"redis", "key_prefix", "12345678901234567890123456789012"},
        {"redis", "flush_interval", "9ms"},
        {"redis", "flush_interval", "1"},
        {"redis", "max_keys", "0"},
        {"redis", "max_members", "0"},
        {"redis", "backlog_max_bytes", "1KiB"},
        {"redis", "wal_fsync", "sometimes"},
        {"redis", "wal_segment_bytes", "2GiB"},
        {"privacy", "honor_dnt", "2"},
        {"privacy", "salt_store", "disk"},
        {"mail", "recipient_key", "00ff"},
        {"mail", "recipient_key", HEX64 "00"},
        {"mail", "link_keys", "a:00ff"},
        {"mail", "mail_proxy_cidrs", "17/8"},
        {"limits", "max_request_line", "255"},
        {"limits", "max_request_line", "1025KiB"},
        {"limits", "max_header_bytes", "1023"},
        {"limits", "max_header_bytes", "2MiB"},
        {"limits", "max_headers", "0"},
        {"limits", "max_body", "0"},
        {"limits", "body_timeout", "0s"},
        {"limits", "body_timeout", "10"},
        {"limits", "body_timeout", "2d"},
        {"limits", "max_inflated_body", "0B"},
        {"limits", "max_batch_events", "0"},
        {"retention", "minute", "0s"},
        {"retention", "hour", "1500ms"},
        {"retention", "day", "400"},
        {"retention", "week", "1d"},
        {"server", "url", "redis://h"},
        {"nosuch", "listen", "127.0.0.1:1"},
        {"sites", "bad host!", "example"},
        {"sites", "example.com", "bad site!"},
        {"sites", "example.com", ""},
    };
    char err[CONFIG_ERR_LEN];

    (void)state;
    for (size_t i = 0; i < N(bad); i++) {
        struct config c;
        config_defaults(&c);
        err[0] = '\0';
        if (config_set(&c, bad[i].section, bad[i].key, bad[i].value, err,
                       sizeof(err)) != -1) {
            fail_msg("[%s] %s = '%s' accepted", bad[i].section, bad[i].key,
                     bad[i].value);
        }
        assert_true(strlen(err) > 0);
    }
}

static void test_config__set_stores_values(void **state)
{
    struct config c;
    char err[CONFIG_ERR_LEN];

    (void)state;
    config_defaults(&c);
    assert_int_equal(config_set(&c, "server", "workers", "8", err, sizeof(err)),
                     0);
    assert_int_equal(c.workers, 8);
    assert_int_equal(
        config_set(&c, "server", "header_timeout", "1500ms", err, sizeof(err)),
        0);
    assert_int_equal(c.header_timeout_ms, 1500);
    assert_int_equal(config_set(&c, "retention", "day", "2d", err, sizeof(err)),
                     0);
    assert_int_equal(c.retention_day_s, 2 * 86400);
    assert_int_equal(
        config_set(&c, "limits", "max_body", "1MiB", err, sizeof(err)), 0);
    assert_int_equal(c.max_body, MIB);
    assert_int_equal(
        config_set(&c, "limits", "body_timeout", "2500ms", err, sizeof(err)),
        0);
    assert_int_equal(c.body_timeout_ms, 2500);
    assert_int_equal(config_set(&c, "server", "public_url",
                                "https://t.example.com/b//", err, sizeof(err)),
                     0);
    assert_string_equal(c.public_url, "https://t.example.com/b");
    assert_int_equal(config_set(&c, "server", "ingest_syslog", "[0::1]:5140",
                                err, sizeof(err)),
                     0);
    assert_int_equal(c.ingest_syslog.n, 1);
    assert_string_equal(c.ingest_syslog.addr[0].text, "[::1]:5140");
    assert_int_equal(config_set(&c, "server", "ingest_skip_ext", ".CSS,js  map",
                                err, sizeof(err)),
                     0);
    assert_string_equal(c.ingest_skip_ext, "css js map");
    assert_int_equal(
        config_set(&c, "redis", "cluster", "a:1,b:2", err, sizeof(err)), 0);
    assert_string_equal(c.redis_cluster, "a:1,b:2");
    assert_int_equal(c.min_replicas_ack, -1);
    assert_int_equal(config_set(&c, "redis", "min_replicas_ack", "2", err,
                                sizeof(err)),
                     0);
    assert_int_equal(c.min_replicas_ack, 2);
    assert_int_equal(config_set(&c, "redis", "min_replicas_ack", "Auto", err,
                                sizeof(err)),
                     0);
    assert_int_equal(c.min_replicas_ack, -1);
    assert_int_equal(
        config_set(&c, "privacy", "salt_store", "memory", err, sizeof(err)), 0);
    assert_int_equal(c.salt_store, SALT_STORE_MEMORY);
    assert_int_equal(
        config_set(&c, "redis", "wal_fsync", "always", err, sizeof(err)), 0);
    assert_int_equal(c.wal_fsync, WAL_FSYNC_ALWAYS);
}

static void test_config__set_sites_lowercases_and_replaces(void **state)
{
    struct config c;
    char err[CONFIG_ERR_LEN];

    (void)state;
    config_defaults(&c);
    assert_int_equal(
        config_set(&c, "sites", "WWW.Example.COM", "ex", err, sizeof(err)), 0);
    assert_int_equal(
        config_set(&c, "sites", "blog.example.com", "blog", err, sizeof(err)),
        0);
    assert_int_equal(
        config_set(&c, "sites", "www.example.com", "ex2", err, sizeof(err)), 0);
    assert_int_equal(c.n_sites, 2);
    assert_string_equal(c.sites[0].host, "www.example.com");
    assert_string_equal(c.sites[0].site, "ex2");
    assert_string_equal(c.sites[1].site, "blog");
}

static void test_config__set_errors_name_key_and_value(void **state)
{
    struct config c;
    char err[CONFIG_ERR_LEN];

    (void)state;
    config_defaults(&c);
    assert_int_equal(
        config_set(&c, "server", "workers", "300", err, sizeof(err)), -1);
    assert_string_equal(err, "workers: must be from 0 to 256 (got '300')");
    assert_int_equal(
        config_set(&c, "limits", "max_request_line", "2MiB", err, sizeof(err)),
        -1);
    assert_string_equal(
        err, "max_request_line: must be from 256B to 1MiB (got '2MiB')");
    assert_int_equal(
        config_set(&c, "server", "header_timeout", "10", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "header_timeout: "));
    assert_non_null(strstr(err, "unit"));
    assert_int_equal(config_set(&c, "server", "nosuch", "1", err, sizeof(err)),
                     -1);
    assert_string_equal(err, "unknown key 'nosuch' in [server]");
    assert_int_equal(config_set(&c, "redis", "workers", "1", err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "belongs in [server]"));
    assert_int_equal(config_set(&c, "srever", "workers", "1", err, sizeof(err)),
                     -1);
    assert_string_equal(err, "unknown section [srever]");
}

static void test_config__set_never_shows_secrets(void **state)
{
    static const struct set_case bad[] = {
        {"redis", "url", "redis://:hunter2@h:0"},
        {"redis", "url", "redis://hunter2:x@h"},
        {"mail", "recipient_key", "hunter2"},
        {"mail", "link_keys", "k:hunter2"},
    };
    char err[CONFIG_ERR_LEN];

    (void)state;
    for (size_t i = 0; i < N(bad); i++) {
        struct config c;
        config_defaults(&c);
        assert_int_equal(config_set(&c, bad[i].section, bad[i].key,
                                    bad[i].value, err, sizeof(err)),
                         -1);
        if (strstr(err, "hunter2") != NULL) {
            fail_msg("secret shown: %s", err);
        }
    }
}

static void test_config__set_failure_leaves_value(void **state)
{
    struct config c;
    char err[CONFIG_ERR_LEN];

    (void)state;
    config_defaults(&c);
    assert_int_equal(
        config_set(&c, "server", "listen", "127.0.0.1:1, x", err, sizeof(err)),
        -1);
    assert_int_equal(c.listen.n, 1);
    assert_string_equal(c.listen.addr[0].text, "127.0.0.1:8080");
    assert_int_equal(
        config_set(&c, "redis", "url", "redis://h:0", err, sizeof(err)), -1);
    assert_string_equal(c.redis.text, "redis://127.0.0.1:6379/0");
    assert_int_equal(
        config_set(&c, "server", "workers", "999", err, sizeof(err)), -1);
    assert_int_equal(c.workers, 0);
}

/* ---- defaults ------------------------------------------------------------ */

static void test_config__defaults_match_spec(void **state)
{
    struct config c;

    (void)state;
    memset(&c, 0x5a, sizeof(c));
    config_defaults(&c);
    assert_int_equal(c.listen.n, 1);
    assert_string_equal(c.listen.addr[0].text, "127.0.0.1:8080");
    assert_int_equal(c.listen.addr[0].sa.ss_family, AF_INET);
    assert_int_equal(port_of(&c.listen.addr[0]), 8080);
    assert_int_equal(c.admin.n, 1);
    assert_string_equal(c.admin.addr[0].text, "127.0.0.1:8081");
    assert_int_equal(c.workers, 0);
    assert_string_equal(c.data_dir, "./data");
    assert_string_equal(c.instance_id, "");
    assert_int_equal(c.max_connections, 10000);
    assert_int_equal(c.header_timeout_ms, 10000);
    assert_int_equal(c.idle_timeout_ms, 60000);
    assert_int_equal(c.drain_timeout_ms, 10000);
    assert_int_equal(c.log_level, LOG_INFO);
    assert_string_equal(c.trusted_proxies, "");
    assert_int_equal(c.cookie_secure, 0);
    assert_string_equal(c.public_url, "");
    assert_int_equal(c.ingest_syslog.n, 0);
    assert_int_equal(c.ingest_syslog_tcp, 0);
    assert_string_equal(c.ingest_skip_ext,
                        "css js png jpg jpeg gif svg ico webp woff woff2 map "
                        "txt xml");
    assert_string_equal(c.redis.host, "127.0.0.1");
    assert_int_equal(c.redis.port, 6379);
    assert_int_equal(c.redis.db, 0);
    assert_string_equal(c.redis.unix_path, "");
    assert_string_equal(c.redis.password, "");
    assert_string_equal(c.redis.text, "redis://127.0.0.1:6379/0");
    assert_string_equal(c.redis_cluster, "");
    assert_string_equal(c.key_prefix, "bc");
    assert_int_equal(c.flush_interval_ms, 1000);
    assert_int_equal(c.max_keys, 1000000);
    assert_int_equal(c.max_members, 100000);
    assert_int_equal(c.backlog_max_bytes, GIB);
    assert_int_equal(c.wal_fsync, WAL_FSYNC_INTERVAL);
    assert_int_equal(c.wal_segment_bytes, 64 * MIB);
    assert_int_equal(c.honor_dnt, 1);
    assert_int_equal(c.honor_gpc, 1);
    assert_int_equal(c.salt_store, SALT_STORE_REDIS);
    assert_string_equal(c.bot_patterns, "");
    assert_string_equal(c.recipient_key, "");
    assert_string_equal(c.link_keys, "");
    assert_string_equal(c.mail_proxy_cidrs, "17.0.0.0/8");
    assert_string_equal(c.image_proxy_agents,
                        "GoogleImageProxy, YahooMailProxy");
    assert_int_equal(c.max_request_line, 8 * KIB);
    assert_int_equal(c.max_header_bytes, 16 * KIB);
    assert_int_equal(c.max_headers, 64);
    assert_int_equal(c.max_body, 64 * KIB);
    assert_int_equal(c.max_inflated_body, 256 * KIB);
    assert_int_equal(c.max_batch_events, 100);
    assert_int_equal(c.retention_minute_s, 48 * 3600);
    assert_int_equal(c.retention_hour_s, 35 * 86400);
    assert_int_equal(c.retention_day_s, 400 * 86400);
    assert_int_equal(c.n_sites, 0);
    assert_string_equal(c.path, "");
}

/* ---- validation ---------------------------------------------------------- */

static int validate(struct config *c)
{
    char err[CONFIG_ERR_LEN];
    return config_validate(c, err, sizeof(err));
}

static void test_config__validate_defaults_resolve(void **state)
{
    struct config c;
    char host[64] = "";
    char want[128];
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    (void)state;
    config_defaults(&c);
    assert_int_equal(validate(&c), 0);
    assert_int_equal(c.workers, cpus < 1 ? 1 : cpus > 256 ? 256 : cpus);
    gethostname(host, sizeof(host) - 1);
    snprintf(want, sizeof(want), "%s:8080", host);
    assert_string_equal(c.instance_id, want);
    assert_string_equal(c.public_url, "http://127.0.0.1:8080");
}

static void test_config__validate_keeps_explicit_values(void **state)
{
    struct config c;
    char err[CONFIG_ERR_LEN];

    (void)state;
    config_defaults(&c);
    assert_int_equal(
        config_set(&c, "server", "listen", "[::1]:9000", err, sizeof(err)), 0);
    assert_int_equal(validate(&c), 0);
    assert_string_equal(c.public_url, "http://[::1]:9000");
    assert_non_null(strstr(c.instance_id, ":9000"));

    config_defaults(&c);
    c.workers = 3;
    strcpy(c.instance_id, "eu-1");
    strcpy(c.public_url, "https://t.example.com");
    assert_int_equal(validate(&c), 0);
    assert_int_equal(c.workers, 3);
    assert_string_equal(c.instance_id, "eu-1");
    assert_string_equal(c.public_url, "https://t.example.com");
}

static void test_config__validate_rejects(void **state)
{
    struct config c;
    char err[CONFIG_ERR_LEN];

    (void)state;
#define REJECT(stmt, what)                                                     \
    do {                                                                       \
        config_defaults(&c);                                                   \
        stmt;                                                                  \
        err[0] = '\0';                                                         \
        if (config_validate(&c, err, sizeof(err)) != -1) {                     \
            fail_msg("validate accepted: %s", #stmt);                          \
        }                                                                      \
        if (strstr(err, what) == NULL) {                                       \
            fail_msg("%s: error '%s' lacks '%s'", #stmt, err, what);           \
        }                                                                      \
    } while (0)

    REJECT(c.workers = 257, "workers");
    REJECT(c.workers = -1, "workers");
    REJECT(c.max_connections = 0, "max_connections");
    REJECT(c.max_connections = -5, "max_connections");
    REJECT(c.max_request_line = 255, "max_request_line");
    REJECT(c.max_request_line = MIB + 1, "max_request_line");
    REJECT(c.max_header_bytes = KIB - 1, "max_header_bytes");
    REJECT(c.max_header_bytes = MIB + 1, "max_header_bytes");
    REJECT(c.max_headers = 0, "max_headers");
    REJECT(c.max_body = 0, "max_body");
    REJECT(c.max_inflated_body = 0, "max_inflated_body");
    REJECT(c.max_batch_events = 0, "max_batch_events");
    REJECT(c.flush_interval_ms = 9, "flush_interval");
    REJECT(c.retention_minute_s = 0, "minute");
    REJECT(c.retention_hour_s = 0, "hour");
    REJECT(c.retention_day_s = 0, "day");
    REJECT(c.header_timeout_ms = 0, "header_timeout");
    REJECT(c.max_keys = 0, "max_keys");
    REJECT(strcpy(c.key_prefix, ""), "key_prefix");
    REJECT(strcpy(c.key_prefix, "b:c"), "key_prefix");
    REJECT(strcpy(c.key_prefix, "b c"), "key_prefix");
    REJECT(c.listen.n = 0, "listen");
    REJECT(c.admin.n = 0, "admin");
    REJECT(c.admin = c.listen, "overlaps");
    REJECT(config_parse_addr_list("0.0.0.0:8081", &c.listen), "overlaps");
    REJECT(config_parse_addr_list("[::]:8080", &c.admin), "overlaps");
    REJECT((c.ingest_syslog = c.listen, c.ingest_syslog_tcp = 1), "overlaps");
    REJECT((config_parse_addr_list("127.0.0.1:5140,0.0.0.0:8081",
                                   &c.ingest_syslog),
            c.ingest_syslog_tcp = 1),
           "overlaps");
    REJECT(c.wal_segment_bytes = 2 * GIB, "wal_segment_bytes");
    REJECT(c.backlog_max_bytes = 32 * MIB, "wal_segment_bytes");
#undef REJECT
}

static void test_config__validate_accepts_edges(void **state)
{
    struct config c;

    (void)state;
    config_defaults(&c);
    c.workers = 256;
    c.max_connections = 1;
    c.max_request_line = 256;
    c.max_header_bytes = MIB;
    c.flush_interval_ms = 10;
    c.retention_minute_s = 1;
    strcpy(c.key_prefix, "1234567890123456789012345678901");
    assert_int_equal(validate(&c), 0);

    /* UDP alone may share a port number with a TCP listener. */
    config_defaults(&c);
    c.ingest_syslog = c.listen;
    assert_int_equal(validate(&c), 0);
    config_defaults(&c);
    assert_int_equal(config_parse_addr_list("[::1]:5140, 127.0.0.1:5140",
                                            &c.ingest_syslog),
                     0);
    c.ingest_syslog_tcp = 1;
    assert_int_equal(validate(&c), 0);

    config_defaults(&c);
    c.workers = 1;
    c.max_request_line = MIB;
    c.max_header_bytes = KIB;
    assert_int_equal(config_parse_addr_list("127.0.0.1:8080", &c.admin) == 0 &&
                         config_parse_addr_list("127.0.0.2:8080", &c.listen) ==
                             0,
                     1);
    assert_int_equal(validate(&c), 0);
}

/* ---- the file ------------------------------------------------------------ */

struct tmp {
    char dir[64];
    char path[128];
};

static int tmp_setup(void **state)
{
    struct tmp *t = calloc(1, sizeof(*t));

    if (t == NULL) {
        return -1;
    }
    strcpy(t->dir, "/tmp/test_config.XXXXXX");
    if (mkdtemp(t->dir) == NULL) {
        free(t);
        return -1;
    }
    snprintf(t->path, sizeof(t->path), "%s/beacond.conf", t->dir);
    *state = t;
    return 0;
}

static int tmp_teardown(void **state)
{
    struct tmp *t = *state;

    unlink(t->path);
    rmdir(t->dir);
    free(t);
    return 0;
}

static const char *write_file(void **state, const char *text)
{
    struct tmp *t = *state;
    FILE *f = fopen(t->path, "w");

    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    return t->path;
}

/* Loads text over the defaults; returns the result, err filled. */
static int load_text(void **state, const char *text, struct config *c,
                     char *err, size_t errlen)
{
    const char *path = write_file(state, text);

    config_defaults(c);
    err[0] = '\0';
    return config_load_file(c, path, err, errlen);
}

/* Expects the load to fail with "PATH:LINE: " then words in the message. */
static void expect_error(void **state, const char *text, int line,
                         const char *words)
{
    struct tmp *t = *state;
    struct config c;
    char err[CONFIG_ERR_LEN];
    char prefix[160];

    if (load_text(state, text, &c, err, sizeof(err)) != -1) {
        fail_msg("accepted:\n%s", text);
    }
    snprintf(prefix, sizeof(prefix), "%s:%d: ", t->path, line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 ||
        strstr(err, words) == NULL) {
        fail_msg("error '%s', wanted '%s...%s'", err, prefix, words);
    }
}

static void test_config__file_valid(void **state)
{
    static const char text[] = "# beacond test configuration\n"
                               "; a semicolon comment\n"
                               "\n"
                               "[server]\n"
                               "listen = 0.0.0.0:8080, [::]:8080\n"
                               "admin=127.0.0.1:9090\n"
                               "  # an indented comment\n"
                               "workers = 4   # four threads\n"
                               "data_dir = /var/lib/beacond ; state\n"
                               "header_timeout = 5s\n"
                               "log_level = debug\r\n"
                               "cookie_secure = yes\n"
                               "\n"
                               "[redis]\n"
                               "url = redis://:pw@10.0.0.5:6380/2\n"
                               "key_prefix = bx\n"
                               "backlog_max_bytes = 2GiB\n"
                               "[privacy]\n"
                               "honor_dnt = no\n"
                               "[mail]\n"
                               "recipient_key = " HEX64 "\n"
                               "[limits]\n"
                               "max_body = 32KiB\n"
                               "[retention]\n"
                               "day = 30d\n"
                               "[sites]\n"
                               "www.example.com = example\n"
                               "[server]\n"
                               "max_connections = 500\n";
    struct config c;
    char err[CONFIG_ERR_LEN];
    struct tmp *t = *state;

    if (load_text(state, text, &c, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    assert_int_equal(c.listen.n, 2);
    assert_string_equal(c.listen.addr[1].text, "[::]:8080");
    assert_string_equal(c.admin.addr[0].text, "127.0.0.1:9090");
    assert_int_equal(c.workers, 4);
    assert_string_equal(c.data_dir, "/var/lib/beacond");
    assert_int_equal(c.header_timeout_ms, 5000);
    assert_int_equal(c.log_level, LOG_DEBUG);
    assert_int_equal(c.cookie_secure, 1);
    assert_string_equal(c.redis.password, "pw");
    assert_int_equal(c.redis.port, 6380);
    assert_int_equal(c.redis.db, 2);
    assert_string_equal(c.key_prefix, "bx");
    assert_int_equal(c.backlog_max_bytes, 2 * GIB);
    assert_int_equal(c.honor_dnt, 0);
    assert_int_equal(c.honor_gpc, 1);
    assert_string_equal(c.recipient_key, HEX64);
    assert_int_equal(c.max_body, 32 * KIB);
    assert_int_equal(c.retention_day_s, 30 * 86400);
    assert_int_equal(c.retention_hour_s, 35 * 86400);
    assert_int_equal(c.n_sites, 1);
    assert_string_equal(c.sites[0].site, "example");
    assert_int_equal(c.max_connections, 500);
    assert_string_equal(c.path, t->path);
    assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
}

static void test_config__file_unknown_key_names_file_and_line(void **state)
{
    expect_error(state, "[server]\n# comment\nworkers = 2\nwrokers = 4\n", 4,
                 "unknown key 'wrokers' in [server]");
}

static void test_config__file_bad_value_names_file_and_line(void **state)
{
    expect_error(state, "[server]\nlisten = 127.0.0.1:8080\n\nworkers = four\n",
                 4, "workers: expected a whole number (got 'four')");
    expect_error(state, "[limits]\nmax_body = 64KB\n", 2,
                 "max_body: unknown unit");
    expect_error(state, "[server]\nheader_timeout = 10\n", 2, "unit");
}

static void test_config__file_unknown_section_names_its_line(void **state)
{
    expect_error(state, "[server]\nworkers = 2\n\n[srever]\nworkers = 3\n", 4,
                 "unknown section [srever]");
    expect_error(state, "[server]\n[empty]\n", 2, "unknown section [empty]");
    expect_error(state, "[server] extra\n", 1, "after ']'");
    expect_error(state, "[server\nworkers = 2\n", 1, "[section]");
}

static void test_config__file_syntax_errors(void **state)
{
    expect_error(state, "workers = 2\n", 1, "before any [section]");
    expect_error(state, "[server]\nworkers 2\n", 2, "key = value");
    expect_error(state,
                 "[server]\nworkers = 1\nworkers = 2\nbad\nworkers = x\n", 4,
                 "key = value");
    expect_error(state, "[redis]\nworkers = 2\n", 2, "belongs in [server]");
    expect_error(state, "[server]\nworkers = 2\nworkers = 999\n", 3,
                 "workers: must be");
}

static void test_config__file_first_error_wins(void **state)
{
    expect_error(state,
                 "[server]\nworkers = 999\nlisten = x\n[nosuch]\nfoo = 1\n", 2,
                 "workers");
}

static void test_config__file_list_continuation_lines(void **state)
{
    static const char text[] = "[server]\n"
                               "listen = 127.0.0.1:8080,\n"
                               "    [::1]:8080,\n"
                               "\t127.0.0.1:8088 # third\n"
                               "workers = 2\n"
                               "[mail]\n"
                               "link_keys = a:" HEX64 ",\n"
                               "  b:" B64_32 "\n";
    struct config c;
    char err[CONFIG_ERR_LEN];

    if (load_text(state, text, &c, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    assert_int_equal(c.listen.n, 3);
    assert_string_equal(c.listen.addr[1].text, "[::1]:8080");
    assert_string_equal(c.listen.addr[2].text, "127.0.0.1:8088");
    assert_int_equal(c.workers, 2);
    assert_non_null(strstr(c.link_keys, "b:" B64_32));
}

static void test_config__file_continuation_errors(void **state)
{
    expect_error(state, "[server]\ndata_dir = /var\n  /lib\n", 3,
                 "keys must not be indented");
    expect_error(state, "[server]\nworkers = 2\n    max_connections = 5\n", 3,
                 "keys must not be indented");
    expect_error(state, "[server]\nlisten = 127.0.0.1:1\n  workers = 2\n", 3,
                 "keys must not be indented");
    /* A list continued by something else fails at the key's line. */
    expect_error(state, "[server]\nlisten = 127.0.0.1:1\n  nonsense\n", 2,
                 "listen:");
}

static void test_config__file_indented_first_key_is_a_key(void **state)
{
    struct config c;
    char err[CONFIG_ERR_LEN];

    if (load_text(state, "[server]\n  workers = 2\n", &c, err, sizeof(err)) !=
        0) {
        fail_msg("%s", err);
    }
    assert_int_equal(c.workers, 2);
}

static void test_config__file_long_line_rejected(void **state)
{
    char text[512];

    snprintf(text, sizeof(text), "[server]\ndata_dir = /%0300d\n", 0);
    expect_error(state, text, 2, "line longer than");
}

static void test_config__file_nul_byte_rejected(void **state)
{
    struct tmp *t = *state;
    struct config c;
    char err[CONFIG_ERR_LEN];
    FILE *f = fopen(t->path, "w");

    assert_non_null(f);
    fwrite("[server]\nworkers = 2\0junk\n", 1, 26, f);
    fclose(f);
    config_defaults(&c);
    assert_int_equal(config_load_file(&c, t->path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, ":2: NUL byte"));
}

static void test_config__file_bom_and_no_final_newline(void **state)
{
    struct config c;
    char err[CONFIG_ERR_LEN];

    if (load_text(state, "\xEF\xBB\xBF[server]\nworkers = 7", &c, err,
                  sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    assert_int_equal(c.workers, 7);
    if (load_text(state, "", &c, err, sizeof(err)) != 0) {
        fail_msg("empty file: %s", err);
    }
}

static void test_config__file_missing_names_file(void **state)
{
    struct tmp *t = *state;
    struct config c;
    char err[CONFIG_ERR_LEN];
    char path[160];

    snprintf(path, sizeof(path), "%s/nosuch.conf", t->dir);
    config_defaults(&c);
    assert_int_equal(config_load_file(&c, path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(config_load_file(&c, t->dir, err, sizeof(err)), -1);
    assert_non_null(strstr(err, t->dir));
    assert_string_equal(c.path, "");
}

static void test_config__file_secret_not_in_error(void **state)
{
    struct config c;
    char err[CONFIG_ERR_LEN];

    assert_int_equal(load_text(state, "[redis]\nurl = redis://:hunter2@h:0\n",
                               &c, err, sizeof(err)),
                     -1);
    assert_null(strstr(err, "hunter2"));
    assert_non_null(strstr(err, ":2: url: "));
}

static void test_config__example_file_loads_as_is(void **state)
{
    struct config want;
    struct config c;
    char err[CONFIG_ERR_LEN];

    (void)state;
    config_defaults(&want);
    config_defaults(&c);
    if (config_load_file(&c, EXAMPLE, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    assert_string_equal(c.path, EXAMPLE);
    memcpy(c.path, want.path, sizeof(c.path));
    assert_memory_equal(&c, &want, sizeof(c));
}

/*
 * Uncomments every "# key = value" line of the example: the values it
 * documents must be the defaults, and every key must be documented.
 */
static void test_config__example_file_documents_defaults(void **state)
{
    struct tmp *t = *state;
    struct config want;
    struct config c;
    char err[CONFIG_ERR_LEN];
    char line[512];
    FILE *in = fopen(EXAMPLE, "r");
    FILE *out = fopen(t->path, "w");
    int keys = 0;

    assert_non_null(in);
    assert_non_null(out);
    while (fgets(line, sizeof(line), in) != NULL) {
        size_t n = strspn(line + 2, "abcdefghijklmnopqrstuvwxyz_");
        if (strncmp(line, "# ", 2) == 0 && n > 0 &&
            strncmp(line + 2 + n, " =", 2) == 0) {
            fputs(line + 2, out);
            keys++;
        } else {
            fputs(line, out);
        }
    }
    fclose(in);
    fclose(out);
    assert_int_equal(keys, 48);

    config_defaults(&want);
    config_defaults(&c);
    if (config_load_file(&c, t->path, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    memcpy(c.path, want.path, sizeof(c.path));
    assert_memory_equal(&c, &want, sizeof(c));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config__size_accepts),
        cmocka_unit_test(test_config__size_rejects),
        cmocka_unit_test(test_config__duration_accepts),
        cmocka_unit_test(test_config__duration_rejects),
        cmocka_unit_test(test_config__duration_plain_number_asks_for_unit),
        cmocka_unit_test(test_config__bool_table),
        cmocka_unit_test(test_config__log_level_table),
        cmocka_unit_test(test_config__addr_accepts),
        cmocka_unit_test(test_config__addr_rejects),
        cmocka_unit_test(test_config__addr_list_accepts),
        cmocka_unit_test(test_config__addr_list_rejects),
        cmocka_unit_test(test_config__redis_url_accepts),
        cmocka_unit_test(test_config__redis_url_rejects),
        cmocka_unit_test(test_config__cidr_list_table),
        cmocka_unit_test(test_config__key_decodes_hex_and_base64),
        cmocka_unit_test(test_config__link_keys_table),
        cmocka_unit_test(test_config__link_key_lookup),
        cmocka_unit_test(test_config__set_accepts),
        cmocka_unit_test(test_config__set_rejects),
        cmocka_unit_test(test_config__set_stores_values),
        cmocka_unit_test(test_config__set_sites_lowercases_and_replaces),
        cmocka_unit_test(test_config__set_errors_name_key_and_value),
        cmocka_unit_test(test_config__set_never_shows_secrets),
        cmocka_unit_test(test_config__set_failure_leaves_value),
        cmocka_unit_test(test_config__defaults_match_spec),
        cmocka_unit_test(test_config__validate_defaults_resolve),
        cmocka_unit_test(test_config__validate_keeps_explicit_values),
        cmocka_unit_test(test_config__validate_rejects),
        cmocka_unit_test(test_config__validate_accepts_edges),
        cmocka_unit_test_setup_teardown(test_config__file_valid, tmp_setup,
                                        tmp_teardown),
        cmocka_unit_test_setup_teardown(
            test_config__file_unknown_key_names_file_and_line, tmp_setup,
            tmp_teardown),
        cmocka_unit_test_setup_teardown(
            test_config__file_bad_value_names_file_and_line, tmp_setup,
            tmp_teardown),
        cmocka_unit_test_setup_teardown(
            test_config__file_unknown_section_names_its_line, tmp_setup,
            tmp_teardown),
        cmocka_unit_test_setup_teardown(test_config__file_syntax_errors,
                                        tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_config__file_first_error_wins,
                                        tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(
            test_config__file_list_continuation_lines, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_config__file_continuation_errors,
                                        tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(
            test_config__file_indented_first_key_is_a_key, tmp_setup,
            tmp_teardown),
        cmocka_unit_test_setup_teardown(test_config__file_long_line_rejected,
                                        tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_config__file_nul_byte_rejected,
                                        tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(
            test_config__file_bom_and_no_final_newline, tmp_setup,
            tmp_teardown),
        cmocka_unit_test_setup_teardown(test_config__file_missing_names_file,
                                        tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_config__file_secret_not_in_error,
                                        tmp_setup, tmp_teardown),
        cmocka_unit_test(test_config__example_file_loads_as_is),
        cmocka_unit_test_setup_teardown(
            test_config__example_file_documents_defaults, tmp_setup,
            tmp_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
