/*
 * cluster_slot.h: Redis Cluster's key slots and redirections, as the
 * cluster specification defines them. A key's slot is CRC16 (XMODEM) of
 * the key, or of its hash tag (what lies between its first '{' and the
 * first '}' after it, when that is not empty), modulo 16 384. Every key
 * of a site carries the tag {site}, so one site's keys share a slot.
 */
#ifndef BEACON_CLUSTER_SLOT_H
#define BEACON_CLUSTER_SLOT_H

#include <stddef.h>
#include <stdint.h>

#define CLUSTER_SLOTS 16384
/* "host:port" of a redirection; hosts longer than this are refused */
#define CLUSTER_HOST_MAX 255

/* CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0). */
uint16_t cluster_crc16(const char *buf, size_t len);

/* The slot of key[0..len). */
unsigned cluster_key_slot(const char *key, size_t len);

enum cluster_redirect_kind {
    CLUSTER_NO_REDIRECT, /* some other error, or a malformed redirection */
    CLUSTER_MOVED,       /* the slot has a new owner: update the map */
    CLUSTER_ASK          /* this one command goes there, after ASKING */
};

struct cluster_redirect {
    enum cluster_redirect_kind kind;
    unsigned slot;
    /* empty: the node did not say, it is the host asked */
    char host[CLUSTER_HOST_MAX + 1];
    int port;
};

/*
 * "host:port" in s[0..len), split at the last ':' (so an IPv6 host needs
 * no brackets): host gets 0 to CLUSTER_HOST_MAX bytes and a NUL, port
 * 1 to 65535 and nothing after it. Returns the host's length, or -1 when
 * s is not that (host is then unchanged). The form Redis gives nodes in
 * MOVED, ASK and CLUSTER NODES; an empty host there means "the node you
 * asked".
 */
int cluster_parse_host_port(const char *s, size_t len,
                            char host[CLUSTER_HOST_MAX + 1], int *port);

/*
 * Reads an error reply "MOVED <slot> <host>:<port>" or "ASK <slot>
 * <host>:<port>" (the host may be an IPv6 address: the port follows the
 * last ':'). Returns out->kind; CLUSTER_NO_REDIRECT for anything else.
 */
enum cluster_redirect_kind cluster_parse_redirect(const char *err, size_t len,
                                                  struct cluster_redirect *out);

/* A node to ask for the slot map: [redis] cluster lists them. */
struct cluster_seed {
    char host[CLUSTER_HOST_MAX + 1];
    int port;
};
#define CLUSTER_SEEDS_MAX 16

/*
 * Parses "host:port, host:port" (an IPv6 host in brackets, "[::1]:7000";
 * blanks around each item) into out. Returns how many, or -1 with err set
 * (an item that is not host:port, none at all, or more than
 * CLUSTER_SEEDS_MAX).
 */
int cluster_parse_seeds(const char *s,
                        struct cluster_seed out[CLUSTER_SEEDS_MAX], char *err,
                        size_t errlen);

#endif
