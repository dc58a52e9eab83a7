/*
 * config.h: beacond's configuration (SPEC section 8): defaults, the INI
 * file (inih), command-line flags, validation. A config is read-only once
 * validated and is replaced whole on reload.
 */
#ifndef BEACON_CONFIG_H
#define BEACON_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/log.h"

#define CONFIG_ERR_LEN 256
#define CONFIG_MAX_ADDRS 16
#define CONFIG_MAX_SITES 128

/* One listen address; sa holds a sockaddr_in or sockaddr_in6. */
struct config_addr {
    struct sockaddr_storage sa;
    socklen_t salen;
    char text[64]; /* as the operator wrote it, normalised: "[::1]:8080" */
};

struct config_addr_list {
    struct config_addr addr[CONFIG_MAX_ADDRS];
    int n;
};

enum wal_fsync { WAL_FSYNC_NEVER, WAL_FSYNC_INTERVAL, WAL_FSYNC_ALWAYS };

enum salt_store { SALT_STORE_REDIS, SALT_STORE_MEMORY };

/* One line of [sites]: access-log host (lower case) to site id (2.7). */
struct config_site {
    char host[254];
    char site[65];
};

/* Where Redis is: TCP host/port or a unix socket path. */
struct config_redis_url {
    char host[256];
    int port;
    char unix_path[108]; /* non-empty: unix socket */
    char password[256];
    int db;
    char text[512]; /* as given, password replaced by "***" */
};

struct config {
    /* [server] */
    struct config_addr_list listen;
    struct config_addr_list admin;
    int workers; /* 0 in the file: resolved to online CPUs by validate */
    char data_dir[4096];
    char instance_id[128]; /* empty in the file: host name + first port */
    int max_connections;
    uint64_t header_timeout_ms;
    uint64_t idle_timeout_ms;
    uint64_t drain_timeout_ms;
    enum log_level log_level;
    char log_file[4096]; /* empty: stderr */
    char trusted_proxies[1024]; /* CIDR list, parsed by the gate (issue 3) */
    int cookie_secure;
    char public_url[512]; /* empty: "http://" + first listen address */
    struct config_addr_list ingest_syslog; /* n == 0: off */
    int ingest_syslog_tcp;
    char ingest_skip_ext[512]; /* lower case, one space between */
    char admin_password_hash[256];   /* Argon2id; empty: /dash is open */
    char metrics_password_hash[256]; /* Argon2id; empty: /metrics is open */

    /* [redis] */
    struct config_redis_url redis;
    char redis_cluster[1024]; /* "host:port,...": Redis Cluster mode */
    int min_replicas_ack;     /* -1: 1 for a master with replicas, else 0 */
    char key_prefix[32];
    uint64_t flush_interval_ms;
    uint64_t max_keys;
    uint64_t max_members;
    uint64_t max_areas;
    uint64_t backlog_max_bytes;
    enum wal_fsync wal_fsync;
    uint64_t wal_segment_bytes;

    /* [privacy] */
    int honor_dnt;
    int honor_gpc;
    enum salt_store salt_store;
    char bot_patterns[4096];

    /* [mail] */
    char recipient_key[256];
    char link_keys[2048];
    char mail_proxy_cidrs[1024];
    char image_proxy_agents[1024];

    /* [limits] */
    uint64_t max_request_line;
    uint64_t max_header_bytes;
    uint64_t max_headers;
    uint64_t max_body;
    uint64_t body_timeout_ms;
    uint64_t max_inflated_body;
    uint64_t max_batch_events;

    /* [retention] */
    uint64_t retention_minute_s;
    uint64_t retention_hour_s;
    uint64_t retention_day_s;

    /* [sites] */
    struct config_site sites[CONFIG_MAX_SITES];
    int n_sites;

    /* path of the file read, empty when none */
    char path[4096];
};

/* Sets every key to its SPEC 8 default. */
void config_defaults(struct config *c);

/*
 * Reads the INI file at path over the values already in c. Unknown
 * sections or keys and bad values are errors: returns -1 with err set to
 * "FILE:LINE: message". Returns 0 on success.
 */
int config_load_file(struct config *c, const char *path, char *err,
                     size_t errlen);

/*
 * Applies one setting by section and key name, as the file and the flags
 * do. Returns 0, or -1 with err set (no file/line prefix).
 */
int config_set(struct config *c, const char *section, const char *key,
               const char *value, char *err, size_t errlen);

/*
 * Checks cross-key rules and resolves derived defaults (workers = online
 * CPUs, instance_id, public_url). Returns 0 or -1 with err set.
 */
int config_validate(struct config *c, char *err, size_t errlen);

/* The decoded recipient_key (32 bytes) into out: 0, or -1 when none is
 * configured. */
int config_recipient_key(const struct config *c, unsigned char out[32]);

/*
 * The decoded link key with the given id into out (room for
 * CONFIG_KEY_MAX bytes, config_parse.h) and its length into *outlen: 0,
 * or -1 when link_keys has no such id.
 */
int config_link_key(const struct config *c, const char *id, unsigned char *out,
                    size_t *outlen);

/* The i-th (from 0) id and decoded key of link_keys, as config_link_key:
 * 0, or -1 past the last one. */
int config_link_key_at(const struct config *c, int i, char *id, size_t idcap,
                       unsigned char *key, size_t *keylen);

/* The id of the first key of link_keys into id[cap]: 0, or -1 when
 * link_keys is empty or the id does not fit. */
int config_first_link_key_id(const struct config *c, char *id, size_t cap);

/* Value parsers, exported for tests and for flags. Each returns 0 or -1. */
int config_parse_size(const char *s, uint64_t *out);       /* "64KiB" */
int config_parse_duration_ms(const char *s, uint64_t *out); /* "10s" */
int config_parse_bool(const char *s, int *out);            /* yes/no */
int config_parse_addr(const char *s, struct config_addr *out);
int config_parse_addr_list(const char *s, struct config_addr_list *out);
int config_parse_redis_url(const char *s, struct config_redis_url *out);
int config_parse_log_level(const char *s, enum log_level *out);

#endif
