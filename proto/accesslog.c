/*
 * accesslog.c: see accesslog.h. The line is read field by field from a
 * table, left to right; a quoted field is scanned once to validate it and
 * find its end, and copied (unescaped) only when it holds an escape.
 */
#include "proto/accesslog.h"

#include <string.h>
#include <strings.h>

#include "proto/ascii.h"

/* What every empty value points to: callers may memcmp it safely. */
static const char accesslog_empty[] = "";

enum field_kind { F_ADDR, F_STATUS, F_QUOTED };

struct parser {
    const char *p; /* unread part of the line */
    size_t len;
    char *scratch;
    size_t cap;
    size_t used;
    const char *why;
};

static int fail(struct parser *ps, const char *why)
{
    ps->why = why;
    return -1;
}

static void advance(struct parser *ps, size_t n)
{
    ps->p += n;
    ps->len -= n;
}

/* The length of the token at the cursor: up to SP or the end. */
static size_t token_len(const struct parser *ps)
{
    const char *sp = memchr(ps->p, ' ', ps->len);
    return sp != NULL ? (size_t)(sp - ps->p) : ps->len;
}

/* Exactly one SP, then something that is not SP. */
static int take_separator(struct parser *ps)
{
    if (ps->len == 0) {
        return fail(ps, "missing field");
    }
    if (ps->p[0] != ' ') {
        return fail(ps, "bad separator");
    }
    advance(ps, 1);
    if (ps->len == 0) {
        return fail(ps, "missing field");
    }
    if (ps->p[0] == ' ') {
        return fail(ps, "bad separator");
    }
    return 0;
}

/* $remote_addr: an address as nginx writes it, nothing else ip_parse()
 * would forgive (brackets, a port, blanks, a zone id). */
static int take_addr(struct parser *ps, struct ip_addr *addr)
{
    size_t n = token_len(ps), colons = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)ps->p[i];
        if (c == ':') {
            colons++;
        } else if (c != '.' && ascii_hex_value(c) < 0) {
            return fail(ps, "bad address");
        }
    }
    /* One colon is "a.b.c.d:port" to ip_parse(); IPv6 has two or more. */
    if (colons == 1 || ip_parse(addr, ps->p, n) < 0) {
        return fail(ps, "bad address");
    }
    advance(ps, n);
    return 0;
}

/* $status: three digits, 100-599. */
static int take_status(struct parser *ps, int *status)
{
    size_t n = token_len(ps);
    int v = 0;

    if (n != 3) {
        return fail(ps, "bad status");
    }
    for (size_t i = 0; i < 3; i++) {
        if (ps->p[i] < '0' || ps->p[i] > '9') {
            return fail(ps, "bad status");
        }
        v = v * 10 + (ps->p[i] - '0');
    }
    if (v < 100 || v > 599) {
        return fail(ps, "bad status");
    }
    *status = v;
    advance(ps, 3);
    return 0;
}

/* A byte nginx never writes raw inside a value. */
static int must_be_escaped(unsigned char c)
{
    return c < 0x20 || c >= 0x7f;
}

#define BYTES(b) (0x0101010101010101ULL * (b))

/*
 * 1 when p[0..n) is plain: no '\\' and no byte that must be escaped, so
 * the value is p[0..n) itself. 8 bytes at a time; a word may be flagged
 * without cause (a borrow or carry from a flagged byte below it), never
 * the other way round, and a flagged value takes the careful path.
 */
static int plain_value(const char *p, size_t n)
{
    size_t i = 0;
    uint64_t flags = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, b;
        memcpy(&x, p + i, 8);
        b = x ^ BYTES('\\');
        /* below 0x20 | from 0x7F | from 0x80 | a zero in b: the '\\' */
        flags |= (x - BYTES(0x20)) | (x + BYTES(1)) | x |
                 ((b - BYTES(1)) & ~b);
    }
    if (flags & BYTES(0x80)) {
        return 0;
    }
    for (; i < n; i++) {
        if (p[i] == '\\' || must_be_escaped((unsigned char)p[i])) {
            return 0;
        }
    }
    return 1;
}

/* '"' value '"': checks the escapes and raw bytes, then points *out into
 * the line (no escape) or into scratch (unescaped). */
/*
 * The escape at p[0] == '\\' (left bytes from there): nginx's \xHH, or
 * one of Apache's \" \\ \b \n \r \t \v. Returns the bytes it takes (4
 * or 2) with *byte set, or 0 when it is not an escape.
 */
static size_t take_escape(const char *p, size_t left, char *byte)
{
    static const char apache[] = "\"\"\\\\b\bn\nr\rt\tv\v";

    if (left >= 4 && p[1] == 'x') {
        int hi = ascii_hex_value((unsigned char)p[2]);
        int lo = ascii_hex_value((unsigned char)p[3]);
        if (hi >= 0 && lo >= 0) {
            *byte = (char)(hi * 16 + lo);
            return 4;
        }
        return 0;
    }
    for (size_t i = 0; left >= 2 && i < sizeof(apache) - 1; i += 2) {
        if (p[1] == apache[i]) {
            *byte = apache[i + 1];
            return 2;
        }
    }
    return 0;
}

static int take_quoted(struct parser *ps, struct span *out)
{
    size_t i = 1, n = 0, raw_len, k;
    const char *raw;
    char *dst;
    char byte;

    if (ps->p[0] != '"') {
        return fail(ps, "expected quote");
    }
    /* Most values hold no escape: find the closing quote, check the bytes
     * before it once, and point at them. */
    const char *q = memchr(ps->p + 1, '"', ps->len - 1);
    if (q != NULL && plain_value(ps->p + 1, (size_t)(q - ps->p - 1))) {
        raw = ps->p + 1;
        raw_len = (size_t)(q - raw);
        advance(ps, raw_len + 2);
        *out = raw_len == 0 || (raw_len == 1 && raw[0] == '-')
                   ? span_make(accesslog_empty, 0)
                   : span_make(raw, raw_len);
        return 0;
    }
    while (i < ps->len && ps->p[i] != '"') {
        unsigned char c = (unsigned char)ps->p[i];
        if (c == '\\') {
            k = take_escape(ps->p + i, ps->len - i, &byte);
            if (k == 0) {
                return fail(ps, "bad escape");
            }
            i += k;
        } else if (must_be_escaped(c)) {
            return fail(ps, "unescaped byte");
        } else {
            i++;
        }
        n++;
    }
    if (i >= ps->len) {
        return fail(ps, "unterminated field");
    }
    raw = ps->p + 1;
    raw_len = i - 1;
    advance(ps, i + 1);
    if (raw_len == 0 || (raw_len == 1 && raw[0] == '-')) {
        *out = span_make(accesslog_empty, 0);
        return 0;
    }
    if (n == raw_len) { /* no escape: a view into the line */
        *out = span_make(raw, raw_len);
        return 0;
    }
    if (ps->cap - ps->used < n) {
        return fail(ps, "scratch too small");
    }
    dst = ps->scratch + ps->used;
    for (size_t r = 0, w = 0; r < raw_len; w++) {
        if (raw[r] == '\\') {
            r += take_escape(raw + r, raw_len - r, &dst[w]);
        } else {
            dst[w] = raw[r++];
        }
    }
    *out = span_make(dst, n);
    ps->used += n;
    return 0;
}

int accesslog_parse(const char *line, size_t len, struct accesslog_line *out,
                    char *scratch, size_t cap, const char **why)
{
    const struct {
        enum field_kind kind;
        struct span *value;
    } fields[] = {
        {F_ADDR, NULL},
        {F_QUOTED, &out->method},
        {F_QUOTED, &out->uri},
        {F_STATUS, NULL},
        {F_QUOTED, &out->referer},
        {F_QUOTED, &out->user_agent},
        {F_QUOTED, &out->dnt},
        {F_QUOTED, &out->sec_gpc},
        {F_QUOTED, &out->optout},
        {F_QUOTED, &out->host},
    };
    struct parser ps = {line, len, scratch, cap, 0, NULL};
    int rc = 0;

    if (ps.len > 0 && ps.p[ps.len - 1] == '\n') {
        ps.len--;
        if (ps.len > 0 && ps.p[ps.len - 1] == '\r') {
            ps.len--;
        }
    }
    if (ps.len > ACCESSLOG_MAX_LINE) {
        rc = fail(&ps, "line too long");
    } else if (token_len(&ps) != 2 || memcmp(ps.p, "v1", 2) != 0) {
        rc = fail(&ps, "unknown version");
    } else {
        advance(&ps, 2);
    }
    for (size_t f = 0; rc == 0 && f < sizeof(fields) / sizeof(fields[0]); f++) {
        rc = take_separator(&ps);
        if (rc < 0) {
            break;
        }
        switch (fields[f].kind) {
        case F_ADDR:
            rc = take_addr(&ps, &out->addr);
            break;
        case F_STATUS:
            rc = take_status(&ps, &out->status);
            break;
        case F_QUOTED:
            rc = take_quoted(&ps, fields[f].value);
            break;
        }
    }
    if (rc == 0 && ps.len > 0) {
        rc = fail(&ps, "trailing bytes");
    }
    if (rc < 0 && why != NULL) {
        *why = ps.why;
    }
    return rc;
}

int accesslog_ext_listed(struct span uri, const char *list)
{
    size_t end = 0;
    while (end < uri.len && uri.p[end] != '?' && uri.p[end] != '#') {
        end++;
    }
    size_t dot = end;
    while (dot > 0 && uri.p[dot - 1] != '.' && uri.p[dot - 1] != '/') {
        dot--;
    }
    if (dot == 0 || uri.p[dot - 1] != '.' || dot == end) {
        return 0;
    }
    const char *ext = uri.p + dot;
    size_t n = end - dot;
    for (const char *w = list; *w != '\0';) {
        size_t wl = strcspn(w, " ");
        if (wl == n && strncasecmp(w, ext, n) == 0) {
            return 1;
        }
        w += wl;
        w += *w == ' ';
    }
    return 0;
}
