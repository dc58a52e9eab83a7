/*
 * test_http_bytes.c: every placement of CR, LF, NUL, HT, SP, VT, FF and of
 * each byte 0x80-0xFF in a request (the table tests/data/http_placements.txt,
 * shared with tests/integration/http_bytes.py), framed by collector/http/http.c
 * whole and split in two at every byte. Each must give one well-formed
 * request where RFC 9112 allows the byte there, else one refusal (400), and
 * never frame the request pipelined behind it.
 *
 * Run from the repository root (make unit does): the table is opened by
 * its relative path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/http/http.h"

#define TABLE_PATH "tests/data/http_placements.txt"

/* BROWSER_UA of tests/integration/lib.sh: {UA} in the table. */
#define LIB_SH "tests/integration/lib.sh"
#define BROWSER_UA                                                             \
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "         \
    "Gecko) Chrome/126.0.0.0 Safari/537.36"

/* The well-formed request pipelined behind every case. */
#define HIDDEN "GET /p.gif?s=hidden&u=/h HTTP/1.1\r\nHost: t\r\n\r\n"
#define HIDDEN_TARGET "/p.gif?s=hidden&u=/h"

/* The carriers of the table. */
#define PIXEL_TARGET "/p.gif?s=carrier&u=/c"
#define POST_LINE "POST /e HTTP/1.1\r\n"
#define POST_TARGET "/e"
#define CARRIER_BODY "{\"s\":\"carrier\",\"u\":\"/c\"}"

/* Like the defaults of SPEC 2.8 and the buffer of collector/http/conn.c. */
static const struct http_limits limits = {
    .max_request_line = 8192,
    .max_header_bytes = 16384,
    .max_headers = 64,
    .max_body = 65536,
};
#define BUF_INITIAL 4096
#define BUF_MAX (8192 + 16384 + 4096)

#define MAX_PLACEMENTS 128
#define MAX_NAME 48
#define MAX_TEMPLATE 1024
#define MAX_CASE (MAX_TEMPLATE + sizeof(HIDDEN))
#define MAX_REPORTS 40 /* failure lines printed per test */

/* Byte classes of the table's accepted column. */
enum byte_class {
    BC_CR,
    BC_LF,
    BC_NUL,
    BC_HT,
    BC_SP,
    BC_VT,
    BC_FF,
    BC_OBS,
    BC_COUNT
};
static const char *const class_names[BC_COUNT] = {
    "CR", "LF", "NUL", "HT", "SP", "VT", "FF", "OBS",
};

/* The bytes under test: the named controls, then 0x80-0xFF. */
static const unsigned char named_bytes[] = {'\r', '\n', 0x00, '\t',
                                            ' ',  0x0b, 0x0c};
#define N_NAMED (sizeof(named_bytes))
#define N_BYTES (N_NAMED + 128)

static unsigned char byte_at(size_t i)
{
    return i < N_NAMED ? named_bytes[i] : (unsigned char)(0x80 + i - N_NAMED);
}

static enum byte_class class_of(unsigned char b)
{
    if (b >= 0x80) {
        return BC_OBS;
    }
    for (size_t i = 0; i < N_NAMED; i++) {
        if (named_bytes[i] == b) {
            return (enum byte_class)i;
        }
    }
    return BC_COUNT;
}

struct placement {
    char name[MAX_NAME];
    int line;                /* in the table file */
    char text[MAX_TEMPLATE]; /* the template, expanded, without '@' */
    size_t len;
    size_t at;         /* where the byte goes */
    unsigned accepted; /* 1 << enum byte_class */
    int status;        /* the refusal's status */
    int framed;        /* the carrier is whole before the byte */
    int post;          /* the chunked POST /e carrier */
};

struct table {
    int n;
    struct placement p[MAX_PLACEMENTS];
};

/* ---- the table file ------------------------------------------------- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
                     s[n - 1] == '\r')) {
        s[--n] = '\0';
    }
    return s;
}

static int table_error(int line, const char *what)
{
    print_error("%s:%d: %s\n", TABLE_PATH, line, what);
    return -1;
}

/* Expands the escapes and {UA} of a template into p. */
static int parse_template(struct placement *p, const char *s)
{
    size_t n = 0, ats = 0;
    while (*s != '\0') {
        const char *add = s;
        size_t add_len = 1;
        char esc;
        if (strncmp(s, "{UA}", 4) == 0) {
            add = BROWSER_UA;
            add_len = strlen(BROWSER_UA);
            s += 4;
        } else if (*s == '\\') {
            switch (s[1]) {
            case 'r':
                esc = '\r';
                break;
            case 'n':
                esc = '\n';
                break;
            case 't':
                esc = '\t';
                break;
            case '\\':
                esc = '\\';
                break;
            default:
                return table_error(p->line, "unknown escape");
            }
            add = &esc;
            s += 2;
        } else if (*s == '@') {
            p->at = n;
            ats++;
            s++;
            continue;
        } else {
            s++;
        }
        if (n + add_len >= sizeof(p->text)) {
            return table_error(p->line, "template too long");
        }
        memcpy(p->text + n, add, add_len);
        n += add_len;
    }
    if (ats != 1) {
        return table_error(p->line, "a template needs exactly one '@'");
    }
    p->len = n;
    p->text[n] = '\0';
    p->post = strncmp(p->text, POST_LINE, strlen(POST_LINE)) == 0;
    return 0;
}

static int parse_accepted(struct placement *p, char *s)
{
    if (strcmp(s, "-") == 0) {
        return 0;
    }
    for (char *w = strtok(s, " \t"); w != NULL; w = strtok(NULL, " \t")) {
        int c = 0;
        while (c < BC_COUNT && strcmp(w, class_names[c]) != 0) {
            c++;
        }
        if (c == BC_COUNT) {
            return table_error(p->line, "unknown byte class");
        }
        p->accepted |= 1u << c;
    }
    return p->accepted != 0 ? 0 : table_error(p->line, "empty accepted");
}

static int parse_options(struct placement *p, char *s)
{
    for (char *w = strtok(s, " \t"); w != NULL; w = strtok(NULL, " \t")) {
        if (strcmp(w, "framed") == 0) {
            p->framed = 1;
        } else if (strncmp(w, "status=", 7) == 0) {
            p->status = atoi(w + 7);
            if (p->status < 400 || p->status > 599) {
                return table_error(p->line, "bad status");
            }
        } else {
            return table_error(p->line, "unknown option");
        }
    }
    return 0;
}

static int parse_line(struct placement *p, char *line)
{
    char *col[4] = {NULL, NULL, NULL, ""};
    int n = 0;
    for (char *s = line; n < 4; n++) {
        col[n] = s;
        char *bar = strchr(s, '|');
        if (bar == NULL) {
            n++;
            break;
        }
        *bar = '\0';
        s = bar + 1;
    }
    if (n < 3) {
        return table_error(p->line, "want name | template | accepted");
    }
    char *name = trim(col[0]);
    if (*name == '\0' || strlen(name) >= sizeof(p->name)) {
        return table_error(p->line, "bad name");
    }
    strcpy(p->name, name);
    p->status = 400;
    if (parse_template(p, trim(col[1])) < 0 ||
        parse_accepted(p, trim(col[2])) < 0 ||
        parse_options(p, trim(col[3])) < 0) {
        return -1;
    }
    return 0;
}

static int load_table(struct table *t)
{
    FILE *f = fopen(TABLE_PATH, "r");
    if (f == NULL) {
        print_error("cannot open %s (run from the repository root)\n",
                    TABLE_PATH);
        return -1;
    }
    char line[4096];
    int lineno = 0, rc = 0;
    t->n = 0;
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#') {
            continue;
        }
        if (t->n == MAX_PLACEMENTS) {
            rc = table_error(lineno, "too many placements");
            break;
        }
        struct placement *p = &t->p[t->n];
        memset(p, 0, sizeof(*p));
        p->line = lineno;
        rc = parse_line(p, s);
        t->n++;
    }
    fclose(f);
    return rc;
}

/* ---- one case: a placement, a byte, a split --------------------------- */

/* What the framer did with one case. */
struct got {
    enum http_result res;
    int status;
    int n;          /* requests handed over */
    int first_ok;   /* the first is the carrier, whole */
    int second_ok;  /* the second is the hidden request */
    char first[64]; /* the first request's target, for messages */
};

struct sink {
    const struct placement *p;
    struct got *g;
};

static int span_is(struct span s, const char *want)
{
    return s.p != NULL && s.len == strlen(want) &&
           memcmp(s.p, want, s.len) == 0;
}

static void on_request(void *arg, const struct request *r)
{
    struct sink *k = arg;
    struct got *g = k->g;
    if (g->n == 0) {
        size_t n = r->target.len < sizeof(g->first) - 1 ? r->target.len
                                                        : sizeof(g->first) - 1;
        memcpy(g->first, r->target.p, n);
        g->first[n] = '\0';
        if (k->p->post) {
            g->first_ok = r->method == HTTP_POST &&
                          span_is(r->target, POST_TARGET) &&
                          span_is(r->body, CARRIER_BODY);
        } else {
            g->first_ok = r->method == HTTP_GET &&
                          span_is(r->target, PIXEL_TARGET) && r->body.len == 0;
        }
        g->first_ok = g->first_ok &&
                      span_is(r->header[HDR_USER_AGENT], BROWSER_UA) &&
                      span_is(r->header[HDR_HOST], "t") && r->keep_alive;
    } else if (g->n == 1) {
        g->second_ok = r->method == HTTP_GET &&
                       span_is(r->target, HIDDEN_TARGET) &&
                       r->header[HDR_USER_AGENT].p == NULL;
    }
    g->n++;
}

static enum http_result feed(struct http_framer *h, const char *data,
                             size_t len)
{
    size_t room;
    char *w = http_space(h, &room);
    assert_true(room >= len);
    memcpy(w, data, len);
    return http_feed(h, len);
}

/* Frames req[0..len): whole when split is 0, else as two reads split
 * there. */
static void run_case(struct http_framer *h, struct sink *k, const char *req,
                     size_t len, size_t split, struct got *g)
{
    memset(g, 0, sizeof(*g));
    k->g = g;
    http_reset(h);
    if (split == 0) {
        g->res = feed(h, req, len);
    } else {
        g->res = feed(h, req, split);
        if (g->res == HTTP_FEED_OK) {
            g->res = feed(h, req + split, len - split);
        }
    }
    g->status = h->status;
}

/* Builds the case: the template with the byte inserted, then HIDDEN. */
static size_t build(const struct placement *p, unsigned char byte, char *out)
{
    memcpy(out, p->text, p->at);
    out[p->at] = (char)byte;
    memcpy(out + p->at + 1, p->text + p->at, p->len - p->at);
    memcpy(out + p->len + 1, HIDDEN, strlen(HIDDEN));
    return p->len + 1 + strlen(HIDDEN);
}

static int is_accepted(const struct placement *p, unsigned char byte)
{
    return (p->accepted >> class_of(byte)) & 1;
}

static const char *result_name(enum http_result r)
{
    return r == HTTP_FEED_OK        ? "OK"
           : r == HTTP_FEED_ERROR   ? "ERROR"
           : r == HTTP_FEED_STOPPED ? "STOPPED"
                                    : "?";
}

struct report {
    int failures;
    int quiet; /* count, print nothing */
};

/* Checks one outcome; prints it (unless quiet) and counts a failure.
 * Returns 1 when it is the expected one. */
static int judge(struct report *rep, const struct placement *p,
                 unsigned char byte, size_t split, const struct got *g,
                 const char *also)
{
    int ok, acc = is_accepted(p, byte);
    if (acc) {
        ok = g->res == HTTP_FEED_OK && g->status == 0 && g->n == 2 &&
             g->first_ok && g->second_ok;
    } else {
        ok = g->res == HTTP_FEED_ERROR && g->status == p->status &&
             g->n == p->framed && (!p->framed || g->first_ok);
    }
    if (ok) {
        return 1;
    }
    if (++rep->failures <= MAX_REPORTS && !rep->quiet) {
        char where[32], want[64];
        if (split == 0) {
            snprintf(where, sizeof(where), "whole");
        } else {
            snprintf(where, sizeof(where), "split at %zu", split);
        }
        if (acc) {
            snprintf(want, sizeof(want), "OK, the carrier, the hidden one");
        } else if (p->framed) {
            snprintf(want, sizeof(want), "the carrier, then ERROR %d",
                     p->status);
        } else {
            snprintf(want, sizeof(want), "ERROR %d, no request", p->status);
        }
        print_error(
            "%s (line %d) byte 0x%02x %s: want %s; got %s %d, "
            "%d request(s) (first \"%s\"%s%s)%s\n",
            p->name, p->line, byte, where, want, result_name(g->res), g->status,
            g->n, g->first, g->n > 0 && !g->first_ok ? ", not the carrier" : "",
            g->n > 1 && !g->second_ok ? ", second not hidden" : "", also);
    }
    return 0;
}

enum mode { ONLY_ACCEPTED, ONLY_REFUSED, EVERY_SPLIT };

/* Runs every placement x byte of the table in one mode; returns the
 * number of failures. */
static int run_table(const struct table *t, enum mode mode, long *cases)
{
    struct http_framer h;
    struct sink k = {0};
    struct report rep = {0};
    struct report quiet = {.quiet = 1};
    static char req[MAX_CASE];
    assert_int_equal(
        http_init(&h, &limits, BUF_INITIAL, BUF_MAX, on_request, &k), 0);
    *cases = 0;
    for (int i = 0; i < t->n; i++) {
        const struct placement *p = &t->p[i];
        k.p = p;
        for (size_t b = 0; b < N_BYTES; b++) {
            unsigned char byte = byte_at(b);
            int acc = is_accepted(p, byte);
            if ((mode == ONLY_ACCEPTED && !acc) ||
                (mode == ONLY_REFUSED && acc)) {
                continue;
            }
            size_t len = build(p, byte, req);
            struct got g;
            if (mode != EVERY_SPLIT) {
                run_case(&h, &k, req, len, 0, &g);
                judge(&rep, p, byte, 0, &g, "");
                (*cases)++;
                continue;
            }
            /* One line per case: its first failing split and how many
             * splits failed in all. */
            size_t first_bad = 0, n_bad = 0;
            struct got bad;
            for (size_t split = 1; split < len; split++) {
                run_case(&h, &k, req, len, split, &g);
                if (!judge(&quiet, p, byte, split, &g, "") && n_bad++ == 0) {
                    first_bad = split;
                    bad = g;
                }
                (*cases)++;
            }
            if (n_bad > 0) {
                char also[64];
                snprintf(also, sizeof(also), "; %zu of %zu splits fail", n_bad,
                         len - 1);
                judge(&rep, p, byte, first_bad, &bad, also);
            }
        }
    }
    http_deinit(&h);
    if (rep.failures > MAX_REPORTS) {
        print_error("... and %d more failures\n", rep.failures - MAX_REPORTS);
    }
    return rep.failures;
}

/* ---- tests ------------------------------------------------------------ */

static int group_setup(void **state)
{
    struct table *t = calloc(1, sizeof(*t));
    if (t == NULL || load_table(t) < 0) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int group_teardown(void **state)
{
    free(*state);
    return 0;
}

/* The placements the suite must cover (the table may hold more). */
static const char *const required[] = {
    "before_request_line",
    "method_middle",
    "method_sp_replaced",
    "target_start",
    "path_middle",
    "query_middle",
    "version_sp_replaced",
    "version_name",
    "version_digits",
    "version_end",
    "request_line_cr_replaced",
    "request_line_lf_replaced",
    "field_name_start",
    "field_name_middle",
    "field_name_end",
    "field_value_start",
    "field_value_middle",
    "field_value_end",
    "field_cr_replaced",
    "field_lf_replaced",
    "head_end_start",
    "head_end_cr_replaced",
    "head_end_lf_replaced",
    "after_head",
    "chunk_size_end",
    "chunk_ext_name",
    "chunk_ext_quoted",
    "chunk_size_cr_replaced",
    "chunk_size_lf_replaced",
    "chunk_end",
    "chunk_end_cr_replaced",
    "chunk_end_lf_replaced",
    "last_chunk",
    "trailer_name_middle",
    "trailer_value_middle",
    "trailer_section_end",
};

static void test_http_bytes__table_is_well_formed(void **state)
{
    const struct table *t = *state;
    for (size_t r = 0; r < sizeof(required) / sizeof(required[0]); r++) {
        int found = 0;
        for (int i = 0; i < t->n; i++) {
            found += strcmp(t->p[i].name, required[r]) == 0;
        }
        if (found != 1) {
            print_error("placement %s: %d rows, want 1\n", required[r], found);
        }
        assert_int_equal(found, 1);
    }
    for (int i = 0; i < t->n; i++) {
        const struct placement *p = &t->p[i];
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(p->name, t->p[j].name);
        }
        /* CR or LF is accepted only where it replaces that very byte */
        if (p->accepted & (1u << BC_CR)) {
            assert_true(p->at < p->len && p->text[p->at] == '\n');
        }
        if (p->accepted & (1u << BC_LF)) {
            assert_true(p->at > 0 && p->text[p->at - 1] == '\r');
        }
        /* a refusal of the request after a whole carrier accepts nothing */
        assert_false(p->framed && p->accepted != 0);
    }
}

/* {UA} is the user agent the integration tests send (lib.sh). */
static void test_http_bytes__ua_is_the_browser_ua_of_lib_sh(void **state)
{
    static const char key[] = "BROWSER_UA=\"";
    char line[512];
    int found = 0;
    (void)state;
    FILE *f = fopen(LIB_SH, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, key, strlen(key)) == 0) {
            found = 1;
            assert_string_equal(trim(line + strlen(key)), BROWSER_UA "\"");
        }
    }
    fclose(f);
    assert_int_equal(found, 1);
}

static void test_http_bytes__allowed_bytes_frame_both_requests(void **state)
{
    long cases;
    int failures = run_table(*state, ONLY_ACCEPTED, &cases);
    print_message("%ld cases framed whole\n", cases);
    assert_true(cases > 0);
    assert_int_equal(failures, 0);
}

static void test_http_bytes__refused_bytes_hide_the_next_request(void **state)
{
    long cases;
    int failures = run_table(*state, ONLY_REFUSED, &cases);
    print_message("%ld cases framed whole\n", cases);
    assert_true(cases > 0);
    assert_int_equal(failures, 0);
}

static void test_http_bytes__same_answer_split_at_every_byte(void **state)
{
    long cases;
    int failures = run_table(*state, EVERY_SPLIT, &cases);
    print_message("%ld cases: placement x byte x split\n", cases);
    assert_true(cases > 0);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_bytes__table_is_well_formed),
        cmocka_unit_test(test_http_bytes__ua_is_the_browser_ua_of_lib_sh),
        cmocka_unit_test(test_http_bytes__allowed_bytes_frame_both_requests),
        cmocka_unit_test(test_http_bytes__refused_bytes_hide_the_next_request),
        cmocka_unit_test(test_http_bytes__same_answer_split_at_every_byte),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
