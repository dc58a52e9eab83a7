/*
 * datadir.c: see datadir.h.
 */
#include "aggregator/datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aggregator/wal.h"
#include "common/clock.h"
#include "common/log.h"

#define META_HEAD "beacond data dir"

/* mkdir that accepts an existing folder. */
static int make_dir(const char *path)
{
    return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* mkdir -p of path's folders and path itself. */
static int make_dirs(const char *path)
{
    char buf[DATADIR_PATH_MAX];
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            if (make_dir(buf) < 0) {
                return -1;
            }
            *p = '/';
        }
    }
    return make_dir(buf);
}

/* A random log id for a new dir. */
static void new_log_id(struct datadir *d)
{
    unsigned char id[DATADIR_LOG_ID_LEN / 2];
    randombytes_buf(id, sizeof(id));
    sodium_bin2hex(d->log_id, sizeof(d->log_id), id, sizeof(id));
}

/* Writes a new META atomically (a temporary file renamed over it). */
static int meta_write(const struct datadir *d, const char *instance)
{
    char path[DATADIR_PATH_MAX + 16], tmp[DATADIR_PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/META", d->root);
    snprintf(tmp, sizeof(tmp), "%s/META.new", d->root);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        return -1;
    }
    fprintf(f, "%s\nformat %d\ninstance %s\nseq_base %llu\nlog %s\n",
            META_HEAD, DATADIR_FORMAT, instance,
            (unsigned long long)d->seq_base, d->log_id);
    int rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
    if (fclose(f) != 0 || rc < 0 || rename(tmp, path) < 0) {
        unlink(tmp);
        return -1;
    }
    /* META's name durable too: a dir that lost it after a power cut would
     * get a new log id, and its pending batch another applied-key */
    return wal_sync_dir(d->root);
}

/* Reads META: 1 when it exists and is ours, 0 when there is none, -1
 * with err filled when it is not ours. */
static int meta_read(struct datadir *d, const char *instance, char *err,
                     size_t errlen)
{
    char path[DATADIR_PATH_MAX + 16], head[64], inst[256];
    int format;
    unsigned long long base;
    snprintf(path, sizeof(path), "%s/META", d->root);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        if (errno == ENOENT) {
            return 0;
        }
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int ok = fgets(head, sizeof(head), f) != NULL &&
             strcmp(head, META_HEAD "\n") == 0 &&
             fscanf(f, "format %d\ninstance %255s\nseq_base %llu", &format,
                    inst, &base) == 3;
    /* format 1 has no log id: its batches keep the applied-key they had */
    ok = ok && (format < 2 || (fscanf(f, "\nlog %16[0-9a-f]", d->log_id) == 1 &&
                               strlen(d->log_id) == DATADIR_LOG_ID_LEN));
    fclose(f);
    if (!ok) {
        snprintf(err, errlen, "%s: not a beacond data dir", path);
        return -1;
    }
    if (format > DATADIR_FORMAT) {
        snprintf(err, errlen,
                 "%s: format %d is newer than this beacond's (%d)", path,
                 format, DATADIR_FORMAT);
        return -1;
    }
    if (strcmp(inst, instance) != 0) {
        snprintf(err, errlen,
                 "%s: the data dir of instance \"%s\", not \"%s\" (each "
                 "instance needs its own)",
                 path, inst, instance);
        return -1;
    }
    d->seq_base = base;
    return 1;
}

int datadir_open(struct datadir *d, const char *path, const char *instance,
                 char *err, size_t errlen)
{
    char lock[DATADIR_PATH_MAX + 16];
    memset(d, 0, sizeof(*d));
    d->lock_fd = -1;
    if (strlen(path) >= DATADIR_PATH_MAX || strlen(instance) > 255) {
        snprintf(err, errlen, "data_dir or instance_id too long");
        return -1;
    }
    snprintf(d->root, sizeof(d->root), "%s", path);
    snprintf(d->wal, sizeof(d->wal), "%s/wal", path);
    snprintf(d->damaged, sizeof(d->damaged), "%s/damaged", path);
    snprintf(d->journal, sizeof(d->journal), "%s/journal", path);
    snprintf(lock, sizeof(lock), "%s/LOCK", path);
    if (make_dirs(d->root) < 0 || make_dir(d->wal) < 0 ||
        make_dir(d->damaged) < 0) {
        snprintf(err, errlen, "%s: cannot create: %s", path,
                 strerror(errno));
        return -1;
    }
    d->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (d->lock_fd < 0 || flock(d->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        snprintf(err, errlen, "%s: %s", lock,
                 errno == EWOULDBLOCK ? "in use by another beacond"
                                      : strerror(errno));
        datadir_close(d);
        return -1;
    }
    int rc = meta_read(d, instance, err, errlen);
    if (rc == 0) {
        d->seq_base = clock_wall_ms();
        new_log_id(d);
        if (meta_write(d, instance) < 0) {
            snprintf(err, errlen, "%s/META: cannot write: %s", path,
                     strerror(errno));
            rc = -1;
        }
    }
    if (rc < 0) {
        datadir_close(d);
        return -1;
    }
    return 0;
}

void datadir_close(struct datadir *d)
{
    if (d->lock_fd >= 0) {
        close(d->lock_fd);
        d->lock_fd = -1;
    }
}

int datadir_set_aside(const struct datadir *d, const char *name)
{
    char from[DATADIR_PATH_MAX + 80], to[DATADIR_PATH_MAX + 120];
    snprintf(from, sizeof(from), "%s/%s", d->wal, name);
    snprintf(to, sizeof(to), "%s/%lld-%s", d->damaged, (long long)time(NULL),
             name);
    if (rename(from, to) < 0) {
        log_error("data dir: cannot move %s aside: %s", from,
                  strerror(errno));
        return -1;
    }
    log_warn("data dir: %s moved to %s", from, to);
    return 0;
}

int datadir_copy_aside(const struct datadir *d, const char *name)
{
    char from[DATADIR_PATH_MAX + 80], to[DATADIR_PATH_MAX + 120];
    char buf[64 * 1024];
    snprintf(from, sizeof(from), "%s/%s", d->wal, name);
    snprintf(to, sizeof(to), "%s/%lld-%s", d->damaged, (long long)time(NULL),
             name);
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = in >= 0 && out >= 0 ? 0 : -1;
    ssize_t n;
    while (rc == 0 && (n = read(in, buf, sizeof(buf))) != 0) {
        if (n < 0 || write(out, buf, (size_t)n) != n) {
            rc = -1;
        }
    }
    if (rc < 0) {
        log_error("data dir: cannot copy %s to %s: %s", from, to,
                  strerror(errno));
    } else {
        log_warn("data dir: %s copied to %s", from, to);
    }
    if (in >= 0) {
        close(in);
    }
    if (out >= 0) {
        close(out);
    }
    return rc;
}
