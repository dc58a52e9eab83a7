/*
 * passwd.c: see passwd.h.
 */
#include "dashboard/passwd.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define PASSWORD_MIN 8
#define PASSWORD_MAX 256 /* as HTTP Basic credentials are read */

int passwd_main(int argc, char **argv)
{
    char line[PASSWORD_MAX + 2], hash[crypto_pwhash_STRBYTES];
    if (argc > 1) {
        fprintf(stderr, "Usage: beaconctl passwd < password-file\n"
                        "  prints the Argon2id string of the password on "
                        "standard input's first line\n");
        return strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0
                   ? 0
                   : 2;
    }
    if (fgets(line, sizeof(line), stdin) == NULL) {
        fprintf(stderr, "beaconctl passwd: no password on standard input\n");
        return 1;
    }
    size_t n = strcspn(line, "\r\n");
    int whole = line[n] != '\0' || feof(stdin);
    line[n] = '\0';
    int rc = 1;
    if (!whole || n > PASSWORD_MAX) {
        fprintf(stderr, "beaconctl passwd: longer than %d bytes\n",
                PASSWORD_MAX);
    } else if (n < PASSWORD_MIN) {
        fprintf(stderr, "beaconctl passwd: shorter than %d bytes\n",
                PASSWORD_MIN);
    } else if (strchr(line, ':') != NULL) {
        /* HTTP Basic would split the credentials there */
        fprintf(stderr, "beaconctl passwd: may not hold ':'\n");
    } else if (crypto_pwhash_str(hash, line, n,
                                 crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        fprintf(stderr, "beaconctl passwd: out of memory\n");
    } else {
        printf("%s\n", hash);
        rc = 0;
    }
    sodium_memzero(line, sizeof(line));
    return rc;
}
