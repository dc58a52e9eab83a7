/*
 * batch_send.c: see batch_send.h.
 */
#include "aggregator/batch_send.h"

#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>

#include "aggregator/batch.h"
#include "aggregator/redis_pool.h"
#include "common/ev_timer.h"
#include "common/log.h"
#include "proto/resp.h"

/* Script calls of a batch queued on the connections and not yet answered:
 * enough to keep Redis busy, few enough that a connection's output buffer
 * holds at most this many calls (site_calls.h bounds each) and other
 * clients' commands come in between. */
#define CALLS_IN_FLIGHT 8
/* The RESP buffer is kept for the next batch up to this size. */
#define RESP_KEEP_BYTES (256 * 1024)

static int queue_more(struct batch_send *s);

static void count_error(struct batch_send *s)
{
    atomic_fetch_add_explicit(s->errors, 1, memory_order_relaxed);
}

/* Every reply of the send is in: the owner hears how it went. */
static void finish(struct batch_send *s)
{
    event_del(s->timeout_ev);
    s->busy = 0;
    s->done(s, !s->failed, s->soon);
}

/* The script answers 1 (applied), 0 (a repeat) or -N (applied, N keys of
 * the wrong type skipped); SADD a count. */
static int reply_ok(struct batch_send *s, const redisReply *r)
{
    if (r == NULL || r->type != REDIS_REPLY_INTEGER) {
        return 0;
    }
    if (r->integer < 0) {
        log_warn("redis: batch %llu: %lld keys hold another type and were "
                 "not updated",
                 (unsigned long long)s->b->seq, -r->integer);
    }
    return 1;
}

/*
 * A reply that is not what the send needs: the batch goes again. Returns
 * -1 when the send was given up meanwhile (the connection failed, or the
 * pool went down while following a redirection): its replies no longer
 * count.
 */
static int reply_failed(struct batch_send *s, struct redis_link *link,
                        const redisReply *reply, uint64_t gen)
{
    s->failed = 1;
    count_error(s);
    if (reply == NULL || reply->type != REDIS_REPLY_ERROR) {
        return 0;
    }
    enum cluster_redirect_kind k =
        redis_pool_redirected(s->pool, link, reply->str, reply->len);
    if (k != CLUSTER_NO_REDIRECT || strncmp(reply->str, "TRYAGAIN", 8) == 0 ||
        strncmp(reply->str, "CLUSTERDOWN", 11) == 0) {
        /* a failover, a slot migrating, a cluster forming: sent again
         * soon, to the owner the map names by then */
        log_debug("redis: batch %llu: %s", (unsigned long long)s->b->seq,
                  reply->str);
        s->soon = 1;
        return gen == s->gen && s->busy ? 0 : -1;
    }
    log_warn("redis: batch %llu: %s", (unsigned long long)s->b->seq,
             reply->str);
    /* The server lost the script (restart, SCRIPT FLUSH): a new connection
     * loads it again. */
    if (strncmp(reply->str, "NOSCRIPT", 8) == 0) {
        redis_link_fail(link, "script not loaded");
        return -1; /* the pool went down: the owner forgot this send */
    }
    return 0;
}

/* One reply fewer to wait for: queue what may follow, or finish. */
static void reply_counted(struct batch_send *s)
{
    s->replies_pending--;
    if (queue_more(s) < 0) {
        return; /* given up: the owner forgot this send */
    }
    if (s->replies_pending == 0) {
        finish(s);
    }
}

static void on_reply(redisAsyncContext *ac, void *r, void *priv)
{
    struct redis_link *link = ac->data;
    struct batch_send *s = redis_pool_arg_of(link);
    uint64_t gen = (uint64_t)(uintptr_t)priv;

    if (gen != s->gen || !s->busy) {
        return; /* a reply to a send we already gave up on */
    }
    if (!reply_ok(s, r) && reply_failed(s, link, r, gen) < 0) {
        return;
    }
    reply_counted(s);
}

/* The replicas that must hold what a send wrote on l. */
static int replicas_wanted(const struct batch_send *s,
                           const struct redis_link *l)
{
    if (s->min_replicas_ack >= 0) {
        return s->min_replicas_ack;
    }
    return redis_pool_replicas(s->pool, l) > 0 ? 1 : 0;
}

static void on_wait(redisAsyncContext *ac, void *r, void *priv)
{
    struct redis_link *link = ac->data;
    struct batch_send *s = redis_pool_arg_of(link);
    const redisReply *reply = r;
    uint64_t gen = (uint64_t)(uintptr_t)priv;

    if (gen != s->gen || !s->busy) {
        return;
    }
    int want = replicas_wanted(s, link);
    if (reply != NULL && reply->type == REDIS_REPLY_INTEGER &&
        reply->integer < want) {
        /* Not yet on enough replicas: a master lost now could take the
         * batch with it, so it is not checkpointed; it goes again (its
         * calls answer 0) and is waited for again. */
        log_warn("redis: batch %llu: %lld of %d replicas acknowledged it",
                 (unsigned long long)s->b->seq, reply->integer, want);
        s->failed = 1;
    } else if ((reply == NULL || reply->type != REDIS_REPLY_INTEGER) &&
               reply_failed(s, link, reply, gen) < 0) {
        return;
    }
    reply_counted(s);
}

/* Notes that the send wrote on l. Returns -1 when out of memory. */
static int note_written(struct batch_send *s, struct redis_link *l)
{
    for (size_t i = 0; i < s->n_written; i++) {
        if (s->written[i] == l) {
            return 0;
        }
    }
    if (s->n_written == s->cap_written) {
        size_t cap = s->cap_written ? 2 * s->cap_written : 4;
        struct redis_link **n = realloc(s->written, cap * sizeof(*n));
        if (n == NULL) {
            return -1;
        }
        s->written = n;
        s->cap_written = cap;
    }
    s->written[s->n_written++] = l;
    return 0;
}

/* Queues one command on ac, formatted in s->resp. Returns REDIS_OK or
 * REDIS_ERR. */
static int queue_command(struct batch_send *s, redisAsyncContext *ac,
                         const struct batch_cmd *c)
{
    size_t n = resp_command_size(c->argc, c->argvlen);
    if (n > s->resp_cap) {
        char *p = realloc(s->resp, n);
        if (p == NULL) {
            return REDIS_ERR;
        }
        s->resp = p;
        s->resp_cap = n;
    }
    n = resp_command_write(s->resp, c->argc, (const char *const *)c->argv,
                           c->argvlen);
    return redisAsyncFormattedCommand(ac, on_reply, (void *)(uintptr_t)s->gen,
                                      s->resp, n);
}

/* The key a command is routed by: a script's first key, else the
 * command's first argument. */
static void route_key(const struct batch_cmd *c, const char **key, size_t *len)
{
    int at = c->is_script ? 3 : 1;
    *key = c->argv[at];
    *len = c->argvlen[at];
}

/* A queueing failure: the send is given up and the connections dropped
 * (they come back, and the pool's "up" sends the batch again). */
static int queue_failed(struct batch_send *s, const char *why)
{
    s->busy = 0;
    s->gen++;
    event_del(s->timeout_ev);
    count_error(s);
    redis_pool_fail(s->pool, why);
    return -1;
}

/* After the batch's last command: a WAIT on each connection it wrote to
 * whose master must have replicas hold it. */
static int queue_waits(struct batch_send *s)
{
    long long timeout = (long long)(s->timeout_ms / 2);
    if (redis_pool_epoch(s->pool) != s->written_epoch) {
        /* a connection written to was closed (its node left the map):
         * what went there cannot be waited for; the batch goes again */
        s->failed = 1;
        s->soon = 1;
        s->n_written = 0;
        return 0;
    }
    for (size_t i = 0; i < s->n_written; i++) {
        struct redis_link *l = s->written[i];
        redisAsyncContext *ac = redis_link_ctx(l);
        int want = replicas_wanted(s, l);
        if (want == 0) {
            continue;
        }
        if (ac == NULL ||
            redisAsyncCommand(ac, on_wait, (void *)(uintptr_t)s->gen,
                              "WAIT %d %lld", want,
                              timeout > 0 ? timeout : 1) != REDIS_OK) {
            return queue_failed(s, "cannot queue WAIT");
        }
        s->replies_pending++;
    }
    s->n_written = 0;
    return 0;
}

/*
 * Queues the next commands of the batch in flight, each on its key's
 * connection, until CALLS_IN_FLIGHT are unanswered; none after a failure
 * (the calls after a failed one are refused anyway, and the batch goes
 * again). A command whose master is not connected fails the send too.
 * Returns -1 when the send was given up.
 */
static int queue_more(struct batch_send *s)
{
    struct batch *b = s->b;

    while (!s->failed && s->replies_pending < CALLS_IN_FLIGHT &&
           s->next_cmd < b->n_cmds) {
        struct batch_cmd *c = &b->cmds[s->next_cmd];
        const char *key;
        size_t len;
        int asking;
        route_key(c, &key, &len);
        struct redis_link *l = redis_pool_route(s->pool, key, len, &asking);
        redisAsyncContext *ac = l != NULL ? redis_link_ctx(l) : NULL;
        if (ac == NULL) {
            /* its master is away (a failover under way): the pool goes
             * down and comes up again with the new one */
            s->failed = 1;
            s->soon = 1;
            break;
        }
        if (c->is_script) {
            c->argv[1] = redis_link_script_sha(l);
            c->argvlen[1] = 40;
        }
        if ((asking &&
             redisAsyncCommand(ac, NULL, NULL, "ASKING") != REDIS_OK) ||
            queue_command(s, ac, c) != REDIS_OK || note_written(s, l) < 0) {
            return queue_failed(s, "cannot queue a command");
        }
        s->next_cmd++;
        s->replies_pending++;
        if (s->next_cmd == b->n_cmds && queue_waits(s) < 0) {
            return -1;
        }
    }
    /* hiredis has copied the commands: a burst's buffer is not kept */
    if (s->resp_cap > RESP_KEEP_BYTES) {
        free(s->resp);
        s->resp = NULL;
        s->resp_cap = 0;
    }
    return 0;
}

void batch_send_start(struct batch_send *s, struct batch *b)
{
    s->b = b;
    s->gen++;
    s->busy = 1;
    s->failed = 0;
    s->soon = 0;
    s->next_cmd = 0;
    s->n_written = 0;
    s->written_epoch = redis_pool_epoch(s->pool);
    s->replies_pending = 0;
    if (queue_more(s) < 0) {
        return;
    }
    if (s->replies_pending == 0) {
        finish(s); /* nothing could be queued: the owner retries */
        return;
    }
    ev_arm_ms(s->timeout_ev, s->timeout_ms);
}

int batch_send_forget(struct batch_send *s)
{
    if (!s->busy) {
        return 0;
    }
    /* Replies of this send will not come (or come as NULL): the next
     * send's tag differs. */
    s->gen++;
    s->busy = 0;
    event_del(s->timeout_ev);
    return 1;
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct batch_send *s = arg;
    (void)fd;
    (void)what;
    log_warn("redis: batch not acknowledged within %llu ms",
             (unsigned long long)s->timeout_ms);
    redis_pool_fail(s->pool, "command timed out");
}

int batch_send_init(struct batch_send *s, struct event_base *base)
{
    memset(s, 0, sizeof(*s));
    s->min_replicas_ack = -1;
    s->timeout_ev = evtimer_new(base, on_timeout, s);
    return s->timeout_ev != NULL ? 0 : -1;
}

void batch_send_deinit(struct batch_send *s)
{
    if (s->timeout_ev != NULL) {
        event_free(s->timeout_ev);
    }
    free(s->written);
    free(s->resp);
    memset(s, 0, sizeof(*s));
}
