/*
 * fuzz_sign_html.c: sign_html_rewrite ("beaconctl sign html") over
 * arbitrary templates, written to an open_memstream FILE.
 *
 * Invariants: it never crashes; it fails only for a bad data-link, and
 * then writes nothing; a second run over its output changes nothing;
 * walked side by side with html_scan, the output is the input with
 * exactly two kinds of change:
 * - the pixel <img> inserted once, right before some markup or at the
 *   end, unless an <img> of the input already shows it;
 * - the value of the first href of some <a> start tags replaced by a
 *   double-quoted link "<base>/c/news/c1/<id>?to=..." whose signature
 *   verifies (clicklink_verify over clicklink_message) for the decoded
 *   input value, with the data-link as id when there is one; every such
 *   href that is an http(s) target not yet signed is replaced.
 * Output length is not an invariant: a value like "&#0000...038;" is
 * longer than the signed link that replaces it.
 */
// clang-format off
// FUZZ_SOURCES: proto/*.c dashboard/sign_html.c dashboard/html_scan.c dashboard/sign.c config/config_secrets.c config/config_parse.c
// FUZZ_SEED: <html><body><p>Hi <a href="https://x.org/?a=1&amp;b=2">x</a></p></body></html>\n
// FUZZ_SEED: <!--[if mso]><a href="https://m.org/">m</a><![endif]--><!--[if !mso]><!--><a href='https://n.org/'>n</a><!--<![endif]-->
// FUZZ_SEED: <a data-link=hero href=https://x.org/><a href=HTTPS://Y.ORG/ data-link=2><a href="mailto:a@b">
// FUZZ_SEED: <script>'<a href=https://x/>'</script><title>t</title><a href="&#104;ttps://x.org/&#x1F600;&copy;">
// FUZZ_SEED: <img src="https://t.example/o/news/c1/abcdefgh.gif"></BODY >
// FUZZ_SEED: <p><a href="https://t.example/c/news/c1/1?to=x&amp;sig=y">x</a><!-- cut
// clang-format on
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dashboard/html_scan.h"
#include "dashboard/sign.h"
#include "dashboard/sign_html.h"
#include "proto/clicklink.h"
#include "proto/percent.h"
#include "tests/fuzz/fuzz_check.h"

#define BASE "https://t.example"
#define LINK_PREFIX BASE "/c/news/c1/"
#define PIXEL_URL BASE "/o/news/c1/abcdefgh.gif"
#define PIXEL SIGN_HTML_PIXEL_PREFIX PIXEL_URL SIGN_HTML_PIXEL_SUFFIX
#define LINK_QUERY "&r=abcdefgh&k=k1&sig="

static const unsigned char fuzz_key[32] = "0123456789abcdef0123456789abcdef";

static const struct sign_html fields = {
    BASE, "news", "c1", "abcdefgh", "k1", fuzz_key, sizeof(fuzz_key),
};

struct buf {
    const char *p;
    size_t len;
};

/* Rewrites in into a new buffer *out (the caller frees it). */
static int rewrite(struct buf in, char **out, size_t *outlen, char *err)
{
    FILE *f = open_memstream(out, outlen);
    int rc;

    CHECK(f != NULL);
    err[0] = '\0';
    rc = sign_html_rewrite(f, in.p, in.len, &fields, err, SIGN_HTML_ERR_LEN);
    CHECK(fclose(f) == 0);
    return rc;
}

static int is_tag(const struct html_scan_markup *m, const char *name)
{
    return m->kind == HTML_SCAN_START_TAG && !m->cut && span_ieq(m->name, name);
}

/* The first attribute called name of the tag m, 0 when there is none. */
static int first_attr(struct buf b, const struct html_scan_markup *m,
                      const char *name, struct html_scan_attr *a)
{
    size_t pos = m->attrs;

    while (html_scan_attr(b.p, b.len, &pos, a) > 0) {
        if (span_ieq(a->name, name)) {
            return 1;
        }
    }
    return 0;
}

/* Whether some <img> of b already shows the pixel. */
static int has_pixel(struct buf b)
{
    struct html_scan_markup m;
    struct html_scan_attr a;
    char src[SIGN_URL_MAX];

    for (size_t i = 0; html_scan_next(b.p, b.len, i, &m) == 0; i = m.end) {
        if (is_tag(&m, "img") && first_attr(b, &m, "src", &a) &&
            html_scan_decode(src, sizeof(src), a.value) >= 0 &&
            strcmp(src, PIXEL_URL) == 0) {
            return 1;
        }
    }
    return 0;
}

static int same(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* Undoes the &amp; and &quot; of a written value; returns its length. */
static size_t unescape(char *dst, struct span v)
{
    size_t o = 0;

    for (size_t i = 0; i < v.len;) {
        CHECK(v.p[i] != '"');
        if (v.len - i >= 5 && memcmp(v.p + i, "&amp;", 5) == 0) {
            dst[o++] = '&';
            i += 5;
        } else if (v.len - i >= 6 && memcmp(v.p + i, "&quot;", 6) == 0) {
            dst[o++] = '"';
            i += 6;
        } else {
            CHECK(v.p[i] != '&');
            dst[o++] = v.p[i++];
        }
    }
    return o;
}

/*
 * Checks that the written href value raw is a signed link to to[0..tolen)
 * with id want_id (any when want_id.p is NULL).
 */
static void check_signed(struct span raw, const char *to, size_t tolen,
                         struct span want_id)
{
    char url[SIGN_URL_MAX];
    char got_to[CLICKLINK_TO_MAX + 1];
    char msg[CLICKLINK_TO_MAX + 512];
    size_t n, plen = strlen(LINK_PREFIX);
    const char *id, *q, *enc, *amp, *sig;
    ssize_t got;
    int mlen;

    CHECK(raw.len >= 2 && raw.p[0] == '"' && raw.p[raw.len - 1] == '"');
    CHECK(raw.len - 2 < sizeof(url));
    n = unescape(url, span_make(raw.p + 1, raw.len - 2));
    CHECK(n > plen && memcmp(url, LINK_PREFIX, plen) == 0);
    id = url + plen;
    q = memchr(id, '?', n - plen);
    CHECK(q != NULL && clicklink_valid_id(id, (size_t)(q - id)));
    CHECK(want_id.p == NULL ||
          same(id, (size_t)(q - id), want_id.p, want_id.len));
    CHECK(url + n - q > 4 && memcmp(q, "?to=", 4) == 0);
    enc = q + 4;
    amp = memchr(enc, '&', (size_t)(url + n - enc));
    CHECK(amp != NULL &&
          (size_t)(url + n - amp) == strlen(LINK_QUERY) + CLICKLINK_SIG_LEN);
    CHECK(memcmp(amp, LINK_QUERY, strlen(LINK_QUERY)) == 0);
    sig = amp + strlen(LINK_QUERY);
    got = percent_decode(got_to, sizeof(got_to), enc, (size_t)(amp - enc), 0);
    CHECK(got >= 0 && same(got_to, (size_t)got, to, tolen));
    mlen = clicklink_message(msg, sizeof(msg), SPAN_LIT("news"), SPAN_LIT("c1"),
                             span_make(id, (size_t)(q - id)),
                             span_make(to, tolen), SPAN_LIT("abcdefgh"));
    CHECK(mlen > 0);
    CHECK(clicklink_verify(sig, CLICKLINK_SIG_LEN, fuzz_key, sizeof(fuzz_key),
                           msg, (size_t)mlen) == 1);
}

/* Checks the output <a> mo against the input one mi: the same bytes but
 * for the value of the first href, signed when it is a link to sign. */
static void check_anchor(struct buf in, const struct html_scan_markup *mi,
                         struct buf out, const struct html_scan_markup *mo)
{
    char to[CLICKLINK_TO_MAX + 1];
    struct html_scan_attr hi, ho, dl;
    int has_hi = first_attr(in, mi, "href", &hi);
    int has_ho = first_attr(out, mo, "href", &ho);
    size_t head, itail, otail;
    ssize_t n;
    int to_sign;

    CHECK(has_hi == has_ho);
    if (!has_hi) {
        CHECK(same(in.p + mi->start, mi->end - mi->start, out.p + mo->start,
                   mo->end - mo->start));
        return;
    }
    head = (size_t)(hi.raw.p - in.p) - mi->start;
    itail = mi->end - (size_t)(hi.raw.p - in.p) - hi.raw.len;
    otail = mo->end - (size_t)(ho.raw.p - out.p) - ho.raw.len;
    CHECK((size_t)(ho.raw.p - out.p) - mo->start == head && itail == otail);
    CHECK(memcmp(in.p + mi->start, out.p + mo->start, head) == 0);
    CHECK(memcmp(hi.raw.p + hi.raw.len, ho.raw.p + ho.raw.len, itail) == 0);
    n = html_scan_decode(to, sizeof(to), hi.value);
    to_sign = n >= 0 && clicklink_valid_to(to, (size_t)n) &&
              !((size_t)n >= strlen(BASE "/c/") &&
                span_ieq(span_make(to, strlen(BASE)), BASE) &&
                memcmp(to + strlen(BASE), "/c/", 3) == 0);
    if (!to_sign) {
        CHECK(same(hi.raw.p, hi.raw.len, ho.raw.p, ho.raw.len));
        return;
    }
    check_signed(ho.raw, to, (size_t)n,
                 first_attr(in, mi, "data-link", &dl) ? dl.value
                                                      : span_make(NULL, 0));
}

/* Walks in and out side by side (see the invariants above). */
static void check_output(struct buf in, struct buf out)
{
    struct html_scan_markup mi, mo;
    int pixel_due = !has_pixel(in);
    size_t ip = 0, op = 0;

    for (;;) {
        int ro = html_scan_next(out.p, out.len, op, &mo);
        int ri;

        if (ro == 0 && pixel_due && is_tag(&mo, "img") &&
            same(out.p + mo.start, mo.end - mo.start, PIXEL, strlen(PIXEL))) {
            /* Text up to the pixel, then markup or the end of the input. */
            size_t t = mo.start - op;
            CHECK(in.len - ip >= t && memcmp(in.p + ip, out.p + op, t) == 0);
            CHECK(memchr(in.p + ip, '<', t) == NULL);
            ip += t;
            CHECK(ip == in.len || in.p[ip] == '<');
            op = mo.end;
            pixel_due = 0;
            continue;
        }
        ri = html_scan_next(in.p, in.len, ip, &mi);
        CHECK(ri == ro);
        if (ri != 0) {
            CHECK(same(in.p + ip, in.len - ip, out.p + op, out.len - op));
            break;
        }
        CHECK(same(in.p + ip, mi.start - ip, out.p + op, mo.start - op));
        CHECK(mi.kind == mo.kind && mi.cut == mo.cut);
        CHECK(same(mi.name.p, mi.name.len, mo.name.p, mo.name.len));
        if (is_tag(&mi, "a")) {
            check_anchor(in, &mi, out, &mo);
        } else {
            CHECK(same(in.p + mi.start, mi.end - mi.start, out.p + mo.start,
                       mo.end - mo.start));
        }
        ip = mi.end;
        op = mo.end;
    }
    CHECK(!pixel_due);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[SIGN_HTML_ERR_LEN];
    char *in = malloc(size > 0 ? size : 1); /* exact size: ASan sees len */
    char *once = NULL, *twice = NULL;
    size_t once_len = 0, twice_len = 0;

    if (sodium_init() < 0) {
        abort();
    }
    CHECK(in != NULL);
    memcpy(in, data, size);
    if (rewrite((struct buf){in, size}, &once, &once_len, err) < 0) {
        /* Only a bad data-link refuses a template, before any output. */
        CHECK(once_len == 0 && strncmp(err, "line ", 5) == 0);
        CHECK(strstr(err, ": data-link \"") != NULL);
    } else {
        check_output((struct buf){in, size}, (struct buf){once, once_len});
        CHECK(rewrite((struct buf){once, once_len}, &twice, &twice_len, err) ==
              0);
        CHECK(same(once, once_len, twice, twice_len));
    }
    free(twice);
    free(once);
    free(in);
    return 0;
}
