/*
 * botlist.h: bot user agents (SPEC 3). A list of case-insensitive
 * substrings, one per line ('#' starts a comment), compiled into one
 * automaton (Aho-Corasick over a folded alphabet), so a user agent is
 * matched against every pattern in one pass over its bytes: no regular
 * expression, no loop over patterns per hit.
 *
 * The shipped list is data/bot-patterns.txt, built into the binary;
 * `[privacy] bot_patterns = FILE` replaces it.
 */
#ifndef BEACON_BOTLIST_H
#define BEACON_BOTLIST_H

#include <stddef.h>

struct botlist;

/* Compiles patterns from text[0..len). Patterns are trimmed; empty lines
 * and comments are skipped; a pattern longer than 128 bytes or holding a
 * control character is an error naming its line. NULL with err set on
 * error (or out of memory). */
struct botlist *botlist_create(const char *text, size_t len, char *err,
                               size_t errlen);

/* botlist_create() over a file's contents; err names the file. */
struct botlist *botlist_load(const char *path, char *err, size_t errlen);

/* The list built into the binary (data/bot-patterns.txt). */
struct botlist *botlist_default(char *err, size_t errlen);

/* Frees b; NULL is a no-op. */
void botlist_destroy(struct botlist *b);

/* 1 when ua[0..len) contains any pattern (ASCII case-insensitive) or is
 * empty, else 0. Thread-safe: b is read-only after creation. */
int botlist_match(const struct botlist *b, const char *ua, size_t len);

/* Number of patterns compiled. */
size_t botlist_count(const struct botlist *b);

#endif
