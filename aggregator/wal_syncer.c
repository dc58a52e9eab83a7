/*
 * wal_syncer.c: see wal_syncer.h.
 */
#include "aggregator/wal_syncer.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aggregator/wal.h"
#include "common/log.h"

struct wal_syncer {
    const char *dir;
    int dir_due; /* segments were begun since the folder's last sync */
    uint64_t interval_ms;
    const struct wal **logs;
    int n_logs, max_logs;
    pthread_t thread;
    int started;
    pthread_mutex_t mu; /* retired and stop */
    pthread_cond_t cv;
    int *retired;
    int n_retired, cap_retired;
    int stop;
};

struct wal_syncer *wal_syncer_create(const char *dir, int max_logs,
                                     uint64_t interval_ms)
{
    struct wal_syncer *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->logs = calloc((size_t)max_logs,
                                       sizeof(*s->logs))) == NULL) {
        free(s);
        return NULL;
    }
    s->dir = dir;
    s->dir_due = 1; /* the logs' first segments */
    s->max_logs = max_logs;
    s->interval_ms = interval_ms;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    return s;
}

int wal_syncer_add(struct wal_syncer *s, const struct wal *w)
{
    if (s->n_logs == s->max_logs) {
        return -1;
    }
    s->logs[s->n_logs++] = w;
    return 0;
}

void wal_syncer_retire(void *syncer, int fd)
{
    struct wal_syncer *s = syncer;
    pthread_mutex_lock(&s->mu);
    if (s->n_retired == s->cap_retired) {
        int cap = s->cap_retired ? s->cap_retired * 2 : 8;
        int *r = realloc(s->retired, (size_t)cap * sizeof(*r));
        if (r == NULL) {
            /* Rare (a segment a turn would be a lot): sync it here. */
            pthread_mutex_unlock(&s->mu);
            fdatasync(fd);
            close(fd);
            return;
        }
        s->retired = r;
        s->cap_retired = cap;
    }
    s->retired[s->n_retired++] = fd;
    pthread_mutex_unlock(&s->mu);
}

static void sync_fd(int fd)
{
    if (fdatasync(fd) < 0 && errno != EBADF) {
        log_error("wal: fdatasync: %s", strerror(errno));
    }
}

/* One round: finished segments first (synced and closed), then the
 * current ones. */
static void round_once(struct wal_syncer *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->n_retired;
    int *fds = n > 0 ? malloc((size_t)n * sizeof(*fds)) : NULL;
    if (fds != NULL) {
        memcpy(fds, s->retired, (size_t)n * sizeof(*fds));
        s->n_retired = 0;
    }
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; fds != NULL && i < n; i++) {
        sync_fd(fds[i]);
        close(fds[i]);
    }
    free(fds);
    for (int i = 0; i < s->n_logs; i++) {
        sync_fd(wal_sync_fd(s->logs[i]));
    }
    /* a retired segment means its successor was begun; a failed sync
     * is tried again next round */
    s->dir_due |= n > 0;
    if (s->dir_due && wal_sync_dir(s->dir) == 0) {
        s->dir_due = 0;
    }
}

static void *syncer_main(void *arg)
{
    struct wal_syncer *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stop) {
        struct timespec at;
        clock_gettime(CLOCK_REALTIME, &at);
        at.tv_sec += (time_t)(s->interval_ms / 1000);
        at.tv_nsec += (long)(s->interval_ms % 1000) * 1000000L;
        if (at.tv_nsec >= 1000000000L) {
            at.tv_sec++;
            at.tv_nsec -= 1000000000L;
        }
        while (!s->stop &&
               pthread_cond_timedwait(&s->cv, &s->mu, &at) != ETIMEDOUT) {
        }
        pthread_mutex_unlock(&s->mu);
        round_once(s);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

int wal_syncer_start(struct wal_syncer *s)
{
    if (pthread_create(&s->thread, NULL, syncer_main, s) != 0) {
        return -1;
    }
    s->started = 1;
    return 0;
}

void wal_syncer_destroy(struct wal_syncer *s)
{
    if (s == NULL) {
        return;
    }
    if (s->started) {
        pthread_mutex_lock(&s->mu);
        s->stop = 1;
        pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread, NULL);
    } else {
        round_once(s);
    }
    free(s->retired);
    free(s->logs);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
