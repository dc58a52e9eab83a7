/*
 * script.h: GET|HEAD /beacon.js (SPEC 2.6), the page script: share/beacon.js
 * as scripts/jsmin.sh prints it, built into the binary.
 */
#ifndef BEACON_SCRIPT_H
#define BEACON_SCRIPT_H

#include <stddef.h>

#include "collector/http/request.h"
#include "collector/http/response.h"
#include "proto/ipaddr.h"

struct worker;

/* The script's bytes, and how long an answer may be cached. */
extern const unsigned char beacon_js[];
extern const size_t beacon_js_len;
#define SCRIPT_MAX_AGE_S 3600

/* Answers the script: 200, text/javascript, cacheable for an hour. */
int script_handle(struct worker *w, const struct request *r,
                  const struct ip_addr *peer, struct outbuf *out,
                  enum response_conn conn);

#endif
