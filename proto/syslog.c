/*
 * syslog.c: see syslog.h. The header shapes are read left to right with
 * a cursor over d[0..len); nothing past len is looked at, and nothing is
 * kept but the view of MSG.
 */
#include "proto/syslog.h"

#include <limits.h>

#define SYSLOG_PRI_MAX 191
#define SYSLOG_TAG_MAX 64 /* RFC 3164 says 32; relays write longer */
#define SYSLOG_PID_MAX 32
#define SYSLOG_HOST_MAX 255   /* both RFCs */
#define SYSLOG_APP_MAX 48     /* RFC 5424 APP-NAME */
#define SYSLOG_PROCID_MAX 128 /* RFC 5424 PROCID */
#define SYSLOG_MSGID_MAX 32   /* RFC 5424 MSGID */
#define SYSLOG_SDNAME_MAX 32  /* RFC 5424 SD-NAME */

/* A larger max_frame is taken as this, so that a frame, its length and
 * SP (or its CR LF) always fit the int returned. */
#define SYSLOG_FRAME_CAP ((size_t)INT_MAX - 16)

/* The unread part of the message. */
struct cursor {
    const char *p;
    size_t len;
};

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* RFC 5424 PRINTUSASCII: a visible ASCII byte. */
static int is_visible(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e;
}

static int is_tag_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
           c == '.' || c == '_' || c == '-' || c == '/';
}

static void advance(struct cursor *c, size_t n)
{
    c->p += n;
    c->len -= n;
}

/* Takes the byte ch; 0 when it is not next. */
static int take(struct cursor *c, char ch)
{
    if (c->len == 0 || c->p[0] != ch) {
        return 0;
    }
    advance(c, 1);
    return 1;
}

/* The value of the n digits at p, or -1 when they are not all digits. */
static int digits(const char *p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit((unsigned char)p[i])) {
            return -1;
        }
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* "<" 1*3DIGIT ">", 0-191. */
static int read_pri(struct cursor *c)
{
    size_t n = 0;

    if (!take(c, '<')) {
        return -1;
    }
    while (n < c->len && n < 4 && is_digit((unsigned char)c->p[n])) {
        n++;
    }
    if (n == 0 || n > 3 || digits(c->p, n) > SYSLOG_PRI_MAX) {
        return -1;
    }
    advance(c, n);
    return take(c, '>') ? 0 : -1;
}

/* "hh:mm:ss" with its ranges (a leap second allowed), at p. */
static int valid_time(const char *p)
{
    return p[2] == ':' && p[5] == ':' && digits(p, 2) >= 0 &&
           digits(p, 2) <= 23 && digits(p + 3, 2) >= 0 &&
           digits(p + 3, 2) <= 59 && digits(p + 6, 2) >= 0 &&
           digits(p + 6, 2) <= 60;
}

/* The RFC 3164 timestamp "Mmm dd hh:mm:ss" and the SP after it, when it
 * is next; 0 (nothing taken) when it is not. */
static int take_bsd_time(struct cursor *c)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *p = c->p;
    int month = -1, day;

    if (c->len < 16 || p[3] != ' ' || p[6] != ' ' || p[15] != ' ') {
        return 0;
    }
    for (int m = 0; m < 12; m++) {
        if (memcmp(p, months + 3 * m, 3) == 0) {
            month = m;
        }
    }
    if (month < 0) {
        return 0;
    }
    /* " 4" as RFC 3164 says, "04" as some devices write, "14". */
    day = p[4] == ' ' ? digits(p + 5, 1) : digits(p + 4, 2);
    if (day < 1 || day > 31 || !valid_time(p + 7)) {
        return 0;
    }
    advance(c, 16);
    return 1;
}

/* Length of a run of visible bytes at the cursor (up to SP or the end). */
static size_t word_len(const struct cursor *c)
{
    size_t n = 0;
    while (n < c->len && is_visible((unsigned char)c->p[n])) {
        n++;
    }
    return n;
}

/* TAG ["[" pid "]"] ":" followed by SP or the end: takes it and the SP.
 * 0 (nothing taken) when the cursor is not at one. */
static int take_tag(struct cursor *c)
{
    size_t n = 0, pid;

    while (n < c->len && n <= SYSLOG_TAG_MAX &&
           is_tag_byte((unsigned char)c->p[n])) {
        n++;
    }
    if (n == 0 || n > SYSLOG_TAG_MAX) {
        return 0;
    }
    if (n < c->len && c->p[n] == '[') {
        pid = 0;
        n++;
        while (n < c->len && c->p[n] != ']' &&
               is_visible((unsigned char)c->p[n]) && pid <= SYSLOG_PID_MAX) {
            n++;
            pid++;
        }
        if (pid == 0 || pid > SYSLOG_PID_MAX || n >= c->len || c->p[n] != ']') {
            return 0;
        }
        n++;
    }
    if (n >= c->len || c->p[n] != ':') {
        return 0;
    }
    n++;
    if (n < c->len && c->p[n] != ' ') {
        return 0;
    }
    advance(c, n < c->len ? n + 1 : n);
    return 1;
}

static int take_timestamp(struct cursor *c);

/* RFC 3164 after PRI: [TIMESTAMP SP [HOST SP]] TAG ":" [SP MSG]. The
 * timestamp may also be RFC 3339, as rsyslog's forwarding format
 * (RSYSLOG_ForwardFormat) writes it. */
static int parse_3164(struct cursor *c)
{
    struct cursor start = *c;
    size_t host;
    int timed = take_bsd_time(c);

    if (!timed && c->len > 0 && is_digit((unsigned char)c->p[0])) {
        timed = take_timestamp(c) == 0;
        if (!timed) {
            *c = start; /* "2fast:" is a tag, not a time */
        }
    }
    if (!timed) {
        return take_tag(c) ? 0 : -1;
    }
    if (take_tag(c)) {
        return 0;
    }
    host = word_len(c);
    if (host == 0 || host > SYSLOG_HOST_MAX || host == c->len ||
        c->p[host] != ' ') {
        return -1;
    }
    advance(c, host + 1);
    return take_tag(c) ? 0 : -1;
}

/* An RFC 5424 header field: "-" or 1..max visible bytes, then SP. */
static int take_field(struct cursor *c, size_t max)
{
    size_t n = word_len(c);

    if (n == 0 || n > max || n == c->len || c->p[n] != ' ') {
        return -1;
    }
    advance(c, n + 1);
    return 0;
}

/* n digits at the cursor, taken; -1 when they are not there. */
static int take_digits(struct cursor *c, size_t n)
{
    int v;

    if (c->len < n || (v = digits(c->p, n)) < 0) {
        return -1;
    }
    advance(c, n);
    return v;
}

/* RFC 5424 TIMESTAMP (RFC 3339, with at most 6 fraction digits) or "-",
 * then SP. */
static int take_timestamp(struct cursor *c)
{
    int month, day;
    size_t frac = 0;

    if (take(c, '-')) {
        return take(c, ' ') ? 0 : -1;
    }
    if (take_digits(c, 4) < 0 || !take(c, '-') ||
        (month = take_digits(c, 2)) < 1 || month > 12 || !take(c, '-') ||
        (day = take_digits(c, 2)) < 1 || day > 31 || !take(c, 'T') ||
        c->len < 8 || !valid_time(c->p)) {
        return -1;
    }
    advance(c, 8);
    if (take(c, '.')) {
        while (frac < c->len && frac <= 6 &&
               is_digit((unsigned char)c->p[frac])) {
            frac++;
        }
        if (frac == 0 || frac > 6) {
            return -1;
        }
        advance(c, frac);
    }
    if (!take(c, 'Z')) {
        if (c->len == 0 || (c->p[0] != '+' && c->p[0] != '-')) {
            return -1;
        }
        advance(c, 1);
        if (c->len < 5 || digits(c->p, 2) < 0 || digits(c->p, 2) > 23 ||
            c->p[2] != ':' || digits(c->p + 3, 2) < 0 ||
            digits(c->p + 3, 2) > 59) {
            return -1;
        }
        advance(c, 5);
    }
    return take(c, ' ') ? 0 : -1;
}

/* SD-NAME: 1-32 visible bytes but '=', ']' and '"'. */
static int take_sd_name(struct cursor *c)
{
    size_t n = 0;

    while (n < c->len && n <= SYSLOG_SDNAME_MAX &&
           is_visible((unsigned char)c->p[n]) && c->p[n] != '=' &&
           c->p[n] != ']' && c->p[n] != '"') {
        n++;
    }
    if (n == 0 || n > SYSLOG_SDNAME_MAX) {
        return -1;
    }
    advance(c, n);
    return 0;
}

/* '"' PARAM-VALUE '"': a backslash takes the byte after it, so \" \] and
 * \\ never end the value (a backslash before another byte is a literal
 * one, RFC 5424 6.3.3, which skipping the byte reads the same way). */
static int take_sd_value(struct cursor *c)
{
    size_t n = 0;

    if (!take(c, '"')) {
        return -1;
    }
    while (n < c->len && c->p[n] != '"') {
        n += c->p[n] == '\\' ? 2 : 1;
    }
    if (n >= c->len) {
        return -1;
    }
    advance(c, n + 1);
    return 0;
}

/* STRUCTURED-DATA: "-" or 1*("[" SD-ID *(SP NAME "=" VALUE) "]"). */
static int take_sd(struct cursor *c)
{
    if (take(c, '-')) {
        return 0;
    }
    if (c->len == 0 || c->p[0] != '[') {
        return -1;
    }
    while (take(c, '[')) {
        if (take_sd_name(c) < 0) {
            return -1;
        }
        while (take(c, ' ')) {
            if (take_sd_name(c) < 0 || !take(c, '=') || take_sd_value(c) < 0) {
                return -1;
            }
        }
        if (!take(c, ']')) {
            return -1;
        }
    }
    return 0;
}

/* RFC 5424 after PRI: "1" SP TIMESTAMP SP HOST SP APP SP PROCID SP MSGID
 * SP SD [SP [BOM] MSG]. */
static int parse_5424(struct cursor *c)
{
    advance(c, 2); /* "1 " */
    if (take_timestamp(c) < 0 || take_field(c, SYSLOG_HOST_MAX) < 0 ||
        take_field(c, SYSLOG_APP_MAX) < 0 ||
        take_field(c, SYSLOG_PROCID_MAX) < 0 ||
        take_field(c, SYSLOG_MSGID_MAX) < 0 || take_sd(c) < 0) {
        return -1;
    }
    if (c->len == 0) {
        return 0;
    }
    if (!take(c, ' ')) {
        return -1;
    }
    if (c->len >= 3 && memcmp(c->p, "\xEF\xBB\xBF", 3) == 0) {
        advance(c, 3);
    }
    return 0;
}

int syslog_message(const char *d, size_t len, struct span *msg)
{
    struct cursor c = {d, len};
    int rc;

    if (c.len > 0 && c.p[c.len - 1] == '\n') {
        c.len--;
        if (c.len > 0 && c.p[c.len - 1] == '\r') {
            c.len--;
        }
    }
    if (read_pri(&c) < 0) {
        return -1;
    }
    /* "1 " cannot start RFC 3164: a TAG is followed by '[' or ':'. */
    if (c.len >= 2 && c.p[0] == '1' && c.p[1] == ' ') {
        rc = parse_5424(&c);
    } else {
        rc = parse_3164(&c);
    }
    if (rc < 0) {
        return -1;
    }
    *msg = span_make(c.p, c.len);
    return 0;
}

/* Octet counting: MSG-LEN (no leading zero, at most max_frame) SP MSG. */
static int frame_counted(const char *d, size_t len, size_t max_frame,
                         struct span *frame)
{
    size_t i = 0, n = 0;

    while (i < len && is_digit((unsigned char)d[i])) {
        size_t digit = (size_t)(d[i] - '0');
        if (n > max_frame / 10 || n * 10 + digit > max_frame) {
            return -1;
        }
        n = n * 10 + digit;
        i++;
    }
    if (i == len) {
        return 0;
    }
    if (d[i] != ' ') {
        return -1;
    }
    i++;
    if (len - i < n) {
        return 0;
    }
    *frame = span_make(d + i, n);
    return (int)(i + n);
}

/* LF framing: the frame ends at LF; a CR right before it is dropped. */
static int frame_lf(const char *d, size_t len, size_t max_frame,
                    struct span *frame)
{
    /* The frame, its CR and its LF fit in max_frame + 2 bytes. */
    size_t scan = len;
    const char *lf;
    size_t n;

    if (scan > max_frame + 2) {
        scan = max_frame + 2;
    }
    lf = memchr(d, '\n', scan);
    if (lf == NULL) {
        if (len > max_frame && (len > max_frame + 1 || d[max_frame] != '\r')) {
            return -1;
        }
        return 0;
    }
    n = (size_t)(lf - d);
    if (n > 0 && d[n - 1] == '\r') {
        n--;
    }
    if (n > max_frame) {
        return -1;
    }
    *frame = span_make(d, n);
    return (int)(lf - d) + 1;
}

int syslog_frame(const char *d, size_t len, size_t max_frame,
                 struct span *frame)
{
    if (max_frame > SYSLOG_FRAME_CAP) {
        max_frame = SYSLOG_FRAME_CAP;
    }
    if (len == 0) {
        return 0;
    }
    if (d[0] == '\n') {
        *frame = span_make(d, 0);
        return 1;
    }
    if (d[0] >= '1' && d[0] <= '9') {
        return frame_counted(d, len, max_frame, frame);
    }
    if (d[0] == '<') {
        return frame_lf(d, len, max_frame, frame);
    }
    return -1;
}
