/*
 * syslog.h: the MSG of a syslog message, and the messages of a TCP
 * syslog stream (SPEC 2.7: access-log lines arrive over syslog). Pure:
 * views into the caller's buffer, no allocation, no I/O.
 *
 * One message (a UDP datagram, or one frame of a TCP stream):
 *
 *   RFC 3164, as nginx and rsyslog write it:
 *     <190>Dec  4 21:40:01 beacon: MSG              (nginx: nohostname)
 *     <190>Dec  4 21:40:01 web1 beacon[812]: MSG    (with a hostname)
 *     <190>beacon: MSG                              (a relay dropped the
 *                                                    timestamp)
 *     <190>2026-12-04T21:40:01.5+00:00 web1 beacon: MSG  (rsyslog's
 *                                                    forwarding format)
 *   RFC 5424:
 *     <190>1 2024-12-04T21:40:01.5Z web1 nginx 812 - - MSG
 *     <190>1 - - - - - [x@1 a="q\"]"][y@2] \xEF\xBB\xBFMSG
 *     PRI     TS HOST APP PROCID MSGID SD   BOM (not part of MSG)
 *
 * A TCP stream (RFC 6587), told apart by the first byte of each frame:
 *
 *   octet counting    "93 <190>1 ...93 bytes...118 <190>1 ..."
 *                      ^ 1-9: MSG-LEN SP MSG
 *   non-transparent   "<190>Dec  4 ...\n<190>Dec  4 ...\r\n"
 *                      ^ '<': up to LF (a CR before it is dropped)
 */
#ifndef BEACON_SYSLOG_H
#define BEACON_SYSLOG_H

#include <stddef.h>

#include "proto/span.h"

/*
 * Finds the MSG part of one syslog message d[0..len) (no NUL needed; only
 * those bytes are read). Accepted: "<PRI>" (1-3 digits, 0-191), then
 *   - RFC 3164: an optional "Mmm dd hh:mm:ss " timestamp (the day " 4" or
 *     "04" or "14") or RFC 3339 one (rsyslog's forwarding format), then
 *     with a timestamp an optional HOST (visible ASCII), then TAG (1-64
 *     bytes of [A-Za-z0-9._/-], optionally "[pid]") and ':', then SP and
 *     MSG or the end;
 *   - RFC 5424: "1" SP TIMESTAMP HOST APP PROCID MSGID (each "-" or
 *     visible ASCII of the RFC's lengths; TIMESTAMP checked as RFC 3339),
 *     SP, SD ("-" or "[...]" elements, quoted values with \" \] \\
 *     escapes), then the end or SP and MSG; a UTF-8 BOM in front of MSG
 *     is dropped.
 * One trailing LF or CR LF is not part of MSG. Returns 0 with *msg
 * pointing into d (possibly empty, never NULL), or -1 when d is not such
 * a message (*msg is then untouched).
 */
int syslog_message(const char *d, size_t len, struct span *msg);

/*
 * Takes the next frame from the start of a TCP stream buffer d[0..len):
 * octet counting ("MSG-LEN SP MSG", MSG-LEN decimal without a leading
 * zero and at most max_frame) when d[0] is 1-9, LF framing when d[0] is
 * '<' (the frame is what precedes the LF, less a CR right before it, at
 * most max_frame bytes). A max_frame over INT_MAX - 16 is taken as that,
 * so that the count fits the int returned. A single LF at the start (the
 * separator some relays put between octet-counted frames) is consumed on
 * its own: 1 is returned with *frame empty, and the caller calls again.
 *
 * Returns the bytes consumed (> 0) with *frame pointing into d; 0 when
 * more bytes are needed (nothing consumed, *frame untouched); -1 when the
 * stream is malformed and must be closed: a bad MSG-LEN or one over
 * max_frame, an LF frame over max_frame (reported as soon as no LF can
 * end it in time), any other byte at a frame start. The answer does not
 * depend on how the stream was split: a prefix of d gives 0 or the same
 * answer as d.
 */
int syslog_frame(const char *d, size_t len, size_t max_frame,
                 struct span *frame);

#endif
