/*
 * server.c: start-up, the main thread's loop (admin listener, signals)
 * and the drain of SPEC 7 (see server.h).
 */
#include "collector/server.h"

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregator/flusher.h"
#include "aggregator/recovery.h"
#include "aggregator/redis_block.h"
#include "aggregator/wal.h"
#include "aggregator/wal_syncer.h"
#include "collector/admin.h"
#include "collector/http/listener.h"
#include "collector/ingest/ingest.h"
#include "collector/privacy/policy.h"
#include "collector/reload.h"
#include "collector/worker.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/sd_notify.h"

#define REDIS_CONNECT_TIMEOUT_MS 2000
#define REDIS_COMMAND_TIMEOUT_MIN_MS 5000

static void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    log_info("signal %d: draining", (int)sig);
    sd_notify_send("STOPPING=1");
    event_base_loopbreak(arg);
}

/* SIGUSR1: the log file again, after logrotate moved it away. */
static void on_reopen_log(evutil_socket_t sig, short what, void *arg)
{
    const struct config *cfg = arg;
    (void)sig;
    (void)what;
    if (cfg->log_file[0] == '\0') {
        return; /* stderr: nothing to reopen */
    }
    if (log_to_file(cfg->log_file) < 0) {
        log_error("SIGUSR1: cannot reopen %s: %s; logging on where it was",
                  cfg->log_file, strerror(errno));
        return;
    }
    log_info("SIGUSR1: log file %s reopened", cfg->log_file);
}

struct reload_ctx {
    struct server *srv;
    server_reload_fn fn;
    void *arg;
    struct event *sweep_ev;
};

/* Frees replaced policies that no worker can still hold: each worker
 * records the epoch it saw at its last flush handoff, a moment when it
 * holds no policy pointer. `all`: the workers are gone, free everything
 * (without looking at them). */
static void free_retired(struct server *srv, int all)
{
    uint64_t seen = UINT64_MAX;
    for (int i = 0; i < srv->n_workers && !all; i++) {
        uint64_t e = atomic_load(&srv->workers[i]->seen_epoch);
        seen = e < seen ? e : seen;
    }
    struct policy **pp = &srv->retired;
    while (*pp != NULL) {
        struct policy *p = *pp;
        if (all || p->retire_epoch <= seen) {
            *pp = p->next_retired;
            policy_destroy(p);
        } else {
            pp = &p->next_retired;
        }
    }
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
    struct reload_ctx *rc = arg;
    (void)fd;
    (void)what;
    free_retired(rc->srv, 0);
}

/* What the flusher takes from the configuration and a reload may change. */
static void flusher_settings_from(const struct config *cfg,
                                  struct flusher_settings *s)
{
    s->flush_interval_ms = cfg->flush_interval_ms;
    s->command_timeout_ms = cfg->flush_interval_ms * 5;
    if (s->command_timeout_ms < REDIS_COMMAND_TIMEOUT_MIN_MS) {
        s->command_timeout_ms = REDIS_COMMAND_TIMEOUT_MIN_MS;
    }
    s->retention_minute_s = cfg->retention_minute_s;
    s->retention_hour_s = cfg->retention_hour_s;
    s->retention_day_s = cfg->retention_day_s;
    s->max_members = cfg->max_members;
    s->max_areas = cfg->max_areas;
}

/*
 * SIGHUP: the file and flags again. The hit path's settings go out as a
 * new policy (the workers take it between requests), the flusher's at its
 * next flush, the admin's at once (this thread); what only a restart can
 * change is named in the log. A file that does not load changes nothing.
 */
static void on_hup(evutil_socket_t sig, short what, void *arg)
{
    struct reload_ctx *rc = arg;
    struct server *srv = rc->srv;
    struct config *next = malloc(sizeof(*next)); /* large for the stack */
    struct policy *p = NULL;
    char err[CONFIG_ERR_LEN];
    (void)sig;
    (void)what;

    sd_notify_reloading();
    if (next == NULL) {
        snprintf(err, sizeof(err), "out of memory");
    } else if (rc->fn(next, rc->arg, err, sizeof(err)) == 0) {
        p = policy_create(next, atomic_load(&srv->policy)->generation + 1,
                          err, sizeof(err));
    }
    if (p == NULL) {
        log_error("SIGHUP: configuration not reloaded: %s", err);
        free(next);
        sd_notify_send("READY=1");
        return;
    }
    struct policy *old = atomic_load(&srv->policy);
    atomic_store_explicit(&srv->policy, p, memory_order_release);
    old->retire_epoch = atomic_fetch_add(&srv->epoch, 1) + 1;
    old->next_retired = srv->retired;
    srv->retired = old;
    log_set_level(next->log_level);
    struct flusher_settings fs;
    flusher_settings_from(next, &fs);
    flusher_reload(srv->flusher, &fs);
    admin_reload(srv->admin, next);

    char restart[512];
    reload_restart_keys(srv->cfg, next, restart, sizeof(restart));
    free(next);
    log_info("SIGHUP: reloaded [privacy], [mail] link_keys, mail_proxy_cidrs "
             "and image_proxy_agents, [limits], [retention], timeouts, "
             "flush_interval, max_members, max_areas, the passwords and "
             "log_level");
    if (restart[0] != '\0') {
        log_warn("SIGHUP: changed, in effect at the next start only: %s",
                 restart);
    }
    sd_notify_send("READY=1");
}

static void flusher_params_from(const struct config *cfg,
                                struct flusher_params *p)
{
    memset(p, 0, sizeof(*p));
    redis_target_from_url(&p->target, &cfg->redis);
    p->target.connect_timeout_ms = REDIS_CONNECT_TIMEOUT_MS;
    p->cluster = cfg->redis_cluster;
    p->min_replicas_ack = cfg->min_replicas_ack;
    p->batch.prefix = cfg->key_prefix;
    p->instance = cfg->instance_id;
    struct flusher_settings s;
    flusher_settings_from(cfg, &s);
    p->batch.retention_minute_s = s.retention_minute_s;
    p->batch.retention_hour_s = s.retention_hour_s;
    p->batch.retention_day_s = s.retention_day_s;
    p->batch.max_members = s.max_members;
    p->batch.max_areas = s.max_areas;
    p->flush_interval_ms = s.flush_interval_ms;
    p->command_timeout_ms = s.command_timeout_ms;
    /* Redis away: past half of max_keys in memory, the log alone holds
     * the backlog; batches from it hold a quarter of max_keys at most. */
    p->spill_keys = (int64_t)(cfg->max_keys / 2);
    p->chunk_keys = cfg->max_keys / 4 > 0 ? cfg->max_keys / 4 : 1;
}

/* The gate's lists and the salts, before any hit can arrive. */
static int privacy_setup(struct server *srv)
{
    const struct config *cfg = srv->cfg;
    char err[256];

    struct policy *p = policy_create(cfg, 1, err, sizeof(err));
    if (p == NULL) {
        log_error("%s", err);
        return -1;
    }
    atomic_store(&srv->policy, p);
    salt_manager_init(&srv->salts, cfg->salt_store, cfg->key_prefix,
                      time(NULL));
    unsigned char key[32];
    int have_key = config_recipient_key(cfg, key) == 0;
    int rc = optout_registry_init(&srv->optouts, cfg->key_prefix,
                                  have_key ? key : NULL, cfg->workers);
    sodium_memzero(key, sizeof(key));
    if (rc < 0) {
        log_error("cannot set up the opt-out registry");
        return -1;
    }
    return 0;
}

/* The data dir and its journal, before the flusher exists. */
static int log_open(struct server *srv, struct flusher_params *fp)
{
    const struct config *cfg = srv->cfg;
    char err[512];

    if (datadir_open(&srv->data, cfg->data_dir, cfg->instance_id, err,
                     sizeof(err)) < 0) {
        log_error("data_dir %s", err);
        return -1;
    }
    if (journal_open(&srv->journal, srv->data.journal, srv->data.seq_base,
                     cfg->wal_fsync, err, sizeof(err)) < 0) {
        log_error("%s", err);
        return -1;
    }
    srv->have_journal = 1;
    snprintf(srv->applied_as, sizeof(srv->applied_as), "%s%s%s",
             cfg->instance_id, srv->data.log_id[0] != '\0' ? ":" : "",
             srv->data.log_id);
    fp->batch.applied_as = srv->applied_as;
    fp->journal = &srv->journal;
    fp->wal_dir = srv->data.wal;
    return 0;
}

/*
 * Before listening, over one blocking connection: this instance's lock
 * (refused when another live instance holds its id), and the day's salts
 * agreed with the other instances. Redis away is no reason not to start:
 * the flusher takes the lock before its first batch, and the salts are
 * reconciled once Redis answers.
 */
static int redis_at_start(struct server *srv, const struct flusher_params *fp)
{
    const struct config *cfg = srv->cfg;
    struct instance_lock *lock = flusher_lock(srv->flusher);
    struct redis_block b;
    char who[INSTANCE_LOCK_HOLDER_MAX];
    int rc = 0;

    redis_block_open(&b, &fp->target, fp->cluster, REDIS_CONNECT_TIMEOUT_MS);
    if (lock != NULL && instance_lock_take(lock, &b, who, sizeof(who)) < 0) {
        log_error("instance_id %s is in use by another beacond (%s holds "
                  "%s); give each instance its own [server] instance_id, or "
                  "wait %d s after the other one stopped",
                  cfg->instance_id, who, lock->key,
                  INSTANCE_LOCK_TTL_MS / 1000);
        rc = -1;
    } else if (cfg->salt_store == SALT_STORE_REDIS) {
        salt_manager_sync(&srv->salts, &b, time(NULL));
    }
    redis_block_close(&b);
    return rc;
}

/* After the flusher's last batch: the lock goes back while Redis
 * answers within timeout_ms (else it runs out by itself). */
static void release_lock(struct server *srv, const struct flusher_params *fp,
                         uint64_t timeout_ms)
{
    struct instance_lock *lock = flusher_lock(srv->flusher);
    struct redis_block b;

    if (lock == NULL || lock->state != INSTANCE_LOCK_HELD || timeout_ms == 0) {
        return;
    }
    if (redis_block_open(&b, &fp->target, fp->cluster,
                         timeout_ms < REDIS_CONNECT_TIMEOUT_MS
                             ? timeout_ms
                             : REDIS_CONNECT_TIMEOUT_MS) == 0) {
        instance_lock_release(lock, &b);
    }
    redis_block_close(&b);
}

/* What is left of the drain's time, started at start
 * (clock_monotonic_ms). */
static uint64_t drain_left_ms(const struct config *cfg, uint64_t start)
{
    uint64_t spent = clock_monotonic_ms() - start;
    return spent < cfg->drain_timeout_ms ? cfg->drain_timeout_ms - spent : 0;
}

/* What the logs hold that Redis may not have goes to the flusher. */
static int log_recover(struct server *srv, const struct flusher_params *fp)
{
    struct recovery_stats st;
    char err[512];
    if (recovery_run(&srv->data, &srv->journal, srv->flusher, &fp->batch,
                     &st, err, sizeof(err)) < 0) {
        log_error("recovery: %s", err);
        return -1;
    }
    memcpy(srv->log_start, st.position, sizeof(srv->log_start));
    if (st.records > 0 || st.damaged_logs > 0) {
        log_info("recovery: %llu hits read back from the log%s%s",
                 (unsigned long long)st.records,
                 srv->journal.pending ? ", with the batch in flight" : "",
                 st.damaged_logs > 0 ? " (a log was damaged: see above)"
                                     : "");
    }
    return 0;
}

/* Worker id's log, going on where recovery left it. */
static struct wal *log_for_worker(struct server *srv, int id)
{
    const struct config *cfg = srv->cfg;
    char err[512];
    struct wal_params p = {
        .dir = srv->data.wal,
        .worker = (unsigned)id,
        .segment_bytes = cfg->wal_segment_bytes,
        .fsync = cfg->wal_fsync,
        .retire = srv->syncer != NULL ? wal_syncer_retire : NULL,
        .retire_arg = srv->syncer,
    };
    struct wal *w = wal_open(&p, srv->log_start[id], err, sizeof(err));
    if (w == NULL) {
        log_error("wal: %s", err);
    } else if (srv->syncer != NULL) {
        wal_syncer_add(srv->syncer, w);
    }
    return w;
}

/* Creates the workers with their listening sockets. */
static int create_workers(struct server *srv)
{
    char err[256];
    const struct config *cfg = srv->cfg;

    srv->workers = calloc((size_t)cfg->workers, sizeof(*srv->workers));
    if (srv->workers == NULL) {
        log_error("out of memory");
        return -1;
    }
    for (int i = 0; i < cfg->workers; i++) {
        int fds[CONFIG_MAX_ADDRS];
        for (int j = 0; j < cfg->listen.n; j++) {
            fds[j] = listener_open(&cfg->listen.addr[j], 1, err, sizeof(err));
            if (fds[j] < 0) {
                log_error("listen %s", err);
                while (j-- > 0) {
                    close(fds[j]);
                }
                return -1;
            }
        }
        struct wal *wal = log_for_worker(srv, i);
        if (wal == NULL) {
            for (int j = 0; j < cfg->listen.n; j++) {
                close(fds[j]);
            }
            return -1;
        }
        srv->workers[i] = worker_create(srv, i, fds, cfg->listen.n, wal);
        if (srv->workers[i] == NULL) {
            log_error("cannot create worker %d", i);
            return -1;
        }
        srv->n_workers++;
        if (cfg->ingest_syslog.n > 0) {
            srv->workers[i]->ingest = ingest_create(srv->workers[i], err,
                                                    sizeof(err));
            if (srv->workers[i]->ingest == NULL) {
                log_error("%s", err);
                return -1;
            }
        }
        if (flusher_add_source(srv->flusher, &srv->workers[i]->source) < 0) {
            log_error("too many workers");
            return -1;
        }
    }
    return 0;
}

/* "a, b" from an address list. */
static void addr_list_text(char *out, size_t cap,
                           const struct config_addr_list *l)
{
    out[0] = '\0';
    for (int i = 0; i < l->n; i++) {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%s", i ? ", " : "", l->addr[i].text);
    }
}

static void log_start(const struct config *cfg)
{
    char listen[CONFIG_MAX_ADDRS * 64];
    char ingest[CONFIG_MAX_ADDRS * 64 + 32] = "";

    addr_list_text(listen, sizeof(listen), &cfg->listen);
    if (cfg->ingest_syslog.n > 0) {
        size_t n = (size_t)snprintf(ingest, sizeof(ingest), ", syslog on ");
        addr_list_text(ingest + n, sizeof(ingest) - n, &cfg->ingest_syslog);
        snprintf(ingest + strlen(ingest), sizeof(ingest) - strlen(ingest),
                 " (%s)", cfg->ingest_syslog_tcp ? "udp, tcp" : "udp");
    }
    int cluster = cfg->redis_cluster[0] != '\0';
    log_info("beacond %s: listening on %s%s, %d workers, redis %s%s, "
             "instance %s",
             BEACON_VERSION, listen, ingest, cfg->workers,
             cluster ? "cluster " : "",
             cluster ? cfg->redis_cluster : cfg->redis.text, cfg->instance_id);
}

int server_run(const struct config *cfg, server_reload_fn reload,
               void *reload_arg)
{
    struct server srv;
    struct reload_ctx rc = {&srv, reload, reload_arg, NULL};
    struct flusher_params fp;
    struct event_base *base = NULL;
    struct event *sig_term = NULL, *sig_int = NULL, *sig_hup = NULL;
    struct event *sig_usr1 = NULL;
    char err[256];
    int status = 1;
    int started = 0;
    uint64_t drain_start;

    memset(&srv, 0, sizeof(srv));
    srv.cfg = cfg;
    srv.limits.max_request_line = cfg->max_request_line;
    srv.limits.max_header_bytes = cfg->max_header_bytes;
    srv.limits.max_headers = cfg->max_headers;
    srv.limits.max_body = cfg->max_body;
    srv.backlog.max_keys = (int64_t)cfg->max_keys;
    /* Not ready once 90 % of max_keys waits for an absent Redis. */
    srv.readyz_backlog_keys = (int)(cfg->max_keys / 10 * 9);
    srv.log_quota = cfg->backlog_max_bytes / (uint64_t)cfg->workers;
    srv.readyz_worker_wal_bytes = srv.log_quota / 10 * 9;
    flusher_params_from(cfg, &fp);

    srv.data.lock_fd = -1;
    if (cfg->workers > JOURNAL_WORKERS) {
        log_error("workers: at most %d", JOURNAL_WORKERS);
        goto out;
    }
    if (privacy_setup(&srv) < 0 || log_open(&srv, &fp) < 0) {
        goto out;
    }
    /* the lock names its holder by host and data dir */
    char host[64] = "";
    gethostname(host, sizeof(host) - 1);
    snprintf(srv.lock_holder, sizeof(srv.lock_holder), "%s:%llu", host,
             (unsigned long long)srv.data.seq_base);
    fp.lock_holder = srv.lock_holder;
    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    srv.flusher = flusher_create(&fp, &srv.backlog);
    if (cfg->wal_fsync == WAL_FSYNC_INTERVAL) {
        srv.syncer = wal_syncer_create(srv.data.wal, cfg->workers,
                                       WAL_SYNC_INTERVAL_MS);
    }
    if (base == NULL || srv.flusher == NULL ||
        (cfg->wal_fsync == WAL_FSYNC_INTERVAL && srv.syncer == NULL) ||
        flusher_add_task(srv.flusher, &srv.salts.task) < 0 ||
        flusher_add_task(srv.flusher, &srv.optouts.task) < 0) {
        log_error("out of memory");
        goto out;
    }
    if (redis_at_start(&srv, &fp) < 0 || log_recover(&srv, &fp) < 0 ||
        create_workers(&srv) < 0) {
        goto out;
    }
    if (srv.syncer != NULL && wal_syncer_start(srv.syncer) < 0) {
        log_error("cannot start the log syncer");
        goto out;
    }
    srv.admin = admin_create(base, &srv, err, sizeof(err));
    if (srv.admin == NULL) {
        log_error("admin %s", err);
        goto out;
    }
    sig_term = evsignal_new(base, SIGTERM, on_stop_signal, base);
    sig_int = evsignal_new(base, SIGINT, on_stop_signal, base);
    sig_hup = evsignal_new(base, SIGHUP, on_hup, &rc);
    sig_usr1 = evsignal_new(base, SIGUSR1, on_reopen_log, (void *)cfg);
    rc.sweep_ev = event_new(base, -1, EV_PERSIST, on_sweep, &rc);
    struct timeval sweep = {1, 0};
    if (rc.sweep_ev == NULL || event_add(rc.sweep_ev, &sweep) < 0) {
        log_error("out of memory");
        goto out;
    }
    if (sig_term == NULL || sig_int == NULL || sig_hup == NULL ||
        sig_usr1 == NULL || event_add(sig_term, NULL) < 0 ||
        event_add(sig_int, NULL) < 0 || event_add(sig_hup, NULL) < 0 ||
        event_add(sig_usr1, NULL) < 0) {
        log_error("cannot install signal handlers");
        goto out;
    }
    if (flusher_start(srv.flusher) < 0) {
        log_error("cannot start the flusher");
        goto out;
    }
    for (int i = 0; i < srv.n_workers; i++) {
        if (worker_start(srv.workers[i]) < 0) {
            log_error("cannot start worker %d", i);
            goto drain;
        }
        started++;
    }
    log_start(cfg);
    sd_notify_send("READY=1");
    event_base_dispatch(base);
    status = 0;

drain:
    /* SPEC 7: stop accepting, answer what is in flight, flush, exit, all
     * within drain_timeout; what Redis has not taken by then is in the
     * log for the next start. */
    drain_start = clock_monotonic_ms();
    for (int i = 0; i < started; i++) {
        worker_drain(srv.workers[i]);
    }
    for (int i = 0; i < started; i++) {
        worker_join(srv.workers[i]);
    }
    int64_t left = flusher_finish(srv.flusher, drain_left_ms(cfg, drain_start));
    if (left > 0) {
        log_warn("%lld aggregate keys could not be written to Redis: they "
                 "are in the log, and go at the next start",
                 (long long)left);
    }
    release_lock(&srv, &fp, drain_left_ms(cfg, drain_start));
    log_info("stopped");
out:
    if (sig_term != NULL) {
        event_free(sig_term);
    }
    if (sig_int != NULL) {
        event_free(sig_int);
    }
    if (sig_hup != NULL) {
        event_free(sig_hup);
    }
    if (sig_usr1 != NULL) {
        event_free(sig_usr1);
    }
    if (rc.sweep_ev != NULL) {
        event_free(rc.sweep_ev);
    }
    admin_destroy(srv.admin);
    /* A last sync round while the logs are open; closing them syncs
     * them too (unless wal_fsync = never). */
    wal_syncer_destroy(srv.syncer);
    for (int i = 0; i < srv.n_workers; i++) {
        worker_destroy(srv.workers[i]);
    }
    free(srv.workers);
    flusher_destroy(srv.flusher);
    if (srv.have_journal) {
        journal_close(&srv.journal);
    }
    datadir_close(&srv.data);
    salt_manager_deinit(&srv.salts);
    optout_registry_deinit(&srv.optouts);
    free_retired(&srv, 1);
    policy_destroy(atomic_load(&srv.policy));
    if (base != NULL) {
        event_base_free(base);
    }
    return status;
}
