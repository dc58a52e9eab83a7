/*
 * test_botlist.c: the bot list: a corpus of real user agents against the
 * shipped list (browsers must pass, crawlers, monitors, headless browsers
 * and HTTP libraries must not), pattern file syntax, the automaton's
 * failure links against a naive search, and allocation failures.
 *
 * botlist.c is compiled into this file, with its allocator calls routed
 * through a counter that can be told to fail (the cmocka way of testing a
 * unit's out-of-memory paths without touching the library build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* ---- failing allocator -------------------------------------------------- */

static long alloc_budget = -1; /* allocations left; -1: no limit */

static int alloc_allowed(void)
{
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
#undef malloc
#undef calloc
#undef realloc

/* ---- helpers ------------------------------------------------------------ */

static struct botlist *compile(const char *text)
{
    char err[256];
    struct botlist *b = botlist_create(text, strlen(text), err, sizeof err);

    if (b == NULL) {
        fail_msg("compile failed: %s", err);
    }
    return b;
}

static int match(const struct botlist *b, const char *ua)
{
    return botlist_match(b, ua, strlen(ua));
}

/* The reference: lower-case both and look for each pattern. */
static int naive_match(const char *const *pats, size_t npats, const char *ua,
                       size_t len)
{
    if (len == 0) {
        return 1;
    }
    for (size_t k = 0; k < npats; k++) {
        size_t m = strlen(pats[k]);

        for (size_t i = 0; m <= len && i <= len - m; i++) {
            size_t j = 0;

            while (j < m && botlist_fold((unsigned char)ua[i + j]) ==
                                botlist_fold((unsigned char)pats[k][j])) {
                j++;
            }
            if (j == m) {
                return 1;
            }
        }
    }
    return 0;
}

/* ---- the corpus --------------------------------------------------------- */

struct ua_case {
    int bot;
    const char *ua;
};

#define CHROME_WIN                                                             \
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "   \
    "like Gecko) Chrome/124.0.0.0 Safari/537.36"

static const struct ua_case corpus[] = {
    /* Chrome (and Brave, Arc: same string) */
    {0, CHROME_WIN},
    {0, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"},
    {0, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/124.0.0.0 Safari/537.36"},
    {0, "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/124.0.0.0 Safari/537.36"},
    {0, "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/109.0.0.0 Safari/537.36"},
    {0, "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/124.0.0.0 Mobile Safari/537.36"},
    {0, "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/124.0.0.0 Safari/537.36"},
    {0, "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/116.0.0.0 Mobile Safari/537.36"},
    {0, "Mozilla/5.0 (Linux; Android 11; SM-A515F) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/110.0.0.0 Mobile Safari/537.36"},
    {0, "Mozilla/5.0 (Linux; Android 12; moto g(50)) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 "
        "Mobile/15E148 Safari/604.1"},
    /* Edge */
    {0, CHROME_WIN " Edg/124.0.0.0"},
    {0, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0"},
    {0, "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 EdgA/124.0.2478.64"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 "
        "EdgiOS/124.2478.50 Mobile/15E148 Safari/605.1.15"},
    {0, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19045"},
    /* Firefox */
    {0, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 "
        "Firefox/125.0"},
    {0, "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) "
        "Gecko/20100101 Firefox/125.0"},
    {0, "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 "
        "Firefox/125.0"},
    {0, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 "
        "Firefox/125.0"},
    {0, "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 "
        "Firefox/125.0"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/125.0 Mobile/15E148 "
        "Safari/605.1.15"},
    {0, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 "
        "Firefox/115.0"},
    {0, "Mozilla/5.0 (Windows NT 10.0; rv:115.0) Gecko/20100101 "
        "Firefox/115.0"},
    {0, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Gecko/20100101 "
        "Goanna/6.5 Firefox/102.0 PaleMoon/33.0.1"},
    {0, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 "
        "Firefox/115.0 SeaMonkey/2.53.18"},
    /* Safari, iPhone, iPad (also in desktop mode) */
    {0, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 "
        "Safari/605.1.15"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 "
        "Mobile/15E148 Safari/604.1"},
    {0, "Mozilla/5.0 (iPad; CPU OS 17_4_1 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 "
        "Mobile/15E148 Safari/604.1"},
    {0, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
        "Safari/605.1.15"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 "
        "Mobile/15E148 Safari/604.1"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 12_5_7 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 "
        "Mobile/15E148 Safari/604.1"},
    /* Samsung Internet */
    {0, "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) "
        "AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 "
        "Chrome/117.0.0.0 Mobile Safari/537.36"},
    {0, "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-X710) AppleWebKit/537.36 "
        "(KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 "
        "Safari/537.36"},
    /* Opera, Vivaldi, Whale, Yandex, UC, Huawei, Xiaomi, QQ, Silk */
    {0, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/123.0.0.0 Safari/537.36 OPR/109.0.0.0"},
    {0, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/122.0.0.0 Safari/537.36 OPR/108.0.0.0 (Edition "
        "std-1)"},
    {0, "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/122.0.0.0 Mobile Safari/537.36 OPR/81.1.4292.78827"},
    {0, "Opera/9.80 (Android; Opera Mini/36.2.2254/119.132; U; id) "
        "Presto/2.12.423 Version/12.16"},
    {0, CHROME_WIN " Vivaldi/6.7.3329.21"},
    {0, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/122.0.0.0 Whale/3.25.232.19 Safari/537.36"},
    {0, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/122.0.0.0 YaBrowser/24.4.0.0 Safari/537.36"},
    {0, "Mozilla/5.0 (Linux; arm_64; Android 13; SM-A536B) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/122.0.6261.128 YaBrowser/24.4.1.77.00 "
        "SA/3 Mobile Safari/537.36"},
    {0, "Mozilla/5.0 (Linux; U; Android 11; en-US; RMX2193 "
        "Build/RP1A.201005.001) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Version/4.0 Chrome/78.0.3904.108 UCBrowser/13.4.0.1306 Mobile "
        "Safari/537.36"},
    {0, "Mozilla/5.0 (Linux; Android 10; HarmonyOS; ELS-NX9; HMSCore "
        "6.13.0.302) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/114.0.5735.196 HuaweiBrowser/14.0.6.300 Mobile "
        "Safari/537.36"},
    {0, "Mozilla/5.0 (Linux; U; Android 13; en-gb; 2201116SG "
        "Build/TKQ1.221114.001) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Version/4.0 Chrome/112.0.5615.136 Mobile Safari/537.36 "
        "XiaoMi/MiuiBrowser/14.9.1-gn"},
    {0, "Mozilla/5.0 (Linux; U; Android 12; zh-cn; V2148A "
        "Build/SP1A.210812.003) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Version/4.0 Chrome/109.0.5414.86 MQQBrowser/14.7 Mobile "
        "Safari/537.36"},
    {0, "Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Silk/124.3.1 like Chrome/124.0.6367.82 Safari/537.36"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
        "Mobile/15E148 DuckDuckGo/7 Safari/605.1.15"},
    {0, "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Version/4.0 Chrome/124.0.0.0 Mobile DuckDuckGo/5 "
        "Safari/537.36"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
        "Mobile/15E148 Safari/604.1 (Ecosia ios@10.2.0.2067)"},
    /* Internet Explorer */
    {0, "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like "
        "Gecko"},
    {0, "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)"},
    /* Android WebView, and phones whose maker's name ends in "bot" */
    {0, "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
        "Chrome/124.0.6367.82 Mobile Safari/537.36"},
    {0, "Mozilla/5.0 (Linux; Android 10; CUBOT X30 Build/QP1A.190711.020; "
        "wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
        "Chrome/124.0.6367.82 Mobile Safari/537.36"},
    {0, "Mozilla/5.0 (Linux; Android 12; CUBOT KINGKONG 7 "
        "Build/SP1A.210812.016) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/114.0.5735.196 Mobile Safari/537.36"},
    {0, "Mozilla/5.0 (Linux; U; Android 9; en-US; CUBOT_P20 "
        "Build/PPR1.180610.011) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Version/4.0 Chrome/78.0.3904.108 UCBrowser/13.0.0.1288 Mobile "
        "Safari/537.36"},
    /* In-app browsers */
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram "
        "328.0.1.37.102 (iPhone14,5; iOS 17_4_1; en_US; en; scale=3.00; "
        "1170x2532; 590463618)"},
    {0, "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP1A.240405.002; wv) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
        "Chrome/123.0.6312.118 Mobile Safari/537.36 Instagram "
        "327.0.0.33.98 Android (34/14; 420dpi; 1080x2205; Google/google; "
        "Pixel 8; shiba; shiba; en_US; 587412210)"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
        "[FBAN/FBIOS;FBAV/461.0.0.42.109;FBBV/579032196;FBDV/iPhone15,2;"
        "FBMD/iPhone;FBSN/iOS;FBSV/17.4.1;FBSS/3;FBID/phone;FBLC/en_US;"
        "FBOP/5;FBRV/582115813]"},
    {0, "Mozilla/5.0 (Linux; Android 14; SM-S911B Build/UP1A.231005.007; wv) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
        "Chrome/124.0.6367.54 Mobile Safari/537.36 "
        "[FB_IAB/FB4A;FBAV/460.0.0.48.109;]"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
        "[FBAN/MessengerForiOS;FBAV/455.0.0.36.114;FBBV/565420497;"
        "FBDV/iPhone13,2;FBMD/iPhone;FBSN/iOS;FBSV/17.3;FBSS/3;FBCR/;"
        "FBID/phone;FBLC/en_US;FBOP/0]"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari "
        "Line/14.5.0"},
    {0, "Mozilla/5.0 (Linux; Android 13; SO-51C Build/64.1.C.0.223; wv) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
        "Chrome/123.0.6312.99 Mobile Safari/537.36 Line/14.4.2/IAB"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
        "MicroMessenger/8.0.48(0x18003030) NetType/WIFI Language/zh_CN"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
        "musical_ly_34.1.0 JsSdk/2.0 NetType/WIFI Channel/App Store "
        "ByteLocale/en Region/US ByteFullLocale/en-US isDarkMode/0 "
        "WKWebView/1 RevealType/Dialog BytedanceWebview/d8a21c6"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
        "Snapchat/13.0.0.36 (like Safari/8617.1.17.10.9, panda)"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
        "[Pinterest/iOS]"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
        "[LinkedInApp]/9.29.6660"},
    {0, "Mozilla/5.0 (Linux; Android 13; SM-G991B Build/TP1A.220624.014; wv) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
        "Chrome/123.0.6312.118 Mobile Safari/537.36 TwitterAndroid"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/312.1.624742437 "
        "Mobile/15E148 Safari/604.1"},
    {0, "Mozilla/5.0 (Linux; Android 14; Pixel 7 Build/AP1A.240405.002; wv) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
        "Chrome/124.0.6367.82 Mobile Safari/537.36 Telegram-Android/10.11.2 "
        "(Google Pixel 7; Android 14; SDK 34; AVERAGE)"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
        "SP-engine/2.87.0 main%2F1.0 baiduboxapp/13.52.0.10 (Baidu; P2 17.4) "
        "NABar/1.0"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
        "NAVER(inapp; search; 2000; 12.5.3; 15PRO)"},
    {0, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 KAKAOTALK "
        "10.6.5"},
    /* Desktop apps built on Chromium (people, not their link fetchers) */
    {0, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
        "like Gecko) discord/1.0.9147 Chrome/120.0.6099.291 "
        "Electron/28.2.10 Safari/537.36"},
    {0, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Slack/4.37.101 Chrome/122.0.6261.156 "
        "Electron/29.2.0 Safari/537.36 Sonic Slack_SSB/4.37.101"},
    {0, CHROME_WIN " Edg/124.0.0.0 Teams/24074.2321.2810.3500/49"},
    {0, "Mozilla/5.0 (Windows; U; Windows NT 10.0; en-US; Valve Steam "
        "Client/default/1713397263; ) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.6099.130 Safari/537.36"},
    /* TVs, consoles, readers, feature phones */
    {0, "Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.5) AppleWebKit/537.36 (KHTML, "
        "like Gecko) 85.0.4183.93/6.5 TV Safari/537.36"},
    {0, "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/87.0.4280.88 Safari/537.36 WebAppManager"},
    {0, "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/13.0 Safari/605.1.15"},
    {0, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox Series X) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/48.0.2564.82 "
        "Safari/537.36 Edge/20.02"},
    {0, "Mozilla/5.0 (X11; Linux aarch64) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/114.0.0.0 Safari/537.36 CrKey/1.56.500000 "
        "DeviceType/AndroidTV"},
    {0, "Mozilla/5.0 (X11; U; Linux armv7l like Android; en-us) "
        "AppleWebKit/531.2+ (KHTML, like Gecko) Version/5.0 Safari/531.2+ "
        "Kindle/3.0+"},
    {0, "Mozilla/5.0 (Mobile; LYF/F300B/LYF-F300B-001-01-15-130718-i;Android; "
        "rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5"},
    /* Mail image proxies are opens of their own kind (SPEC 4), not bots. */
    {0, "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via "
        "ggpht.com GoogleImageProxy)"},
    {0, "YahooMailProxy; "
        "https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html"},
    {0, "Mozilla/5.0"},

    /* Search engines */
    {1, ""},
    {1, "Mozilla/5.0 (compatible; Googlebot/2.1; "
        "+http://www.google.com/bot.html)"},
    {1, "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile "
        "Safari/537.36 (compatible; Googlebot/2.1; "
        "+http://www.google.com/bot.html)"},
    {1, "Googlebot-Image/1.0"},
    {1, "Mozilla/5.0 (compatible; Google-InspectionTool/1.0;)"},
    {1, "AdsBot-Google (+http://www.google.com/adsbot.html)"},
    {1, "Mediapartners-Google"},
    {1, "FeedFetcher-Google; (+http://www.google.com/feedfetcher.html)"},
    {1, "GoogleOther"},
    {1, "Mozilla/5.0 (Linux; Android 7.0; SM-G930V Build/NRD90M) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/59.0.3071.125 Mobile "
        "Safari/537.36 (compatible; Google-Read-Aloud; "
        "+https://support.google.com/webmasters/answer/1061943)"},
    {1, "Mozilla/5.0 (compatible; bingbot/2.0; "
        "+http://www.bing.com/bingbot.htm)"},
    {1, "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; "
        "bingbot/2.0; +http://www.bing.com/bingbot.htm) "
        "Chrome/116.0.1938.76 Safari/537.36"},
    {1, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/79.0.3945.74 Safari/537.36 Edg/79.0.309.43 "
        "BingPreview/1.0b"},
    {1, "msnbot/2.0b (+http://search.msn.com/msnbot.htm)"},
    {1, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 "
        "Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)"},
    {1, "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)"},
    {1, "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)"},
    {1, "Mozilla/5.0 (compatible; YandexImages/3.0; +http://yandex.com/bots)"},
    {1, "Mozilla/5.0 (compatible; Baiduspider/2.0; "
        "+http://www.baidu.com/search/spider.html)"},
    {1, "Sogou web spider/4.0(+http://www.sogou.com/docs/help/"
        "webmasters.htm#07)"},
    {1, "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/50.0.2661.102 Safari/537.36; 360Spider"},
    {1, "Mozilla/5.0 (compatible; Yahoo! Slurp; "
        "http://help.yahoo.com/help/us/ysearch/slurp)"},
    {1, "Mozilla/5.0 (compatible; SeznamBot/4.0; "
        "+https://o-seznam.cz/napoveda/vyhledavani/en/seznambot-crawler/)"},
    {1, "Mozilla/5.0 (compatible; Yeti/1.1; +https://naver.me/spd)"},
    {1, "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Mobile Safari/537.36 (compatible; "
        "PetalBot;+https://webmaster.petalsearch.com/site/petalbot)"},
    {1, "Mozilla/5.0 (compatible; Qwantify/2.4w; https://www.qwant.com/)"},
    {1, "Mozilla/5.0 (compatible; Linux x86_64; Mail.RU_Bot/2.0; "
        "+https://help.mail.ru/webmaster/indexing/robots)"},
    {1, "Mozilla/5.0 (compatible; coccocbot-web/1.0; "
        "+http://help.coccoc.com/searchengine)"},
    {1, "ia_archiver (+http://www.alexa.com/site/help/webmasters; "
        "crawler@alexa.com)"},
    {1, "Mozilla/5.0 (compatible; archive.org_bot "
        "+http://archive.org/details/archive.org_bot)"},
    /* Link previews */
    {1, "facebookexternalhit/1.1 "
        "(+http://www.facebook.com/externalhit_uatext.php)"},
    {1, "meta-externalagent/1.1 "
        "(+https://developers.facebook.com/docs/sharing/webmasters/crawler)"},
    {1, "Twitterbot/1.0"},
    {1, "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient "
        "+http://www.linkedin.com)"},
    {1, "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"},
    {1, "Slackbot 1.0 (+https://api.slack.com/robots)"},
    {1, "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)"},
    {1, "TelegramBot (like TwitterBot)"},
    {1, "WhatsApp/2.23.20.0 A"},
    {1, "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 "
        "skype-url-preview@microsoft.com"},
    {1, "Mozilla/5.0 (compatible; Pinterestbot/1.0; "
        "+http://www.pinterest.com/bot.html)"},
    {1, "Mozilla/5.0 (compatible; redditbot/1.0; "
        "+http://www.reddit.com/feedback)"},
    {1, "Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)"},
    {1, "http.rb/5.1.1 (Mastodon/4.2.8; +https://mastodon.social/)"},
    {1, "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; "
        "+mailto:support@bsky.app)"},
    {1, "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 5 subscribers; )"},
    /* AI crawlers and assistants */
    {1, "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Mobile Safari/537.36 (compatible; Bytespider; "
        "spider-feedback@bytedance.com)"},
    {1, "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; "
        "GPTBot/1.2; +https://openai.com/gptbot)"},
    {1, "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; "
        "ChatGPT-User/1.0; +https://openai.com/bot"},
    {1, "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; "
        "OAI-SearchBot/1.0; +https://openai.com/searchbot"},
    {1, "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; "
        "ClaudeBot/1.0; +claudebot@anthropic.com)"},
    {1, "anthropic-ai"},
    {1, "CCBot/2.0 (https://commoncrawl.org/faq/)"},
    {1, "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; "
        "PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)"},
    {1, "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; "
        "Amazonbot/0.1; +https://developer.amazon.com/support/amazonbot) "
        "Chrome/119.0.6045.214 Safari/537.36"},
    {1, "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/31.0.1650.16 Safari/537.36 (compatible; Diffbot/0.1; "
        "+http://www.diffbot.com)"},
    {1, "cohere-ai"},
    /* SEO crawlers */
    {1, "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"},
    {1, "Mozilla/5.0 (compatible; SemrushBot/7~bl; "
        "+http://www.semrush.com/bot.html)"},
    {1, "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)"},
    {1, "Mozilla/5.0 (compatible; DotBot/1.2; "
        "+https://opensiteexplorer.org/dotbot; help@moz.com)"},
    {1, "Mozilla/5.0 (compatible; BLEXBot/1.0; +http://webmeup-crawler.com/)"},
    {1, "Mozilla/5.0 (compatible; DataForSeoBot/1.0; "
        "+https://dataforseo.com/dataforseo-bot)"},
    {1, "Mozilla/5.0 (compatible; Barkrowler/0.9; +https://babbar.tech/"
        "crawler)"},
    {1, "Screaming Frog SEO Spider/19.8"},
    /* Monitors */
    {1, "Mozilla/5.0+(compatible; UptimeRobot/2.0; "
        "http://www.uptimerobot.com/)"},
    {1, "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)"},
    {1, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/61.0.3163.100 Safari/537.36 PingdomPageSpeed/1.0 "
        "(pingbot/2.0; +http://www.pingdom.com/)"},
    {1, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/96.0.4664.110 Safari/537.36 StatusCake"},
    {1, CHROME_WIN " Site24x7"},
    {1, "Datadog/Synthetics"},
    {1, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/120.0.6099.71 Safari/537.36 DatadogSynthetics"},
    {1, "NewRelicPinger/1.0 (269854)"},
    {1, "Better Uptime Bot Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.88 "
        "Safari/537.36"},
    {1, "Uptime-Kuma/1.23.11"},
    {1, "Amazon-Route53-Health-Check-Service (ref "
        "0f3b5a34-8b0f-4d2b-9c85-3a4e58d3e2b1; report http://amzn.to/1vsZADi)"},
    {1, "ELB-HealthChecker/2.0"},
    {1, "kube-probe/1.29"},
    {1, "check_http/v2.3.3 (monitoring-plugins 2.3.3)"},
    /* Headless browsers, automation, audits */
    {1, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
        "Gecko) HeadlessChrome/124.0.6367.60 Safari/537.36"},
    {1, "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like "
        "Gecko) PhantomJS/2.1.1 Safari/538.1"},
    {1, "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile "
        "Safari/537.36 Chrome-Lighthouse"},
    {1, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/41.0.2272.118 Safari/537.36 (compatible; Google Page "
        "Speed Insights)"},
    {1, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/107.0.0.0 Safari/537.36 GTmetrix"},
    {1, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Cypress/13.6.0 Chrome/114.0.5735.289 "
        "Electron/25.8.4 Safari/537.36"},
    {1, "Mozilla/5.0 (linux) AppleWebKit/537.36 (KHTML, like Gecko) "
        "jsdom/22.1.0"},
    {1, CHROME_WIN " Prerender (+https://github.com/prerender/prerender)"},
    {1, "W3C_Validator/1.3 http://validator.w3.org/services"},
    /* HTTP libraries and tools; curl and Wget are how an operator tries
     * the collector by hand, so they count (share/bot-patterns.txt) */
    {0, "curl/7.88.1"},
    {0, "curl/8.5.0"},
    {0, "Wget/1.21.3"},
    {1, "python-requests/2.31.0"},
    {1, "Python-urllib/3.11"},
    {1, "Python/3.11 aiohttp/3.9.3"},
    {1, "python-httpx/0.27.0"},
    {1, "Go-http-client/1.1"},
    {1, "Go-http-client/2.0"},
    {1, "okhttp/4.12.0"},
    {1, "Java/17.0.10"},
    {1, "Apache-HttpClient/4.5.14 (Java/17.0.2)"},
    {1, "libwww-perl/6.72"},
    {1, "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)"},
    {1, "axios/1.6.8"},
    {1, "undici"},
    {1, "Ruby"},
    {1, "Faraday v2.9.0"},
    {1, "GuzzleHttp/7"},
    {1, "WordPress/6.5.2; https://example.com"},
    {1, "Dart/3.3 (dart:io)"},
    {1, "PostmanRuntime/7.37.3"},
    {1, "insomnia/2023.5.8"},
    {1, "HTTPie/3.2.2"},
    {1, "Scrapy/2.11.1 (+https://scrapy.org)"},
    {1, "Mozilla/4.5 (compatible; HTTrack 3.0x; Windows 98)"},
    /* Scanners */
    {1, "Mozilla/5.0 (compatible; Nmap Scripting Engine; "
        "https://nmap.org/book/nse.html)"},
    {1, "Mozilla/5.0 zgrab/0.x"},
    {1, "Mozilla/5.0 (compatible; CensysInspect/1.1; "
        "+https://about.censys.io/)"},
    {1, "Expanse, a Palo Alto Networks company, searches across the global "
        "IPv4 space multiple times per day to identify customers&#39; "
        "presences on the Internet."},
    /* Unknown bots caught by the generic tokens */
    {1, "yacybot (/global; amd64 Linux 3.16.0-4-amd64; java 1.7.0_75; "
        "Europe/en) http://yacy.net/bot.html"},
    {1, "Mozilla/5.0 (compatible; Ezooms/1.0; ezooms.bot@gmail.com)"},
    {1, "Mozilla/5.0 (compatible; PRTG Network Monitor (www.paessler.com ); "
        "Windows)"},
    {1, "Honeybadger Uptime Check"},
    {1, "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.0) LinkCheck by "
        "Siteimprove.com"},
    {1, "Mozilla/5.0 (compatible; SimpleScraper)"},
    {1, "Mozilla/5.0 (compatible; inoreader.com; 1 subscribers)"},
    {1, "Mozilla/5.0 (compatible; Yahoo Link Preview; "
        "https://help.yahoo.com/kb/mail/yahoo-link-preview-SLN23615.html)"},
    {1, "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0; "
        "AppInsights)"},
    {1, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:94.0) Gecko/20100101 "
        "Firefox/94.0 PTST/211202.211915"},
    {1, "Mozilla/5.0 (compatible; Nessus; http://www.nessus.org)"},
    {1, "Mozilla/5.0 (Linux; CentOS; compatible; semantic-visions-discovery; "
        "HTTPClient 4.5)"},
    {0, "curl"},
    {1, "Mozilla/5.0 (compatible; AcmeBot)"},
    {1, "Mozilla/5.0 (compatible; AcmeBot; +https://acme.example/bot)"},
    {1, "acme-bot 1.0"},
    {1, "AcmeRobot"},
    {1, "Mozilla/5.0 (compatible; AcmeCrawler/1.0)"},
    {1, "AcmeSpider"},
    {1, "Acme Link Fetcher"},
    {1, "Acme Vulnerability Scanner"},
};

static void test_botlist__corpus(void **state)
{
    char err[256];
    struct botlist *b = botlist_default(err, sizeof err);
    size_t browsers = 0, bots = 0;
    (void)state;

    assert_non_null(b);
    for (size_t i = 0; i < sizeof corpus / sizeof *corpus; i++) {
        int got = match(b, corpus[i].ua);

        if (got != corpus[i].bot) {
            fail_msg("case %zu: %s, but is %s: %s", i,
                     got ? "matched" : "did not match",
                     corpus[i].bot ? "a bot" : "a browser", corpus[i].ua);
        }
        browsers += !corpus[i].bot;
        bots += corpus[i].bot;
    }
    /* The corpus must stay large on both sides. */
    assert_true(browsers >= 80);
    assert_true(bots >= 100);
    botlist_destroy(b);
}

/* The shipped list and the naive search agree on the whole corpus, with
 * the case of every user agent flipped too. */
static void test_botlist__corpus_naive_agrees(void **state)
{
    const char *pats[512];
    char err[256], buf[1024];
    size_t npats = 0, pos = 0;
    int lineno = 0;
    struct botlist_pat pat;
    struct botlist *b = botlist_default(err, sizeof err);
    static char store[512][BOTLIST_PATTERN_MAX + 1];
    (void)state;

    assert_non_null(b);
    while (botlist_next((const char *)bot_patterns, bot_patterns_len, &pos,
                        &lineno, &pat, err, sizeof err) == 1) {
        assert_true(npats < 512);
        memcpy(store[npats], pat.p, pat.len);
        store[npats][pat.len] = '\0';
        pats[npats] = store[npats];
        npats++;
    }
    assert_int_equal(npats, botlist_count(b));
    for (size_t i = 0; i < sizeof corpus / sizeof *corpus; i++) {
        size_t n = strlen(corpus[i].ua);

        assert_true(n < sizeof buf);
        for (size_t j = 0; j < n; j++) {
            char c = corpus[i].ua[j];

            buf[j] = (c >= 'a' && c <= 'z')   ? (char)(c - 32)
                     : (c >= 'A' && c <= 'Z') ? (char)(c + 32)
                                              : c;
        }
        assert_int_equal(botlist_match(b, buf, n), corpus[i].bot);
        assert_int_equal(naive_match(pats, npats, buf, n), corpus[i].bot);
    }
    botlist_destroy(b);
}

/* ---- matching ----------------------------------------------------------- */

static void test_botlist__case_insensitive(void **state)
{
    struct botlist *b = compile("GoogleBot\nzz-Top\n");
    (void)state;

    assert_int_equal(match(b, "googlebot"), 1);
    assert_int_equal(match(b, "GOOGLEBOT"), 1);
    assert_int_equal(match(b, "x gOOgLeBoT/2.1"), 1);
    assert_int_equal(match(b, "ZZ-TOP"), 1);
    assert_int_equal(match(b, "zz_top"), 0);
    assert_int_equal(match(b, "googlebo"), 0);
    botlist_destroy(b);
}

/* Only ASCII letters fold: bytes above 0x7f are compared as they are. */
static void test_botlist__non_ascii_bytes(void **state)
{
    struct botlist *b = compile("\xc3\xa9tude\n");
    (void)state;

    assert_int_equal(match(b, "x \xc3\xa9TUDE"), 1);
    assert_int_equal(match(b, "x \xc3\x89tude"), 0);
    assert_int_equal(match(b, "x \xe3\xa9tude"), 0);
    botlist_destroy(b);
}

static void test_botlist__empty_ua_is_bot(void **state)
{
    char err[256];
    struct botlist *none = compile("");
    struct botlist *b = botlist_default(err, sizeof err);
    (void)state;

    assert_int_equal(botlist_match(none, "", 0), 1);
    assert_int_equal(botlist_match(none, "curl/8.0", 8), 0);
    assert_int_equal(botlist_match(b, "", 0), 1);
    /* Empty is len 0, not a NUL at the start. */
    assert_int_equal(botlist_match(b, "\0", 1), 0);
    assert_int_equal(botlist_match(b, "curl/8.0", 0), 1);
    botlist_destroy(none);
    botlist_destroy(b);
}

/* Patterns that are prefixes, suffixes and infixes of each other: the
 * failure links must carry a match found on a shorter branch. */
static void test_botlist__overlapping_patterns(void **state)
{
    struct botlist *b;
    (void)state;

    b = compile("abcd\nbc\n");
    assert_int_equal(match(b, "xabcx"), 1);
    assert_int_equal(match(b, "xxbcxx"), 1);
    assert_int_equal(match(b, "abd"), 0);
    assert_int_equal(match(b, "acbd"), 0);
    botlist_destroy(b);

    b = compile("aab\n");
    assert_int_equal(match(b, "aaab"), 1);
    assert_int_equal(match(b, "aaaaaaab"), 1);
    assert_int_equal(match(b, "abab"), 0);
    assert_int_equal(match(b, "aaba"), 1);
    assert_int_equal(match(b, "aa"), 0);
    botlist_destroy(b);

    b = compile("he\nshe\nhis\nhers\n");
    assert_int_equal(match(b, "ushers"), 1);
    assert_int_equal(match(b, "ahis"), 1);
    assert_int_equal(match(b, "sh"), 0);
    assert_int_equal(match(b, "hxsix"), 0);
    botlist_destroy(b);

    /* Deep in "abcde", the match is the other pattern "cd". */
    b = compile("abcde\ncd\n");
    assert_int_equal(match(b, "abcdx"), 1);
    assert_int_equal(match(b, "abcx"), 0);
    botlist_destroy(b);

    /* After "abcd" fails on 'f', "bcdf" continues from "bcd". */
    b = compile("abcde\nbcdf\n");
    assert_int_equal(match(b, "abcdf"), 1);
    assert_int_equal(match(b, "abcdde"), 0);
    botlist_destroy(b);

    b = compile("aaaa\n");
    assert_int_equal(match(b, "aaa"), 0);
    assert_int_equal(match(b, "aaabaaa"), 0);
    assert_int_equal(match(b, "aaabaaaa"), 1);
    botlist_destroy(b);

    /* A pattern that extends another adds nothing. */
    b = compile("bot\nbots\nrobot\n");
    assert_int_equal(match(b, "xbot"), 1);
    assert_int_equal(match(b, "xbo"), 0);
    assert_int_equal(botlist_count(b), 3);
    botlist_destroy(b);

    /* A pattern longer than the user agent. */
    b = compile("abcdefgh\n");
    assert_int_equal(match(b, "abcdefg"), 0);
    botlist_destroy(b);
}

/* Random lists over a three-letter alphabet (many overlaps) against the
 * naive search. */
static void test_botlist__random_lists_agree_with_naive(void **state)
{
    uint32_t seed = 12345;
    (void)state;

    for (int round = 0; round < 300; round++) {
        char text[512], ua[64];
        const char *pats[8];
        char store[8][8];
        size_t o = 0, npats, n;
        struct botlist *b;

#define RAND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
        npats = 1 + RAND() % 8;
        for (size_t k = 0; k < npats; k++) {
            size_t m = 1 + RAND() % 6;

            for (size_t j = 0; j < m; j++) {
                store[k][j] = "abcAB"[RAND() % 5];
            }
            store[k][m] = '\0';
            pats[k] = store[k];
            o += (size_t)snprintf(text + o, sizeof text - o, "%s\n", store[k]);
        }
        b = compile(text);
        for (int t = 0; t < 50; t++) {
            n = RAND() % sizeof ua;
            for (size_t j = 0; j < n; j++) {
                ua[j] = "abcABx"[RAND() % 6];
            }
            if (botlist_match(b, ua, n) != naive_match(pats, npats, ua, n)) {
                fail_msg("round %d: list %s disagrees on %.*s", round, text,
                         (int)n, ua);
            }
        }
#undef RAND
        botlist_destroy(b);
    }
}

static void test_botlist__long_ua(void **state)
{
    char err[256];
    struct botlist *b = botlist_default(err, sizeof err);
    static char ua[8192];
    const char *tail = " okhttp";
    size_t tl = strlen(tail);
    (void)state;

    assert_non_null(b);
    for (size_t i = 0; i < sizeof ua; i++) {
        ua[i] = CHROME_WIN[i % (sizeof CHROME_WIN - 1)];
    }
    assert_int_equal(botlist_match(b, ua, sizeof ua), 0);
    memcpy(ua + sizeof ua - tl, tail, tl);
    assert_int_equal(botlist_match(b, ua, sizeof ua), 1);
    assert_int_equal(botlist_match(b, ua, sizeof ua - 1), 0);
    memcpy(ua, tail, tl);
    assert_int_equal(botlist_match(b, ua, sizeof ua - 1), 1);
    botlist_destroy(b);
}

/* Nothing past len is looked at. */
static void test_botlist__stops_at_len(void **state)
{
    struct botlist *b = compile("curl/\n");
    (void)state;

    assert_int_equal(botlist_match(b, "xcurl/", 6), 1);
    assert_int_equal(botlist_match(b, "xcurl/", 5), 0);
    botlist_destroy(b);
}

/* ---- the pattern file --------------------------------------------------- */

static void test_botlist__file_syntax(void **state)
{
    struct botlist *b = compile("# a comment\n"
                                "\n"
                                "   \t \n"
                                "  alpha  \t\n"
                                "beta\r\n"
                                "gamma # comment after a blank\n"
                                "c#sharp\n"
                                "two words\n"
                                "#delta\n"
                                "   # indented comment\n"
                                "last-without-newline");
    (void)state;

    assert_int_equal(botlist_count(b), 6);
    assert_int_equal(match(b, "xx alpha"), 1);
    assert_int_equal(match(b, "beta"), 1);
    assert_int_equal(match(b, "gamma"), 1);
    assert_int_equal(match(b, "c#sharp"), 1);
    assert_int_equal(match(b, "c"), 0);
    assert_int_equal(match(b, "two words"), 1);
    assert_int_equal(match(b, "two"), 0);
    assert_int_equal(match(b, "delta"), 0);
    assert_int_equal(match(b, "comment"), 0);
    assert_int_equal(match(b, "a comment"), 0);
    assert_int_equal(match(b, "indented"), 0);
    assert_int_equal(match(b, "LAST-WITHOUT-NEWLINE"), 1);
    assert_int_equal(match(b, "beta\r"), 1);
    assert_int_equal(match(b, "bet"), 0);
    botlist_destroy(b);
}

static void test_botlist__empty_and_comment_only(void **state)
{
    struct botlist *b = compile("# nothing here\n\n  # nor here\n");
    (void)state;

    assert_int_equal(botlist_count(b), 0);
    assert_int_equal(match(b, "Googlebot"), 0);
    assert_int_equal(match(b, ""), 1);
    botlist_destroy(b);
}

struct bad_case {
    const char *text;
    size_t len; /* 0: strlen */
    const char *want;
};

static void test_botlist__rejects(void **state)
{
    char long_line[BOTLIST_PATTERN_MAX + 32];
    char err[256];
    static const struct bad_case bad[] = {
        {"ok\nbad\x01here\n", 0, "line 2: control character 0x01"},
        {"ok\n\nbad\x7f\n", 0, "line 3: control character 0x7f"},
        {"a\tb\n", 0, "line 1: control character 0x09"},
        {"a\rb\n", 0, "line 1: control character 0x0d"},
        {"x\nnul\0here\n", 10, "line 2: control character 0x00"},
        {"\x1b[31m\n", 0, "line 1: control character 0x1b"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t n = bad[i].len ? bad[i].len : strlen(bad[i].text);

        err[0] = '\0';
        if (botlist_create(bad[i].text, n, err, sizeof err) != NULL) {
            fail_msg("case %zu accepted", i);
        }
        if (strstr(err, bad[i].want) == NULL) {
            fail_msg("case %zu: error \"%s\", want \"%s\"", i, err,
                     bad[i].want);
        }
    }

    /* 128 bytes is the longest pattern; blanks around it do not count. */
    memset(long_line, 'a', sizeof long_line);
    memcpy(long_line, "# x\n  ", 6);
    long_line[6 + BOTLIST_PATTERN_MAX] = ' ';
    long_line[7 + BOTLIST_PATTERN_MAX] = '\0';
    struct botlist *b = compile(long_line);
    assert_int_equal(botlist_count(b), 1);
    botlist_destroy(b);
    long_line[6 + BOTLIST_PATTERN_MAX] = 'a';
    assert_null(botlist_create(long_line, strlen(long_line), err, sizeof err));
    assert_string_equal(err, "line 2: pattern longer than 128 bytes");
}

/* The automaton is bounded: 64 KiB of pattern text at most. */
static void test_botlist__too_large(void **state)
{
    size_t lines = 700, o = 0;
    char *text = malloc(lines * 99 + 1);
    char err[256];
    (void)state;

    assert_non_null(text);
    for (size_t i = 0; i < lines; i++) {
        o += (size_t)snprintf(text + o, 100, "%098zu\n", i);
    }
    /* 668 patterns of 98 bytes fit in 65535 bytes, the 669th does not. */
    assert_null(botlist_create(text, o, err, sizeof err));
    assert_string_equal(err, "line 669: patterns longer than 65535 bytes "
                             "in total");
    assert_non_null(
        strstr(text, "\n" "00000000000000000000000000000000000000000000000000"
                     "000000000000000000000000000000000000000000000667\n"));
    struct botlist *b = botlist_create(text, 668 * 99, err, sizeof err);
    assert_non_null(b);
    assert_int_equal(botlist_count(b), 668);
    assert_int_equal(match(b, text + 667 * 99), 1);
    botlist_destroy(b);
    free(text);
}

/* ---- files and the built-in list ---------------------------------------- */

static void test_botlist__load_missing_file(void **state)
{
    char err[256];
    (void)state;

    assert_null(botlist_load("/nonexistent/beacond/bots.txt", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/beacond/bots.txt"));
    assert_non_null(strstr(err, "No such file"));
}

static void test_botlist__load_file(void **state)
{
    char path[] = "/tmp/test_botlist_XXXXXX", err[256];
    const char good[] = "# bots\nAcmeBot\ncurl/\n";
    const char bad[] = "AcmeBot\n\nbad\x02\n";
    struct botlist *b;
    int fd = mkstemp(path);
    (void)state;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, good, sizeof good - 1), sizeof good - 1);
    b = botlist_load(path, err, sizeof err);
    assert_non_null(b);
    assert_int_equal(botlist_count(b), 2);
    assert_int_equal(match(b, "acmebot/1"), 1);
    botlist_destroy(b);

    assert_int_equal(ftruncate(fd, 0), 0);
    assert_int_equal(pwrite(fd, bad, sizeof bad - 1, 0), sizeof bad - 1);
    assert_null(botlist_load(path, err, sizeof err));
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "line 3: control character 0x02"));
    close(fd);
    unlink(path);
}

static void test_botlist__load_too_large(void **state)
{
    char path[] = "/tmp/test_botlist_XXXXXX", err[256];
    char *buf = malloc(BOTLIST_FILE_MAX + 1);
    int fd = mkstemp(path);
    (void)state;

    assert_non_null(buf);
    assert_true(fd >= 0);
    /* Exactly the limit: read whole (then too many states, but read). */
    memset(buf, '#', BOTLIST_FILE_MAX + 1);
    assert_int_equal(write(fd, buf, BOTLIST_FILE_MAX), BOTLIST_FILE_MAX);
    struct botlist *b = botlist_load(path, err, sizeof err);
    assert_non_null(b);
    assert_int_equal(botlist_count(b), 0);
    botlist_destroy(b);
    assert_int_equal(write(fd, buf, 1), 1);
    assert_null(botlist_load(path, err, sizeof err));
    assert_non_null(strstr(err, "larger than"));
    close(fd);
    unlink(path);
    free(buf);
}

/* The built-in list is share/bot-patterns.txt, byte for byte, and compiles
 * to as many patterns as the file has pattern lines. */
static void test_botlist__default_is_shipped_file(void **state)
{
    char err[256], line[512];
    struct botlist *b = botlist_default(err, sizeof err);
    struct botlist *f = botlist_load("share/bot-patterns.txt", err, sizeof err);
    FILE *fp = fopen("share/bot-patterns.txt", "rb");
    size_t lines = 0, len = 0;
    (void)state;

    assert_non_null(b);
    assert_non_null(f);
    assert_non_null(fp);
    while (fgets(line, sizeof line, fp) != NULL) {
        char *p = line;

        len += strlen(line);
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p != '#' && *p != '\n' && *p != '\r' && *p != '\0') {
            lines++;
        }
    }
    fclose(fp);
    assert_int_equal(len, bot_patterns_len);
    assert_int_equal(bot_patterns[bot_patterns_len], 0);
    assert_true(lines > 150);
    assert_int_equal(botlist_count(b), lines);
    assert_int_equal(botlist_count(f), lines);
    botlist_destroy(b);
    botlist_destroy(f);
}

/* ---- allocation failures ------------------------------------------------ */

static void test_botlist__create_out_of_memory(void **state)
{
    char err[256];
    int ok = 0;
    (void)state;

    for (long budget = 0; budget < 32 && !ok; budget++) {
        struct botlist *b;

        alloc_budget = budget;
        b = botlist_default(err, sizeof err);
        alloc_budget = -1;
        if (b != NULL) {
            ok = 1;
            assert_int_equal(match(b, "okhttp/4"), 1);
            botlist_destroy(b);
        } else {
            assert_non_null(strstr(err, "out of memory"));
        }
    }
    assert_true(ok);
}

static void test_botlist__load_out_of_memory(void **state)
{
    char path[] = "/tmp/test_botlist_XXXXXX", err[256];
    int fd = mkstemp(path), ok = 0;
    (void)state;

    assert_true(fd >= 0);
    /* Larger than the first read buffer, so the buffer grows. */
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(write(fd, "AcmeBot\n", 8), 8);
    }
    close(fd);
    for (long budget = 0; budget < 32 && !ok; budget++) {
        struct botlist *b;

        alloc_budget = budget;
        b = botlist_load(path, err, sizeof err);
        alloc_budget = -1;
        if (b != NULL) {
            ok = 1;
            assert_int_equal(botlist_count(b), 1000);
            botlist_destroy(b);
        } else {
            assert_non_null(strstr(err, "out of memory"));
        }
    }
    assert_true(ok);
    unlink(path);
}

static void test_botlist__destroy_null(void **state)
{
    (void)state;

    botlist_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_botlist__corpus),
        cmocka_unit_test(test_botlist__corpus_naive_agrees),
        cmocka_unit_test(test_botlist__case_insensitive),
        cmocka_unit_test(test_botlist__non_ascii_bytes),
        cmocka_unit_test(test_botlist__empty_ua_is_bot),
        cmocka_unit_test(test_botlist__overlapping_patterns),
        cmocka_unit_test(test_botlist__random_lists_agree_with_naive),
        cmocka_unit_test(test_botlist__long_ua),
        cmocka_unit_test(test_botlist__stops_at_len),
        cmocka_unit_test(test_botlist__file_syntax),
        cmocka_unit_test(test_botlist__empty_and_comment_only),
        cmocka_unit_test(test_botlist__rejects),
        cmocka_unit_test(test_botlist__too_large),
        cmocka_unit_test(test_botlist__load_missing_file),
        cmocka_unit_test(test_botlist__load_file),
        cmocka_unit_test(test_botlist__load_too_large),
        cmocka_unit_test(test_botlist__default_is_shipped_file),
        cmocka_unit_test(test_botlist__create_out_of_memory),
        cmocka_unit_test(test_botlist__load_out_of_memory),
        cmocka_unit_test(test_botlist__destroy_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
