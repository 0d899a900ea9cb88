/* SPDX-License-Identifier: Apache-2.0 */
/* What the files of the Kubernetes client share: the client's state and the
 * helpers each file offers the others. Not for use outside launcher/lib/kube
 * (the unit tests look inside). */
#ifndef KSHIM_KUBE_INTERNAL_H
#define KSHIM_KUBE_INTERNAL_H

#include <stddef.h>
#include <time.h>

#include <curl/curl.h>

#include "kube.h"

/* The key under which each cluster, user and context entry keeps the file it
 * came from. */
#define KUBE_ORIGIN "kshim-origin"

struct kube {
	struct kube_target t;
	CURL *curl;
	char *ca;	  /* the server's CA, PEM; NULL: the system's */
	int insecure;	  /* insecure-skip-tls-verify: true, as the file says */
	char *cert, *key; /* the client certificate and key, PEM */
	char *token;	  /* a bearer token */
	cJSON *exec;	  /* the user's exec plugin, NULL without one */
	time_t expires;	  /* when the plugin's credential expires; 0: never */
	char curl_error[CURL_ERROR_SIZE];
};

/* kubeconfig.c: the merged configuration, one JSON object whose lists are
 * clusters, users and contexts. files gets the files' list. */
int kubeconfig_load(cJSON **cfg, char *files, size_t len, kshim_err_t *err);
/* The field (cluster, user or context) of the entry called name in list; NULL
 * when there is none. */
const cJSON *kubeconfig_entry(const cJSON *cfg, const char *list, const char *name,
			      const char *field);
/* The names in list, comma-separated, into buf. */
void kubeconfig_names(const cJSON *cfg, const char *list, char *buf, size_t len);
/* The string at key of obj, NULL when absent or not a string. */
const char *kubeconfig_str(const cJSON *obj, const char *key);

/* creds.c: the cluster's CA and the user's credentials into k. */
int creds_load(kube_t *k, const cJSON *cluster, const cJSON *user, kshim_err_t *err);
/* Runs the exec plugin again when its credential has expired. */
int creds_fresh(kube_t *k, kshim_err_t *err);
/* Decodes base64 text (newlines allowed) into a malloc'd, NUL-terminated buffer. */
int creds_base64(const char *in, char **out, size_t *len, kshim_err_t *err);

/* plugin.c: runs k->exec and takes its token or certificate and key. */
int plugin_run(kube_t *k, kshim_err_t *err);

#endif
