/* SPDX-License-Identifier: Apache-2.0 */
/* Test client: resolves HOST with getaddrinfo, connects to HOST:PORT, checks
 * that getpeername returns exactly the address it connected to, sends "who\n"
 * and prints what the server answered.
 *
 *   connect MODE HOST PORT
 *     blocking       AF_INET socket, blocking connect
 *     nonblock-poll  AF_INET socket with O_NONBLOCK, connect, poll for POLLOUT,
 *                    SO_ERROR, then connect again (as kafka-python does:
 *                    0 or EISCONN)
 *     v6mapped       getaddrinfo(AF_INET6, AI_V4MAPPED), AF_INET6 socket with
 *                    IPV6_V6ONLY=0, connect to ::ffff:a.b.c.d
 *
 * Prints one line: "identity=NAME addr=ADDR peer=ADDR:PORT" and exits 0, or
 * explains on stderr and exits 1. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
die(const char *what)
{
	fprintf(stderr, "connect: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
format_addr(const struct sockaddr *sa, char *host, size_t hostlen, unsigned *port)
{
	const void *a;

	if (sa->sa_family == AF_INET6) {
		a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		*port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	} else {
		a = &((const struct sockaddr_in *)sa)->sin_addr;
		*port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	}
	if (!inet_ntop(sa->sa_family, a, host, hostlen))
		snprintf(host, hostlen, "?family=%d", sa->sa_family);
}

static int
same_addr(const struct sockaddr *x, socklen_t xlen, const struct sockaddr *y, socklen_t ylen)
{
	if (x->sa_family != y->sa_family || xlen != ylen)
		return 0;
	if (x->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)x, *b = (const void *)y;
		return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	if (x->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)x, *b = (const void *)y;
		return a->sin6_port == b->sin6_port &&
		       memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
	}
	return 0;
}

static void
connect_nonblocking(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int flags = fcntl(fd, F_GETFL), err = 0, rc;
	socklen_t elen = sizeof(err);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		die("fcntl O_NONBLOCK");
	rc = connect(fd, sa, len);
	if (rc == 0) {
		fprintf(stderr, "connect: non-blocking connect completed at once\n");
	} else if (errno != EINPROGRESS) {
		die("non-blocking connect");
	} else {
		rc = poll(&p, 1, 5000);
		if (rc < 0)
			die("poll");
		if (rc == 0) {
			fprintf(stderr, "connect: poll timed out\n");
			exit(1);
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			die("getsockopt SO_ERROR");
		if (err) {
			errno = err;
			die("SO_ERROR after poll");
		}
		/* kafka-python calls connect again on the same fd to learn the
		 * result: Linux answers 0 once the handshake is done, EISCONN after. */
		if (connect(fd, sa, len) < 0 && errno != EISCONN)
			die("second connect on the same fd");
	}
	if (fcntl(fd, F_SETFL, flags) < 0)
		die("fcntl restore");
}

int
main(int argc, char **argv)
{
	struct addrinfo hints, *res;
	struct sockaddr_storage peer;
	socklen_t peerlen = sizeof(peer);
	char host[INET6_ADDRSTRLEN + 16], phost[INET6_ADDRSTRLEN + 16], buf[512];
	unsigned port, pport;
	size_t got = 0;
	ssize_t n;
	int fd, rc, v6, off = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: connect blocking|nonblock-poll|v6mapped HOST PORT\n");
		return 2;
	}
	v6 = strcmp(argv[1], "v6mapped") == 0;
	if (!v6 && strcmp(argv[1], "blocking") != 0 && strcmp(argv[1], "nonblock-poll") != 0) {
		fprintf(stderr, "connect: unknown mode %s\n", argv[1]);
		return 2;
	}

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = v6 ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = v6 ? AI_V4MAPPED : 0;
	rc = getaddrinfo(argv[2], argv[3], &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "connect: getaddrinfo %s: %s\n", argv[2], gai_strerror(rc));
		return 1;
	}
	format_addr(res->ai_addr, host, sizeof(host), &port);

	fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0)
		die("IPV6_V6ONLY=0");

	if (strcmp(argv[1], "nonblock-poll") == 0)
		connect_nonblocking(fd, res->ai_addr, res->ai_addrlen);
	else if (connect(fd, res->ai_addr, res->ai_addrlen) < 0)
		die("connect");

	if (getpeername(fd, (struct sockaddr *)&peer, &peerlen) < 0)
		die("getpeername");
	format_addr((struct sockaddr *)&peer, phost, sizeof(phost), &pport);
	if (!same_addr((struct sockaddr *)&peer, peerlen, res->ai_addr, res->ai_addrlen)) {
		fprintf(stderr,
			"connect: getpeername gave %s port %u (len %u), asked for %s port %u (len "
			"%u)\n",
			phost, pport, (unsigned)peerlen, host, port, (unsigned)res->ai_addrlen);
		return 1;
	}

	if (write(fd, "who\n", 4) != 4)
		die("write");
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	close(fd);
	freeaddrinfo(res);
	if (got == 0) {
		fprintf(stderr, "connect: no reply\n");
		return 1;
	}
	printf("identity=%s addr=%s peer=%s:%u\n", buf, host, phost, pport);
	return 0;
}
