/*
 * test_resp.c: commands in RESP, byte for byte as hiredis formats them
 * (redisFormatCommandArgv): the bytes redis-server is known to read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <hiredis/hiredis.h>

#include "proto/resp.h"

static void same_as_hiredis(int argc, const char **argv, const size_t *len)
{
    char *want;
    long long n = redisFormatCommandArgv(&want, argc, argv, len);
    assert_true(n > 0);
    assert_int_equal(resp_command_size(argc, len), (size_t)n);
    char *got = malloc((size_t)n + 1);
    assert_non_null(got);
    got[n] = 'X'; /* nothing written past the size */
    assert_int_equal(resp_command_write(got, argc, argv, len), (size_t)n);
    assert_memory_equal(got, want, (size_t)n);
    assert_int_equal(got[n], 'X');
    free(got);
    redisFreeCommand(want);
}

static void test_resp__commands(void **state)
{
    (void)state;
    {
        const char *argv[] = {"PING"};
        size_t len[] = {4};
        same_as_hiredis(1, argv, len);
    }
    { /* an empty argument, binary bytes, CR LF inside an argument */
        const char *argv[] = {"SET", "", "a\0b\r\nc\xff"};
        size_t len[] = {3, 0, 8};
        same_as_hiredis(3, argv, len);
    }
    { /* lengths and counts across digit boundaries */
        static char big[100001];
        memset(big, 'x', sizeof big);
        const char *argv[12];
        size_t len[12];
        static const size_t sizes[] = {1, 9, 10, 11, 99, 100, 101, 999, 1000,
                                       9999, 10000, 100001};
        for (int i = 0; i < 12; i++) {
            argv[i] = big;
            len[i] = sizes[i];
        }
        for (int argc = 1; argc <= 12; argc++) {
            same_as_hiredis(argc, argv, len);
        }
    }
}

/* 10 and 100 arguments: the array header's digits. */
static void test_resp__many_arguments(void **state)
{
    const char *argv[100];
    size_t len[100];
    (void)state;
    for (int i = 0; i < 100; i++) {
        argv[i] = "member";
        len[i] = (size_t)(i % 7);
    }
    same_as_hiredis(10, argv, len);
    same_as_hiredis(100, argv, len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resp__commands),
        cmocka_unit_test(test_resp__many_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
