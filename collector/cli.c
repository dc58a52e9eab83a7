/*
 * cli.c: beacond's command line (SPEC 1). Flags that name a configuration
 * key are kept as overrides and applied after the file, so that they win
 * whatever the order on the command line.
 */
#include "collector/cli.h"

#include <string.h>

struct cli_flag {
    const char *name; /* "--listen" */
    const char *section;
    const char *key;
    const char *arg; /* shown in the usage text */
    const char *help;
};

static const struct cli_flag cli_flags[] = {
    {"--listen", "server", "listen", "ADDR:PORT[,...]",
     "public listener(s), e.g. 127.0.0.1:8080,[::1]:8080"},
    {"--admin", "server", "admin", "ADDR:PORT[,...]",
     "admin listener(s): probes, metrics, the dashboard"},
    {"--redis", "redis", "url", "URL",
     "redis://[:password@]host:port[/db] or unix:///path"},
    {"--workers", "server", "workers", "N",
     "worker threads (0: one per online CPU)"},
    {"--data-dir", "server", "data_dir", "DIR",
     "directory of the write-ahead log and state"},
    {"--log-level", "server", "log_level", "LEVEL",
     "debug, info, warn or error"},
    {"--log-file", "server", "log_file", "FILE",
     "log to FILE instead of stderr (SIGUSR1 reopens it)"},
};

#define N_FLAGS (sizeof(cli_flags) / sizeof(cli_flags[0]))

void cli_usage(FILE *f)
{
    fprintf(f, "Usage: beacond [-c FILE] [-t] [--listen ADDR:PORT] "
               "[--admin ADDR:PORT]\n"
               "               [--redis URL] [--workers N] [--data-dir DIR] "
               "[--log-level LEVEL]\n"
               "               [--log-file FILE]\n"
               "\n"
               "  -c FILE                  read the configuration file FILE\n"
               "  -t                       check the configuration and exit\n");
    for (size_t i = 0; i < N_FLAGS; i++) {
        char left[40];
        snprintf(left, sizeof(left), "%s %s", cli_flags[i].name,
                 cli_flags[i].arg);
        fprintf(f, "  %-24s %s\n", left, cli_flags[i].help);
    }
    fprintf(f, "  -h, --help               show this help and exit\n"
               "  -v, --version            show the version and exit\n"
               "\n"
               "Flags override the file; --flag VALUE and --flag=VALUE are "
               "the same.\n");
}

static const struct cli_flag *find_flag(const char *name, size_t len)
{
    for (size_t i = 0; i < N_FLAGS; i++) {
        if (strlen(cli_flags[i].name) == len &&
            memcmp(cli_flags[i].name, name, len) == 0) {
            return &cli_flags[i];
        }
    }
    return NULL;
}

/* "--listen VALUE" or "--listen=VALUE" at argv[*i]; advances *i. */
static int parse_long(struct cli *cli, int argc, char **argv, int *i, char *err,
                      size_t errlen)
{
    const char *a = argv[*i];
    const char *eq = strchr(a, '=');
    size_t len = eq != NULL ? (size_t)(eq - a) : strlen(a);
    const struct cli_flag *f = find_flag(a, len);
    struct cli_override *o;

    if (f == NULL) {
        if (eq == NULL && strcmp(a, "--help") == 0) {
            cli->help = 1;
            return 0;
        }
        if (eq == NULL && strcmp(a, "--version") == 0) {
            cli->version = 1;
            return 0;
        }
        snprintf(err, errlen, "unknown flag '%.*s'", (int)len, a);
        return -1;
    }
    if (cli->n_overrides == CLI_MAX_OVERRIDES) {
        snprintf(err, errlen, "too many flags (at most %d)", CLI_MAX_OVERRIDES);
        return -1;
    }
    o = &cli->overrides[cli->n_overrides];
    if (eq != NULL) {
        o->value = eq + 1;
    } else if (*i + 1 < argc) {
        o->value = argv[++*i];
    } else {
        snprintf(err, errlen, "%s: missing value", f->name);
        return -1;
    }
    o->section = f->section;
    o->key = f->key;
    cli->n_overrides++;
    return 0;
}

int cli_parse(struct cli *cli, int argc, char **argv, char *err, size_t errlen)
{
    memset(cli, 0, sizeof(*cli));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "-c") == 0) {
            if (i + 1 >= argc || argv[i + 1][0] == '\0') {
                snprintf(err, errlen, "-c: missing FILE");
                return -1;
            }
            cli->config_path = argv[++i];
        } else if (strncmp(a, "-c", 2) == 0) {
            cli->config_path = a + 2;
        } else if (strcmp(a, "-t") == 0) {
            cli->check_only = 1;
        } else if (strcmp(a, "-h") == 0) {
            cli->help = 1;
        } else if (strcmp(a, "-v") == 0) {
            cli->version = 1;
        } else if (strcmp(a, "--") == 0) {
            if (i + 1 < argc) {
                snprintf(err, errlen, "unexpected argument '%.64s'",
                         argv[i + 1]);
                return -1;
            }
        } else if (strncmp(a, "--", 2) == 0) {
            if (parse_long(cli, argc, argv, &i, err, errlen) < 0) {
                return -1;
            }
        } else if (a[0] == '-') {
            snprintf(err, errlen, "unknown flag '%.64s'", a);
            return -1;
        } else {
            snprintf(err, errlen, "unexpected argument '%.64s'", a);
            return -1;
        }
    }
    return 0;
}

int cli_build_config(const struct cli *cli, struct config *c, char *err,
                     size_t errlen)
{
    char e[CONFIG_ERR_LEN];

    if (cli->config_path != NULL &&
        config_load_file(c, cli->config_path, err, errlen) < 0) {
        return -1;
    }
    for (int i = 0; i < cli->n_overrides; i++) {
        const struct cli_override *o = &cli->overrides[i];
        const char *name = o->key;
        const char *msg = e;
        size_t klen = strlen(o->key);

        if (config_set(c, o->section, o->key, o->value, e, sizeof(e)) == 0) {
            continue;
        }
        /* config_set says "key: why"; the operator typed the flag. */
        if (strncmp(e, o->key, klen) == 0 && strncmp(e + klen, ": ", 2) == 0) {
            msg = e + klen + 2;
        }
        for (size_t j = 0; j < N_FLAGS; j++) {
            if (strcmp(cli_flags[j].section, o->section) == 0 &&
                strcmp(cli_flags[j].key, o->key) == 0) {
                name = cli_flags[j].name;
            }
        }
        snprintf(err, errlen, "%s: %s", name, msg);
        return -1;
    }
    return 0;
}
