/*
 * datadir.h: the data dir, where the write-ahead log and its journal live.
 *
 *   <data_dir>/META       "beacond data dir", the format, the instance id,
 *                         the first batch sequence number and the log id,
 *                         one a line
 *   <data_dir>/LOCK       held (flock) while a beacond uses the dir
 *   <data_dir>/journal    the batches sent and acknowledged (journal.h)
 *   <data_dir>/wal/       the workers' log segments (wal.h)
 *   <data_dir>/damaged/   segments set aside after a torn or damaged record
 *
 * A dir of another instance, of a newer format, or in use by another
 * process is refused: two writers, or a log read as something else, would
 * count hits twice or not at all.
 */
#ifndef BEACON_DATADIR_H
#define BEACON_DATADIR_H

#include <stddef.h>
#include <stdint.h>

#define DATADIR_FORMAT 2 /* 2: META names the log id */
#define DATADIR_LOG_ID_LEN 16
#define DATADIR_PATH_MAX 4096

struct datadir {
    char root[DATADIR_PATH_MAX];
    char wal[DATADIR_PATH_MAX + 8];
    char damaged[DATADIR_PATH_MAX + 16];
    char journal[DATADIR_PATH_MAX + 16];
    /* Batch sequence numbers of a new dir start here: the time it was
     * created, in milliseconds, so they stay above those of a dir it
     * replaces (the sequences grow by one a batch). */
    uint64_t seq_base;
    /* Random, made with the dir: its batches are applied under an
     * applied-key of their own (P:{S}:applied:<instance>:<log id>), so
     * a dir made afresh while the clock reads earlier than its
     * predecessor's batches cannot have its batches taken for theirs. ""
     * for a dir of format 1, whose batches keep P:{S}:applied:<instance>. */
    char log_id[DATADIR_LOG_ID_LEN + 1];
    int lock_fd;
};

/* Opens (creating it and its folders when new) the data dir at path for
 * instance. Returns 0, or -1 with err filled. */
int datadir_open(struct datadir *d, const char *path, const char *instance,
                 char *err, size_t errlen);

/* Releases the lock. */
void datadir_close(struct datadir *d);

/* Moves segment `name` of the log into damaged/ (prefixed with the time),
 * for inspection. Returns 0 or -1 (logged). */
int datadir_set_aside(const struct datadir *d, const char *name);

/* Copies segment `name` of the log into damaged/ the same way, leaving
 * it in place. Returns 0 or -1 (logged). */
int datadir_copy_aside(const struct datadir *d, const char *name);

#endif
