/*
 * test_cluster_nodes.c: replicas per master from CLUSTER NODES outputs
 * recorded from a 3-master, 3-replica redis-server 7.0 cluster (one second
 * after redis-cli --cluster create, when CLUSTER SLOTS did not list the
 * replicas yet, and after one replica was killed), and lines to refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/cluster_nodes.h"

static const char recorded[] =
    "6fd3be56ececed7c5d6ecb28160507a71f08af32 127.0.0.1:7403@17403 master - 0 "
    "1796457534009 3 connected 10923-16383\n"
    "71e7a88f5421f62481b24c53f212cdd84008916f 127.0.0.1:7406@17406 slave "
    "6fd3be56ececed7c5d6ecb28160507a71f08af32 0 1796457533306 3 connected\n"
    "aa50d32aac2b8140238c843594c9c2b98b2a281c 127.0.0.1:7401@17401 "
    "myself,master - 0 1796457533000 1 connected 0-5460\n"
    "6f9e50c08923c00d111dba0dcc882082962d18bb 127.0.0.1:7402@17402 master - 0 "
    "1796457533306 2 connected 5461-10922\n"
    "75b7a51436e83867f6300fa190ac839750279d27 127.0.0.1:7404@17404 slave "
    "aa50d32aac2b8140238c843594c9c2b98b2a281c 0 1796457533507 1 connected\n"
    "636093aec974e10fbd321a43f9cbb27186569bd8 127.0.0.1:7405@17405 slave "
    "6f9e50c08923c00d111dba0dcc882082962d18bb 0 1796457533306 2 connected\n";

/* The same cluster after 127.0.0.1:7406, 7403's replica, was killed. */
static const char one_failed[] =
    "6fd3be56ececed7c5d6ecb28160507a71f08af32 127.0.0.1:7403@17403 master - 0 "
    "1796457538030 3 connected 10923-16383\n"
    "71e7a88f5421f62481b24c53f212cdd84008916f 127.0.0.1:7406@17406 slave,fail "
    "6fd3be56ececed7c5d6ecb28160507a71f08af32 1796457534311 1796457533306 3 "
    "disconnected\n"
    "aa50d32aac2b8140238c843594c9c2b98b2a281c 127.0.0.1:7401@17401 "
    "myself,master - 0 1796457537000 1 connected 0-5460\n"
    "6f9e50c08923c00d111dba0dcc882082962d18bb 127.0.0.1:7402@17402 master - 0 "
    "1796457537528 2 connected 5461-10922\n"
    "75b7a51436e83867f6300fa190ac839750279d27 127.0.0.1:7404@17404 slave "
    "aa50d32aac2b8140238c843594c9c2b98b2a281c 0 1796457538030 1 connected\n"
    "636093aec974e10fbd321a43f9cbb27186569bd8 127.0.0.1:7405@17405 slave "
    "6f9e50c08923c00d111dba0dcc882082962d18bb 0 1796457537327 2 connected\n";

/* "host:port=replicas" of each master, in the output's order. */
static void summary(const char *text, const char *asked, char *out, size_t cap,
                    long want_n)
{
    struct cluster_master_replicas m[8];
    long n = cluster_nodes_replicas(text, strlen(text), asked, m, 8);
    size_t len = 0;
    assert_int_equal(n, want_n);
    out[0] = '\0';
    for (long i = 0; i < n; i++) {
        len +=
            (size_t)snprintf(out + len, cap - len, "%s%s:%d=%d", i ? " " : "",
                             m[i].host, m[i].port, m[i].replicas);
    }
}

static void test_cluster_nodes__recorded(void **state)
{
    char got[256];
    (void)state;

    summary(recorded, "h", got, sizeof got, 3);
    assert_string_equal(got, "127.0.0.1:7403=1 127.0.0.1:7401=1 "
                             "127.0.0.1:7402=1");
    summary(one_failed, "h", got, sizeof got, 3);
    assert_string_equal(got, "127.0.0.1:7403=0 127.0.0.1:7401=1 "
                             "127.0.0.1:7402=1");
}

#define ID_M "aa50d32aac2b8140238c843594c9c2b98b2a281c"
#define ID_R "75b7a51436e83867f6300fa190ac839750279d27"
#define MASTER ID_M " 10.0.0.1:7001@17001 master - 0 0 1 connected 0-16383\n"

/* Which replicas count: attached, link connected, not failing. */
static void test_cluster_nodes__healthy_replicas(void **state)
{
    static const struct {
        const char *replica;
        int counted;
    } cases[] = {
        {ID_R " 10.0.0.2:7002@17002 slave " ID_M " 0 0 1 connected", 1},
        /* a replica's line before its master's: still counted (below) */
        {ID_R " 10.0.0.2:7002@17002 myself,slave " ID_M " 0 0 1 connected", 1},
        {ID_R " 10.0.0.2:7002@17002 slave,fail " ID_M " 1 1 1 disconnected", 0},
        {ID_R " 10.0.0.2:7002@17002 slave,fail? " ID_M " 1 1 1 connected", 0},
        {ID_R " 10.0.0.2:7002@17002 slave,handshake " ID_M " 0 0 1 connected",
         0},
        {ID_R " 10.0.0.2:7002@17002 slave,noaddr " ID_M " 0 0 1 connected", 0},
        {ID_R " 10.0.0.2:7002@17002 slave " ID_M " 0 0 1 disconnected", 0},
        /* another master's replica */
        {ID_R " 10.0.0.2:7002@17002 slave "
              "0000000000000000000000000000000000000000 0 0 1 connected",
         0},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512], want[64], got[256];
        snprintf(text, sizeof text, "%s\n%s", cases[i].replica, MASTER);
        snprintf(want, sizeof want, "10.0.0.1:7001=%d", cases[i].counted);
        summary(text, "h", got, sizeof got, 1);
        if (strcmp(got, want) != 0) {
            fail_msg("case %zu: %s, want %s", i, got, want);
        }
    }
}

/* A node that does not know its address is the host asked; a hostname
 * after the bus port is not part of it; past max, masters are left out. */
static void test_cluster_nodes__addresses_and_max(void **state)
{
    struct cluster_master_replicas m[1];
    char got[256];
    (void)state;

    summary(ID_M " :7001@17001 myself,master - 0 0 1 connected\r\n", "10.9.9.9",
            got, sizeof got, 1);
    assert_string_equal(got, "10.9.9.9:7001=0");
    summary(ID_M " 10.0.0.1:7001@17001,redis-1.example master - 0 0 1 "
                 "connected 0-100\n",
            "h", got, sizeof got, 1);
    assert_string_equal(got, "10.0.0.1:7001=0");
    assert_int_equal(
        cluster_nodes_replicas(recorded, strlen(recorded), "h", m, 1), 1);
    assert_string_equal(m[0].host, "127.0.0.1");
    assert_int_equal(m[0].port, 7403);
    assert_int_equal(cluster_nodes_replicas("", 0, "h", m, 1), 0);
}

static void test_cluster_nodes__refuses(void **state)
{
    static const char *const bad[] = {
        "ERR This instance has cluster support disabled",
        ID_M " 10.0.0.1:7001@17001 master - 0 0 1\n",         /* 7 fields */
        "abc 10.0.0.1:7001@17001 master - 0 0 1 connected\n", /* short id */
        ID_M " 10.0.0.1@17001 master - 0 0 1 connected\n",    /* no port */
        ID_M " 10.0.0.1:@17001 master - 0 0 1 connected\n",
        ID_M " 10.0.0.1:0@17001 master - 0 0 1 connected\n",
        ID_M " 10.0.0.1:65536@17001 master - 0 0 1 connected\n",
        ID_M " 10.0.0.1:70x1@17001 master - 0 0 1 connected\n",
    };
    struct cluster_master_replicas m[4];
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (cluster_nodes_replicas(bad[i], strlen(bad[i]), "h", m, 4) != -1) {
            fail_msg("case %zu accepted: %s", i, bad[i]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cluster_nodes__recorded),
        cmocka_unit_test(test_cluster_nodes__healthy_replicas),
        cmocka_unit_test(test_cluster_nodes__addresses_and_max),
        cmocka_unit_test(test_cluster_nodes__refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
