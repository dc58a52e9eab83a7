/*
 * response.h: response bytes, appended to a connection's output buffer.
 * Most of a response is constant and copied from static strings; only the
 * Date header changes, once a second.
 */
#ifndef BEACON_RESPONSE_H
#define BEACON_RESPONSE_H

#include <stddef.h>
#include <time.h>

/*
 * Growable output buffer of one connection. It may start in storage of
 * the caller's (p and cap set, mapped 0), which it never frees; once it
 * outgrows that, it lives in a mapping of its own, given back whole by
 * outbuf_free() (heap blocks of a burst of connections would stay with
 * the process). A zeroed outbuf is empty and valid.
 */
struct outbuf {
    char *p;
    size_t len; /* bytes waiting to be written */
    size_t cap;
    int mapped; /* p is a mapping of cap bytes, owned here */
};

/* Makes room for n more bytes; returns where to write them, or NULL when
 * out of memory. */
char *outbuf_reserve(struct outbuf *o, size_t n);

/* Gives back a mapping and returns to the caller's storage (initial,
 * initial_cap; NULL and 0 for none), emptied. */
void outbuf_free(struct outbuf *o, char *initial, size_t initial_cap);

/* The Date header value of the current second, per worker. */
struct response_date {
    time_t sec;
    char text[30]; /* "Thu, 26 Nov 2026 15:57:28 GMT" */
};

/* Re-formats d when the second changed. */
void response_date_update(struct response_date *d, time_t now);

/* How the connection continues after this response. */
enum response_conn {
    RESPONSE_KEEP,    /* HTTP/1.1 persistent: no header needed */
    RESPONSE_KEEP_10, /* HTTP/1.0 keep-alive: "Connection: keep-alive" */
    RESPONSE_CLOSE    /* "Connection: close" */
};

/* The 43-byte transparent 1x1 GIF of SPEC 2.1. */
extern const unsigned char response_gif[43];

/*
 * Appends a pixel response: 200, image/gif, no-store, "X-Beacon: <x_beacon>"
 * unless x_beacon is NULL, "Tk: N" when tk_n, the GIF unless head.
 * Returns 0 or -1 (out of memory).
 */
int response_pixel(struct outbuf *o, const struct response_date *d,
                   const char *x_beacon, int tk_n, int head,
                   enum response_conn conn);

/*
 * Appends any other response: status line for `status`, Date,
 * Content-Type (when content_type is not NULL), Content-Length (not on a
 * 204), Cache-Control no-store, extra_headers (complete "Name: value\r\n"
 * lines, may be NULL), then the body unless head. Returns 0 or -1.
 */
int response_simple(struct outbuf *o, const struct response_date *d,
                     int status, const char *content_type,
                     const char *extra_headers, const void *body,
                     size_t body_len, int head, enum response_conn conn);

/*
 * Appends a 200 whose body every client may cache for max_age seconds
 * (the page script): Date, Content-Type, Content-Length, Cache-Control
 * public, then the body unless head. Returns 0 or -1.
 */
int response_cacheable(struct outbuf *o, const struct response_date *d,
                       const char *content_type, unsigned max_age,
                       const void *body, size_t body_len, int head,
                       enum response_conn conn);

/* "Not Found" for 404 etc.; "Unknown" for codes not listed. */
const char *response_reason(int status);

#endif
