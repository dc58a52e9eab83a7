/*
 * metrics.h: the process counters of SPEC 6. Each worker owns one
 * struct metrics_worker and is its only writer, so an increment is a plain
 * load and store (no locked instruction on the hit path); the admin thread
 * sums all workers when /metrics is scraped.
 */
#ifndef BEACON_METRICS_H
#define BEACON_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

struct evbuffer;
struct flusher_stats;

/* beacon_hits_total{endpoint} */
#define METRICS_ENDPOINTS(X) X(pixel) X(batch) X(open) X(click) X(syslog)

/* beacon_hits_total{outcome}: "counted" or why a hit was not counted
 * ("skipped": an access-log line that is not a page view, SPEC 2.7). */
#define METRICS_OUTCOMES(X)                                                    \
    X(counted) X(invalid) X(head) X(shed) X(dnt) X(gpc) X(optout) X(bot)       \
    X(prefetch) X(skipped)

/* beacon_http_responses_total{code} */
#define METRICS_CODES(X)                                                       \
    X(200) X(204) X(302) X(400) X(401) X(403) X(404) X(405) X(408) X(413)      \
    X(414) X(415) X(429) X(431) X(500) X(503) X(505)

/* Per-worker counters without labels: name, help. */
#define METRICS_WORKER_COUNTERS(X)                                             \
    X(connections_accepted_total, "Connections accepted")                      \
    X(connections_rejected_total, "Connections closed at once: over max_connections") \
    X(connections_timed_out_total, "Connections closed by header, body or idle timeout") \
    X(requests_total, "HTTP requests parsed")

/* The syslog ingest's own counters (workers only): name, type, help. */
#define METRICS_INGEST_COUNTERS(X)                                             \
    X(syslog_tcp_connections, gauge, "Open TCP syslog connections")            \
    X(syslog_tcp_rejected_total, counter,                                      \
      "TCP syslog connections closed at once: over the stream cap")            \
    X(syslog_tcp_framing_errors_total, counter,                                \
      "TCP syslog streams closed for bad framing")

#define METRICS_ENUM(name) METRICS_E_##name,
enum metrics_endpoint { METRICS_ENDPOINTS(METRICS_ENUM) METRICS_ENDPOINT_COUNT };
#undef METRICS_ENUM
#define METRICS_ENUM(name) METRICS_O_##name,
enum metrics_outcome { METRICS_OUTCOMES(METRICS_ENUM) METRICS_OUTCOME_COUNT };
#undef METRICS_ENUM
#define METRICS_ENUM(code) METRICS_C_##code,
enum metrics_code { METRICS_CODES(METRICS_ENUM) METRICS_CODE_COUNT };
#undef METRICS_ENUM

typedef _Atomic uint64_t metrics_counter;

struct metrics_worker {
    metrics_counter hits[METRICS_ENDPOINT_COUNT][METRICS_OUTCOME_COUNT];
    metrics_counter responses[METRICS_CODE_COUNT];
    metrics_counter connections; /* open now */
#define METRICS_FIELD(name, help) metrics_counter name;
    METRICS_WORKER_COUNTERS(METRICS_FIELD)
#undef METRICS_FIELD
#define METRICS_FIELD(name, type, help) metrics_counter name;
    METRICS_INGEST_COUNTERS(METRICS_FIELD)
#undef METRICS_FIELD
};

/* Single-writer increment: the owner thread is the only one that writes. */
static inline void metrics_add(metrics_counter *c, uint64_t n)
{
    atomic_store_explicit(
        c, atomic_load_explicit(c, memory_order_relaxed) + n,
        memory_order_relaxed);
}

static inline void metrics_inc(metrics_counter *c)
{
    metrics_add(c, 1);
}

static inline void metrics_set(metrics_counter *c, uint64_t v)
{
    atomic_store_explicit(c, v, memory_order_relaxed);
}

static inline uint64_t metrics_get(const metrics_counter *c)
{
    return atomic_load_explicit((metrics_counter *)c, memory_order_relaxed);
}

/* Counts one response by its status code (codes not listed are ignored). */
void metrics_response(struct metrics_worker *m, int code);

/* Appends the Prometheus text format (0.0.4) of all counters to out: the
 * public edge's (the sum of its workers), the syslog ingest's with
 * syslog_drops (the kernel's drops on the syslog sockets) and the
 * kernel's UDP receive-buffer errors (all sockets, from /proc/net/snmp
 * and snmp6), the flusher's, and the admin listener's connections and
 * responses as beacon_admin_*. */
int metrics_render(struct evbuffer *out, struct metrics_worker *const *workers,
                   int n_workers, uint64_t syslog_drops,
                   const struct flusher_stats *f, struct metrics_worker *admin);

#endif
