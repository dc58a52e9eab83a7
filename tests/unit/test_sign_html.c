/*
 * test_sign_html.c: "beaconctl sign html": tables of templates and the
 * exact output they must give (which <a href> is signed and which is
 * not, link ids, where the pixel goes, idempotence), bounded reading,
 * write and allocation failures. Every signed link in an expected output
 * is checked with clicklink_verify over clicklink_message, not by calling
 * the signer again. The scanner and the reference decoder on their own
 * are in test_html_scan.c.
 *
 * sign_html.c is compiled into this file, with its allocator calls routed
 * through a counter that can be told to fail (as test_botlist.c does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void *counted_calloc(size_t n, size_t size)
{
    return alloc_allowed() ? calloc(n, size) : NULL;
}

static void *counted_realloc(void *p, size_t n)
{
    return alloc_allowed() ? realloc(p, n) : NULL;
}

#define calloc counted_calloc
#define realloc counted_realloc
#include "dashboard/sign_html.c"
#undef calloc
#undef realloc

/* ---- helpers ------------------------------------------------------------ */

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const unsigned char key[32] = {
    1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static const struct sign_html fields = {
    "https://t.example", "news", "c1", "abcdefgh", "k1", key, sizeof(key),
};

#define PIXEL                                                                  \
    "<img src=\"https://t.example/o/news/c1/abcdefgh.gif\" width=\"1\" "       \
    "height=\"1\" alt=\"\" "                                                   \
    "style=\"display:block;border:0;width:1px;height:1px\">"

/* Rewrites in[0..len) with h; returns the output (free it, *outlen
 * bytes and a NUL) and sets *rc. */
static char *rewrite_with(const struct sign_html *h, const char *in, size_t len,
                          int *rc, char *err, size_t *outlen)
{
    char *out = NULL;
    FILE *f = open_memstream(&out, outlen);

    assert_non_null(f);
    err[0] = '\0';
    *rc = sign_html_rewrite(f, in, len, h, err, SIGN_HTML_ERR_LEN);
    assert_int_equal(fclose(f), 0);
    return out;
}

static char *rewrite(const char *in, int *rc, char *err)
{
    size_t outlen;
    char *out = rewrite_with(&fields, in, strlen(in), rc, err, &outlen);

    assert_int_equal(strlen(out), outlen);
    return out;
}

/*
 * Checks that got matches want, where want holds "{{ID URL}}" for a link
 * signed with id ID and target URL (its signature is verified) and
 * "{{P}}" for the pixel markup.
 */
static void assert_matches(const char *name, const char *got, const char *want)
{
    const char *g = got;
    const char *w = want;

    while (*w != '\0') {
        if (strncmp(w, "{{P}}", 5) == 0) {
            if (strncmp(g, PIXEL, strlen(PIXEL)) != 0) {
                fail_msg("%s: no pixel at offset %zu of\n%s", name,
                         (size_t)(g - got), got);
            }
            g += strlen(PIXEL);
            w += 5;
        } else if (strncmp(w, "{{", 2) == 0) {
            char id[80];
            char to[CLICKLINK_TO_MAX + 1];
            char enc[3 * CLICKLINK_TO_MAX + 1];
            char prefix[SIGN_URL_MAX];
            char msg[4096];
            const char *sp = strchr(w, ' ');
            const char *end = strstr(w, "}}");
            int mlen;

            assert_non_null(sp);
            assert_non_null(end);
            snprintf(id, sizeof(id), "%.*s", (int)(sp - w - 2), w + 2);
            snprintf(to, sizeof(to), "%.*s", (int)(end - sp - 1), sp + 1);
            assert_true(sign_percent_encode(enc, sizeof(enc), to, strlen(to)) >=
                        0);
            snprintf(prefix, sizeof(prefix),
                     "https://t.example/c/news/c1/%s?to=%s&amp;r=abcdefgh"
                     "&amp;k=k1&amp;sig=",
                     id, enc);
            if (strncmp(g, prefix, strlen(prefix)) != 0) {
                fail_msg("%s: expected at offset %zu\n%s\nin\n%s", name,
                         (size_t)(g - got), prefix, got);
            }
            g += strlen(prefix);
            mlen = clicklink_message(msg, sizeof(msg), SPAN_LIT("news"),
                                     SPAN_LIT("c1"), span_make(id, strlen(id)),
                                     span_make(to, strlen(to)),
                                     SPAN_LIT("abcdefgh"));
            assert_true(mlen > 0);
            assert_true(strlen(g) >= CLICKLINK_SIG_LEN);
            if (clicklink_verify(g, CLICKLINK_SIG_LEN, key, sizeof(key), msg,
                                 (size_t)mlen) != 1) {
                fail_msg("%s: bad signature for link %s", name, id);
            }
            g += CLICKLINK_SIG_LEN;
            w = end + 2;
        } else {
            if (*g != *w) {
                fail_msg("%s: differs at offset %zu:\n got: %s\nwant: %s", name,
                         (size_t)(g - got), got, want);
            }
            g++;
            w++;
        }
    }
    if (*g != '\0') {
        fail_msg("%s: trailing output at offset %zu:\n%s", name,
                 (size_t)(g - got), got);
    }
}

struct html_case {
    const char *name;
    const char *in;
    const char *want;
};

static void run_cases(const struct html_case *cases, size_t n)
{
    char err[SIGN_HTML_ERR_LEN];

    for (size_t i = 0; i < n; i++) {
        int rc;
        char *out = rewrite(cases[i].in, &rc, err);
        if (rc != 0) {
            fail_msg("%s: rc %d: %s", cases[i].name, rc, err);
        }
        assert_matches(cases[i].name, out, cases[i].want);
        free(out);
    }
}

/* ---- what is signed ----------------------------------------------------- */

static const struct html_case signed_cases[] = {
    {"double-quoted", "<a href=\"https://x.org/a\">A</a>",
     "<a href=\"{{1 https://x.org/a}}\">A</a>{{P}}"},
    {"single-quoted", "<a href='https://x.org/a'>A</a>",
     "<a href=\"{{1 https://x.org/a}}\">A</a>{{P}}"},
    {"unquoted", "<a href=https://x.org/a>A</a>",
     "<a href=\"{{1 https://x.org/a}}\">A</a>{{P}}"},
    {"unquoted, then an attribute", "<a href=http://x.org/a?b=1 class=c>",
     "<a href=\"{{1 http://x.org/a?b=1}}\" class=c>{{P}}"},
    {"spaces around =", "<a href = \"https://x.org/\" >",
     "<a href = \"{{1 https://x.org/}}\" >{{P}}"},
    {"attribute order and others kept",
     "<a class=\"btn\" style=\"color:#fff\" target=_blank title='T' "
     "data-x=\"1\" href=\"https://x.org/\" rel=noopener>",
     "<a class=\"btn\" style=\"color:#fff\" target=_blank title='T' "
     "data-x=\"1\" href=\"{{1 https://x.org/}}\" rel=noopener>{{P}}"},
    {"upper-case tag, attribute and scheme",
     "<A HREF=\"HTTPS://X.ORG/P\">x</A>",
     "<A HREF=\"{{1 HTTPS://X.ORG/P}}\">x</A>{{P}}"},
    {"mixed case", "<a hReF='Http://x.org/'>",
     "<a hReF=\"{{1 Http://x.org/}}\">{{P}}"},
    {"newlines and tabs in the tag",
     "<a\n\tclass=\"c\"\r\n\thref=\"https://x.org/\"\n>x</a>",
     "<a\n\tclass=\"c\"\r\n\thref=\"{{1 https://x.org/}}\"\n>x</a>{{P}}"},
    {"whitespace around the URL", "<a href=\"  \t\nhttps://x.org/ \r\n\">",
     "<a href=\"{{1 https://x.org/}}\">{{P}}"},
    {"&amp; decoded, written back as &amp;",
     "<a href=\"https://x.org/?a=1&amp;b=2\">",
     "<a href=\"{{1 https://x.org/?a=1&b=2}}\">{{P}}"},
    {"numeric references", "<a href=\"https://x.org/?a=1&#38;b=2&#x26;c=3\">",
     "<a href=\"{{1 https://x.org/?a=1&b=2&c=3}}\">{{P}}"},
    {"a bare & stays &", "<a href=https://x.org/?a=1&b=2&c>",
     "<a href=\"{{1 https://x.org/?a=1&b=2&c}}\">{{P}}"},
    {"named references", "<a href='https://x.org/?q=&quot;&lt;&gt;&apos;'>",
     "<a href=\"{{1 https://x.org/?q=\"<>'}}\">{{P}}"},
    {"&amp= is not a reference in an attribute",
     "<a href=\"https://x.org/?x&amp=1&ampy=2\">",
     "<a href=\"{{1 https://x.org/?x&amp=1&ampy=2}}\">{{P}}"},
    {"trimmed after decoding", "<a href=\"&#32;https://x.org/&#10;\">",
     "<a href=\"{{1 https://x.org/}}\">{{P}}"},
    {"a reference in the scheme", "<a href=\"&#104;ttps://x.org/\">",
     "<a href=\"{{1 https://x.org/}}\">{{P}}"},
    {"UTF-8 and a reference to an emoji",
     "<a href=\"https://x.org/caf\xc3\xa9/&#x1F600;\">",
     "<a href=\"{{1 https://x.org/caf\xc3\xa9/\xf0\x9f\x98\x80}}\">{{P}}"},
    {"'/' between the name and an attribute", "<a/href=\"https://x.org/\"/>",
     "<a/href=\"{{1 https://x.org/}}\"/>{{P}}"},
    {"only the first href counts",
     "<a href=\"https://x.org/\" href=\"https://y.org/\">",
     "<a href=\"{{1 https://x.org/}}\" href=\"https://y.org/\">{{P}}"},
    {"a quote in a title, '>' in a value",
     "<a title='say \"hi\" >' href=https://x.org/>",
     "<a title='say \"hi\" >' href=\"{{1 https://x.org/}}\">{{P}}"},
    {"port, userinfo, IPv6, fragment",
     "<a href=\"https://u@x.org:8443/p#f\"><a href=\"http://[::1]:80/\">",
     "<a href=\"{{1 https://u@x.org:8443/p#f}}\">"
     "<a href=\"{{2 http://[::1]:80/}}\">{{P}}"},
    {"visible branch of an MSO conditional is HTML",
     "<!--[if !mso]><!--><a href=\"https://x.org/\">x</a><!--<![endif]-->",
     "<!--[if !mso]><!--><a href=\"{{1 https://x.org/}}\">x</a>"
     "<!--<![endif]-->{{P}}"},
    {"after a comment and a script",
     "<!-- c --><script>x</script>"
     "<a href=https://x.org/>",
     "<!-- c --><script>x</script><a href=\"{{1 https://x.org/}}\">{{P}}"},
    {"empty and short comments end early",
     "<!--><a href=https://x.org/><!---><a href=https://y.org/>",
     "<!--><a href=\"{{1 https://x.org/}}\"><!--->"
     "<a href=\"{{2 https://y.org/}}\">{{P}}"},
    {"--!> ends a comment", "<!-- x --!><a href=https://x.org/>",
     "<!-- x --!><a href=\"{{1 https://x.org/}}\">{{P}}"},
    {"noscript is HTML to a mail client",
     "<noscript><a href=https://x.org/></noscript>",
     "<noscript><a href=\"{{1 https://x.org/}}\"></noscript>{{P}}"},
    {"a '<' in text", "a < b <3 <a href=https://x.org/>",
     "a < b <3 <a href=\"{{1 https://x.org/}}\">{{P}}"},
};

static void test_sign_html__signed(void **state)
{
    (void)state;
    run_cases(signed_cases, N_OF(signed_cases));
}

/* ---- what is left alone ------------------------------------------------- */

static const struct html_case untouched_cases[] = {
    {"mailto", "<a href=\"mailto:a@x.org\">",
     "<a href=\"mailto:a@x.org\">{{P}}"},
    {"tel", "<a href='tel:+15555550100'>", "<a href='tel:+15555550100'>{{P}}"},
    {"relative", "<a href=\"/p\"><a href=\"p.html\"><a href=\"?q\">",
     "<a href=\"/p\"><a href=\"p.html\"><a href=\"?q\">{{P}}"},
    {"fragment", "<a href=\"#top\">", "<a href=\"#top\">{{P}}"},
    {"javascript", "<a href=\"javascript:alert(1)\">",
     "<a href=\"javascript:alert(1)\">{{P}}"},
    {"scheme-relative", "<a href=\"//x.org/\">", "<a href=\"//x.org/\">{{P}}"},
    {"other schemes", "<a href=\"ftp://x.org/\"><a href=\"data:text/html,x\">",
     "<a href=\"ftp://x.org/\"><a href=\"data:text/html,x\">{{P}}"},
    {"no // or no host", "<a href=\"https:x.org\"><a href=\"http://\">",
     "<a href=\"https:x.org\"><a href=\"http://\">{{P}}"},
    {"a space inside", "<a href=\"https://x.org/a b\">",
     "<a href=\"https://x.org/a b\">{{P}}"},
    {"a newline inside", "<a href=\"https://x.org/a\nb\">",
     "<a href=\"https://x.org/a\nb\">{{P}}"},
    {"bad port", "<a href=\"https://x.org:99999/\">",
     "<a href=\"https://x.org:99999/\">{{P}}"},
    {"already signed",
     "<a href=\"https://t.example/c/news/c1/1?to=x&amp;k=k1&amp;sig=s\">",
     "<a href=\"https://t.example/c/news/c1/1?to=x&amp;k=k1&amp;sig=s\">{{P}}"},
    {"already signed, other case",
     "<a href=\"HTTPS://T.EXAMPLE/c/other/c9/x?to=y\">",
     "<a href=\"HTTPS://T.EXAMPLE/c/other/c9/x?to=y\">{{P}}"},
    {"no href", "<a name=\"top\">x</a><a>y</a><a href>z</a><a href=>",
     "<a name=\"top\">x</a><a>y</a><a href>z</a><a href=>{{P}}"},
    {"href of other elements",
     "<abbr href=\"https://x.org/\"><area href=\"https://x.org/\">"
     "<link href=\"https://x.org/s.css\"><base href=\"https://x.org/\">"
     "<aside href=https://x.org/><a-b href=https://x.org/>",
     "<abbr href=\"https://x.org/\"><area href=\"https://x.org/\">"
     "<link href=\"https://x.org/s.css\"><base href=\"https://x.org/\">"
     "<aside href=https://x.org/><a-b href=https://x.org/>{{P}}"},
    {"an end tag with an href", "</a href=\"https://x.org/\">",
     "</a href=\"https://x.org/\">{{P}}"},
    {"data-href, xhref", "<a data-href=\"https://x.org/\" xhref=https://y/>",
     "<a data-href=\"https://x.org/\" xhref=https://y/>{{P}}"},
    {"comment", "<!-- <a href=\"https://x.org/\">x</a> -->",
     "<!-- <a href=\"https://x.org/\">x</a> -->{{P}}"},
    {"MSO conditional comment",
     "<!--[if mso]><a href=\"https://x.org/\">x</a><![endif]-->",
     "<!--[if mso]><a href=\"https://x.org/\">x</a><![endif]-->{{P}}"},
    {"unterminated comment", "x<!-- <a href=\"https://x.org/\">",
     "x{{P}}<!-- <a href=\"https://x.org/\">"},
    {"CDATA", "<![CDATA[ <b>x</b> <a href=\"https://x.org/\"> ]]>",
     "<![CDATA[ <b>x</b> <a href=\"https://x.org/\"> ]]>{{P}}"},
    {"doctype and processing instruction",
     "<!DOCTYPE html><?xml version=\"1.0\"?>",
     "<!DOCTYPE html><?xml version=\"1.0\"?>{{P}}"},
    {"script", "<script>d.write('<a href=\"https://x.org/\">')</script>",
     "<script>d.write('<a href=\"https://x.org/\">')</script>{{P}}"},
    {"script, upper case, '</scriptx' inside",
     "<SCRIPT type=x></scriptx><a href=https://x.org/></SCRIPT >",
     "<SCRIPT type=x></scriptx><a href=https://x.org/></SCRIPT >{{P}}"},
    {"style", "<style>a[href=\"https://x.org/\"]{color:red}</style>",
     "<style>a[href=\"https://x.org/\"]{color:red}</style>{{P}}"},
    {"title and textarea",
     "<title><a href=https://x.org/></title><textarea><a href=https://x/>"
     "</textarea>",
     "<title><a href=https://x.org/></title><textarea><a href=https://x/>"
     "</textarea>{{P}}"},
    {"iframe, xmp, noembed, noframes",
     "<iframe><a href=https://x.org/></iframe><xmp><a href=https://x/></xmp>"
     "<noembed><a href=https://x/></noembed><noframes><a href=https://x/>",
     "<iframe><a href=https://x.org/></iframe><xmp><a href=https://x/></xmp>"
     "<noembed><a href=https://x/></noembed>{{P}}<noframes><a "
     "href=https://x/>"},
    {"plaintext", "<p><plaintext><a href=https://x.org/></body>",
     "<p>{{P}}<plaintext><a href=https://x.org/></body>"},
    {"unterminated script", "<script><a href=https://x.org/>",
     "{{P}}<script><a href=https://x.org/>"},
    {"a named reference not decoded here",
     "<a href=\"https://x.org/?a&copy;\"><a href=\"https://x.org/&notin;\">",
     "<a href=\"https://x.org/?a&copy;\"><a href=\"https://x.org/&notin;\">"
     "{{P}}"},
    {"a legacy reference without ';'",
     "<a href=\"https://x.org/?a=1&amp\"><a href=\"https://x.org/&copy/x\">",
     "<a href=\"https://x.org/?a=1&amp\"><a href=\"https://x.org/&copy/x\">"
     "{{P}}"},
    {"numeric references a browser replaces",
     "<a href=\"https://x.org/&#0;\"><a href=\"https://x.org/&#x80;\">"
     "<a href=\"https://x.org/&#xD800;\"><a href=\"https://x.org/&#x110000;\">",
     "<a href=\"https://x.org/&#0;\"><a href=\"https://x.org/&#x80;\">"
     "<a href=\"https://x.org/&#xD800;\"><a href=\"https://x.org/&#x110000;\">"
     "{{P}}"},
    {"a reference to a control character",
     "<a href=\"https://x.org/a&#10;b\"><a href=\"https://x.org/&#1;\">",
     "<a href=\"https://x.org/a&#10;b\"><a href=\"https://x.org/&#1;\">{{P}}"},
};

static void test_sign_html__untouched(void **state)
{
    (void)state;
    run_cases(untouched_cases, N_OF(untouched_cases));
}

static void test_sign_html__too_long_target(void **state)
{
    /* CLICKLINK_TO_MAX bytes are signed, one more is not. */
    static char in[CLICKLINK_TO_MAX + 256];
    static char want[CLICKLINK_TO_MAX + 512];
    const char *head = "https://x.org/";
    size_t pad = CLICKLINK_TO_MAX - strlen(head);
    char err[SIGN_HTML_ERR_LEN];
    char *out;
    int rc;
    (void)state;

    snprintf(in, sizeof(in), "<a href=\"%s%0*d\">", head, (int)pad, 0);
    snprintf(want, sizeof(want), "<a href=\"{{1 %s%0*d}}\">{{P}}", head,
             (int)pad, 0);
    out = rewrite(in, &rc, err);
    assert_int_equal(rc, 0);
    assert_matches("2048 bytes", out, want);
    free(out);

    snprintf(in, sizeof(in), "<a href=\"%s%0*d\">", head, (int)pad + 1, 0);
    snprintf(want, sizeof(want), "%s" PIXEL, in);
    out = rewrite(in, &rc, err);
    assert_int_equal(rc, 0);
    assert_string_equal(out, want);
    free(out);
}

/* ---- link ids ----------------------------------------------------------- */

static const struct html_case id_cases[] = {
    {"numbered in document order",
     "<a href=https://x.org/1><a href=mailto:a@b><a href=https://x.org/2>",
     "<a href=\"{{1 https://x.org/1}}\"><a href=mailto:a@b>"
     "<a href=\"{{2 https://x.org/2}}\">{{P}}"},
    {"data-link, kept in the output",
     "<a data-link=\"hero\" href=\"https://x.org/\">"
     "<a href='https://y.org/' data-link='cta.2_b-c'>"
     "<a href=https://z.org/ DATA-LINK=Z>",
     "<a data-link=\"hero\" href=\"{{hero https://x.org/}}\">"
     "<a href=\"{{cta.2_b-c https://y.org/}}\" data-link='cta.2_b-c'>"
     "<a href=\"{{Z https://z.org/}}\" DATA-LINK=Z>{{P}}"},
    {"data-link does not use up a number",
     "<a href=https://x.org/ data-link=hero><a href=https://y.org/>",
     "<a href=\"{{hero https://x.org/}}\" data-link=hero>"
     "<a href=\"{{1 https://y.org/}}\">{{P}}"},
    {"numbers used by a data-link anywhere are skipped",
     "<a href=https://x.org/a><a href=https://x.org/b>"
     "<a href=https://x.org/c data-link=2>"
     "<a href=mailto:a@b data-link=3><a href=https://x.org/d>",
     "<a href=\"{{1 https://x.org/a}}\"><a href=\"{{4 https://x.org/b}}\">"
     "<a href=\"{{2 https://x.org/c}}\" data-link=2>"
     "<a href=mailto:a@b data-link=3><a href=\"{{5 https://x.org/d}}\">{{P}}"},
    {"only plain numbers collide",
     "<a href=https://x.org/ data-link=01><a href=https://y.org/>"
     "<a href=https://z.org/ data-link=999999999999>",
     "<a href=\"{{01 https://x.org/}}\" data-link=01>"
     "<a href=\"{{1 https://y.org/}}\">"
     "<a href=\"{{999999999999 https://z.org/}}\" data-link=999999999999>"
     "{{P}}"},
    {"the same data-link twice",
     "<a href=https://x.org/ data-link=logo><a href=https://y.org/ "
     "data-link=logo>",
     "<a href=\"{{logo https://x.org/}}\" data-link=logo>"
     "<a href=\"{{logo https://y.org/}}\" data-link=logo>{{P}}"},
    {"first data-link wins", "<a href=https://x.org/ data-link=a data-link=b>",
     "<a href=\"{{a https://x.org/}}\" data-link=a data-link=b>{{P}}"},
    {"a bad data-link on a link not signed is ignored",
     "<a href=\"mailto:a@b\" data-link=\"no good\">",
     "<a href=\"mailto:a@b\" data-link=\"no good\">{{P}}"},
    {"a data-link inside a comment does not count",
     "<!-- <a href=https://x.org/ data-link=1> --><a href=https://y.org/>",
     "<!-- <a href=https://x.org/ data-link=1> -->"
     "<a href=\"{{1 https://y.org/}}\">{{P}}"},
};

static void test_sign_html__link_ids(void **state)
{
    (void)state;
    run_cases(id_cases, N_OF(id_cases));
}

static void test_sign_html__bad_data_link(void **state)
{
    static const char *const bad[] = {
        "<p>\n<a href=\"https://x.org/\" data-link=\"no good\">",
        "<p>\n<a href=\"https://x.org/\" data-link=\"\">",
        "<p>\n<a href=\"https://x.org/\" data-link>",
        "<p>\n<a href=\"https://x.org/\" data-link=\"a/b\">",
        "<p>\n<a href=\"https://x.org/\" data-link=\"x&amp;y\">",
        "<p>\n<a href=https://x.org/ data-link=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa>",
    };
    char err[SIGN_HTML_ERR_LEN];
    (void)state;

    for (size_t i = 0; i < N_OF(bad); i++) {
        /* A good link first: the output must still be empty. */
        char in[256];
        int rc;
        char *out;

        snprintf(in, sizeof(in), "<a href=https://ok.org/>%s</body>", bad[i]);
        out = rewrite(in, &rc, err);
        assert_int_equal(rc, -1);
        assert_string_equal(out, "");
        assert_non_null(strstr(err, "line 2: data-link"));
        free(out);
    }
}

/* ---- the pixel ---------------------------------------------------------- */

static const struct html_case pixel_cases[] = {
    {"before </body>", "<html><body><p>Hi</p></body></html>\n",
     "<html><body><p>Hi</p>" PIXEL "</body></html>\n"},
    {"</BODY > and </body\\n>", "<BODY>x</BODY >", "<BODY>x{{P}}</BODY >"},
    {"</body> with a newline", "x</body\n>y", "x{{P}}</body\n>y"},
    {"before the last of several </body>",
     "<body>a</body><body>b</body>\n</html>",
     "<body>a</body><body>b{{P}}</body>\n</html>"},
    {"no </body>: at the end", "<p>Hi\n", "<p>Hi\n{{P}}"},
    {"empty template", "", "{{P}}"},
    {"</body> in a comment or script does not count",
     "<body>x</body><!-- </body> --><script>'</body>'</script>",
     "<body>x{{P}}</body><!-- </body> --><script>'</body>'</script>"},
    {"</bodyx> is not </body>", "x</bodyx>", "x</bodyx>{{P}}"},
    {"already there: not added twice",
     "<body><img src=\"https://t.example/o/news/c1/abcdefgh.gif\"></body>",
     "<body><img src=\"https://t.example/o/news/c1/abcdefgh.gif\"></body>"},
    {"already there, other markup",
     "<IMG alt='' SRC=' https://t.example/o/news/c1/abcdefgh.gif '>",
     "<IMG alt='' SRC=' https://t.example/o/news/c1/abcdefgh.gif '>"},
    {"another recipient's pixel is not this one",
     "<img src=\"https://t.example/o/news/c1/zzzzzzzz.gif\"></body>",
     "<img src=\"https://t.example/o/news/c1/zzzzzzzz.gif\">{{P}}</body>"},
    {"a pixel in a comment is not there",
     "<!-- <img src=\"https://t.example/o/news/c1/abcdefgh.gif\"> -->",
     "<!-- <img src=\"https://t.example/o/news/c1/abcdefgh.gif\"> -->{{P}}"},
};

static void test_sign_html__pixel(void **state)
{
    (void)state;
    run_cases(pixel_cases, N_OF(pixel_cases));
}

/* ---- malformed input ---------------------------------------------------- */

/* A browser hides what follows markup cut by the end of the input, so
 * the pixel goes before it. */
static const struct html_case cut_cases[] = {
    {"cut in a quoted value", "<p><a href=\"https://x.org/",
     "<p>{{P}}<a href=\"https://x.org/"},
    {"cut in a single-quoted value", "<a href='https://x.org/>",
     "{{P}}<a href='https://x.org/>"},
    {"cut after =", "<a href=", "{{P}}<a href="},
    {"cut in an unquoted value", "<a href=https://x.org/",
     "{{P}}<a href=https://x.org/"},
    {"cut in the name", "<a", "{{P}}<a"},
    {"cut after the name", "<a ", "{{P}}<a "},
    {"a lone < is text", "x <", "x <{{P}}"},
    {"a lone </", "</", "{{P}}</"},
    {"cut in </body", "x</body", "x{{P}}</body"},
    {"cut in CDATA", "<![CDATA[ <a href=https://x.org/>",
     "{{P}}<![CDATA[ <a href=https://x.org/>"},
    {"cut in a doctype", "<!DOCTYPE", "{{P}}<!DOCTYPE"},
    {"cut in a bogus comment", "a<?x", "a{{P}}<?x"},
    {"cut after </body>", "<body>b</body>\n<!-- x",
     "<body>b{{P}}</body>\n<!-- x"},
    {"a good link, then a cut one",
     "<a href=https://x.org/>x</a><a href=\"https://y.org/",
     "<a href=\"{{1 https://x.org/}}\">x</a>{{P}}<a href=\"https://y.org/"},
};

static void test_sign_html__cut_input(void **state)
{
    (void)state;
    run_cases(cut_cases, N_OF(cut_cases));
}

static void test_sign_html__nul_bytes(void **state)
{
    static const char head[] = "<a\0 href=https://x.org/>\0";
    static const char in[] = "<a\0 href=https://x.org/>\0<a href=https://y/>";
    char err[SIGN_HTML_ERR_LEN];
    size_t outlen;
    char *out;
    int rc;
    (void)state;

    out = rewrite_with(&fields, in, sizeof(in) - 1, &rc, err, &outlen);
    assert_int_equal(rc, 0);
    /* "<a\0" is a tag named "a\0", not an <a>; the second one is. */
    assert_true(outlen > sizeof(head) - 1);
    assert_memory_equal(out, head, sizeof(head) - 1);
    assert_matches("after the NUL", out + sizeof(head) - 1,
                   "<a href=\"{{1 https://y/}}\">{{P}}");
    free(out);
}

/* ---- idempotence -------------------------------------------------------- */

static void test_sign_html__second_run_changes_nothing(void **state)
{
    static const char *const docs[] = {
        "<html><body><a href=\"https://x.org/?a=1&amp;b=2\">x</a>"
        "<a href=mailto:a@b>m</a><a href=https://y.org/ data-link=y>"
        "</body></html>",
        "<p><a href='https://x.org/'>no body</a>",
        "",
        "<p><a href=https://x.org/>x</a><!-- cut",
        "<a href=https://x.org/>x</a><style>",
    };
    char err[SIGN_HTML_ERR_LEN];
    (void)state;

    for (size_t i = 0; i < N_OF(docs); i++) {
        int rc;
        char *once = rewrite(docs[i], &rc, err);
        char *twice;
        assert_int_equal(rc, 0);
        twice = rewrite(once, &rc, err);
        assert_int_equal(rc, 0);
        assert_string_equal(twice, once);
        free(once);
        free(twice);
    }
}

/* Pieces of markup that stress the scanner when glued at random. */
static const char *const pieces[] = {
    "<a ",
    "<A ",
    "href=",
    "HREF",
    "\"",
    "'",
    "=",
    ">",
    "/",
    " ",
    "\n",
    "http://x.org/",
    "https://",
    "&amp;",
    "&#38;",
    "&#x",
    "&",
    ";",
    "<!--",
    "-->",
    "--!>",
    "<![CDATA[",
    "]]>",
    "<script>",
    "</script>",
    "<style>",
    "</style",
    "</body>",
    "</BODY >",
    "<img src=",
    "https://t.example/o/news/c1/abcdefgh.gif",
    "data-link=",
    "1",
    "hero",
    "<",
    "</",
    "<!",
    "<?",
    "x",
    "<title>",
    "</title>",
    "<plaintext>",
    "https://t.example/c/",
};

static void test_sign_html__second_run_changes_nothing_random(void **state)
{
    char err[SIGN_HTML_ERR_LEN];
    uint32_t seed = 12345;
    (void)state;

    for (int round = 0; round < 3000; round++) {
        char doc[2048];
        size_t len = 0;
        int n;
        int rc;
        char *once;
        char *twice;

        seed = seed * 1103515245u + 12345u;
        n = (int)(seed >> 16) % 40;
        for (int k = 0; k < n; k++) {
            const char *p;
            seed = seed * 1103515245u + 12345u;
            p = pieces[(seed >> 16) % N_OF(pieces)];
            memcpy(doc + len, p, strlen(p));
            len += strlen(p);
        }
        doc[len] = '\0';
        once = rewrite(doc, &rc, err);
        if (rc == 0) {
            twice = rewrite(once, &rc, err);
            assert_int_equal(rc, 0);
            if (strcmp(once, twice) != 0) {
                fail_msg("not idempotent:\n%s\n->\n%s\n->\n%s", doc, once,
                         twice);
            }
            free(twice);
        }
        free(once);
    }
}

/* ---- escaping of what is written ---------------------------------------- */

static void test_sign_html__escapes_written_values(void **state)
{
    struct sign_html h = fields;
    char err[SIGN_HTML_ERR_LEN];
    size_t len;
    char *out;
    int rc;
    (void)state;

    h.base = "https://t.example/\"q&";
    out = rewrite_with(&h, "<a href=https://x.org/>", 23, &rc, err, &len);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "<a href=\"https://t.example/&quot;q&amp;/c/"
                                "news/c1/1?to=https%3A%2F%2Fx.org%2F&amp;r="));
    assert_non_null(strstr(out, "<img src=\"https://t.example/&quot;q&amp;/o/"
                                "news/c1/abcdefgh.gif\" width="));
    free(out);
}

/* ---- reading, writing, memory ------------------------------------------- */

static void test_sign_html__read_bounded(void **state)
{
    static char data[200000];
    char err[SIGN_HTML_ERR_LEN];
    char *buf;
    size_t len;
    FILE *f;
    (void)state;

    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (char)('a' + i % 26);
    }
    f = fmemopen(data, sizeof(data), "r");
    assert_int_equal(
        sign_html_read(f, sizeof(data), &buf, &len, err, sizeof(err)), 0);
    assert_int_equal(len, sizeof(data));
    assert_memory_equal(buf, data, sizeof(data));
    free(buf);
    fclose(f);

    f = fmemopen(data, sizeof(data), "r");
    assert_int_equal(
        sign_html_read(f, sizeof(data) - 1, &buf, &len, err, sizeof(err)), -1);
    assert_null(buf);
    assert_string_equal(err, "the template is larger than 199999 bytes");
    fclose(f);

    f = fmemopen(data, 1, "r");
    assert_int_equal(sign_html_read(f, 0, &buf, &len, err, sizeof(err)), -1);
    fclose(f);
    f = fmemopen(data, 1, "r");
    assert_int_equal(sign_html_read(f, 1, &buf, &len, err, sizeof(err)), 0);
    assert_int_equal(len, 1);
    free(buf);
    fclose(f);
}

static void test_sign_html__read_error(void **state)
{
    char err[SIGN_HTML_ERR_LEN];
    char *buf;
    size_t len;
    FILE *f = fopen("/dev/null", "w"); /* reading it fails */
    (void)state;

    assert_non_null(f);
    assert_int_equal(sign_html_read(f, 100, &buf, &len, err, sizeof(err)), -1);
    assert_null(buf);
    assert_string_equal(err, "cannot read the template");
    fclose(f);
}

static void test_sign_html__write_error(void **state)
{
    char err[SIGN_HTML_ERR_LEN];
    FILE *f = fopen("/dev/full", "w");
    (void)state;

    assert_non_null(f);
    assert_int_equal(sign_html_rewrite(f, "<a href=https://x.org/>", 23,
                                       &fields, err, sizeof(err)),
                     -1);
    assert_string_equal(err, "cannot write the output");
    fclose(f);
}

static void test_sign_html__out_of_memory(void **state)
{
    char err[SIGN_HTML_ERR_LEN];
    char *buf = NULL;
    size_t len;
    char *out;
    int rc;
    FILE *f;
    (void)state;

    for (long budget = 0; budget < 2; budget++) {
        alloc_budget = budget;
        out = rewrite("<a href=https://x.org/>", &rc, err);
        alloc_budget = -1;
        assert_int_equal(rc, -1);
        assert_string_equal(err, "out of memory");
        assert_string_equal(out, "");
        free(out);
    }
    f = fmemopen("abc", 3, "r");
    alloc_budget = 0;
    assert_int_equal(sign_html_read(f, 100, &buf, &len, err, sizeof(err)), -1);
    alloc_budget = -1;
    assert_null(buf);
    assert_string_equal(err, "out of memory");
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_html__signed),
        cmocka_unit_test(test_sign_html__untouched),
        cmocka_unit_test(test_sign_html__too_long_target),
        cmocka_unit_test(test_sign_html__link_ids),
        cmocka_unit_test(test_sign_html__bad_data_link),
        cmocka_unit_test(test_sign_html__pixel),
        cmocka_unit_test(test_sign_html__cut_input),
        cmocka_unit_test(test_sign_html__nul_bytes),
        cmocka_unit_test(test_sign_html__second_run_changes_nothing),
        cmocka_unit_test(test_sign_html__second_run_changes_nothing_random),
        cmocka_unit_test(test_sign_html__escapes_written_values),
        cmocka_unit_test(test_sign_html__read_bounded),
        cmocka_unit_test(test_sign_html__read_error),
        cmocka_unit_test(test_sign_html__write_error),
        cmocka_unit_test(test_sign_html__out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
