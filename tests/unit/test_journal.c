/*
 * test_journal.c: the batches' journal (aggregator/journal.c) in real
 * files: what a start reads back after seals and acknowledgements, a torn
 * last line, and appends that fail (a full disk, /dev/full here): the
 * next append writes the file afresh, so no line written after a failed
 * one is hidden behind it, and a batch whose line failed is in the file
 * once journal_rewrite succeeds. Each test has its own folder under /tmp.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "aggregator/journal.h"

struct fix {
    char dir[32];
    char path[64];
    char err[256];
};

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return -1;
    }
    snprintf(f->dir, sizeof f->dir, "/tmp/test_journal.XXXXXX");
    *state = f;
    if (mkdtemp(f->dir) == NULL) {
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/journal", f->dir);
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    char tmp[80];
    snprintf(tmp, sizeof tmp, "%s.new", f->path);
    unlink(f->path);
    unlink(tmp);
    rmdir(f->dir);
    free(f);
    return 0;
}

static const struct journal_range two[] = {{0, 0, 50}, {3, 10, 30}};

static void open_at(struct fix *f, struct journal *j, uint64_t seq_base)
{
    assert_int_equal(journal_open(j, f->path, seq_base, WAL_FSYNC_INTERVAL,
                                  f->err, sizeof f->err),
                     0);
}

/* The file as a start reads it. */
static void reread(struct fix *f, struct journal *j)
{
    journal_close(j);
    open_at(f, j, 1);
}

static void assert_ranges(const struct journal *j,
                          const struct journal_range *want, size_t n)
{
    assert_int_equal(j->n_pending_range, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(j->pending_range[i].worker, want[i].worker);
        assert_int_equal(j->pending_range[i].start, want[i].start);
        assert_int_equal(j->pending_range[i].end, want[i].end);
    }
}

static void assert_pending(const struct journal *j, uint64_t seq)
{
    assert_true(j->pending);
    assert_int_equal(j->pending_seq, seq);
    assert_ranges(j, two, 2);
}

/* The journal's stream swapped for one whose writes fail (ENOSPC). */
static FILE *fail_writes(struct journal *j)
{
    FILE *real = j->f;
    j->f = fopen("/dev/full", "a");
    assert_non_null(j->f);
    return real;
}

static void test_journal__seal_ack_read_back(void **state)
{
    struct fix *f = *state;
    struct journal j;
    open_at(f, &j, 1000);
    assert_int_equal(j.next_seq, 1000);
    assert_false(j.pending);

    assert_int_equal(journal_seal(&j, 1000, two, 2), 0);
    reread(f, &j);
    assert_pending(&j, 1000);
    assert_int_equal(j.next_seq, 1001);
    assert_int_equal(j.checkpoint[0], 0);

    /* another batch's acknowledgement changes nothing */
    assert_int_equal(journal_ack(&j, 999), -1);
    assert_int_equal(journal_ack(&j, 1000), 0);
    reread(f, &j);
    assert_false(j.pending);
    assert_int_equal(j.checkpoint[0], 50);
    assert_int_equal(j.checkpoint[3], 30);
    assert_int_equal(j.checkpoint[1], 0);
    assert_int_equal(j.next_seq, 1001);
    journal_close(&j);
}

static void test_journal__torn_last_line(void **state)
{
    struct fix *f = *state;
    struct journal j;
    open_at(f, &j, 1);
    assert_int_equal(journal_seal(&j, 7, two, 2), 0);
    journal_close(&j);
    /* a crash while the acknowledgement was written */
    FILE *out = fopen(f->path, "a");
    assert_non_null(out);
    fputs("A 7 ~0000", out);
    fclose(out);
    open_at(f, &j, 1);
    assert_pending(&j, 7);
    journal_close(&j);
}

static void test_journal__failed_seal_waits_for_rewrite(void **state)
{
    struct fix *f = *state;
    struct journal j;
    open_at(f, &j, 1);
    FILE *real = fail_writes(&j);
    assert_int_equal(journal_seal(&j, 5, two, 2), -1);
    assert_true(j.torn);
    fclose(real);

    /* the disk has room again: the batch goes in before its send */
    assert_int_equal(journal_rewrite(&j), 0);
    assert_false(j.torn);
    reread(f, &j);
    assert_pending(&j, 5);
    journal_close(&j);
}

/* Batch 5 sealed, then its acknowledgement's append fails. */
static void ack_fails(struct fix *f, struct journal *j)
{
    open_at(f, j, 1);
    assert_int_equal(journal_seal(j, 5, two, 2), 0);
    FILE *real = fail_writes(j);
    assert_int_equal(journal_ack(j, 5), -1);
    assert_true(j->torn);
    /* the ack holds in memory; the file may end in part of its line */
    assert_int_equal(j->checkpoint[0], 50);
    fclose(real);
}

static void test_journal__failed_ack_then_next_seal(void **state)
{
    struct fix *f = *state;
    struct journal j;
    ack_fails(f, &j);

    /* the next batch's line is not appended after a torn one: the file is
     * written afresh, with the checkpoints the ack gave */
    const struct journal_range next[] = {{0, 50, 80}, {3, 30, 31}};
    assert_int_equal(journal_seal(&j, 6, next, 2), 0);
    assert_false(j.torn);
    reread(f, &j);
    assert_true(j.pending);
    assert_int_equal(j.pending_seq, 6);
    assert_ranges(&j, next, 2);
    assert_int_equal(j.checkpoint[0], 50);
    assert_int_equal(j.checkpoint[3], 30);

    /* and an acknowledgement after that reads back as well */
    assert_int_equal(journal_ack(&j, 6), 0);
    reread(f, &j);
    assert_false(j.pending);
    assert_int_equal(j.checkpoint[0], 80);
    assert_int_equal(j.checkpoint[3], 31);
    journal_close(&j);
}

static void test_journal__failed_ack_then_ack(void **state)
{
    struct fix *f = *state;
    struct journal j;
    ack_fails(f, &j);
    /* nothing pending any more: a rewrite records the checkpoints */
    assert_int_equal(journal_rewrite(&j), 0);
    reread(f, &j);
    assert_false(j.pending);
    assert_int_equal(j.checkpoint[0], 50);
    journal_close(&j);
}

int main(void)
{
#define T(name) \
    cmocka_unit_test_setup_teardown(test_journal__##name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(seal_ack_read_back),
        T(torn_last_line),
        T(failed_seal_waits_for_rewrite),
        T(failed_ack_then_next_seal),
        T(failed_ack_then_ack),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
