/*
 * listener.h: listening sockets. Each worker gets its own socket per
 * address (SO_REUSEPORT), so the kernel spreads new connections over the
 * workers and no accept lock exists.
 */
#ifndef BEACON_LISTENER_H
#define BEACON_LISTENER_H

#include <stddef.h>

#include "config/config.h"

/*
 * Opens a non-blocking socket bound to addr and listening, with
 * SO_REUSEADDR and, when reuseport, SO_REUSEPORT. Returns the fd, or -1
 * with err set ("127.0.0.1:8080: Address already in use").
 */
int listener_open(const struct config_addr *addr, int reuseport, char *err,
                  size_t errlen);

#endif
