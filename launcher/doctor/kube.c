/* SPDX-License-Identifier: Apache-2.0 */
/* Doctor layers for a Service attached in Kubernetes: the API answers, RBAC
 * allows port-forward, the pods are ready, the forwarder runs, each forward
 * answers Kafka, and the brokers advertise names the table maps. */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "../lib/ready.h"

#define KAFKA_TIMEOUT_MS 5000

int
doctor_kube_api(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	cJSON *v = NULL;
	const char *version;

	if (kube_open(dr->rec.context, &dr->k, err) < 0)
		return -1;
	if (kube_request(dr->k, "/version", NULL, &v, err) < 0) {
		kube_close(dr->k);
		dr->k = NULL;
		return -1;
	}
	version = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "gitVersion"));
	snprintf(note, len, "%s answers (Kubernetes %s, context %s)", kube_target(dr->k)->server,
		 version ? version : "?", dr->rec.context);
	cJSON_Delete(v);
	return 0;
}

int
doctor_kube_rbac(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	const char *user = kube_target(dr->k)->user;
	char reason[256] = "";
	int allowed;

	if (kube_can(dr->k, dr->rec.ns, "create", "pods", "portforward", &allowed, reason,
		     sizeof(reason), err) < 0)
		return -1;
	if (allowed) {
		snprintf(note, len, "user %s may create pods/portforward in %s", user, dr->rec.ns);
		return 0;
	}
	kshim_fail(err, EACCES, "user %s may not create pods/portforward in namespace %s%s%s", user,
		   dr->rec.ns, reason[0] ? ": " : "", reason);
	return kshim_hint(err,
			  "ask for a Role in %s with create on pods/portforward and get, list "
			  "and watch on pods and services",
			  dr->rec.ns);
}

int
doctor_kube_pods(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	const struct kube_service *s = &dr->s;
	int ready = 0, first = -1;

	if (kube_service(dr->k, dr->rec.ns, dr->rec.service, &dr->s, err) < 0)
		return -1;
	for (int i = 0; i < s->npods; i++) {
		if (s->pod[i].ready && !s->pod[i].deleting)
			ready++;
		else if (first < 0)
			first = i;
	}
	if (s->npods && first < 0) {
		snprintf(note, len, "%d/%d pods of Service %s/%s ready", ready, s->npods, s->ns,
			 s->name);
		return 0;
	}
	if (!s->npods)
		kshim_fail(err, ENOENT, "Service %s/%s selects no pods", s->ns, s->name);
	else
		kshim_fail(err, EAGAIN, "pod %s is %s (%d/%d ready)", s->pod[first].name,
			   s->pod[first].deleting ? "being deleted" : "not ready", ready, s->npods);
	return kshim_hint(err, "'kubectl --namespace %s get pods' and 'describe pod' say why",
			  s->ns);
}

int
doctor_kube_forwarder(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	pid_t pid = kube_forwarder(dr->name);

	if (pid) {
		snprintf(note, len, "pid %ld holds the cluster's lock", (long)pid);
		return 0;
	}
	kshim_fail(err, ESRCH, "the forwarder of cluster '%s' is not running", dr->name);
	return kshim_hint(err,
			  "kshim down --name %s, then kshim attach --kubernetes --service %s "
			  "--namespace %s --context %s --name %s",
			  dr->name, dr->rec.service, dr->rec.ns, dr->rec.context, dr->name);
}

int
doctor_kube_forwards(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	char cause[512] = "";
	int ok = 0;

	if (dr->table_err.msg[0])
		return doctor_no_table(dr, note, len, err);
	if (kube_forwards(dr->table, &dr->rec, dr->f, &dr->nf, err) < 0)
		return -1;
	for (int i = 0; i < dr->nf; i++) {
		const struct kube_forward *f = &dr->f[i];
		if (f->kafka)
			ok++;
		else
			doctor_append(cause, sizeof(cause), "%s: 127.0.0.1:%u %s", f->pod, f->lport,
				      f->tcp ? "accepts but Kafka does not answer"
					     : "refuses connections");
	}
	if (!cause[0] && ok) {
		snprintf(note, len, "%d forwards answer Kafka Metadata", ok);
		return 0;
	}
	kshim_fail(err, EHOSTUNREACH, "%s", cause[0] ? cause : "the table maps no pod");
	return kshim_hint(err, "the forwarder's log says why: %.*s.forward.log",
			  (int)(strlen(dr->table) - strlen(".table")), dr->table);
}

int
doctor_kube_advertised(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	const struct rd_kafka_metadata *md;
	char boot[32];

	snprintf(boot, sizeof(boot), "127.0.0.1:%u", dr->f[0].lport);
	if (ready_metadata(boot, KAFKA_TIMEOUT_MS, &md, err) < 0)
		return -1;
	for (int j = 0; j < md->broker_cnt; j++) {
		const struct rd_kafka_metadata_broker *b = &md->brokers[j];
		if (doctor_mapped(&dr->t, b->host, b->port))
			continue;
		kshim_fail(err, ENOENT, "broker %d advertises %s:%d, which table %s does not map",
			   b->id, b->host, b->port, dr->table);
		rd_kafka_metadata_destroy(md);
		return kshim_hint(err,
				  "attach again with the cluster domain the name ends in "
				  "(--cluster-domain), or with the Service whose pods these are");
	}
	snprintf(note, len, "the %d brokers advertise names the table maps", md->broker_cnt);
	rd_kafka_metadata_destroy(md);
	return 0;
}
