/*
 * gate.h: the privacy gate of SPEC 3. It runs before anything about a hit
 * is recorded; a hit it drops leaves nothing but a process counter.
 * Order: DNT, Sec-GPC, the opt-out cookie, the recipient opt-out,
 * prefetch, bot user agents.
 */
#ifndef BEACON_GATE_H
#define BEACON_GATE_H

#include "collector/metrics.h"
#include "collector/http/request.h"

/* The opt-out cookie that GET /optout sets. */
#define GATE_OPTOUT_COOKIE "beacon_optout"

struct gate {
    int honor_dnt;
    int honor_gpc;
};

/* What the caller knows that is not in the request. */
struct gate_facts {
    int is_bot;              /* the user agent matched the bot list */
    int recipient_opted_out; /* an e-mail hit whose recipient opted out */
};

/*
 * METRICS_O_counted when the hit may be recorded, else the reason:
 * METRICS_O_dnt, _gpc, _optout (cookie or recipient), _prefetch, _bot.
 */
enum metrics_outcome gate_check(const struct gate *g, const struct request *r,
                                const struct gate_facts *facts);

/* The X-Beacon value for an outcome ("counted", "dropped=dnt", ...), NULL
 * when a response carries none (HEAD). */
const char *gate_x_beacon(enum metrics_outcome o);

/* 1 when the outcome asks for "Tk: N" (DNT and GPC). */
int gate_tk_n(enum metrics_outcome o);

#endif
