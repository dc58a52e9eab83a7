/*
 * useragent.c: device class and browser family by substring tests.
 *
 * User agents lie by accretion: every Chromium browser also says
 * "Chrome/" and "Safari/", every iOS browser says "Safari/", iPads say
 * "Mobile/". So the tables are ordered: the first rule that matches wins,
 * and the more specific token always comes before the one it imitates.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include "proto/useragent.h"

#include <string.h>

struct ua_browser_rule {
    const char *token;
    enum ua_browser browser;
};

static const struct ua_browser_rule ua_browser_rules[] = {
    /* Chromium derivatives: before "Chrome/". */
    {"Edg/", UA_BROWSER_EDGE},    /* Edge on Windows, macOS, Linux */
    {"EdgA/", UA_BROWSER_EDGE},   /* Edge on Android */
    {"EdgiOS/", UA_BROWSER_EDGE}, /* Edge on iOS */
    {"Edge/", UA_BROWSER_EDGE},   /* EdgeHTML, before 2020 */
    {"OPR/", UA_BROWSER_OPERA},   /* Opera, Opera GX */
    {"OPT/", UA_BROWSER_OPERA},   /* Opera Touch */
    {"OPiOS/", UA_BROWSER_OPERA}, /* Opera on iOS */
    {"Opera", UA_BROWSER_OPERA},  /* Presto, Opera Mini */
    {"SamsungBrowser/", UA_BROWSER_SAMSUNG},
    {"YaBrowser/", UA_BROWSER_YANDEX},
    {"YaSearchBrowser/", UA_BROWSER_YANDEX},
    {"MSIE ", UA_BROWSER_IE},    /* IE up to 10 */
    {"Trident/", UA_BROWSER_IE}, /* IE 11 */
    /* iOS wrappers say "Safari/": before it. */
    {"Firefox/", UA_BROWSER_FIREFOX},
    {"FxiOS/", UA_BROWSER_FIREFOX},
    {"Chrome/", UA_BROWSER_CHROME},
    {"CriOS/", UA_BROWSER_CHROME},
    {"Chromium/", UA_BROWSER_CHROME},
    {"Safari/", UA_BROWSER_SAFARI},
};

struct ua_device_rule {
    const char *token;
    const char *unless; /* NULL, or a token that makes the rule not apply */
    enum ua_device device;
};

static const struct ua_device_rule ua_device_rules[] = {
    /* iPads say "Mobile/" too: before the phones. */
    {"iPad", NULL, UA_DEVICE_TABLET},
    {"iPhone", NULL, UA_DEVICE_MOBILE},
    {"iPod", NULL, UA_DEVICE_MOBILE},
    {"Windows Phone", NULL, UA_DEVICE_MOBILE}, /* also says "Android" */
    {"Mobi", NULL, UA_DEVICE_MOBILE},          /* "Mobile", Opera "Mobi" */
    {"Opera Mini", NULL, UA_DEVICE_MOBILE},    /* says "Android", no "Mobi" */
    /* Android phones said "Mobile" above; what is left is a tablet. */
    {"Android", "Mobile", UA_DEVICE_TABLET},
    {"Tablet", "Tablet PC", UA_DEVICE_TABLET}, /* Firefox on Android tablets;
                                                  "Tablet PC" is Windows */
    {"Kindle", NULL, UA_DEVICE_TABLET},
    {"Silk/", NULL, UA_DEVICE_TABLET},
    /* Android says "Linux" too: the desktops come last. */
    {"Windows NT", NULL, UA_DEVICE_DESKTOP},
    {"Macintosh", NULL, UA_DEVICE_DESKTOP}, /* iPadOS asks for desktop pages
                                               this way: cannot tell */
    {"X11", NULL, UA_DEVICE_DESKTOP},
    {"Linux", NULL, UA_DEVICE_DESKTOP},
    {"CrOS", NULL, UA_DEVICE_DESKTOP},
};

static const char *const ua_device_names[UA_DEVICE_COUNT] = {
    [UA_DEVICE_DESKTOP] = "desktop",
    [UA_DEVICE_MOBILE] = "mobile",
    [UA_DEVICE_TABLET] = "tablet",
    [UA_DEVICE_OTHER] = "other",
};

static const char *const ua_browser_names[UA_BROWSER_COUNT] = {
    [UA_BROWSER_CHROME] = "chrome", [UA_BROWSER_FIREFOX] = "firefox",
    [UA_BROWSER_SAFARI] = "safari", [UA_BROWSER_EDGE] = "edge",
    [UA_BROWSER_OPERA] = "opera",   [UA_BROWSER_SAMSUNG] = "samsung",
    [UA_BROWSER_YANDEX] = "yandex", [UA_BROWSER_IE] = "ie",
    [UA_BROWSER_OTHER] = "other",
};

#define UA_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int ua_has(const char *ua, size_t len, const char *token)
{
    return len > 0 && memmem(ua, len, token, strlen(token)) != NULL;
}

struct ua_class ua_classify(const char *ua, size_t len)
{
    struct ua_class c = {UA_DEVICE_OTHER, UA_BROWSER_OTHER};
    size_t i;

    for (i = 0; i < UA_COUNT(ua_device_rules); i++) {
        const struct ua_device_rule *r = &ua_device_rules[i];

        if (ua_has(ua, len, r->token) &&
            (r->unless == NULL || !ua_has(ua, len, r->unless))) {
            c.device = r->device;
            break;
        }
    }
    for (i = 0; i < UA_COUNT(ua_browser_rules); i++) {
        if (ua_has(ua, len, ua_browser_rules[i].token)) {
            c.browser = ua_browser_rules[i].browser;
            break;
        }
    }
    return c;
}

const char *ua_device_name(enum ua_device d)
{
    if ((unsigned)d >= UA_DEVICE_COUNT) {
        return ua_device_names[UA_DEVICE_OTHER];
    }
    return ua_device_names[d];
}

const char *ua_browser_name(enum ua_browser b)
{
    if ((unsigned)b >= UA_BROWSER_COUNT) {
        return ua_browser_names[UA_BROWSER_OTHER];
    }
    return ua_browser_names[b];
}
