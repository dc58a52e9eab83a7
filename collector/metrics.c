/*
 * metrics.c: the /metrics text. Names and label values come from the
 * X-macro lists in metrics.h, so a counter is declared in one place.
 */
#include "collector/metrics.h"

#include <event2/buffer.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregator/flusher.h"

#define METRICS_STR(name) #name,
static const char *const endpoint_names[] = {METRICS_ENDPOINTS(METRICS_STR)};
static const char *const outcome_names[] = {METRICS_OUTCOMES(METRICS_STR)};
#undef METRICS_STR
#define METRICS_NUM(code) code,
static const int code_values[] = {METRICS_CODES(METRICS_NUM)};
#undef METRICS_NUM
#define METRICS_LE(le) le,
static const double flush_bounds[] = {FLUSHER_BUCKETS(METRICS_LE)};
#undef METRICS_LE

void metrics_response(struct metrics_worker *m, int code)
{
    /* A switch compiles to a jump table; the list is short and fixed. */
    switch (code) {
#define METRICS_CASE(c)                                                        \
    case c:                                                                    \
        metrics_inc(&m->responses[METRICS_C_##c]);                             \
        break;
        METRICS_CODES(METRICS_CASE)
#undef METRICS_CASE
    default:
        break;
    }
}

static uint64_t sum_workers(struct metrics_worker *const *w, int n,
                            size_t offset)
{
    uint64_t total = 0;
    for (int i = 0; i < n; i++) {
        total += metrics_get(
            (const metrics_counter *)((const char *)w[i] + offset));
    }
    return total;
}

/* The connections, requests and responses of one listener's threads,
 * their names starting with prefix. */
static int render_edge(struct evbuffer *out, const char *prefix,
                       struct metrics_worker *const *w, int n)
{
    int rc = 0;

    rc |= evbuffer_add_printf(
              out,
              "# HELP %shttp_responses_total Responses by status\n"
              "# TYPE %shttp_responses_total counter\n",
              prefix, prefix) < 0;
    for (int c = 0; c < METRICS_CODE_COUNT; c++) {
        size_t off = offsetof(struct metrics_worker, responses[c]);
        rc |= evbuffer_add_printf(
                  out, "%shttp_responses_total{code=\"%d\"} %" PRIu64 "\n",
                  prefix, code_values[c], sum_workers(w, n, off)) < 0;
    }

    rc |= evbuffer_add_printf(
              out,
              "# HELP %sconnections Open client connections\n"
              "# TYPE %sconnections gauge\n"
              "%sconnections %" PRIu64 "\n",
              prefix, prefix, prefix,
              sum_workers(w, n, offsetof(struct metrics_worker, connections)))
          < 0;

#define METRICS_RENDER_WORKER(name, help)                                      \
    rc |= evbuffer_add_printf(                                                 \
              out,                                                             \
              "# HELP %s" #name " " help "\n"                                  \
              "# TYPE %s" #name " counter\n"                                   \
              "%s" #name " %" PRIu64 "\n",                                     \
              prefix, prefix, prefix,                                          \
              sum_workers(w, n, offsetof(struct metrics_worker, name))) < 0;
    METRICS_WORKER_COUNTERS(METRICS_RENDER_WORKER)
#undef METRICS_RENDER_WORKER
    return rc;
}

/* The kernel's "<proto>: ... RcvbufErrors ..." counter from a /proc/net
 * file: /proc/net/snmp holds a header line and a value line per protocol,
 * /proc/net/snmp6 one "Udp6RcvbufErrors N" line. 0 when absent. */
static uint64_t kernel_rcvbuf_errors(const char *path, const char *proto)
{
    char line[1024], names[1024];
    uint64_t total = 0;
    size_t plen = strlen(proto);
    FILE *f = fopen(path, "re");

    if (f == NULL) {
        return 0;
    }
    names[0] = '\0';
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long long v;
        if (sscanf(line, "Udp6RcvbufErrors %llu", &v) == 1) {
            total += v;
        } else if (strncmp(line, proto, plen) != 0 || line[plen] != ':') {
            names[0] = '\0';
        } else if (names[0] == '\0') {
            memcpy(names, line, sizeof(names));
        } else {
            /* The value line: the field at the name's position. */
            char *ns = NULL, *vs = NULL;
            char *n = strtok_r(names + plen + 1, " \n", &ns);
            char *x = strtok_r(line + plen + 1, " \n", &vs);
            while (n != NULL && x != NULL && strcmp(n, "RcvbufErrors") != 0) {
                n = strtok_r(NULL, " \n", &ns);
                x = strtok_r(NULL, " \n", &vs);
            }
            if (n != NULL && x != NULL) {
                total += strtoull(x, NULL, 10);
            }
            names[0] = '\0';
        }
    }
    fclose(f);
    return total;
}

static int render_ingest(struct evbuffer *out, struct metrics_worker *const *w,
                         int n, uint64_t drops)
{
    int rc = 0;

    rc |= evbuffer_add_printf(
              out,
              "# HELP beacon_syslog_receive_drops_total Datagrams the kernel "
              "dropped on the syslog sockets: receive buffer full\n"
              "# TYPE beacon_syslog_receive_drops_total counter\n"
              "beacon_syslog_receive_drops_total %" PRIu64 "\n",
              drops) < 0;

#define METRICS_RENDER_INGEST(name, type, help)                                \
    rc |= evbuffer_add_printf(                                                 \
              out,                                                             \
              "# HELP beacon_" #name " " help "\n"                             \
              "# TYPE beacon_" #name " " #type "\n"                            \
              "beacon_" #name " %" PRIu64 "\n",                                \
              sum_workers(w, n, offsetof(struct metrics_worker, name))) < 0;
    METRICS_INGEST_COUNTERS(METRICS_RENDER_INGEST)
#undef METRICS_RENDER_INGEST
    rc |= evbuffer_add_printf(
              out,
              "# HELP beacon_udp_rcvbuf_errors_total The kernel's UDP "
              "RcvbufErrors (IPv4 and IPv6, all sockets of this network "
              "namespace)\n"
              "# TYPE beacon_udp_rcvbuf_errors_total counter\n"
              "beacon_udp_rcvbuf_errors_total %" PRIu64 "\n",
              kernel_rcvbuf_errors("/proc/net/snmp", "Udp") +
                  kernel_rcvbuf_errors("/proc/net/snmp6", "Udp")) < 0;
    return rc;
}

int metrics_render(struct evbuffer *out, struct metrics_worker *const *w,
                   int n, uint64_t syslog_drops,
                   const struct flusher_stats *f, struct metrics_worker *admin)
{
    int rc = 0;

    rc |= evbuffer_add_printf(
              out, "# HELP beacon_hits_total Hits by endpoint and outcome\n"
                   "# TYPE beacon_hits_total counter\n") < 0;
    for (int e = 0; e < METRICS_ENDPOINT_COUNT; e++) {
        for (int o = 0; o < METRICS_OUTCOME_COUNT; o++) {
            size_t off = offsetof(struct metrics_worker, hits[e][o]);
            rc |= evbuffer_add_printf(
                      out,
                      "beacon_hits_total{endpoint=\"%s\",outcome=\"%s\"} "
                      "%" PRIu64 "\n",
                      endpoint_names[e], outcome_names[o],
                      sum_workers(w, n, off)) < 0;
        }
    }
    rc |= render_edge(out, "beacon_", w, n);
    rc |= render_ingest(out, w, n, syslog_drops);

#define METRICS_RENDER_FLUSHER(name, type, help)                               \
    rc |= evbuffer_add_printf(out,                                             \
                              "# HELP beacon_" #name " " help "\n"             \
                              "# TYPE beacon_" #name " " #type "\n"            \
                              "beacon_" #name " %" PRIu64 "\n",                \
                              atomic_load(&f->name)) < 0;
    FLUSHER_STATS(METRICS_RENDER_FLUSHER)
#undef METRICS_RENDER_FLUSHER

    rc |= evbuffer_add_printf(
              out, "# HELP beacon_flush_seconds Time to apply one batch\n"
                   "# TYPE beacon_flush_seconds histogram\n") < 0;
    for (int i = 0; i < FLUSHER_BUCKET_COUNT; i++) {
        rc |= evbuffer_add_printf(
                  out, "beacon_flush_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
                  flush_bounds[i], atomic_load(&f->flush_buckets[i])) < 0;
    }
    rc |= evbuffer_add_printf(
              out,
              "beacon_flush_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n"
              "beacon_flush_seconds_sum %.6f\n"
              "beacon_flush_seconds_count %" PRIu64 "\n",
              atomic_load(&f->flush_count),
              (double)atomic_load(&f->flush_sum_us) / 1e6,
              atomic_load(&f->flush_count)) < 0;
    rc |= render_edge(out, "beacon_admin_", &admin, 1);
    return rc ? -1 : 0;
}
