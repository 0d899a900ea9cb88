/* SPDX-License-Identifier: Apache-2.0 */
/* The shim's defences: one small program per defect, chosen by argv[1]. Run
 * under LD_PRELOAD=libkshim.so with KSHIM_TABLE=argv[2]; prints TAP lines.
 *
 *   harden transient|chmod|missing|chdir|chdirfirst|sigpeer|reuse|erange|lookup TABLE
 *   harden stderr TABLE DATA */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "put_table.h"

static const char *table;
static int failed;

static void
check(int cond, const char *what)
{
	printf("%sok - %s\n", cond ? "" : "not ", what);
	fflush(stdout);
	failed += !cond;
}

static void
pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Writes "kafka1 ADDR 9092=127.0.0.1:PORT" atomically, with mode. */
static void
write_table(const char *path, const char *addr, int port, mode_t mode)
{
	char text[256];

	snprintf(text, sizeof(text), "kshim-table 1\nkafka1 %s 9092=127.0.0.1:%d\n", addr, port);
	put_table(path, text, mode);
}

/* The address kafka1 resolves to, or "" when it does not. */
static const char *
resolve(void)
{
	static char out[INET_ADDRSTRLEN];
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;

	out[0] = '\0';
	if (getaddrinfo("kafka1", "9092", &hints, &res) != 0)
		return out;
	inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, out, sizeof(out));
	freeaddrinfo(res);
	return out;
}

static int
resolves_to(const char *want)
{
	return strcmp(resolve(), want) == 0;
}

/* Item 1: EMFILE while the table changes keeps the old table, and the new one
 * is picked up once descriptors are free again. */
static void
transient(void)
{
	struct rlimit rl = {64, 64};
	int fds[64], n = 0;

	write_table(table, "127.77.0.1", 1111, 0600);
	check(resolves_to("127.77.0.1"), "transient: the table maps kafka1");
	setrlimit(RLIMIT_NOFILE, &rl);
	while (n < 64 && (fds[n] = open("/dev/null", O_RDONLY)) >= 0)
		n++;
	/* rename needs no descriptor */
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", table);
	close(fds[--n]);
	FILE *f = fopen(tmp, "w");
	fprintf(f, "kshim-table 1\nkafka1 127.77.0.9 9092=127.0.0.1:2222\n");
	fclose(f);
	chmod(tmp, 0600);
	fds[n] = open("/dev/null", O_RDONLY);
	n++;
	rename(tmp, table);
	pause_ms(150);
	check(resolves_to("127.77.0.1"),
	      "transient: out of descriptors, the last good table stays");
	while (n > 0)
		close(fds[--n]);
	pause_ms(150);
	check(resolves_to("127.77.0.9"),
	      "transient: with descriptors free again, the new table is loaded");
}

/* Item 1: a table ignored for its mode is used after chmod 600. */
static void
chmod_fix(void)
{
	write_table(table, "127.77.0.1", 1111, 0600);
	chmod(table, 0666);
	check(!resolves_to("127.77.0.1"), "chmod: a world-writable table is ignored");
	chmod(table, 0600);
	pause_ms(150);
	check(resolves_to("127.77.0.1"), "chmod: after chmod 600 it is used, untouched otherwise");
}

/* Item 1: a table briefly missing keeps the last good one. */
static void
missing(void)
{
	char aside[4096];

	snprintf(aside, sizeof(aside), "%s.aside", table);
	write_table(table, "127.77.0.1", 1111, 0600);
	check(resolves_to("127.77.0.1"), "missing: the table maps kafka1");
	rename(table, aside);
	pause_ms(150);
	check(resolves_to("127.77.0.1"), "missing: while it is briefly missing, it still maps");
	write_table(table, "127.77.0.3", 1111, 0600);
	pause_ms(150);
	check(resolves_to("127.77.0.3"), "missing: a new table is loaded when it is back");
	unlink(aside);
}

/* Item 4: a relative KSHIM_TABLE keeps working after chdir. */
static void
chdir_away(void)
{
	char abs[4096];

	write_table(table, "127.77.0.1", 1111, 0600);
	if (!realpath(table, abs)) {
		perror(table);
		exit(2);
	}
	check(resolves_to("127.77.0.1"), "chdir: the relative table maps kafka1");
	if (chdir("/") < 0)
		exit(2);
	write_table(abs, "127.77.0.4", 1111, 0600);
	pause_ms(150);
	check(resolves_to("127.77.0.4"), "chdir: after chdir the table is still followed");
}

/* A relative KSHIM_TABLE names the table in the directory the program started
 * in, even when it chdirs before its first lookup (a daemon does). */
static void
chdir_first(void)
{
	write_table(table, "127.77.0.5", 1111, 0600);
	if (chdir("/") < 0)
		exit(2);
	check(resolves_to("127.77.0.5"),
	      "chdirfirst: chdir before the first lookup keeps the table");
}

/* A listener on addr:0; returns its port. */
static int
listen_on(const char *addr, int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, addr, &a.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 128) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		perror("listen");
		exit(2);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static int
connect_to(const char *addr, int port, socklen_t len)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *a = (struct sockaddr_in *)&ss;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, addr, &a->sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
		perror("connect");
		exit(2);
	}
	return fd;
}

static void
peer_of(int fd, char *out, int *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	out[0] = '\0';
	*port = 0;
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return;
	inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, INET_ADDRSTRLEN);
	*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static volatile sig_atomic_t handled;
static int sig_fds[2];

static void
on_alarm(int sig)
{
	struct sockaddr_storage ss;
	socklen_t len;

	(void)sig;
	for (int i = 0; i < 2; i++) {
		len = sizeof(ss);
		getpeername(sig_fds[i], (struct sockaddr *)&ss, &len);
	}
	handled++;
}

/* Item 2: getpeername in a signal handler while the main thread is inside
 * mapped lookups and connects; the shell runs this under a timeout. */
static void
sigpeer(void)
{
	int port, other, lfd = listen_on("127.0.0.1", &port);
	int lfd2 = listen_on("127.0.0.2", &other);
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
	struct itimerval it = {{0, 200}, {0, 200}};
	struct timespec t0, t;

	write_table(table, "127.77.0.1", port, 0600);
	sig_fds[0] = connect_to("127.77.0.1", 9092, sizeof(struct sockaddr_in)); /* rewritten */
	sig_fds[1] = connect_to("127.0.0.2", other, sizeof(struct sockaddr_in)); /* not */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	do {
		int c;
		resolve();
		close(connect_to("127.77.0.1", 9092, sizeof(struct sockaddr_in)));
		while ((c = accept(lfd, NULL, NULL)) >= 0)
			close(c);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 3);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	check(handled > 100, "sigpeer: handlers ran getpeername during lookups and connects");
	close(lfd);
	close(lfd2);
}

/* Item 6: a reused fd number, and an addrlen of sockaddr_storage. */
static void
reuse(void)
{
	char addr[INET_ADDRSTRLEN];
	int port, got, lfd = listen_on("127.0.0.1", &port);
	int fd, fd2;

	char text[256];
	snprintf(text, sizeof(text),
		 "kshim-table 1\nkafka1 127.77.0.1 9092=127.0.0.1:%d\n"
		 "kafka2 127.77.0.2 9092=127.0.0.1:%d\n",
		 port, port);
	put_table(table, text, 0600);
	fd = connect_to("127.77.0.1", 9092, sizeof(struct sockaddr_in));
	peer_of(fd, addr, &got);
	check(strcmp(addr, "127.77.0.1") == 0 && got == 9092,
	      "reuse: getpeername of a rewritten socket gives what was asked");
	close(fd);
	fd2 = connect_to("127.0.0.1", port, sizeof(struct sockaddr_in));
	peer_of(fd2, addr, &got);
	check(fd2 == fd, "reuse: the new socket got the same fd number");
	check(strcmp(addr, "127.0.0.1") == 0 && got == port,
	      "reuse: a direct connect on a reused fd reports its real peer");
	close(fd2);
	fd = connect_to("127.77.0.2", 9092, sizeof(struct sockaddr_storage));
	peer_of(fd, addr, &got);
	check(strcmp(addr, "127.77.0.2") == 0 && got == 9092,
	      "reuse: a connect with addrlen sizeof(sockaddr_storage) is recorded");
	close(fd);
	close(lfd);
}

/* Item 7: gethostbyname_r with a small buffer sets errno to ERANGE. */
static void
erange(void)
{
	struct hostent he, *res = &he;
	char buf[8];
	int herr = 0, rc;

	write_table(table, "127.77.0.1", 1111, 0600);
	errno = 0;
	rc = gethostbyname_r("kafka1", &he, buf, sizeof(buf), &res, &herr);
	check(rc == ERANGE && res == NULL && herr == NETDB_INTERNAL,
	      "erange: a small buffer gives ERANGE and NETDB_INTERNAL");
	check(errno == ERANGE, "erange: errno is ERANGE, as glibc sets it");
}

/* Item 8: fd 2 reopened onto a data file gets no warning text. */
static void
stderr_data(const char *data)
{
	struct stat st;

	close(2);
	if (open(data, O_WRONLY | O_CREAT | O_TRUNC, 0600) != 2)
		exit(2);
	unlink(table); /* a missing table is warned about */
	resolve();
	stat(data, &st);
	check(st.st_size == 0, "stderr: no warning written into a data file on fd 2");
}

int
main(int argc, char **argv)
{
	const char *what = argc > 2 ? argv[1] : "";

	table = argc > 2 ? argv[2] : "";
	if (!strcmp(what, "transient"))
		transient();
	else if (!strcmp(what, "chmod"))
		chmod_fix();
	else if (!strcmp(what, "missing"))
		missing();
	else if (!strcmp(what, "chdir"))
		chdir_away();
	else if (!strcmp(what, "chdirfirst"))
		chdir_first();
	else if (!strcmp(what, "sigpeer"))
		sigpeer();
	else if (!strcmp(what, "reuse"))
		reuse();
	else if (!strcmp(what, "erange"))
		erange();
	else if (!strcmp(what, "lookup"))
		printf("addr=%s\n", resolve());
	else if (!strcmp(what, "stderr") && argc > 3)
		stderr_data(argv[3]);
	else {
		fprintf(stderr, "usage: harden transient|chmod|missing|chdir|chdirfirst|sigpeer|"
				"reuse|erange|lookup|stderr TABLE [DATA]\n");
		return 2;
	}
	return failed != 0;
}
