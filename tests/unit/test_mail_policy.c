/*
 * test_mail_policy.c: the e-mail settings of the policy: open classes
 * (SPEC 4) over a table of real user agents and addresses, the configured
 * ranges and agents replacing the defaults, link keys by id, and the
 * errors of bad lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "config/config.h"
#include "collector/mail/mail_policy.h"

static struct config cfg;

static void set(const char *key, const char *value)
{
    char err[256];
    if (config_set(&cfg, "mail", key, value, err, sizeof(err)) < 0) {
        fail_msg("%s = %s: %s", key, value, err);
    }
}

static int setup(void **state)
{
    (void)state;
    config_defaults(&cfg);
    return sodium_init() < 0 ? -1 : 0;
}

static struct ip_addr addr(const char *s)
{
    struct ip_addr a;
    assert_int_equal(ip_parse(&a, s, strlen(s)), 0);
    return a;
}

#define APPLE_MAIL                                                             \
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "   \
    "(KHTML, like Gecko)"
#define GMAIL                                                                  \
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via "           \
    "ggpht.com GoogleImageProxy)"
#define YAHOO                                                                  \
    "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html"
#define OUTLOOK                                                                \
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; "  \
    "Pro)"

static const struct {
    int head;
    const char *addr, *ua;
    enum counts_open_class want;
} rows[] = {
    {0, "198.51.100.7", APPLE_MAIL, COUNTS_OPEN_HUMAN},
    {0, "2001:db8::1", OUTLOOK, COUNTS_OPEN_HUMAN},
    {0, "198.51.100.7", "", COUNTS_OPEN_HUMAN}, /* the bot gate decides */
    {0, "198.51.100.7", "python-requests/2.31", COUNTS_OPEN_HUMAN},
    /* Apple's Mail Privacy Protection: 17.0.0.0/8, whatever the agent */
    {0, "17.58.63.1", "Mozilla/5.0", COUNTS_OPEN_MACHINE},
    {0, "17.0.0.0", APPLE_MAIL, COUNTS_OPEN_MACHINE},
    {0, "17.255.255.255", GMAIL, COUNTS_OPEN_MACHINE},
    {0, "::ffff:17.1.2.3", APPLE_MAIL, COUNTS_OPEN_MACHINE},
    {0, "16.255.255.255", APPLE_MAIL, COUNTS_OPEN_HUMAN},
    {0, "18.0.0.0", APPLE_MAIL, COUNTS_OPEN_HUMAN},
    /* image proxies */
    {0, "66.249.84.1", GMAIL, COUNTS_OPEN_PROXY},
    {0, "98.136.1.1", YAHOO, COUNTS_OPEN_PROXY},
    {0, "98.136.1.1", "yahoomailproxy", COUNTS_OPEN_PROXY},
    /* scanners: HEAD first, then link-scanner agents */
    {1, "198.51.100.7", APPLE_MAIL, COUNTS_OPEN_SCANNER},
    {1, "17.58.63.1", "Mozilla/5.0", COUNTS_OPEN_SCANNER},
    {1, "66.249.84.1", GMAIL, COUNTS_OPEN_SCANNER},
    {0, "203.0.113.5", "Mozilla/5.0 (compatible; Mimecast URL Protect)",
     COUNTS_OPEN_SCANNER},
    {0, "203.0.113.5", "Mozilla/5.0 (compatible; Barracuda Sentinel (EE))",
     COUNTS_OPEN_SCANNER},
    {0, "203.0.113.5", "Proofpoint URL Defense", COUNTS_OPEN_SCANNER},
    {0, "203.0.113.5", "Acme Link Scanner/1.0", COUNTS_OPEN_SCANNER},
};

static void test_mail_policy__classify_defaults(void **state)
{
    struct mail_policy m;
    char err[256];
    (void)state;

    assert_int_equal(mail_policy_init(&m, &cfg, err, sizeof(err)), 0);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct ip_addr a = addr(rows[i].addr);
        enum counts_open_class got = mail_policy_classify(
            &m, rows[i].head, &a, span_make(rows[i].ua, strlen(rows[i].ua)));
        if (got != rows[i].want) {
            fail_msg("row %zu (%s, %s): %s, want %s", i, rows[i].addr,
                     rows[i].ua, counts_open_class_name(got),
                     counts_open_class_name(rows[i].want));
        }
    }
    assert_true(mail_policy_is_scanner(&m, SPAN_LIT("x Mimecast y")));
    assert_false(mail_policy_is_scanner(&m, SPAN_LIT(APPLE_MAIL)));
    assert_false(mail_policy_is_scanner(&m, SPAN_LIT("")));
    mail_policy_deinit(&m);
}

/* The configured lists replace the defaults; an empty agent list means
 * no image proxy at all. */
static void test_mail_policy__configured_lists(void **state)
{
    struct mail_policy m;
    char err[256];
    struct ip_addr apple = addr("17.58.63.1");
    struct ip_addr mine = addr("192.0.2.77");
    struct ip_addr v6 = addr("2001:db8:5::9");
    (void)state;

    set("mail_proxy_cidrs", "192.0.2.0/24, 2001:db8:5::/48");
    set("image_proxy_agents", "AcmeImageFetcher, Other Proxy");
    assert_int_equal(mail_policy_init(&m, &cfg, err, sizeof(err)), 0);
    assert_int_equal(mail_policy_classify(&m, 0, &apple, SPAN_LIT("x")),
                     COUNTS_OPEN_HUMAN);
    assert_int_equal(mail_policy_classify(&m, 0, &mine, SPAN_LIT("x")),
                     COUNTS_OPEN_MACHINE);
    assert_int_equal(mail_policy_classify(&m, 0, &v6, SPAN_LIT("x")),
                     COUNTS_OPEN_MACHINE);
    assert_int_equal(mail_policy_classify(&m, 0, &apple, SPAN_LIT(GMAIL)),
                     COUNTS_OPEN_HUMAN);
    assert_int_equal(
        mail_policy_classify(&m, 0, &apple, SPAN_LIT("acmeimagefetcher/2")),
        COUNTS_OPEN_PROXY);
    assert_int_equal(
        mail_policy_classify(&m, 0, &apple, SPAN_LIT("via Other Proxy")),
        COUNTS_OPEN_PROXY);
    mail_policy_deinit(&m);

    set("mail_proxy_cidrs", "");
    set("image_proxy_agents", " , ");
    assert_int_equal(mail_policy_init(&m, &cfg, err, sizeof(err)), 0);
    assert_null(m.image_proxies);
    assert_int_equal(mail_policy_classify(&m, 0, &mine, SPAN_LIT(GMAIL)),
                     COUNTS_OPEN_HUMAN);
    mail_policy_deinit(&m);
    config_defaults(&cfg);
}

/* A pattern the agent list cannot hold is an error naming the key. */
static void test_mail_policy__bad_agents(void **state)
{
    struct mail_policy m;
    char err[256] = "";
    char long_agent[200];
    (void)state;

    memset(long_agent, 'a', sizeof(long_agent) - 1);
    long_agent[sizeof(long_agent) - 1] = '\0';
    snprintf(cfg.image_proxy_agents, sizeof(cfg.image_proxy_agents), "%s",
             long_agent);
    assert_int_equal(mail_policy_init(&m, &cfg, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "image_proxy_agents"));
    assert_null(m.image_proxies);
    assert_null(m.scanners);
    config_defaults(&cfg);
}

static void test_mail_policy__link_keys(void **state)
{
    struct mail_policy m;
    char err[256];
    unsigned char k1[32];
    (void)state;

    for (int i = 0; i < 32; i++) {
        k1[i] = (unsigned char)i;
    }
    assert_int_equal(mail_policy_init(&m, &cfg, err, sizeof(err)), 0);
    assert_int_equal(m.n_keys, 0);
    assert_null(mail_policy_key(&m, SPAN_LIT("k1")));
    mail_policy_deinit(&m);

    set("link_keys",
        "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f,"
        " 2026-b:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm8=");
    assert_int_equal(mail_policy_init(&m, &cfg, err, sizeof(err)), 0);
    assert_int_equal(m.n_keys, 2);
    /* each id holds its own key: a signature made with the raw bytes
     * verifies under that id only */
    const char *msg = "v1\ns\nc\nl\nhttps://x.example/\n";
    char sig1[CLICKLINK_SIG_LEN + 1], sig2[CLICKLINK_SIG_LEN + 1];
    clicklink_sign(sig1, k1, 32, msg, strlen(msg));
    static const char k2[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno";
    clicklink_sign(sig2, (const unsigned char *)k2, 41, msg, strlen(msg));
    const struct mail_link_key *k = mail_policy_key(&m, SPAN_LIT("k1"));
    assert_non_null(k);
    assert_true(clicklink_verify_with(sig1, strlen(sig1), &k->ready, msg,
                                      strlen(msg)));
    assert_false(clicklink_verify_with(sig2, strlen(sig2), &k->ready, msg,
                                       strlen(msg)));
    k = mail_policy_key(&m, SPAN_LIT("2026-b"));
    assert_non_null(k);
    assert_true(clicklink_verify_with(sig2, strlen(sig2), &k->ready, msg,
                                      strlen(msg)));
    assert_null(mail_policy_key(&m, SPAN_LIT("k")));
    assert_null(mail_policy_key(&m, SPAN_LIT("k1 ")));
    assert_null(mail_policy_key(&m, SPAN_LIT("K1")));
    mail_policy_deinit(&m);
    /* deinit wipes the keys */
    unsigned char zero[sizeof(m.keys)] = {0};
    assert_memory_equal(m.keys, zero, sizeof(zero));
    assert_int_equal(m.n_keys, 0);
    config_defaults(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mail_policy__classify_defaults),
        cmocka_unit_test(test_mail_policy__configured_lists),
        cmocka_unit_test(test_mail_policy__bad_agents),
        cmocka_unit_test(test_mail_policy__link_keys),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
