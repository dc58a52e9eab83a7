/*
 * ingest_line.h: one syslog message from a web server (SPEC 2.7) made a
 * hit: its access-log line goes through the same gate, pseudonym and
 * aggregation as a pixel. Runs on a worker's loop; nothing here waits,
 * locks or allocates, and nothing of the line (its address least of all)
 * is kept or logged.
 */
#ifndef BEACON_INGEST_LINE_H
#define BEACON_INGEST_LINE_H

#include <stddef.h>

#include "collector/metrics.h"
#include "proto/accesslog.h"

struct worker;

/* The longest syslog message taken: a line at its limit and room for the
 * longest syslog header in front of it (RFC 5424 with structured data). */
#define INGEST_MAX_MESSAGE (ACCESSLOG_MAX_LINE + 1024)

/* Decoding space for one message, owned by its worker. */
struct ingest_scratch {
    char unescaped[INGEST_MAX_MESSAGE]; /* the line's escaped values */
    char hit[INGEST_MAX_MESSAGE];       /* hit_parse_fields() */
};

/*
 * Counts the syslog message msg[0..len) of worker w and returns its
 * outcome (also added to the worker's beacon_hits_total{endpoint=
 * "syslog"}):
 *   invalid   not a syslog message, not a v1 line, or no valid site (a
 *             $host neither mapped in [sites] nor a valid site id) or
 *             page
 *   skipped   not a page view: a method other than GET, a status outside
 *             2xx, or a path ending in an ingest_skip_ext extension
 *   dnt gpc optout bot   the privacy gate, from the logged fields
 *   shed      no room in the backlog
 *   counted
 */
enum metrics_outcome ingest_line(struct worker *w, struct ingest_scratch *s,
                                 const char *msg, size_t len);

#endif
