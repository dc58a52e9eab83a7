/*
 * report.h: `beaconctl report --site S [--from D --to D] [--g h|d]
 * [--json]`: the dashboard's figures (stats.h) read from the Redis of the
 * configuration, as aligned terminal tables with the previous period
 * beside them, or as the JSON that GET /api/stats answers, byte for byte.
 */
#ifndef BEACON_REPORT_H
#define BEACON_REPORT_H

#include "config/config.h"

/* argv[0] is "report". Returns the exit status: 0, 1 (Redis), 2 (usage). */
int report_main(const struct config *cfg, int argc, char **argv);

#endif
