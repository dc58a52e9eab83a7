/*
 * test_reload.c: the keys a SIGHUP names as needing a restart
 * (collector/reload.c): none for an unchanged file or a change to a
 * reloadable key, each restart-only key by its name, several in file
 * order, and a list that does not fit cut rather than overflowed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "collector/reload.h"
#include "config/config.h"

static struct config a, b;

static void set(struct config *c, const char *section, const char *key,
                const char *value)
{
    char err[CONFIG_ERR_LEN];
    if (config_set(c, section, key, value, err, sizeof(err)) != 0) {
        fail_msg("%s.%s = %s: %s", section, key, value, err);
    }
}

static const char *diff(void)
{
    static char out[512];
    reload_restart_keys(&a, &b, out, sizeof(out));
    return out;
}

static void test_reload__unchanged(void **state)
{
    (void)state;
    config_defaults(&a);
    config_defaults(&b);
    assert_string_equal(diff(), "");
}

static void test_reload__reloadable_keys_are_not_named(void **state)
{
    (void)state;
    config_defaults(&a);
    config_defaults(&b);
    set(&b, "privacy", "honor_dnt", "no");
    set(&b, "server", "log_level", "debug");
    set(&b, "server", "idle_timeout", "5s");
    set(&b, "limits", "max_request_line", "1KiB");
    set(&b, "retention", "day", "30d");
    set(&b, "redis", "flush_interval", "2s");
    set(&b, "redis", "max_members", "100");
    assert_string_equal(diff(), "");
}

static void test_reload__each_restart_key(void **state)
{
    static const struct {
        const char *section, *key, *value, *name;
    } cases[] = {
        {"server", "listen", "127.0.0.1:9999", "[server] listen"},
        {"server", "admin", "127.0.0.1:9998", "[server] admin"},
        {"server", "workers", "3", "[server] workers"},
        {"server", "data_dir", "/tmp/elsewhere", "[server] data_dir"},
        {"server", "instance_id", "other", "[server] instance_id"},
        {"server", "max_connections", "5", "[server] max_connections"},
        {"server", "log_file", "/tmp/x.log", "[server] log_file"},
        {"server", "ingest_syslog", "127.0.0.1:5514", "[server] ingest_syslog"},
        {"redis", "url", "redis://127.0.0.1:6380/0", "[redis] url"},
        {"redis", "url", "redis://:secret@127.0.0.1:6379/0", "[redis] url"},
        {"redis", "key_prefix", "xy", "[redis] key_prefix"},
        {"redis", "max_keys", "1000", "[redis] max_keys"},
        {"redis", "wal_fsync", "always", "[redis] wal_fsync"},
        {"privacy", "salt_store", "memory", "[privacy] salt_store"},
        {"mail", "recipient_key",
         "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
         "[mail] recipient_key"},
        {"limits", "max_inflated_body", "1MiB", "[limits] max_inflated_body"},
        {"sites", "www.example.com", "example", "[sites]"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        config_defaults(&a);
        config_defaults(&b);
        set(&b, cases[i].section, cases[i].key, cases[i].value);
        if (strcmp(diff(), cases[i].name) != 0) {
            fail_msg("%s.%s: got '%s', want '%s'", cases[i].section,
                     cases[i].key, diff(), cases[i].name);
        }
    }
}

static void test_reload__several_in_order(void **state)
{
    (void)state;
    config_defaults(&a);
    config_defaults(&b);
    set(&b, "redis", "url", "redis://127.0.0.1:6380/0");
    set(&b, "server", "listen", "127.0.0.1:9999");
    set(&b, "privacy", "honor_gpc", "no");
    assert_string_equal(diff(), "[server] listen, [redis] url");
}

static void test_reload__cut_not_overflowed(void **state)
{
    char out[20];
    (void)state;
    config_defaults(&a);
    config_defaults(&b);
    set(&b, "server", "listen", "127.0.0.1:9999");
    set(&b, "server", "admin", "127.0.0.1:9998");
    reload_restart_keys(&a, &b, out, sizeof(out));
    assert_int_equal(strlen(out), sizeof(out) - 1);
    assert_memory_equal(out, "[server] listen, [s", sizeof(out) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reload__unchanged),
        cmocka_unit_test(test_reload__reloadable_keys_are_not_named),
        cmocka_unit_test(test_reload__each_restart_key),
        cmocka_unit_test(test_reload__several_in_order),
        cmocka_unit_test(test_reload__cut_not_overflowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
