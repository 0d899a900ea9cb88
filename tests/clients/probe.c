/* SPDX-License-Identifier: Apache-2.0 */
/* probe: a test program for the seccomp supervisor, built with cc -static (its
 * getaddrinfo is glibc's static copy, which reads /etc/hosts itself). Resolves
 * HOST, connects to HOST:PORT, sends "who\n" and prints one line,
 * "identity=NAME addr=ADDR": NAME is what the server answered, ADDR what HOST
 * resolved to.
 *
 *   probe [--nonblock | --v6] [--child] [--exit N] [--loop] HOST PORT
 *
 * --nonblock  O_NONBLOCK socket: connect, poll for POLLOUT, SO_ERROR
 * --v6        AF_INET6 socket (IPV6_V6ONLY=0) to the v4-mapped address
 * --child     forks and execs itself (without --child); the child's line is
 *             prefixed "child: " and its exit status is the probe's
 * --exit N    exits with N after a success
 * --loop      prints a line every 100 ms until a step fails, then exits 3
 *
 *   probe --hosts open|openat-cloexec|openat2
 *
 * opens /etc/hosts with that system call and prints "cloexec=0|1 lines=N
 * kafka=N": whether the fd has FD_CLOEXEC, its lines, and those naming a kafkaN.
 * Errors: one line on stderr, exit 1. */
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int nonblock, v6, as_child;

static int
fail(const char *what, int e)
{
	fprintf(stderr, "probe: %s: %s\n", what, strerror(e));
	return -1;
}

static int
wait_connected(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int err = 0;
	socklen_t len = sizeof(err);

	if (poll(&p, 1, 15000) != 1)
		return fail("poll", errno ? errno : ETIMEDOUT);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return fail("SO_ERROR", errno);
	return err ? fail("connect (SO_ERROR)", err) : 0;
}

static int
open_connected(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0), off = 0;

	if (fd < 0)
		return fail("socket", errno);
	if (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0)
		return fail("IPV6_V6ONLY", errno);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (!nonblock || errno != EINPROGRESS || wait_connected(fd) < 0) {
		if (!nonblock || errno != EINPROGRESS)
			fail("connect", errno);
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static int
ask(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	if (write(fd, "who\n", 4) != 4)
		return fail("write", errno);
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return got ? 0 : fail("read", errno ? errno : ENODATA);
}

static int
probe(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	char addr[INET6_ADDRSTRLEN], reply[256];
	const void *a;
	int rc, fd;

	hints.ai_family = v6 ? AF_INET6 : AF_INET;
	hints.ai_flags = v6 ? AI_V4MAPPED : 0;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		fprintf(stderr, "probe: getaddrinfo %s: %s%s%s\n", host, gai_strerror(rc),
			rc == EAI_SYSTEM ? ": " : "", rc == EAI_SYSTEM ? strerror(errno) : "");
		return -1;
	}
	a = v6 ? (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr
	       : (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;
	inet_ntop(res->ai_family, a, addr, sizeof(addr));
	fd = open_connected(res);
	freeaddrinfo(res);
	if (fd < 0)
		return -1;
	rc = ask(fd, reply, sizeof(reply));
	close(fd);
	if (rc == 0)
		printf("%sidentity=%s addr=%s\n", as_child ? "child: " : "", reply, addr);
	fflush(stdout);
	return rc;
}

/* Runs this program again as a child, the same options but --child. */
static int
run_child(char **argv)
{
	char *args[16];
	int n = 0, status;
	pid_t pid;

	for (int i = 0; argv[i] && n < 14; i++)
		args[n++] = strcmp(argv[i], "--child") == 0 ? "--as-child" : argv[i];
	args[n] = NULL;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		execv("/proc/self/exe", args);
		fail("exec", errno);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return fail("fork", errno), 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* linux/openat2.h's, which musl's headers do not carry. */
struct how {
	unsigned long long flags, mode, resolve;
};

static int
open_hosts(const char *how)
{
	struct how oh = {.flags = O_RDONLY};

	if (strcmp(how, "open") == 0)
		return (int)syscall(SYS_open, "/etc/hosts", O_RDONLY);
	if (strcmp(how, "openat-cloexec") == 0)
		return (int)syscall(SYS_openat, AT_FDCWD, "/etc/hosts", O_RDONLY | O_CLOEXEC);
	if (strcmp(how, "openat2") == 0)
		return (int)syscall(SYS_openat2, AT_FDCWD, "/etc/hosts", &oh, sizeof(oh));
	errno = EINVAL;
	return -1;
}

/* Counts the lines of /etc/hosts as opened by the system call named how. */
static int
read_hosts(const char *how)
{
	int fd = open_hosts(how), lines = 0, kafka = 0, cloexec;
	char line[1024];
	FILE *f;

	if (fd < 0)
		return fail(how, errno), 1;
	cloexec = (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
	if (!(f = fdopen(fd, "r")))
		return fail("fdopen", errno), 1;
	while (fgets(line, sizeof(line), f)) {
		lines++;
		kafka += strstr(line, " kafka") != NULL;
	}
	fclose(f);
	printf("cloexec=%d lines=%d kafka=%d\n", cloexec, lines, kafka);
	return 0;
}

int
main(int argc, char **argv)
{
	int child = 0, loop = 0, status = 0, i;
	struct timespec pause = {0, 100 * 1000 * 1000};

	if (argc == 3 && strcmp(argv[1], "--hosts") == 0)
		return read_hosts(argv[2]);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--nonblock") == 0)
			nonblock = 1;
		else if (strcmp(argv[i], "--v6") == 0)
			v6 = 1;
		else if (strcmp(argv[i], "--child") == 0)
			child = 1;
		else if (strcmp(argv[i], "--as-child") == 0)
			as_child = 1;
		else if (strcmp(argv[i], "--loop") == 0)
			loop = 1;
		else if (strcmp(argv[i], "--exit") == 0 && i + 1 < argc)
			status = atoi(argv[++i]);
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr,
			"usage: probe [--nonblock|--v6] [--child] [--exit N] [--loop] HOST PORT\n");
		return 2;
	}
	if (child)
		return run_child(argv);
	do {
		if (probe(argv[i], argv[i + 1]) < 0)
			return loop ? 3 : 1;
	} while (loop && (nanosleep(&pause, NULL) == 0 || errno == EINTR));
	return status;
}
