/* SPDX-License-Identifier: Apache-2.0 */
/* A Service and the pods its selector picks, read from the API server. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A DNS-1123 name: what namespaces, Services and pods are called; anything
 * else would change the API path it goes into. */
static int
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253 || !strchr("abcdefghijklmnopqrstuvwxyz0123456789", s[0]))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-.") == n;
}

static int
check_names(const char *ns, const char *name, kshim_err_t *err)
{
	const char *bad = !name_ok(ns) ? ns : !name_ok(name) ? name : NULL;

	if (!bad)
		return 0;
	kshim_fail(err, KSHIM_EUSAGE, "'%s' is not a Kubernetes name", bad);
	return kshim_hint(err, "namespaces and Services are named with a-z, 0-9, '-' and '.'");
}

static int
fill_ports(struct kube_service *s, const cJSON *spec, kshim_err_t *err)
{
	const cJSON *p, *ports = cJSON_GetObjectItemCaseSensitive(spec, "ports");

	if (cJSON_GetArraySize(ports) > KUBE_MAX_PORTS)
		return kshim_fail(err, E2BIG,
				  "Service %s/%s has %d ports; kshim forwards at most %d", s->ns,
				  s->name, cJSON_GetArraySize(ports), KUBE_MAX_PORTS);
	cJSON_ArrayForEach(p, ports)
	{
		const cJSON *port = cJSON_GetObjectItemCaseSensitive(p, "port");
		const cJSON *target = cJSON_GetObjectItemCaseSensitive(p, "targetPort");
		uint16_t n = cJSON_IsNumber(port) ? (uint16_t)port->valueint : 0;
		/* a named targetPort is looked up in the pods (resolve_named) */
		s->port[s->nports] = n;
		s->target[s->nports++] = cJSON_IsNumber(target) ? (uint16_t)target->valueint
					 : target		? 0
								: n;
	}
	return 0;
}

/* "k1=v1,k2=v2", URL-encoded, from the Service's selector. */
static int
selector_query(kube_t *k, const cJSON *selector, char *buf, size_t len)
{
	const cJSON *l;
	char plain[2048];
	size_t used = 0;
	char *esc;

	plain[0] = '\0';
	cJSON_ArrayForEach(l, selector)
	{
		if (!cJSON_IsString(l) || used >= sizeof(plain))
			return -1;
		used += (size_t)snprintf(plain + used, sizeof(plain) - used, "%s%s=%s",
					 used ? "," : "", l->string, l->valuestring);
	}
	if (used == 0 || used >= sizeof(plain) || !(esc = curl_easy_escape(k->curl, plain, 0)))
		return -1;
	used = (size_t)snprintf(buf, len, "%s", esc);
	curl_free(esc);
	return used < len ? 0 : -1;
}

static int
condition_true(const cJSON *pod, const char *type)
{
	const cJSON *c, *status = cJSON_GetObjectItemCaseSensitive(pod, "status");

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(status, "conditions"))
	{
		const char *t = kubeconfig_str(c, "type"), *v = kubeconfig_str(c, "status");
		if (t && v && strcmp(t, type) == 0)
			return strcmp(v, "True") == 0;
	}
	return 0;
}

static void
fill_pod(struct kube_pod *p, const cJSON *pod)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(pod, "metadata");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(pod, "spec");
	const char *name = kubeconfig_str(meta, "name"), *host = kubeconfig_str(spec, "hostname");
	const char *sub = kubeconfig_str(spec, "subdomain"),
		   *node = kubeconfig_str(spec, "nodeName");
	const char *uid = kubeconfig_str(meta, "uid");

	snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
	snprintf(p->uid, sizeof(p->uid), "%s", uid ? uid : "");
	snprintf(p->hostname, sizeof(p->hostname), "%s", host && *host ? host : p->name);
	snprintf(p->subdomain, sizeof(p->subdomain), "%s", sub ? sub : "");
	snprintf(p->node, sizeof(p->node), "%s", node ? node : "");
	p->ready = condition_true(pod, "Ready");
	p->deleting = cJSON_GetObjectItemCaseSensitive(meta, "deletionTimestamp") != NULL;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct kube_pod *)a)->name, ((const struct kube_pod *)b)->name);
}

/* The containerPort called name in any of the pods; 0 when none has one. */
static uint16_t
named_port(const cJSON *items, const char *name)
{
	const cJSON *pod, *c, *p;

	cJSON_ArrayForEach(pod, items)
	{
		const cJSON *spec = cJSON_GetObjectItemCaseSensitive(pod, "spec");
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(spec, "containers"))
		{
			cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(c, "ports"))
			{
				const char *n = kubeconfig_str(p, "name");
				const cJSON *cp =
				    cJSON_GetObjectItemCaseSensitive(p, "containerPort");
				if (n && strcmp(n, name) == 0 && cJSON_IsNumber(cp))
					return (uint16_t)cp->valueint;
			}
		}
	}
	return 0;
}

static void
resolve_named(struct kube_service *s, const cJSON *svc_spec, const cJSON *items)
{
	const cJSON *p;
	int i = 0;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(svc_spec, "ports"))
	{
		const char *name = kubeconfig_str(p, "targetPort");
		if (name && i < s->nports)
			s->target[i] = named_port(items, name);
		i++;
	}
}

static int
fill_pods(struct kube_service *s, const cJSON *list, kshim_err_t *err)
{
	const cJSON *pod, *items = cJSON_GetObjectItemCaseSensitive(list, "items");

	if (cJSON_GetArraySize(items) > KUBE_MAX_PODS)
		return kshim_fail(err, E2BIG,
				  "Service %s/%s selects %d pods; kshim forwards at most %d", s->ns,
				  s->name, cJSON_GetArraySize(items), KUBE_MAX_PODS);
	cJSON_ArrayForEach(pod, items) fill_pod(&s->pod[s->npods++], pod);
	qsort(s->pod, (size_t)s->npods, sizeof(s->pod[0]), by_name);
	return 0;
}

static int
read_pods(kube_t *k, struct kube_service *s, const cJSON *spec, kshim_err_t *err)
{
	char query[4096], path[4352];
	cJSON *list = NULL;
	int rc;

	if (selector_query(k, cJSON_GetObjectItemCaseSensitive(spec, "selector"), query,
			   sizeof(query)) < 0)
		return kshim_fail(err, EINVAL,
				  "Service %s/%s: its selector is not one kshim can use", s->ns,
				  s->name);
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods?labelSelector=%s", s->ns, query);
	if (kube_request(k, path, NULL, &list, err) < 0)
		return kshim_wrap(err, "listing the pods of Service %s/%s", s->ns, s->name);
	rc = fill_pods(s, list, err);
	if (rc == 0)
		resolve_named(s, spec, cJSON_GetObjectItemCaseSensitive(list, "items"));
	cJSON_Delete(list);
	return rc;
}

static int
read_service(kube_t *k, struct kube_service *s, cJSON **svc, kshim_err_t *err)
{
	char path[600];

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/services/%s", s->ns, s->name);
	if (kube_request(k, path, NULL, svc, err) == 0)
		return 0;
	if (err->code != ENOENT)
		return kshim_wrap(err, "reading Service %s/%s", s->ns, s->name);
	kshim_fail(err, ENOENT, "Service %s/%s does not exist (context '%s')", s->ns, s->name,
		   k->t.context);
	return kshim_hint(err, "kubectl --context %s get services -n %s lists them", k->t.context,
			  s->ns);
}

static int
no_selector(const kube_t *k, const struct kube_service *s, kshim_err_t *err)
{
	(void)k;
	kshim_fail(err, ENOENT, "Service %s/%s has no selector, so no pods of its own", s->ns,
		   s->name);
	return kshim_hint(err, "name the headless Service of the Kafka pods (a StatefulSet's "
			       "serviceName)");
}

int
kube_service(kube_t *k, const char *ns, const char *name, struct kube_service *s, kshim_err_t *err)
{
	cJSON *svc = NULL;
	const cJSON *spec;
	const char *ip;
	int rc;

	*s = (struct kube_service){0};
	if (check_names(ns, name, err) < 0)
		return -1;
	snprintf(s->ns, sizeof(s->ns), "%s", ns);
	snprintf(s->name, sizeof(s->name), "%s", name);
	if (read_service(k, s, &svc, err) < 0)
		return -1;
	spec = cJSON_GetObjectItemCaseSensitive(svc, "spec");
	ip = kubeconfig_str(spec, "clusterIP");
	s->headless = ip && strcmp(ip, "None") == 0;
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(spec, "selector")) == 0)
		rc = no_selector(k, s, err);
	else
		rc = fill_ports(s, spec, err) < 0 ? -1 : read_pods(k, s, spec, err);
	cJSON_Delete(svc);
	return rc;
}
