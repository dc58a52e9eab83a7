/*
 * log.c: one line per message on stderr or a file,
 * "2026-11-26T15:57:28.123Z info text". A line is formatted into one buffer
 * and written with one write(2) so that lines from different threads never
 * interleave.
 */
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* The only process-wide mutable state besides signal flags: the level is
 * read on every log call from every thread and changed on reload. */
static _Atomic int log_level_current = LOG_INFO;
/* Where lines go: stderr, or the log file's descriptor, whose number stays
 * the same when the file is reopened (dup3 swaps what it points at). */
static _Atomic int log_fd = STDERR_FILENO;

const char *log_level_name(enum log_level l)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    return (unsigned)l < 4 ? names[l] : "?";
}

int log_to_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        return -1;
    }
    int cur = atomic_load(&log_fd);
    if (cur == STDERR_FILENO) {
        atomic_store(&log_fd, fd);
        return 0;
    }
    int rc = dup3(fd, cur, O_CLOEXEC);
    int e = errno;
    close(fd);
    errno = e;
    return rc < 0 ? -1 : 0;
}

void log_set_level(enum log_level level)
{
    atomic_store(&log_level_current, (int)level);
}

int log_enabled(enum log_level level)
{
    return (int)level >= atomic_load_explicit(&log_level_current,
                                              memory_order_relaxed);
}

void log_write(enum log_level level, const char *fmt, ...)
{
    char line[1024];
    struct timeval tv;
    struct tm tm;
    size_t n;
    int k;
    va_list ap;

    if (!log_enabled(level)) {
        return;
    }
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    k = snprintf(line + n, sizeof(line) - n, ".%03dZ %s ",
                 (int)(tv.tv_usec / 1000), log_level_name(level));
    n += (size_t)k;
    va_start(ap, fmt);
    k = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    if (k < 0) {
        return;
    }
    n += (size_t)k < sizeof(line) - n - 1 ? (size_t)k : sizeof(line) - n - 2;
    line[n++] = '\n';
    /* stderr may be a closed pipe; there is nowhere to report that. */
    if (write(atomic_load_explicit(&log_fd, memory_order_relaxed), line, n) <
        0) {
        return;
    }
}
