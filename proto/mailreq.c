/*
 * mailreq.c: see mailreq.h.
 */
#include "proto/mailreq.h"

#include "proto/clicklink.h"
#include "proto/hit.h"
#include "proto/percent.h"
#include "proto/query.h"

#define GIF_SUFFIX ".gif"

/* Takes the next '/'-terminated segment of *rest (the last one when
 * last). Returns 0, or -1 when there is none. */
static int next_segment(struct span *rest, struct span *seg, int last)
{
    const char *slash = memchr(rest->p, '/', rest->len);
    if (last) {
        if (slash != NULL) {
            return -1;
        }
        *seg = *rest;
        rest->len = 0;
        return 0;
    }
    if (slash == NULL) {
        return -1;
    }
    *seg = span_make(rest->p, (size_t)(slash - rest->p));
    rest->len -= seg->len + 1;
    rest->p = slash + 1;
    return 0;
}

/* Splits "<prefix><site>/<campaign>/<last>" and checks site and
 * campaign. */
static int split_path(struct span path, const char *prefix, struct span *site,
                      struct span *campaign, struct span *last,
                      const char **err)
{
    size_t n = strlen(prefix);
    struct span rest;

    if (path.len < n || memcmp(path.p, prefix, n) != 0) {
        *err = "wrong prefix";
        return -1;
    }
    rest = span_make(path.p + n, path.len - n);
    if (next_segment(&rest, site, 0) < 0 ||
        next_segment(&rest, campaign, 0) < 0 ||
        next_segment(&rest, last, 1) < 0) {
        *err = "expected three path segments";
        return -1;
    }
    if (!hit_valid_site(site->p, site->len)) {
        *err = "bad site";
        return -1;
    }
    if (!clicklink_valid_id(campaign->p, campaign->len)) {
        *err = "bad campaign";
        return -1;
    }
    return 0;
}

int mailreq_parse_open(struct span path, struct mailreq_open *out,
                       const char **err)
{
    struct span file;
    size_t n = sizeof(GIF_SUFFIX) - 1;

    if (split_path(path, MAILREQ_OPEN_PREFIX, &out->site, &out->campaign,
                   &file, err) < 0) {
        return -1;
    }
    if (file.len < n || memcmp(file.p + file.len - n, GIF_SUFFIX, n) != 0) {
        *err = "expected <recipient>.gif";
        return -1;
    }
    out->recipient = span_make(file.p, file.len - n);
    if (!clicklink_valid_recipient(out->recipient.p, out->recipient.len)) {
        *err = "bad recipient";
        return -1;
    }
    return 0;
}

/* The click parameters, in the order of their slots. */
enum { P_TO, P_R, P_K, P_SIG, P_COUNT };
static const char *const param_name[P_COUNT] = {"to", "r", "k", "sig"};

/* Decodes each known parameter once into scratch; -1 on a repeat, a
 * malformed escape or a missing required one. */
static int read_params(struct span query, char *scratch, size_t cap,
                       struct span val[P_COUNT], const char **err)
{
    struct query_iter it;
    struct span name, raw;
    int seen[P_COUNT] = {0};
    size_t used = 0;

    query_iter_init(&it, query.p, query.len);
    while (query_next(&it, &name, &raw)) {
        int i = 0;
        while (i < P_COUNT && !span_eq(name, param_name[i])) {
            i++;
        }
        if (i == P_COUNT) {
            continue;
        }
        if (seen[i]) {
            *err = "repeated parameter";
            return -1;
        }
        seen[i] = 1;
        ssize_t n = percent_decode(scratch + used, cap - used, raw.p, raw.len,
                                   0);
        if (n < 0) {
            *err = "malformed percent-escape";
            return -1;
        }
        val[i] = span_make(scratch + used, (size_t)n);
        used += (size_t)n;
    }
    if (!seen[P_TO] || !seen[P_K] || !seen[P_SIG]) {
        *err = "missing to, k or sig";
        return -1;
    }
    return 0;
}

int mailreq_parse_click(struct span path, struct span query, char *scratch,
                        size_t scratch_cap, struct mailreq_click *out,
                        const char **err)
{
    struct span val[P_COUNT] = {{"", 0}, {"", 0}, {"", 0}, {"", 0}};

    if (split_path(path, MAILREQ_CLICK_PREFIX, &out->site, &out->campaign,
                   &out->link, err) < 0) {
        return -1;
    }
    if (!clicklink_valid_id(out->link.p, out->link.len)) {
        *err = "bad link";
        return -1;
    }
    if (read_params(query, scratch, scratch_cap, val, err) < 0) {
        return -1;
    }
    if (!clicklink_valid_to(val[P_TO].p, val[P_TO].len)) {
        *err = "bad to";
        return -1;
    }
    if (val[P_R].len > 0 &&
        !clicklink_valid_recipient(val[P_R].p, val[P_R].len)) {
        *err = "bad r";
        return -1;
    }
    if (!clicklink_valid_id(val[P_K].p, val[P_K].len)) {
        *err = "bad k";
        return -1;
    }
    out->to = val[P_TO];
    out->recipient = val[P_R];
    out->key_id = val[P_K];
    out->sig = val[P_SIG];
    return 0;
}
