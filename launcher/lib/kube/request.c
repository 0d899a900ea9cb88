/* SPDX-License-Identifier: Apache-2.0 */
/* Requests to the API server with libcurl: its CA (or the system's, or none
 * when the kubeconfig says insecure-skip-tls-verify), the user's client
 * certificate or bearer token, timeouts, and errors that say what failed. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONNECT_TIMEOUT_MS 5000L
#define REQUEST_TIMEOUT_S 30L
#define REPLY_MAX (64u << 20)

struct reply {
	char *buf;
	size_t len;
	int overflow;
};

static size_t
on_data(char *data, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t add = size * n;
	char *nb;

	if (r->len + add + 1 > REPLY_MAX || !(nb = realloc(r->buf, r->len + add + 1))) {
		r->overflow = 1;
		return 0;
	}
	r->buf = nb;
	memcpy(r->buf + r->len, data, add);
	r->len += add;
	r->buf[r->len] = '\0';
	return add;
}

static void
set_tls(kube_t *k)
{
	if (k->ca) {
		struct curl_blob ca = {k->ca, strlen(k->ca), CURL_BLOB_COPY};
		/* the cluster's CA alone, not the system's too */
		curl_easy_setopt(k->curl, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(k->curl, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(k->curl, CURLOPT_CAINFO_BLOB, &ca);
	}
	if (k->insecure) {
		curl_easy_setopt(k->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(k->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (k->cert && k->key) {
		struct curl_blob cert = {k->cert, strlen(k->cert), CURL_BLOB_COPY};
		struct curl_blob key = {k->key, strlen(k->key), CURL_BLOB_COPY};
		curl_easy_setopt(k->curl, CURLOPT_SSLCERT_BLOB, &cert);
		curl_easy_setopt(k->curl, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(k->curl, CURLOPT_SSLKEY_BLOB, &key);
		curl_easy_setopt(k->curl, CURLOPT_SSLKEYTYPE, "PEM");
	}
}

static struct curl_slist *
headers(const kube_t *k, int post)
{
	struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
	char auth[8192];

	if (post)
		h = curl_slist_append(h, "Content-Type: application/json");
	if (k->token &&
	    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", k->token) < (int)sizeof(auth))
		h = curl_slist_append(h, auth);
	return h;
}

static int
unreachable(const kube_t *k, int code, const char *why, kshim_err_t *err)
{
	kshim_fail(err, code, "cannot reach the Kubernetes API server at %s: %s", k->t.server, why);
	return kshim_hint(err, "is the API server at %s running? kubectl --context %s cluster-info",
			  k->t.server, k->t.context);
}

/* Under TLS 1.3 a server that wants a client certificate it did not get says
 * so with an alert on the first read. */
static int
tls_alert(const kube_t *k, CURLcode rc)
{
	return (rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR) &&
	       (strstr(k->curl_error, "SSL routines") || strstr(k->curl_error, "alert"));
}

static int
transport_fail(kube_t *k, CURLcode rc, kshim_err_t *err)
{
	const char *why = k->curl_error[0] ? k->curl_error : curl_easy_strerror(rc);
	long os = 0;

	curl_easy_getinfo(k->curl, CURLINFO_OS_ERRNO, &os);
	if (tls_alert(k, rc))
		rc = CURLE_SSL_CONNECT_ERROR;
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		return unreachable(k, os ? (int)os : ECONNREFUSED, os ? strerror((int)os) : why,
				   err);
	case CURLE_COULDNT_RESOLVE_HOST:
		return unreachable(k, EHOSTUNREACH, why, err);
	case CURLE_OPERATION_TIMEDOUT:
		return unreachable(k, ETIMEDOUT, why, err);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		kshim_fail(err, EPROTO, "TLS with the Kubernetes API server at %s failed: %s",
			   k->t.server, why);
		return kshim_hint(err,
				  "check certificate-authority(-data) of cluster '%s' and the "
				  "client certificate of user '%s' (kubectl config view)",
				  k->t.cluster, k->t.user);
	case CURLE_WRITE_ERROR:
		return kshim_fail(err, EFBIG, "the API server at %s sent a reply too large to read",
				  k->t.server);
	default:
		return kshim_fail(err, EIO, "request to the Kubernetes API server at %s failed: %s",
				  k->t.server, why);
	}
}

/* A token goes into a header line: it must be one line of printable text. */
static int
check_token(const kube_t *k, kshim_err_t *err)
{
	for (const char *c = k->token; c && *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			kshim_fail(err, EINVAL,
				   "the token of user '%s' has control characters in it",
				   k->t.user);
			return kshim_hint(err, "check the user's token, tokenFile or exec plugin "
					       "(kubectl config view)");
		}
	return 0;
}

/* One exchange; *status gets the HTTP status, r the body. */
static int
perform(kube_t *k, const char *path, const char *body, struct reply *r, long *status,
	kshim_err_t *err)
{
	char url[sizeof(k->t.server) + 4096];
	struct curl_slist *h;
	CURLcode rc;

	if (check_token(k, err) < 0)
		return -1;
	h = headers(k, body != NULL);
	if ((size_t)snprintf(url, sizeof(url), "%s%s", k->t.server, path) >= sizeof(url)) {
		curl_slist_free_all(h);
		return kshim_fail(err, ENAMETOOLONG, "API path too long: %.80s...", path);
	}
	curl_easy_reset(k->curl);
	k->curl_error[0] = '\0';
	curl_easy_setopt(k->curl, CURLOPT_ERRORBUFFER, k->curl_error);
	curl_easy_setopt(k->curl, CURLOPT_URL, url);
	curl_easy_setopt(k->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(k->curl, CURLOPT_USERAGENT, "kshim");
	if (body)
		curl_easy_setopt(k->curl, CURLOPT_POSTFIELDS, body);
	set_tls(k);
	curl_easy_setopt(k->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(k->curl, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(k->curl, CURLOPT_TIMEOUT, REQUEST_TIMEOUT_S);
	curl_easy_setopt(k->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(k->curl, CURLOPT_WRITEDATA, r);
	rc = curl_easy_perform(k->curl);
	curl_slist_free_all(h);
	if (rc != CURLE_OK)
		return transport_fail(k, rc, err);
	curl_easy_getinfo(k->curl, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

/* The value after the first occurrence of key in s, up to the next quote. */
static int
quoted_after(const char *s, const char *key, char *buf, size_t len)
{
	const char *p = strstr(s, key);

	if (!p)
		return 0;
	p += strlen(key);
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\""), p);
	return 1;
}

/* From 'User "u" cannot create resource "pods/portforward" in API group ""
 * in the namespace "kafka"': what to ask an administrator for. */
static int
forbidden_hint(const kube_t *k, const char *msg, kshim_err_t *err)
{
	char verb[32] = "", resource[128] = "", ns[64] = "";
	const char *c = strstr(msg, " cannot ");

	if (!c || !quoted_after(msg, "resource \"", resource, sizeof(resource)))
		return kshim_hint(err, "ask your administrator for the access user '%s' lacks",
				  k->t.user);
	snprintf(verb, sizeof(verb), "%.*s", (int)strcspn(c + 8, " "), c + 8);
	if (!quoted_after(msg, "namespace \"", ns, sizeof(ns)))
		return kshim_hint(err,
				  "ask your administrator for %s on %s (kubectl auth can-i %s %s)",
				  verb, resource, verb, resource);
	return kshim_hint(
	    err, "ask your administrator for %s on %s in %s (kubectl auth can-i %s %s -n %s)", verb,
	    resource, ns, verb, resource, ns);
}

static int
status_fail(const kube_t *k, const char *path, long status, const cJSON *reply, kshim_err_t *err)
{
	const char *msg = kubeconfig_str(reply, "message");

	if (!msg)
		msg = "no message";
	if (status == 401) {
		kshim_fail(err, EACCES,
			   "the API server at %s refused the credentials of user '%s' "
			   "(401 Unauthorized)",
			   k->t.server, k->t.user);
		kshim_hint(err,
			   "sign in again or renew them (kubectl --context %s auth whoami tells)",
			   k->t.context);
	} else if (status == 403) {
		kshim_fail(err, EACCES, "%s (403 Forbidden)", msg);
		forbidden_hint(k, msg, err);
	} else if (status == 404) {
		kshim_fail(err, ENOENT, "%s (404 Not Found)", msg);
	} else {
		kshim_fail(err, EIO, "the API server at %s answered %ld to %s: %s", k->t.server,
			   status, path, msg);
	}
	err->http_status = (int)status;
	return -1;
}

/* One request with fresh credentials; the exec plugin runs again once when
 * the server refuses its credential. */
static int
exchange(kube_t *k, const char *path, const char *body, struct reply *r, long *status,
	 kshim_err_t *err)
{
	if (creds_fresh(k, err) < 0 || perform(k, path, body, r, status, err) < 0)
		return -1;
	if (*status != 401 || !k->exec)
		return 0;
	free(r->buf);
	*r = (struct reply){0};
	if (plugin_run(k, err) < 0)
		return -1;
	return perform(k, path, body, r, status, err);
}

int
kube_request(kube_t *k, const char *path, const cJSON *body, cJSON **out, kshim_err_t *err)
{
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	struct reply r = {0};
	long status = 0;
	cJSON *json;
	int rc;

	*out = NULL;
	if (body && !text)
		return kshim_fail(err, ENOMEM, "out of memory");
	rc = exchange(k, path, text, &r, &status, err);
	free(text);
	json = rc == 0 ? cJSON_ParseWithLength(r.buf ? r.buf : "", r.len) : NULL;
	free(r.buf);
	if (rc < 0)
		return -1;
	if (status < 200 || status > 299) {
		status_fail(k, path, status, json, err);
		cJSON_Delete(json);
		return -1;
	}
	if (!json)
		return kshim_fail(err, EPROTO, "the API server at %s answered %s with no JSON",
				  k->t.server, path);
	*out = json;
	return 0;
}
