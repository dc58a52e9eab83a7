/*
 * test_salt.c: the day's salts (collector/privacy/salt.c) with salt_store =
 * memory, driven by calling the flusher task by hand with chosen clocks:
 * today's and tomorrow's salts exist from init, a day's salt is wiped
 * WIPE_GRACE_S (5 s) after its day ends, the next days are made, and a
 * reader thread never sees a torn salt while the task rewrites the ring.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <time.h>

#include "collector/privacy/salt.h"

/* 2024-03-10 12:34:56 UTC: day 19792. */
#define NOON ((time_t)1710074096)
#define DAY 86400

static const unsigned char zero[SALT_BYTES];

static void run_task(struct salt_manager *m, time_t now)
{
    m->task.run(&m->task, NULL, now);
}

/* The raw bytes of the ring slot that holds day d. */
static void slot_bytes(const struct salt_manager *m, uint32_t d,
                       unsigned char out[SALT_BYTES])
{
    const struct salt_slot *s = &m->ring[d % SALT_SLOTS];
    for (int i = 0; i < SALT_BYTES / 8; i++) {
        uint64_t w = atomic_load(&s->key[i]);
        memcpy(out + 8 * i, &w, 8);
    }
}

static void test_salt__day_numbers(void **state)
{
    (void)state;
    assert_int_equal(salt_day(0), 0);
    assert_int_equal(salt_day(DAY - 1), 0);
    assert_int_equal(salt_day(DAY), 1);
    assert_int_equal(salt_day(NOON), 19792);
    assert_int_equal(salt_day((time_t)19792 * DAY), 19792);
    assert_int_equal(salt_day((time_t)19793 * DAY - 1), 19792);
    assert_int_equal(salt_day((time_t)19793 * DAY), 19793);
    /* 2038 and later: still the UTC day number */
    assert_int_equal(salt_day((time_t)4102444800LL), 47482); /* 2100-01-01 */
}

static void test_salt__init_makes_today_and_tomorrow(void **state)
{
    (void)state;
    struct salt_manager m;
    unsigned char today[SALT_BYTES], tomorrow[SALT_BYTES], other[SALT_BYTES];
    uint32_t d = salt_day(NOON);

    assert_int_equal(salt_manager_init(&m, SALT_STORE_MEMORY, "bc", NOON), 0);
    assert_non_null(m.task.run);

    assert_int_equal(salt_get(&m, d, today), 0);
    assert_int_equal(salt_get(&m, d + 1, tomorrow), 0);
    assert_true(memcmp(today, zero, SALT_BYTES) != 0);
    assert_true(memcmp(tomorrow, zero, SALT_BYTES) != 0);
    assert_true(memcmp(today, tomorrow, SALT_BYTES) != 0);

    /* stable across reads */
    assert_int_equal(salt_get(&m, d, other), 0);
    assert_memory_equal(other, today, SALT_BYTES);

    /* no other day */
    memset(other, 0xAA, sizeof(other));
    assert_int_equal(salt_get(&m, d - 1, other), -1);
    assert_int_equal(salt_get(&m, d + 2, other), -1);
    assert_int_equal(salt_get(&m, d + 3, other), -1);
    assert_int_equal(salt_get(&m, d - 4, other), -1); /* today's slot */
    assert_int_equal(salt_get(&m, d + 4, other), -1); /* today's slot */
    assert_int_equal(salt_get(&m, d + 5, other), -1); /* tomorrow's slot */
    assert_int_equal(salt_get(&m, 0, other), -1);

    /* running the task the same day changes nothing */
    run_task(&m, NOON);
    run_task(&m, (time_t)(d + 1) * DAY - 1);
    assert_int_equal(salt_get(&m, d, other), 0);
    assert_memory_equal(other, today, SALT_BYTES);
    assert_int_equal(salt_get(&m, d + 1, other), 0);
    assert_memory_equal(other, tomorrow, SALT_BYTES);
    assert_int_equal(salt_get(&m, d + 2, other), -1);

    salt_manager_deinit(&m);
    assert_int_equal(salt_get(&m, d, other), -1);
    assert_int_equal(salt_get(&m, d + 1, other), -1);
    for (uint32_t k = d; k < d + SALT_SLOTS; k++) {
        slot_bytes(&m, k, other);
        assert_memory_equal(other, zero, SALT_BYTES);
    }
}

/* Init at any time of day: the day is the UTC day of `now`. */
static void test_salt__init_at_day_edges(void **state)
{
    (void)state;
    static const time_t when[] = {
        (time_t)19792 * DAY,
        (time_t)19793 * DAY - 1,
        (time_t)19792 * DAY + 1,
        DAY,
    };
    for (size_t i = 0; i < sizeof(when) / sizeof(when[0]); i++) {
        struct salt_manager m;
        unsigned char s[SALT_BYTES];
        uint32_t d = salt_day(when[i]);
        assert_int_equal(
            salt_manager_init(&m, SALT_STORE_MEMORY, "bc", when[i]), 0);
        assert_int_equal(salt_get(&m, d, s), 0);
        assert_int_equal(salt_get(&m, d - 1, s), -1);
        assert_int_equal(salt_get(&m, d + 1, s), 0);
        assert_int_equal(salt_get(&m, d + 2, s), -1);
        salt_manager_deinit(&m);
    }
}

/* The grace period: a day's salt lives until 5 s after its day ends and
 * is wiped (slot bytes zero) by the first task run at or after that. */
static void test_salt__wiped_five_seconds_after_its_day(void **state)
{
    (void)state;
    struct salt_manager m;
    uint32_t d = salt_day(NOON);
    time_t end = (time_t)(d + 1) * DAY; /* midnight after day d */
    unsigned char today[SALT_BYTES], tomorrow[SALT_BYTES], s[SALT_BYTES];

    assert_int_equal(salt_manager_init(&m, SALT_STORE_MEMORY, "bc", NOON), 0);
    assert_int_equal(salt_get(&m, d, today), 0);
    assert_int_equal(salt_get(&m, d + 1, tomorrow), 0);

    /* midnight: d is yesterday now, still kept; d + 2 is made */
    run_task(&m, end);
    assert_int_equal(salt_get(&m, d, s), 0);
    assert_memory_equal(s, today, SALT_BYTES);
    assert_int_equal(salt_get(&m, d + 2, s), 0);
    assert_true(memcmp(s, zero, SALT_BYTES) != 0);

    /* 4 s past: still kept */
    run_task(&m, end + 4);
    assert_int_equal(salt_get(&m, d, s), 0);
    assert_memory_equal(s, today, SALT_BYTES);

    /* 5 s past: wiped, the slot's bytes are zero */
    run_task(&m, end + 5);
    memset(s, 0xAA, sizeof(s));
    assert_int_equal(salt_get(&m, d, s), -1);
    slot_bytes(&m, d, s);
    assert_memory_equal(s, zero, SALT_BYTES);
    assert_int_equal(atomic_load(&m.ring[d % SALT_SLOTS].day), 0);
    assert_int_equal(atomic_load(&m.ring[d % SALT_SLOTS].seq) & 1, 0);

    /* the new today is the old tomorrow, unchanged */
    assert_int_equal(salt_get(&m, d + 1, s), 0);
    assert_memory_equal(s, tomorrow, SALT_BYTES);
    assert_int_equal(salt_get(&m, d + 2, s), 0);
    assert_true(memcmp(s, tomorrow, SALT_BYTES) != 0);
    assert_true(memcmp(s, today, SALT_BYTES) != 0);
    assert_int_equal(salt_get(&m, d + 3, s), -1);

    salt_manager_deinit(&m);
}

/* A task run late (the flusher was busy) at once wipes everything over
 * and makes today and tomorrow: here "past the end of today + 5 s" is a
 * single run that crosses the midnight and the grace period. */
static void test_salt__one_late_run_wipes_and_makes(void **state)
{
    (void)state;
    struct salt_manager m;
    uint32_t d = salt_day(NOON);
    unsigned char tomorrow[SALT_BYTES], s[SALT_BYTES];

    assert_int_equal(salt_manager_init(&m, SALT_STORE_MEMORY, "bc", NOON), 0);
    assert_int_equal(salt_get(&m, d + 1, tomorrow), 0);

    run_task(&m, (time_t)(d + 1) * DAY + 5 + 3600);
    assert_int_equal(salt_get(&m, d, s), -1);
    slot_bytes(&m, d, s);
    assert_memory_equal(s, zero, SALT_BYTES);
    assert_int_equal(salt_get(&m, d + 1, s), 0);
    assert_memory_equal(s, tomorrow, SALT_BYTES);
    assert_int_equal(salt_get(&m, d + 2, s), 0);

    /* days later: every old salt gone, the two current ones made */
    run_task(&m, (time_t)(d + 10) * DAY + 30);
    for (uint32_t k = d; k <= d + 9; k++) {
        assert_int_equal(salt_get(&m, k, s), -1);
    }
    assert_int_equal(salt_get(&m, d + 10, s), 0);
    assert_int_equal(salt_get(&m, d + 11, s), 0);
    assert_int_equal(salt_get(&m, d + 12, s), -1);
    /* exactly two slots hold a day, the others are zero */
    int used = 0;
    for (int i = 0; i < SALT_SLOTS; i++) {
        uint32_t day = atomic_load(&m.ring[i].day);
        if (day != 0) {
            used++;
            assert_true(day == d + 10 || day == d + 11);
        } else {
            unsigned char b[SALT_BYTES];
            slot_bytes(&m, (uint32_t)i, b);
            assert_memory_equal(b, zero, SALT_BYTES);
        }
    }
    assert_int_equal(used, 2);
    salt_manager_deinit(&m);
}

static void test_salt__managers_differ(void **state)
{
    (void)state;
    struct salt_manager a, b;
    uint32_t d = salt_day(NOON);
    unsigned char sa[SALT_BYTES], sb[SALT_BYTES];

    assert_int_equal(salt_manager_init(&a, SALT_STORE_MEMORY, "bc", NOON), 0);
    assert_int_equal(salt_manager_init(&b, SALT_STORE_MEMORY, "bc", NOON), 0);
    for (uint32_t k = d; k <= d + 1; k++) {
        assert_int_equal(salt_get(&a, k, sa), 0);
        assert_int_equal(salt_get(&b, k, sb), 0);
        assert_true(memcmp(sa, sb, SALT_BYTES) != 0);
    }
    salt_manager_deinit(&a);
    salt_manager_deinit(&b);
}

/* ---- a reader against the writer -------------------------------------- */

#define RACE_MS 200
#define RACE_DAYS_MAX 200000 /* days the writer may advance through */
#define OBS_MAX (1 << 18)

struct observation {
    uint32_t day;
    unsigned char key[SALT_BYTES];
};

struct race {
    struct salt_manager m;
    uint32_t base;             /* first day */
    _Atomic uint32_t progress; /* the writer's current day - base */
    atomic_int stop;
    /* installed[k]: the salt of day base + k, recorded by the writer */
    unsigned char (*installed)[SALT_BYTES];
    struct observation *obs; /* what the reader got, when it changed */
    size_t n_obs;
    unsigned long reads, hits;
};

static void *reader_main(void *arg)
{
    struct race *rc = arg;
    struct observation last[8];
    memset(last, 0, sizeof(last));

    while (!atomic_load(&rc->stop)) {
        uint32_t p = atomic_load(&rc->progress);
        /* yesterday (until wiped), today, tomorrow, and one not made */
        for (uint32_t k = p > 0 ? p - 1 : 0; k <= p + 2; k++) {
            uint32_t day = rc->base + k;
            unsigned char s[SALT_BYTES];
            rc->reads++;
            if (salt_get(&rc->m, day, s) != 0) {
                continue;
            }
            rc->hits++;
            struct observation *l = &last[day % 8];
            if (l->day == day && memcmp(l->key, s, SALT_BYTES) == 0) {
                continue;
            }
            l->day = day;
            memcpy(l->key, s, SALT_BYTES);
            if (rc->n_obs < OBS_MAX) {
                rc->obs[rc->n_obs++] = *l;
            }
        }
    }
    return NULL;
}

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
           (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The writer runs the task across one simulated midnight after another
 * (each run wipes a day and makes a new one, so slots are rewritten all
 * the time) while a reader calls salt_get in a loop. Every salt the
 * reader got must be exactly the one installed for that day: never a mix
 * of two salts, never a wiped (zero) value, never another day's salt. */
static void test_salt__reader_never_sees_a_torn_salt(void **state)
{
    (void)state;
    struct race *rc = calloc(1, sizeof(*rc));
    pthread_t reader;
    struct timespec t0;
    uint32_t last = 1; /* installed[0..last] are recorded */

    assert_non_null(rc);
    rc->installed = calloc(RACE_DAYS_MAX + 2, SALT_BYTES);
    rc->obs = calloc(OBS_MAX, sizeof(*rc->obs));
    assert_non_null(rc->installed);
    assert_non_null(rc->obs);

    rc->base = salt_day(NOON);
    assert_int_equal(salt_manager_init(&rc->m, SALT_STORE_MEMORY, "bc", NOON),
                     0);
    assert_int_equal(salt_get(&rc->m, rc->base, rc->installed[0]), 0);
    assert_int_equal(salt_get(&rc->m, rc->base + 1, rc->installed[1]), 0);

    assert_int_equal(pthread_create(&reader, NULL, reader_main, rc), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint32_t k = 1; k < RACE_DAYS_MAX; k++) {
        time_t midnight = (time_t)(rc->base + k) * DAY;
        /* just after midnight: day base+k-1 is yesterday, kept; base+k+1
         * is made; then past the grace period: base+k-1 is wiped */
        run_task(&rc->m, midnight);
        assert_int_equal(
            salt_get(&rc->m, rc->base + k + 1, rc->installed[k + 1]), 0);
        last = k + 1;
        atomic_store(&rc->progress, k);
        run_task(&rc->m, midnight + 5);
        run_task(&rc->m, midnight + DAY / 2);
        if ((k & 63) == 0 && elapsed_ms(&t0) >= RACE_MS) {
            break;
        }
    }
    atomic_store(&rc->stop, 1);
    assert_int_equal(pthread_join(reader, NULL), 0);

    /* the writer's own view: every installed salt is non-zero, distinct
     * from the day before */
    for (uint32_t i = 0; i <= last; i++) {
        assert_true(memcmp(rc->installed[i], zero, SALT_BYTES) != 0);
        if (i > 0) {
            assert_true(memcmp(rc->installed[i - 1], rc->installed[i],
                               SALT_BYTES) != 0);
        }
    }

    size_t bad = 0;
    for (size_t i = 0; i < rc->n_obs; i++) {
        const struct observation *o = &rc->obs[i];
        uint32_t idx = o->day - rc->base;
        if (o->day < rc->base || idx > last ||
            memcmp(o->key, rc->installed[idx], SALT_BYTES) != 0) {
            if (bad++ < 5) {
                print_error("reader got a salt for day base+%u that was "
                            "never installed for it\n",
                            (unsigned)idx);
            }
        }
    }
    print_message("salt race: %u simulated days, %lu reads, %lu salts, "
                  "%zu distinct observations\n",
                  (unsigned)(last - 1), rc->reads, rc->hits, rc->n_obs);
    assert_int_equal(bad, 0);
    /* the race really happened: the reader got salts of several days */
    assert_true(rc->hits > 0);
    assert_true(rc->n_obs > 1);

    salt_manager_deinit(&rc->m);
    free(rc->obs);
    free(rc->installed);
    free(rc);
}

static int setup(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_salt__day_numbers),
        cmocka_unit_test(test_salt__init_makes_today_and_tomorrow),
        cmocka_unit_test(test_salt__init_at_day_edges),
        cmocka_unit_test(test_salt__wiped_five_seconds_after_its_day),
        cmocka_unit_test(test_salt__one_late_run_wipes_and_makes),
        cmocka_unit_test(test_salt__managers_differ),
        cmocka_unit_test(test_salt__reader_never_sees_a_torn_salt),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
