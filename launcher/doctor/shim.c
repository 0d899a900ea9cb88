/* SPDX-License-Identifier: Apache-2.0 */
/* Doctor layer 10: the names through the shim. kshim runs itself with the shim
 * preloaded, as 'kshim run' would, in a helper mode that resolves each name,
 * connects through the table and asks Kafka for Metadata, one line per name. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "doctor.h"
#include "../lib/preload.h"
#include "../lib/ready.h"

#define PROBE_KAFKA_MS 5000
#define PROBE_DEADLINE_S 45
#define PROBE_OUT_MAX 65536

/* Runs under the shim: "ok NAME:PORT ADDRESS BROKERS" or "fail NAME:PORT why". */
static void
probe_one(const char *target)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
	const struct rd_kafka_metadata *md;
	char name[256], addr[INET_ADDRSTRLEN] = "?";
	const char *colon = strrchr(target, ':');
	kshim_err_t e = {0};
	int rc;

	if (!colon || colon == target || (size_t)(colon - target) >= sizeof(name)) {
		printf("fail %s not NAME:PORT\n", target);
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(colon - target), target);
	rc = getaddrinfo(name, colon + 1, &hints, &res);
	if (rc != 0) {
		printf("fail %s does not resolve: %s\n", target, gai_strerror(rc));
		return;
	}
	inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, addr, sizeof(addr));
	freeaddrinfo(res);
	if (ready_metadata(target, PROBE_KAFKA_MS, &md, &e) < 0) {
		printf("fail %s resolves to %s, then %s\n", target, addr, e.msg);
		return;
	}
	printf("ok %s %s %d\n", target, addr, md->broker_cnt);
	rd_kafka_metadata_destroy(md);
}

int
doctor_shim_probe(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		probe_one(argv[i]);
		fflush(stdout);
	}
	return 0;
}

/* In the child: stdout and stderr to fd, the shim preloaded, kshim again. */
static void
exec_probe(const struct doctor *dr, int fd)
{
	static char targets[CLUSTER_MAX_NODES][KSHIM_NAME_MAX + 8];
	char self[PATH_MAX];
	char *argv[CLUSTER_MAX_NODES + 4] = {"kshim", "doctor", "--shim-probe"};
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	kshim_err_t e = {0};

	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	for (int i = 0; i < dr->c.n; i++) {
		snprintf(targets[i], sizeof(targets[i]), "%s:%u", dr->c.node[i].name,
			 dr->c.node[i].port);
		argv[i + 3] = targets[i];
	}
	unsetenv("KSHIM_DEBUG");
	if (n < 0 || preload_setenv(dr->table, &e) < 0) {
		printf("fail - %s\n", n < 0 ? strerror(errno) : e.msg);
		_exit(1);
	}
	self[n] = '\0';
	execv(self, argv);
	printf("fail - cannot run %s: %s\n", self, strerror(errno));
	_exit(127);
}

/* Reads the child's output until it closes it or the deadline passes. */
static void
collect(int fd, pid_t pid, char *out, size_t len)
{
	time_t deadline = time(NULL) + PROBE_DEADLINE_S;
	size_t used = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n = 1;

	while (n > 0 && used + 1 < len && time(NULL) < deadline) {
		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = read(fd, out + used, len - 1 - used);
		if (n > 0)
			used += (size_t)n;
	}
	out[used] = '\0';
	kill(pid, SIGKILL); /* gone already, unless it overran */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static int
spawn_probe(const struct doctor *dr, char *out, size_t len, kshim_err_t *err)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return kshim_fail(err, errno, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return kshim_fail(err, errno, "fork: %s", strerror(errno));
	}
	if (pid == 0)
		exec_probe(dr, fds[1]);
	close(fds[1]);
	collect(fds[0], pid, out, len);
	close(fds[0]);
	return 0;
}

/* The line of out that starts with prefix, up to its end. */
static const char *
line_of(const char *out, const char *prefix, char *buf, size_t len)
{
	size_t n = strlen(prefix);

	for (const char *l = out; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (strncmp(l, prefix, n) == 0) {
			snprintf(buf, len, "%.*s", (int)strcspn(l + n, "\n"), l + n);
			return buf;
		}
	return NULL;
}

/* Compares the probe's line for node i with the table; appends what is wrong. */
static void
judge(const struct doctor *dr, int i, const char *out, char *cause, size_t len)
{
	const struct kshim_host *h = kshim_table_find_name(&dr->t, dr->c.node[i].name);
	char prefix[KSHIM_NAME_MAX + 16], line[512], want[INET_ADDRSTRLEN] = "?", addr[64];
	unsigned port = dr->c.node[i].port;
	struct in_addr a = {.s_addr = htonl(h ? h->addr : 0)};
	int brokers;

	inet_ntop(AF_INET, &a, want, sizeof(want));
	snprintf(prefix, sizeof(prefix), "ok %s:%u ", dr->c.node[i].name, port);
	if (line_of(out, prefix, line, sizeof(line))) {
		if (sscanf(line, "%63s %d", addr, &brokers) == 2 && strcmp(addr, want) == 0)
			return;
		doctor_append(cause, len, "%s resolves to %s through the shim, the table says %s",
			      dr->c.node[i].name, addr, want);
		return;
	}
	snprintf(prefix, sizeof(prefix), "fail %s:%u ", dr->c.node[i].name, port);
	if (line_of(out, prefix, line, sizeof(line)))
		doctor_append(cause, len, "%s:%u through the shim %s", dr->c.node[i].name, port,
			      line);
	else
		doctor_append(cause, len, "no answer for %s:%u from the probe under the shim%s%.*s",
			      dr->c.node[i].name, port, out[0] ? ": " : "", (int)strcspn(out, "\n"),
			      out);
}

int
doctor_shim(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	static char out[PROBE_OUT_MAX];
	char cause[512] = "", said[256];

	if (dr->c.mode != ADVERTISE_INTERNAL) {
		snprintf(note, len, "the cluster advertises localhost: no shim is needed");
		return DOCTOR_NA;
	}
	if (spawn_probe(dr, out, sizeof(out), err) < 0)
		return -1;
	for (int i = 0; i < dr->c.n; i++)
		judge(dr, i, out, cause, sizeof(cause));
	if (!cause[0]) {
		if (dr->c.attached)
			snprintf(note, len,
				 "the %d nodes resolve to the table's addresses and "
				 "answer Kafka through the shim",
				 dr->c.n);
		else
			snprintf(note, len,
				 "kafka1..%d resolve to the table's addresses and answer "
				 "Kafka through the shim",
				 dr->c.n);
		return 0;
	}
	kshim_fail(err, EHOSTUNREACH, "%s", cause);
	if (line_of(out, "kshim: ", said, sizeof(said)))
		return kshim_hint(err, "the shim said: %s", said);
	return kshim_hint(err,
			  "watch the shim decide: kshim run --name %s --debug -- kcat -b "
			  "kafka1:%d -L",
			  dr->name, KAFKA_PORT);
}
