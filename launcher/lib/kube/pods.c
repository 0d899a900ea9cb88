/* SPDX-License-Identifier: Apache-2.0 */
/* The forwarder's pods: each one's loopback address and local ports, given
 * once, its kubectl started, read, reaped and restarted, and the pod the
 * Service's own names lead to. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../ready.h"
#include "forwarder.h"

long
fw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void
fw_say(const char *fmt, ...)
{
	time_t t = time(NULL);
	char when[16];
	va_list ap;

	strftime(when, sizeof(when), "%H:%M:%S", gmtime(&t));
	printf("%s ", when);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* A port nothing listens on now, and none of the pods' yet. */
static uint16_t
free_port(const struct forwarder *fw)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(LOOPBACK)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	uint16_t port = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < fw->n; i++)
		for (int p = 0; p < fw->s.nports; p++)
			if (fw->pod[i].lport[p] == port)
				return free_port(fw);
	return port;
}

static int
pod_find(const struct forwarder *fw, const char *name)
{
	for (int i = 0; i < fw->n; i++)
		if (strcmp(fw->pod[i].pod.name, name) == 0)
			return i;
	return -1;
}

/* A pod seen for the first time: its loopback address and local ports, for good. */
static int
pod_add(struct forwarder *fw, const struct kube_pod *p)
{
	struct fpod *f = &fw->pod[fw->n];

	memset(f, 0, sizeof(*f));
	f->pod = *p;
	f->child.out = -1;
	f->addr = 2 + (uint32_t)fw->n; /* in the block; 1 is the Service's names */
	for (int i = 0; i < fw->s.nports; i++)
		if (!(f->lport[i] = free_port(fw)))
			return -1;
	return fw->n++;
}

static void
log_line(void *ctx, const char *text)
{
	fw_say("pod %s: kubectl: %s", ((struct fpod *)ctx)->pod.name, text);
}

/* Starts f's kubectl; a failure is said and tried again a tick later. */
static void
start(struct forwarder *fw, struct fpod *f)
{
	kshim_err_t e = {0};

	f->next_start = fw_now_ms() + TICK_MS;
	f->answered = 0;
	if (kubectl_start(&f->child, fw->kubectl, fw->rec.context, fw->rec.ns, f->pod.name,
			  f->lport, fw->s.target, fw->s.nports, &e) < 0)
		fw_say("pod %s: %s", f->pod.name, e.msg);
	else
		fw_say("pod %s: forwarding 127.0.0.1:%u (kubectl pid %ld)", f->pod.name,
		       f->lport[fw->kafka], (long)f->child.pid);
}

/* Starts the kubectl of each ready pod that has none, at most once a tick. */
void
fw_start_due(struct forwarder *fw)
{
	long now = fw_now_ms();

	for (int i = 0; i < fw->n; i++) {
		struct fpod *f = &fw->pod[i];
		if (f->present && f->pod.ready && !f->child.pid && now >= f->next_start)
			start(fw, f);
	}
}

/* Reaps the kubectls that exited, saying how. */
static void
reap(struct forwarder *fw)
{
	int status;

	for (int i = 0; i < fw->n; i++) {
		struct fpod *f = &fw->pod[i];
		if (!kubectl_exited(&f->child, &status))
			continue;
		kubectl_read(&f->child, log_line, f);
		fw_say("pod %s: kubectl exited with status %d", f->pod.name,
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
}

/* Reads the kubectls' output for up to ms, or until a signal. */
void
fw_pump(struct forwarder *fw, int ms)
{
	struct pollfd pfd[KUBE_MAX_PODS];
	int n = 0, at[KUBE_MAX_PODS];

	for (int i = 0; i < fw->n; i++)
		if (fw->pod[i].child.out >= 0) {
			pfd[n] = (struct pollfd){.fd = fw->pod[i].child.out, .events = POLLIN};
			at[n++] = i;
		}
	if (poll(pfd, (nfds_t)n, ms) > 0)
		for (int i = 0; i < n; i++)
			if (pfd[i].revents)
				kubectl_read(&fw->pod[at[i]].child, log_line, &fw->pod[at[i]]);
	reap(fw);
}

/* Whether f's kubectl still carries Kafka to the pod: a pod that was not ready
 * for a while (a slow broker, a restarted container in the same pod) usually
 * keeps its network, and restarting a working kubectl would only cut the
 * clients' connections. */
static int
still_answers(const struct forwarder *fw, const struct fpod *f)
{
	kshim_err_t e = {0};
	int brokers;

	return f->child.pid &&
	       ready_probe(LOOPBACK, f->lport[fw->kafka], PROBE_MS, &brokers, &e) == 0;
}

/* A pod as the API shows it now: a new uid (the pod was replaced) restarts its
 * kubectl, and so does becoming ready again unless its forward still answers.
 * Returns 1 for a pod not seen before. */
int
fw_pod_update(struct forwarder *fw, const struct kube_pod *p)
{
	int i = pod_find(fw, p->name), added = i < 0;
	struct fpod *f;

	if (added && (fw->n == KUBE_MAX_PODS || (i = pod_add(fw, p)) < 0))
		return 0;
	f = &fw->pod[i];
	if (!added && strcmp(f->pod.uid, p->uid) != 0) {
		fw_say("pod %s: replaced (uid %s)", p->name, p->uid);
		kubectl_stop(&f->child);
	} else if (!added && p->ready && !f->pod.ready && still_answers(fw, f)) {
		fw_say("pod %s: ready again; its forward still answers", p->name);
	} else if (!added && p->ready && !f->pod.ready) {
		fw_say("pod %s: ready again", p->name);
		kubectl_stop(&f->child);
	} else if (!added && !p->ready && f->pod.ready) {
		fw_say("pod %s: not ready", p->name);
	}
	f->pod = *p;
	f->present = 1;
	return added;
}

int
fw_usable(const struct fpod *f)
{
	return f->present && f->pod.ready && !f->pod.deleting;
}

/* The Service's names go to a ready pod; moved when that one goes. Returns 1 when moved. */
int
fw_choose_boot(struct forwarder *fw)
{
	if (fw->boot >= 0 && fw_usable(&fw->pod[fw->boot]))
		return 0;
	for (int i = 0; i < fw->n; i++)
		if (fw_usable(&fw->pod[i])) {
			if (fw->boot >= 0)
				fw_say("service %s: bootstrap now through pod %s", fw->s.name,
				       fw->pod[i].pod.name);
			fw->boot = i;
			return 1;
		}
	return 0;
}
