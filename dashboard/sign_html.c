/*
 * sign_html.c: rewrites an HTML e-mail template for "beaconctl sign html"
 * (rules in sign_html.h and EMAIL.md).
 *
 * html_scan.c says where tags, attributes, comments and raw text are, so
 * that a link is signed only where a mail client would see an <a href>;
 * this file decides what to do with them. It runs twice over the
 * template: the first pass writes nothing, checks every data-link,
 * collects the numbers data-link ids use, and finds the last </body>, any
 * pixel already there and markup left open at the end; the second writes.
 * Both passes walk the same scanner so they cannot disagree about what
 * is a tag.
 *
 * Where a browser and this code could read an href differently (an
 * entity it does not know), the link is left alone: an uncounted link
 * is harmless, a redirect to the wrong place is not.
 */
#include "dashboard/sign_html.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "dashboard/html_scan.h"
#include "dashboard/sign.h"
#include "proto/clicklink.h"
#include "proto/span.h"

/* The attributes a tag can carry that matter here; the first one wins. */
#define TAG_HREF 1u
#define TAG_DATA_LINK 2u
#define TAG_SRC 4u

struct tag {
    struct span href;     /* values as written, without quotes */
    struct span href_raw; /* the href value with its quotes: what is replaced */
    struct span data_link;
    struct span src;
    unsigned has; /* TAG_* */
};

struct run {
    const char *in;
    size_t len;
    const struct sign_html *h;
    FILE *out;           /* NULL in the checking pass */
    size_t copied;       /* in[0..copied) is written */
    unsigned char *used; /* bit n set: some <a data-link="n"> */
    size_t nused;        /* bits in used */
    size_t next;         /* the last automatic link id given */
    size_t body_at;      /* offset of the last </body>; len when none */
    size_t tail_at;      /* start of what runs unclosed to the end; or len */
    size_t pixel_at;     /* where the pixel goes */
    int has_pixel;       /* the template already shows this pixel */
    int pixel_due;       /* second pass: the pixel is not written yet */
    int write_failed;
    char *err;
    size_t errlen;
    char pixel[SIGN_URL_MAX];
};

static void tag_note(struct tag *t, const struct html_scan_attr *a)
{
    if (span_ieq(a->name, "href") && !(t->has & TAG_HREF)) {
        t->has |= TAG_HREF;
        t->href = a->value;
        t->href_raw = a->raw;
    } else if (span_ieq(a->name, "data-link") && !(t->has & TAG_DATA_LINK)) {
        t->has |= TAG_DATA_LINK;
        t->data_link = a->value;
    } else if (span_ieq(a->name, "src") && !(t->has & TAG_SRC)) {
        t->has |= TAG_SRC;
        t->src = a->value;
    }
}

/* Reads the attributes that matter of the tag m (not cut). */
static void tag_read(const struct run *r, const struct html_scan_markup *m,
                     struct tag *t)
{
    size_t pos = m->attrs;
    struct html_scan_attr a;

    memset(t, 0, sizeof(*t));
    while (html_scan_attr(r->in, r->len, &pos, &a) > 0) {
        tag_note(t, &a);
    }
}

static int run_error(struct run *r, const char *what)
{
    snprintf(r->err, r->errlen, "%s", what);
    return -1;
}

static void put(struct run *r, const char *s, size_t n)
{
    if (n > 0 && fwrite(s, 1, n, r->out) != n) {
        r->write_failed = 1;
    }
}

/* Writes s as a double-quoted attribute value would hold it. */
static void put_escaped(struct run *r, const char *s)
{
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '&' || *p == '"') {
            put(r, s, (size_t)(p - s));
            put(r, *p == '&' ? "&amp;" : "&quot;", *p == '&' ? 5 : 6);
            s = p + 1;
        }
    }
    put(r, s, strlen(s));
}

static void put_pixel(struct run *r)
{
    put(r, SIGN_HTML_PIXEL_PREFIX, strlen(SIGN_HTML_PIXEL_PREFIX));
    put_escaped(r, r->pixel);
    put(r, SIGN_HTML_PIXEL_SUFFIX, strlen(SIGN_HTML_PIXEL_SUFFIX));
}

/* Writes the template up to in[upto) that is not written yet, and the
 * pixel when its place comes. */
static void flush(struct run *r, size_t upto)
{
    if (r->pixel_due && r->pixel_at <= upto) {
        put(r, r->in + r->copied, r->pixel_at - r->copied);
        r->copied = r->pixel_at;
        put_pixel(r);
        r->pixel_due = 0;
    }
    put(r, r->in + r->copied, upto - r->copied);
    r->copied = upto;
}

/* Marks a data-link id that is a plain number as taken. Numbers past
 * nused need no mark: automatic ids never get there (see sign_html_rewrite). */
static void note_number(struct run *r, struct span id)
{
    size_t n = 0;

    if (id.len == 0 || id.len > 9 || id.p[0] < '1' || id.p[0] > '9') {
        return;
    }
    for (size_t i = 0; i < id.len; i++) {
        if (id.p[i] < '0' || id.p[i] > '9') {
            return;
        }
        n = n * 10 + (size_t)(id.p[i] - '0');
    }
    if (n < r->nused) {
        r->used[n / 8] |= (unsigned char)(1u << (n % 8));
    }
}

static int number_taken(const struct run *r, size_t n)
{
    return n < r->nused && (r->used[n / 8] & (1u << (n % 8))) != 0;
}

/* The 1-based line of in[at], for messages. */
static size_t line_of(const struct run *r, size_t at)
{
    size_t line = 1;

    for (size_t i = 0; i < at; i++) {
        line += r->in[i] == '\n';
    }
    return line;
}

/* Signs the href of an <a> when it is an http(s) link not yet signed. */
static int anchor(struct run *r, const struct tag *t)
{
    const struct sign_html *h = r->h;
    char to[CLICKLINK_TO_MAX + 1];
    char id[65]; /* a valid id, or a number */
    char url[SIGN_URL_MAX];
    size_t blen = strlen(h->base);
    ssize_t n;
    struct sign_link l;

    if (r->out == NULL && (t->has & TAG_DATA_LINK)) {
        note_number(r, t->data_link);
    }
    if (!(t->has & TAG_HREF)) {
        return 0;
    }
    n = html_scan_decode(to, sizeof(to), t->href);
    if (n < 0 || !clicklink_valid_to(to, (size_t)n) ||
        ((size_t)n >= blen + 3 && span_ieq(span_make(to, blen), h->base) &&
         memcmp(to + blen, "/c/", 3) == 0)) {
        return 0;
    }
    if ((t->has & TAG_DATA_LINK) &&
        !clicklink_valid_id(t->data_link.p, t->data_link.len)) {
        snprintf(r->err, r->errlen,
                 "line %zu: data-link \"%.*s\" is not a link id "
                 "(1 to 64 of A-Z a-z 0-9 . _ -)",
                 line_of(r, (size_t)(t->href.p - r->in)),
                 (int)(t->data_link.len > 64 ? 64 : t->data_link.len),
                 t->data_link.p);
        return -1;
    }
    if (r->out == NULL) {
        return 0;
    }
    if (t->has & TAG_DATA_LINK) {
        memcpy(id, t->data_link.p, t->data_link.len);
        id[t->data_link.len] = '\0';
    } else {
        do {
            r->next++;
        } while (number_taken(r, r->next));
        snprintf(id, sizeof(id), "%zu", r->next);
    }
    l.base = h->base;
    l.site = h->site;
    l.campaign = h->campaign;
    l.link = id;
    l.to = to;
    l.recipient = h->recipient;
    l.key_id = h->key_id;
    if (sign_link_url(url, sizeof(url), &l, h->key, h->keylen) < 0) {
        return run_error(r, "a signed link is longer than SIGN_URL_MAX");
    }
    flush(r, (size_t)(t->href_raw.p - r->in));
    put(r, "\"", 1);
    put_escaped(r, url);
    put(r, "\"", 1);
    r->copied = (size_t)(t->href_raw.p - r->in) + t->href_raw.len;
    return 0;
}

/* Notes an <img> that already is this pixel, so it is not added twice. */
static void img(struct run *r, const struct tag *t)
{
    char src[SIGN_URL_MAX];
    ssize_t n;

    if (r->out != NULL || !(t->has & TAG_SRC)) {
        return;
    }
    n = html_scan_decode(src, sizeof(src), t->src);
    if (n >= 0 && strcmp(src, r->pixel) == 0) {
        r->has_pixel = 1;
    }
}

/* Acts on one piece of markup: the tags that matter, and where the
 * pixel may go. */
static int markup(struct run *r, const struct html_scan_markup *m)
{
    struct tag t;

    if (m->cut) {
        /* A browser hides it, and so a pixel appended after it. */
        r->tail_at = m->start;
        return 0;
    }
    if (m->kind == HTML_SCAN_END_TAG) {
        if (span_ieq(m->name, "body")) {
            r->body_at = m->start;
        }
    } else if (m->kind == HTML_SCAN_START_TAG) {
        if (span_ieq(m->name, "a")) {
            tag_read(r, m, &t);
            return anchor(r, &t);
        }
        if (span_ieq(m->name, "img")) {
            tag_read(r, m, &t);
            img(r, &t);
        }
    }
    return 0;
}

static int scan(struct run *r)
{
    struct html_scan_markup m;

    for (size_t i = 0; html_scan_next(r->in, r->len, i, &m) == 0; i = m.end) {
        if (markup(r, &m) < 0) {
            return -1;
        }
    }
    return 0;
}

int sign_html_rewrite(FILE *out, const char *in, size_t len,
                      const struct sign_html *h, char *err, size_t errlen)
{
    struct run *r = calloc(1, sizeof(*r));
    int rc = -1;

    if (r == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    r->in = in;
    r->len = len;
    r->h = h;
    r->err = err;
    r->errlen = errlen;
    r->body_at = len;
    r->tail_at = len;
    /* An <a> takes at least 3 bytes, and each automatic id or skipped
     * number uses up an <a>, so automatic ids stay below len / 3 + 2. */
    r->nused = len / 3 + 2;
    r->used = calloc(r->nused / 8 + 1, 1);
    if (r->used == NULL) {
        run_error(r, "out of memory");
        goto done;
    }
    if (sign_pixel_url(r->pixel, sizeof(r->pixel), h->base, h->site,
                       h->campaign, h->recipient) < 0) {
        run_error(r, "the pixel URL is longer than SIGN_URL_MAX");
        goto done;
    }
    if (scan(r) < 0) {
        goto done;
    }
    /* Before the last </body>; without one, at the end, unless the end
     * is inside a comment, tag or raw text: then before that starts. */
    r->pixel_at = r->body_at < len ? r->body_at : r->tail_at;
    r->pixel_due = !r->has_pixel;
    r->out = out;
    if (scan(r) < 0) {
        goto done;
    }
    flush(r, len);
    if (r->write_failed || fflush(out) != 0 || ferror(out)) {
        run_error(r, "cannot write the output");
        goto done;
    }
    rc = 0;
done:
    free(r->used);
    free(r);
    return rc;
}

int sign_html_read(FILE *f, size_t max, char **buf, size_t *len, char *err,
                   size_t errlen)
{
    size_t cap = 0;
    size_t n = 0;
    char *b = NULL;

    *buf = NULL;
    for (;;) {
        size_t got;
        if (n == cap) {
            /* One byte past max tells "too large" from "exactly max". */
            size_t grow = cap == 0 ? 64 * 1024 : cap * 2;
            char *nb;
            if (grow > max + 1) {
                grow = max + 1;
            }
            if (grow <= cap) {
                snprintf(err, errlen, "the template is larger than %zu bytes",
                         max);
                free(b);
                return -1;
            }
            nb = realloc(b, grow);
            if (nb == NULL) {
                snprintf(err, errlen, "out of memory");
                free(b);
                return -1;
            }
            b = nb;
            cap = grow;
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(f)) {
        snprintf(err, errlen, "cannot read the template");
        free(b);
        return -1;
    }
    *buf = b;
    *len = n;
    return 0;
}
