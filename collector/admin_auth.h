/*
 * admin_auth.h: who may read the dashboard, and /metrics when it has a
 * password of its own. HTTP Basic credentials are checked against an
 * Argon2id string (crypto_pwhash_str_verify: deliberately slow, tens of
 * milliseconds, so only ever on the admin's query thread, never on an
 * event loop). Credentials that passed are remembered for a while (as a
 * keyed hash), so that the page's requests do not each pay for Argon2;
 * a client (an IPv4 address, an IPv6 /64) that failed too often is
 * refused for a while before anything is checked; the 256 clients with
 * the latest failures are remembered. One thread uses a struct
 * admin_auth.
 */
#ifndef BEACON_ADMIN_AUTH_H
#define BEACON_ADMIN_AUTH_H

#include <time.h>

#include "proto/ipaddr.h"
#include "proto/span.h"

#define ADMIN_AUTH_MAX_FAILS 5   /* failed attempts of one client address */
#define ADMIN_AUTH_WINDOW_S 60   /* within this, then refused until it ends */
#define ADMIN_AUTH_REMEMBER_S 300 /* credentials that passed, not checked again */

enum admin_auth_result {
    ADMIN_AUTH_OK,
    ADMIN_AUTH_DENIED,  /* 401: missing or wrong credentials */
    ADMIN_AUTH_LIMITED, /* 429: too many failures from this address */
};

struct admin_auth;

struct admin_auth *admin_auth_create(void);
void admin_auth_destroy(struct admin_auth *a);

/*
 * Checks the Authorization header value (p NULL: none) of a request from
 * peer against user and the Argon2id string hash. *retry_after: seconds
 * until a LIMITED address may try again.
 */
enum admin_auth_result admin_auth_check(struct admin_auth *a,
                                        const char *hash, const char *user,
                                        struct span header,
                                        const struct ip_addr *peer,
                                        time_t now, int *retry_after);

#endif
