/* SPDX-License-Identifier: Apache-2.0 */
/* The Kubernetes API client: the user's kubeconfig and credentials, and the
 * few reads kshim needs to forward the pods behind a Service. */
#ifndef KSHIM_KUBE_H
#define KSHIM_KUBE_H

#include <limits.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "../error.h"

#define KUBE_MAX_PODS 64
#define KUBE_MAX_PORTS 8

typedef struct kube kube_t;

/* What the kubeconfig says for the context in use. */
struct kube_target {
	char context[256];    /* the context used: the one asked for, else current-context */
	char cluster[256];    /* its cluster entry */
	char user[256];	      /* its user entry */
	char server[512];     /* the API server, https://host:port */
	char ns[64];	      /* the context's namespace, "default" when it names none */
	char files[PATH_MAX]; /* the kubeconfig files read, as KUBECONFIG lists them */
};

/*
 * Reads the kubeconfig as kubectl does ($KUBECONFIG, colon-separated and
 * merged with the first file winning, else ~/.kube/config), picks context
 * (NULL: current-context) and gets its credentials: a client certificate and
 * key (files or -data), a bearer token (token or tokenFile), or an exec
 * credential plugin (client.authentication.k8s.io ExecCredential, run with
 * KUBERNETES_EXEC_INFO, its token or certificate cached until it expires).
 * Contacts no server. Fails with a cause and hint for a missing or malformed
 * file, a context that does not exist (the hint lists those that do), or a
 * plugin that fails or prints no credential.
 */
int kube_open(const char *context, kube_t **out, kshim_err_t *err);
/* A kube_t serves one thread at a time; a thread of its own opens its own. */
void kube_close(kube_t *k);
const struct kube_target *kube_target(const kube_t *k);

/*
 * GET (body NULL) or POST (body set) of an API path such as
 * /api/v1/namespaces/kafka/services/brokers; *out is the JSON answer of a 2xx.
 * Errors name the server: unreachable (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH),
 * 401 (EACCES, the credentials), 403 (EACCES, with the verb and resource the
 * server refused), 404 (ENOENT); http_status holds the status.
 */
int kube_request(kube_t *k, const char *path, const cJSON *body, cJSON **out, kshim_err_t *err);

/* Whether the user may VERB resource (subresource may be NULL) in ns, by a
 * SelfSubjectAccessReview; *allowed is 1 or 0, *reason the server's words. */
int kube_can(kube_t *k, const char *ns, const char *verb, const char *resource,
	     const char *subresource, int *allowed, char *reason, size_t len, kshim_err_t *err);

/* A pod behind a Service, as DNS names it: hostname.subdomain.ns.svc.<domain>. */
struct kube_pod {
	char name[254];
	char uid[64];
	char hostname[64];  /* spec.hostname, else the pod's name */
	char subdomain[64]; /* spec.subdomain: the headless Service a StatefulSet names */
	char node[254];
	int ready;    /* the Ready condition is True */
	int deleting; /* metadata.deletionTimestamp is set */
};

struct kube_service {
	char name[64];
	char ns[64];
	int headless; /* clusterIP None */
	int nports;
	uint16_t port[KUBE_MAX_PORTS];	 /* the Service's ports */
	uint16_t target[KUBE_MAX_PORTS]; /* the pods' ports they lead to: targetPort, a named
					    one looked up in the pods' containers (0 when none
					    declares it) */
	int npods;
	struct kube_pod pod[KUBE_MAX_PODS]; /* the pods its selector picks, sorted by name */
};

/* Reads Service name in ns and the pods its selector picks, ready or not.
 * Fails (ENOENT) for a Service that does not exist or has no selector. */
int kube_service(kube_t *k, const char *ns, const char *name, struct kube_service *s,
		 kshim_err_t *err);

#endif
