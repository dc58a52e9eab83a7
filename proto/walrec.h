/*
 * walrec.h: one record of the write-ahead log, what the aggregation needs
 * of one counted hit and nothing more: a page hit's normalized fields,
 * user-agent class and visitor pseudonym, or an e-mail open's or click's
 * campaign, class, link and recipient hash. Never an address, a user
 * agent or a recipient token. Pure: no allocation, no I/O.
 *
 * The log is a run of blocks, each the records one worker appended in one
 * loop turn, under one CRC: a CRC costs about as much for 70 bytes as for
 * a kilobyte, so one per turn instead of one per record. Little-endian:
 *
 *   block:  +-------------+---------------------+---------+---------+--
 *           | records len | crc32 of the records| record  | record  | ...
 *           +-------------+---------------------+---------+---------+--
 *                 4                 4
 *   record: +-------------+---------+
 *           | payload len | payload |
 *           +-------------+---------+
 *                 2        len bytes
 *
 * Payload: kind (1 byte), unix time (8), site_len (1), site, then
 *   hit:   flags (1: bit 0 pageview, bit 1 visitor), device (1), browser
 *          (1), [visitor (16)], path_len (2), path, then ref, utm_source,
 *          utm_medium, utm_campaign, event, each length (1) and bytes
 *   open:  class (1), flags (1: bit 0 recipient), [recipient (16)],
 *          campaign_len (1), campaign
 *   click: flags (1: bit 0 recipient), [recipient (16)], campaign_len
 *          (1), campaign, link_len (1), link
 */
#ifndef BEACON_WALREC_H
#define BEACON_WALREC_H

#include <stddef.h>
#include <stdint.h>

#include "proto/hit.h"
#include "proto/span.h"

#define WALREC_HEADER 2       /* a record's */
#define WALREC_BLOCK_HEADER 8 /* a block's */
#define WALREC_ID_BYTES 16    /* a visitor pseudonym or a recipient hash */
#define WALREC_MAIL_MAX 64    /* campaign and link ids */
#define WALREC_OPEN_CLASSES 4
/* The largest record: a hit with every field at its limit. */
#define WALREC_MAX 1024
/* The most record bytes a block holds. */
#define WALREC_BLOCK_MAX (256 * 1024)

enum walrec_kind { WALREC_HIT = 1, WALREC_OPEN = 2, WALREC_CLICK = 3 };

struct walrec_mail {
    struct span site;
    struct span campaign;           /* 1..WALREC_MAIL_MAX bytes */
    struct span link;               /* clicks: 1..WALREC_MAIL_MAX bytes */
    const unsigned char *recipient; /* WALREC_ID_BYTES, or NULL */
    uint8_t open_class;             /* opens: < WALREC_OPEN_CLASSES */
};

struct walrec {
    enum walrec_kind kind;
    uint64_t time; /* unix seconds */
    /* WALREC_HIT */
    struct hit hit;
    uint8_t device, browser;
    const unsigned char *visitor; /* into the record, or NULL */
    /* WALREC_OPEN, WALREC_CLICK: views into the record */
    struct walrec_mail mail;
};

/*
 * Writes the record of a page hit (visitor: WALREC_ID_BYTES or NULL) or of
 * an open or a click to out. Returns its length, or 0 when it does not fit
 * in cap bytes or a field is over its limit.
 */
size_t walrec_put_hit(char *out, size_t cap, uint64_t time,
                      const struct hit *h, uint8_t device, uint8_t browser,
                      const unsigned char *visitor);
size_t walrec_put_mail(char *out, size_t cap, enum walrec_kind kind,
                       uint64_t time, const struct walrec_mail *m);

enum walrec_status {
    WALREC_OK,
    WALREC_SHORT, /* less than a whole block or record: a torn tail */
    WALREC_BAD,   /* a wrong CRC, length or field */
};

/* Fills in the header of the block at block, whose records_len bytes of
 * records follow the header. */
void walrec_block_seal(char *block, size_t records_len);

/*
 * Reads the header of the block at buf[0..len): on WALREC_OK, its records
 * are *records_len bytes after the header, within len. The CRC is not
 * checked here (a read can step over a block it does not need).
 */
enum walrec_status walrec_block_head(const char *buf, size_t len,
                                     size_t *records_len);

/* 1 when the records of the block at buf (as walrec_block_head found
 * them) match its CRC. */
int walrec_block_intact(const char *buf, size_t records_len);

/*
 * Reads the record at buf[0..len), inside a block whose CRC was checked.
 * On WALREC_OK, *used is its length and out holds it (a hit's fields
 * copied into out->hit; the rest are views into buf).
 */
enum walrec_status walrec_get(const char *buf, size_t len, size_t *used,
                              struct walrec *out);

#endif
