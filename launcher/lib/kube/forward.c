/* SPDX-License-Identifier: Apache-2.0 */
/* The forwarder: pods behind a Service, each forwarded by its own kubectl on
 * fixed local ports, the table that maps their DNS names there, and the loop
 * that follows the pods as they restart, move or come back. */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../paths.h"
#include "../ready.h"
#include "../signals.h"
#include "forwarder.h"

#define READY_TIMEOUT_MS 60000

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
		dirty |= fw_pod_update(fw, &s.pod[i]);
	dirty |= fw_choose_boot(fw);
	if (dirty && fw->files && fw_table_write(fw, err) < 0)
		return -1;
	return 0;
}

/* One turn of the loop: the API's view, then a tick of kubectl output. */
static void
follow_once(struct forwarder *fw, char *last, size_t len)
{
	kshim_err_t e = {0};

	if (sync_pods(fw, &e) < 0 && strcmp(e.msg, last) != 0) {
		fw_say("warning: %s (the forwards stay as they are)", e.msg);
		snprintf(last, len, "%s", e.msg);
	} else if (!e.msg[0]) {
		last[0] = '\0';
	}
	fw_start_due(fw);
	fw_pump(fw, TICK_MS);
}

/* Whether f's forward answers Metadata now. */
static int
answers(struct forwarder *fw, struct fpod *f)
{
	const struct rd_kafka_metadata *md;
	char boot[32];
	kshim_err_t e = {0};

	snprintf(boot, sizeof(boot), "127.0.0.1:%u", f->lport[fw->kafka]);
	if (!f->child.forwarding || ready_metadata(boot, PROBE_MS, &md, &e) < 0)
		return 0;
	fw_learn_domain(fw, md);
	rd_kafka_metadata_destroy(md);
	fw_say("pod %s: answers Kafka through 127.0.0.1:%u", f->pod.name, f->lport[fw->kafka]);
	return f->answered = 1;
}

/* Fails when a ready pod's kubectl exited before it forwarded. */
static int
check_children(struct forwarder *fw, kshim_err_t *err)
{
	for (int i = 0; i < fw->n; i++) {
		struct fpod *f = &fw->pod[i];
		if (!fw_usable(f) || f->child.pid || f->child.forwarding || !f->child.last[0])
			continue;
		kshim_fail(err, EIO, "kubectl port-forward pod/%s failed: %s", f->pod.name,
			   f->child.last);
		return kshim_hint(err,
				  "try it by hand: kubectl --context %s --namespace %s "
				  "port-forward pod/%s %u",
				  fw->rec.context, fw->rec.ns, f->pod.name, fw->s.target[fw->kafka]);
	}
	return 0;
}

/* Waits until every ready pod's forward answers. */
static int
wait_ready(struct forwarder *fw, kshim_err_t *err)
{
	long end = fw_now_ms() + READY_TIMEOUT_MS;
	int waiting = 1;

	while (waiting) {
		fw_start_due(fw);
		fw_pump(fw, 200);
		if (check_children(fw, err) < 0)
			return -1;
		if (signals_interrupted())
			return kshim_fail(err, EINTR, "interrupted");
		waiting = 0;
		for (int i = 0; i < fw->n; i++)
			if (fw_usable(&fw->pod[i]) && !fw->pod[i].answered &&
			    !answers(fw, &fw->pod[i]))
				waiting = 1;
		if (waiting && fw_now_ms() > end) {
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
	fw->kafka = 0;
	for (int i = 0; i < s->nports; i++) {
		if (!fw->s.target[i]) /* a named targetPort: the pods' port of the same number */
			fw->s.target[i] = s->port[i];
		if (s->port[i] == KAFKA_PORT && s->port[fw->kafka] != KAFKA_PORT)
			fw->kafka = i; /* Strimzi lists its control plane and replication ports first */
	}
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
		fw_pod_update(fw, &fw->s.pod[i]);
	fw_choose_boot(fw);
	return 0;
}

/* The table, the record and the pid file. */
static int
publish(struct forwarder *fw, kshim_err_t *err)
{
	if (!fw->rec.domain[0])
		snprintf(fw->rec.domain, sizeof(fw->rec.domain), "cluster.local");
	fw->files = 1;
	if (fw_table_write(fw, err) < 0 || kube_record_write(fw->o->name, &fw->rec, err) < 0 ||
	    kube_pid_write(fw->o->name, getpid(), err) < 0)
		return -1;
	fw_say("table %s: %d pods of Service %s/%s, cluster domain %s", fw->table, fw->n,
	       fw->rec.ns, fw->s.name, fw->rec.domain);
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
			fw_say("warning: the attach that started this forwarder is gone");
		close(notify);
	}
	while (rc == 0 && !signals_interrupted())
		follow_once(&fw, last, sizeof(last));
	if (rc == 0)
		fw_say("stopping: the forwards end and the table goes");
	finish(&fw);
	return rc;
}
