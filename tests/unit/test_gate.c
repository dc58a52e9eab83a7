/*
 * test_gate.c: the privacy gate (collector/privacy/gate.c) on requests built by
 * hand, every header value in a heap block of exactly its length (a read
 * past a span is an ASan error): each drop reason, the order of SPEC 3
 * (DNT, GPC, opt-out cookie, recipient opt-out, prefetch, bot) over every
 * combination, the honor_* switches, lookalike values that must not drop,
 * and the X-Beacon / Tk strings. A last case frames real header lines with
 * collector/http/http.c, whose trimming the gate relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/privacy/gate.h"
#include "collector/http/http.h"

/* ---- requests by hand ------------------------------------------------- */

#define HELD_MAX 64

static char *held[HELD_MAX];
static int n_held;

/* A span over an exactly-sized heap copy of s (freed after each case). */
static struct span hold(const char *s)
{
    size_t len = strlen(s);
    char *p = malloc(len > 0 ? len : 1);
    assert_non_null(p);
    assert_true(n_held < HELD_MAX);
    memcpy(p, s, len);
    held[n_held++] = p;
    return span_make(p, len);
}

static int free_held(void **state)
{
    (void)state;
    for (int i = 0; i < n_held; i++) {
        free(held[i]);
    }
    n_held = 0;
    return 0;
}

static void set_header(struct request *r, enum request_header id, const char *v)
{
    r->header[id] = hold(v);
}

/* Adds a Cookie line (the framer keeps the first REQUEST_COOKIE_MAX lines,
 * and header[HDR_COOKIE] is the first one). */
static void add_cookie(struct request *r, const char *v)
{
    assert_true(r->n_cookie < REQUEST_COOKIE_MAX);
    r->cookie[r->n_cookie] = hold(v);
    if (r->n_cookie == 0) {
        r->header[HDR_COOKIE] = r->cookie[0];
    }
    r->n_cookie++;
}

static void init_request(struct request *r)
{
    memset(r, 0, sizeof(*r));
    r->method = HTTP_GET;
    r->target = SPAN_LIT("/p.gif?s=blog&u=%2F");
    r->path = SPAN_LIT("/p.gif");
    r->query = SPAN_LIT("s=blog&u=%2F");
    r->keep_alive = 1;
    r->http_minor = 1;
}

static const struct gate honor_all = {.honor_dnt = 1, .honor_gpc = 1};
static const struct gate_facts no_facts = {0, 0};

static const char *outcome_name(enum metrics_outcome o)
{
    static const char *const names[] = {
#define NAME(n) #n,
        METRICS_OUTCOMES(NAME)
#undef NAME
    };
    return (unsigned)o < METRICS_OUTCOME_COUNT ? names[o] : "?";
}

static void expect_outcome(const struct gate *g, const struct request *r,
                           const struct gate_facts *f,
                           enum metrics_outcome want, const char *what)
{
    enum metrics_outcome got = gate_check(g, r, f);
    if (got != want) {
        print_error("%s: want %s, got %s\n", what, outcome_name(want),
                    outcome_name(got));
    }
    assert_int_equal(got, want);
}

/* One header with value v on an otherwise plain request. */
static void expect_header(enum request_header id, const char *v,
                          enum metrics_outcome want)
{
    struct request r;
    char what[256];
    init_request(&r);
    set_header(&r, id, v);
    snprintf(what, sizeof(what), "header %d value \"%s\"", (int)id, v);
    expect_outcome(&honor_all, &r, &no_facts, want, what);
}

/* ---- single reasons --------------------------------------------------- */

static void test_gate__plain_request_is_counted(void **state)
{
    (void)state;
    struct request r;
    init_request(&r);
    expect_outcome(&honor_all, &r, &no_facts, METRICS_O_counted, "plain");
    /* headers the gate does not read change nothing */
    set_header(&r, HDR_USER_AGENT, "Mozilla/5.0 (X11; Linux x86_64)");
    set_header(&r, HDR_REFERER, "https://example.org/");
    set_header(&r, HDR_HOST, "collector.example");
    set_header(&r, HDR_X_FORWARDED_FOR, "1.2.3.4");
    expect_outcome(&honor_all, &r, &no_facts, METRICS_O_counted, "plain+");
}

static void test_gate__dnt_values(void **state)
{
    (void)state;
    /* The framer trims the value (test_gate__framed_headers); the gate
     * then drops on exactly "1" and on nothing else. */
    expect_header(HDR_DNT, "1", METRICS_O_dnt);
    static const char *const counted[] = {
        "0", "",   " ",   "1 ",  " 1",   "\t1", "11",   "10",          "01",
        "2", "-1", "1,1", "yes", "true", "on",  "null", "unspecified", "I",
    };
    for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++) {
        expect_header(HDR_DNT, counted[i], METRICS_O_counted);
    }
}

static void test_gate__gpc_values(void **state)
{
    (void)state;
    expect_header(HDR_SEC_GPC, "1", METRICS_O_gpc);
    static const char *const counted[] = {
        "0", "", "1 ", " 1", "11", "10", "true", "?1",
    };
    for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++) {
        expect_header(HDR_SEC_GPC, counted[i], METRICS_O_counted);
    }
}

static void test_gate__honor_switches(void **state)
{
    (void)state;
    const struct gate no_dnt = {.honor_dnt = 0, .honor_gpc = 1};
    const struct gate no_gpc = {.honor_dnt = 1, .honor_gpc = 0};
    const struct gate neither = {.honor_dnt = 0, .honor_gpc = 0};
    struct request dnt, gpc;

    init_request(&dnt);
    set_header(&dnt, HDR_DNT, "1");
    init_request(&gpc);
    set_header(&gpc, HDR_SEC_GPC, "1");

    expect_outcome(&no_dnt, &dnt, &no_facts, METRICS_O_counted, "dnt off");
    expect_outcome(&neither, &dnt, &no_facts, METRICS_O_counted, "both off");
    expect_outcome(&no_gpc, &dnt, &no_facts, METRICS_O_dnt, "gpc off, dnt");
    expect_outcome(&no_gpc, &gpc, &no_facts, METRICS_O_counted, "gpc off");
    expect_outcome(&neither, &gpc, &no_facts, METRICS_O_counted, "both off");
    expect_outcome(&no_dnt, &gpc, &no_facts, METRICS_O_gpc, "dnt off, gpc");

    /* switching DNT off lets the next reasons through, in order */
    struct gate_facts bot = {.is_bot = 1};
    expect_outcome(&no_dnt, &dnt, &bot, METRICS_O_bot, "dnt off, bot");
    set_header(&dnt, HDR_SEC_GPC, "1");
    expect_outcome(&no_dnt, &dnt, &no_facts, METRICS_O_gpc, "dnt off, +gpc");
    expect_outcome(&neither, &dnt, &bot, METRICS_O_bot, "both off, bot");
}

static void test_gate__optout_cookie(void **state)
{
    (void)state;
    struct {
        const char *lines[REQUEST_COOKIE_MAX];
        enum metrics_outcome want;
    } cases[] = {
        {{"beacon_optout=1"}, METRICS_O_optout},
        {{"a=b; beacon_optout=1; c=d"}, METRICS_O_optout},
        {{" beacon_optout = 1 ;"}, METRICS_O_optout},
        {{"beacon_optout=\"1\""}, METRICS_O_optout},
        /* in the second, or the last kept, Cookie line */
        {{"a=b", "beacon_optout=1"}, METRICS_O_optout},
        {{"a=b", "c=d", "e=f", "beacon_optout=1"}, METRICS_O_optout},
        {{"beacon_optout=0", "beacon_optout=1"}, METRICS_O_optout},
        /* only the value "1" opts out */
        {{"beacon_optout=0"}, METRICS_O_counted},
        {{"beacon_optout="}, METRICS_O_counted},
        {{"beacon_optout=11"}, METRICS_O_counted},
        {{"beacon_optout=yes"}, METRICS_O_counted},
        {{"beacon_optout=\"\""}, METRICS_O_counted},
        {{"beacon_optout"}, METRICS_O_counted},
        /* lookalike names */
        {{"xbeacon_optout=1"}, METRICS_O_counted},
        {{"beacon_optout2=1"}, METRICS_O_counted},
        {{"Beacon_optout=1"}, METRICS_O_counted},
        {{"a=beacon_optout=1"}, METRICS_O_counted},
        {{"xbeacon_optout=1", "beacon_optout2=1"}, METRICS_O_counted},
        {{""}, METRICS_O_counted},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct request r;
        char what[256];
        int n = 0;
        init_request(&r);
        for (int k = 0; k < REQUEST_COOKIE_MAX && cases[i].lines[k]; k++) {
            add_cookie(&r, cases[i].lines[k]);
            n += snprintf(what + n, sizeof(what) - (size_t)n, "Cookie: %s | ",
                          cases[i].lines[k]);
        }
        expect_outcome(&honor_all, &r, &no_facts, cases[i].want, what);
        free_held(NULL);
    }
}

/* The gate reads the kept Cookie lines (cookie[0..n_cookie)), never past
 * n_cookie. */
static void test_gate__cookie_lines_past_n_cookie_are_ignored(void **state)
{
    (void)state;
    struct request r;
    init_request(&r);
    add_cookie(&r, "a=b");
    add_cookie(&r, "beacon_optout=1");
    r.n_cookie = 1;
    expect_outcome(&honor_all, &r, &no_facts, METRICS_O_counted, "n=1");
    r.n_cookie = 2;
    expect_outcome(&honor_all, &r, &no_facts, METRICS_O_optout, "n=2");
}

static void test_gate__recipient_optout(void **state)
{
    (void)state;
    struct request r;
    struct gate_facts f = {.recipient_opted_out = 1};
    init_request(&r);
    expect_outcome(&honor_all, &r, &f, METRICS_O_optout, "recipient");
}

static void test_gate__bot(void **state)
{
    (void)state;
    struct request r;
    struct gate_facts f = {.is_bot = 1};
    init_request(&r);
    expect_outcome(&honor_all, &r, &f, METRICS_O_bot, "bot");
}

struct prefetch_case {
    enum request_header id;
    const char *value;
    enum metrics_outcome want;
};

static void test_gate__prefetch_tokens(void **state)
{
    (void)state;
    static const struct prefetch_case cases[] = {
        {HDR_SEC_PURPOSE, "prefetch", METRICS_O_prefetch},
        {HDR_SEC_PURPOSE, "prefetch;prerender", METRICS_O_prefetch},
        {HDR_SEC_PURPOSE, "prefetch; anonymous-client-ip", METRICS_O_prefetch},
        {HDR_SEC_PURPOSE, "prerender;prefetch", METRICS_O_prefetch},
        {HDR_SEC_PURPOSE, "prerender, prefetch", METRICS_O_prefetch},
        {HDR_SEC_PURPOSE, "a,prefetch,b", METRICS_O_prefetch},
        {HDR_SEC_PURPOSE, " \tprefetch\t ", METRICS_O_prefetch},
        {HDR_SEC_PURPOSE, "PREFETCH", METRICS_O_prefetch},
        {HDR_PURPOSE, "prefetch", METRICS_O_prefetch},
        {HDR_PURPOSE, "Prefetch", METRICS_O_prefetch},
        {HDR_PURPOSE, "PreFetch, other", METRICS_O_prefetch},
        {HDR_X_MOZ, "prefetch", METRICS_O_prefetch},
        {HDR_X_MOZ, "Prefetch", METRICS_O_prefetch},
        {HDR_X_PURPOSE, "preview", METRICS_O_prefetch},
        {HDR_X_PURPOSE, "Preview", METRICS_O_prefetch},
        {HDR_X_PURPOSE, "instant; preview", METRICS_O_prefetch},
        /* lookalikes: a token is whole, never a substring */
        {HDR_SEC_PURPOSE, "prefetched", METRICS_O_counted},
        {HDR_SEC_PURPOSE, "noprefetch", METRICS_O_counted},
        {HDR_SEC_PURPOSE, "prefetch-x", METRICS_O_counted},
        {HDR_SEC_PURPOSE, "prefetch=1", METRICS_O_counted},
        {HDR_SEC_PURPOSE, "prefetc", METRICS_O_counted},
        {HDR_SEC_PURPOSE, "prerender", METRICS_O_counted},
        {HDR_SEC_PURPOSE, "", METRICS_O_counted},
        {HDR_SEC_PURPOSE, " ;, ", METRICS_O_counted},
        {HDR_PURPOSE, "prefetched", METRICS_O_counted},
        {HDR_PURPOSE, "pre fetch", METRICS_O_counted},
        {HDR_X_MOZ, "prefetched", METRICS_O_counted},
        {HDR_X_MOZ, "xprefetch", METRICS_O_counted},
        {HDR_X_PURPOSE, "previewer", METRICS_O_counted},
        {HDR_X_PURPOSE, "previe", METRICS_O_counted},
        {HDR_X_PURPOSE, "preview2", METRICS_O_counted},
        /* SPEC 3 names header and token together: X-Purpose announces a
         * preview, the others a prefetch */
        {HDR_X_PURPOSE, "prefetch", METRICS_O_counted},
        {HDR_SEC_PURPOSE, "preview", METRICS_O_counted},
        {HDR_X_MOZ, "preview", METRICS_O_counted},
        /* a prefetch token in a header that is not a purpose header */
        {HDR_REFERER, "prefetch", METRICS_O_counted},
        {HDR_USER_AGENT, "prefetch", METRICS_O_counted},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        expect_header(cases[i].id, cases[i].value, cases[i].want);
        free_held(NULL);
    }
}

/* ---- the order of SPEC 3 ---------------------------------------------- */

enum cond {
    C_DNT = 1 << 0,
    C_GPC = 1 << 1,
    C_COOKIE = 1 << 2,
    C_RECIPIENT = 1 << 3,
    C_PREFETCH = 1 << 4,
    C_BOT = 1 << 5,
    C_ALL = (1 << 6) - 1,
};

static enum metrics_outcome first_reason(int c, const struct gate *g)
{
    if ((c & C_DNT) && g->honor_dnt) {
        return METRICS_O_dnt;
    }
    if ((c & C_GPC) && g->honor_gpc) {
        return METRICS_O_gpc;
    }
    if (c & (C_COOKIE | C_RECIPIENT)) {
        return METRICS_O_optout;
    }
    if (c & C_PREFETCH) {
        return METRICS_O_prefetch;
    }
    if (c & C_BOT) {
        return METRICS_O_bot;
    }
    return METRICS_O_counted;
}

/* Every combination of the six reasons under every honor_* setting: the
 * answer is always the first reason in SPEC 3's order. */
static void test_gate__order_over_every_combination(void **state)
{
    (void)state;
    for (int flags = 0; flags < 4; flags++) {
        struct gate g = {.honor_dnt = flags & 1, .honor_gpc = (flags >> 1) & 1};
        for (int c = 0; c <= C_ALL; c++) {
            for (int pf = 0; pf < 4; pf++) {
                struct request r;
                struct gate_facts f = {0, 0};
                char what[128];
                init_request(&r);
                if (c & C_DNT) {
                    set_header(&r, HDR_DNT, "1");
                }
                if (c & C_GPC) {
                    set_header(&r, HDR_SEC_GPC, "1");
                }
                if (c & C_COOKIE) {
                    add_cookie(&r, "theme=dark");
                    add_cookie(&r, "beacon_optout=1");
                }
                f.recipient_opted_out = (c & C_RECIPIENT) != 0;
                if (c & C_PREFETCH) {
                    static const enum request_header ids[] = {
                        HDR_SEC_PURPOSE, HDR_PURPOSE, HDR_X_MOZ, HDR_X_PURPOSE};
                    set_header(&r, ids[pf],
                               ids[pf] == HDR_X_PURPOSE ? "preview"
                                                        : "prefetch");
                }
                f.is_bot = (c & C_BOT) != 0;
                snprintf(what, sizeof(what),
                         "honor_dnt=%d honor_gpc=%d conditions=0x%02x "
                         "prefetch header %d",
                         g.honor_dnt, g.honor_gpc, c, pf);
                expect_outcome(&g, &r, &f, first_reason(c, &g), what);
                free_held(NULL);
            }
        }
    }
}

/* The same order spelled out pair by pair, for a reader of this file. */
static void test_gate__order_pairwise(void **state)
{
    (void)state;
    struct request r;
    struct gate_facts f = {0, 0};

    init_request(&r);
    set_header(&r, HDR_DNT, "1");
    set_header(&r, HDR_SEC_GPC, "1");
    expect_outcome(&honor_all, &r, &f, METRICS_O_dnt, "dnt before gpc");

    init_request(&r);
    set_header(&r, HDR_SEC_GPC, "1");
    add_cookie(&r, "beacon_optout=1");
    expect_outcome(&honor_all, &r, &f, METRICS_O_gpc, "gpc before cookie");

    init_request(&r);
    set_header(&r, HDR_DNT, "1");
    f.recipient_opted_out = 1;
    expect_outcome(&honor_all, &r, &f, METRICS_O_dnt, "dnt before recipient");

    init_request(&r);
    add_cookie(&r, "beacon_optout=1");
    set_header(&r, HDR_SEC_PURPOSE, "prefetch");
    f.recipient_opted_out = 0;
    expect_outcome(&honor_all, &r, &f, METRICS_O_optout,
                   "cookie before prefetch");

    init_request(&r);
    set_header(&r, HDR_PURPOSE, "prefetch");
    f.recipient_opted_out = 1;
    expect_outcome(&honor_all, &r, &f, METRICS_O_optout,
                   "recipient before prefetch");

    init_request(&r);
    set_header(&r, HDR_X_MOZ, "prefetch");
    f.recipient_opted_out = 0;
    f.is_bot = 1;
    expect_outcome(&honor_all, &r, &f, METRICS_O_prefetch,
                   "prefetch before bot");

    init_request(&r);
    f.recipient_opted_out = 1;
    f.is_bot = 1;
    expect_outcome(&honor_all, &r, &f, METRICS_O_optout,
                   "recipient before bot");
}

/* ---- response strings ------------------------------------------------- */

static void test_gate__x_beacon_strings(void **state)
{
    (void)state;
    assert_string_equal(gate_x_beacon(METRICS_O_counted), "counted");
    assert_string_equal(gate_x_beacon(METRICS_O_invalid), "dropped=invalid");
    assert_string_equal(gate_x_beacon(METRICS_O_shed), "dropped=shed");
    assert_string_equal(gate_x_beacon(METRICS_O_dnt), "dropped=dnt");
    assert_string_equal(gate_x_beacon(METRICS_O_gpc), "dropped=gpc");
    assert_string_equal(gate_x_beacon(METRICS_O_optout), "dropped=optout");
    assert_string_equal(gate_x_beacon(METRICS_O_bot), "dropped=bot");
    assert_string_equal(gate_x_beacon(METRICS_O_prefetch), "dropped=prefetch");
    /* a HEAD response carries no X-Beacon */
    assert_null(gate_x_beacon(METRICS_O_head));
    /* out of range */
    assert_null(gate_x_beacon(METRICS_OUTCOME_COUNT));
    assert_null(
        gate_x_beacon((enum metrics_outcome)(METRICS_OUTCOME_COUNT + 7)));
    assert_null(gate_x_beacon((enum metrics_outcome) - 1));
}

/* Every reason gate_check can answer has an X-Beacon string of SPEC 2.1. */
static void test_gate__every_gate_outcome_has_x_beacon(void **state)
{
    (void)state;
    static const enum metrics_outcome from_gate[] = {
        METRICS_O_counted, METRICS_O_dnt,      METRICS_O_gpc,
        METRICS_O_optout,  METRICS_O_prefetch, METRICS_O_bot,
    };
    for (size_t i = 0; i < sizeof(from_gate) / sizeof(from_gate[0]); i++) {
        const char *x = gate_x_beacon(from_gate[i]);
        char want[64];
        assert_non_null(x);
        if (from_gate[i] == METRICS_O_counted) {
            snprintf(want, sizeof(want), "counted");
        } else {
            snprintf(want, sizeof(want), "dropped=%s",
                     outcome_name(from_gate[i]));
        }
        assert_string_equal(x, want);
    }
}

static void test_gate__tk_n(void **state)
{
    (void)state;
    for (int o = 0; o < METRICS_OUTCOME_COUNT; o++) {
        int want = o == METRICS_O_dnt || o == METRICS_O_gpc;
        if (gate_tk_n((enum metrics_outcome)o) != want) {
            print_error("outcome %s\n", outcome_name((enum metrics_outcome)o));
        }
        assert_int_equal(gate_tk_n((enum metrics_outcome)o), want);
    }
    assert_int_equal(gate_tk_n(METRICS_OUTCOME_COUNT), 0);
}

/* ---- through the framer ----------------------------------------------- */

struct framed {
    int n;
    enum metrics_outcome outcome;
};

static void on_framed(void *arg, const struct request *r)
{
    struct framed *fr = arg;
    fr->n++;
    fr->outcome = gate_check(&honor_all, r, &no_facts);
}

/* Header lines as a client sends them: the framer trims the blanks around
 * a value, so "DNT: 1 " reaches the gate as "1". */
static void test_gate__framed_headers(void **state)
{
    (void)state;
    static const struct http_limits limits = {
        .max_request_line = 8192,
        .max_header_bytes = 16384,
        .max_headers = 64,
        .max_body = 65536,
    };
    static const struct {
        const char *lines;
        enum metrics_outcome want;
    } cases[] = {
        {"DNT: 1\r\n", METRICS_O_dnt},
        {"DNT: 1 \r\n", METRICS_O_dnt},
        {"DNT:1\r\n", METRICS_O_dnt},
        {"DNT:   1   \r\n", METRICS_O_dnt},
        {"DNT: \t1\t \r\n", METRICS_O_dnt},
        {"dnt: 1\r\n", METRICS_O_dnt},
        {"DNT: 0\r\n", METRICS_O_counted},
        {"DNT: 0 \r\n", METRICS_O_counted},
        {"DNT: 1 1\r\n", METRICS_O_counted},
        {"DNT: 10\r\n", METRICS_O_counted},
        {"DNT:\r\n", METRICS_O_counted},
        {"Sec-GPC: 1 \r\n", METRICS_O_gpc},
        {"sec-gpc:1\r\n", METRICS_O_gpc},
        {"Sec-GPC: 0\r\n", METRICS_O_counted},
        {"DNT: 1\r\nSec-GPC: 1\r\n", METRICS_O_dnt},
        {"Sec-GPC: 1\r\nDNT: 1\r\n", METRICS_O_dnt},
        {"Cookie: a=b\r\nCookie: beacon_optout=1\r\n", METRICS_O_optout},
        {"Cookie: beacon_optout=1 \r\n", METRICS_O_optout},
        {"Cookie: xbeacon_optout=1\r\n", METRICS_O_counted},
        {"Sec-Purpose: prefetch;prerender\r\n", METRICS_O_prefetch},
        {"Purpose: Prefetch\r\n", METRICS_O_prefetch},
        {"X-Purpose: preview\r\n", METRICS_O_prefetch},
        {"X-Moz: prefetch\r\n", METRICS_O_prefetch},
        {"X-Moz: prefetched\r\n", METRICS_O_counted},
        {"X-Purpose: previewer\r\n", METRICS_O_counted},
        {"User-Agent: curl/8.5.0\r\n", METRICS_O_counted}, /* bot: a fact */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct http_framer h;
        struct framed fr = {0, METRICS_OUTCOME_COUNT};
        char req[512];
        size_t room;
        int n = snprintf(req, sizeof(req),
                         "GET /p.gif?s=blog&u=%%2F HTTP/1.1\r\n"
                         "Host: collector.example\r\n%s\r\n",
                         cases[i].lines);
        assert_true(n > 0 && (size_t)n < sizeof(req));
        assert_int_equal(http_init(&h, &limits, 1024, 32768, on_framed, &fr),
                         0);
        char *w = http_space(&h, &room);
        assert_true(room >= (size_t)n);
        memcpy(w, req, (size_t)n);
        assert_int_equal(http_feed(&h, (size_t)n), HTTP_FEED_OK);
        assert_int_equal(fr.n, 1);
        if (fr.outcome != cases[i].want) {
            print_error("%s: want %s, got %s\n", cases[i].lines,
                        outcome_name(cases[i].want), outcome_name(fr.outcome));
        }
        assert_int_equal(fr.outcome, cases[i].want);
        http_deinit(&h);
    }
}

#define T(f) cmocka_unit_test_teardown(f, free_held)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_gate__plain_request_is_counted),
        T(test_gate__dnt_values),
        T(test_gate__gpc_values),
        T(test_gate__honor_switches),
        T(test_gate__optout_cookie),
        T(test_gate__cookie_lines_past_n_cookie_are_ignored),
        T(test_gate__recipient_optout),
        T(test_gate__bot),
        T(test_gate__prefetch_tokens),
        T(test_gate__order_over_every_combination),
        T(test_gate__order_pairwise),
        T(test_gate__x_beacon_strings),
        T(test_gate__every_gate_outcome_has_x_beacon),
        T(test_gate__tk_n),
        T(test_gate__framed_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
