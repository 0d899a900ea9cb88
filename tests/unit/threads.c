/* 16 threads resolve and connect through the shim at once while the table is
 * rewritten underneath them; then a forked child resolves and connects too.
 * Run with LD_PRELOAD=libkshim.so and KSHIM_TABLE=argv[1]. */
#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define BROKERS 3
#define THREADS 16
#define ROUNDS 200

static int listeners[BROKERS];
static int ports[BROKERS];
static const char *table;
static atomic_int good, bad;
static atomic_int stop;

static void *
serve(void *arg)
{
	int i = (int)(long)arg;
	char id[32];

	snprintf(id, sizeof(id), "kafka%d\n", i + 1);
	for (;;) {
		int c = accept(listeners[i], NULL, NULL);
		if (c < 0)
			continue;
		if (write(c, id, strlen(id)) < 0)
			perror("write");
		close(c);
	}
	return NULL;
}

static void
write_table(void)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", table);
	f = fopen(tmp, "w");
	if (!f) {
		perror(tmp);
		exit(2);
	}
	fprintf(f, "kshim-table 1\n");
	for (int i = 0; i < BROKERS; i++)
		fprintf(f, "kafka%d 127.77.9.%d 9092=127.0.0.1:%d\n", i + 1, i + 1, ports[i]);
	fclose(f);
	if (rename(tmp, table) < 0) {
		perror("rename");
		exit(2);
	}
}

/* Resolves kafkaN, connects, reads its identity; 0 when it is the right one. */
static int
visit(int n)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
	char name[32], want[32], got[32] = {0};
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int fd, rc = -1;

	snprintf(name, sizeof(name), "kafka%d", n);
	snprintf(want, sizeof(want), "kafka%d\n", n);
	if (getaddrinfo(name, "9092", &hints, &res) != 0)
		return -1;
	fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0 &&
	    read(fd, got, sizeof(got) - 1) > 0 && strcmp(got, want) == 0 &&
	    getpeername(fd, (struct sockaddr *)&peer, &len) == 0 &&
	    peer.sin_addr.s_addr == ((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr &&
	    ntohs(peer.sin_port) == 9092)
		rc = 0;
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	return rc;
}

static void *
client(void *arg)
{
	long id = (long)arg;

	for (int r = 0; r < ROUNDS; r++) {
		if (visit((int)((id + r) % BROKERS) + 1) == 0)
			atomic_fetch_add(&good, 1);
		else
			atomic_fetch_add(&bad, 1);
	}
	return NULL;
}

static void *
rewriter(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		write_table();
		usleep(2000);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t srv[BROKERS], cli[THREADS], rw;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: threads TABLE\n");
		return 2;
	}
	table = argv[1];
	for (int i = 0; i < BROKERS; i++) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof(a);
		listeners[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (bind(listeners[i], (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    listen(listeners[i], 128) < 0 ||
		    getsockname(listeners[i], (struct sockaddr *)&a, &len) < 0) {
			perror("listen");
			return 2;
		}
		ports[i] = ntohs(a.sin_port);
		pthread_create(&srv[i], NULL, serve, (void *)(long)i);
	}
	write_table();
	pthread_create(&rw, NULL, rewriter, NULL);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&cli[i], NULL, client, (void *)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(cli[i], NULL);
	atomic_store(&stop, 1);
	pthread_join(rw, NULL);
	printf("%s - %d threads x %d rounds: %d reached the right broker, %d did not\n",
	       atomic_load(&good) == THREADS * ROUNDS ? "ok" : "not ok", THREADS, ROUNDS,
	       atomic_load(&good), atomic_load(&bad));

	pid = fork();
	if (pid == 0)
		_exit(visit(1) == 0 && visit(2) == 0 && visit(3) == 0 ? 0 : 1);
	waitpid(pid, &status, 0);
	printf("%s - a child after fork resolves and connects each name\n",
	       WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "not ok");
	return 0;
}
