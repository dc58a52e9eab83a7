/*
 * main.c: beacond's entry point: command line, configuration, then
 * server_run(). Exit status: 0 success, 1 runtime failure, 2 usage error.
 */
#include <errno.h>
#include <event2/thread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "collector/cli.h"
#include "config/config.h"
#include "collector/privacy/policy.h"
#include "collector/server.h"
#include "common/log.h"
#include "proto/events.h"

/* SIGHUP: the same file and flags, read again. */
static int reload_config(struct config *out, void *arg, char *err,
                         size_t errlen)
{
    const struct cli *cli = arg;
    config_defaults(out);
    if (cli_build_config(cli, out, err, errlen) < 0 ||
        config_validate(out, err, errlen) < 0) {
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct config cfg; /* large: keep it off the stack */
    struct cli cli;
    char err[CONFIG_ERR_LEN];

    if (cli_parse(&cli, argc, argv, err, sizeof(err)) < 0) {
        fprintf(stderr, "beacond: %s\n", err);
        cli_usage(stderr);
        return 2;
    }
    if (cli.help) {
        cli_usage(stdout);
        return 0;
    }
    if (cli.version) {
        printf("beacond %s\n", BEACON_VERSION);
        return 0;
    }
    config_defaults(&cfg);
    if (cli_build_config(&cli, &cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "beacond: %s\n", err);
        /* a bad flag value is a usage error; a bad file a runtime one */
        return strncmp(err, "--", 2) == 0 ? 2 : 1;
    }
    if (config_validate(&cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "beacond: %s\n", err);
        return 1;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "beacond: libsodium failed to initialise\n");
        return 1;
    }
    if (cli.check_only) {
        /* the files and lists the configuration names must load too */
        struct policy *p = policy_create(&cfg, 1, err, sizeof(err));
        if (p == NULL) {
            fprintf(stderr, "beacond: %s\n", err);
            return 1;
        }
        policy_destroy(p);
        fprintf(stderr, "beacond: configuration %s is valid\n",
                cli.config_path ? cli.config_path : "(defaults)");
        return 0;
    }
    /* Workers and the flusher wake each other's loops. */
    if (evthread_use_pthreads() < 0) {
        fprintf(stderr, "beacond: libevent has no thread support\n");
        return 1;
    }
    if (cfg.log_file[0] != '\0' && log_to_file(cfg.log_file) < 0) {
        fprintf(stderr, "beacond: log_file %s: %s\n", cfg.log_file,
                strerror(errno));
        return 1;
    }
    log_set_level(cfg.log_level);
    events_setup(); /* jansson's allocators, before any thread runs */
    return server_run(&cfg, reload_config, &cli);
}
