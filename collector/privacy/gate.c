/*
 * gate.c: see gate.h.
 */
#include "collector/privacy/gate.h"

#include <string.h>
#include <strings.h>

#include "proto/cookie.h"

/* "DNT: 1", "Sec-GPC: 1": the value is exactly 1 (trimmed by the framer). */
static int header_is_1(struct span v)
{
    return v.p != NULL && v.len == 1 && v.p[0] == '1';
}

/* 1 when the comma/semicolon/space separated value holds token
 * (case-insensitive): "Sec-Purpose: prefetch;prerender". */
static int has_token(struct span v, const char *token)
{
    size_t n = strlen(token);
    const char *p = v.p;
    const char *end = v.p + v.len;
    if (v.p == NULL) {
        return 0;
    }
    while (p < end) {
        while (p < end && (*p == ' ' || *p == ',' || *p == ';' || *p == '\t')) {
            p++;
        }
        const char *s = p;
        while (p < end && *p != ' ' && *p != ',' && *p != ';' && *p != '\t') {
            p++;
        }
        if ((size_t)(p - s) == n && strncasecmp(s, token, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static int opted_out_cookie(const struct request *r)
{
    for (int i = 0; i < r->n_cookie; i++) {
        if (cookie_has(r->cookie[i].p, r->cookie[i].len, GATE_OPTOUT_COOKIE,
                       "1")) {
            return 1;
        }
    }
    return 0;
}

/* Browsers announce speculative loads; a prefetched page was not seen. */
static int is_prefetch(const struct request *r)
{
    return has_token(r->header[HDR_SEC_PURPOSE], "prefetch") ||
           has_token(r->header[HDR_PURPOSE], "prefetch") ||
           has_token(r->header[HDR_X_MOZ], "prefetch") ||
           has_token(r->header[HDR_X_PURPOSE], "preview");
}

enum metrics_outcome gate_check(const struct gate *g, const struct request *r,
                                const struct gate_facts *facts)
{
    if (g->honor_dnt && header_is_1(r->header[HDR_DNT])) {
        return METRICS_O_dnt;
    }
    if (g->honor_gpc && header_is_1(r->header[HDR_SEC_GPC])) {
        return METRICS_O_gpc;
    }
    if (opted_out_cookie(r) || facts->recipient_opted_out) {
        return METRICS_O_optout;
    }
    if (is_prefetch(r)) {
        return METRICS_O_prefetch;
    }
    if (facts->is_bot) {
        return METRICS_O_bot;
    }
    return METRICS_O_counted;
}

const char *gate_x_beacon(enum metrics_outcome o)
{
    static const char *const x_beacon[METRICS_OUTCOME_COUNT] = {
        [METRICS_O_counted] = "counted",
        [METRICS_O_invalid] = "dropped=invalid",
        [METRICS_O_shed] = "dropped=shed",
        [METRICS_O_dnt] = "dropped=dnt",
        [METRICS_O_gpc] = "dropped=gpc",
        [METRICS_O_optout] = "dropped=optout",
        [METRICS_O_bot] = "dropped=bot",
        [METRICS_O_prefetch] = "dropped=prefetch",
    };
    return (unsigned)o < METRICS_OUTCOME_COUNT ? x_beacon[o] : NULL;
}

int gate_tk_n(enum metrics_outcome o)
{
    return o == METRICS_O_dnt || o == METRICS_O_gpc;
}
