/* The forwarder: pods behind a Service, each forwarded by its own kubectl on
 * fixed local ports, the table that maps their DNS names there, and the loop
 * that follows the pods as they restart, move or come back. */
#include "forward.h"

#include <arpa/inet.h>
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../paths.h"
#include "../ready.h"
#include "../signals.h"
#include "../table_store.h"
#include "kubectl.h"
#include "record.h"

#define TICK_MS 1000
#define READY_TIMEOUT_MS 60000
#define PROBE_MS 2000
#define LOOPBACK 0x7f000001u

struct fpod {
	struct kube_pod pod; /* as last seen */
	int present;	     /* in the last answer */
	int answered;	     /* its forward answered Metadata */
	uint32_t addr;
	uint16_t lport[KUBE_MAX_PORTS];
	struct kubectl child;
	long next_start; /* ms: not restarted more than once a second */
};

struct forwarder {
	const struct forward_options *o;
	kube_t *k;
	struct kube_record rec;
	char kubectl[PATH_MAX];
	char table[PATH_MAX];
	struct kube_service s;
	struct fpod pod[KUBE_MAX_PODS];
	int n;
	int boot; /* the pod the Service's own names lead to; -1 before the first */
	uint32_t base;
	int files; /* the table, record and pid file are written */
};

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
say(const char *fmt, ...)
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

/* host.sub.ns.svc.domain, host.sub.ns.svc, host.sub.ns (sub "": the Service's names). */
static void
dns_names(const struct forwarder *fw, const char *host, const char *sub, char out[3][256])
{
	char base[256];

	if (sub[0])
		snprintf(base, sizeof(base), "%.63s.%.63s.%.63s", host, sub, fw->rec.ns);
	else
		snprintf(base, sizeof(base), "%.63s.%.63s", host, fw->rec.ns);
	snprintf(out[0], 256, "%.120s.svc.%.127s", base, fw->rec.domain);
	snprintf(out[1], 256, "%.250s.svc", base);
	snprintf(out[2], 256, "%s", base);
}

static int
add_host(struct kshim_table *t, char names[3][256], uint32_t addr, const uint16_t *ports,
	 const uint16_t *lports, int nports)
{
	struct kshim_host *h = kshim_table_add(t, names[0], addr);

	if (!h || kshim_host_add_name(t, h, names[1]) < 0 ||
	    kshim_host_add_name(t, h, names[2]) < 0)
		return -1;
	for (int i = 0; i < nports; i++)
		if (kshim_host_set_port(h, ports[i], LOOPBACK, lports[i]) < 0)
			return -1;
	return 0;
}

static int
fill_table(const struct forwarder *fw, struct kshim_table *t)
{
	char names[3][256];

	dns_names(fw, fw->s.name, "", names);
	if (add_host(t, names, fw->base + 1, fw->s.port, fw->pod[fw->boot].lport, fw->s.nports) < 0)
		return -1;
	for (int i = 0; i < fw->n; i++) {
		const struct kube_pod *p = &fw->pod[i].pod;
		dns_names(fw, p->hostname, p->subdomain[0] ? p->subdomain : fw->s.name, names);
		if (add_host(t, names, fw->base + fw->pod[i].addr, fw->s.target, fw->pod[i].lport,
			     fw->s.nports) < 0)
			return -1;
	}
	return 0;
}

/* Writes the table under the directory's lock; each name keeps its address. */
static int
table_write(struct forwarder *fw, kshim_err_t *err)
{
	struct kshim_table t = {0};
	int lock, rc = 0;

	if (kshim_lock(KSHIM_TABLES_LOCK, 1, &lock, err) < 0)
		return -1;
	if (!fw->base && tables_block(fw->table, &fw->base, err) < 0)
		rc = -1;
	else if (fill_table(fw, &t) < 0)
		rc = kshim_fail(err, errno, "cannot build the table: %s", strerror(errno));
	else if (kshim_table_write(fw->table, &t) < 0)
		rc = kshim_fail(err, errno, "cannot write %s: %s", fw->table, strerror(errno));
	kshim_unlock(lock);
	kshim_table_free(&t);
	return rc;
}

static void
log_line(void *ctx, const char *text)
{
	say("pod %s: kubectl: %s", ((struct fpod *)ctx)->pod.name, text);
}

/* Starts f's kubectl; a failure is said and tried again a tick later. */
static void
start(struct forwarder *fw, struct fpod *f)
{
	kshim_err_t e = {0};

	f->next_start = now_ms() + TICK_MS;
	f->answered = 0;
	if (kubectl_start(&f->child, fw->kubectl, fw->rec.context, fw->rec.ns, f->pod.name,
			  f->lport, fw->s.target, fw->s.nports, &e) < 0)
		say("pod %s: %s", f->pod.name, e.msg);
	else
		say("pod %s: forwarding 127.0.0.1:%u (kubectl pid %ld)", f->pod.name, f->lport[0],
		    (long)f->child.pid);
}

/* Starts the kubectl of each ready pod that has none, at most once a tick. */
static void
start_due(struct forwarder *fw)
{
	long now = now_ms();

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
		say("pod %s: kubectl exited with status %d", f->pod.name,
		    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
}

/* Reads the kubectls' output for up to ms, or until a signal. */
static void
pump(struct forwarder *fw, int ms)
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

/* A pod as the API shows it now: a new uid (the pod was replaced) or becoming
 * ready again restarts its kubectl. Returns 1 for a pod not seen before. */
static int
pod_update(struct forwarder *fw, const struct kube_pod *p)
{
	int i = pod_find(fw, p->name), added = i < 0;
	struct fpod *f;

	if (added && (fw->n == KUBE_MAX_PODS || (i = pod_add(fw, p)) < 0))
		return 0;
	f = &fw->pod[i];
	if (!added && strcmp(f->pod.uid, p->uid) != 0) {
		say("pod %s: replaced (uid %s)", p->name, p->uid);
		kubectl_stop(&f->child);
	} else if (!added && p->ready && !f->pod.ready) {
		say("pod %s: ready again", p->name);
		kubectl_stop(&f->child);
	} else if (!added && !p->ready && f->pod.ready) {
		say("pod %s: not ready", p->name);
	}
	f->pod = *p;
	f->present = 1;
	return added;
}

static int
usable(const struct fpod *f)
{
	return f->present && f->pod.ready && !f->pod.deleting;
}

/* The Service's names go to a ready pod; moved when that one goes. Returns 1 when moved. */
static int
choose_boot(struct forwarder *fw)
{
	if (fw->boot >= 0 && usable(&fw->pod[fw->boot]))
		return 0;
	for (int i = 0; i < fw->n; i++)
		if (usable(&fw->pod[i])) {
			if (fw->boot >= 0)
				say("service %s: bootstrap now through pod %s", fw->s.name,
				    fw->pod[i].pod.name);
			fw->boot = i;
			return 1;
		}
	return 0;
}

/* Reads the Service's pods once; a change of names or bootstrap pod rewrites the table. */
static int
sync_pods(struct forwarder *fw, kshim_err_t *err)
{
	static struct kube_service s;
	int dirty = 0;

	if (kube_service(fw->k, fw->rec.ns, fw->o->service, &s, err) < 0)
		return -1;
	for (int i = 0; i < fw->n; i++)
		fw->pod[i].present = 0;
	for (int i = 0; i < s.npods; i++)
		dirty |= pod_update(fw, &s.pod[i]);
	dirty |= choose_boot(fw);
	if (dirty && fw->files && table_write(fw, err) < 0)
		return -1;
	return 0;
}

/* One turn of the loop: the API's view, then a tick of kubectl output. */
static void
follow_once(struct forwarder *fw, char *last, size_t len)
{
	kshim_err_t e = {0};

	if (sync_pods(fw, &e) < 0 && strcmp(e.msg, last) != 0) {
		say("warning: %s (the forwards stay as they are)", e.msg);
		snprintf(last, len, "%s", e.msg);
	} else if (!e.msg[0]) {
		last[0] = '\0';
	}
	start_due(fw);
	pump(fw, TICK_MS);
}

/* The cluster domain: given, else what the brokers' advertised names end in
 * after <pod>.<sub>.<ns>.svc., else cluster.local. */
static void
learn_domain(struct forwarder *fw, const struct rd_kafka_metadata *md)
{
	char mid[160];

	if (fw->rec.domain[0])
		return;
	snprintf(mid, sizeof(mid), ".%s.svc.", fw->rec.ns);
	for (int i = 0; i < md->broker_cnt; i++) {
		const char *at = strstr(md->brokers[i].host, mid);
		if (at && at[strlen(mid)]) {
			snprintf(fw->rec.domain, sizeof(fw->rec.domain), "%s", at + strlen(mid));
			return;
		}
	}
}

/* Whether f's forward answers Metadata now. */
static int
answers(struct forwarder *fw, struct fpod *f)
{
	const struct rd_kafka_metadata *md;
	char boot[32];
	kshim_err_t e = {0};

	snprintf(boot, sizeof(boot), "127.0.0.1:%u", f->lport[0]);
	if (!f->child.forwarding || ready_metadata(boot, PROBE_MS, &md, &e) < 0)
		return 0;
	learn_domain(fw, md);
	rd_kafka_metadata_destroy(md);
	say("pod %s: answers Kafka through 127.0.0.1:%u", f->pod.name, f->lport[0]);
	return f->answered = 1;
}

/* Fails when a ready pod's kubectl exited before it forwarded. */
static int
check_children(struct forwarder *fw, kshim_err_t *err)
{
	for (int i = 0; i < fw->n; i++) {
		struct fpod *f = &fw->pod[i];
		if (!usable(f) || f->child.pid || f->child.forwarding || !f->child.last[0])
			continue;
		kshim_fail(err, EIO, "kubectl port-forward pod/%s failed: %s", f->pod.name,
			   f->child.last);
		return kshim_hint(err,
				  "try it by hand: kubectl --context %s --namespace %s "
				  "port-forward pod/%s %u",
				  fw->rec.context, fw->rec.ns, f->pod.name, fw->s.target[0]);
	}
	return 0;
}

/* Waits until every ready pod's forward answers. */
static int
wait_ready(struct forwarder *fw, kshim_err_t *err)
{
	long end = now_ms() + READY_TIMEOUT_MS;
	int waiting = 1;

	while (waiting) {
		start_due(fw);
		pump(fw, 200);
		if (check_children(fw, err) < 0)
			return -1;
		if (signals_interrupted())
			return kshim_fail(err, EINTR, "interrupted");
		waiting = 0;
		for (int i = 0; i < fw->n; i++)
			if (usable(&fw->pod[i]) && !fw->pod[i].answered &&
			    !answers(fw, &fw->pod[i]))
				waiting = 1;
		if (waiting && now_ms() > end) {
			kshim_fail(err, ETIMEDOUT, "the forwards did not answer Kafka within %d s",
				   READY_TIMEOUT_MS / 1000);
			return kshim_hint(err,
					  "'kubectl --namespace %s get pods' and the brokers' "
					  "logs show their side",
					  fw->rec.ns);
		}
	}
	return 0;
}

int
forward_claim(const char *name, int *fd, kshim_err_t *err)
{
	char lock[64], table[PATH_MAX];
	struct kube_record r;
	int found;

	snprintf(lock, sizeof(lock), "%s.lock", name);
	if (kube_record_read(name, &r, &found, err) < 0 ||
	    kshim_table_path(name, table, sizeof(table), 1, err) < 0)
		return -1;
	if (!found && access(table, F_OK) == 0) {
		kshim_fail(err, EEXIST, "cluster '%s' already has a table, %s", name, table);
		return kshim_hint(
		    err, "attach under another --name, or 'kshim down --name %s' first", name);
	}
	if (kshim_lock(lock, 0, fd, err) == 0)
		return 0;
	if (err->code != EBUSY)
		return -1;
	kshim_fail(err, EBUSY, "cluster '%s' is in use: its forwarder (or a 'kshim up') runs",
		   name);
	return kshim_hint(err, "'kshim status --name %s' shows it; 'kshim down --name %s' stops it",
			  name, name);
}

static int
check_rbac(struct forwarder *fw, kshim_err_t *err)
{
	const struct kube_target *t = kube_target(fw->k);
	char reason[256] = "";
	int allowed;

	if (kube_can(fw->k, fw->rec.ns, "create", "pods", "portforward", &allowed, reason,
		     sizeof(reason), err) < 0)
		return -1;
	if (allowed)
		return 0;
	kshim_fail(err, EACCES,
		   "user %s may not create pods/portforward in namespace %s (context %s)", t->user,
		   fw->rec.ns, fw->rec.context);
	return kshim_hint(err,
			  "ask for a Role in %s with create on pods/portforward and get, list "
			  "and watch on pods and services",
			  fw->rec.ns);
}

static int
check_service(struct forwarder *fw, kshim_err_t *err)
{
	const struct kube_service *s = &fw->s;
	int ready = 0;

	if (kube_service(fw->k, fw->rec.ns, fw->o->service, &fw->s, err) < 0) {
		if (err->code == ENOENT && !err->hint[0])
			kshim_hint(err, "'kubectl --namespace %s get services' lists them",
				   fw->rec.ns);
		return -1;
	}
	if (s->nports == 0)
		return kshim_fail(err, EINVAL, "Service %s/%s has no ports", s->ns, s->name);
	for (int i = 0; i < s->nports; i++)
		if (!fw->s.target[i]) /* a named targetPort: the pods' port of the same number */
			fw->s.target[i] = s->port[i];
	for (int i = 0; i < s->npods; i++)
		ready += s->pod[i].ready && !s->pod[i].deleting;
	if (ready)
		return 0;
	kshim_fail(err, ENOENT, "Service %s/%s has no ready pods (%d pod%s, none ready)", s->ns,
		   s->name, s->npods, s->npods == 1 ? "" : "s");
	return kshim_hint(
	    err, "'kubectl --namespace %s get pods' shows them; attach once one is ready", s->ns);
}

static int
setup(struct forwarder *fw, kshim_err_t *err)
{
	const struct forward_options *o = fw->o;
	const struct kube_target *t;

	if (kubectl_find(fw->kubectl, sizeof(fw->kubectl), err) < 0 ||
	    kshim_table_path(o->name, fw->table, sizeof(fw->table), 1, err) < 0 ||
	    kube_open(o->context, &fw->k, err) < 0)
		return -1;
	t = kube_target(fw->k);
	snprintf(fw->rec.context, sizeof(fw->rec.context), "%s", t->context);
	snprintf(fw->rec.ns, sizeof(fw->rec.ns), "%s", o->ns ? o->ns : t->ns);
	snprintf(fw->rec.service, sizeof(fw->rec.service), "%s", o->service);
	snprintf(fw->rec.domain, sizeof(fw->rec.domain), "%s", o->domain ? o->domain : "");
	if (check_rbac(fw, err) < 0 || check_service(fw, err) < 0)
		return -1;
	for (int i = 0; i < fw->s.npods; i++)
		pod_update(fw, &fw->s.pod[i]);
	choose_boot(fw);
	return 0;
}

/* The table, the record and the pid file. */
static int
publish(struct forwarder *fw, kshim_err_t *err)
{
	if (!fw->rec.domain[0])
		snprintf(fw->rec.domain, sizeof(fw->rec.domain), "cluster.local");
	fw->files = 1;
	if (table_write(fw, err) < 0 || kube_record_write(fw->o->name, &fw->rec, err) < 0 ||
	    kube_pid_write(fw->o->name, getpid(), err) < 0)
		return -1;
	say("table %s: %d pods of Service %s/%s, cluster domain %s", fw->table, fw->n, fw->rec.ns,
	    fw->s.name, fw->rec.domain);
	return 0;
}

static void
finish(struct forwarder *fw)
{
	kshim_err_t e = {0};
	int had;

	for (int i = 0; i < fw->n; i++)
		kubectl_stop(&fw->pod[i].child);
	if (fw->files && kube_forget(fw->o->name, &had, &e) < 0)
		fprintf(stderr, "kshim: warning: %s\n", e.msg);
	if (fw->k)
		kube_close(fw->k);
}

int
forward_run(const struct forward_options *o, int notify, kshim_err_t *err)
{
	static struct forwarder fw;
	char last[512] = "";
	int rc;

	memset(&fw, 0, sizeof(fw));
	fw.o = o;
	fw.boot = -1;
	rc = setup(&fw, err) < 0 || wait_ready(&fw, err) < 0 || publish(&fw, err) < 0 ? -1 : 0;
	if (rc == 0 && notify >= 0) {
		if (write(notify, "ready\n", 6) != 6)
			say("warning: the attach that started this forwarder is gone");
		close(notify);
	}
	while (rc == 0 && !signals_interrupted())
		follow_once(&fw, last, sizeof(last));
	if (rc == 0)
		say("stopping: the forwards end and the table goes");
	finish(&fw);
	return rc;
}
