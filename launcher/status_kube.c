/* SPDX-License-Identifier: Apache-2.0 */
/* kshim status for a Service attached in Kubernetes: the forwarder, and each
 * pod's state and forward (a connect, then Kafka Metadata through it); and the
 * refusal of logs and watch, which read Docker, with what to use instead. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lib/kube/health.h"
#include "lib/paths.h"

struct kstatus {
	const char *name;
	const struct kube_record *r;
	char table[PATH_MAX], log[PATH_MAX];
	pid_t pid; /* the forwarder, 0: not running */
	struct kube_service s;
	int listed; /* s was read from the API */
	char api_err[512];
	struct kube_forward f[KUBE_MAX_PODS];
	int n;
};

/* The pods as the API shows them; the API's error is shown, not returned. */
static void
read_pods(struct kstatus *st)
{
	kshim_err_t e = {0};
	kube_t *k;

	if (kube_open(st->r->context, &k, &e) == 0) {
		st->listed = kube_service(k, st->r->ns, st->r->service, &st->s, &e) == 0;
		kube_close(k);
	}
	if (!st->listed)
		snprintf(st->api_err, sizeof(st->api_err), "%s", e.msg);
}

static const char *
pod_state(const struct kstatus *st, int i)
{
	return st->listed ? kube_pod_state(&st->s, st->f[i].pod) : "-";
}

static void
print_text(const struct kstatus *st)
{
	int w = 3; /* the POD column: its longest name */

	printf("cluster %s: Kubernetes Service %s/%s (context %s), table %s\n", st->name, st->r->ns,
	       st->r->service, st->r->context, st->table);
	if (st->pid && access(st->log, F_OK) == 0)
		printf("forwarder: running, pid %ld, log %s\n", (long)st->pid, st->log);
	else if (st->pid)
		printf("forwarder: running, pid %ld, in the foreground (no log)\n", (long)st->pid);
	else
		printf("forwarder: not running (attach again: kshim attach --kubernetes --service "
		       "%s --namespace %s --name %s)\n",
		       st->r->service, st->r->ns, st->name);
	if (!st->listed)
		printf("pods: unknown: %s\n", st->api_err);
	for (int i = 0; i < st->n; i++)
		w = strlen(st->f[i].pod) > (size_t)w ? (int)strlen(st->f[i].pod) : w;
	printf("%-*s %-10s %-16s %-4s %s\n", w, "POD", "STATE", "FORWARD", "TCP", "KAFKA");
	for (int i = 0; i < st->n; i++) {
		char fwd[24], kafka[32] = "-";
		snprintf(fwd, sizeof(fwd), "127.0.0.1:%u", st->f[i].lport);
		if (st->f[i].tcp)
			snprintf(kafka, sizeof(kafka),
				 st->f[i].kafka ? "ok, %d brokers" : "no answer", st->f[i].brokers);
		printf("%-*s %-10s %-16s %-4s %s\n", w, st->f[i].pod, pod_state(st, i), fwd,
		       st->f[i].tcp ? "ok" : "no", kafka);
	}
}

static int
print_json(const struct kstatus *st)
{
	cJSON *o = cJSON_CreateObject(), *list;

	cJSON_AddStringToObject(o, "cluster", st->name);
	cJSON_AddStringToObject(o, "kubernetes_context", st->r->context);
	cJSON_AddStringToObject(o, "namespace", st->r->ns);
	cJSON_AddStringToObject(o, "service", st->r->service);
	cJSON_AddStringToObject(o, "table", st->table);
	cJSON_AddBoolToObject(o, "forwarder_running", st->pid != 0);
	cJSON_AddNumberToObject(o, "forwarder_pid", st->pid);
	cJSON_AddStringToObject(o, "forwarder_log", st->log);
	list = cJSON_AddArrayToObject(o, "forwards");
	for (int i = 0; i < st->n; i++) {
		cJSON *f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "pod", st->f[i].pod);
		cJSON_AddStringToObject(f, "name", st->f[i].name);
		cJSON_AddStringToObject(f, "state", pod_state(st, i));
		cJSON_AddNumberToObject(f, "port", st->f[i].port);
		cJSON_AddNumberToObject(f, "local_port", st->f[i].lport);
		cJSON_AddBoolToObject(f, "tcp", st->f[i].tcp);
		cJSON_AddBoolToObject(f, "kafka", st->f[i].kafka);
		cJSON_AddNumberToObject(f, "brokers", st->f[i].brokers);
		cJSON_AddItemToArray(list, f);
	}
	return cli_print_json(o);
}

int
status_kubernetes(const char *name, const struct kube_record *r, int json, kshim_err_t *err)
{
	static struct kstatus st;
	int healthy;

	memset(&st, 0, sizeof(st));
	st.name = name;
	st.r = r;
	if (kshim_table_path(name, st.table, sizeof(st.table), 0, err) < 0 ||
	    kshim_cluster_file(name, KUBE_LOG, st.log, sizeof(st.log), 0, err) < 0 ||
	    kube_forwards(st.table, r, st.f, &st.n, err) < 0)
		return -1;
	st.pid = kube_forwarder(name);
	read_pods(&st);
	healthy = st.pid && st.n > 0;
	for (int i = 0; i < st.n; i++)
		healthy &= st.f[i].kafka;
	if (!json)
		print_text(&st);
	else if (print_json(&st) < 0)
		return kshim_fail(err, ENOMEM, "out of memory");
	return healthy ? 0 : 1;
}

int
kube_docker_only(const char *name, const char *command, kshim_err_t *err)
{
	char log[PATH_MAX];
	struct kube_record r;
	int kube;

	if (kube_record_read(name, &r, &kube, err) < 0)
		return -1;
	if (!kube)
		return 0;
	if (kshim_cluster_file(name, KUBE_LOG, log, sizeof(log), 0, err) < 0)
		return -1;
	kshim_fail(err, ENOTSUP,
		   "%s: cluster '%s' is Service %s/%s in Kubernetes, not containers in Docker",
		   command, name, r.ns, r.service);
	if (strcmp(command, "logs") == 0)
		return kshim_hint(
		    err,
		    "the brokers' output is in their pods: kubectl --context %s --namespace %s "
		    "logs POD (kshim status --name %s lists the pods); the forwarder's is %s",
		    r.context, r.ns, name, log);
	return kshim_hint(
	    err,
	    "its forwarder already follows the pods and keeps the table: kshim status "
	    "--name %s shows each forward; its log is %s",
	    name, log);
}
