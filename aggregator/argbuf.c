/*
 * argbuf.c: see argbuf.h.
 */
#include "aggregator/argbuf.h"

#include <stdlib.h>
#include <string.h>

#include "aggregator/batch.h"

int argbuf_add(struct argbuf *a, const char *s, size_t len)
{
    if (a->argc == a->argcap) {
        int ncap = a->argcap ? a->argcap * 2 : 64;
        size_t *off = realloc(a->off, (size_t)ncap * sizeof(*off));
        if (off == NULL) {
            return -1;
        }
        a->off = off;
        size_t *al = realloc(a->arglen, (size_t)ncap * sizeof(*al));
        if (al == NULL) {
            return -1;
        }
        a->arglen = al;
        a->argcap = ncap;
    }
    if (a->len + len > a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 4096;
        while (ncap < a->len + len) {
            ncap *= 2;
        }
        char *nb = realloc(a->buf, ncap);
        if (nb == NULL) {
            return -1;
        }
        a->buf = nb;
        a->cap = ncap;
    }
    memcpy(a->buf + a->len, s, len);
    a->off[a->argc] = a->len;
    a->arglen[a->argc] = len;
    a->len += len;
    a->argc++;
    return 0;
}

int argbuf_str(struct argbuf *a, const char *s)
{
    return argbuf_add(a, s, strlen(s));
}

size_t argbuf_digits(char num[ARGBUF_DIGITS], uint64_t v)
{
    size_t i = ARGBUF_DIGITS;
    do {
        num[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return i;
}

/* Decimal without snprintf: batches carry hundreds of thousands. */
int argbuf_u64(struct argbuf *a, uint64_t v)
{
    char num[ARGBUF_DIGITS];
    size_t i = argbuf_digits(num, v);
    return argbuf_add(a, num + i, ARGBUF_DIGITS - i);
}

int argbuf_append(struct argbuf *a, const struct argbuf *src)
{
    for (int i = 0; i < src->argc; i++) {
        if (argbuf_add(a, src->buf + src->off[i], src->arglen[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

void argbuf_reset(struct argbuf *a)
{
    a->len = 0;
    a->argc = 0;
}

void argbuf_free(struct argbuf *a)
{
    free(a->buf);
    free(a->off);
    free(a->arglen);
}

int argbuf_finish(struct argbuf *a, struct batch_cmd *cmd)
{
    cmd->argv = malloc((size_t)a->argc * sizeof(*cmd->argv));
    if (cmd->argv == NULL) {
        return -1;
    }
    for (int i = 0; i < a->argc; i++) {
        cmd->argv[i] = a->buf + a->off[i];
    }
    cmd->argc = a->argc;
    cmd->argvlen = a->arglen;
    cmd->strings = a->buf;
    free(a->off);
    memset(a, 0, sizeof(*a));
    return 0;
}
