/*
 * test_cluster_map.c: the slot map from CLUSTER SLOTS replies recorded
 * from a 3-master, 3-replica redis-server 7.0 cluster (read back through
 * hiredis's own reply reader), replies to refuse, and MOVED.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <hiredis/hiredis.h>

#include "aggregator/cluster_map.h"

/* Right after redis-cli --cluster create: the replicas not yet listed. */
static const char no_replicas[] =
    "*3\r\n"
    "*3\r\n:0\r\n:5460\r\n*4\r\n$9\r\n127.0.0.1\r\n:7101\r\n"
    "$40\r\n0795bc0fd64aae6b6bbd22577a2ee9dd13323f17\r\n*0\r\n"
    "*3\r\n:5461\r\n:10922\r\n*4\r\n$9\r\n127.0.0.1\r\n:7102\r\n"
    "$40\r\n0d2a3dec3d162954a2956e8ce86498ce0babce0f\r\n*0\r\n"
    "*3\r\n:10923\r\n:16383\r\n*4\r\n$9\r\n127.0.0.1\r\n:7103\r\n"
    "$40\r\n986e92ebe5920c8b53bd803948e43eee3731b4da\r\n*0\r\n";

/* A few seconds later: one replica each. */
static const char with_replicas[] =
    "*3\r\n"
    "*4\r\n:0\r\n:5460\r\n*4\r\n$9\r\n127.0.0.1\r\n:7101\r\n"
    "$40\r\n0795bc0fd64aae6b6bbd22577a2ee9dd13323f17\r\n*0\r\n"
    "*4\r\n$9\r\n127.0.0.1\r\n:7105\r\n"
    "$40\r\n04e78a12f139f3030f789963a800620e6a6bbb0c\r\n*0\r\n"
    "*4\r\n:5461\r\n:10922\r\n*4\r\n$9\r\n127.0.0.1\r\n:7102\r\n"
    "$40\r\n0d2a3dec3d162954a2956e8ce86498ce0babce0f\r\n*0\r\n"
    "*4\r\n$9\r\n127.0.0.1\r\n:7106\r\n"
    "$40\r\n168091a2bbc3027c36db6c9c35ab885df176af79\r\n*0\r\n"
    "*4\r\n:10923\r\n:16383\r\n*4\r\n$9\r\n127.0.0.1\r\n:7103\r\n"
    "$40\r\n986e92ebe5920c8b53bd803948e43eee3731b4da\r\n*0\r\n"
    "*4\r\n$9\r\n127.0.0.1\r\n:7104\r\n"
    "$40\r\n5d36a65842ea746dc8dd739ec3db245c45ae8da1\r\n*0\r\n";

static redisReply *reply_of(const char *resp)
{
    redisReader *rd = redisReaderCreate();
    void *reply = NULL;
    assert_non_null(rd);
    assert_int_equal(redisReaderFeed(rd, resp, strlen(resp)), REDIS_OK);
    assert_int_equal(redisReaderGetReply(rd, &reply), REDIS_OK);
    assert_non_null(reply);
    redisReaderFree(rd);
    return reply;
}

/* The node owning slot s, as "host:port". */
static const char *owner(const struct cluster_map *m, unsigned s)
{
    static char buf[CLUSTER_HOST_MAX + 8];
    if (m->owner[s] < 0) {
        return "none";
    }
    const struct cluster_node *n = &m->nodes[m->owner[s]];
    snprintf(buf, sizeof buf, "%s:%d", n->host, n->port);
    return buf;
}

static void test_cluster_map__recorded(void **state)
{
    struct cluster_map m;
    char err[128];
    (void)state;

    cluster_map_init(&m);
    assert_int_equal(cluster_map_uncovered(&m), CLUSTER_SLOTS);
    redisReply *r = reply_of(no_replicas);
    assert_int_equal(cluster_map_load(&m, r, "127.0.0.1", err, sizeof err), 0);
    freeReplyObject(r);
    assert_int_equal(m.n_nodes, 3);
    assert_int_equal(cluster_map_uncovered(&m), 0);
    assert_string_equal(owner(&m, 0), "127.0.0.1:7101");
    assert_string_equal(owner(&m, 5460), "127.0.0.1:7101");
    assert_string_equal(owner(&m, 5461), "127.0.0.1:7102");
    assert_string_equal(owner(&m, 10922), "127.0.0.1:7102");
    assert_string_equal(owner(&m, 10923), "127.0.0.1:7103");
    assert_string_equal(owner(&m, 16383), "127.0.0.1:7103");
    /* bc:{blog}:... is slot 7653 */
    assert_string_equal(owner(&m, cluster_key_slot("bc:{blog}:x", 11)),
                        "127.0.0.1:7102");
    for (size_t i = 0; i < m.n_nodes; i++) {
        assert_int_equal(m.nodes[i].replicas, 0);
    }

    r = reply_of(with_replicas);
    assert_int_equal(cluster_map_load(&m, r, "127.0.0.1", err, sizeof err), 0);
    freeReplyObject(r);
    assert_int_equal(m.n_nodes, 3);
    for (size_t i = 0; i < m.n_nodes; i++) {
        assert_int_equal(m.nodes[i].replicas, 1);
    }
    assert_string_equal(owner(&m, 10923), "127.0.0.1:7103");

    /* a failover moved slot 7653: the replica 7106 is its master now */
    struct cluster_redirect mv;
    const char *e = "MOVED 7653 127.0.0.1:7106";
    assert_int_equal(cluster_parse_redirect(e, strlen(e), &mv), CLUSTER_MOVED);
    assert_int_equal(cluster_map_move(&m, &mv, "127.0.0.1"), 0);
    assert_string_equal(owner(&m, 7653), "127.0.0.1:7106");
    assert_string_equal(owner(&m, 7652), "127.0.0.1:7102");
    assert_int_equal(m.n_nodes, 4);
    /* a node that does not say its host is the one asked */
    e = "MOVED 1 :7201";
    assert_int_equal(cluster_parse_redirect(e, strlen(e), &mv), CLUSTER_MOVED);
    assert_int_equal(cluster_map_move(&m, &mv, "10.1.2.3"), 0);
    assert_string_equal(owner(&m, 1), "10.1.2.3:7201");
    cluster_map_free(&m);
}

/* Gaps stay unowned; "" is the host asked. */
static void test_cluster_map__gaps_and_unnamed(void **state)
{
    struct cluster_map m;
    char err[128];
    (void)state;

    cluster_map_init(&m);
    redisReply *r =
        reply_of("*2\r\n"
                 "*3\r\n:0\r\n:99\r\n*3\r\n$0\r\n\r\n:7001\r\n$1\r\na\r\n"
                 "*3\r\n:200\r\n:200\r\n*2\r\n$4\r\nhost\r\n:7002\r\n");
    assert_int_equal(cluster_map_load(&m, r, "10.0.0.9", err, sizeof err), 0);
    freeReplyObject(r);
    assert_int_equal(cluster_map_uncovered(&m), CLUSTER_SLOTS - 101);
    assert_string_equal(owner(&m, 99), "10.0.0.9:7001");
    assert_string_equal(owner(&m, 100), "none");
    assert_string_equal(owner(&m, 200), "host:7002");
    cluster_map_free(&m);
}

/* Not CLUSTER SLOTS replies: refused, the map as it was. */
static void test_cluster_map__refuses(void **state)
{
#define R(s)                                                                   \
    {                                                                          \
        s, sizeof(s) - 1                                                       \
    }
    static const struct {
        const char *resp;
        size_t len;
    } bad[] = {
        R("+OK\r\n"),
        R("-ERR This instance has cluster support disabled\r\n"),
        R("*1\r\n:5\r\n"),
        R("*1\r\n*2\r\n:0\r\n:5\r\n"),
        R("*1\r\n*3\r\n:5\r\n:4\r\n*2\r\n$1\r\nh\r\n:7000\r\n"), /* from > to */
        R("*1\r\n*3\r\n:0\r\n:16384\r\n*2\r\n$1\r\nh\r\n:7000\r\n"), /* past the
                                                                        end */
        R("*1\r\n*3\r\n:-1\r\n:3\r\n*2\r\n$1\r\nh\r\n:7000\r\n"),
        R("*1\r\n*3\r\n:0\r\n:3\r\n*2\r\n$1\r\nh\r\n:0\r\n"), /* port 0 */
        R("*1\r\n*3\r\n:0\r\n:3\r\n*2\r\n$1\r\nh\r\n:65536\r\n"),
        R("*1\r\n*3\r\n:0\r\n:3\r\n*2\r\n$1\r\nh\r\n$4\r\n7000\r\n"), /* port as
                                                                         text */
        R("*1\r\n*3\r\n:0\r\n:3\r\n*1\r\n$1\r\nh\r\n"),
        R("*1\r\n*3\r\n:0\r\n:3\r\n*2\r\n$3\r\nh\0i\r\n:7000\r\n"), /* NUL in
                                                                       host */
    };
#undef R
    struct cluster_map m;
    char err[128];
    (void)state;

    cluster_map_init(&m);
    redisReply *r = reply_of(no_replicas);
    assert_int_equal(cluster_map_load(&m, r, "h", err, sizeof err), 0);
    freeReplyObject(r);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        redisReader *rd = redisReaderCreate();
        void *reply = NULL;
        assert_int_equal(redisReaderFeed(rd, bad[i].resp, bad[i].len),
                         REDIS_OK);
        assert_int_equal(redisReaderGetReply(rd, &reply), REDIS_OK);
        assert_non_null(reply);
        redisReaderFree(rd);
        err[0] = '\0';
        if (cluster_map_load(&m, reply, "h", err, sizeof err) != -1) {
            fail_msg("case %zu accepted", i);
        }
        assert_true(strncmp(err, "CLUSTER SLOTS: ", 15) == 0);
        freeReplyObject(reply);
        assert_int_equal(m.n_nodes, 3);
        assert_string_equal(owner(&m, 16383), "127.0.0.1:7103");
    }
    assert_int_equal(cluster_map_load(&m, NULL, "h", err, sizeof err), -1);
    cluster_map_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cluster_map__recorded),
        cmocka_unit_test(test_cluster_map__gaps_and_unnamed),
        cmocka_unit_test(test_cluster_map__refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
