/* Micro-benchmark of the shim's hooks. Prints "<ns per call>" for one case;
 * bench/hooks.sh runs it with and without the shim and reports ratios.
 *   hooks gai NAME PROFILE ITERATIONS     PROFILE: rdkafka | java | node, and each
 *                                         with "-numeric": the same hints plus AI_NUMERICHOST
 *   hooks connect ADDR PORT ITERATIONS    (a listener must accept on ADDR:PORT)
 *   hooks listen                          (prints a port, accepts until killed) */
#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The hints each client passes (see shared notes: clients.md). */
static int
profile(const char *p, struct addrinfo *h, const char **service)
{
	size_t n = strcspn(p, "-");

	memset(h, 0, sizeof(*h));
	*service = NULL;
	if (strncmp(p, "rdkafka", n) == 0) {
		h->ai_flags = AI_ADDRCONFIG;
		h->ai_socktype = SOCK_STREAM;
		h->ai_protocol = IPPROTO_TCP;
		*service = "9092";
	} else if (strncmp(p, "java", n) == 0) {
		h->ai_flags = AI_CANONNAME;
	} else if (strncmp(p, "node", n) == 0) {
		h->ai_flags = AI_ADDRCONFIG;
		h->ai_socktype = SOCK_STREAM;
	} else {
		return -1;
	}
	if (strcmp(p + n, "-numeric") == 0)
		h->ai_flags = (h->ai_flags & ~AI_ADDRCONFIG) | AI_NUMERICHOST;
	else if (p[n])
		return -1;
	return 0;
}

static int
bench_gai(const char *name, const char *prof, long n)
{
	struct addrinfo hints, *res;
	const char *service;
	double t0;

	if (profile(prof, &hints, &service) < 0)
		return 2;
	for (long i = 0; i < n / 10 + 1; i++) { /* warm up */
		if (getaddrinfo(name, service, &hints, &res) != 0) {
			fprintf(stderr, "getaddrinfo %s failed\n", name);
			return 1;
		}
		freeaddrinfo(res);
	}
	t0 = now();
	for (long i = 0; i < n; i++) {
		if (getaddrinfo(name, service, &hints, &res) == 0)
			freeaddrinfo(res);
	}
	printf("%.1f\n", (now() - t0) / (double)n);
	return 0;
}

static void *
drain(void *arg)
{
	int l = (int)(long)arg;

	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c >= 0)
			close(c);
	}
	return NULL;
}

static int
bench_connect(const char *addr, int port, long n)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	double t0;

	inet_pton(AF_INET, addr, &sa.sin_addr);
	t0 = now();
	for (long i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			perror("connect");
			return 1;
		}
		close(fd);
	}
	printf("%.1f\n", (now() - t0) / (double)n);
	return 0;
}

static int
listen_forever(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	pthread_t t;

	if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 4096) < 0 ||
	    getsockname(l, (struct sockaddr *)&sa, &len) < 0)
		return 1;
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	pthread_create(&t, NULL, drain, (void *)(long)l);
	pthread_join(t, NULL);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "gai") == 0)
		return bench_gai(argv[2], argv[3], atol(argv[4]));
	if (argc == 5 && strcmp(argv[1], "connect") == 0)
		return bench_connect(argv[2], atoi(argv[3]), atol(argv[4]));
	if (argc == 2 && strcmp(argv[1], "listen") == 0)
		return listen_forever();
	fprintf(stderr, "usage: hooks gai NAME PROFILE N | connect ADDR PORT N | listen\n");
	return 2;
}
