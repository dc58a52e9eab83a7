/*
 * test_cli.c: beacond's command line (SPEC 1): every flag in both forms,
 * usage errors, flags overriding the file, and the usage text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/cli.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define ARGV(...) ((char *[]){"beacond", __VA_ARGS__, NULL})
#define ARGC(...) ((int)N(((char *[]){"beacond", __VA_ARGS__})))
#define PARSE(cli, err, ...)                                                   \
    cli_parse(cli, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), err, sizeof(err))

static void test_cli__no_arguments(void **state)
{
    struct cli cli;
    char err[CONFIG_ERR_LEN];
    char *argv[] = {"beacond", NULL};

    (void)state;
    assert_int_equal(cli_parse(&cli, 1, argv, err, sizeof(err)), 0);
    assert_null(cli.config_path);
    assert_int_equal(cli.check_only, 0);
    assert_int_equal(cli.help, 0);
    assert_int_equal(cli.version, 0);
    assert_int_equal(cli.n_overrides, 0);
}

static void test_cli__short_flags(void **state)
{
    struct cli cli;
    char err[CONFIG_ERR_LEN];

    (void)state;
    assert_int_equal(PARSE(&cli, err, "-c", "/etc/b.conf", "-t"), 0);
    assert_string_equal(cli.config_path, "/etc/b.conf");
    assert_int_equal(cli.check_only, 1);
    assert_int_equal(PARSE(&cli, err, "-c/etc/x.conf"), 0);
    assert_string_equal(cli.config_path, "/etc/x.conf");
    assert_int_equal(PARSE(&cli, err, "-h"), 0);
    assert_int_equal(cli.help, 1);
    assert_int_equal(PARSE(&cli, err, "--help"), 0);
    assert_int_equal(cli.help, 1);
    assert_int_equal(PARSE(&cli, err, "-v"), 0);
    assert_int_equal(cli.version, 1);
    assert_int_equal(PARSE(&cli, err, "--version"), 0);
    assert_int_equal(cli.version, 1);
}

static void test_cli__every_flag_both_forms(void **state)
{
    static const struct {
        const char *flag;
        const char *section;
        const char *key;
        const char *value;
    } flags[] = {
        {"--listen", "server", "listen", "127.0.0.1:80,[::1]:80"},
        {"--admin", "server", "admin", "127.0.0.1:81"},
        {"--redis", "redis", "url", "redis://h:1/2"},
        {"--workers", "server", "workers", "3"},
        {"--data-dir", "server", "data_dir", "/var/lib/b"},
        {"--log-level", "server", "log_level", "debug"},
    };
    struct cli cli;
    char err[CONFIG_ERR_LEN];

    (void)state;
    for (size_t i = 0; i < N(flags); i++) {
        char joined[128];
        char *sep[] = {"beacond", (char *)flags[i].flag, (char *)flags[i].value,
                       NULL};
        char *eq[] = {"beacond", joined, NULL};

        assert_int_equal(cli_parse(&cli, 3, sep, err, sizeof(err)), 0);
        assert_int_equal(cli.n_overrides, 1);
        assert_string_equal(cli.overrides[0].section, flags[i].section);
        assert_string_equal(cli.overrides[0].key, flags[i].key);
        assert_string_equal(cli.overrides[0].value, flags[i].value);

        snprintf(joined, sizeof(joined), "%s=%s", flags[i].flag,
                 flags[i].value);
        assert_int_equal(cli_parse(&cli, 2, eq, err, sizeof(err)), 0);
        assert_int_equal(cli.n_overrides, 1);
        assert_string_equal(cli.overrides[0].key, flags[i].key);
        assert_string_equal(cli.overrides[0].value, flags[i].value);
    }
}

static void test_cli__usage_errors(void **state)
{
    static const struct {
        const char *args[4];
        const char *words;
    } bad[] = {
        {{"-c"}, "-c: missing FILE"},
        {{"-c", ""}, "-c: missing FILE"},
        {{"--listen"}, "--listen: missing value"},
        {{"-t", "--workers"}, "--workers: missing value"},
        {{"--nosuch"}, "unknown flag '--nosuch'"},
        {{"--nosuch=1"}, "unknown flag '--nosuch'"},
        {{"--help=yes"}, "unknown flag '--help'"},
        {{"--list", "x"}, "unknown flag '--list'"},
        {{"-x"}, "unknown flag '-x'"},
        {{"-tv"}, "unknown flag '-tv'"},
        {{"extra"}, "unexpected argument 'extra'"},
        {{"-t", "--", "extra"}, "unexpected argument 'extra'"},
    };
    struct cli cli;
    char err[CONFIG_ERR_LEN];

    (void)state;
    for (size_t i = 0; i < N(bad); i++) {
        char *argv[6] = {"beacond"};
        int argc = 1;
        for (int j = 0; j < 4 && bad[i].args[j] != NULL; j++) {
            argv[argc++] = (char *)bad[i].args[j];
        }
        err[0] = '\0';
        if (cli_parse(&cli, argc, argv, err, sizeof(err)) != -1) {
            fail_msg("accepted: %s", bad[i].args[0]);
        }
        if (strstr(err, bad[i].words) == NULL) {
            fail_msg("error '%s' lacks '%s'", err, bad[i].words);
        }
    }
}

static void test_cli__too_many_flags(void **state)
{
    char *argv[CLI_MAX_OVERRIDES + 3] = {"beacond"};
    struct cli cli;
    char err[CONFIG_ERR_LEN];

    (void)state;
    for (int i = 1; i <= CLI_MAX_OVERRIDES + 1; i++) {
        argv[i] = "--workers=1";
    }
    assert_int_equal(
        cli_parse(&cli, CLI_MAX_OVERRIDES + 1, argv, err, sizeof(err)), 0);
    assert_int_equal(cli.n_overrides, CLI_MAX_OVERRIDES);
    assert_int_equal(
        cli_parse(&cli, CLI_MAX_OVERRIDES + 2, argv, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "too many"));
}

static void test_cli__value_may_start_with_dash(void **state)
{
    struct cli cli;
    char err[CONFIG_ERR_LEN];

    (void)state;
    assert_int_equal(PARSE(&cli, err, "--data-dir", "-weird"), 0);
    assert_string_equal(cli.overrides[0].value, "-weird");
    assert_int_equal(PARSE(&cli, err, "--data-dir=a=b"), 0);
    assert_string_equal(cli.overrides[0].value, "a=b");
}

static void test_cli__flags_override_file(void **state)
{
    char dir[] = "/tmp/test_cli.XXXXXX";
    char path[64];
    FILE *f;
    struct cli cli;
    struct config c;
    char err[CONFIG_ERR_LEN];

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/b.conf", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("[server]\nworkers = 2\ndata_dir = /from/file\nlog_level = warn\n"
          "[redis]\nurl = redis://file:1\nkey_prefix = ff\n",
          f);
    fclose(f);

    /* Flags before -c still win: they apply after the file. */
    assert_int_equal(PARSE(&cli, err, "--workers", "5", "-c", path,
                           "--redis=unix:///tmp/r.sock", "--log-level=error",
                           "--listen", "127.0.0.1:9000"),
                     0);
    config_defaults(&c);
    if (cli_build_config(&cli, &c, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    assert_int_equal(c.workers, 5);
    assert_string_equal(c.data_dir, "/from/file");
    assert_int_equal(c.log_level, LOG_ERROR);
    assert_string_equal(c.redis.unix_path, "/tmp/r.sock");
    assert_string_equal(c.key_prefix, "ff");
    assert_string_equal(c.listen.addr[0].text, "127.0.0.1:9000");
    assert_string_equal(c.path, path);

    /* A repeated flag: the last one wins. */
    assert_int_equal(PARSE(&cli, err, "--workers=3", "--workers=4"), 0);
    config_defaults(&c);
    assert_int_equal(cli_build_config(&cli, &c, err, sizeof(err)), 0);
    assert_int_equal(c.workers, 4);

    unlink(path);
    rmdir(dir);
}

static void test_cli__bad_flag_value_names_flag(void **state)
{
    static const struct {
        const char *arg;
        const char *want;
    } bad[] = {
        {"--workers=999", "--workers: must be from 0 to 256 (got '999')"},
        {"--listen=localhost:80", "--listen: not a numeric IPv4 address"},
        {"--admin=", "--admin: expected at least one"},
        {"--redis=redis://:hunter2@h:0", "--redis: port must be"},
        {"--data-dir=", "--data-dir: may not be empty"},
        {"--log-level=loud", "--log-level: expected debug, info"},
    };
    struct cli cli;
    struct config c;
    char err[CONFIG_ERR_LEN];

    (void)state;
    for (size_t i = 0; i < N(bad); i++) {
        char *argv[] = {"beacond", (char *)bad[i].arg, NULL};
        assert_int_equal(cli_parse(&cli, 2, argv, err, sizeof(err)), 0);
        config_defaults(&c);
        assert_int_equal(cli_build_config(&cli, &c, err, sizeof(err)), -1);
        if (strncmp(err, bad[i].want, strlen(bad[i].want)) != 0) {
            fail_msg("error '%s', wanted '%s'", err, bad[i].want);
        }
        assert_null(strstr(err, "hunter2"));
    }
}

static void test_cli__missing_file_names_file(void **state)
{
    struct cli cli;
    struct config c;
    char err[CONFIG_ERR_LEN];

    (void)state;
    assert_int_equal(PARSE(&cli, err, "-c", "/nonexistent/beacond.conf"), 0);
    config_defaults(&c);
    assert_int_equal(cli_build_config(&cli, &c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/beacond.conf"));
}

static void test_cli__usage_lists_every_flag(void **state)
{
    static const char *const flags[] = {
        "-c FILE",   "-t",         "--listen",    "--admin",    "--redis",
        "--workers", "--data-dir", "--log-level", "-h, --help", "-v, --version",
    };
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    (void)state;
    assert_non_null(f);
    cli_usage(f);
    fclose(f);
    assert_non_null(strstr(text, "Usage: beacond"));
    for (size_t i = 0; i < N(flags); i++) {
        char line[64];
        snprintf(line, sizeof(line), "\n  %s ", flags[i]);
        if (strstr(text, line) == NULL) {
            fail_msg("usage lacks a line for %s:\n%s", flags[i], text);
        }
    }
    for (char *p = text; *p != '\0';) {
        char *nl = strchr(p, '\n');
        assert_non_null(nl);
        assert_true(nl - p <= 80);
        p = nl + 1;
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli__no_arguments),
        cmocka_unit_test(test_cli__short_flags),
        cmocka_unit_test(test_cli__every_flag_both_forms),
        cmocka_unit_test(test_cli__usage_errors),
        cmocka_unit_test(test_cli__too_many_flags),
        cmocka_unit_test(test_cli__value_may_start_with_dash),
        cmocka_unit_test(test_cli__flags_override_file),
        cmocka_unit_test(test_cli__bad_flag_value_names_flag),
        cmocka_unit_test(test_cli__missing_file_names_file),
        cmocka_unit_test(test_cli__usage_lists_every_flag),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
