/*
 * admin.h: the admin listener (SPEC 6): /livez, /readyz, /metrics, on the
 * main thread (low traffic), served through the same hardened edge as the
 * public listener (conn.h): the same framing rules, limits and timeouts,
 * no request bodies, and a cap of ADMIN_MAX_CONNECTIONS connections.
 */
#ifndef BEACON_ADMIN_H
#define BEACON_ADMIN_H

#include <stddef.h>

#define ADMIN_MAX_CONNECTIONS 64

struct event_base;
struct server;
struct sockaddr;
struct admin;
struct config;

/* Binds every admin address on base. Returns NULL with err set. */
struct admin *admin_create(struct event_base *base, struct server *srv,
                           char *err, size_t errlen);

/* Serves an accepted, non-blocking socket from peer sa as the admin
 * listener does its own (a connection over the cap is closed). */
void admin_accept(struct admin *a, int fd, const struct sockaddr *sa);

/* Closes the listeners and connections; NULL is a no-op. */
/* SIGHUP: the passwords, limits and timeouts of cfg, from the next
 * request on (the admin's own thread). */
void admin_reload(struct admin *a, const struct config *cfg);

void admin_destroy(struct admin *a);

#endif
