/*
 * sd_notify.h: the service manager's readiness protocol (systemd's
 * Type=notify), written over the socket in $NOTIFY_SOCKET without
 * libsystemd: one datagram of "KEY=value" lines. Without the variable
 * (not started by systemd) nothing is sent.
 */
#ifndef BEACON_SD_NOTIFY_H
#define BEACON_SD_NOTIFY_H

/* Sends state, e.g. "READY=1" or "STOPPING=1". Returns 0 when sent or when
 * there is no manager to tell, -1 when the socket refused it. */
int sd_notify_send(const char *state);

/* "RELOADING=1" with the MONOTONIC_USEC that systemd 253 asks for. */
int sd_notify_reloading(void);

#endif
