/*
 * listener.c: listening sockets (see listener.h).
 */
#include "collector/http/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LISTEN_BACKLOG 4096

int listener_open(const struct config_addr *addr, int reuseport, char *err,
                  size_t errlen)
{
    int one = 1;
    int family = addr->sa.ss_family;
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "%s: socket: %s", addr->text, strerror(errno));
        return -1;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        (reuseport &&
         setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0) ||
        /* "[::]:8080" means IPv6 only; IPv4 is listed on its own. */
        (family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)) {
        snprintf(err, errlen, "%s: setsockopt: %s", addr->text,
                 strerror(errno));
        goto err;
    }
    if (bind(fd, (const struct sockaddr *)&addr->sa, addr->salen) < 0) {
        snprintf(err, errlen, "%s: bind: %s", addr->text, strerror(errno));
        goto err;
    }
    if (listen(fd, LISTEN_BACKLOG) < 0) {
        snprintf(err, errlen, "%s: listen: %s", addr->text, strerror(errno));
        goto err;
    }
    return fd;
err:
    close(fd);
    return -1;
}
