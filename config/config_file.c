/*
 * config_file.c: reads beacond.conf with inih and hands each key to
 * config_set, so that every error can name FILE:LINE.
 *
 * inih numbers lines but tells the handler nothing about them, cuts long
 * lines in two without a word, ignores text after "[section]" and reads
 * an indented line as the continuation of the key above it. So inih reads
 * through read_line below, which counts lines, refuses long ones and NUL
 * bytes, and checks section lines. A key is applied once its value is
 * complete: when the next key or the end of the file shows that no more
 * continuation lines follow. Only list keys take continuation lines.
 *
 * On an error, c holds the keys read before it: callers start again from
 * the defaults (a reload builds a new config and swaps it whole).
 */
#include "config/config.h"
#include "config/config_parse.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

#define TEXT_MAX 4096
#define VALUE_MAX 8192

struct load {
    struct config *c;
    FILE *f;
    int lineno;
    int indented;        /* this line starts with a blank */
    int after_key;       /* a key was seen since the last section line */
    char text[TEXT_MAX]; /* this line without its outer blanks */
    int read_errno;      /* the file could not be read */

    /* the key whose value may still go on */
    int pending;
    int pending_line;
    char pending_section[64];
    char pending_key[256];
    char pending_value[VALUE_MAX];

    /* the first error */
    int err_line;
    char err[CONFIG_ERR_LEN];
};

static void load_fail(struct load *x, int line, const char *msg)
{
    if (x->err_line == 0) {
        x->err_line = line;
        snprintf(x->err, sizeof(x->err), "%s", msg);
    }
}

/* Copies s without the blanks around it, as inih sees it. */
static void trim_into(char *out, size_t outlen, const char *s)
{
    size_t len;

    while (isspace((unsigned char)*s)) {
        s++;
    }
    len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1])) {
        len--;
    }
    if (len >= outlen) {
        len = outlen - 1;
    }
    memmove(out, s, len); /* out may be s itself */
    out[len] = '\0';
}

/* A section line must be "[name]", a known name, then at most a comment. */
static void check_section_line(struct load *x)
{
    char msg[CONFIG_ERR_LEN];
    char name[64];
    const char *close = strchr(x->text, ']');
    const char *rest;
    size_t len;

    if (close == NULL) {
        return; /* inih reports it */
    }
    rest = close + 1 + strspn(close + 1, " \t");
    if (*rest != '\0' && *rest != '#' && *rest != ';') {
        load_fail(x, x->lineno, "unexpected text after ']'");
        return;
    }
    len = (size_t)(close - x->text - 1);
    if (len >= sizeof(name)) {
        len = sizeof(name) - 1;
    }
    memcpy(name, x->text + 1, len);
    name[len] = '\0';
    if (!config_section_known(name)) {
        snprintf(msg, sizeof(msg), "unknown section [%s]", name);
        load_fail(x, x->lineno, msg);
    }
    x->after_key = 0;
}

/* inih's fgets: one physical line per call, or NULL to stop. */
static char *read_line(char *str, int num, void *stream)
{
    struct load *x = stream;
    int n = 0;
    int ch;

    if (x->err_line != 0) {
        return NULL;
    }
    while ((ch = getc(x->f)) != '\n') {
        if (ch == EOF) {
            if (ferror(x->f)) {
                x->read_errno = errno != 0 ? errno : EIO;
                return NULL;
            }
            if (n == 0) {
                return NULL;
            }
            break;
        }
        if (ch == '\0') {
            load_fail(x, x->lineno + 1, "NUL byte in the line");
            return NULL;
        }
        if (n + 1 >= num || n + 1 >= TEXT_MAX) {
            char msg[96];
            snprintf(msg, sizeof(msg),
                     "line longer than %d bytes: put a long list on "
                     "indented continuation lines",
                     (num < TEXT_MAX ? num : TEXT_MAX) - 1);
            load_fail(x, x->lineno + 1, msg);
            return NULL;
        }
        str[n++] = (char)ch;
    }
    str[n] = '\0';
    x->lineno++;
    if (x->lineno == 1 && strncmp(str, "\xEF\xBB\xBF", 3) == 0) {
        memmove(str, str + 3, (size_t)n - 2);
    }
    x->indented = isspace((unsigned char)str[0]);
    trim_into(x->text, sizeof(x->text), str);
    if (x->text[0] == '[' && !(x->indented && x->after_key)) {
        check_section_line(x);
    }
    return str;
}

/* Applies the pending key, if any; errors name its first line. */
static int flush_pending(struct load *x)
{
    char err[CONFIG_ERR_LEN];

    if (!x->pending) {
        return 0;
    }
    x->pending = 0;
    if (config_set(x->c, x->pending_section, x->pending_key, x->pending_value,
                   err, sizeof(err)) < 0) {
        load_fail(x, x->pending_line, err);
        return -1;
    }
    return 0;
}

/* Cuts an inline comment: '#' or ';' after a blank. */
static void cut_comment(char *s)
{
    for (char *p = s; *p != '\0'; p++) {
        if ((*p == '#' || *p == ';') && p > s &&
            isspace((unsigned char)p[-1])) {
            *p = '\0';
            break;
        }
    }
    trim_into(s, strlen(s) + 1, s);
}

/* Whether a continuation line reads "known_key = ...": indented keys. */
static int looks_like_key(const char *section, const char *line)
{
    char name[64];
    size_t n = strspn(line, "abcdefghijklmnopqrstuvwxyz_");

    if (n == 0 || n >= sizeof(name) ||
        line[n + strspn(line + n, " \t")] != '=') {
        return 0;
    }
    memcpy(name, line, n);
    name[n] = '\0';
    return config_key_known(section, name);
}

static int on_value(void *user, const char *section, const char *name,
                    const char *value)
{
    struct load *x = user;
    char msg[CONFIG_ERR_LEN];
    size_t have = strlen(x->pending_value);
    size_t add = strlen(value);

    x->after_key = 1;
    if (x->indented && x->pending && strcmp(value, x->text) == 0) {
        /*
         * A continuation line: only then does inih pass the whole line as
         * the value (it may pass a long key name cut short, so the pending
         * key is the one continued).
         */
        if (!config_key_is_list(x->pending_section, x->pending_key) ||
            looks_like_key(x->pending_section, value)) {
            snprintf(msg, sizeof(msg),
                     "indented line continues '%.64s': keys must not be "
                     "indented, and only lists take continuation lines",
                     x->pending_key);
            load_fail(x, x->lineno, msg);
            return 0;
        }
        if (have + 1 + add >= sizeof(x->pending_value)) {
            load_fail(x, x->lineno, "value too long");
            return 0;
        }
        x->pending_value[have] = ' ';
        memcpy(x->pending_value + have + 1, value, add + 1);
        cut_comment(x->pending_value + have + 1);
        return 1;
    }
    if (flush_pending(x) < 0) {
        return 0;
    }
    if (*section == '\0') {
        snprintf(msg, sizeof(msg), "key '%.64s' before any [section]", name);
        load_fail(x, x->lineno, msg);
        return 0;
    }
    if (strlen(section) >= sizeof(x->pending_section) ||
        strlen(name) >= sizeof(x->pending_key) ||
        add >= sizeof(x->pending_value)) {
        load_fail(x, x->lineno, "key or value too long");
        return 0;
    }
    strcpy(x->pending_section, section);
    strcpy(x->pending_key, name);
    memcpy(x->pending_value, value, add + 1);
    cut_comment(x->pending_value);
    x->pending_line = x->lineno;
    x->pending = 1;
    return 1;
}

int config_load_file(struct config *c, const char *path, char *err,
                     size_t errlen)
{
    struct load x;
    int rc;

    if (strlen(path) >= sizeof(c->path)) {
        snprintf(err, errlen, "%.64s...: path too long", path);
        return -1;
    }
    memset(&x, 0, sizeof(x));
    x.c = c;
    x.f = fopen(path, "r");
    if (x.f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    rc = ini_parse_stream(read_line, &x, on_value, &x);
    fclose(x.f);
    if (x.read_errno != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(x.read_errno));
        return -1;
    }
    if (rc > 0 && (x.err_line == 0 || rc < x.err_line)) {
        snprintf(err, errlen, "%s:%d: expected [section] or key = value", path,
                 rc);
        return -1;
    }
    if (rc == 0) {
        (void)flush_pending(&x);
    }
    if (x.err_line != 0) {
        snprintf(err, errlen, "%s:%d: %s", path, x.err_line, x.err);
        return -1;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s: inih failed (%d)", path, rc);
        return -1;
    }
    memcpy(c->path, path, strlen(path) + 1);
    return 0;
}
