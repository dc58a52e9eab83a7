/*
 * html_scan.c: the part of the WHATWG tokenizer that decides where tags,
 * attributes, comments and raw text are, and the decoding of character
 * references in attribute values (rules in html_scan.h).
 *
 * It is not an HTML parser: it builds no tree, keeps no state between
 * calls and never looks past len, so that a caller can walk a document
 * twice and get the same answers both times.
 */
#include "dashboard/html_scan.h"

#include <stdint.h>
#include <string.h>

#include "proto/ascii.h"

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

/* What the helpers below return when the input ends first. */
#define NOT_FOUND SIZE_MAX

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

/* ASCII case-insensitive: a[0..n) equals b[0..n), NUL bytes included
 * (which strncasecmp would stop at). */
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

int html_scan_attr(const char *in, size_t len, size_t *pos,
                   struct html_scan_attr *a)
{
    size_t i = *pos;
    size_t start, vs, ve, rs;

    while (i < len && (is_space((unsigned char)in[i]) || in[i] == '/')) {
        i++;
    }
    if (i >= len) {
        return -1;
    }
    if (in[i] == '>') {
        *pos = i + 1;
        return 0;
    }
    start = i++; /* a name may start with '=' */
    while (i < len && !is_space((unsigned char)in[i]) && in[i] != '/' &&
           in[i] != '>' && in[i] != '=') {
        i++;
    }
    a->name = span_make(in + start, i - start);
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
            while (i < len && !is_space((unsigned char)in[i]) && in[i] != '>') {
                i++;
            }
            ve = i;
        }
    }
    a->value = span_make(in + vs, ve - vs);
    a->raw = span_make(in + rs, i - rs);
    *pos = i;
    return 1;
}

/*
 * Reads the name of the start or end tag at in[pos] ("<x" or "</x", x a
 * letter) into *name and *attrs, and skips its attributes. Returns the
 * offset past its '>', or NOT_FOUND when the input ends inside it (a
 * browser drops such a tag).
 */
static size_t tag_end(const char *in, size_t len, size_t pos, struct span *name,
                      size_t *attrs)
{
    size_t i = pos + (in[pos + 1] == '/' ? 2 : 1);
    size_t start = i;
    struct html_scan_attr a;
    int rc;

    while (i < len && !is_space((unsigned char)in[i]) && in[i] != '/' &&
           in[i] != '>') {
        i++;
    }
    *name = span_make(in + start, i - start);
    *attrs = i;
    do {
        rc = html_scan_attr(in, len, &i, &a);
    } while (rc > 0);
    return rc == 0 ? i : NOT_FOUND;
}

/* Fills in where m ends, or marks it cut when end is NOT_FOUND. */
static void set_end(struct html_scan_markup *m, size_t len, size_t end)
{
    m->cut = end == NOT_FOUND;
    m->end = m->cut ? len : end;
}

/* A start tag's raw text, if it has any, belongs to it. */
static void start_tag(const char *in, size_t len, struct html_scan_markup *m)
{
    size_t end;
    struct span close_name;
    size_t close_attrs;

    if (span_ieq(m->name, "plaintext")) {
        set_end(m, len, NOT_FOUND);
        return;
    }
    if (!span_is(m->name, raw_text, N_OF(raw_text))) {
        return;
    }
    end = raw_text_end(in, len, m->end, m->name);
    /* With its end tag cut, the element runs to the end too. */
    if (end != NOT_FOUND &&
        tag_end(in, len, end, &close_name, &close_attrs) == NOT_FOUND) {
        end = NOT_FOUND;
    }
    set_end(m, len, end);
}

int html_scan_next(const char *in, size_t len, size_t from,
                   struct html_scan_markup *m)
{
    const char *lt = from < len ? memchr(in + from, '<', len - from) : NULL;
    size_t i;

    if (lt == NULL) {
        return -1;
    }
    i = (size_t)(lt - in);
    memset(m, 0, sizeof(*m));
    m->start = i;
    m->kind = HTML_SCAN_OTHER;
    if (starts(in, len, i, "<!--")) {
        set_end(m, len, comment_end(in, len, i + 4));
    } else if (starts(in, len, i, "<![CDATA[")) {
        set_end(m, len, past(in, len, i + 9, "]]>"));
    } else if (starts(in, len, i, "<!") || starts(in, len, i, "<?") ||
               (starts(in, len, i, "</") &&
                (i + 2 == len || !is_alpha((unsigned char)in[i + 2])))) {
        /* <!DOCTYPE>, <?xml?>, </ followed by no letter: up to '>'. */
        set_end(m, len, past(in, len, i + 2, ">"));
    } else if (i + 1 == len ||
               !(is_alpha((unsigned char)in[i + 1]) || in[i + 1] == '/')) {
        m->kind = HTML_SCAN_TEXT;
        m->end = i + 1;
    } else {
        m->kind = in[i + 1] == '/' ? HTML_SCAN_END_TAG : HTML_SCAN_START_TAG;
        set_end(m, len, tag_end(in, len, i, &m->name, &m->attrs));
        if (m->kind == HTML_SCAN_START_TAG && !m->cut) {
            start_tag(in, len, m);
        }
    }
    return 0;
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
        int v = ascii_hex_value((unsigned char)s[j]);
        if (v < 0 || (!hex && v > 9)) {
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
 * Decodes the named reference or '&' at s[i] into dst. Returns the offset
 * past it, 0 when it is a plain '&' to copy, or -1 for a reference not
 * decoded here (see html_scan.h) or no room.
 */
static ssize_t named_ref(char *dst, size_t cap, size_t *o, const char *s,
                         size_t len, size_t i)
{
    size_t run = i + 1;
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
        if (k == N_OF(named_refs) || *o + 1 >= cap) {
            return -1;
        }
        dst[(*o)++] = named_refs[k].ch;
        return (ssize_t)(run + 1);
    }
    for (k = 0; k < N_OF(legacy_names); k++) {
        if (span_eq(name, legacy_names[k]) && (run == len || s[run] != '=')) {
            return -1;
        }
    }
    return 0;
}

ssize_t html_scan_decode(char *dst, size_t cap, struct span v)
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
        if (s[i] == '&') {
            ssize_t next = i + 1 < len && s[i + 1] == '#'
                               ? numeric_ref(dst, cap, &o, s, len, i)
                               : named_ref(dst, cap, &o, s, len, i);
            if (next < 0) {
                return -1;
            }
            if (next > 0) {
                i = (size_t)next;
                continue;
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
