/* SPDX-License-Identifier: Apache-2.0 */
/* Micro-benchmark of the shim's hooks and of the seccomp supervisor. Prints
 * "<wall ns per call> <CPU ns per call>" for one case (CPU: this thread's CPU
 * time, which time spent preempted by other work on a busy machine does not
 * inflate); bench/run.sh runs it with and without kshim and reports ratios.
 * It is built twice: dynamically (for the preload) and statically (for the
 * supervisor, which serves the programs the preload cannot reach).
 *   hooks gai NAME PROFILE ITERATIONS     PROFILE: rdkafka | java | node, and each
 *                                         with "-numeric": the same hints plus AI_NUMERICHOST
 *   hooks connect ADDR PORT ITERATIONS    (a listener must accept on ADDR:PORT) times
 *                                         connect() alone, not socket() and close()
 *   hooks connect-nb ADDR PORT ITERATIONS the same the way Go connects: a non-blocking
 *                                         socket, connect, poll until writable, SO_ERROR
 *   hooks openat PATH ITERATIONS          openat(PATH, O_RDONLY) timed, then close
 *   hooks openw PATH ITERATIONS           the same with O_WRONLY
 *   hooks getpid ITERATIONS               the raw getpid system call
 *   hooks listen                          (prints a port, accepts until killed)
 *   hooks mem NAME PORT                   resolves NAME, connects to it on PORT, then prints
 *                                         this process's memory ("key value_kB" lines)
 * Every timed mode runs ITERATIONS/10 + 1 untimed warm-up calls first, so a run makes
 * ITERATIONS + ITERATIONS/10 + 1 calls in all (bench/run.sh relies on that for
 * callgrind's instructions per call). gai prints the mean over the calls; the
 * others print the median of the per-call times: the kernel charges a
 * connecting thread now and then for other traffic's softirq work, and a
 * supervised call now and then waits for a busy core. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double
clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double
now(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static double
cpu(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
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
	double t0, c0;

	if (profile(prof, &hints, &service) < 0)
		return 2;
	for (long i = 0; i < n / 10 + 1; i++) { /* warm up */
		if (getaddrinfo(name, service, &hints, &res) != 0) {
			fprintf(stderr, "getaddrinfo %s failed\n", name);
			return 1;
		}
		freeaddrinfo(res);
	}
	c0 = cpu();
	t0 = now();
	for (long i = 0; i < n; i++) {
		if (getaddrinfo(name, service, &hints, &res) == 0)
			freeaddrinfo(res);
	}
	t0 = now() - t0;
	c0 = cpu() - c0;
	printf("%.1f %.1f\n", t0 / (double)n, c0 / (double)n);
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

/* One timed call: stores the wall and CPU ns it took in *wall and *used;
 * returns -1 if it fails. */
typedef int (*call_fn)(const void *arg, double *wall, double *used);

struct clocks {
	double t0, c0;
};

static struct clocks
clocks_start(void)
{
	struct clocks k;

	k.c0 = cpu();
	k.t0 = now();
	return k;
}

static void
clocks_stop(const struct clocks *k, double *wall, double *used)
{
	*wall = now() - k->t0;
	*used = cpu() - k->c0;
}

/* A TCP socket that close() resets (linger 0), so a long run leaves no
 * TIME_WAIT behind. */
static int
stream_socket(int flags)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	int fd = socket(AF_INET, SOCK_STREAM | flags, 0);

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	return fd;
}

/* socket + connect + close, connect() timed. */
static int
connect_once(const void *sa, double *wall, double *used)
{
	int fd = stream_socket(0), rc;
	struct clocks k;

	if (fd < 0)
		return -1;
	k = clocks_start();
	rc = connect(fd, sa, sizeof(struct sockaddr_in));
	clocks_stop(&k, wall, used);
	close(fd);
	if (rc != 0)
		perror("connect");
	return rc;
}

/* The way Go connects: a non-blocking socket, connect(), then wait until it is
 * writable and read SO_ERROR; all of that timed. */
static int
connect_nb_once(const void *sa, double *wall, double *used)
{
	int fd = stream_socket(SOCK_NONBLOCK), rc, e = 0;
	socklen_t len = sizeof(e);
	struct pollfd p = {.events = POLLOUT};
	struct clocks k;

	if (fd < 0)
		return -1;
	p.fd = fd;
	k = clocks_start();
	rc = connect(fd, sa, sizeof(struct sockaddr_in));
	if (rc < 0 && errno == EINPROGRESS && poll(&p, 1, 5000) == 1 &&
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 && e == 0)
		rc = 0;
	clocks_stop(&k, wall, used);
	close(fd);
	if (rc != 0)
		fprintf(stderr, "connect: %s\n", strerror(e ? e : errno));
	return rc;
}

/* openat(path, flags) + close, openat() timed. */
struct open_arg {
	const char *path;
	int flags;
};

static int
openat_once(const void *arg, double *wall, double *used)
{
	const struct open_arg *o = arg;
	struct clocks k = clocks_start();
	int fd = openat(AT_FDCWD, o->path, o->flags | O_CLOEXEC);

	clocks_stop(&k, wall, used);
	if (fd < 0) {
		perror(o->path);
		return -1;
	}
	close(fd);
	return 0;
}

/* The raw system call: glibc does not cache getpid, but say so anyway. */
static int
getpid_once(const void *arg, double *wall, double *used)
{
	struct clocks k = clocks_start();
	long pid = syscall(SYS_getpid);

	(void)arg;
	clocks_stop(&k, wall, used);
	return pid > 0 ? 0 : -1;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Makes n/10 + 1 untimed calls, then n timed ones; prints the median wall and
 * CPU ns per call. */
static int
time_calls(call_fn once, const void *arg, long n)
{
	double *wall, *used;
	int rc = 1;

	if (n < 1)
		return 2;
	wall = calloc((size_t)n + 1, sizeof(double));
	used = calloc((size_t)n + 1, sizeof(double));
	if (!wall || !used)
		goto out;
	for (long i = 0; i < n / 10 + 1; i++) /* warm up */
		if (once(arg, &wall[0], &used[0]) < 0)
			goto out;
	for (long i = 0; i < n; i++)
		if (once(arg, &wall[i], &used[i]) < 0)
			goto out;
	printf("%.1f %.1f\n", median(wall, n), median(used, n));
	rc = 0;
out:
	free(wall);
	free(used);
	return rc;
}

static int
bench_connect(const char *mode, const char *addr, int port, long n)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return 2;
	return time_calls(strcmp(mode, "connect-nb") == 0 ? connect_nb_once : connect_once, &sa, n);
}

static int
bench_open(const char *mode, const char *path, long n)
{
	struct open_arg o = {.path = path,
			     .flags = strcmp(mode, "openw") == 0 ? O_WRONLY : O_RDONLY};

	return time_calls(openat_once, &o, n);
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

/* Prints the "Key: N kB" lines of a /proc file whose key is in keys, as "prefixKey N". */
static void
print_kb(const char *path, const char *prefix, const char *const *keys)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		for (const char *const *k = keys; *k; k++) {
			size_t n = strlen(*k);
			if (strncmp(line, *k, n) == 0 && line[n] == ':')
				printf("%s%s %ld\n", prefix, *k, strtol(line + n + 1, NULL, 10));
		}
	}
	fclose(f);
}

/* Sums Rss and Pss of the mappings of libkshim.so, and of the anonymous mapping
 * that starts where its last one ends (its .bss beyond the file's last page). */
static void
print_shim_mappings(void)
{
	char line[512], path[256];
	unsigned long lo, hi, end = 0;
	long rss = 0, pss = 0, v;
	int in = 0, found = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && strchr(line, ' ')) {
			path[0] = '\0';
			sscanf(line, "%*s %*s %*s %*s %*s %255s", path);
			if (strstr(path, "libkshim")) {
				in = 1;
				found = 1;
				end = hi;
			} else {
				in = end && lo == end && path[0] == '\0';
				end = 0;
			}
		} else if (in && sscanf(line, "Rss: %ld", &v) == 1) {
			rss += v;
		} else if (in && sscanf(line, "Pss: %ld", &v) == 1) {
			pss += v;
		}
	}
	fclose(f);
	if (found)
		printf("shim_Rss %ld\nshim_Pss %ld\n", rss, pss);
}

static int
mem(const char *name, int port)
{
	static const char *const status[] = {"VmRSS", "VmHWM", "RssAnon", "RssFile", NULL};
	static const char *const rollup[] = {"Rss", "Pss", "Pss_Anon", "Pss_File", NULL};
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	struct sockaddr_in sa;
	int fd;

	if (getaddrinfo(name, NULL, &hints, &res) != 0 || res->ai_family != AF_INET) {
		fprintf(stderr, "getaddrinfo %s failed\n", name);
		return 1;
	}
	memcpy(&sa, res->ai_addr, sizeof(sa));
	freeaddrinfo(res);
	sa.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("connect");
		return 1;
	}
	close(fd);
	print_kb("/proc/self/status", "", status);
	print_kb("/proc/self/smaps_rollup", "rollup_", rollup);
	print_shim_mappings();
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "gai") == 0)
		return bench_gai(argv[2], argv[3], atol(argv[4]));
	if (argc == 5 && (strcmp(argv[1], "connect") == 0 || strcmp(argv[1], "connect-nb") == 0))
		return bench_connect(argv[1], argv[2], atoi(argv[3]), atol(argv[4]));
	if (argc == 4 && (strcmp(argv[1], "openat") == 0 || strcmp(argv[1], "openw") == 0))
		return bench_open(argv[1], argv[2], atol(argv[3]));
	if (argc == 3 && strcmp(argv[1], "getpid") == 0)
		return time_calls(getpid_once, NULL, atol(argv[2]));
	if (argc == 2 && strcmp(argv[1], "listen") == 0)
		return listen_forever();
	if (argc == 4 && strcmp(argv[1], "mem") == 0)
		return mem(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: hooks gai NAME PROFILE N | connect|connect-nb ADDR PORT N | "
			"openat|openw PATH N | getpid N | listen | mem NAME PORT\n");
	return 2;
}
