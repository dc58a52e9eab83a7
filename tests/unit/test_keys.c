/*
 * test_keys.c: Redis key names and UTC bucket stamps of SPEC 5.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "proto/keys.h"

struct stamp_case {
    time_t t;
    const char *m, *h, *d;
};

static const struct stamp_case stamp_cases[] = {
    {0, "197001010000", "1970010100", "19700101"},
    {1700000000, "202311142213", "2023111422", "20231114"},
    {1700000039, "202311142213", "2023111422", "20231114"},
    {1700000040, "202311142214", "2023111422", "20231114"},
    {-1, "196912312359", "1969123123", "19691231"},
    {1709164800, "202402290000", "2024022900", "20240229"}, /* leap day */
    {951782400, "200002290000", "2000022900", "20000229"},
    {1704067199, "202312312359", "2023123123", "20231231"},
    {1704067200, "202401010000", "2024010100", "20240101"},
    {253402300799, "999912312359", "9999123123", "99991231"},
    {-62167219200, "000001010000", "0000010100", "00000101"},
};

static void test_keys__stamps_are_utc(void **state)
{
    char buf[KEYS_MAX];
    (void)state;

    for (size_t i = 0; i < sizeof stamp_cases / sizeof *stamp_cases; i++) {
        const struct stamp_case *c = &stamp_cases[i];

        assert_int_equal(keys_stamp(buf, sizeof buf, KEYS_MINUTE, c->t), 12);
        assert_string_equal(buf, c->m);
        assert_int_equal(keys_stamp(buf, sizeof buf, KEYS_HOUR, c->t), 10);
        assert_string_equal(buf, c->h);
        assert_int_equal(keys_stamp(buf, sizeof buf, KEYS_DAY, c->t), 8);
        assert_string_equal(buf, c->d);
    }
}

/* The local time zone must not leak into bucket names. */
static void test_keys__ignores_local_zone(void **state)
{
    char buf[KEYS_MAX];
    (void)state;

    setenv("TZ", "Pacific/Kiritimati", 1); /* UTC+14 */
    tzset();
    assert_int_equal(keys_stamp(buf, sizeof buf, KEYS_MINUTE, 1700000000), 12);
    assert_string_equal(buf, "202311142213");
    unsetenv("TZ");
    tzset();
}

static void test_keys__rejects_unrepresentable(void **state)
{
    char buf[KEYS_MAX];
    (void)state;

    /* Five-digit and negative years would not sort as strings. */
    assert_int_equal(keys_stamp(buf, sizeof buf, KEYS_DAY, 253402300800), -1);
    assert_int_equal(keys_stamp(buf, sizeof buf, KEYS_DAY, -62167219201), -1);
    assert_int_equal(keys_bucket(buf, sizeof buf, "bc", "s", 1, "tot", KEYS_DAY,
                                 253402300800),
                     -1);
    assert_int_equal(keys_series_field(buf, sizeof buf, KEYS_DAY, 253402300800),
                     -1);
    assert_int_equal(keys_stamp(buf, sizeof buf, (enum keys_gran)7, 0), -1);
}

static void test_keys__stamp_cap(void **state)
{
    char buf[16];
    (void)state;

    assert_int_equal(keys_stamp(buf, 12, KEYS_MINUTE, 0), -1);
    assert_int_equal(keys_stamp(buf, 13, KEYS_MINUTE, 0), 12);
    assert_int_equal(keys_stamp(buf, 8, KEYS_DAY, 0), -1);
    assert_int_equal(keys_stamp(buf, 9, KEYS_DAY, 0), 8);
    assert_int_equal(keys_stamp(buf, 0, KEYS_DAY, 0), -1);
}

static void test_keys__gran_letters(void **state)
{
    (void)state;

    assert_int_equal(keys_gran_letter(KEYS_MINUTE), 'm');
    assert_int_equal(keys_gran_letter(KEYS_HOUR), 'h');
    assert_int_equal(keys_gran_letter(KEYS_DAY), 'd');
}

struct bucket_case {
    const char *kind;
    enum keys_gran g;
    const char *want;
};

static const struct bucket_case bucket_cases[] = {
    {"tot", KEYS_MINUTE, "bc:{blog.example}:tot:m:202311142213"},
    {"tot", KEYS_HOUR, "bc:{blog.example}:tot:h:2023111422"},
    {"tot", KEYS_DAY, "bc:{blog.example}:tot:d:20231114"},
    {"uv", KEYS_HOUR, "bc:{blog.example}:uv:h:2023111422"},
    {"uv", KEYS_DAY, "bc:{blog.example}:uv:d:20231114"},
    {"pages", KEYS_DAY, "bc:{blog.example}:pages:d:20231114"},
    {"refs", KEYS_HOUR, "bc:{blog.example}:refs:h:2023111422"},
    {"utm", KEYS_DAY, "bc:{blog.example}:utm:d:20231114"},
    {"ev", KEYS_DAY, "bc:{blog.example}:ev:d:20231114"},
    {"dev", KEYS_DAY, "bc:{blog.example}:dev:d:20231114"},
    {"br", KEYS_MINUTE, "bc:{blog.example}:br:m:202311142213"},
};

static void test_keys__bucket_names(void **state)
{
    char buf[KEYS_MAX];
    (void)state;

    for (size_t i = 0; i < sizeof bucket_cases / sizeof *bucket_cases; i++) {
        const struct bucket_case *c = &bucket_cases[i];
        int n = keys_bucket(buf, sizeof buf, "bc", "blog.example", 12, c->kind,
                            c->g, 1700000000);

        assert_int_equal(n, (int)strlen(c->want));
        assert_string_equal(buf, c->want);
    }
}

/* The site is a (pointer, length) view: bytes past it are not used. */
static void test_keys__site_is_a_view(void **state)
{
    const char site[] = "shop-1.example and more";
    char buf[KEYS_MAX];
    (void)state;

    assert_int_equal(
        keys_bucket(buf, sizeof buf, "p", site, 14, "tot", KEYS_DAY, 0),
        (int)strlen("p:{shop-1.example}:tot:d:19700101"));
    assert_string_equal(buf, "p:{shop-1.example}:tot:d:19700101");
}

static void test_keys__site_of_64_chars(void **state)
{
    char site[65], buf[KEYS_MAX], want[KEYS_MAX];
    (void)state;

    memset(site, 'a', 64);
    site[64] = '\0';
    strcpy(want, "bc:{");
    strcat(want, site);
    strcat(want, "}:pages:m:197001010000");
    assert_int_equal(
        keys_bucket(buf, sizeof buf, "bc", site, 64, "pages", KEYS_MINUTE, 0),
        (int)strlen(want));
    assert_string_equal(buf, want);
    assert_true(strlen(want) < KEYS_MAX);
}

static void test_keys__too_small_is_an_error(void **state)
{
    char buf[KEYS_MAX];
    const char *want = "bc:{s}:tot:d:19700101";
    int len = (int)strlen(want);
    (void)state;

    assert_int_equal(
        keys_bucket(buf, (size_t)len, "bc", "s", 1, "tot", KEYS_DAY, 0), -1);
    assert_int_equal(
        keys_bucket(buf, (size_t)len + 1, "bc", "s", 1, "tot", KEYS_DAY, 0),
        len);
    assert_string_equal(buf, want);
    assert_int_equal(keys_sites(buf, 8, "bc"), -1); /* "bc:sites" is 8 */
    assert_int_equal(keys_sites(buf, 9, "bc"), 8);
    assert_int_equal(keys_series(buf, 10, "bc", "s", 1, KEYS_DAY, 0), -1);
    assert_int_equal(keys_applied(buf, 5, "bc", "s", 1, "i"), -1);
    assert_int_equal(keys_series_field(buf, 2, KEYS_DAY, 0), -1);
}

static void test_keys__series(void **state)
{
    char buf[KEYS_MAX];
    (void)state;

    assert_int_equal(
        keys_series(buf, sizeof buf, "bc", "site", 4, KEYS_DAY, 1700000000),
        (int)strlen("bc:{site}:series:d:20231114"));
    assert_string_equal(buf, "bc:{site}:series:d:20231114");
    assert_int_equal(
        keys_series(buf, sizeof buf, "bc", "site", 4, KEYS_HOUR, 1700000000),
        (int)strlen("bc:{site}:series:h:2023111422"));
    assert_string_equal(buf, "bc:{site}:series:h:2023111422");
    assert_int_equal(
        keys_series(buf, sizeof buf, "bc", "site", 4, KEYS_MINUTE, 1700000000),
        -1);

    assert_int_equal(keys_series_field(buf, 3, KEYS_DAY, 1700000000), 2);
    assert_string_equal(buf, "22");
    assert_int_equal(keys_series_field(buf, 3, KEYS_HOUR, 1700000000), 2);
    assert_string_equal(buf, "13");
    assert_int_equal(keys_series_field(buf, 3, KEYS_HOUR, 0), 2);
    assert_string_equal(buf, "00");
    assert_int_equal(keys_series_field(buf, 3, KEYS_DAY, -1), 2);
    assert_string_equal(buf, "23");
    assert_int_equal(keys_series_field(buf, 3, KEYS_MINUTE, 0), -1);
}

static void test_keys__sites_and_applied(void **state)
{
    char buf[KEYS_MAX];
    (void)state;

    assert_int_equal(keys_sites(buf, sizeof buf, "bc"), 8);
    assert_string_equal(buf, "bc:sites");
    assert_int_equal(keys_sites(buf, sizeof buf, "prod:eu"), 13);
    assert_string_equal(buf, "prod:eu:sites");
    assert_int_equal(keys_optout(buf, sizeof buf, "bc", "news", 4), 16);
    assert_string_equal(buf, "bc:{news}:optout");
    assert_int_equal(keys_optout(buf, 16, "bc", "news", 4), -1);
    assert_int_equal(
        keys_applied(buf, sizeof buf, "bc", "site", 4, "host-a:8080"),
        (int)strlen("bc:{site}:applied:host-a:8080"));
    assert_string_equal(buf, "bc:{site}:applied:host-a:8080");
}

static void test_keys__mail(void **state)
{
    char buf[KEYS_MAX];
    (void)state;

    assert_int_equal(keys_mail(buf, sizeof buf, "bc", "newsXX", 4, "spring-24XX",
                               9, "tot"),
                     28);
    assert_string_equal(buf, "bc:{news}:mail:spring-24:tot");
    keys_mail(buf, sizeof buf, "bc", "a.b", 3, "C.1", 3, "links");
    assert_string_equal(buf, "bc:{a.b}:mail:C.1:links");
    assert_int_equal(keys_mail(buf, 19, "bc", "news", 4, "c", 1, "uo"), -1);
    assert_int_equal(keys_mail(buf, 20, "bc", "news", 4, "c", 1, "uo"), 19);
    assert_string_equal(buf, "bc:{news}:mail:c:uo");
    assert_int_equal(keys_mail_index(buf, sizeof buf, "bc", "newsX", 4), 18);
    assert_string_equal(buf, "bc:{news}:mail:idx");
    assert_int_equal(keys_mail_index(buf, 18, "bc", "news", 4), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys__stamps_are_utc),
        cmocka_unit_test(test_keys__ignores_local_zone),
        cmocka_unit_test(test_keys__rejects_unrepresentable),
        cmocka_unit_test(test_keys__stamp_cap),
        cmocka_unit_test(test_keys__gran_letters),
        cmocka_unit_test(test_keys__bucket_names),
        cmocka_unit_test(test_keys__site_is_a_view),
        cmocka_unit_test(test_keys__site_of_64_chars),
        cmocka_unit_test(test_keys__too_small_is_an_error),
        cmocka_unit_test(test_keys__series),
        cmocka_unit_test(test_keys__sites_and_applied),
        cmocka_unit_test(test_keys__mail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
