/*
 * test_ua_cache.c: the cache answers exactly what ua_classify and
 * botlist_match answer, for hits, misses, slot collisions, agents too long
 * to cache, and after the bot list changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/privacy/botlist.h"
#include "collector/privacy/ua_cache.h"

static const char *const agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 "
    "Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, "
    "like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Safari/537.36",
    "curl/8.5.0",
};

#define N_AGENTS (sizeof(agents) / sizeof(agents[0]))

static struct botlist *bots;

static void assert_same_with(struct ua_cache *c, const struct botlist *b,
                             const char *ua, size_t len)
{
    struct ua_class want = ua_classify(ua, len);
    struct ua_info got = ua_cache_lookup(c, b, b == bots ? 1 : 2, ua, len);
    assert_int_equal(got.cls.device, want.device);
    assert_int_equal(got.cls.browser, want.browser);
    assert_int_equal(got.bot, botlist_match(b, ua, len));
}

static void assert_same(struct ua_cache *c, const char *ua, size_t len)
{
    assert_same_with(c, bots, ua, len);
}

static void test_ua_cache__same_answer_on_miss_and_hit(void **state)
{
    (void)state;
    struct ua_cache *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < N_AGENTS; i++) {
            assert_same(c, agents[i], strlen(agents[i]));
        }
    }
    free(c);
}

/* Thousands of distinct agents share 512 slots: every answer is still the
 * classification of the bytes asked about, never of a slot's old tenant. */
static void test_ua_cache__collisions_never_answer_another_agent(void **state)
{
    (void)state;
    struct ua_cache *c = calloc(1, sizeof(*c));
    char ua[128];
    assert_non_null(c);
    for (int i = 0; i < 5000; i++) {
        const char *base = agents[i % N_AGENTS];
        int n = snprintf(ua, sizeof(ua), "%.100s %d", base, i);
        assert_same(c, ua, (size_t)n);
        assert_same(c, agents[(i + 1) % N_AGENTS],
                    strlen(agents[(i + 1) % N_AGENTS]));
    }
    free(c);
}

static void test_ua_cache__empty_and_overlong_agents(void **state)
{
    (void)state;
    struct ua_cache *c = calloc(1, sizeof(*c));
    char *big = malloc(UA_CACHE_MAX_LEN + 50);
    assert_non_null(c);
    assert_non_null(big);
    assert_same(c, "", 0);
    memset(big, 'x', UA_CACHE_MAX_LEN + 50);
    memcpy(big, "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X)", 45);
    assert_same(c, big, UA_CACHE_MAX_LEN + 50);
    assert_same(c, big, UA_CACHE_MAX_LEN);
    assert_same(c, big, UA_CACHE_MAX_LEN + 1);
    free(big);
    free(c);
}

/* A reloaded list: verdicts cached under the old one are not reused. */
static void test_ua_cache__new_bot_list_empties_cache(void **state)
{
    (void)state;
    char err[128];
    const char *ua = agents[0];
    struct ua_cache *c = calloc(1, sizeof(*c));
    struct botlist *chrome = botlist_create("Chrome/\n", 8, err, sizeof(err));
    assert_non_null(c);
    assert_non_null(chrome);
    assert_int_equal(ua_cache_lookup(c, bots, 1, ua, strlen(ua)).bot, 0);
    assert_int_equal(ua_cache_lookup(c, chrome, 2, ua, strlen(ua)).bot, 1);
    assert_int_equal(ua_cache_lookup(c, bots, 3, ua, strlen(ua)).bot, 0);
    botlist_destroy(chrome);
    free(c);
}

static int setup(void **state)
{
    char err[128];
    (void)state;
    bots = botlist_default(err, sizeof(err));
    return bots == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    botlist_destroy(bots);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ua_cache__same_answer_on_miss_and_hit),
        cmocka_unit_test(test_ua_cache__collisions_never_answer_another_agent),
        cmocka_unit_test(test_ua_cache__empty_and_overlong_agents),
        cmocka_unit_test(test_ua_cache__new_bot_list_empties_cache),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
