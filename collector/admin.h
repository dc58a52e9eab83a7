/*
 * admin.h: the admin listener (SPEC 6): /livez, /readyz, /metrics, served
 * with libevent's evhttp on the main thread (low traffic; the public edge
 * does not use evhttp).
 */
#ifndef BEACON_ADMIN_H
#define BEACON_ADMIN_H

#include <stddef.h>

struct event_base;
struct server;
struct admin;

/* Binds every admin address on base. Returns NULL with err set. */
struct admin *admin_create(struct event_base *base, struct server *srv,
                           char *err, size_t errlen);

/* Closes the listeners; NULL is a no-op. */
void admin_destroy(struct admin *a);

#endif
