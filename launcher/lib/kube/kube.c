/* SPDX-License-Identifier: Apache-2.0 */
/* kube_open and kube_close: the context kubectl would use, its cluster and
 * user, and the credentials they give. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies src into dst, failing rather than cutting it short. */
static int
put(char *dst, size_t len, const char *src, const char *what, kshim_err_t *err)
{
	if ((size_t)snprintf(dst, len, "%s", src ? src : "") < len)
		return 0;
	return kshim_fail(err, ENAMETOOLONG, "kubeconfig: %s is too long (%.40s...)", what, src);
}

static int
pick_context(kube_t *k, const cJSON *cfg, const char *context, const cJSON **ctx, kshim_err_t *err)
{
	const char *name = context && *context ? context : kubeconfig_str(cfg, "current-context");
	char names[400];

	kubeconfig_names(cfg, "contexts", names, sizeof(names));
	if (!name || !*name) {
		kshim_fail(err, ENOENT, "kubeconfig %s names no current-context", k->t.files);
		return kshim_hint(err,
				  "pick one with --context: kubectl config get-contexts lists "
				  "them (%s)",
				  names[0] ? names : "there are none");
	}
	if (!(*ctx = kubeconfig_entry(cfg, "contexts", name, "context"))) {
		kshim_fail(err, ENOENT, "context '%s' does not exist in %s", name, k->t.files);
		return kshim_hint(err, "kubectl config get-contexts lists them: %s",
				  names[0] ? names : "there are none");
	}
	return put(k->t.context, sizeof(k->t.context), name, "the context's name", err);
}

static int
pick_cluster(kube_t *k, const cJSON *cfg, const cJSON *ctx, const cJSON **cluster, kshim_err_t *err)
{
	const char *name = kubeconfig_str(ctx, "cluster"), *ns = kubeconfig_str(ctx, "namespace");
	const char *server;
	size_t n;

	if (!name || !(*cluster = kubeconfig_entry(cfg, "clusters", name, "cluster"))) {
		kshim_fail(err, ENOENT, "context '%s' names cluster '%s', which %s does not define",
			   k->t.context, name ? name : "", k->t.files);
		return kshim_hint(err, "kubectl config get-clusters lists those that exist");
	}
	server = kubeconfig_str(*cluster, "server");
	if (!server ||
	    (strncmp(server, "https://", 8) != 0 && strncmp(server, "http://", 7) != 0)) {
		kshim_fail(err, EINVAL, "cluster '%s' in %s has no https:// server", name,
			   kubeconfig_str(*cluster, KUBE_ORIGIN));
		return kshim_hint(err, "set its server: kubectl config set-cluster %s --server=...",
				  name);
	}
	if (put(k->t.cluster, sizeof(k->t.cluster), name, "the cluster's name", err) < 0 ||
	    put(k->t.server, sizeof(k->t.server), server, "the server", err) < 0 ||
	    put(k->t.ns, sizeof(k->t.ns), ns && *ns ? ns : "default", "the namespace", err) < 0)
		return -1;
	n = strlen(k->t.server);
	while (n > 0 && k->t.server[n - 1] == '/')
		k->t.server[--n] = '\0';
	return 0;
}

/* The context's user; NULL (anonymous) when it names none. */
static int
pick_user(kube_t *k, const cJSON *cfg, const cJSON *ctx, const cJSON **user, kshim_err_t *err)
{
	const char *name = kubeconfig_str(ctx, "user");

	*user = NULL;
	if (!name || !*name)
		return 0;
	if (!(*user = kubeconfig_entry(cfg, "users", name, "user"))) {
		kshim_fail(err, ENOENT, "context '%s' names user '%s', which %s does not define",
			   k->t.context, name, k->t.files);
		return kshim_hint(err, "kubectl config get-users lists those that exist");
	}
	return put(k->t.user, sizeof(k->t.user), name, "the user's name", err);
}

/* No token or client key goes to an http:// server. */
static int
check_cleartext(const kube_t *k, kshim_err_t *err)
{
	if (strncmp(k->t.server, "http://", 7) != 0 || (!k->token && !k->key))
		return 0;
	kshim_fail(err, EPERM, "refusing to send the credentials of user '%s' to %s in cleartext",
		   k->t.user, k->t.server);
	return kshim_hint(err, "use the server's https:// address in cluster '%s'", k->t.cluster);
}

static int
setup(kube_t *k, const char *context, kshim_err_t *err)
{
	const cJSON *ctx, *cluster, *user;
	cJSON *cfg = NULL;
	int rc;

	if (kubeconfig_load(&cfg, k->t.files, sizeof(k->t.files), err) < 0)
		return -1;
	rc = pick_context(k, cfg, context, &ctx, err) < 0 ||
		     pick_cluster(k, cfg, ctx, &cluster, err) < 0 ||
		     pick_user(k, cfg, ctx, &user, err) < 0 ||
		     creds_load(k, cluster, user, err) < 0 || check_cleartext(k, err) < 0
		 ? -1
		 : 0;
	cJSON_Delete(cfg);
	if (rc == 0 && !(k->curl = curl_easy_init()))
		return kshim_fail(err, ENOMEM, "cannot start libcurl");
	return rc;
}

int
kube_open(const char *context, kube_t **out, kshim_err_t *err)
{
	kube_t *k = calloc(1, sizeof(*k));

	*out = NULL;
	if (!k)
		return kshim_fail(err, ENOMEM, "out of memory");
	if (setup(k, context, err) < 0) {
		kube_close(k);
		return -1;
	}
	*out = k;
	return 0;
}

static void
forget(char **secret)
{
	if (*secret)
		explicit_bzero(*secret, strlen(*secret));
	free(*secret);
	*secret = NULL;
}

void
kube_close(kube_t *k)
{
	if (!k)
		return;
	forget(&k->token);
	forget(&k->key);
	free(k->cert);
	free(k->ca);
	cJSON_Delete(k->exec);
	if (k->curl)
		curl_easy_cleanup(k->curl);
	free(k);
}

const struct kube_target *
kube_target(const kube_t *k)
{
	return &k->t;
}
