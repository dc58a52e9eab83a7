/*
 * sign_html.c: rewrites an HTML e-mail template for "beaconctl sign html"
 * (rules in sign_html.h and docs/EMAIL_SIGN_HTML.md).
 *
 * This is not an HTML parser but the part of the WHATWG tokenizer that
 * decides where tags, attributes, comments and raw text are, so that a
 * link is signed only where a mail client would see an <a href>. It runs
 * twice over the template: the first pass writes nothing, checks every
 * data-link, collects the numbers data-link ids use, and finds the last
 * </body>, any pixel already there and markup left open at the end; the
 * second writes. Both passes share one scanner so they cannot disagree
 * about what is a tag.
 *
 * Where a browser and this code could read an href differently (an
 * entity it does not know), the link is left alone: an uncounted link
 * is harmless, a redirect to the wrong place is not.
 */
#include "dashboard/sign_html.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "dashboard/sign.h"
#include "proto/clicklink.h"
#include "proto/span.h"

/* The attributes a tag can carry that matter here; the first one wins. */
#define TAG_HREF 1u
#define TAG_DATA_LINK 2u
#define TAG_SRC 4u

struct tag {
    struct span name;
    struct span href;     /* values as written, without quotes */
    struct span href_raw; /* the href value with its quotes: what is replaced */
    struct span data_link;
    struct span src;
    unsigned has; /* TAG_* */
    size_t end;   /* offset just past the closing '>' */
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

/* Elements whose content is text to a browser, never tags. <noscript>
 * is not one: mail clients run no scripts, so they show its links. */
static const char *const raw_text[] = {
    "script", "style",  "title",   "textarea",
    "xmp",    "iframe", "noembed", "noframes",
};

/*
 * Named references a browser decodes without ';' (WHATWG's legacy list);
 * in an attribute it does so unless '=' or an alphanumeric follows.
 */
static const char *const legacy_names[] = {
    "AElig",  "AMP",    "Aacute", "Acirc",  "Agrave", "Aring",  "Atilde",
    "Auml",   "COPY",   "Ccedil", "ETH",    "Eacute", "Ecirc",  "Egrave",
    "Euml",   "GT",     "Iacute", "Icirc",  "Igrave", "Iuml",   "LT",
    "Ntilde", "Oacute", "Ocirc",  "Ograve", "Oslash", "Otilde", "Ouml",
    "QUOT",   "REG",    "THORN",  "Uacute", "Ucirc",  "Ugrave", "Uuml",
    "Yacute", "aacute", "acirc",  "acute",  "aelig",  "agrave", "amp",
    "aring",  "atilde", "auml",   "brvbar", "ccedil", "cedil",  "cent",
    "copy",   "curren", "deg",    "divide", "eacute", "ecirc",  "egrave",
    "eth",    "euml",   "frac12", "frac14", "frac34", "gt",     "iacute",
    "icirc",  "iexcl",  "igrave", "iquest", "iuml",   "laquo",  "lt",
    "macr",   "micro",  "middot", "nbsp",   "not",    "ntilde", "oacute",
    "ocirc",  "ograve", "ordf",   "ordm",   "oslash", "otilde", "ouml",
    "para",   "plusmn", "pound",  "quot",   "raquo",  "reg",    "sect",
    "shy",    "sup1",   "sup2",   "sup3",   "szlig",  "thorn",  "times",
    "uacute", "ucirc",  "ugrave", "uml",    "uuml",   "yacute", "yen",
    "yuml",
};

/* The named references decoded here (with ';'), case as in WHATWG. */
static const struct named_ref {
    const char *name;
    char ch;
} named_refs[] = {
    {"amp", '&'}, {"AMP", '&'},  {"lt", '<'},   {"LT", '<'},    {"gt", '>'},
    {"GT", '>'},  {"quot", '"'}, {"QUOT", '"'}, {"apos", '\''},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(unsigned char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

/* ASCII case-insensitive: a[0..n) equals b[0..n). */
static int ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i];
        unsigned char y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z') {
            x = (unsigned char)(x + 32);
        }
        if (y >= 'A' && y <= 'Z') {
            y = (unsigned char)(y + 32);
        }
        if (x != y) {
            return 0;
        }
    }
    return 1;
}

static int starts(const char *in, size_t len, size_t at, const char *lit)
{
    size_t n = strlen(lit);
    return at <= len && len - at >= n && memcmp(in + at, lit, n) == 0;
}

/* What the helpers below return when the input ends first. */
#define NOT_FOUND SIZE_MAX

/* The offset just past the first lit at or after from, or NOT_FOUND. */
static size_t past(const char *in, size_t len, size_t from, const char *lit)
{
    size_t n = strlen(lit);
    const char *p = from < len ? memmem(in + from, len - from, lit, n) : NULL;
    return p != NULL ? (size_t)(p - in) + n : NOT_FOUND;
}

static int span_is(struct span s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (span_ieq(s, names[i])) {
            return 1;
        }
    }
    return 0;
}

/* After "<!--" at j: "<!-->" and "<!--->" are whole comments; otherwise
 * the comment ends at "-->" or "--!>". Returns the offset past it, or
 * NOT_FOUND. */
static size_t comment_end(const char *in, size_t len, size_t j)
{
    if (starts(in, len, j, ">")) {
        return j + 1;
    }
    if (starts(in, len, j, "->")) {
        return j + 2;
    }
    for (; j + 2 < len; j++) {
        if (in[j] == '-' && in[j + 1] == '-') {
            if (in[j + 2] == '>') {
                return j + 3;
            }
            if (starts(in, len, j + 2, "!>")) {
                return j + 4;
            }
        }
    }
    return NOT_FOUND;
}

/* The offset of the "</name" that ends a raw text element, or NOT_FOUND. */
static size_t raw_text_end(const char *in, size_t len, size_t from,
                           struct span name)
{
    size_t i = from;

    while (i < len) {
        const char *lt = memchr(in + i, '<', len - i);
        if (lt == NULL) {
            break;
        }
        i = (size_t)(lt - in);
        if (len - i > name.len + 2 && in[i + 1] == '/' &&
            ieq(in + i + 2, name.p, name.len)) {
            unsigned char c = (unsigned char)in[i + 2 + name.len];
            if (is_space(c) || c == '/' || c == '>') {
                return i;
            }
        }
        i++;
    }
    return NOT_FOUND;
}

static void tag_note(struct tag *t, struct span name, struct span value,
                     struct span raw)
{
    if (span_ieq(name, "href") && !(t->has & TAG_HREF)) {
        t->has |= TAG_HREF;
        t->href = value;
        t->href_raw = raw;
    } else if (span_ieq(name, "data-link") && !(t->has & TAG_DATA_LINK)) {
        t->has |= TAG_DATA_LINK;
        t->data_link = value;
    } else if (span_ieq(name, "src") && !(t->has & TAG_SRC)) {
        t->has |= TAG_SRC;
        t->src = value;
    }
}

/*
 * Parses the start or end tag at in[pos] ("<x" or "</x", x a letter) as
 * the WHATWG tokenizer does: attribute values double-, single- or
 * unquoted, '/' between attributes ignored. Returns 0, or -1 when the
 * input ends inside the tag (a browser drops such a tag).
 */
static int tag_parse(const char *in, size_t len, size_t pos, struct tag *t)
{
    size_t i = pos + (in[pos + 1] == '/' ? 2 : 1);
    size_t start = i;

    memset(t, 0, sizeof(*t));
    while (i < len && !is_space((unsigned char)in[i]) && in[i] != '/' &&
           in[i] != '>') {
        i++;
    }
    t->name = span_make(in + start, i - start);
    for (;;) {
        struct span name;
        size_t vs, ve, rs;

        while (i < len && (is_space((unsigned char)in[i]) || in[i] == '/')) {
            i++;
        }
        if (i >= len) {
            return -1;
        }
        if (in[i] == '>') {
            t->end = i + 1;
            return 0;
        }
        start = i++; /* a name may start with '=' */
        while (i < len && !is_space((unsigned char)in[i]) && in[i] != '/' &&
               in[i] != '>' && in[i] != '=') {
            i++;
        }
        name = span_make(in + start, i - start);
        while (i < len && is_space((unsigned char)in[i])) {
            i++;
        }
        vs = ve = rs = i;
        if (i < len && in[i] == '=') {
            i++;
            while (i < len && is_space((unsigned char)in[i])) {
                i++;
            }
            if (i >= len) {
                return -1;
            }
            rs = i;
            if (in[i] == '"' || in[i] == '\'') {
                const char *q = memchr(in + i + 1, in[i], len - i - 1);
                if (q == NULL) {
                    return -1;
                }
                vs = i + 1;
                ve = (size_t)(q - in);
                i = ve + 1;
            } else {
                vs = i;
                while (i < len && !is_space((unsigned char)in[i]) &&
                       in[i] != '>') {
                    i++;
                }
                ve = i;
            }
        }
        tag_note(t, name, span_make(in + vs, ve - vs),
                 span_make(in + rs, i > rs ? i - rs : 0));
    }
}

/* Appends code point cp as UTF-8 at dst[*o], leaving room for a NUL;
 * -1 when cap is too small. */
static int put_utf8(char *dst, size_t cap, size_t *o, uint32_t cp)
{
    unsigned char b[4];
    size_t n;

    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xc0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xe0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (unsigned char)(0xf0 | (cp >> 18));
        b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    if (cap - *o <= n) {
        return -1;
    }
    memcpy(dst + *o, b, n);
    *o += n;
    return 0;
}

/*
 * Decodes the numeric reference at s[i] ("&#") into dst. Returns the
 * offset past it, 0 when it is not one ("&#" without digits stays as
 * written), or -1 for a code point a browser replaces or remaps (0,
 * surrogates, U+0080-U+009F, past U+10FFFF) or no room.
 */
static ssize_t numeric_ref(char *dst, size_t cap, size_t *o, const char *s,
                           size_t len, size_t i)
{
    int hex = i + 2 < len && (s[i + 2] == 'x' || s[i + 2] == 'X');
    size_t j = i + (hex ? 3 : 2);
    size_t digits = j;
    uint32_t cp = 0;

    for (; j < len; j++) {
        unsigned char c = (unsigned char)s[j];
        int v;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (hex && ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')) {
            v = (c | 0x20) - 'a' + 10;
        } else {
            break;
        }
        cp = cp * (hex ? 16u : 10u) + (uint32_t)v;
        if (cp > 0x10ffff) {
            cp = 0x110000; /* saturate: still out of range */
        }
    }
    if (j == digits) {
        return 0;
    }
    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
        (cp >= 0x80 && cp <= 0x9f) || put_utf8(dst, cap, o, cp) < 0) {
        return -1;
    }
    return (ssize_t)(j < len && s[j] == ';' ? j + 1 : j);
}

/*
 * Decodes the attribute value s[0..len) into dst (NUL-terminated) the way
 * a browser would, trimmed of ASCII whitespace. Returns the length, or -1
 * when it does not fit in cap or holds a reference decoded differently
 * by browsers than here (see sign_html.h).
 */
static ssize_t decode_value(char *dst, size_t cap, struct span v)
{
    const char *s = v.p;
    size_t len = v.len;
    size_t i = 0;
    size_t o = 0;

    while (i < len && is_space((unsigned char)s[i])) {
        i++;
    }
    while (len > i && is_space((unsigned char)s[len - 1])) {
        len--;
    }
    while (i < len) {
        size_t run = i + 1;
        if (s[i] == '&' && i + 1 < len && s[i + 1] == '#') {
            ssize_t next = numeric_ref(dst, cap, &o, s, len, i);
            if (next < 0) {
                return -1;
            }
            if (next > 0) {
                i = (size_t)next;
                continue;
            }
        } else if (s[i] == '&') {
            struct span name;
            size_t k;
            while (run < len && is_alnum((unsigned char)s[run])) {
                run++;
            }
            name = span_make(s + i + 1, run - i - 1);
            if (name.len > 0 && run < len && s[run] == ';') {
                for (k = 0; k < N_OF(named_refs); k++) {
                    if (span_eq(name, named_refs[k].name)) {
                        break;
                    }
                }
                if (k == N_OF(named_refs) || o + 1 >= cap) {
                    return -1;
                }
                dst[o++] = named_refs[k].ch;
                i = run + 1;
                continue;
            }
            for (k = 0; k < N_OF(legacy_names); k++) {
                if (span_eq(name, legacy_names[k]) &&
                    (run == len || s[run] != '=')) {
                    return -1;
                }
            }
        }
        if (o + 1 >= cap) {
            return -1;
        }
        dst[o++] = s[i++];
    }
    while (o > 0 && is_space((unsigned char)dst[o - 1])) {
        o--;
    }
    for (i = 0; i < o && is_space((unsigned char)dst[i]);) {
        i++;
    }
    memmove(dst, dst + i, o - i);
    o -= i;
    dst[o] = '\0';
    return (ssize_t)o;
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
    n = decode_value(to, sizeof(to), t->href);
    if (n < 0 || !clicklink_valid_to(to, (size_t)n) ||
        ((size_t)n >= blen + 3 && ieq(to, h->base, blen) &&
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

/*
 * Returns end, or when the markup at `at` runs unclosed to the end of the
 * input, len, noting `at`: a pixel appended after it would be hidden.
 */
static size_t until(struct run *r, size_t at, size_t end)
{
    if (end != NOT_FOUND) {
        return end;
    }
    r->tail_at = at;
    return r->len;
}

/* Notes an <img> that already is this pixel, so it is not added twice. */
static void img(struct run *r, const struct tag *t)
{
    char src[SIGN_URL_MAX];
    ssize_t n;

    if (r->out != NULL || !(t->has & TAG_SRC)) {
        return;
    }
    n = decode_value(src, sizeof(src), t->src);
    if (n >= 0 && strcmp(src, r->pixel) == 0) {
        r->has_pixel = 1;
    }
}

/* Handles the markup that starts with the '<' at *pos; sets *pos past it. */
static int markup(struct run *r, size_t *pos)
{
    const char *in = r->in;
    size_t len = r->len;
    size_t i = *pos;
    struct tag t;

    if (starts(in, len, i, "<!--")) {
        *pos = until(r, i, comment_end(in, len, i + 4));
        return 0;
    }
    if (starts(in, len, i, "<![CDATA[")) {
        *pos = until(r, i, past(in, len, i + 9, "]]>"));
        return 0;
    }
    /* <!DOCTYPE>, <?xml?>, </ followed by no letter: up to the next '>'. */
    if (starts(in, len, i, "<!") || starts(in, len, i, "<?") ||
        (starts(in, len, i, "</") &&
         (i + 2 == len || !is_alpha((unsigned char)in[i + 2])))) {
        *pos = until(r, i, past(in, len, i + 2, ">"));
        return 0;
    }
    if (i + 1 == len ||
        !(is_alpha((unsigned char)in[i + 1]) || in[i + 1] == '/')) {
        *pos = i + 1; /* a '<' in text */
        return 0;
    }
    if (tag_parse(in, len, i, &t) < 0) {
        *pos = until(r, i, NOT_FOUND); /* a browser drops a cut tag */
        return 0;
    }
    *pos = t.end;
    if (in[i + 1] == '/') {
        if (span_ieq(t.name, "body")) {
            r->body_at = i;
        }
    } else if (span_ieq(t.name, "a")) {
        return anchor(r, &t);
    } else if (span_ieq(t.name, "img")) {
        img(r, &t);
    } else if (span_ieq(t.name, "plaintext")) {
        *pos = until(r, i, NOT_FOUND);
    } else if (span_is(t.name, raw_text, N_OF(raw_text))) {
        size_t end = raw_text_end(in, len, t.end, t.name);
        struct tag close;
        /* With its end tag cut, the element runs to the end too. */
        if (end != NOT_FOUND && tag_parse(in, len, end, &close) < 0) {
            end = NOT_FOUND;
        }
        *pos = until(r, i, end);
    }
    return 0;
}

static int scan(struct run *r)
{
    size_t i = 0;

    while (i < r->len) {
        const char *lt = memchr(r->in + i, '<', r->len - i);
        if (lt == NULL) {
            break;
        }
        i = (size_t)(lt - r->in);
        if (markup(r, &i) < 0) {
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
