/*
 * reload.h: what a SIGHUP cannot change. Addresses, the Redis server, the
 * data dir and the other keys below are taken once, at start; when the
 * file read again says otherwise, the log says so and names them. Pure.
 */
#ifndef BEACON_RELOAD_H
#define BEACON_RELOAD_H

#include <stddef.h>

#include "config/config.h"

/*
 * Writes the names of the keys that differ between the running
 * configuration and next and take effect only at the next start
 * ("[server] listen, [redis] url"), into out; "" when none.
 */
void reload_restart_keys(const struct config *running,
                         const struct config *next, char *out, size_t cap);

#endif
