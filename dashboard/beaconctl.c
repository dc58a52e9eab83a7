/*
 * beaconctl.c: the operator's tool (SPEC 1). Reads the same configuration
 * file as beacond and dispatches to one command; exit 0 ok, 2 usage
 * error, 1 runtime failure, messages on stderr.
 *
 *   beaconctl [-c FILE] COMMAND ...
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "config/config.h"
#include "dashboard/optoutctl.h"
#include "dashboard/passwd.h"
#include "dashboard/report.h"
#include "dashboard/sign.h"
#include "dashboard/walctl.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: beaconctl [-c FILE] COMMAND ...\n"
               "\n"
               "  -c FILE         read the configuration file FILE "
               "(as beacond does)\n"
               "  -h, --help      show this help and exit\n"
               "  -v, --version   show the version and exit\n"
               "\n"
               "Commands:\n"
               "  sign pixel|link|html\n"
               "                  print an open-pixel URL or a signed click "
               "link, or sign\n"
               "                  the links of an HTML template "
               "(beaconctl sign --help)\n"
               "  report --site S [--from D] [--to D] [--json]\n"
               "                  a site's figures from Redis, with the "
               "previous period\n"
               "                  (beaconctl report --help)\n"
               "  optout add|remove|check --site S (--email A | --token T)\n"
               "                  a recipient in a site's opt-out registry\n"
               "  passwd          print the Argon2id string of the password "
               "on standard\n"
               "                  input, for admin_password_hash\n"
               "  wal verify|dump DIR\n"
               "                  check a data dir's write-ahead log, or "
               "print its records\n");
}

/* Loads the file (if any) over the defaults and validates the result. */
static int load_config(struct config *c, const char *path)
{
    char err[CONFIG_ERR_LEN];

    config_defaults(c);
    if (path != NULL && config_load_file(c, path, err, sizeof(err)) < 0) {
        fprintf(stderr, "beaconctl: %s\n", err);
        return -1;
    }
    if (config_validate(c, err, sizeof(err)) < 0) {
        fprintf(stderr, "beaconctl: %s: %s\n",
                path != NULL ? path : "configuration", err);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct config cfg; /* large: keep it off the stack */
    const char *path = NULL;
    int i = 1;

    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--version") == 0) {
            printf("beaconctl %s\n", BEACON_VERSION);
            return 0;
        }
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else if (strncmp(argv[i], "-c", 2) == 0 && argv[i][2] != '\0') {
            path = argv[i] + 2;
        } else {
            fprintf(stderr, "beaconctl: %s: %s\n", argv[i],
                    strcmp(argv[i], "-c") == 0 ? "needs a FILE"
                                               : "unknown option");
            usage(stderr);
            return 2;
        }
    }
    if (i == argc) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[i], "wal") == 0) {
        return walctl_main(argc - i, argv + i); /* needs no configuration */
    }
    int sign = strcmp(argv[i], "sign") == 0;
    int report = strcmp(argv[i], "report") == 0;
    int passwd = strcmp(argv[i], "passwd") == 0;
    int optout = strcmp(argv[i], "optout") == 0;
    if (!sign && !report && !passwd && !optout) {
        fprintf(stderr, "beaconctl: unknown command '%s'\n", argv[i]);
        usage(stderr);
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "beaconctl: libsodium failed to initialise\n");
        return 1;
    }
    if (passwd) {
        return passwd_main(argc - i, argv + i); /* needs no configuration */
    }
    if (load_config(&cfg, path) < 0) {
        return 1;
    }
    if (optout) {
        return optoutctl_main(&cfg, argc - i, argv + i);
    }
    return sign ? sign_main(&cfg, argc - i, argv + i)
                : report_main(&cfg, argc - i, argv + i);
}
