/*
 * optoutctl.c: see optoutctl.h.
 */
#include "dashboard/optoutctl.h"

#include <hiredis.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "dashboard/redis_sync.h"
#include "proto/clicklink.h"
#include "proto/hit.h"
#include "proto/keys.h"

#define HASH_BYTES 16 /* as the collector's registry */

static int usage(FILE *f, int status)
{
    fprintf(f, "Usage: beaconctl [-c FILE] optout add|remove|check --site S\n"
               "                 (--email ADDRESS | --token TOKEN)\n"
               "\n"
               "Adds a recipient to a site's opt-out registry, removes it, "
               "or says whether\n"
               "it is there. Needs recipient_key in [mail]. Running "
               "collectors see a change\n"
               "within 5 seconds.\n");
    return status;
}

int optoutctl_main(const struct config *cfg, int argc, char **argv)
{
    const char *action = argc > 1 ? argv[1] : "";
    const char *site = NULL, *email = NULL, *token = NULL;
    char derived[CLICKLINK_TOKEN_LEN + 1], err[256];
    unsigned char key[32], hash[HASH_BYTES];
    char hex[2 * HASH_BYTES + 1], set[KEYS_MAX];

    if (strcmp(action, "-h") == 0 || strcmp(action, "--help") == 0) {
        return usage(stdout, 0);
    }
    if (strcmp(action, "add") != 0 && strcmp(action, "remove") != 0 &&
        strcmp(action, "check") != 0) {
        fprintf(stderr, "beaconctl optout: expected add, remove or check\n");
        return usage(stderr, 2);
    }
    for (int i = 2; i < argc; i++) {
        const char **opt = strcmp(argv[i], "--site") == 0    ? &site
                           : strcmp(argv[i], "--email") == 0 ? &email
                           : strcmp(argv[i], "--token") == 0 ? &token
                                                             : NULL;
        if (opt == NULL || i + 1 == argc) {
            fprintf(stderr, "beaconctl optout: %s: %s\n", argv[i],
                    opt != NULL ? "needs a value" : "unknown option");
            return usage(stderr, 2);
        }
        *opt = argv[++i];
    }
    if (site == NULL || !hit_valid_site(site, strlen(site))) {
        fprintf(stderr, "beaconctl optout: --site: expected 1 to 64 of "
                        "A-Z a-z 0-9 . _ -\n");
        return 2;
    }
    if ((email == NULL) == (token == NULL)) {
        fprintf(stderr, "beaconctl optout: give --email or --token\n");
        return 2;
    }
    if (token != NULL && !clicklink_valid_recipient(token, strlen(token))) {
        fprintf(stderr, "beaconctl optout: --token: expected 8 to 128 of "
                        "A-Z a-z 0-9 _ -\n");
        return 2;
    }
    if (email != NULL && strchr(email, '@') == NULL) {
        fprintf(stderr, "beaconctl optout: --email: expected an e-mail "
                        "address\n");
        return 2;
    }
    if (config_recipient_key(cfg, key) < 0) {
        fprintf(stderr, "beaconctl optout: needs recipient_key in [mail] of "
                        "the configuration\n");
        return 1;
    }
    if (email != NULL) {
        clicklink_recipient_from_email(derived, key, email, strlen(email));
        token = derived;
    }
    crypto_generichash(hash, sizeof(hash), (const unsigned char *)token,
                       strlen(token), key, sizeof(key));
    sodium_memzero(key, sizeof(key));
    sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
    keys_optout(set, sizeof(set), cfg->key_prefix, site, strlen(site));

    struct redis_reader rd;
    redis_reader_init(&rd, cfg, 5000);
    redisContext *c = redis_reader_for(&rd, set, err, sizeof(err));
    if (c == NULL) {
        fprintf(stderr, "beaconctl optout: %s\n", err);
        return 1;
    }
    const char *cmd = action[0] == 'a'   ? "SADD"
                      : action[0] == 'r' ? "SREM"
                                         : "SISMEMBER";
    redisReply *r = redisCommand(c, "%s %s %s", cmd, set, hex);
    int rc = 1;
    if (r == NULL || r->type != REDIS_REPLY_INTEGER) {
        fprintf(stderr, "beaconctl optout: redis: %s\n",
                r == NULL ? c->errstr
                : r->type == REDIS_REPLY_ERROR ? r->str
                                               : "unexpected reply");
    } else {
        static const char *const said[3][2] = {
            {"already opted out", "added"},
            {"was not opted out", "removed"},
            {"not opted out", "opted out"},
        };
        int row = action[0] == 'a' ? 0 : action[0] == 'r' ? 1 : 2;
        printf("%s\n", said[row][r->integer != 0]);
        rc = 0;
    }
    if (r != NULL) {
        freeReplyObject(r);
    }
    redis_reader_close(&rd);
    return rc;
}
