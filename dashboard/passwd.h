/*
 * passwd.h: `beaconctl passwd`: reads a password from standard input (its
 * first line) and prints its Argon2id string (crypto_pwhash_str, libsodium's
 * interactive limits) for admin_password_hash or metrics_password_hash.
 */
#ifndef BEACON_PASSWD_H
#define BEACON_PASSWD_H

/* argv[0] is "passwd". Returns the exit status. */
int passwd_main(int argc, char **argv);

#endif
