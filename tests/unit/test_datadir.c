/*
 * test_datadir.c: the data dir (aggregator/datadir.c) in real folders:
 * what a new dir's META holds and reads back (its log id above all, which
 * names the batches' applied-key), a dir of format 1 without a log id,
 * and the dirs that must be refused: another instance's, a newer
 * format's, a META that is not one, and a dir another process holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <sodium.h>
#include <unistd.h>

#include "aggregator/datadir.h"

struct fix {
    char root[40];
    char dir[64]; /* root/data: datadir_open makes it */
    char meta[80];
    char err[512];
};

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return -1;
    }
    snprintf(f->root, sizeof f->root, "/tmp/test_datadir.XXXXXX");
    *state = f;
    if (mkdtemp(f->root) == NULL) {
        return -1;
    }
    snprintf(f->dir, sizeof f->dir, "%s/data", f->root);
    snprintf(f->meta, sizeof f->meta, "%s/META", f->dir);
    return 0;
}

static void remove_tree(const char *path)
{
    char sub[300];
    DIR *d = opendir(path);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            if (unlink(sub) < 0) {
                remove_tree(sub);
            }
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    rmdir(path);
}

static int teardown(void **state)
{
    struct fix *f = *state;
    remove_tree(f->root);
    free(f);
    return 0;
}

static void write_meta(const struct fix *f, const char *text)
{
    FILE *out = fopen(f->meta, "w");
    assert_non_null(out);
    fputs(text, out);
    fclose(out);
}

static int open_as(struct fix *f, struct datadir *d, const char *instance)
{
    return datadir_open(d, f->dir, instance, f->err, sizeof f->err);
}

static void test_datadir__new_dir_and_reopen(void **state)
{
    struct fix *f = *state;
    struct datadir d;
    assert_int_equal(open_as(f, &d, "web-1"), 0);
    assert_int_equal(strlen(d.log_id), DATADIR_LOG_ID_LEN);
    assert_int_equal(strspn(d.log_id, "0123456789abcdef"), DATADIR_LOG_ID_LEN);
    assert_true(d.seq_base > UINT64_C(1600000000000)); /* ms since 1970 */
    char log_id[DATADIR_LOG_ID_LEN + 1];
    memcpy(log_id, d.log_id, sizeof log_id);
    uint64_t seq_base = d.seq_base;
    assert_int_equal(access(d.wal, F_OK), 0);
    assert_int_equal(access(d.damaged, F_OK), 0);
    datadir_close(&d);

    /* the same dir again: the same id and first sequence number */
    assert_int_equal(open_as(f, &d, "web-1"), 0);
    assert_string_equal(d.log_id, log_id);
    assert_int_equal(d.seq_base, seq_base);
    datadir_close(&d);

    /* a dir made afresh: another id */
    remove_tree(f->dir);
    assert_int_equal(open_as(f, &d, "web-1"), 0);
    assert_string_not_equal(d.log_id, log_id);
    datadir_close(&d);
}

static void test_datadir__format_1_has_no_log_id(void **state)
{
    struct fix *f = *state;
    struct datadir d;
    assert_int_equal(open_as(f, &d, "web-1"), 0);
    datadir_close(&d);
    write_meta(f, "beacond data dir\nformat 1\ninstance web-1\n"
                  "seq_base 1700000000000\n");
    assert_int_equal(open_as(f, &d, "web-1"), 0);
    assert_string_equal(d.log_id, "");
    assert_int_equal(d.seq_base, UINT64_C(1700000000000));
    datadir_close(&d);
}

static void test_datadir__refused(void **state)
{
    struct fix *f = *state;
    struct datadir d, other;
    assert_int_equal(open_as(f, &d, "web-1"), 0);

    /* held by another beacond (another open file: flock's unit) */
    assert_int_equal(open_as(f, &other, "web-1"), -1);
    assert_non_null(strstr(f->err, "in use by another beacond"));
    datadir_close(&d);

    assert_int_equal(open_as(f, &d, "web-2"), -1);
    assert_non_null(
        strstr(f->err, "the data dir of instance \"web-1\", not \"web-2\""));

    static const struct {
        const char *meta, *says;
    } bad[] = {
        {"beacond data dir\nformat 3\ninstance web-1\nseq_base 5\nlog "
         "0123456789abcdef\n",
         "format 3 is newer than this beacond's (2)"},
        /* format 2 without its log id, or with a short or odd one */
        {"beacond data dir\nformat 2\ninstance web-1\nseq_base 5\n",
         "not a beacond data dir"},
        {"beacond data dir\nformat 2\ninstance web-1\nseq_base 5\nlog 0123\n",
         "not a beacond data dir"},
        {"beacond data dir\nformat 2\ninstance web-1\nseq_base 5\nlog "
         "0123456789ABCDEF\n",
         "not a beacond data dir"},
        {"something else\n", "not a beacond data dir"},
        {"", "not a beacond data dir"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_meta(f, bad[i].meta);
        f->err[0] = '\0';
        assert_int_equal(open_as(f, &d, "web-1"), -1);
        if (strstr(f->err, bad[i].says) == NULL) {
            fail_msg("META %zu: \"%s\" does not say \"%s\"", i, f->err,
                     bad[i].says);
        }
    }
}

int main(void)
{
#define T(name) \
    cmocka_unit_test_setup_teardown(test_datadir__##name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(new_dir_and_reopen),
        T(format_1_has_no_log_id),
        T(refused),
    };
#undef T
    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
