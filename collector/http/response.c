/*
 * response.c: response bytes (see response.h).
 */
#include "collector/http/response.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* GIF89a, 1x1, one transparent pixel: header, logical screen, 2-colour
 * table, graphic control extension (transparency), image, trailer. */
const unsigned char response_gif[43] = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80,
    0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

#define CACHE_CONTROL                                                          \
    "Cache-Control: no-store, no-cache, must-revalidate, max-age=0\r\n"

#define OUTBUF_MAP_MIN 4096

char *outbuf_reserve(struct outbuf *o, size_t n)
{
    if (o->len + n > o->cap) {
        size_t ncap = o->cap > OUTBUF_MAP_MIN ? o->cap : OUTBUF_MAP_MIN;
        while (ncap < o->len + n) {
            ncap *= 2;
        }
        void *np = o->mapped ? mremap(o->p, o->cap, ncap, MREMAP_MAYMOVE)
                             : mmap(NULL, ncap, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (np == MAP_FAILED) {
            return NULL;
        }
        if (!o->mapped && o->len > 0) {
            memcpy(np, o->p, o->len);
        }
        o->p = np;
        o->cap = ncap;
        o->mapped = 1;
    }
    return o->p + o->len;
}

void outbuf_free(struct outbuf *o, char *initial, size_t initial_cap)
{
    if (o->mapped) {
        munmap(o->p, o->cap);
    }
    o->p = initial;
    o->cap = initial_cap;
    o->len = 0;
    o->mapped = 0;
}

void response_date_update(struct response_date *d, time_t now)
{
    struct tm tm;
    if (d->sec == now && d->text[0] != '\0') {
        return;
    }
    gmtime_r(&now, &tm);
    strftime(d->text, sizeof(d->text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    d->sec = now;
}

static const char *const conn_header[] = {
    [RESPONSE_KEEP] = "",
    [RESPONSE_KEEP_10] = "Connection: keep-alive\r\n",
    [RESPONSE_CLOSE] = "Connection: close\r\n",
};

#define APPEND(w, s, n)                                                        \
    do {                                                                       \
        memcpy((w), (s), (n));                                                 \
        (w) += (n);                                                            \
    } while (0)
#define APPEND_LIT(w, lit) APPEND(w, lit, sizeof(lit) - 1)

int response_pixel(struct outbuf *o, const struct response_date *d,
                   const char *x_beacon, int tk_n, int head,
                   enum response_conn conn)
{
    size_t xb_len = x_beacon != NULL ? strlen(x_beacon) : 0;
    size_t conn_len = strlen(conn_header[conn]);
    char *w = outbuf_reserve(o, 512 + xb_len + conn_len);
    if (w == NULL) {
        return -1;
    }
    char *start = w;
    APPEND_LIT(w, "HTTP/1.1 200 OK\r\nDate: ");
    APPEND(w, d->text, 29);
    APPEND_LIT(w, "\r\nContent-Type: image/gif\r\n"
                  "Content-Length: 43\r\n" CACHE_CONTROL);
    if (x_beacon != NULL) {
        APPEND_LIT(w, "X-Beacon: ");
        APPEND(w, x_beacon, xb_len);
        APPEND_LIT(w, "\r\n");
    }
    if (tk_n) {
        APPEND_LIT(w, "Tk: N\r\n");
    }
    APPEND(w, conn_header[conn], conn_len);
    APPEND_LIT(w, "\r\n");
    if (!head) {
        APPEND(w, response_gif, sizeof(response_gif));
    }
    o->len += (size_t)(w - start);
    return 0;
}

const char *response_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

int response_simple(struct outbuf *o, const struct response_date *d,
                    int status, const char *content_type,
                    const char *extra_headers, const void *body,
                    size_t body_len, int head, enum response_conn conn)
{
    size_t extra = extra_headers != NULL ? strlen(extra_headers) : 0;
    size_t type = content_type != NULL ? strlen(content_type) : 0;
    size_t room = 512 + extra + type + body_len;
    char *w = outbuf_reserve(o, room);
    if (w == NULL) {
        return -1;
    }
    /* A 204 has no body and must not say Content-Length (RFC 9110 8.6). */
    char length[40] = "";
    if (status != 204) {
        snprintf(length, sizeof(length), "Content-Length: %zu\r\n", body_len);
    }
    int n = snprintf(w, room,
                     "HTTP/1.1 %d %s\r\nDate: %.29s\r\n%s%s%s%s" CACHE_CONTROL
                     "%s%s\r\n",
                     status, response_reason(status), d->text,
                     content_type ? "Content-Type: " : "",
                     content_type ? content_type : "",
                     content_type ? "\r\n" : "", length,
                     extra_headers ? extra_headers : "", conn_header[conn]);
    if (n < 0 || (size_t)n >= room - body_len) {
        return -1;
    }
    if (!head && body_len > 0) {
        memcpy(w + n, body, body_len);
        n += (int)body_len;
    }
    o->len += (size_t)n;
    return 0;
}

int response_cacheable(struct outbuf *o, const struct response_date *d,
                       const char *content_type, unsigned max_age,
                       const void *body, size_t body_len, int head,
                       enum response_conn conn)
{
    size_t room = 512 + strlen(content_type) + body_len;
    char *w = outbuf_reserve(o, room);
    if (w == NULL) {
        return -1;
    }
    int n = snprintf(w, room,
                     "HTTP/1.1 200 OK\r\nDate: %.29s\r\nContent-Type: %s\r\n"
                     "Content-Length: %zu\r\n"
                     "Cache-Control: public, max-age=%u\r\n%s\r\n",
                     d->text, content_type, body_len, max_age,
                     conn_header[conn]);
    if (n < 0 || (size_t)n >= room - body_len) {
        return -1;
    }
    if (!head) {
        memcpy(w + n, body, body_len);
        n += (int)body_len;
    }
    o->len += (size_t)n;
    return 0;
}
