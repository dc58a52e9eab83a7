/*
 * argbuf.h: the arguments of one Redis command as they are built: all
 * strings in one growing buffer, their offsets until the command is done
 * (the buffer may move while it grows). A batch command has 100 000s.
 */
#ifndef BEACON_ARGBUF_H
#define BEACON_ARGBUF_H

#include <stddef.h>
#include <stdint.h>

struct batch_cmd;

struct argbuf {
    char *buf;
    size_t len, cap;
    size_t *off;    /* of each argument in buf */
    size_t *arglen;
    int argc, argcap;
};

/* Append one argument: len bytes, a string, a number in decimal. Each
 * returns 0, or -1 when out of memory (a keeps what it had). */
int argbuf_add(struct argbuf *a, const char *s, size_t len);
int argbuf_str(struct argbuf *a, const char *s);
int argbuf_u64(struct argbuf *a, uint64_t v);

/* Appends src's arguments to a. Returns 0, or -1 when out of memory. */
int argbuf_append(struct argbuf *a, const struct argbuf *src);

/* Empties a, keeping its memory for the next command. */
void argbuf_reset(struct argbuf *a);

/* v in decimal at the end of num: returns where its digits start. */
#define ARGBUF_DIGITS 20
size_t argbuf_digits(char num[ARGBUF_DIGITS], uint64_t v);

/* Hands the arguments over to cmd (argv, argvlen, strings); a is empty
 * afterwards. Returns 0, or -1 when out of memory (a unchanged). */
int argbuf_finish(struct argbuf *a, struct batch_cmd *cmd);

/* Frees what a holds (after a failure). */
void argbuf_free(struct argbuf *a);

#endif
