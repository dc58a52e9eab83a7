/*
 * test_policy.c: the reloadable privacy policy (collector/privacy/policy.c)
 * built from a configuration: the defaults (shipped bot list, DNT and GPC
 * honoured, no trusted proxy), trusted_proxies, a bot_patterns file that
 * replaces the shipped list, the errors that name what is wrong, and a failing
 * allocator: policy.c, mail_policy.c and botlist.c are compiled into this file
 * with counting allocators (as test_botlist.c does), so every allocation of
 * policy_create can be made to fail in turn.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

/* ---- failing allocator -------------------------------------------------- */

static long alloc_budget = -1; /* allocations left; -1: no limit */
static long alloc_calls;       /* allocations asked for */

static int alloc_allowed(void)
{
    alloc_calls++;
    if (alloc_budget == 0) {
        return 0;
    }
    if (alloc_budget > 0) {
        alloc_budget--;
    }
    return 1;
}

static void *counted_malloc(size_t n)
{
    return alloc_allowed() ? malloc(n) : NULL;
}

static void *counted_calloc(size_t n, size_t size)
{
    return alloc_allowed() ? calloc(n, size) : NULL;
}

static void *counted_realloc(void *p, size_t n)
{
    return alloc_allowed() ? realloc(p, n) : NULL;
}

#define malloc counted_malloc
#define calloc counted_calloc
#define realloc counted_realloc
#include "collector/privacy/botlist.c"
#include "collector/mail/mail_policy.c"
#include "collector/privacy/policy.c"
#undef malloc
#undef calloc
#undef realloc

#define UA_FIREFOX                                                             \
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"
#define UA_CHROME                                                              \
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "    \
    "like Gecko) Chrome/126.0.0.0 Safari/537.36"
/* an HTTP library: a bot (curl and Wget are not, share/bot-patterns.txt) */
#define UA_LIBRARY "python-requests/2.31.0"
#define UA_GOOGLEBOT                                                           \
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

static struct config *cfg;

static int bot(const struct policy *p, const char *ua)
{
    return botlist_match(p->bots, ua, strlen(ua));
}

static struct ip_addr addr(const char *text)
{
    struct ip_addr a;
    assert_int_equal(ip_parse(&a, text, strlen(text)), 0);
    return a;
}

/* Writes text to a new temporary file; path gets its name. */
static void write_temp(char path[64], const char *text)
{
    snprintf(path, 64, "/tmp/test_policy_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
}

static void test_policy__defaults(void **state)
{
    (void)state;
    char err[CONFIG_ERR_LEN] = "untouched";
    char why[256];
    struct policy *p = policy_create(cfg, 7, err, sizeof(err));
    assert_non_null(p);

    assert_int_equal(p->gate.honor_dnt, 1);
    assert_int_equal(p->gate.honor_gpc, 1);
    assert_int_equal(p->trusted.n, 0);
    assert_int_equal(p->generation, 7);
    assert_null(p->next_retired);

    /* the shipped list, pattern for pattern */
    struct botlist *shipped = botlist_default(why, sizeof(why));
    assert_non_null(shipped);
    assert_non_null(p->bots);
    assert_true(botlist_count(p->bots) > 0);
    assert_int_equal(botlist_count(p->bots), botlist_count(shipped));
    botlist_destroy(shipped);

    assert_int_equal(bot(p, UA_LIBRARY), 1);
    assert_int_equal(bot(p, UA_GOOGLEBOT), 1);
    assert_int_equal(bot(p, ""), 1);
    assert_int_equal(bot(p, UA_FIREFOX), 0);
    assert_int_equal(bot(p, UA_CHROME), 0);

    /* no trusted proxy: nothing matches */
    struct ip_addr lo = addr("127.0.0.1");
    assert_int_equal(cidr_list_match(&p->trusted, &lo), 0);
    policy_destroy(p);
}

static void test_policy__honor_switches_follow_config(void **state)
{
    (void)state;
    char err[CONFIG_ERR_LEN];
    for (int dnt = 0; dnt <= 1; dnt++) {
        for (int gpc = 0; gpc <= 1; gpc++) {
            cfg->honor_dnt = dnt;
            cfg->honor_gpc = gpc;
            struct policy *p = policy_create(cfg, 1, err, sizeof(err));
            assert_non_null(p);
            assert_int_equal(p->gate.honor_dnt, dnt);
            assert_int_equal(p->gate.honor_gpc, gpc);
            policy_destroy(p);
        }
    }
}

static void test_policy__trusted_proxies(void **state)
{
    (void)state;
    char err[CONFIG_ERR_LEN];
    snprintf(cfg->trusted_proxies, sizeof(cfg->trusted_proxies),
             "10.0.0.0/8, 192.168.1.7 ::1, 2001:db8::/32");
    struct policy *p = policy_create(cfg, 1, err, sizeof(err));
    assert_non_null(p);
    assert_int_equal(p->trusted.n, 4);

    static const struct {
        const char *a;
        int in;
    } cases[] = {
        {"10.0.0.1", 1},    {"10.255.255.255", 1},  {"11.0.0.0", 0},
        {"192.168.1.7", 1}, {"192.168.1.8", 0},     {"::1", 1},
        {"::2", 0},         {"2001:db8::5", 1},     {"2001:db9::5", 0},
        {"127.0.0.1", 0},   {"::ffff:10.1.2.3", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ip_addr a = addr(cases[i].a);
        if (cidr_list_match(&p->trusted, &a) != cases[i].in) {
            print_error("%s\n", cases[i].a);
        }
        assert_int_equal(cidr_list_match(&p->trusted, &a), cases[i].in);
    }
    /* the rest still defaults */
    assert_int_equal(p->gate.honor_dnt, 1);
    assert_int_equal(p->gate.honor_gpc, 1);
    assert_int_equal(bot(p, UA_LIBRARY), 1);
    policy_destroy(p);
}

static void test_policy__bad_trusted_proxies(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "10.0.0.1/8",              /* host bits set */
        "10.0.0.0/33",             /* prefix too long */
        "not-an-address",          /* a name */
        "10.0.0.0/8,,",            /* empty entry */
        ",10.0.0.0/8",    "[::1]", /* brackets */
        "10.0.0.1:80",             /* port */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[CONFIG_ERR_LEN] = "";
        snprintf(cfg->trusted_proxies, sizeof(cfg->trusted_proxies), "%s",
                 bad[i]);
        struct policy *p = policy_create(cfg, 1, err, sizeof(err));
        if (p != NULL) {
            print_error("trusted_proxies \"%s\" accepted\n", bad[i]);
        }
        assert_null(p);
        if (strncmp(err, "trusted_proxies: ", 17) != 0 || strlen(err) <= 17) {
            print_error("trusted_proxies \"%s\": err \"%s\"\n", bad[i], err);
        }
        assert_int_equal(strncmp(err, "trusted_proxies: ", 17), 0);
        assert_true(strlen(err) > 17);
    }
    /* checked before the bot list: a missing file is not what is named */
    snprintf(cfg->bot_patterns, sizeof(cfg->bot_patterns),
             "/nonexistent/test_policy/bots.txt");
    char err[CONFIG_ERR_LEN] = "";
    assert_null(policy_create(cfg, 1, err, sizeof(err)));
    assert_int_equal(strncmp(err, "trusted_proxies: ", 17), 0);
}

/* A bot_patterns file replaces the shipped list as a whole. */
static void test_policy__bot_patterns_file_replaces_default(void **state)
{
    (void)state;
    char path[64], err[CONFIG_ERR_LEN];
    write_temp(path, "# only this\nMozilla\n");
    snprintf(cfg->bot_patterns, sizeof(cfg->bot_patterns), "%s", path);

    struct policy *p = policy_create(cfg, 2, err, sizeof(err));
    unlink(path);
    assert_non_null(p);
    assert_int_equal(botlist_count(p->bots), 1);
    assert_int_equal(bot(p, UA_FIREFOX), 1);
    assert_int_equal(bot(p, UA_CHROME), 1);
    assert_int_equal(bot(p, "mozilla"), 1);
    assert_int_equal(bot(p, UA_LIBRARY), 0); /* shipped, not in the file */
    assert_int_equal(bot(p, "python-requests/2.31"), 0);
    assert_int_equal(bot(p, ""), 1); /* empty: always a bot */
    assert_int_equal(p->generation, 2);
    policy_destroy(p);
}

/* An empty file is an empty list: only the empty user agent is a bot. */
static void test_policy__empty_bot_patterns_file(void **state)
{
    (void)state;
    char path[64], err[CONFIG_ERR_LEN];
    write_temp(path, "# nothing\n\n");
    snprintf(cfg->bot_patterns, sizeof(cfg->bot_patterns), "%s", path);

    struct policy *p = policy_create(cfg, 1, err, sizeof(err));
    unlink(path);
    assert_non_null(p);
    assert_int_equal(botlist_count(p->bots), 0);
    assert_int_equal(bot(p, UA_LIBRARY), 0);
    assert_int_equal(bot(p, UA_GOOGLEBOT), 0);
    assert_int_equal(bot(p, ""), 1);
    policy_destroy(p);
}

static void test_policy__missing_bot_patterns_file(void **state)
{
    (void)state;
    char err[CONFIG_ERR_LEN] = "";
    const char *path = "/nonexistent/test_policy/bots.txt";
    snprintf(cfg->bot_patterns, sizeof(cfg->bot_patterns), "%s", path);

    assert_null(policy_create(cfg, 1, err, sizeof(err)));
    if (strstr(err, path) == NULL) {
        print_error("err \"%s\" does not name %s\n", err, path);
    }
    assert_non_null(strstr(err, path));
    assert_int_equal(strncmp(err, "bot_patterns: ", 14), 0);
    assert_non_null(strstr(err, "No such file or directory"));
}

/* A file with a bad pattern: NULL, err names the file and the line. */
static void test_policy__bad_bot_patterns_file(void **state)
{
    (void)state;
    char path[64], err[CONFIG_ERR_LEN] = "", line[200];
    memset(line, 'x', 129);
    line[129] = '\0';
    char text[256];
    snprintf(text, sizeof(text), "curl\nwget\n%s\n", line);
    write_temp(path, text);
    snprintf(cfg->bot_patterns, sizeof(cfg->bot_patterns), "%s", path);

    struct policy *p = policy_create(cfg, 1, err, sizeof(err));
    unlink(path);
    assert_null(p);
    assert_int_equal(strncmp(err, "bot_patterns: ", 14), 0);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "line 3"));
}

/* Every allocation of policy_create fails in turn (the shipped list and a
 * file list): NULL with err set, nothing leaked (ASan's leak check in
 * make SANITIZER=address unit), and with enough memory it succeeds. */
static void test_policy__allocation_failures(void **state)
{
    (void)state;
    char path[64];
    write_temp(path, "Mozilla\ncurl/\n");
    for (int use_file = 0; use_file <= 1; use_file++) {
        config_defaults(cfg);
        snprintf(cfg->trusted_proxies, sizeof(cfg->trusted_proxies),
                 "10.0.0.0/8");
        if (use_file) {
            snprintf(cfg->bot_patterns, sizeof(cfg->bot_patterns), "%s", path);
        }
        /* how many allocations a successful create makes */
        char err[CONFIG_ERR_LEN];
        alloc_budget = -1;
        alloc_calls = 0;
        struct policy *p = policy_create(cfg, 1, err, sizeof(err));
        assert_non_null(p);
        policy_destroy(p);
        long needed = alloc_calls;
        assert_true(needed >= 2);

        for (long budget = 0; budget < needed; budget++) {
            snprintf(err, sizeof(err), "untouched");
            alloc_budget = budget;
            p = policy_create(cfg, 1, err, sizeof(err));
            alloc_budget = -1;
            if (p != NULL) {
                print_error("file=%d budget %ld of %ld: created\n", use_file,
                            budget, needed);
            }
            assert_null(p);
            assert_string_not_equal(err, "untouched");
            assert_non_null(strstr(err, "out of memory"));
            /* the bot list first, then the mail agent lists */
            if (budget > 0 && strncmp(err, "bot_patterns: ", 14) != 0 &&
                strncmp(err, "image_proxy_agents: ", 20) != 0 &&
                strncmp(err, "link scanners: ", 15) != 0) {
                fail_msg("budget %ld: %s", budget, err);
            }
        }
        alloc_budget = needed;
        p = policy_create(cfg, 1, err, sizeof(err));
        alloc_budget = -1;
        assert_non_null(p);
        policy_destroy(p);
    }
    unlink(path);
}

static void test_policy__destroy_null(void **state)
{
    (void)state;
    policy_destroy(NULL);
}

static int reset_config(void **state)
{
    (void)state;
    config_defaults(cfg);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    cfg = calloc(1, sizeof(*cfg));
    return cfg == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    free(cfg);
    return 0;
}

#define T(f) cmocka_unit_test_setup(f, reset_config)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_policy__defaults),
        T(test_policy__honor_switches_follow_config),
        T(test_policy__trusted_proxies),
        T(test_policy__bad_trusted_proxies),
        T(test_policy__bot_patterns_file_replaces_default),
        T(test_policy__empty_bot_patterns_file),
        T(test_policy__missing_bot_patterns_file),
        T(test_policy__bad_bot_patterns_file),
        T(test_policy__allocation_failures),
        T(test_policy__destroy_null),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
