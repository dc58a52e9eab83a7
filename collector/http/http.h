/*
 * http.h: HTTP/1.1 request framing over llhttp, without I/O. The framer
 * owns the connection's read buffer: the caller reads into the space it
 * offers, then feeds the byte count; complete requests come out through a
 * callback, in order, with views into the buffer (no copy).
 *
 *   buf:  [ done ... | current request (kept) | unparsed | free ]
 *          ^0         ^req_start               ^parsed    ^len   ^cap
 *
 * Bytes of finished requests are dropped as soon as a feed ends; the
 * current request's head stays in place until it completes, so its views
 * stay valid. Limits of SPEC 2.8 are checked while bytes arrive, so a
 * client cannot make the buffer grow past them.
 *
 * llhttp 8.1 is lenient where a front proxy may not be (a CR followed by
 * any byte ends its header block, bytes after a chunk are taken as its
 * CRLF, spaces are taken in field names and between request-line parts);
 * the framer holds every request to RFC 9112 itself, whatever llhttp
 * accepted, before the request is handed over:
 *   - lines end in CRLF: a CR not before LF, or an LF not after CR, in
 *     anything but body data is 400;
 *   - no control byte but HT outside body data, no line that starts with
 *     whitespace (obsolete folding);
 *   - the request line is method SP target SP HTTP/1.x with single
 *     spaces and a target of visible ASCII; another version is 505;
 *   - field names are tokens;
 *   - at most HTTP_MAX_EMPTY_LINES empty lines before a request line.
 */
#ifndef BEACON_HTTP_H
#define BEACON_HTTP_H

#include <llhttp.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/http/request.h"

struct http_limits {
    size_t max_request_line; /* 414 past it */
    size_t max_header_bytes; /* 431 past it */
    size_t max_headers;      /* 431 past it */
    size_t max_body;         /* 413 past it; 0: no request may have a body */
};

/* Empty lines (CRLF) taken before a request line; RFC 9112 2.2 asks a
 * server to take at least one. More is 400. */
#define HTTP_MAX_EMPTY_LINES 4

/* Called for each complete request; may call http_stop(). */
typedef void (*http_request_fn)(void *arg, const struct request *r);

struct http_framer {
    llhttp_t parser;
    const struct http_limits *limits;
    http_request_fn on_request;
    void *arg;

    char *buf;
    size_t cap, len, parsed;
    size_t max_cap; /* the buffer never grows past this */
    int buf_owned;  /* buf was allocated here (not the caller's storage) */
    /* Stream position (bytes since the connection began) of buf[parsed]:
     * positions survive the buffer's compaction. */
    uint64_t consumed;
    const char *exec_at; /* buf + parsed while llhttp runs */

    /* Every byte that is not body data is checked once (scan_framing):
     * CR only before LF, LF only after CR, no control byte but HT, no
     * whitespace at the start of a line. */
    uint64_t scan_pos;   /* stream position of the next byte to check */
    int scan_state;      /* where the last checked byte left a line */

    /* The request being framed; offsets relative to req_start. */
    int in_message;
    size_t req_start;  /* its first byte (empty lines before it dropped) */
    int empty_lines;   /* empty lines taken before it */
    uint64_t n_done;   /* requests framed on this connection */
    size_t method_len;
    size_t url_off, url_len;
    int url_done; /* the whole target has been seen */
    int version_ok; /* HTTP/1.0 or HTTP/1.1 was read */
    int line_done;  /* past the request line's CRLF */
    size_t field_off, field_len;
    size_t value_off, value_len;
    int value_started;
    enum request_header field_id;
    size_t n_headers;
    int head_done;       /* the header block is complete */
    int in_trailers;     /* past the last chunk: bytes are kept again */
    size_t trailer_off;  /* first trailer field byte, 0: none */
    size_t trailer_seen; /* end of the last trailer field byte */
    size_t body_off;     /* first body byte seen; 0: none yet */
    uint64_t body_len;
    uint64_t chunk_left; /* data bytes of the current chunk still due */

    /* llhttp 8.1 takes any two bytes after a chunk's data as its CRLF; the
     * framer checks them itself, by stream position. */
    uint64_t crlf_pos;   /* stream position of the next delimiter byte */
    int crlf_left;       /* delimiter bytes still to check: 0, 1 or 2 */
    struct http_field {
        size_t off, len;
        int set;
    } hdr[HDR_COUNT];
    struct http_field xff[REQUEST_XFF_MAX];
    int n_xff;
    struct http_field cookie[REQUEST_COOKIE_MAX];
    int n_cookie;

    /* The body, copied out as it is framed (body bytes leave the read
     * buffer, see drop_body); grows up to limits->max_body, kept for the
     * connection's next request. */
    char *body;
    size_t body_cap;

    /* A complete request, handed over once its last framing bytes are
     * checked (llhttp pauses at the end of every request). */
    struct request done;

    /* A request line that llhttp refused: judged whole by the framer
     * (405 for an unknown method, 505 for another version, else 400). */
    int line_refused;      /* waiting for the rest of such a line */
    int unknown_method;
    size_t bad_target_off, bad_target_len; /* absolute offsets in buf */

    int status;      /* 0, or the error status to answer with */
    const char *why; /* a short reason for the log, with status */
    int stopped;     /* http_stop() was called */
};

enum http_result {
    HTTP_FEED_OK = 0,     /* all bytes consumed; feed more */
    HTTP_FEED_STOPPED,    /* the callback stopped the framer */
    HTTP_FEED_ERROR       /* answer h->status and close */
};

/* Prepares h with a buffer of initial_cap bytes growing up to max_cap.
 * Returns 0 or -1 (out of memory). */
int http_init(struct http_framer *h, const struct http_limits *limits,
              size_t initial_cap, size_t max_cap, http_request_fn fn,
              void *arg);

/* The same, with the buffer's first cap bytes in the caller's storage,
 * which the framer never frees (a larger buffer is its own). */
int http_init_in(struct http_framer *h, const struct http_limits *limits,
                 char *buf, size_t cap, size_t max_cap, http_request_fn fn,
                 void *arg);

/* Frees the buffer; h may be initialised again. */
void http_deinit(struct http_framer *h);

/* Forgets all state and buffered bytes, keeping the buffer (a new
 * connection reuses it). */
void http_reset(struct http_framer *h);

/* Where to read next: *room bytes at the returned pointer. Grows or
 * compacts the buffer when it is full; *room is 0 when it cannot (the
 * caller then answers 431 and closes). */
char *http_space(struct http_framer *h, size_t *room);

/* Frames n newly read bytes (written at http_space()), and any bytes left
 * unframed by an earlier stop: n may be 0. */
enum http_result http_feed(struct http_framer *h, size_t n);

/* After HTTP_FEED_ERROR: the target of the refused request when its
 * request line was whole (an unknown method's included), else empty
 * (p NULL). Valid until the next feed. */
struct span http_error_target(const struct http_framer *h);

/* From inside the request callback: frame nothing after this request
 * until http_resume(). Bytes already read stay buffered. */
void http_stop(struct http_framer *h);

/* Lets http_feed() frame again after a stop. */
void http_resume(struct http_framer *h);

/* 1 when no byte of a request is buffered (the connection is idle). */
int http_idle(const struct http_framer *h);

/* 1 from the first byte of a request (an empty line before it included)
 * until its header block is complete. */
int http_in_head(const struct http_framer *h);

/* 1 from the end of a request's header block until its body is whole. */
int http_in_body(const struct http_framer *h);

/* Requests framed so far: a change tells a new request began. */
static inline uint64_t http_requests_done(const struct http_framer *h)
{
    return h->n_done;
}

#endif
