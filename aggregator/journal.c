/*
 * journal.c: see journal.h.
 */
#include "aggregator/journal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "aggregator/wal.h"
#include "common/log.h"

#define JOURNAL_LINE_MAX (64 + JOURNAL_WORKERS * 64)
#define JOURNAL_COMPACT_BYTES (1024 * 1024)

/* Appends " ~crc\n" to line (of len bytes, room for 12 more). */
static size_t seal_line(char *line, size_t len)
{
    uint32_t crc = (uint32_t)crc32(0L, (const unsigned char *)line,
                                   (uInt)len);
    return len + (size_t)sprintf(line + len, " ~%08" PRIx32 "\n", crc);
}

/* The line's body when its CRC checks out (the " ~crc\n" cut off), else
 * NULL. */
static char *check_line(char *line)
{
    size_t len = strlen(line);
    if (len < 12 || line[len - 1] != '\n' || line[len - 11] != ' ' ||
        line[len - 10] != '~') {
        return NULL;
    }
    char *end;
    unsigned long want = strtoul(line + len - 9, &end, 16);
    if (end != line + len - 1) {
        return NULL;
    }
    line[len - 11] = '\0';
    return crc32(0L, (const unsigned char *)line, (uInt)(len - 11)) == want
               ? line
               : NULL;
}

/* "w:a[:b]" items after the first word(s) of a line; returns how many,
 * or -1 when one does not parse. */
static int parse_ranges(const char *s, struct journal_range *r, int ends)
{
    int n = 0;
    while (*s == ' ') {
        unsigned w;
        unsigned long long a, b = 0;
        int used = 0;
        int got = ends ? sscanf(s, " %u:%llu:%llu%n", &w, &a, &b, &used)
                       : sscanf(s, " %u:%llu%n", &w, &a, &used);
        if (got != (ends ? 3 : 2) || w >= JOURNAL_WORKERS ||
            n == JOURNAL_WORKERS || (ends && b < a)) {
            return -1;
        }
        r[n++] = (struct journal_range){w, a, b};
        s += used;
    }
    return *s == '\0' ? n : -1;
}

/* Applies one checked line to j; -1 when it makes no sense. */
static int apply_line(struct journal *j, const char *line)
{
    struct journal_range r[JOURNAL_WORKERS];
    unsigned long long seq;
    int used = 0, n;

    switch (line[0]) {
    case 'N':
        if (sscanf(line, "N %llu%n", &seq, &used) != 1 || line[used] != '\0') {
            return -1;
        }
        if (seq > j->next_seq) {
            j->next_seq = seq;
        }
        return 0;
    case 'K':
        n = parse_ranges(line + 1, r, 0);
        for (int i = 0; i < n; i++) {
            j->checkpoint[r[i].worker] = r[i].start;
        }
        return n < 0 ? -1 : 0;
    case 'B':
        if (sscanf(line, "B %llu%n", &seq, &used) != 1 ||
            (n = parse_ranges(line + used, r, 1)) < 0) {
            return -1;
        }
        j->pending = 1;
        j->pending_seq = seq;
        memcpy(j->pending_range, r, (size_t)n * sizeof(r[0]));
        j->n_pending_range = (size_t)n;
        if (seq >= j->next_seq) {
            j->next_seq = seq + 1;
        }
        return 0;
    case 'A':
        if (sscanf(line, "A %llu%n", &seq, &used) != 1 || line[used] != '\0') {
            return -1;
        }
        if (j->pending && j->pending_seq == seq) {
            for (size_t i = 0; i < j->n_pending_range; i++) {
                j->checkpoint[j->pending_range[i].worker] =
                    j->pending_range[i].end;
            }
            j->pending = 0;
        }
        return 0;
    default:
        return -1;
    }
}

static int put_line(struct journal *j, FILE *f, char *line, size_t len)
{
    len = seal_line(line, len);
    if (fwrite(line, 1, len, f) != len || fflush(f) != 0) {
        log_error("journal: %s: write: %s", j->path, strerror(errno));
        /* the file may now end in part of a line, which would hide every
         * line after it from the next start: write it afresh first */
        j->torn |= f == j->f;
        return -1;
    }
    return 0;
}

static size_t put_ranges(char *line, size_t len,
                         const struct journal_range *r, size_t n, int ends)
{
    for (size_t i = 0; i < n; i++) {
        len += (size_t)(ends ? sprintf(line + len, " %u:%llu:%llu",
                                       r[i].worker,
                                       (unsigned long long)r[i].start,
                                       (unsigned long long)r[i].end)
                             : sprintf(line + len, " %u:%llu", r[i].worker,
                                       (unsigned long long)r[i].start));
    }
    return len;
}

/* The pending batch's line "B <seq> <w>:<start>:<end>..." into line. */
static size_t seal_text(const struct journal *j, char *line)
{
    size_t len = (size_t)sprintf(line, "B %llu",
                                 (unsigned long long)j->pending_seq);
    return put_ranges(line, len, j->pending_range, j->n_pending_range, 1);
}

/* Writes the state as a new file and renames it over the journal. */
static int rewrite(struct journal *j)
{
    char tmp[4300], line[JOURNAL_LINE_MAX];
    struct journal_range k[JOURNAL_WORKERS];
    size_t n = 0;

    snprintf(tmp, sizeof(tmp), "%s.new", j->path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        log_error("journal: %s: %s", tmp, strerror(errno));
        return -1;
    }
    for (unsigned w = 0; w < JOURNAL_WORKERS; w++) {
        if (j->checkpoint[w] > 0) {
            k[n++] = (struct journal_range){w, j->checkpoint[w], 0};
        }
    }
    int rc = put_line(j, f, line,
                      (size_t)sprintf(line, "N %llu",
                                      (unsigned long long)j->next_seq));
    size_t len = put_ranges(line, (size_t)sprintf(line, "K"), k, n, 0);
    rc |= put_line(j, f, line, len);
    if (j->pending) {
        rc |= put_line(j, f, line, seal_text(j, line));
    }
    if (rc != 0 || fsync(fileno(f)) != 0) {
        fclose(f);
        unlink(tmp);
        return -1;
    }
    fclose(f);
    if (rename(tmp, j->path) < 0) {
        log_error("journal: %s: rename: %s", j->path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    /* the new name durable too, or a power cut could bring back the old
     * file, without the lines just written */
    char *slash = strrchr(tmp, '/');
    int synced = 1;
    if (j->fsync != WAL_FSYNC_NEVER && slash != NULL) {
        *slash = '\0';
        synced = wal_sync_dir(slash == tmp ? "/" : tmp) == 0;
    }
    if (j->f != NULL) {
        fclose(j->f);
    }
    j->f = fopen(j->path, "a");
    j->torn = j->f == NULL || !synced;
    return j->torn ? -1 : 0;
}

/* Appends a line, after writing the journal afresh if an earlier append
 * failed; makes it durable unless wal_fsync = never. */
static int append(struct journal *j, char *line, size_t len)
{
    if (j->torn && rewrite(j) < 0) {
        return -1;
    }
    if (put_line(j, j->f, line, len) < 0) {
        return -1;
    }
    if (j->fsync != WAL_FSYNC_NEVER && fdatasync(fileno(j->f)) < 0) {
        log_error("journal: %s: fdatasync: %s", j->path, strerror(errno));
        /* the kernel may have dropped the line and cleared the error:
         * the next append writes everything afresh */
        j->torn = 1;
        return -1;
    }
    return 0;
}

int journal_open(struct journal *j, const char *path, uint64_t seq_base,
                 enum wal_fsync fsync, char *err, size_t errlen)
{
    char line[JOURNAL_LINE_MAX + 32];
    memset(j, 0, sizeof(*j));
    snprintf(j->path, sizeof(j->path), "%s", path);
    j->fsync = fsync;
    j->next_seq = seq_base;
    FILE *f = fopen(path, "r");
    if (f == NULL && errno != ENOENT) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    unsigned long lineno = 0;
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        char *body = check_line(line);
        if (body == NULL || apply_line(j, body) < 0) {
            log_warn("journal: %s: line %lu is torn or damaged; the lines "
                     "from there on are ignored",
                     path, lineno);
            break;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    if (rewrite(j) < 0) {
        snprintf(err, errlen, "%s: cannot rewrite: %s", path,
                 strerror(errno));
        return -1;
    }
    return 0;
}

void journal_close(struct journal *j)
{
    if (j->f != NULL) {
        fclose(j->f);
        j->f = NULL;
    }
}

int journal_seal(struct journal *j, uint64_t seq,
                 const struct journal_range *r, size_t n)
{
    if (n > JOURNAL_WORKERS) {
        return -1;
    }
    char line[JOURNAL_LINE_MAX];
    j->pending = 1;
    j->pending_seq = seq;
    memcpy(j->pending_range, r, n * sizeof(r[0]));
    j->n_pending_range = n;
    return append(j, line, seal_text(j, line));
}

int journal_rewrite(struct journal *j)
{
    return rewrite(j);
}

int journal_ack(struct journal *j, uint64_t seq)
{
    char line[64];
    if (!j->pending || j->pending_seq != seq) {
        return -1;
    }
    apply_line(j, (sprintf(line, "A %llu", (unsigned long long)seq), line));
    struct stat st;
    if (j->f == NULL || j->torn ||
        (fstat(fileno(j->f), &st) == 0 &&
         st.st_size > JOURNAL_COMPACT_BYTES)) {
        return rewrite(j);
    }
    /* Durable before the segments it frees go: a start that read the
     * batch as pending would look for their records. */
    return append(j, line, strlen(line));
}
