/* SPDX-License-Identifier: Apache-2.0 */
/* The server's CA and the user's credentials, as the kubeconfig gives them:
 * base64 -data fields or files, a token or tokenFile, or an exec plugin. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "../file.h"

/* Seconds before expirationTimestamp at which the plugin runs again. */
#define EXPIRY_MARGIN_S 10

int
creds_base64(const char *in, char **out, size_t *len, kshim_err_t *err)
{
	size_t n = strlen(in);
	unsigned char *buf = malloc(n + 1);
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	int a = 0, b = 0, ok;

	ok = buf && ctx && n < (size_t)INT32_MAX;
	if (ok) {
		EVP_DecodeInit(ctx);
		ok = EVP_DecodeUpdate(ctx, buf, &a, (const unsigned char *)in, (int)n) >= 0 &&
		     EVP_DecodeFinal(ctx, buf + a, &b) >= 0;
	}
	EVP_ENCODE_CTX_free(ctx);
	if (!ok) {
		free(buf);
		return kshim_fail(err, buf ? EINVAL : ENOMEM, "%s",
				  buf ? "not base64" : "out of memory");
	}
	buf[a + b] = '\0';
	*out = (char *)buf;
	*len = (size_t)(a + b);
	return 0;
}

/* The text of entry's field-data (base64) or field (a file) into *out; NULL
 * when the entry has neither. what names the entry ("cluster 'c'"). */
static int
material(const cJSON *entry, const char *field, const char *what, char **out, kshim_err_t *err)
{
	char key[64];
	const char *data, *file;
	size_t len;

	snprintf(key, sizeof(key), "%s-data", field);
	data = kubeconfig_str(entry, key);
	file = kubeconfig_str(entry, field);
	*out = NULL;
	if (data && *data) {
		if (creds_base64(data, out, &len, err) == 0)
			return 0;
		field = key;
	} else if (file && *file) {
		if ((*out = file_read(file, err)))
			return 0;
	} else {
		return 0;
	}
	kshim_wrap(err, "kubeconfig %s, %s of %s", kubeconfig_str(entry, KUBE_ORIGIN), field, what);
	return kshim_hint(err, "fix the entry ('kubectl config view' shows it)");
}

/* token, else the text of tokenFile without its trailing white space. */
static int
token(kube_t *k, const cJSON *user, const char *what, kshim_err_t *err)
{
	const char *t = kubeconfig_str(user, "token"), *file = kubeconfig_str(user, "tokenFile");
	size_t n;

	if (t && *t)
		k->token = strdup(t);
	else if (file && *file && !(k->token = file_read(file, err))) {
		kshim_wrap(err, "kubeconfig %s, tokenFile of %s", kubeconfig_str(user, KUBE_ORIGIN),
			   what);
		return kshim_hint(err, "fix the entry ('kubectl config view' shows it)");
	}
	for (n = k->token ? strlen(k->token) : 0; n > 0 && strchr(" \t\r\n", k->token[n - 1]); n--)
		k->token[n - 1] = '\0';
	return 0;
}

static int
user_creds(kube_t *k, const cJSON *user, kshim_err_t *err)
{
	const cJSON *exec = cJSON_GetObjectItemCaseSensitive(user, "exec");
	char what[300];

	snprintf(what, sizeof(what), "user '%s'", k->t.user);
	if (material(user, "client-certificate", what, &k->cert, err) < 0 ||
	    material(user, "client-key", what, &k->key, err) < 0 || token(k, user, what, err) < 0)
		return -1;
	if (!k->cert != !k->key) {
		kshim_fail(err, EINVAL, "kubeconfig %s: %s has a client %s without its %s",
			   kubeconfig_str(user, KUBE_ORIGIN), what, k->cert ? "certificate" : "key",
			   k->cert ? "key" : "certificate");
		return kshim_hint(err, "set both client-certificate(-data) and client-key(-data)");
	}
	if (!cJSON_IsObject(exec))
		return 0;
	if (!(k->exec = cJSON_Duplicate(exec, 1)))
		return kshim_fail(err, ENOMEM, "out of memory");
	return plugin_run(k, err);
}

int
creds_load(kube_t *k, const cJSON *cluster, const cJSON *user, kshim_err_t *err)
{
	const char *skip = kubeconfig_str(cluster, "insecure-skip-tls-verify");
	char what[300];

	k->insecure = skip && strcasecmp(skip, "true") == 0;
	snprintf(what, sizeof(what), "cluster '%s'", k->t.cluster);
	if (material(cluster, "certificate-authority", what, &k->ca, err) < 0)
		return -1;
	return user ? user_creds(k, user, err) : 0;
}

int
creds_fresh(kube_t *k, kshim_err_t *err)
{
	if (!k->exec || !k->expires || time(NULL) < k->expires - EXPIRY_MARGIN_S)
		return 0;
	return plugin_run(k, err);
}
