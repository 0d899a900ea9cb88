/* SPDX-License-Identifier: Apache-2.0 */
/* THREADS threads resolve, connect and call getpeername
 * for SECONDS while the table is rewritten every 10 ms (alternating between two
 * published ports per broker), removed and restored, and chmodded; a signaller
 * floods the process with SIGUSR1, whose handler calls getpeername on a
 * rewritten socket. Every answer must be right; then a forked child resolves
 * and connects each name. Run with LD_PRELOAD=libkshim.so
 * and KSHIM_TABLE=argv[1]; argv[2] is the duration in seconds. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "put_table.h"

#define BROKERS 3
#define THREADS 16

static int listeners[BROKERS][2];
static int ports[BROKERS][2];
static const char *table;
static atomic_int good, bad, stop;
static atomic_int sig_good, sig_bad;
static int sig_fd;

static void *
serve(void *arg)
{
	int i = (int)(long)arg;
	char id[32];
	struct pollfd p[2] = {{listeners[i][0], POLLIN, 0}, {listeners[i][1], POLLIN, 0}};

	snprintf(id, sizeof(id), "kafka%d\n", i + 1);
	for (;;) {
		if (poll(p, 2, -1) <= 0)
			continue;
		for (int k = 0; k < 2; k++) {
			if (!(p[k].revents & POLLIN))
				continue;
			int c = accept(p[k].fd, NULL, NULL);
			if (c < 0)
				continue;
			if (write(c, id, strlen(id)) < 0)
				perror("write");
			close(c);
		}
	}
	return NULL;
}

static void
write_table(int which, mode_t mode)
{
	char text[512];
	int n = snprintf(text, sizeof(text), "kshim-table 1\n");

	for (int i = 0; i < BROKERS; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "kafka%d 127.77.9.%d 9092=127.0.0.1:%d\n", i + 1, i + 1,
			      ports[i][which]);
	put_table(table, text, mode);
}

/* connect that finishes the handshake when a signal interrupts it. */
static int
connect_through(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct pollfd p = {fd, POLLOUT, 0};
	int e = 0;
	socklen_t elen = sizeof(e);

	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINTR)
		return -1;
	while (poll(&p, 1, 5000) < 0 && errno == EINTR)
		;
	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) == 0 && e == 0 ? 0 : -1;
}

static int
is_asked(const struct sockaddr_in *peer, int n)
{
	return ntohl(peer->sin_addr.s_addr) == (0x7f4d0900u | (unsigned)n) &&
	       ntohs(peer->sin_port) == 9092;
}

/* Resolves kafkaN, connects, reads its identity, checks getpeername. */
static int
visit(int n, int keep)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
	char name[32], want[32], got[32] = {0};
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int fd, rc = -1;

	snprintf(name, sizeof(name), "kafka%d", n);
	snprintf(want, sizeof(want), "kafka%d\n", n);
	if (getaddrinfo(name, "9092", &hints, &res) != 0)
		return -1;
	fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	if (fd >= 0 && connect_through(fd, res->ai_addr, res->ai_addrlen) == 0 &&
	    read(fd, got, sizeof(got) - 1) > 0 && strcmp(got, want) == 0 &&
	    getpeername(fd, (struct sockaddr *)&peer, &len) == 0 && is_asked(&peer, n))
		rc = 0;
	freeaddrinfo(res);
	if (rc == 0 && keep)
		return fd;
	if (fd >= 0)
		close(fd);
	return rc;
}

static void
on_signal(int sig)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int e = errno;

	(void)sig;
	if (getpeername(sig_fd, (struct sockaddr *)&peer, &len) == 0 && is_asked(&peer, 1))
		atomic_fetch_add(&sig_good, 1);
	else
		atomic_fetch_add(&sig_bad, 1);
	errno = e;
}

static void *
client(void *arg)
{
	long id = (long)arg;

	for (long r = 0; !atomic_load(&stop); r++) {
		if (visit((int)((id + r) % BROKERS) + 1, 0) == 0)
			atomic_fetch_add(&good, 1);
		else
			atomic_fetch_add(&bad, 1);
	}
	return NULL;
}

static void
pause_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Every 10 ms a new table; every 10th time it is removed for 10 ms first, and
 * every 7th it is chmodded 0400 and back to 0600. */
static void *
rewriter(void *arg)
{
	char aside[4096];

	(void)arg;
	snprintf(aside, sizeof(aside), "%s.aside", table);
	for (int i = 0; !atomic_load(&stop); i++) {
		if (i % 10 == 0 && rename(table, aside) == 0)
			pause_ms(10);
		write_table(i & 1, 0600);
		if (i % 7 == 0) {
			chmod(table, 0400);
			pause_ms(5);
			chmod(table, 0600);
		}
		pause_ms(10);
	}
	unlink(aside);
	return NULL;
}

static void *
signaller(void *arg)
{
	long *sent = arg;

	while (!atomic_load(&stop)) {
		kill(getpid(), SIGUSR1);
		(*sent)++;
		usleep(200);
	}
	return NULL;
}

static void
listen_all(void)
{
	for (int i = 0; i < BROKERS; i++) {
		for (int k = 0; k < 2; k++) {
			struct sockaddr_in a = {.sin_family = AF_INET,
						.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
			socklen_t len = sizeof(a);
			int fd = socket(AF_INET, SOCK_STREAM, 0);
			if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 512) < 0 ||
			    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
				perror("listen");
				exit(2);
			}
			listeners[i][k] = fd;
			ports[i][k] = ntohs(a.sin_port);
		}
	}
}

int
main(int argc, char **argv)
{
	pthread_t srv[BROKERS], cli[THREADS], rw, sg;
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
	long sent = 0;
	int seconds;

	if (argc < 3) {
		fprintf(stderr, "usage: stress TABLE SECONDS\n");
		return 2;
	}
	table = argv[1];
	seconds = atoi(argv[2]);
	listen_all();
	for (int i = 0; i < BROKERS; i++)
		pthread_create(&srv[i], NULL, serve, (void *)(long)i);
	write_table(0, 0600);
	sig_fd = visit(1, 1);
	if (sig_fd < 0) {
		printf("not ok - a first visit to kafka1\n");
		return 1;
	}
	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&rw, NULL, rewriter, NULL);
	pthread_create(&sg, NULL, signaller, &sent);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&cli[i], NULL, client, (void *)i);
	for (int tenths = 0; tenths < seconds * 10; tenths++)
		pause_ms(100); /* sleep() would end at the first signal */
	atomic_store(&stop, 1);
	for (int i = 0; i < THREADS; i++)
		pthread_join(cli[i], NULL);
	pthread_join(rw, NULL);
	pthread_join(sg, NULL);
	printf("%s - %d threads x %d s: %d lookups+connects+getpeername right, %d wrong\n",
	       atomic_load(&bad) == 0 && atomic_load(&good) > 0 ? "ok" : "not ok", THREADS, seconds,
	       atomic_load(&good), atomic_load(&bad));
	printf("%s - %ld signals sent, %d handlers' getpeername right, %d wrong\n",
	       atomic_load(&sig_bad) == 0 && atomic_load(&sig_good) > 100 ? "ok" : "not ok", sent,
	       atomic_load(&sig_good), atomic_load(&sig_bad));
	pid_t pid = fork();
	int status = 1;
	if (pid == 0)
		_exit(visit(1, 0) == 0 && visit(2, 0) == 0 && visit(3, 0) == 0 ? 0 : 1);
	waitpid(pid, &status, 0);
	printf("%s - a child after fork resolves and connects each name\n",
	       WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "not ok");
	return 0;
}
