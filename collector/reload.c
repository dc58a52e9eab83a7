/*
 * reload.c: see reload.h.
 */
#include "collector/reload.h"

#include <stdio.h>
#include <string.h>

static int addrs_differ(const struct config_addr_list *a,
                        const struct config_addr_list *b)
{
    if (a->n != b->n) {
        return 1;
    }
    for (int i = 0; i < a->n; i++) {
        if (strcmp(a->addr[i].text, b->addr[i].text) != 0) {
            return 1;
        }
    }
    return 0;
}

static int sites_differ(const struct config *a, const struct config *b)
{
    if (a->n_sites != b->n_sites) {
        return 1;
    }
    for (int i = 0; i < a->n_sites; i++) {
        if (strcmp(a->sites[i].host, b->sites[i].host) != 0 ||
            strcmp(a->sites[i].site, b->sites[i].site) != 0) {
            return 1;
        }
    }
    return 0;
}

static void add(char *out, size_t cap, int differs, const char *name)
{
    size_t n = strlen(out);
    if (differs && n < cap) {
        snprintf(out + n, cap - n, "%s%s", n > 0 ? ", " : "", name);
    }
}

void reload_restart_keys(const struct config *a, const struct config *b,
                         char *out, size_t cap)
{
#define STR(f) (strcmp(a->f, b->f) != 0)
#define NUM(f) (a->f != b->f)
    out[0] = '\0';
    add(out, cap, addrs_differ(&a->listen, &b->listen), "[server] listen");
    add(out, cap, addrs_differ(&a->admin, &b->admin), "[server] admin");
    add(out, cap, NUM(workers), "[server] workers");
    add(out, cap, STR(data_dir), "[server] data_dir");
    add(out, cap, STR(instance_id), "[server] instance_id");
    add(out, cap, NUM(max_connections), "[server] max_connections");
    add(out, cap, NUM(drain_timeout_ms), "[server] drain_timeout");
    add(out, cap, NUM(cookie_secure), "[server] cookie_secure");
    add(out, cap, STR(log_file), "[server] log_file");
    add(out, cap, addrs_differ(&a->ingest_syslog, &b->ingest_syslog),
        "[server] ingest_syslog");
    add(out, cap, NUM(ingest_syslog_tcp), "[server] ingest_syslog_tcp");
    add(out, cap, STR(ingest_skip_ext), "[server] ingest_skip_ext");
    add(out, cap, STR(redis.text) || STR(redis.password), "[redis] url");
    add(out, cap, STR(redis_cluster), "[redis] cluster");
    add(out, cap, NUM(min_replicas_ack), "[redis] min_replicas_ack");
    add(out, cap, STR(key_prefix), "[redis] key_prefix");
    add(out, cap, NUM(max_keys), "[redis] max_keys");
    add(out, cap, NUM(backlog_max_bytes), "[redis] backlog_max_bytes");
    add(out, cap, NUM(wal_fsync), "[redis] wal_fsync");
    add(out, cap, NUM(wal_segment_bytes), "[redis] wal_segment_bytes");
    add(out, cap, NUM(salt_store), "[privacy] salt_store");
    add(out, cap, STR(recipient_key), "[mail] recipient_key");
    add(out, cap, NUM(max_inflated_body), "[limits] max_inflated_body");
    add(out, cap, sites_differ(a, b), "[sites]");
#undef STR
#undef NUM
}
