/*
 * fuzz_mailreq.c: mailreq_parse_open and mailreq_parse_click with
 * arbitrary paths and queries.
 *
 * Input layout: byte 0 picks a split point; the rest is cut there into a
 * path and a query, each copied into a buffer of its exact size so that
 * ASan sees any read past the end; "/o/" and "/c/" are tried in front of
 * the path as well, so most inputs reach the field checks.
 *
 * Invariants: whatever a parser accepts holds only valid fields (ids,
 * token, redirect target per proto/clicklink.h), every view lies inside
 * the input or the scratch, and decoding never writes past the scratch
 * capacity it was given.
 */
// clang-format off
// FUZZ_SOURCES: proto/*.c
// FUZZ_SEED: \026news/spring/abcdefgh.gifto=https%3A%2F%2Fx.example%2F&r=abcdefgh&k=k1&sig=abc
// FUZZ_SEED: \010a/b/c.gifto=http://y&k=k&sig=s&to=x
// clang-format on
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/clicklink.h"
#include "proto/hit.h"
#include "proto/mailreq.h"
#include "tests/fuzz/fuzz_check.h"

/* 1 when s lies within [base, base + len). */
static int inside(struct span s, const char *base, size_t len)
{
    return s.p >= base && s.p + s.len <= base + len;
}

static void check_open(const char *path, size_t len)
{
    struct mailreq_open o;
    const char *err = NULL;
    if (mailreq_parse_open(span_make(path, len), &o, &err) < 0) {
        CHECK(err != NULL);
        return;
    }
    CHECK(len >= 3 && memcmp(path, "/o/", 3) == 0);
    CHECK(inside(o.site, path, len) && inside(o.campaign, path, len) &&
          inside(o.recipient, path, len));
    CHECK(hit_valid_site(o.site.p, o.site.len));
    CHECK(clicklink_valid_id(o.campaign.p, o.campaign.len));
    CHECK(clicklink_valid_recipient(o.recipient.p, o.recipient.len));
}

static void check_click(const char *path, size_t plen, const char *query,
                        size_t qlen)
{
    struct mailreq_click c;
    const char *err = NULL;
    size_t cap = qlen / 2; /* half: decoding must respect the cap */
    char *scratch = malloc(qlen + 8);
    CHECK(scratch != NULL);
    memset(scratch + cap, 0x5a, qlen + 8 - cap);
    int rc = mailreq_parse_click(span_make(path, plen),
                                 span_make(query, qlen), scratch, cap, &c,
                                 &err);
    for (size_t i = cap; i < qlen + 8; i++) {
        CHECK((unsigned char)scratch[i] == 0x5a);
    }
    if (rc < 0) {
        CHECK(err != NULL);
    } else {
        CHECK(inside(c.site, path, plen) && inside(c.campaign, path, plen) &&
              inside(c.link, path, plen));
        CHECK(inside(c.to, scratch, cap) && inside(c.key_id, scratch, cap) &&
              inside(c.sig, scratch, cap));
        CHECK(c.recipient.len == 0 || inside(c.recipient, scratch, cap));
        CHECK(hit_valid_site(c.site.p, c.site.len));
        CHECK(clicklink_valid_id(c.campaign.p, c.campaign.len));
        CHECK(clicklink_valid_id(c.link.p, c.link.len));
        CHECK(clicklink_valid_to(c.to.p, c.to.len));
        CHECK(clicklink_valid_id(c.key_id.p, c.key_id.len));
        CHECK(c.recipient.len == 0 ||
              clicklink_valid_recipient(c.recipient.p, c.recipient.len));
    }
    free(scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    size_t split = data[0] < size - 1 ? data[0] : size - 1;
    size_t qlen = size - 1 - split;
    char *path = malloc(split ? split : 1);
    char *query = malloc(qlen ? qlen : 1);
    char *prefixed = malloc(split + 3);
    CHECK(path != NULL && query != NULL && prefixed != NULL);
    memcpy(path, data + 1, split);
    memcpy(query, data + 1 + split, qlen);

    check_open(path, split);
    check_click(path, split, query, qlen);
    memcpy(prefixed + 3, path, split);
    memcpy(prefixed, "/o/", 3);
    check_open(prefixed, split + 3);
    memcpy(prefixed, "/c/", 3);
    check_click(prefixed, split + 3, query, qlen);
    free(path);
    free(query);
    free(prefixed);
    return 0;
}
