/*
 * ingest.h: a worker's syslog ingest (SPEC 2.7): its own UDP socket per
 * ingest_syslog address (SO_REUSEPORT: the kernel spreads senders over
 * the workers), read in batches with recvmmsg() on the worker's loop,
 * and with ingest_syslog_tcp its own TCP listener per address for relays
 * (ingest_tcp.h). Every message is one access-log line (ingest_line.h).
 */
#ifndef BEACON_INGEST_H
#define BEACON_INGEST_H

#include <stddef.h>
#include <stdint.h>

struct worker;
struct ingest;

/* Datagrams per recvmmsg() call, and calls per readiness: then the loop
 * serves its HTTP connections before reading on. */
#define INGEST_UDP_BATCH 32
#define INGEST_UDP_ROUNDS 8

/* After a wake-up that found less than a batch, the socket is not watched
 * for this long (ingest.c): light traffic is read in groups. */
#define INGEST_UDP_PAUSE_US 2000

/* The receive buffer asked for each UDP socket (SO_RCVBUFFORCE when
 * allowed, else SO_RCVBUF, which net.core.rmem_max caps): a burst the
 * loop has not read yet waits here, and what does not fit is dropped by
 * the kernel (ingest_receive_drops()). */
#define INGEST_UDP_RCVBUF (8 * 1024 * 1024)

/* Opens w's ingest sockets on w's loop. NULL with err set when a socket
 * cannot be opened or bound ("udp 127.0.0.1:5140: bind: Address already
 * in use"). */
struct ingest *ingest_create(struct worker *w, char *err, size_t errlen);

/* The datagrams the kernel dropped on in's UDP sockets (receive buffer
 * full), read from the sockets themselves (SO_MEMINFO), so that a burst's
 * last drops are seen too. 0 for NULL. Any thread, while in's worker
 * runs (its sockets are closed only at drain). */
uint64_t ingest_receive_drops(const struct ingest *in);

/* Drain: counts what the sockets and streams already hold, then closes
 * them all. */
void ingest_stop(struct ingest *in);

/* Frees in (stopped or not); NULL is a no-op. */
void ingest_destroy(struct ingest *in);

#endif
