/*
 * syslog_send.c: the load of bench/syslog.sh. Sends access-log lines in
 * beacond's v1 format (proto/accesslog.h), one RFC 3164 syslog message per
 * UDP datagram as nginx writes them, with sendmmsg() in batches, for a
 * number of lines or of seconds, at most --rate lines per second (0: as
 * fast as it can), and prints what it sent. Needs nothing but libc: it is
 * not linked with beacond's library.
 *
 *   syslog_send --to 127.0.0.1:5140 [--lines N | --seconds T] [--rate LPS]
 *               [--batch 64] [--visitors 100000] [--cpu C] [--seed S]
 *
 * The lines are bench/syslog_mix.h's, over --visitors client addresses,
 * drawn from a fixed pseudo-random sequence (--seed): about 85 % of them
 * are counted, the rest skipped (assets, 404s, POSTs) or dropped by the
 * gate (DNT, GPC, opt-out, crawlers). One line per datagram, generated
 * as it is sent: every run sends the same lines in the same order.
 *
 * Prints one line:
 *   syslog_send: sent=N bytes=B seconds=S rate=R errors=E
 * (rate: lines per second over the sending time; errors: lines that
 * sendmmsg() refused, e.g. ECONNREFUSED while nothing listens).
 */
#include <errno.h>
#include <netdb.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench/syslog_mix.h"

#define MAX_BATCH 1024

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
    struct timespec ts = {(time_t)t, (long)((t - (double)(time_t)t) * 1e9)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
           EINTR) {
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: syslog_send --to HOST:PORT [--lines N | --seconds T] "
               "[--rate LPS]\n"
               "                   [--batch 64] [--visitors 100000] "
               "[--cpu C] [--seed S]\n");
}

static int parse_num(const char *flag, const char *s, double min, double max,
                     double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "syslog_send: %s: bad value '%s'\n", flag, s);
        return -1;
    }
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    const char *to = NULL;
    double lines = 0, seconds = 0, rate = 0, batch = 64, visitors = 100000,
           cpu = -1, seed = 1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double *num = NULL, min = 0, max = 1e15;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            usage(stderr);
            return 2;
        }
        if (strcmp(a, "--to") == 0) {
            to = argv[++i];
            continue;
        } else if (strcmp(a, "--lines") == 0) {
            num = &lines;
        } else if (strcmp(a, "--seconds") == 0) {
            num = &seconds;
        } else if (strcmp(a, "--rate") == 0) {
            num = &rate;
        } else if (strcmp(a, "--batch") == 0) {
            num = &batch, min = 1, max = MAX_BATCH;
        } else if (strcmp(a, "--visitors") == 0) {
            num = &visitors, min = 1, max = 1 << 24;
        } else if (strcmp(a, "--cpu") == 0) {
            num = &cpu, max = CPU_SETSIZE - 1;
        } else if (strcmp(a, "--seed") == 0) {
            num = &seed, min = 1;
        } else {
            usage(stderr);
            return 2;
        }
        if (parse_num(a, argv[++i], min, max, num) < 0) {
            return 2;
        }
    }
    if (to == NULL || (lines <= 0 && seconds <= 0)) {
        usage(stderr);
        return 2;
    }

    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((int)cpu, &set);
        if (sched_setaffinity(0, sizeof(set), &set) < 0) {
            perror("syslog_send: sched_setaffinity");
            return 1;
        }
    }

    const char *colon = strrchr(to, ':');
    char host[256];
    if (colon == NULL || (size_t)(colon - to) >= sizeof(host)) {
        fprintf(stderr, "syslog_send: --to: expected HOST:PORT\n");
        return 2;
    }
    memcpy(host, to, (size_t)(colon - to));
    host[colon - to] = '\0';
    if (host[0] == '[' && strlen(host) > 1 && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host) - 2);
        host[strlen(host) - 2] = '\0';
    }
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai;
    int err = getaddrinfo(host, colon + 1, &hints, &ai);
    if (err != 0) {
        fprintf(stderr, "syslog_send: %s: %s\n", to, gai_strerror(err));
        return 1;
    }
    int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        perror("syslog_send: socket");
        return 1;
    }
    freeaddrinfo(ai);
    int sndbuf = 4 * 1024 * 1024;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));

    char header[64];
    syslog_mix_header(header, sizeof(header), time(NULL));
    syslog_mix_seed((uint64_t)seed);

    static char buf[MAX_BATCH][SYSLOG_MIX_MAX];
    static struct iovec iov[MAX_BATCH];
    static struct mmsghdr msgs[MAX_BATCH];
    int nb = (int)batch;

    uint64_t sent = 0, bytes = 0, errors = 0;
    uint64_t want = lines > 0 ? (uint64_t)lines : UINT64_MAX;
    double start = now(), end = seconds > 0 ? start + seconds : 0, t = start;
    while (sent + errors < want && (end == 0 || t < end)) {
        int n = nb;
        if (want - sent - errors < (uint64_t)n) {
            n = (int)(want - sent - errors);
        }
        for (int i = 0; i < n; i++) {
            size_t len = syslog_mix_line(buf[i], header, (unsigned)visitors);
            iov[i] = (struct iovec){buf[i], len};
            msgs[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i],
                                              .msg_iovlen = 1};
        }
        int done = 0;
        while (done < n) {
            int k = sendmmsg(fd, msgs + done, (unsigned)(n - done), 0);
            if (k < 0) {
                if (errno == EINTR) {
                    continue;
                }
                errors++; /* that one datagram; go on with the next */
                done++;
                continue;
            }
            for (int i = done; i < done + k; i++) {
                bytes += msgs[i].msg_len;
            }
            sent += (uint64_t)k;
            done += k;
        }
        t = now();
        if (rate > 0) {
            double due = start + (double)(sent + errors) / rate;
            if (due > t) {
                sleep_until(due);
                t = now();
            }
        }
    }
    double secs = t - start;
    printf("syslog_send: sent=%llu bytes=%llu seconds=%.3f rate=%.0f "
           "errors=%llu\n",
           (unsigned long long)sent, (unsigned long long)bytes, secs,
           secs > 0 ? (double)sent / secs : 0.0, (unsigned long long)errors);
    close(fd);
    return 0;
}
