/* SPDX-License-Identifier: Apache-2.0 */
/* connect, sendto(MSG_FASTOPEN) and getpeername: thin hooks over core.c. */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core.h"
#include "real.h"

static int
is_stream(int fd)
{
	int type = 0, e = errno;
	socklen_t len = sizeof(type);
	int ok = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;

	errno = e;
	return ok;
}

/* Fills out with the published address when (fd, addr) is a mapped stream
 * destination; returns its length, or 0 to pass the call through. */
static socklen_t
rewrite(int fd, const struct sockaddr *addr, socklen_t len, struct sockaddr_storage *out)
{
	struct kshim_route route;
	uint32_t a;
	uint16_t port;
	socklen_t n;

	if (!addr || kshim_sockaddr_ipv4(addr, len, &a, &port) < 0 || (a >> 24) != 127)
		return 0;
	if (!core_route(a, port, &route) || !is_stream(fd))
		return 0;
	n = kshim_sockaddr_make(addr->sa_family, route.host_addr, route.host_port, out);
	core_peer_record(fd, addr, len, &route);
	core_debug("connect fd %d: %u.%u.%u.%u:%u -> %u.%u.%u.%u:%u%s", fd, a >> 24,
		   (a >> 16) & 255, (a >> 8) & 255, a & 255, port, route.host_addr >> 24,
		   (route.host_addr >> 16) & 255, (route.host_addr >> 8) & 255,
		   route.host_addr & 255, route.host_port,
		   addr->sa_family == AF_INET6 ? " (v4-mapped)" : "");
	return n;
}

KSHIM_EXPORT int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage to;
	socklen_t n = rewrite(fd, addr, len, &to);

	if (n)
		return kshim_real()->connect(fd, (struct sockaddr *)&to, n);
	return kshim_real()->connect(fd, addr, len);
}

KSHIM_EXPORT ssize_t
sendto(int fd, const void *buf, size_t size, int flags, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage to;
	socklen_t n = (flags & MSG_FASTOPEN) ? rewrite(fd, addr, len, &to) : 0;

	if (n)
		return kshim_real()->sendto(fd, buf, size, flags, (struct sockaddr *)&to, n);
	return kshim_real()->sendto(fd, buf, size, flags, addr, len);
}

KSHIM_EXPORT int
getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	socklen_t cap = len ? *len : 0;
	int rc = kshim_real()->getpeername(fd, addr, len);

	if (rc == 0 && core_enabled())
		core_peer_restore(fd, addr, cap, len);
	return rc;
}
