/*
 * mail_open.h: the e-mail open pixel, GET|HEAD
 * /o/<site>/<campaign>/<recipient>.gif (SPEC 2.3, 4).
 */
#ifndef BEACON_MAIL_OPEN_H
#define BEACON_MAIL_OPEN_H

#include "collector/http/request.h"
#include "collector/http/response.h"
#include "proto/ipaddr.h"

struct worker;

/* Classifies and counts the open when it passes the gate and answers the
 * GIF of the page pixel, or 503 without recipient_key. Returns 0, or -1
 * when the connection closes after the answer. */
int mail_open(struct worker *w, const struct request *r,
              const struct ip_addr *peer, struct outbuf *out,
              enum response_conn conn);

#endif
