/*
 * useragent.h: device class and browser family from a User-Agent header,
 * by substring tests (no regular expressions on the hit path).
 */
#ifndef BEACON_USERAGENT_H
#define BEACON_USERAGENT_H

#include <stddef.h>

enum ua_device {
    UA_DEVICE_DESKTOP,
    UA_DEVICE_MOBILE,
    UA_DEVICE_TABLET,
    UA_DEVICE_OTHER,
    UA_DEVICE_COUNT
};

enum ua_browser {
    UA_BROWSER_CHROME,
    UA_BROWSER_FIREFOX,
    UA_BROWSER_SAFARI,
    UA_BROWSER_EDGE,
    UA_BROWSER_OPERA,
    UA_BROWSER_SAMSUNG,
    UA_BROWSER_YANDEX,
    UA_BROWSER_IE,
    UA_BROWSER_OTHER,
    UA_BROWSER_COUNT
};

struct ua_class {
    enum ua_device device;
    enum ua_browser browser;
};

/* Classifies ua[0..len) (not NUL-terminated; may be empty). */
struct ua_class ua_classify(const char *ua, size_t len);

/* Redis member names: "desktop" "mobile" "tablet" "other". */
const char *ua_device_name(enum ua_device d);

/* Redis member names: "chrome" "firefox" "safari" "edge" "opera"
 * "samsung" "yandex" "ie" "other". */
const char *ua_browser_name(enum ua_browser b);

#endif
