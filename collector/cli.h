/*
 * cli.h: beacond's command line (SPEC 1). Flags override the file, so they
 * are collected first and applied after the file is read.
 */
#ifndef BEACON_CLI_H
#define BEACON_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "config/config.h"

#define CLI_MAX_OVERRIDES 16

struct cli_override {
    const char *section;
    const char *key;
    const char *value; /* points into argv */
};

struct cli {
    const char *config_path; /* -c FILE; NULL: defaults and flags only */
    int check_only;          /* -t */
    int help;                /* -h, --help */
    int version;             /* -v, --version */
    struct cli_override overrides[CLI_MAX_OVERRIDES];
    int n_overrides;
};

/*
 * Parses argv: -c FILE, -t, -h/--help, -v/--version, and --listen,
 * --admin, --redis, --workers, --data-dir, --log-level, --log-file (each as
 * "--flag VALUE" or "--flag=VALUE"). Returns 0, or -1 with err set on a
 * usage error (unknown flag, missing value, stray argument).
 */
int cli_parse(struct cli *cli, int argc, char **argv, char *err,
              size_t errlen);

/*
 * Loads cli->config_path (if any) into c, then applies the overrides.
 * c must hold the defaults. Returns 0, or -1 with err set; messages about
 * a flag name the flag ("--workers: ...").
 */
int cli_build_config(const struct cli *cli, struct config *c, char *err,
                     size_t errlen);

/* Writes the usage text to f. */
void cli_usage(FILE *f);

#endif
