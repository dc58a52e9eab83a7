/*
 * botlist.h: bot user agents (SPEC 3). A list of case-insensitive
 * substrings, one per line ('#' starts a comment), compiled into one
 * automaton (Aho-Corasick over a folded alphabet), so a user agent is
 * matched against every pattern in one pass over its bytes: no regular
 * expression, no loop over patterns per hit.
 *
 * The shipped list is share/bot-patterns.txt, built into the binary;
 * `[privacy] bot_patterns = FILE` replaces it.
 */
#ifndef BEACON_BOTLIST_H
#define BEACON_BOTLIST_H

#include <stddef.h>

struct botlist;

/* Compiles patterns from text[0..len). Patterns are trimmed (spaces,
 * tabs, the CR of CRLF); empty lines and comments are skipped ('#' at the
 * start of a line or after a blank: "Googlebot  # Google" is "Googlebot",
 * "c#sharp" is a pattern); a pattern longer than 128 bytes or holding a
 * control character is an error naming its line, and so is going past
 * 65535 bytes of patterns in all. Only ASCII letters fold. NULL with err
 * set on error (or out of memory). */
struct botlist *botlist_create(const char *text, size_t len, char *err,
                               size_t errlen);

/* botlist_create() over a file's contents (at most 1 MiB); err names the
 * file. */
struct botlist *botlist_load(const char *path, char *err, size_t errlen);

/* The list built into the binary (share/bot-patterns.txt). */
struct botlist *botlist_default(char *err, size_t errlen);

/* Frees b; NULL is a no-op. */
void botlist_destroy(struct botlist *b);

/* 1 when ua[0..len) contains any pattern (ASCII case-insensitive) or is
 * empty, else 0. Thread-safe: b is read-only after creation. */
int botlist_match(const struct botlist *b, const char *ua, size_t len);

/* Number of patterns compiled (pattern lines, duplicates included). */
size_t botlist_count(const struct botlist *b);

#endif
