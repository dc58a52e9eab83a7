/*
 * ingest_tcp.h: syslog over TCP (RFC 6587, octet counting or LF framing)
 * for relays such as rsyslog and syslog-ng, which queue on their own disk
 * and so lose nothing while beacond restarts. A stream is read into one
 * buffer and cut into messages by syslog_frame(); a stream that breaks
 * the framing is closed (the relay reconnects).
 */
#ifndef BEACON_INGEST_TCP_H
#define BEACON_INGEST_TCP_H

#include <stdatomic.h>
#include <stddef.h>

#include "config/config.h"

struct worker;
struct ingest_scratch;
struct ingest_stream;
struct evconnlistener;

/* Open TCP syslog streams per process; more are closed at once. */
#define INGEST_TCP_MAX_STREAMS 256

/* A stream's read buffer: several messages at their largest. */
#define INGEST_TCP_BUFFER (64 * 1024)

struct ingest_tcp {
    struct worker *w;
    struct ingest_scratch *scratch;
    _Atomic int *open; /* streams of every worker */
    struct evconnlistener *listeners[CONFIG_MAX_ADDRS];
    int n_listeners;
    struct ingest_stream *streams;
};

/* Listens on every address of addrs on w's loop. Returns 0, or -1 with
 * err set (t is then to be closed with ingest_tcp_close()). */
int ingest_tcp_open(struct ingest_tcp *t, struct worker *w,
                    struct ingest_scratch *scratch, _Atomic int *open,
                    const struct config_addr_list *addrs, char *err,
                    size_t errlen);

/* Closes the listeners and every stream; with take_pending (on the
 * worker's loop, at drain), after counting the messages a stream has
 * already delivered whole. */
void ingest_tcp_close(struct ingest_tcp *t, int take_pending);

#endif
