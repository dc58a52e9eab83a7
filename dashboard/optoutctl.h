/*
 * optoutctl.h: `beaconctl optout add|remove|check --site S (--email ADDR |
 * --token T)`: the recipient opt-out registry (P:{S}:optout) from the
 * command line. The token (given, or derived from the address with
 * recipient_key as `sign --email` does) is hashed as the collector hashes
 * it (BLAKE2b-128 keyed with recipient_key); neither reaches Redis.
 */
#ifndef BEACON_OPTOUTCTL_H
#define BEACON_OPTOUTCTL_H

#include "config/config.h"

/* argv[0] is "optout". Returns the exit status: 0, 1 (Redis, no key), 2
 * (usage). */
int optoutctl_main(const struct config *cfg, int argc, char **argv);

#endif
