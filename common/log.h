/*
 * log.h: leveled log lines on stderr, or in a file. Never given a client address or a
 * per-hit detail: the privacy promise of SPEC 3 covers the log.
 */
#ifndef BEACON_LOG_H
#define BEACON_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* "debug" "info" "warn" "error" */
const char *log_level_name(enum log_level l);

/* Lines below this level are not written. Set once at start and on reload;
 * read by every thread, hence atomic inside. */
void log_set_level(enum log_level level);
int log_enabled(enum log_level level);

/* Sends the lines to path (appended; created mode 0640) instead of
 * stderr. Called again, reopens it (SIGUSR1, after the file was rotated):
 * lines go to the new file from then on. Call it first before threads
 * start. Returns 0, or -1 with errno set (the lines go where they went). */
int log_to_file(const char *path);

void log_write(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__)

#endif
