/* SPDX-License-Identifier: Apache-2.0 */
/* edges: a static test program for the seccomp supervisor's edge cases (make
 * build/tests/edges). One line on stdout per run; errors on stderr, exit 1.
 *
 *   edges --own-files HOST PORT
 *     A thread unshares its fd table (unshare(CLONE_FILES)), opens a socket
 *     with the same number as an unconnected socket of the main thread, and
 *     connects it to HOST:PORT. Prints "thread=<connect's result>
 *     main=<connected|unconnected>" (the main thread's socket afterwards).
 *   edges --zombie-leader HOST PORT
 *     The main thread exits (pthread_exit) while a second thread connects a
 *     socket to HOST:PORT. Prints "thread=<connect's result>".
 *   edges --flip HOST PORT SECONDS
 *     For SECONDS, non-blocking connects to HOST:PORT while a second thread
 *     flips the socket's O_NONBLOCK off and on (on most of the time) from
 *     before each connect; a connect that hangs (made while the flag was off)
 *     is interrupted after 20 ms. Prints "attempts=N".
 *   edges --opens SECONDS
 *     For SECONDS, opens and closes /etc/hosts every 2 ms. Prints "opens=N
 *     max_ms=M", M the longest open. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_storage to;
static socklen_t to_len;
static int shared_fd;
static atomic_int flipping;
static double flip_end;

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int
resolve(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
	int rc = getaddrinfo(host, port, &hints, &res);

	if (rc != 0) {
		fprintf(stderr, "edges: getaddrinfo %s: %s\n", host, gai_strerror(rc));
		return -1;
	}
	memcpy(&to, res->ai_addr, res->ai_addrlen);
	to_len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void *
own_files_thread(void *arg)
{
	int fd;

	(void)arg;
	if (unshare(CLONE_FILES) < 0)
		return "unshare failed";
	close(shared_fd);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) != shared_fd)
		return "socket got another number";
	return connect(fd, (struct sockaddr *)&to, to_len) == 0 ? "connected" : strerror(errno);
}

static int
own_files(void)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	pthread_t t;
	void *result;

	if ((shared_fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    pthread_create(&t, NULL, own_files_thread, NULL) != 0 || pthread_join(t, &result) != 0)
		return perror("edges"), 1;
	printf("thread=%s main=%s\n", (char *)result,
	       getpeername(shared_fd, (struct sockaddr *)&peer, &len) == 0 ? "connected"
									   : "unconnected");
	return 0;
}

static void
on_alarm(int sig)
{
	(void)sig;
}

static void *
orphan_thread(void *arg)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)arg;
	usleep(100 * 1000); /* the main thread has exited by now */
	printf("thread=%s\n",
	       connect(fd, (struct sockaddr *)&to, to_len) == 0 ? "connected" : strerror(errno));
	exit(0);
}

static int
zombie_leader(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, orphan_thread, NULL) != 0)
		return perror("edges"), 1;
	pthread_exit(NULL);
}

static void *
flipper(void *arg)
{
	int fd = *(int *)arg, fl = fcntl(fd, F_GETFL);
	sigset_t alarm;

	sigemptyset(&alarm);
	sigaddset(&alarm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alarm, NULL);

	atomic_store(&flipping, 2);
	while (atomic_load(&flipping) && now_ms() < flip_end) {
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
		/* Mostly on: most connects are made as non-blocking, some not. */
		for (volatile int spin = 0; spin < 1000; spin++)
			;
	}
	return NULL;
}

static int
flip(double seconds)
{
	struct itimerval every = {{0, 20000}, {0, 20000}};
	int attempts = 0, fd;
	pthread_t t;

	/* A connect that hangs is interrupted (EINTR) after at most 20 ms. */
	sigaction(SIGALRM, &(struct sigaction){.sa_handler = on_alarm}, NULL);
	setitimer(ITIMER_REAL, &every, NULL);
	flip_end = now_ms() + seconds * 1e3;
	while (now_ms() < flip_end) {
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0)
			return perror("edges: socket"), 1;
		atomic_store(&flipping, 1);
		if (pthread_create(&t, NULL, flipper, &fd) != 0)
			return perror("edges: pthread_create"), 1;
		while (atomic_load(&flipping) == 1) /* until the flipper flips */
			sched_yield();
		connect(fd, (struct sockaddr *)&to, to_len);
		atomic_store(&flipping, 0);
		pthread_join(t, NULL);
		close(fd);
		attempts++;
	}
	printf("attempts=%d\n", attempts);
	return 0;
}

static int
opens(double seconds)
{
	double end = now_ms() + seconds * 1e3, t0, max = 0;
	struct timespec pause = {0, 2 * 1000 * 1000};
	int n = 0, fd;

	while ((t0 = now_ms()) < end) {
		if ((fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC)) < 0)
			return perror("edges: /etc/hosts"), 1;
		if (now_ms() - t0 > max)
			max = now_ms() - t0;
		close(fd);
		n++;
		nanosleep(&pause, NULL);
	}
	printf("opens=%d max_ms=%.0f\n", n, max);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--own-files") == 0)
		return resolve(argv[2], argv[3]) < 0 ? 1 : own_files();
	if (argc == 4 && strcmp(argv[1], "--zombie-leader") == 0)
		return resolve(argv[2], argv[3]) < 0 ? 1 : zombie_leader();
	if (argc == 5 && strcmp(argv[1], "--flip") == 0)
		return resolve(argv[2], argv[3]) < 0 ? 1 : flip(atof(argv[4]));
	if (argc == 3 && strcmp(argv[1], "--opens") == 0)
		return opens(atof(argv[2]));
	fprintf(stderr, "usage: edges --own-files HOST PORT | --zombie-leader HOST PORT | "
			"--flip HOST PORT SECONDS | --opens SECONDS\n");
	return 2;
}
