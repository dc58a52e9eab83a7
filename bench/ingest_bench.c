/*
 * ingest_bench.c: nanoseconds of beacond's CPU per syslog line, without
 * the socket: the lines of bench/syslog_mix.h (the load of bench/syslog.sh)
 * go straight into ingest_line() on a worker built here (no event loop, no
 * thread; its write-ahead log in a temporary folder, written as the loop
 * turns would, never synced), one flush interval's worth at a time
 * (INGEST_BENCH_LINES, default 100 000: one second at 100k lines/s), and
 * then what the flusher does with
 * that interval: table_merge() of the worker's table into its own,
 * batch_build() of the Redis commands, and their formatting as RESP
 * (proto/resp.c, as the flusher does). Left out: the kernel's part (recvmmsg(),
 * wake-ups: 0.6 to 0.9 us a datagram on loopback on the 2-core benchmark
 * machine, perf on bench/syslog.sh), Redis I/O, and the cache misses of a
 * worker and a flusher sharing one core; bench/syslog.sh measures it all.
 * Also the parse alone, the entries (aggregate keys) a line makes, and the
 * malloc/calloc/realloc calls per line on the worker's part, which must
 * stay 0 once the tables have grown.
 *
 * Twice: 100 000 visitors (as bench/syslog.sh: nearly every line has a new
 * visitor within its flush interval, like real traffic) and 1 000 (most
 * lines repeat a visitor: the floor of the per-line cost).
 *
 *   make bench-micro
 *   INGEST_BENCH_LINES=30000 INGEST_BENCH_ROUNDS=1 valgrind --tool=callgrind \
 *       --toggle-collect=ingest_line build/bench/ingest_bench
 *   (or --toggle-collect=batch_build: the flusher's largest part)
 */
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "aggregator/batch.h"
#include "aggregator/flusher.h"
#include "aggregator/table.h"
#include "aggregator/wal.h"
#include "aggregator/wal_read.h"
#include "bench/syslog_mix.h"
#include "collector/ingest/ingest_line.h"
#include "collector/privacy/policy.h"
#include "collector/server.h"
#include "collector/worker.h"
#include "proto/accesslog.h"
#include "proto/resp.h"
#include "proto/syslog.h"

/* Allocation calls, counted by wrapping glibc's allocator (not under
 * AddressSanitizer, which has its own). */
static unsigned long n_alloc;
#if !defined(__SANITIZE_ADDRESS__)
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);

void *malloc(size_t n)
{
    n_alloc++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    n_alloc++;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    n_alloc++;
    return __libc_realloc(p, n);
}
#define COUNTS_ALLOCS 1
#else
#define COUNTS_ALLOCS 0
#endif

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static long env_long(const char *name, long def)
{
    const char *s = getenv(name);
    return s != NULL && atol(s) > 0 ? atol(s) : def;
}

static volatile size_t sink;

struct lines {
    char *buf;
    size_t *off, *len;
    long n;
};

static void make_lines(struct lines *l, long n, unsigned visitors)
{
    char header[64];
    syslog_mix_header(header, sizeof(header), time(NULL));
    syslog_mix_seed(1);
    l->buf = malloc((size_t)n * SYSLOG_MIX_MAX);
    l->off = malloc((size_t)n * sizeof(*l->off));
    l->len = malloc((size_t)n * sizeof(*l->len));
    if (l->buf == NULL || l->off == NULL || l->len == NULL) {
        fprintf(stderr, "ingest_bench: out of memory\n");
        exit(1);
    }
    size_t at = 0;
    for (long i = 0; i < n; i++) {
        l->off[i] = at;
        l->len[i] = syslog_mix_line(l->buf + at, header, visitors);
        at += l->len[i];
    }
    l->n = n;
}

static void free_lines(struct lines *l)
{
    free(l->buf);
    free(l->off);
    free(l->len);
}

/* The commands of a batch in RESP, as the flusher formats them (into a
 * buffer it keeps) before hiredis queues them. */
static size_t format_batch(const struct batch *b)
{
    static char *buf;
    static size_t cap;
    size_t bytes = 0;
    for (size_t i = 0; i < b->n_cmds; i++) {
        const struct batch_cmd *c = &b->cmds[i];
        if (c->is_script) { /* the SHA the sender puts there */
            c->argv[1] = "0123456789abcdef0123456789abcdef01234567";
            c->argvlen[1] = 40;
        }
        size_t n = resp_command_size(c->argc, c->argvlen);
        if (n > cap) {
            char *p = realloc(buf, n);
            if (p == NULL) {
                continue;
            }
            buf = p;
            cap = n;
        }
        bytes += resp_command_write(buf, c->argc, (const char *const *)c->argv,
                                    c->argvlen);
    }
    return bytes;
}

/* Removes the bench's log folder and its segments. */
static void remove_log(const char *dir)
{
    struct wal_segment *segs;
    char err[128], path[4200];
    long n = wal_list(dir, &segs, err, sizeof(err));
    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, segs[i].name);
        unlink(path);
    }
    if (n >= 0) {
        free(segs);
    }
    rmdir(dir);
}

static int run(struct server *srv, const struct config *cfg, long n_lines,
               int rounds, unsigned visitors)
{
    static struct worker w;
    static struct ingest_scratch scratch;
    struct lines l;
    char err[128];

    make_lines(&l, n_lines, visitors);
    memset(&w, 0, sizeof(w));
    w.srv = srv;
    w.base = event_base_new();
    w.active = table_create();
    /* the write-ahead log, as a worker's (never synced: the disk's speed
     * is not the question here) */
    char dir[] = "/tmp/ingest_bench.XXXXXX";
    struct wal_params wp = {.dir = mkdtemp(dir), .worker = 0,
                            .segment_bytes = 64u << 20,
                            .fsync = WAL_FSYNC_NEVER};
    w.wal = wp.dir != NULL ? wal_open(&wp, 0, err, sizeof(err)) : NULL;
    struct table *next = table_create();
    if (w.base == NULL || w.active == NULL || next == NULL || w.wal == NULL) {
        fprintf(stderr, "ingest_bench: cannot set up a worker\n");
        return -1;
    }
    const struct batch_params params = {
        .prefix = cfg->key_prefix,
        .applied_as = "bench:1",
        .retention_minute_s = cfg->retention_minute_s,
        .retention_hour_s = cfg->retention_hour_s,
        .retention_day_s = cfg->retention_day_s,
        .max_members = cfg->max_members,
        .max_areas = cfg->max_areas,
    };

    double t_worker = 0, t_merge = 0, t_build = 0, t_format = 0;
    unsigned long allocs = 0;
    size_t entries = 0, counted = 0;
    /* Round 0 warms up: the user-agent cache, the tables' growth. */
    for (int r = 0; r <= rounds; r++) {
        size_t n_counted = 0;
        unsigned long a0 = n_alloc;
        double t0 = now_ns();
        for (long i = 0; i < l.n; i++) {
            n_counted += ingest_line(&w, &scratch, l.buf + l.off[i],
                                     l.len[i]) == METRICS_O_counted;
        }
        wal_commit(w.wal); /* the loop turns' writes, at once */
        double t1 = now_ns();
        unsigned long a1 = n_alloc;
        size_t n_entries = table_count(w.active);
        if (table_merge(next, w.active) < 0) {
            fprintf(stderr, "ingest_bench: out of memory\n");
            return -1;
        }
        table_reset(w.active);
        double t2 = now_ns();
        struct batch *b = batch_build(next, (uint64_t)r + 1, &params, err,
                                      sizeof(err));
        if (b == NULL) {
            fprintf(stderr, "ingest_bench: batch_build: %s\n", err);
            return -1;
        }
        double t3 = now_ns();
        sink += format_batch(b);
        double t4 = now_ns();
        batch_destroy(b);
        table_reset(next);
        atomic_store(&srv->backlog.keys, 0);
        if (r > 0) {
            t_worker += t1 - t0;
            t_merge += t2 - t1;
            t_build += t3 - t2;
            t_format += t4 - t3;
            allocs += a1 - a0;
            entries += n_entries;
            counted += n_counted;
        }
    }

    /* The parse alone: syslog header and access-log line. */
    double t0 = now_ns();
    for (int r = 0; r < rounds; r++) {
        for (long i = 0; i < l.n; i++) {
            struct span msg;
            struct accesslog_line al;
            if (syslog_message(l.buf + l.off[i], l.len[i], &msg) == 0 &&
                accesslog_parse(msg.p, msg.len, &al, scratch.unescaped,
                                sizeof(scratch.unescaped), NULL) == 0) {
                sink += al.uri.len;
            }
        }
    }
    double t_parse = now_ns() - t0;

    double per = (double)rounds * (double)l.n;
    double total = t_worker + t_merge + t_build + t_format;
    printf("%u visitors, %ld lines per flush (%.1f%% counted, %.2f entries "
           "a line):\n",
           visitors, l.n, 100.0 * (double)counted / per,
           (double)entries / per);
    printf("  all (worker + flusher):        %7.1f ns a line\n", total / per);
    printf("  worker: ingest_line()          %7.1f ns a line (%s)\n",
           t_worker / per,
           COUNTS_ALLOCS ? (allocs == 0 ? "0 allocations"
                                        : "ALLOCATES")
                         : "allocations not counted");
    if (COUNTS_ALLOCS && allocs > 0) {
        printf("    %.4f allocations a line\n", (double)allocs / per);
    }
    printf("    of which parse (syslog + access log) %5.1f ns\n",
           t_parse / per);
    printf("  flusher: table_merge()         %7.1f ns a line\n",
           t_merge / per);
    printf("  flusher: batch_build()         %7.1f ns a line\n",
           t_build / per);
    printf("  flusher: RESP formatting       %7.1f ns a line\n",
           t_format / per);
    table_destroy(next);
    table_destroy(w.active);
    wal_close(w.wal);
    remove_log(dir);
    event_base_free(w.base);
    free_lines(&l);
    return 0;
}

int main(void)
{
    static struct server srv;
    static struct config cfg;
    char err[256];

    if (sodium_init() < 0) {
        return 1;
    }
    config_defaults(&cfg);
    cfg.n_sites = 2;
    snprintf(cfg.sites[0].host, sizeof(cfg.sites[0].host), "www.example.com");
    snprintf(cfg.sites[0].site, sizeof(cfg.sites[0].site), "example");
    snprintf(cfg.sites[1].host, sizeof(cfg.sites[1].host), "blog.example.org");
    snprintf(cfg.sites[1].site, sizeof(cfg.sites[1].site), "example-blog");
    srv.cfg = &cfg;
    srv.backlog.max_keys = INT64_MAX / 2;
    srv.log_quota = UINT64_MAX / 2;
    /* not started: it only holds the logs' checkpoints (none) */
    struct flusher_params fp = {0};
    srv.flusher = flusher_create(&fp, &srv.backlog);
    if (srv.flusher == NULL) {
        fprintf(stderr, "ingest_bench: out of memory\n");
        return 1;
    }
    struct policy *pol = policy_create(&cfg, 1, err, sizeof(err));
    if (pol == NULL) {
        fprintf(stderr, "ingest_bench: %s\n", err);
        return 1;
    }
    atomic_store(&srv.policy, pol);
    if (salt_manager_init(&srv.salts, SALT_STORE_MEMORY, cfg.key_prefix,
                          time(NULL)) < 0) {
        fprintf(stderr, "ingest_bench: salts\n");
        return 1;
    }
    long n_lines = env_long("INGEST_BENCH_LINES", 100000);
    int rounds = (int)env_long("INGEST_BENCH_ROUNDS", 5);
    int rc = run(&srv, &cfg, n_lines, rounds, 100000) < 0 ||
             run(&srv, &cfg, n_lines, rounds, 1000) < 0;
    salt_manager_deinit(&srv.salts);
    policy_destroy(pol);
    flusher_destroy(srv.flusher);
    return rc;
}
