/*
 * mailreq.h: the e-mail endpoints' request targets (SPEC 2.3, 2.4),
 * parsed and validated. Pure: views into the caller's buffers, no
 * allocation; nothing here knows a key.
 *
 *   open   /o/<site>/<campaign>/<recipient>.gif
 *   click  /c/<site>/<campaign>/<link>?to=<url>&r=<recipient>&k=<id>&sig=<sig>
 */
#ifndef BEACON_MAILREQ_H
#define BEACON_MAILREQ_H

#include <stddef.h>

#include "proto/span.h"

#define MAILREQ_OPEN_PREFIX "/o/"
#define MAILREQ_CLICK_PREFIX "/c/"

struct mailreq_open {
    struct span site;      /* [A-Za-z0-9._-]{1,64} */
    struct span campaign;  /* [A-Za-z0-9._-]{1,64} */
    struct span recipient; /* [A-Za-z0-9_-]{8,128} */
};

struct mailreq_click {
    struct span site;
    struct span campaign;
    struct span link;      /* [A-Za-z0-9._-]{1,64} */
    struct span to;        /* percent-decoded, a valid redirect target */
    struct span recipient; /* empty when r is absent or empty */
    struct span key_id;    /* [A-Za-z0-9._-]{1,64}; whether it names a key
                              is the caller's to find out */
    struct span sig;       /* as sent; checked by clicklink_verify */
};

/*
 * Parses an open pixel's path (no query). Returns 0, or -1 with *err set
 * to a static reason ("bad campaign", ...) when the path is not exactly
 * "/o/" site "/" campaign "/" recipient ".gif" with valid fields. The
 * views point into path.
 */
int mailreq_parse_open(struct span path, struct mailreq_open *out,
                       const char **err);

/*
 * Parses a click's path and query (without '?'). Query values are
 * percent-decoded ('+' stays '+': the signer encodes it as %2B) into
 * scratch, which must hold query.len bytes; to, r, k and sig must each
 * appear at most once, to, k and sig must be present, other names are
 * ignored (mail gateways append their own). Returns 0, or -1 with *err
 * set to a static reason. Views point into path or scratch.
 */
int mailreq_parse_click(struct span path, struct span query, char *scratch,
                        size_t scratch_cap, struct mailreq_click *out,
                        const char **err);

#endif
