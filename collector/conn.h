/*
 * conn.h: one client connection on a worker: one read() per readiness,
 * requests framed by http.c and answered in order into one output buffer,
 * one write() per turn, timeouts of SPEC 2.8.
 */
#ifndef BEACON_CONN_H
#define BEACON_CONN_H

struct worker;
struct conn;
struct sockaddr;

/* Takes over an accepted, non-blocking socket from peer sa. On failure
 * the socket is closed. */
void conn_accept(struct worker *w, int fd, const struct sockaddr *sa);

/* Drain: closes the connection now if it is idle, else lets it finish its
 * current request and close. */
void conn_drain(struct conn *c);

/* Closes the connection at once, whatever its state. */
void conn_abort(struct conn *c);

/* Frees a closed connection kept for reuse. */
void conn_free(struct conn *c);

/* The next connection in the worker's live or spare list. */
struct conn *conn_next(const struct conn *c);

#endif
