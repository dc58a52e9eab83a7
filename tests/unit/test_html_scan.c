/*
 * test_html_scan.c: the HTML scanner on its own: tables of documents and
 * the markup html_scan_next finds in them, of tags and the attributes
 * html_scan_attr reads, and of attribute values and what
 * html_scan_decode makes of them; and that no call reads past len.
 * What "beaconctl sign html" does with all this is in test_sign_html.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dashboard/html_scan.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Appends printf output to buf[*o..cap), failing the test when full. */
static void add(char *buf, size_t cap, size_t *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf + *o, cap - *o, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < cap - *o);
    *o += (size_t)n;
}

/* A document and what a render function must write for it. */
struct markup_case {
    const char *in;
    const char *want;
};

/* Writes what the scanner finds in in[0..len) as text into buf. */
typedef void (*render_fn)(char *buf, size_t cap, const char *in, size_t len);

static void run_table(const struct markup_case *cases, size_t n,
                      render_fn render)
{
    char got[512];

    for (size_t i = 0; i < n; i++) {
        render(got, sizeof(got), cases[i].in, strlen(cases[i].in));
        if (strcmp(got, cases[i].want) != 0) {
            fail_msg("'%s': got '%s', want '%s'", cases[i].in, got,
                     cases[i].want);
        }
    }
}

/* ---- markup ------------------------------------------------------------- */

/*
 * want lists the markup of in, space-separated, each as KIND START-END,
 * KIND one of T (text '<'), O (other), S (start tag), E (end tag); then
 * ":name" for tags and "!" when cut.
 */

static const struct markup_case markup_cases[] = {
    {"", ""},
    {"no markup at all", ""},
    {"a < b <3 x<", "T2-3 T6-7 T10-11"},
    {"<p>x</p >", "S0-3:p E4-9:p"},
    {"<A HREF=X>", "S0-10:A"},
    {"<a\n\thref='x'\r\n/>", "S0-16:a"},
    {"<a title='>' href=\">\">y", "S0-22:a"},
    {"<!-- <a href=x> -->z", "O0-19"},
    {"<!--><!--->", "O0-5 O5-11"},
    {"<!-- x --!><b>", "O0-11 S11-14:b"},
    {"<!-- x -- y --->", "O0-16"},
    {"<!--[if mso]><b><![endif]-->", "O0-28"},
    {"<!--[if !mso]><!--><b><!--<![endif]-->", "O0-19 S19-22:b O22-38"},
    {"<![CDATA[ <a> ]]>", "O0-17"},
    {"<!DOCTYPE html><?xml v='>'?><", "O0-15 O15-25 T28-29"},
    {"</ x></>", "O0-5 O5-8"},
    {"<script>if (a<b) x='</p>'</script>", "S0-25:script E25-34:script"},
    {"<SCRIPT></scriptx></Script >", "S0-18:SCRIPT E18-28:Script"},
    {"<style>a{}</style\n>", "S0-10:style E10-19:style"},
    {"<title><a></title><b>", "S0-10:title E10-18:title S18-21:b"},
    {"<textarea><b></textarea>", "S0-13:textarea E13-24:textarea"},
    {"<xmp><iframe><noembed></xmp>", "S0-22:xmp E22-28:xmp"},
    {"<noframes><b></noframes>", "S0-13:noframes E13-24:noframes"},
    {"<noscript><a></noscript>", "S0-10:noscript S10-13:a E13-24:noscript"},
    {"<scripts><a>", "S0-9:scripts S9-12:a"},
    {"<b></body></BODY\n>", "S0-3:b E3-10:body E10-18:BODY"},
    /* Cut by the end of the input. */
    {"x <", "T2-3"},
    {"<a", "S0-2:a!"},
    {"<a ", "S0-3:a!"},
    {"<a href=", "S0-8:a!"},
    {"<a href='x>", "S0-11:a!"},
    {"<p><a href=\"x", "S0-3:p S3-13:a!"},
    {"x</body", "E1-7:body!"},
    {"</", "O0-2!"},
    {"<!-- <b>", "O0-8!"},
    {"<!--", "O0-4!"},
    {"<![CDATA[ ]]", "O0-12!"},
    {"<!DOCTYPE", "O0-9!"},
    {"a<?x", "O1-4!"},
    {"<script>x", "S0-9:script!"},
    {"<style>x</style", "S0-15:style!"},
    {"<style>x</style a='", "S0-19:style!"},
    {"<p><plaintext></p><a>", "S0-3:p S3-21:plaintext!"},
};

static void render_markup(char *buf, size_t cap, const char *in, size_t len)
{
    static const char kinds[] = "TOSE";
    struct html_scan_markup m;
    size_t o = 0;

    buf[0] = '\0';
    for (size_t i = 0; html_scan_next(in, len, i, &m) == 0; i = m.end) {
        assert_true(m.end > m.start && m.end <= len);
        assert_true(!m.cut || m.end == len);
        add(buf, cap, &o, "%s%c%zu-%zu", o > 0 ? " " : "", kinds[m.kind],
            m.start, m.end);
        if (m.kind == HTML_SCAN_START_TAG || m.kind == HTML_SCAN_END_TAG) {
            add(buf, cap, &o, ":%.*s", (int)m.name.len, m.name.p);
        }
        if (m.cut) {
            add(buf, cap, &o, "!");
        }
    }
}

static void test_html_scan__markup_table(void **state)
{
    (void)state;
    run_table(markup_cases, N_OF(markup_cases), render_markup);
}

static void test_html_scan__nul_in_tag_name(void **state)
{
    static const char in[] = "<a\0 b>";
    struct html_scan_markup m;
    (void)state;

    assert_int_equal(html_scan_next(in, sizeof(in) - 1, 0, &m), 0);
    assert_int_equal(m.kind, HTML_SCAN_START_TAG);
    assert_int_equal(m.name.len, 2);
    assert_memory_equal(m.name.p, "a\0", 2);
    assert_int_equal(m.end, sizeof(in) - 1);
    assert_int_equal(html_scan_next(in, sizeof(in) - 1, m.end, &m), -1);
    /* from past len finds nothing. */
    assert_int_equal(html_scan_next(in, 2, 3, &m), -1);
}

/* ---- attributes --------------------------------------------------------- */

/*
 * want lists the attributes of the first tag of in as name[value]{raw},
 * space-separated, then ">" when the tag ends or "!" when it is cut.
 */
static const struct markup_case attr_cases[] = {
    {"<a>", ">"},
    {"<a href=\"x\" b c=d>", "href[x]{\"x\"} b[]{} c[d]{d} >"},
    {"<a href='x \"y\"'>", "href[x \"y\"]{'x \"y\"'} >"},
    {"<a href = \"x\" >", "href[x]{\"x\"} >"},
    {"<a\n\thref=\"x\"\r\n>", "href[x]{\"x\"} >"},
    {"<a/href=\"x\"/>", "href[x]{\"x\"} >"},
    {"<a href=x/y class=c/>", "href[x/y]{x/y} class[c/]{c/} >"},
    {"<a title='say \"hi\" >' href=x>", "title[say \"hi\" >]{'say \"hi\" >'} "
                                        "href[x]{x} >"},
    {"<a href>", "href[]{} >"},
    {"<a href=>", "href[]{} >"},
    {"<a href=''>", "href[]{''} >"},
    {"<a =x>", "=x[]{} >"},
    {"<a a=1=2 b='3'c>", "a[1=2]{1=2} b[3]{'3'} c[]{} >"},
    {"<A HREF=X DATA-LINK=Y>", "HREF[X]{X} DATA-LINK[Y]{Y} >"},
    {"</a href=x>", "href[x]{x} >"},
    {"<a href=\"x\"", "href[x]{\"x\"} !"},
    {"<a href=\"x", "!"},
    {"<a href=", "!"},
    {"<a href", "href[]{} !"},
    {"<a ", "!"},
    {"<a", "!"},
};

static void render_attrs(char *buf, size_t cap, const char *in, size_t len)
{
    struct html_scan_markup m;
    struct html_scan_attr a;
    size_t o = 0;
    size_t pos;
    int rc;

    buf[0] = '\0';
    assert_int_equal(html_scan_next(in, len, 0, &m), 0);
    assert_true(m.kind == HTML_SCAN_START_TAG || m.kind == HTML_SCAN_END_TAG);
    pos = m.attrs;
    while ((rc = html_scan_attr(in, len, &pos, &a)) > 0) {
        add(buf, cap, &o, "%.*s[%.*s]{%.*s} ", (int)a.name.len, a.name.p,
            (int)a.value.len, a.value.p, (int)a.raw.len, a.raw.p);
    }
    add(buf, cap, &o, "%s", rc == 0 ? ">" : "!");
    /* The attributes end where the markup does, or the tag is cut. */
    assert_true(rc == 0 ? pos == m.end && !m.cut : m.cut);
}

static void test_html_scan__attr_table(void **state)
{
    (void)state;
    run_table(attr_cases, N_OF(attr_cases), render_attrs);
}

/* ---- decoding ----------------------------------------------------------- */

struct dec_case {
    const char *in;
    const char *out; /* NULL: refused */
};

static const struct dec_case dec_cases[] = {
    {"", ""},
    {"  \t\r\n\fx y \n", "x y"},
    {"&#32;x&#x20;", "x"},
    {"a&amp;b", "a&b"},
    {"&AMP;&LT;&GT;&QUOT;&lt;&gt;&quot;&apos;", "&<>\"<>\"'"},
    {"&#38;&#x26;&#X26;&#0038;&#38", "&&&&&"},
    {"&#38x", "&x"},
    {"&#x26g&#x2F;", "&g/"},
    {"&#233;&#x7ff;&#x800;&#xFFFF;&#x10000;&#x10FFFF;",
     "\xc3\xa9\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80"
     "\xf4\x8f\xbf\xbf"},
    {"&#x7f;&#xa0;", "\x7f\xc2\xa0"},
    {"a&b", "a&b"},
    {"a&b=1&c", "a&b=1&c"},
    {"&", "&"},
    {"& &; &=", "& &; &="},
    {"&#", "&#"},
    {"&#;&#x;&#xg&#a", "&#;&#x;&#xg&#a"},
    {"&amp=1&ampy&copy=&notit", "&amp=1&ampy&copy=&notit"},
    {"&APOS;", NULL},
    {"&copy;", NULL},
    {"&nbsp;", NULL},
    {"&amp", NULL},
    {"&amp&", NULL},
    {"&copy/", NULL},
    {"&not", NULL},
    {"&#0;", NULL},
    {"&#x80;&", NULL},
    {"&#159;", NULL},
    {"&#xDFFF;", NULL},
    {"&#x110000;", NULL},
    {"&#99999999999999999999999;", NULL},
};

static void test_html_scan__decode_table(void **state)
{
    char out[64];
    (void)state;

    for (size_t i = 0; i < N_OF(dec_cases); i++) {
        const struct dec_case *c = &dec_cases[i];
        ssize_t n =
            html_scan_decode(out, sizeof(out), span_make(c->in, strlen(c->in)));
        if (c->out == NULL) {
            if (n != -1) {
                fail_msg("'%s' decoded to '%s', expected a refusal", c->in,
                         out);
            }
            continue;
        }
        if (n < 0 || strcmp(out, c->out) != 0) {
            fail_msg("'%s' decoded to %zd '%s', expected '%s'", c->in, n,
                     n < 0 ? "" : out, c->out);
        }
        assert_int_equal((size_t)n, strlen(c->out));
    }
}

static void test_html_scan__decode_cap(void **state)
{
    char out[8];
    (void)state;

    assert_int_equal(html_scan_decode(out, 4, SPAN_LIT("abc")), 3);
    assert_string_equal(out, "abc");
    assert_int_equal(html_scan_decode(out, 3, SPAN_LIT("abc")), -1);
    assert_int_equal(html_scan_decode(out, 5, SPAN_LIT("&#x1F600;")), 4);
    assert_int_equal(html_scan_decode(out, 4, SPAN_LIT("&#x1F600;")), -1);
    assert_int_equal(html_scan_decode(out, 2, SPAN_LIT("&amp;")), 1);
    assert_int_equal(html_scan_decode(out, 1, SPAN_LIT("&amp;")), -1);
    /* Whitespace around the value does not count against cap. */
    assert_int_equal(html_scan_decode(out, 2, SPAN_LIT("   x   ")), 1);
}

/* ---- bounds ------------------------------------------------------------- */

/* Every prefix of this, in a heap block of its exact size, so that ASan
 * (make SANITIZER=address unit) sees any read past len. */
static const char bounds_doc[] =
    "<!DOCTYPE html><?x?><!--c--!><![CDATA[d]]></ x><p a='1' b=\"2\" c=3 d/>"
    "<a href=\"https://x.org/?a=1&amp;b=&#x26;&#38&copy;&lt\" data-link=z>"
    "<script>if(a<b)</scriptx></script ><style>x</style\n><plaintext><b>";

static void test_html_scan__never_reads_past_len(void **state)
{
    (void)state;

    for (size_t len = 0; len <= sizeof(bounds_doc) - 1; len++) {
        char *in = malloc(len > 0 ? len : 1);
        struct html_scan_markup m;

        assert_non_null(in);
        memcpy(in, bounds_doc, len);
        for (size_t i = 0; html_scan_next(in, len, i, &m) == 0; i = m.end) {
            struct html_scan_attr a;
            size_t pos = m.attrs;
            char out[128];

            if (m.kind != HTML_SCAN_START_TAG && m.kind != HTML_SCAN_END_TAG) {
                continue;
            }
            while (html_scan_attr(in, len, &pos, &a) > 0) {
                assert_true(pos <= len);
                html_scan_decode(out, sizeof(out), a.value);
            }
        }
        free(in);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_scan__markup_table),
        cmocka_unit_test(test_html_scan__nul_in_tag_name),
        cmocka_unit_test(test_html_scan__attr_table),
        cmocka_unit_test(test_html_scan__decode_table),
        cmocka_unit_test(test_html_scan__decode_cap),
        cmocka_unit_test(test_html_scan__never_reads_past_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
