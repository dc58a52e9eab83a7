/*
 * admin_auth.c: see admin_auth.h.
 */
#include "collector/admin_auth.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "proto/basic_auth.h"

#define REMEMBERED 8 /* credentials that passed */
#define CLIENTS 256  /* addresses with recent failures */

struct remembered {
    unsigned char digest[32]; /* keyed BLAKE2b of hash, user and header */
    time_t until;
};

struct client {
    struct ip_addr addr;
    int fails;
    time_t since; /* the first failure of the window */
};

struct admin_auth {
    unsigned char key[crypto_generichash_KEYBYTES];
    struct remembered ok[REMEMBERED];
    struct client clients[CLIENTS];
};

struct admin_auth *admin_auth_create(void)
{
    struct admin_auth *a = calloc(1, sizeof(*a));
    if (a != NULL) {
        randombytes_buf(a->key, sizeof(a->key));
    }
    return a;
}

void admin_auth_destroy(struct admin_auth *a)
{
    if (a != NULL) {
        sodium_memzero(a, sizeof(*a));
        free(a);
    }
}

/* Clients are told apart by their IPv4 address, or their IPv6 /64: one
 * host usually has a whole /64 to pick addresses from. */
static struct ip_addr client_key(const struct ip_addr *addr)
{
    struct ip_addr k = *addr;
    if (k.len == 16) {
        memset(k.bytes + 8, 0, 8);
    }
    return k;
}

static int same_client(const struct client *c, const struct ip_addr *k)
{
    return c->addr.len == k->len && memcmp(c->addr.bytes, k->bytes, k->len) == 0;
}

/* The entry of client k with failures in the current window, or NULL. */
static struct client *client_find(struct admin_auth *a,
                                  const struct ip_addr *k, time_t now)
{
    for (int i = 0; i < CLIENTS; i++) {
        struct client *c = &a->clients[i];
        if (c->fails > 0 && same_client(c, k)) {
            if (now - c->since >= ADMIN_AUTH_WINDOW_S) {
                c->fails = 0; /* its window is over */
                return NULL;
            }
            return c;
        }
    }
    return NULL;
}

/* An entry for client k's first failure: a free or expired one, else the
 * one whose window ends first. Only failures take entries, so requests
 * that do not fail cannot push a limited client out. */
static struct client *client_claim(struct admin_auth *a,
                                   const struct ip_addr *k, time_t now)
{
    struct client *spare = &a->clients[0];
    for (int i = 0; i < CLIENTS; i++) {
        struct client *c = &a->clients[i];
        if (c->fails == 0 || now - c->since >= ADMIN_AUTH_WINDOW_S) {
            spare = c;
            break;
        }
        if (c->since < spare->since) {
            spare = c;
        }
    }
    spare->addr = *k;
    spare->fails = 0;
    spare->since = now;
    return spare;
}

static void digest(const struct admin_auth *a, const char *hash,
                   const char *user, struct span header, unsigned char *out)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, a->key, sizeof(a->key), 32);
    crypto_generichash_update(&st, (const unsigned char *)hash,
                              strlen(hash) + 1);
    crypto_generichash_update(&st, (const unsigned char *)user,
                              strlen(user) + 1);
    crypto_generichash_update(&st, (const unsigned char *)header.p,
                              header.len);
    crypto_generichash_final(&st, out, 32);
}

static int remembered(struct admin_auth *a, const unsigned char *d,
                      time_t now)
{
    for (int i = 0; i < REMEMBERED; i++) {
        if (a->ok[i].until > now && sodium_memcmp(a->ok[i].digest, d, 32) == 0) {
            return 1;
        }
    }
    return 0;
}

static void remember(struct admin_auth *a, const unsigned char *d,
                     time_t now)
{
    struct remembered *oldest = &a->ok[0];
    for (int i = 1; i < REMEMBERED; i++) {
        if (a->ok[i].until < oldest->until) {
            oldest = &a->ok[i];
        }
    }
    memcpy(oldest->digest, d, 32);
    oldest->until = now + ADMIN_AUTH_REMEMBER_S;
}

/* The user and the password match: the password is checked whatever the
 * user, so that a wrong user name takes as long as a wrong password. */
static int verify(const char *hash, const char *user, struct span header)
{
    struct basic_auth cred;
    if (basic_auth_parse(header, &cred) < 0) {
        return 0;
    }
    int ok = crypto_pwhash_str_verify(hash, cred.password,
                                      strlen(cred.password)) == 0;
    ok &= strcmp(cred.user, user) == 0;
    sodium_memzero(&cred, sizeof(cred));
    return ok;
}

enum admin_auth_result admin_auth_check(struct admin_auth *a,
                                        const char *hash, const char *user,
                                        struct span header,
                                        const struct ip_addr *peer,
                                        time_t now, int *retry_after)
{
    unsigned char d[32];
    struct ip_addr k = client_key(peer);
    struct client *c = client_find(a, &k, now);
    *retry_after = 0;
    if (c != NULL && c->fails >= ADMIN_AUTH_MAX_FAILS) {
        *retry_after = (int)(c->since + ADMIN_AUTH_WINDOW_S - now);
        return ADMIN_AUTH_LIMITED;
    }
    if (header.p == NULL) {
        return ADMIN_AUTH_DENIED; /* the browser's first request: no try */
    }
    digest(a, hash, user, header, d);
    if (remembered(a, d, now)) {
        return ADMIN_AUTH_OK;
    }
    if (verify(hash, user, header)) {
        remember(a, d, now);
        return ADMIN_AUTH_OK;
    }
    if (c == NULL) {
        c = client_claim(a, &k, now);
    }
    c->fails++;
    return ADMIN_AUTH_DENIED;
}
