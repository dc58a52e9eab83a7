/*
 * wal.c: see wal.h.
 */
#include "aggregator/wal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "proto/walrec.h"

/* One block: records past its limit are written before the turn ends. */
#define WAL_BUFFER_BYTES (WALREC_BLOCK_HEADER + WALREC_BLOCK_MAX)

struct wal {
    struct wal_params p;
    _Atomic int fd;
    uint64_t seg_used;  /* bytes of the segment written, header included */
    uint64_t position;  /* after the last record appended */
    char *buf;          /* the block being filled, at its start */
    size_t buf_len;     /* 0: no block open */
    int pending;
};

static void put_le(unsigned char *b, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        b[i] = (unsigned char)(v >> (8 * i));
    }
}

/* Creates the segment that starts at w->position; -1 (errno set) when it
 * cannot. */
static int segment_open(struct wal *w)
{
    char path[4200];
    unsigned char head[WAL_HEADER_BYTES] = {0};

    snprintf(path, sizeof(path), "%s/w%03u-%016llx.wal", w->p.dir,
             w->p.worker, (unsigned long long)w->position);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return -1;
    }
    int rc = posix_fallocate(fd, 0, (off_t)w->p.segment_bytes);
    memcpy(head, WAL_MAGIC, 8);
    put_le(head + 8, WAL_FORMAT, 4);
    put_le(head + 12, w->p.worker, 4);
    put_le(head + 16, w->position, 8);
    if (rc != 0 || write(fd, head, sizeof(head)) != (ssize_t)sizeof(head)) {
        int e = rc != 0 ? rc : errno != 0 ? errno : EIO;
        close(fd);
        unlink(path);
        errno = e;
        return -1;
    }
    if (w->p.fsync == WAL_FSYNC_ALWAYS && wal_sync_dir(w->p.dir) < 0) {
        close(fd);
        unlink(path);
        errno = EIO;
        return -1;
    }
    int old = atomic_exchange(&w->fd, fd);
    if (old >= 0) {
        if (w->p.retire != NULL) {
            w->p.retire(w->p.retire_arg, old);
        } else {
            close(old);
        }
    }
    w->seg_used = WAL_HEADER_BYTES;
    return 0;
}

struct wal *wal_open(const struct wal_params *p, uint64_t start, char *err,
                     size_t errlen)
{
    struct wal *w = calloc(1, sizeof(*w));
    if (w == NULL || (w->buf = malloc(WAL_BUFFER_BYTES)) == NULL) {
        snprintf(err, errlen, "out of memory");
        free(w);
        return NULL;
    }
    w->p = *p;
    w->position = start;
    atomic_init(&w->fd, -1);
    int bad = p->segment_bytes <
                  WAL_HEADER_BYTES + WALREC_BLOCK_HEADER + WALREC_MAX ||
              p->worker >= WAL_WORKERS;
    if (bad) {
        errno = EINVAL;
    }
    if (bad || segment_open(w) < 0) {
        snprintf(err, errlen, "%s: cannot create a log segment: %s", p->dir,
                 strerror(errno));
        free(w->buf);
        free(w);
        return NULL;
    }
    return w;
}

void wal_close(struct wal *w)
{
    if (w == NULL) {
        return;
    }
    wal_commit(w);
    int fd = atomic_exchange(&w->fd, -1);
    if (w->p.fsync != WAL_FSYNC_NEVER) {
        fdatasync(fd);
    }
    close(fd);
    free(w->buf);
    free(w);
}

/* The bytes a record of len takes: its block's header too when it opens
 * the block. */
static size_t record_cost(const struct wal *w, size_t len)
{
    return len + (w->buf_len == 0 ? WALREC_BLOCK_HEADER : 0);
}

int wal_reserve(struct wal *w, size_t len)
{
    if (w->buf_len + record_cost(w, len) > WAL_BUFFER_BYTES &&
        wal_commit(w) < 0) {
        return -1;
    }
    if (w->seg_used + w->buf_len + record_cost(w, len) >
        w->p.segment_bytes) {
        if (wal_commit(w) < 0) {
            return -1;
        }
        if (segment_open(w) < 0) {
            log_warn("wal: %s: cannot start a segment: %s", w->p.dir,
                     strerror(errno));
            return -1;
        }
    }
    return 0;
}

char *wal_space(struct wal *w)
{
    return w->buf + w->buf_len + record_cost(w, 0);
}

void wal_append(struct wal *w, size_t len)
{
    size_t cost = record_cost(w, len);
    w->buf_len += cost;
    w->position += cost;
    w->pending++;
}

uint64_t wal_position(const struct wal *w)
{
    return w->position;
}

int wal_pending(const struct wal *w)
{
    return w->pending;
}

int wal_commit(struct wal *w)
{
    int fd = atomic_load(&w->fd);
    size_t done = 0;
    if (w->buf_len > 0) {
        walrec_block_seal(w->buf, w->buf_len - WALREC_BLOCK_HEADER);
    }
    while (done < w->buf_len) {
        ssize_t n = pwrite(fd, w->buf + done, w->buf_len - done,
                           (off_t)(w->seg_used + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            log_error("wal: %s: write: %s", w->p.dir,
                      n < 0 ? strerror(errno) : "nothing written");
            return -1;
        }
        done += (size_t)n;
    }
    w->seg_used += w->buf_len;
    w->buf_len = 0;
    w->pending = 0;
    if (w->p.fsync == WAL_FSYNC_ALWAYS && done > 0 && fdatasync(fd) < 0) {
        log_error("wal: %s: fdatasync: %s", w->p.dir, strerror(errno));
        return -1;
    }
    return 0;
}

int wal_sync_fd(const struct wal *w)
{
    return atomic_load(&w->fd);
}

int wal_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) < 0) {
        log_error("wal: %s: cannot sync the folder: %s", dir,
                  strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    close(fd);
    return 0;
}
