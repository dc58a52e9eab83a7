/*
 * test_useragent.c: ua_classify against real user agents of current
 * browsers, and the member names the aggregates use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/useragent.h"

struct ua_case {
    const char *ua;
    enum ua_device device;
    enum ua_browser browser;
};

#define DESKTOP UA_DEVICE_DESKTOP
#define MOBILE UA_DEVICE_MOBILE
#define TABLET UA_DEVICE_TABLET
#define OTHER_DEV UA_DEVICE_OTHER

static const struct ua_case ua_cases[] = {
    /* ---- desktop ---- */
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
     "like Gecko) Chrome/124.0.0.0 Safari/537.36",
     DESKTOP, UA_BROWSER_CHROME},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
     DESKTOP, UA_BROWSER_CHROME},
    {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36",
     DESKTOP, UA_BROWSER_CHROME},
    {"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, "
     "like Gecko) Chrome/124.0.0.0 Safari/537.36",
     DESKTOP, UA_BROWSER_CHROME},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
     "like Gecko) Chrome/124.0.0.0 Safari/537.36 Vivaldi/6.7.3329.21",
     DESKTOP, UA_BROWSER_CHROME},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 "
     "Firefox/125.0",
     DESKTOP, UA_BROWSER_FIREFOX},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 "
     "Firefox/125.0",
     DESKTOP, UA_BROWSER_FIREFOX},
    {"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
     DESKTOP, UA_BROWSER_FIREFOX},
    {"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 "
     "Firefox/125.0",
     DESKTOP, UA_BROWSER_FIREFOX},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
     DESKTOP, UA_BROWSER_SAFARI},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
     "like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
     DESKTOP, UA_BROWSER_EDGE},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
     DESKTOP, UA_BROWSER_EDGE},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
     "like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19582",
     DESKTOP, UA_BROWSER_EDGE},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
     "like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/109.0.0.0",
     DESKTOP, UA_BROWSER_OPERA},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
     "like Gecko) Chrome/122.0.0.0 YaBrowser/24.4.0.0 Safari/537.36",
     DESKTOP, UA_BROWSER_YANDEX},
    {"Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
     DESKTOP, UA_BROWSER_IE},
    {"Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)",
     DESKTOP, UA_BROWSER_IE},
    /* "Tablet PC" is a Windows feature, not a tablet. */
    {"Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0; SLCC2; "
     ".NET CLR 2.0.50727; Media Center PC 6.0; Tablet PC 2.0)",
     DESKTOP, UA_BROWSER_IE},
    /* iPadOS asking for desktop pages: indistinguishable from a Mac. */
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.4 Safari/605.1.15",
     DESKTOP, UA_BROWSER_SAFARI},

    /* ---- mobile ---- */
    {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
     MOBILE, UA_BROWSER_CHROME},
    {"Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) "
     "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/118.0.0.0 "
     "Mobile Safari/537.36",
     MOBILE, UA_BROWSER_CHROME},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) "
     "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 "
     "Safari/604.1",
     MOBILE, UA_BROWSER_SAFARI},
    {"Mozilla/5.0 (iPod touch; CPU iPhone OS 15_7 like Mac OS X) "
     "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6 Mobile/15E148 "
     "Safari/604.1",
     MOBILE, UA_BROWSER_SAFARI},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
     "AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 "
     "Mobile/15E148 Safari/604.1",
     MOBILE, UA_BROWSER_CHROME},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) "
     "AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/125.0 Mobile/15E148 "
     "Safari/605.1.15",
     MOBILE, UA_BROWSER_FIREFOX},
    {"Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0",
     MOBILE, UA_BROWSER_FIREFOX},
    {"Mozilla/5.0 (Linux; Android 14; SM-S928B) AppleWebKit/537.36 (KHTML, "
     "like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile "
     "Safari/537.36",
     MOBILE, UA_BROWSER_SAMSUNG},
    {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 EdgA/124.0.2478.64",
     MOBILE, UA_BROWSER_EDGE},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
     "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 "
     "EdgiOS/124.2478.50 Mobile/15E148 Safari/605.1.15",
     MOBILE, UA_BROWSER_EDGE},
    {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 OPR/81.1.4292.78547",
     MOBILE, UA_BROWSER_OPERA},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
     "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 "
     "Safari/604.1 OPT/4.5.1",
     MOBILE, UA_BROWSER_OPERA},
    {"Opera/9.80 (Android; Opera Mini/36.2.2254/119.132; U; id) "
     "Presto/2.12.423 Version/12.16",
     MOBILE, UA_BROWSER_OPERA},
    {"Mozilla/5.0 (Linux; Android 13; SM-A515F) AppleWebKit/537.36 (KHTML, "
     "like Gecko) Chrome/122.0.6261.128 YaBrowser/24.4.1.95.00 SA/3 Mobile "
     "Safari/537.36",
     MOBILE, UA_BROWSER_YANDEX},
    {"Mozilla/5.0 (Mobile; Windows Phone 8.1; Android 4.0; ARM; Trident/7.0; "
     "Touch; rv:11.0; IEMobile/11.0; NOKIA; Lumia 635) like iPhone OS 7_0_3 "
     "Mac OS X AppleWebKit/537 (KHTML, like Gecko) Mobile Safari/537",
     MOBILE, UA_BROWSER_IE},

    /* ---- tablet ---- */
    {"Mozilla/5.0 (iPad; CPU OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
     TABLET, UA_BROWSER_SAFARI},
    {"Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
     TABLET, UA_BROWSER_CHROME},
    {"Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.0 EdgiOS/124.2478.50 Mobile/15E148 "
     "Safari/605.1.15",
     TABLET, UA_BROWSER_EDGE},
    {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/124.0.0.0 Safari/537.36",
     TABLET, UA_BROWSER_CHROME},
    {"Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, "
     "like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Safari/537.36",
     TABLET, UA_BROWSER_SAMSUNG},
    {"Mozilla/5.0 (Android 14; Tablet; rv:125.0) Gecko/125.0 Firefox/125.0",
     TABLET, UA_BROWSER_FIREFOX},
    {"Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Silk/124.2.5 like Chrome/124.0.6367.118 Safari/537.36",
     TABLET, UA_BROWSER_CHROME},

    /* ---- neither ---- */
    {"", OTHER_DEV, UA_BROWSER_OTHER},
    {"curl/8.5.0", OTHER_DEV, UA_BROWSER_OTHER},
    {"python-requests/2.31.0", OTHER_DEV, UA_BROWSER_OTHER},
    {"Mozilla/5.0 (compatible; Googlebot/2.1; "
     "+http://www.google.com/bot.html)",
     OTHER_DEV, UA_BROWSER_OTHER},
};

static void test_useragent__classifies_real_agents(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof ua_cases / sizeof *ua_cases; i++) {
        const struct ua_case *c = &ua_cases[i];
        struct ua_class got = ua_classify(c->ua, strlen(c->ua));

        if (got.device != c->device || got.browser != c->browser) {
            fail_msg("case %zu: got %s/%s, want %s/%s: %s", i,
                     ua_device_name(got.device), ua_browser_name(got.browser),
                     ua_device_name(c->device), ua_browser_name(c->browser),
                     c->ua);
        }
    }
}

static void test_useragent__covers_every_class(void **state)
{
    int dev[UA_DEVICE_COUNT] = {0}, br[UA_BROWSER_COUNT] = {0};
    (void)state;

    for (size_t i = 0; i < sizeof ua_cases / sizeof *ua_cases; i++) {
        dev[ua_cases[i].device]++;
        br[ua_cases[i].browser]++;
    }
    for (int i = 0; i < UA_DEVICE_COUNT; i++) {
        assert_true(dev[i] > 0);
    }
    for (int i = 0; i < UA_BROWSER_COUNT; i++) {
        assert_true(br[i] > 0);
    }
    assert_true(sizeof ua_cases / sizeof *ua_cases >= 30);
}

/* Tokens past len are not there. */
static void test_useragent__stops_at_len(void **state)
{
    const char ua[] = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)"
                      " Version/17.0 Mobile/15E148 Safari/604.1";
    struct ua_class c;
    (void)state;

    c = ua_classify(ua, 13);
    assert_int_equal(c.device, UA_DEVICE_OTHER);
    assert_int_equal(c.browser, UA_BROWSER_OTHER);
    c = ua_classify(ua, 18); /* "...(iPhon" */
    assert_int_equal(c.device, UA_DEVICE_OTHER);
    c = ua_classify(ua, 19);
    assert_int_equal(c.device, UA_DEVICE_MOBILE);
    assert_int_equal(c.browser, UA_BROWSER_OTHER);
    c = ua_classify(ua, sizeof ua - 7);
    assert_int_equal(c.browser, UA_BROWSER_OTHER); /* "Safari" without '/' */
    c = ua_classify(ua, sizeof ua - 1);
    assert_int_equal(c.browser, UA_BROWSER_SAFARI);
    c = ua_classify(NULL, 0);
    assert_int_equal(c.device, UA_DEVICE_OTHER);
    assert_int_equal(c.browser, UA_BROWSER_OTHER);
}

/* Case matters: these are product tokens, not words. */
static void test_useragent__tokens_are_case_sensitive(void **state)
{
    struct ua_class c = ua_classify("IPHONE CHROME/1", 15);
    (void)state;

    assert_int_equal(c.device, UA_DEVICE_OTHER);
    assert_int_equal(c.browser, UA_BROWSER_OTHER);
}

static void test_useragent__names(void **state)
{
    static const char *const devices[] = {"desktop", "mobile", "tablet",
                                          "other"};
    static const char *const browsers[] = {
        "chrome",  "firefox", "safari", "edge",  "opera",
        "samsung", "yandex",  "ie",     "other",
    };
    (void)state;

    for (int i = 0; i < UA_DEVICE_COUNT; i++) {
        assert_string_equal(ua_device_name((enum ua_device)i), devices[i]);
    }
    for (int i = 0; i < UA_BROWSER_COUNT; i++) {
        assert_string_equal(ua_browser_name((enum ua_browser)i), browsers[i]);
    }
    assert_string_equal(ua_device_name(UA_DEVICE_COUNT), "other");
    assert_string_equal(ua_browser_name(UA_BROWSER_COUNT), "other");
    assert_string_equal(ua_device_name((enum ua_device) - 1), "other");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_useragent__classifies_real_agents),
        cmocka_unit_test(test_useragent__covers_every_class),
        cmocka_unit_test(test_useragent__stops_at_len),
        cmocka_unit_test(test_useragent__tokens_are_case_sensitive),
        cmocka_unit_test(test_useragent__names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
