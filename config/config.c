/*
 * config.c: beacond's configuration (SPEC 8): the defaults, and the table
 * of keys that config_set and the file (config_file.c) share, with each
 * key's setter and bounds. Value syntax is in config_parse.c, the checks
 * across keys in config_check.c.
 */
#include "config/config.h"
#include "config/config_parse.h"
#include "proto/cluster_slot.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define KIB (1ULL << 10)
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define SEC_MS 1000ULL
#define HOUR_MS (3600 * SEC_MS)
#define DAY_MS (24 * HOUR_MS)
#define HOUR_S 3600ULL
#define DAY_S (24 * HOUR_S)

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_ADMIN "127.0.0.1:8081"
#define DEFAULT_REDIS "redis://127.0.0.1:6379/0"

#define WHY_LEN 160

/* SPEC 8; listen, admin and redis are parsed from the texts above. */
static const struct config config_default = {
    .workers = 0,
    .data_dir = "./data",
    .max_connections = 10000,
    .header_timeout_ms = 10 * SEC_MS,
    .idle_timeout_ms = 60 * SEC_MS,
    .drain_timeout_ms = 10 * SEC_MS,
    .log_level = LOG_INFO,
    .cookie_secure = 0,
    .ingest_skip_ext = "css js png jpg jpeg gif svg ico webp woff woff2 map "
                       "txt xml",
    .key_prefix = "bc",
    .flush_interval_ms = SEC_MS,
    .max_keys = 1000000,
    .max_members = 100000,
    .max_areas = 50,
    .min_replicas_ack = -1,
    .backlog_max_bytes = GIB,
    .wal_fsync = WAL_FSYNC_INTERVAL,
    .wal_segment_bytes = 64 * MIB,
    .honor_dnt = 1,
    .honor_gpc = 1,
    .salt_store = SALT_STORE_REDIS,
    .mail_proxy_cidrs = "17.0.0.0/8",
    .image_proxy_agents = "GoogleImageProxy, YahooMailProxy",
    .max_request_line = 8 * KIB,
    .max_header_bytes = 16 * KIB,
    .max_headers = 64,
    .max_body = 64 * KIB,
    .body_timeout_ms = 10 * SEC_MS,
    .max_inflated_body = 256 * KIB,
    .max_batch_events = 100,
    .retention_minute_s = 48 * HOUR_S,
    .retention_hour_s = 35 * DAY_S,
    .retention_day_s = 400 * DAY_S,
};

enum key_flags {
    KEY_LIST = 1,     /* a long value may go on indented continuation lines */
    KEY_SECRET = 2,   /* never repeat the value in a message */
    KEY_NONEMPTY = 4, /* a string that may not be empty */
};

struct config_key;

/* Parses v into field; on error writes the reason (no key name) to why. */
typedef int (*config_key_parser)(const struct config_key *k, const char *v,
                                 void *field, char *why, size_t whylen);

struct config_key {
    const char *section;
    const char *name;
    config_key_parser parse;
    size_t offset;
    size_t size;
    uint64_t min, max; /* numeric keys; in the field's unit */
    unsigned flags;
};

/* Writes reason to why; returns -1 for "return fail(...)". */
static int fail(char *why, size_t whylen, const char *reason)
{
    snprintf(why, whylen, "%s", reason);
    return -1;
}

/* "1MiB" for exact multiples, else bytes. */
static void format_size(uint64_t v, char *buf, size_t len)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB"};
    int u = 0;

    while (u < 3 && v >= 1024 && v % 1024 == 0) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, "%llu%s", (unsigned long long)v, unit[u]);
}

/* "10s" for exact multiples, else milliseconds. */
static void format_ms(uint64_t v, char *buf, size_t len)
{
    static const struct {
        const char *name;
        uint64_t ms;
    } unit[] = {
        {"d", DAY_MS}, {"h", HOUR_MS}, {"m", 60 * SEC_MS}, {"s", SEC_MS}};

    for (size_t i = 0; i < sizeof(unit) / sizeof(unit[0]); i++) {
        if (v > 0 && v % unit[i].ms == 0) {
            snprintf(buf, len, "%llu%s", (unsigned long long)(v / unit[i].ms),
                     unit[i].name);
            return;
        }
    }
    snprintf(buf, len, "%llums", (unsigned long long)v);
}

static int set_size(const struct config_key *k, const char *v, void *field,
                    char *why, size_t whylen);
static int set_ms(const struct config_key *k, const char *v, void *field,
                  char *why, size_t whylen);
static int set_secs(const struct config_key *k, const char *v, void *field,
                    char *why, size_t whylen);

/* Checks x against the key's bounds, saying them in the key's unit. */
static int check_range(const struct config_key *k, uint64_t x, char *why,
                       size_t whylen)
{
    char lo[32];
    char hi[32];

    if (x >= k->min && x <= k->max) {
        return 0;
    }
    if (k->parse == set_size) {
        format_size(k->min, lo, sizeof(lo));
        format_size(k->max, hi, sizeof(hi));
    } else if (k->parse == set_ms || k->parse == set_secs) {
        uint64_t m = k->parse == set_secs ? SEC_MS : 1;
        format_ms(k->min * m, lo, sizeof(lo));
        format_ms(k->max * m, hi, sizeof(hi));
    } else {
        snprintf(lo, sizeof(lo), "%llu", (unsigned long long)k->min);
        snprintf(hi, sizeof(hi), "%llu", (unsigned long long)k->max);
    }
    snprintf(why, whylen, "must be from %s to %s", lo, hi);
    return -1;
}

/* Checks x and stores it in an int or a uint64_t field, by its size. */
static int store_number(const struct config_key *k, uint64_t x, void *field,
                        char *why, size_t whylen)
{
    if (check_range(k, x, why, whylen) < 0) {
        return -1;
    }
    if (k->size == sizeof(int)) {
        *(int *)field = (int)x;
    } else {
        *(uint64_t *)field = x;
    }
    return 0;
}

static int set_count(const struct config_key *k, const char *v, void *field,
                     char *why, size_t whylen)
{
    const char *reason;
    uint64_t x;

    if (config_parse_uint_why(v, &x, &reason) < 0) {
        return fail(why, whylen, reason);
    }
    return store_number(k, x, field, why, whylen);
}

static int set_size(const struct config_key *k, const char *v, void *field,
                    char *why, size_t whylen)
{
    const char *reason;
    uint64_t x;

    if (config_parse_size_why(v, &x, &reason) < 0) {
        return fail(why, whylen, reason);
    }
    return store_number(k, x, field, why, whylen);
}

static int set_ms(const struct config_key *k, const char *v, void *field,
                  char *why, size_t whylen)
{
    const char *reason;
    uint64_t x;

    if (config_parse_duration_ms_why(v, &x, &reason) < 0) {
        return fail(why, whylen, reason);
    }
    return store_number(k, x, field, why, whylen);
}

/* A duration stored in whole seconds (Redis TTLs). */
static int set_secs(const struct config_key *k, const char *v, void *field,
                    char *why, size_t whylen)
{
    const char *reason;
    uint64_t x;

    if (config_parse_duration_ms_why(v, &x, &reason) < 0) {
        return fail(why, whylen, reason);
    }
    if (x % SEC_MS != 0) {
        return fail(why, whylen, "must be whole seconds");
    }
    return store_number(k, x / SEC_MS, field, why, whylen);
}

static int set_bool(const struct config_key *k, const char *v, void *field,
                    char *why, size_t whylen)
{
    (void)k;
    if (config_parse_bool(v, (int *)field) < 0) {
        return fail(why, whylen, "expected yes or no");
    }
    return 0;
}

static int set_log_level(const struct config_key *k, const char *v, void *field,
                         char *why, size_t whylen)
{
    (void)k;
    if (config_parse_log_level(v, (enum log_level *)field) < 0) {
        return fail(why, whylen, "expected debug, info, warn or error");
    }
    return 0;
}

static int set_wal_fsync(const struct config_key *k, const char *v, void *field,
                         char *why, size_t whylen)
{
    static const char *const names[] = {"never", "interval", "always"};

    (void)k;
    for (int i = WAL_FSYNC_NEVER; i <= WAL_FSYNC_ALWAYS; i++) {
        if (strcasecmp(v, names[i]) == 0) {
            *(enum wal_fsync *)field = (enum wal_fsync)i;
            return 0;
        }
    }
    return fail(why, whylen, "expected never, interval or always");
}

static int set_salt_store(const struct config_key *k, const char *v,
                          void *field, char *why, size_t whylen)
{
    (void)k;
    if (strcasecmp(v, "redis") == 0) {
        *(enum salt_store *)field = SALT_STORE_REDIS;
    } else if (strcasecmp(v, "memory") == 0) {
        *(enum salt_store *)field = SALT_STORE_MEMORY;
    } else {
        return fail(why, whylen, "expected redis or memory");
    }
    return 0;
}

static int set_addrs(const struct config_key *k, const char *v, void *field,
                     char *why, size_t whylen)
{
    struct config_addr_list l;
    const char *reason;

    (void)k;
    if (config_parse_addr_list_why(v, &l, &reason) < 0) {
        return fail(why, whylen, reason);
    }
    memcpy(field, &l, sizeof(l));
    return 0;
}

static int set_redis(const struct config_key *k, const char *v, void *field,
                     char *why, size_t whylen)
{
    struct config_redis_url u;
    const char *reason;

    (void)k;
    if (config_parse_redis_url_why(v, &u, &reason) < 0) {
        return fail(why, whylen, reason);
    }
    memcpy(field, &u, sizeof(u));
    return 0;
}

/* Stores v as is: bounded, no control characters. */
static int set_string(const struct config_key *k, const char *v, void *field,
                      char *why, size_t whylen)
{
    size_t len = strlen(v);

    if (len >= k->size) {
        snprintf(why, whylen, "too long (at most %zu bytes)", k->size - 1);
        return -1;
    }
    if ((k->flags & KEY_NONEMPTY) && len == 0) {
        return fail(why, whylen, "may not be empty");
    }
    for (size_t i = 0; i < len; i++) {
        if (iscntrl((unsigned char)v[i])) {
            return fail(why, whylen, "control characters are not allowed");
        }
    }
    memcpy(field, v, len + 1);
    return 0;
}

/* Redis Cluster seeds, host:port each; empty: one Redis (url). */
static int set_cluster(const struct config_key *k, const char *v, void *field,
                       char *why, size_t whylen)
{
    struct cluster_seed seeds[CLUSTER_SEEDS_MAX];
    if (v[0] != '\0' && cluster_parse_seeds(v, seeds, why, whylen) < 0) {
        return -1;
    }
    return set_string(k, v, field, why, whylen);
}

/* "auto" (-1), or a count of replicas. */
static int set_replicas(const struct config_key *k, const char *v, void *field,
                        char *why, size_t whylen)
{
    if (strcasecmp(v, "auto") == 0) {
        *(int *)field = -1;
        return 0;
    }
    return set_count(k, v, field, why, whylen);
}

static int set_key_prefix(const struct config_key *k, const char *v,
                          void *field, char *why, size_t whylen)
{
    if (!config_is_word(v, "", k->size - 1)) {
        return fail(why, whylen, "expected 1 to 31 of A-Z a-z 0-9 . _ -");
    }
    return set_string(k, v, field, why, whylen);
}

static int set_instance_id(const struct config_key *k, const char *v,
                           void *field, char *why, size_t whylen)
{
    if (*v != '\0' && !config_is_word(v, ":", k->size - 1)) {
        return fail(why, whylen, "expected 1 to 127 of A-Z a-z 0-9 . _ - :");
    }
    return set_string(k, v, field, why, whylen);
}

/* http(s)://host[/path], stored without a trailing '/'. */
static int set_public_url(const struct config_key *k, const char *v,
                          void *field, char *why, size_t whylen)
{
    const char *rest = NULL;
    char *s = field;
    size_t len;

    if (strncasecmp(v, "http://", 7) == 0) {
        rest = v + 7;
    } else if (strncasecmp(v, "https://", 8) == 0) {
        rest = v + 8;
    }
    if (*v != '\0' && (rest == NULL || *rest == '\0' || *rest == '/' ||
                       strpbrk(v, " \t?#") != NULL)) {
        return fail(why, whylen, "expected http(s)://host[:port][/path]");
    }
    if (set_string(k, v, field, why, whylen) < 0) {
        return -1;
    }
    len = strlen(s);
    while (len > 0 && s[len - 1] == '/') {
        s[--len] = '\0';
    }
    return 0;
}

/* Empty (off) or a list of ADDRESS:PORT. */
static int set_opt_addrs(const struct config_key *k, const char *v,
                         void *field, char *why, size_t whylen)
{
    if (v[strspn(v, " \t")] == '\0') {
        memset(field, 0, k->size);
        return 0;
    }
    return set_addrs(k, v, field, why, whylen);
}

static int set_cidrs(const struct config_key *k, const char *v, void *field,
                     char *why, size_t whylen)
{
    const char *reason;

    if (config_parse_cidr_list_why(v, &reason) < 0) {
        return fail(why, whylen, reason);
    }
    return set_string(k, v, field, why, whylen);
}

/* Extensions split by spaces or commas, stored "css js" in lower case. */
static int set_extensions(const struct config_key *k, const char *v,
                          void *field, char *why, size_t whylen)
{
    char out[512];
    size_t o = 0;

    while (*v != '\0') {
        size_t n;
        v += strspn(v, " \t,");
        v += *v == '.';
        n = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                      "0123456789");
        if (n == 0 && *v == '\0') {
            break;
        }
        if (n == 0 || n > 16 || (v[n] != '\0' && !strchr(" \t,", v[n]))) {
            return fail(why, whylen, "expected extensions like: css js png");
        }
        if (o + n + 2 > sizeof(out)) {
            return fail(why, whylen, "too long");
        }
        if (o > 0) {
            out[o++] = ' ';
        }
        for (size_t i = 0; i < n; i++) {
            out[o++] = (char)tolower((unsigned char)v[i]);
        }
        v += n;
    }
    out[o] = '\0';
    return set_string(k, out, field, why, whylen);
}

static int set_recipient_key(const struct config_key *k, const char *v,
                             void *field, char *why, size_t whylen)
{
    uint8_t key[CONFIG_KEY_MAX];
    size_t len;
    const char *reason;

    if (*v != '\0') {
        if (config_parse_key_why(v, strlen(v), key, &len, &reason) < 0) {
            return fail(why, whylen, reason);
        }
        if (len != 32) {
            return fail(why, whylen, "must be 32 bytes in hex or base64");
        }
    }
    return set_string(k, v, field, why, whylen);
}

static int set_link_keys(const struct config_key *k, const char *v, void *field,
                         char *why, size_t whylen)
{
    const char *reason;

    if (config_parse_link_keys_why(v, &reason) < 0) {
        return fail(why, whylen, reason);
    }
    return set_string(k, v, field, why, whylen);
}

/* Empty, or an Argon2id string as crypto_pwhash_str() prints it
 * (beaconctl passwd). */
static int set_password_hash(const struct config_key *k, const char *v,
                             void *field, char *why, size_t whylen)
{
    if (*v != '\0' &&
        (strncmp(v, "$argon2id$", 10) != 0 ||
         crypto_pwhash_str_needs_rehash(v, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                        crypto_pwhash_MEMLIMIT_INTERACTIVE) <
             0)) {
        return fail(why, whylen,
                    "not an Argon2id string (beaconctl passwd prints one)");
    }
    return set_string(k, v, field, why, whylen);
}

#define FIELD_SIZE(f) sizeof(((struct config *)NULL)->f)
#define KEY(sec, name, fn, f, lo, hi, fl)                                      \
    {                                                                          \
        sec, name, fn, offsetof(struct config, f), FIELD_SIZE(f), lo, hi, fl   \
    }

static const struct config_key config_keys[] = {
    KEY("server", "listen", set_addrs, listen, 0, 0, KEY_LIST),
    KEY("server", "admin", set_addrs, admin, 0, 0, KEY_LIST),
    KEY("server", "workers", set_count, workers, 0, CONFIG_WORKERS_MAX, 0),
    KEY("server", "data_dir", set_string, data_dir, 0, 0, KEY_NONEMPTY),
    KEY("server", "instance_id", set_instance_id, instance_id, 0, 0, 0),
    KEY("server", "max_connections", set_count, max_connections, 1, 1000000, 0),
    KEY("server", "header_timeout", set_ms, header_timeout_ms, 1, DAY_MS, 0),
    KEY("server", "idle_timeout", set_ms, idle_timeout_ms, 1, DAY_MS, 0),
    KEY("server", "drain_timeout", set_ms, drain_timeout_ms, 0, HOUR_MS, 0),
    KEY("server", "log_level", set_log_level, log_level, 0, 0, 0),
    KEY("server", "log_file", set_string, log_file, 0, 0, 0),
    KEY("server", "trusted_proxies", set_cidrs, trusted_proxies, 0, 0,
        KEY_LIST),
    KEY("server", "cookie_secure", set_bool, cookie_secure, 0, 0, 0),
    KEY("server", "public_url", set_public_url, public_url, 0, 0, 0),
    KEY("server", "ingest_syslog", set_opt_addrs, ingest_syslog, 0, 0,
        KEY_LIST),
    KEY("server", "ingest_syslog_tcp", set_bool, ingest_syslog_tcp, 0, 0, 0),
    KEY("server", "admin_password_hash", set_password_hash,
        admin_password_hash, 0, 0, 0),
    KEY("server", "metrics_password_hash", set_password_hash,
        metrics_password_hash, 0, 0, 0),
    KEY("server", "ingest_skip_ext", set_extensions, ingest_skip_ext, 0, 0,
        KEY_LIST),
    KEY("redis", "url", set_redis, redis, 0, 0, KEY_SECRET),
    KEY("redis", "cluster", set_cluster, redis_cluster, 0, 0, KEY_LIST),
    KEY("redis", "min_replicas_ack", set_replicas, min_replicas_ack, 0, 16, 0),
    KEY("redis", "key_prefix", set_key_prefix, key_prefix, 0, 0, 0),
    KEY("redis", "flush_interval", set_ms, flush_interval_ms, 10, HOUR_MS, 0),
    KEY("redis", "max_keys", set_count, max_keys, 1, 100000000, 0),
    KEY("redis", "max_members", set_count, max_members, 1, 10000000, 0),
    KEY("redis", "max_areas", set_count, max_areas, 1, 100000, 0),
    KEY("redis", "backlog_max_bytes", set_size, backlog_max_bytes, 64 * KIB,
        1ULL << 50, 0),
    KEY("redis", "wal_fsync", set_wal_fsync, wal_fsync, 0, 0, 0),
    KEY("redis", "wal_segment_bytes", set_size, wal_segment_bytes, 4 * KIB, GIB,
        0),
    KEY("privacy", "honor_dnt", set_bool, honor_dnt, 0, 0, 0),
    KEY("privacy", "honor_gpc", set_bool, honor_gpc, 0, 0, 0),
    KEY("privacy", "salt_store", set_salt_store, salt_store, 0, 0, 0),
    KEY("privacy", "bot_patterns", set_string, bot_patterns, 0, 0, 0),
    KEY("mail", "recipient_key", set_recipient_key, recipient_key, 0, 0,
        KEY_SECRET),
    KEY("mail", "link_keys", set_link_keys, link_keys, 0, 0,
        KEY_LIST | KEY_SECRET),
    KEY("mail", "mail_proxy_cidrs", set_cidrs, mail_proxy_cidrs, 0, 0,
        KEY_LIST),
    KEY("mail", "image_proxy_agents", set_string, image_proxy_agents, 0, 0,
        KEY_LIST),
    KEY("limits", "max_request_line", set_size, max_request_line, 256, MIB, 0),
    KEY("limits", "max_header_bytes", set_size, max_header_bytes, KIB, MIB, 0),
    KEY("limits", "max_headers", set_count, max_headers, 1, 10000, 0),
    KEY("limits", "max_body", set_size, max_body, 1, GIB, 0),
    KEY("limits", "body_timeout", set_ms, body_timeout_ms, 1, DAY_MS, 0),
    KEY("limits", "max_inflated_body", set_size, max_inflated_body, 1, GIB, 0),
    KEY("limits", "max_batch_events", set_count, max_batch_events, 1, 100000,
        0),
    KEY("retention", "minute", set_secs, retention_minute_s, 1, 3650 * DAY_S,
        0),
    KEY("retention", "hour", set_secs, retention_hour_s, 1, 3650 * DAY_S, 0),
    KEY("retention", "day", set_secs, retention_day_s, 1, 3650 * DAY_S, 0),
};

#define N_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static const char *const config_sections[] = {
    "server", "redis", "privacy", "mail", "limits", "retention", "sites",
};

int config_section_known(const char *section)
{
    for (size_t i = 0; i < sizeof(config_sections) / sizeof(char *); i++) {
        if (strcmp(section, config_sections[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static const struct config_key *find_key(const char *section, const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        const struct config_key *k = &config_keys[i];
        if (strcmp(k->name, name) == 0 &&
            (section == NULL || strcmp(k->section, section) == 0)) {
            return k;
        }
    }
    return NULL;
}

int config_key_known(const char *section, const char *name)
{
    return find_key(section, name) != NULL;
}

int config_key_is_list(const char *section, const char *name)
{
    const struct config_key *k = find_key(section, name);

    return k != NULL && (k->flags & KEY_LIST) != 0;
}

/* A line of [sites]: host name = site id; a repeated host is replaced. */
static int set_site(struct config *c, const char *host, const char *site,
                    char *err, size_t errlen)
{
    struct config_site *s = NULL;
    char lower[sizeof(c->sites[0].host)];
    size_t len = strlen(host);

    if (!config_is_word(host, "", sizeof(lower) - 1) ||
        strchr("._-", host[0])) {
        snprintf(err, errlen, "[sites] %.64s: not a host name", host);
        return -1;
    }
    if (!config_is_word(site, "", sizeof(s->site) - 1)) {
        snprintf(err, errlen,
                 "[sites] %.64s: site id must be 1 to 64 of "
                 "A-Z a-z 0-9 . _ -",
                 host);
        return -1;
    }
    for (size_t i = 0; i <= len; i++) {
        lower[i] = (char)tolower((unsigned char)host[i]);
    }
    for (int i = 0; i < c->n_sites && s == NULL; i++) {
        if (strcmp(c->sites[i].host, lower) == 0) {
            s = &c->sites[i];
        }
    }
    if (s == NULL) {
        if (c->n_sites == CONFIG_MAX_SITES) {
            snprintf(err, errlen, "[sites]: more than %d hosts",
                     CONFIG_MAX_SITES);
            return -1;
        }
        s = &c->sites[c->n_sites++];
    }
    memcpy(s->host, lower, len + 1);
    snprintf(s->site, sizeof(s->site), "%s", site);
    return 0;
}

void config_defaults(struct config *c)
{
    *c = config_default;
    /* Constant texts that the tests parse back: these cannot fail. */
    (void)config_parse_addr_list(DEFAULT_LISTEN, &c->listen);
    (void)config_parse_addr_list(DEFAULT_ADMIN, &c->admin);
    (void)config_parse_redis_url(DEFAULT_REDIS, &c->redis);
}

/* Copies v into buf for a message: cut short, control bytes as '?'. */
static const char *shown(const char *v, char *buf, size_t len)
{
    size_t n = strlen(v);
    size_t i;

    for (i = 0; i < n && i + 4 < len; i++) {
        buf[i] = iscntrl((unsigned char)v[i]) ? '?' : v[i];
    }
    if (i < n) {
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
    return buf;
}

int config_set(struct config *c, const char *section, const char *key,
               const char *value, char *err, size_t errlen)
{
    const struct config_key *k;
    char why[WHY_LEN];
    char val[64];

    if (strcmp(section, "sites") == 0) {
        return set_site(c, key, value, err, errlen);
    }
    k = find_key(section, key);
    if (k == NULL) {
        const struct config_key *elsewhere = find_key(NULL, key);
        if (!config_section_known(section)) {
            snprintf(err, errlen, "unknown section [%.64s]", section);
        } else if (elsewhere != NULL) {
            snprintf(err, errlen, "key '%.64s' belongs in [%s], not [%s]", key,
                     elsewhere->section, section);
        } else {
            snprintf(err, errlen, "unknown key '%.64s' in [%s]", key, section);
        }
        return -1;
    }
    if (k->parse(k, value, (char *)c + k->offset, why, sizeof(why)) < 0) {
        if (k->flags & KEY_SECRET) {
            snprintf(err, errlen, "%s: %s", k->name, why);
        } else {
            snprintf(err, errlen, "%s: %s (got '%s')", k->name, why,
                     shown(value, val, sizeof(val)));
        }
        return -1;
    }
    return 0;
}

/* Keys whose value is a number: within the table's bounds. */
int config_check_bounds(const struct config *c, char *err, size_t errlen)
{
    char why[WHY_LEN];

    for (size_t i = 0; i < N_KEYS; i++) {
        const struct config_key *k = &config_keys[i];
        const char *field = (const char *)c + k->offset;
        uint64_t x;

        if (k->parse != set_count && k->parse != set_size &&
            k->parse != set_ms && k->parse != set_secs) {
            continue;
        }
        if (k->size == sizeof(int)) {
            int v = *(const int *)field;
            x = v < 0 ? UINT64_MAX : (uint64_t)v;
        } else {
            x = *(const uint64_t *)field;
        }
        if (check_range(k, x, why, sizeof(why)) < 0) {
            snprintf(err, errlen, "%s: %s", k->name, why);
            return -1;
        }
    }
    return 0;
}
