/* SPDX-License-Identifier: Apache-2.0 */
/* The Docker Engine API over libcurl: transport, version negotiation, typed calls. */
#include "docker.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cleanup.h"
#include "docker_priv.h"
#include "ssh_bridge.h"

#define API_MIN 40 /* 1.40: Docker 19.03, Podman's compatible socket */
#define API_MAX 51 /* newest we know; Docker 29 refuses clients below 1.44 */
#define EXEC_TIMEOUT_S 60L
/* A tcp engine's link is dead when 10 s of silence and then 9 keepalive probes
 * 5 s apart (Linux's count) go unanswered, or when sent data goes unacknowledged
 * for 50 s: an events stream that waits for the next event learns of it within
 * a minute instead of never. */
#define KEEPIDLE_S 10L
#define KEEPINTVL_S 5L
#define UNACKED_MS 50000
#define REPLY_MAX (64u << 20)

const char *
docker_where(const docker_t *d)
{
	return d->where;
}

const char *
docker_version(const docker_t *d)
{
	return d->version;
}

const struct engine *
docker_engine(const docker_t *d)
{
	return &d->engine;
}

int
docker_is_podman(const docker_t *d)
{
	return d->podman;
}

void
docker_set_cancel(docker_t *d, int (*cancelled)(void))
{
	d->cancelled = cancelled;
}

int
docker_cancelled(const docker_t *d)
{
	return d->cancelled && d->cancelled();
}

int
docker_sink_append(struct sink *s, const char *data, size_t len)
{
	if (s->len + len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + len + 1)
			cap *= 2;
		char *n = cap <= REPLY_MAX ? realloc(s->buf, cap) : NULL;
		if (!n) {
			s->overflow = 1;
			return -1;
		}
		s->buf = n;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	s->buf[s->len] = '\0';
	return 0;
}

static size_t
consume_lines(struct sink *s, int final)
{
	size_t pos = 0;

	while (pos < s->len && !s->stopped) {
		char *nl = memchr(s->buf + pos, '\n', s->len - pos);
		size_t end = nl ? (size_t)(nl - s->buf) : s->len;
		if (!nl && !final)
			break;
		if (end > pos && s->line(s->ctx, s->buf + pos, end - pos))
			s->stopped = 1;
		pos = nl ? end + 1 : end;
	}
	return pos;
}

/* Without a TTY each frame has an 8-byte header: stream, 3 zero bytes, length (big endian). */
static size_t
consume_frames(struct sink *s)
{
	size_t pos = 0;

	while (s->len - pos >= 8 && !s->stopped) {
		const unsigned char *h = (const unsigned char *)s->buf + pos;
		size_t n = (size_t)h[4] << 24 | (size_t)h[5] << 16 | (size_t)h[6] << 8 | h[7];
		if (s->len - pos - 8 < n)
			break;
		if (n > 0 && s->frame(s->ctx, h[0], s->buf + pos + 8, n))
			s->stopped = 1;
		pos += 8 + n;
	}
	return pos;
}

void
docker_sink_consume(struct sink *s, int final)
{
	size_t used = s->line ? consume_lines(s, final) : consume_frames(s);

	if (used == 0)
		return; /* also when nothing came yet: buf is NULL then */
	memmove(s->buf, s->buf + used, s->len - used);
	s->len -= used;
}

static size_t
on_data(char *data, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (!s->decided) {
		long code = 0;
		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
		s->streaming = (s->line || s->frame) && code >= 200 && code < 300;
		s->decided = 1;
	}
	if (docker_sink_append(s, data, size * n) < 0)
		return 0;
	if (s->streaming)
		docker_sink_consume(s, 0);
	return s->stopped ? 0 : size * n;
}

static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return docker_cancelled(arg);
}

/* What went wrong below HTTP, in curl's words, or ssh's when ssh said why. */
static void
transport_cause(docker_t *d, CURLcode rc, char *buf, size_t len)
{
	snprintf(buf, len, "%s", d->curl_error[0] ? d->curl_error : curl_easy_strerror(rc));
	if (d->ssh) {
		char why[400];
		ssh_bridge_error(d->ssh, why, sizeof(why));
		if (why[0])
			snprintf(buf, len, "%s%s", strncmp(why, "ssh: ", 5) ? "ssh: " : "", why);
	}
}

/* A refused handshake; a client certificate refused under TLS 1.3 only shows as an
 * alert on the first read, while a plain reset there is no TLS matter. */
static int
tls_failure(const docker_t *d, CURLcode rc)
{
	if (rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR)
		return strstr(d->curl_error, "SSL routines") || strstr(d->curl_error, "alert");
	return rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION ||
	       rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_CACERT_BADFILE ||
	       rc == CURLE_SSL_CIPHER;
}

static int
remote_hint(const docker_t *d, kshim_err_t *err)
{
	return kshim_hint(err,
			  "check that the engine at %s runs and this machine reaches it "
			  "('docker version' with the same DOCKER_HOST)",
			  d->where);
}

static int
transport_fail(docker_t *d, CURLcode rc, const char *method, const char *path, long timeout_s,
	       kshim_err_t *err)
{
	long os_errno = 0;
	char cause[512];

	curl_easy_getinfo(d->curl, CURLINFO_OS_ERRNO, &os_errno);
	transport_cause(d, rc, cause, sizeof(cause));
	if (d->engine.tls && tls_failure(d, rc)) {
		kshim_fail(err, EPROTO, "TLS with the Docker daemon at %s failed: %s", d->where,
			   cause);
		return kshim_hint(err,
				  "check the certificates (DOCKER_CERT_PATH or the context's): "
				  "ca.pem signed the daemon's, cert.pem and key.pem are a client's "
				  "its --tlscacert accepts");
	}
	switch (rc) {
	case CURLE_ABORTED_BY_CALLBACK:
		return kshim_fail(err, EINTR, "interrupted");
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		kshim_fail(err, os_errno ? (int)os_errno : ECONNREFUSED,
			   "cannot connect to the Docker daemon at %s: %s", d->where,
			   os_errno ? strerror((int)os_errno) : cause);
		if (os_errno == EACCES)
			return kshim_hint(err, "run as root or join the 'docker' group");
		if (!engine_local(&d->engine))
			return remote_hint(d, err);
		return kshim_hint(err, "start dockerd ('make dockerd' does it here) or point "
				       "DOCKER_HOST at a running daemon");
	case CURLE_OPERATION_TIMEDOUT:
		if (d->curl_error[0] && strstr(d->curl_error, "onnect"))
			return kshim_fail(err, ETIMEDOUT,
					  "cannot connect to the Docker daemon at %s: %s", d->where,
					  cause);
		return kshim_fail(err, ETIMEDOUT, "Docker at %s did not answer %s %s within %ld s",
				  d->where, method, path, timeout_s);
	default:
		if (d->ssh && !d->version[0]) {
			kshim_fail(err, EIO, "cannot connect to the Docker daemon at %s: %s",
				   d->where, cause);
			return kshim_hint(err,
					  "check that 'ssh %s docker version' works here without "
					  "a prompt (keys, known hosts)",
					  d->where + 6);
		}
		if (!engine_local(&d->engine)) {
			kshim_fail(err, EIO, "lost the Docker daemon at %s (%s %s): %s", d->where,
				   method, path, cause);
			return remote_hint(d, err);
		}
		return kshim_fail(err, EIO, "Docker request %s %s failed: %s", method, path, cause);
	}
}

static int
set_user_timeout(void *ctx, curl_socket_t fd, curlsocktype purpose)
{
	int ms = UNACKED_MS;

	(void)ctx, (void)purpose;
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms));
	return CURL_SOCKOPT_OK;
}

/* See KEEPIDLE_S. A unix socket (ssh's bridge too: ssh checks its own link)
 * needs none of it. */
static void
set_dead_link_limits(CURL *curl)
{
	curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(curl, CURLOPT_TCP_KEEPIDLE, KEEPIDLE_S);
	curl_easy_setopt(curl, CURLOPT_TCP_KEEPINTVL, KEEPINTVL_S);
	curl_easy_setopt(curl, CURLOPT_SOCKOPTFUNCTION, set_user_timeout);
}

/* Where curl connects for url: the engine's socket or address, with its TLS material. */
void
docker_set_endpoint(docker_t *d, CURL *curl, const char *url)
{
	const struct engine *e = &d->engine;

	d->curl_error[0] = '\0';
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, d->curl_error);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	if (d->socket[0])
		curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, d->socket);
	else
		set_dead_link_limits(curl);
	if (!e->tls)
		return;
	if (e->ca[0])
		curl_easy_setopt(curl, CURLOPT_CAINFO, e->ca);
	if (e->cert[0])
		curl_easy_setopt(curl, CURLOPT_SSLCERT, e->cert);
	if (e->key[0])
		curl_easy_setopt(curl, CURLOPT_SSLKEY, e->key);
	if (!e->tls_verify) {
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

/* One HTTP exchange; versioned selects the /v<version> prefix; timeout_s 0 is none. */
static int
transfer(docker_t *d, const char *method, const char *path, int versioned, const char *body,
	 long timeout_s, struct sink *s, long *status, kshim_err_t *err)
{
	struct curl_slist *hdr = NULL;
	char url[sizeof(d->base) + 2048];
	CURLcode rc;

	if (docker_cancelled(d))
		return kshim_fail(err, EINTR, "interrupted");
	if ((size_t)snprintf(url, sizeof(url), "%s%s%s%s", d->base, versioned ? "/v" : "",
			     versioned ? d->version : "", path) >= sizeof(url))
		return kshim_fail(err, ENAMETOOLONG, "Docker request path too long: %s", path);
	curl_easy_reset(d->curl);
	docker_set_endpoint(d, d->curl, url);
	if (strcmp(method, "POST") == 0) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(d->curl, CURLOPT_POSTFIELDS, body ? body : "");
	} else if (d->upload) {
		hdr = curl_slist_append(hdr, "Content-Type: application/x-tar");
		curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(d->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)d->upload_len);
		curl_easy_setopt(d->curl, CURLOPT_POSTFIELDS, d->upload);
		curl_easy_setopt(d->curl, CURLOPT_CUSTOMREQUEST, method);
	} else {
		curl_easy_setopt(d->curl, CURLOPT_CUSTOMREQUEST, method);
	}
	curl_easy_setopt(d->curl, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, s);
	/* A bounded request runs to its end even when cancelled, so that whatever the
	 * daemon creates is there for rollback to find; unbounded ones are aborted. */
	curl_easy_setopt(d->curl, CURLOPT_NOPROGRESS, timeout_s ? 1L : 0L);
	curl_easy_setopt(d->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(d->curl, CURLOPT_XFERINFODATA, d);
	s->curl = d->curl;
	rc = curl_easy_perform(d->curl);
	curl_slist_free_all(hdr);
	if (rc == CURLE_WRITE_ERROR && s->overflow)
		return kshim_fail(err, EFBIG, "Docker's reply to %s %s is too large", method, path);
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && s->stopped))
		return transport_fail(d, rc, method, path, timeout_s, err);
	if (s->streaming && !s->stopped)
		docker_sink_consume(s, 1);
	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

int
docker_request(docker_t *d, const char *method, const char *path, const cJSON *body, long *status,
	       cJSON **reply, kshim_err_t *err)
{
	struct sink s = {0};
	cleanup_free char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	int rc;

	if (body && !text)
		return kshim_fail(err, ENOMEM, "out of memory");
	rc = transfer(d, method, path, 1, text, REQUEST_TIMEOUT_S, &s, status, err);
	if (reply)
		*reply = rc == 0 && s.len ? cJSON_ParseWithLength(s.buf, s.len) : NULL;
	free(s.buf);
	return rc;
}

int
docker_api_error(const cJSON *reply, long status, kshim_err_t *err)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(reply, "message");

	kshim_fail(err, EIO, "Docker: %s (HTTP %ld)",
		   cJSON_IsString(m) ? m->valuestring : "no message", status);
	err->http_status = (int)status;
	return -1;
}

/* Fails with Docker's own message for status >= 400, except 404; returns the status. */
static long
call(docker_t *d, const char *method, const char *path, const cJSON *body, cJSON **reply,
     kshim_err_t *err)
{
	cleanup_json cJSON *r = NULL;
	long status = 0;

	if (docker_request(d, method, path, body, &status, &r, err) < 0)
		return -1;
	if (status >= 400 && status != 404)
		return docker_api_error(r, status, err);
	if (reply)
		*reply = steal_pointer(&r);
	return status;
}

/* A request (with an optional JSON body) whose 2xx reply streams into s; any other status
 * fails with Docker's message. */
static int
stream(docker_t *d, const char *method, const char *path, const char *body, long timeout_s,
       struct sink *s, kshim_err_t *err)
{
	long status = 0;
	int rc = transfer(d, method, path, 1, body, timeout_s, s, &status, err);

	if (rc == 0 && status >= 300) {
		cleanup_json cJSON *r = cJSON_ParseWithLength(s->buf ? s->buf : "", s->len);
		rc = docker_api_error(r, status, err);
	}
	free(s->buf);
	return rc;
}

/* Where requests go: the engine's socket, its tcp address, or ssh's bridge. */
static int
connect_engine(docker_t *d, kshim_err_t *err)
{
	const struct engine *e = &d->engine;
	const char *h = e->host;

	if (engine_resolve(&d->engine, err) < 0)
		return -1;
	snprintf(d->where, sizeof(d->where), "%s", h);
	snprintf(d->base, sizeof(d->base), "http://localhost");
	switch (e->transport) {
	case ENGINE_UNIX:
		snprintf(d->socket, sizeof(d->socket), "%s", h + 7);
		return 0;
	case ENGINE_SSH:
		if (ssh_bridge_start(h, &d->ssh, err) < 0)
			return -1;
		snprintf(d->socket, sizeof(d->socket), "%s", ssh_bridge_socket(d->ssh));
		return 0;
	case ENGINE_TCP:
		if (strlen(h) >= sizeof(d->base) - 10)
			return kshim_fail(err, ENAMETOOLONG, "DOCKER_HOST is too long");
		snprintf(d->base, sizeof(d->base), "%s://%.*s", e->tls ? "https" : "http",
			 (int)strcspn(h + 6, "/"), h + 6);
		return 0;
	}
	return 0;
}

/* The server's version from /_ping's API-Version header, else from /version. */
static int
server_version(docker_t *d, char *buf, size_t len, kshim_err_t *err)
{
	struct curl_header *h;
	struct sink s = {0};
	long status = 0;
	cleanup_json cJSON *v = NULL;
	const cJSON *av;

	if (transfer(d, "GET", "/_ping", 0, NULL, 10, &s, &status, err) < 0) {
		free(s.buf);
		return -1;
	}
	free(s.buf);
	d->podman =
	    curl_easy_header(d->curl, "Libpod-API-Version", 0, CURLH_HEADER, -1, &h) == CURLHE_OK;
	if (curl_easy_header(d->curl, "API-Version", 0, CURLH_HEADER, -1, &h) == CURLHE_OK) {
		snprintf(buf, len, "%s", h->value);
		return 0;
	}
	memset(&s, 0, sizeof(s));
	if (transfer(d, "GET", "/version", 0, NULL, 10, &s, &status, err) == 0 && status == 200)
		v = cJSON_ParseWithLength(s.buf, s.len);
	free(s.buf);
	av = cJSON_GetObjectItemCaseSensitive(v, "ApiVersion");
	if (!cJSON_IsString(av)) {
		kshim_fail(err, EPROTO, "no Docker API at %s (GET /version answered %ld)", d->where,
			   status);
		if (status == 400 && d->engine.transport == ENGINE_TCP && !d->engine.tls)
			return kshim_hint(err,
					  "a daemon that wants TLS answers plain HTTP with 400: "
					  "set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH");
		return -1;
	}
	snprintf(buf, len, "%s", av->valuestring);
	return 0;
}

static int
negotiate(docker_t *d, kshim_err_t *err)
{
	char server[32];
	int major, minor;

	if (server_version(d, server, sizeof(server), err) < 0)
		return -1;
	if (sscanf(server, "%d.%d", &major, &minor) != 2 || major != 1)
		return kshim_fail(err, EPROTO, "Docker at %s reports API version '%s'", d->where,
				  server);
	if (minor < API_MIN) {
		kshim_fail(err, EPROTO, "Docker at %s speaks API %s, older than 1.%d", d->where,
			   server, API_MIN);
		return kshim_hint(err, "upgrade Docker to 20.10 or later");
	}
	snprintf(d->version, sizeof(d->version), "1.%d", minor < API_MAX ? minor : API_MAX);
	return 0;
}

int
docker_open(docker_t **out, kshim_err_t *err)
{
	docker_t *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    !(d->curl = curl_easy_init())) {
		free(d);
		return kshim_fail(err, ENOMEM, "cannot initialise libcurl");
	}
	if (connect_engine(d, err) < 0 || negotiate(d, err) < 0) {
		docker_close(d);
		return -1;
	}
	*out = d;
	return 0;
}

void
docker_close(docker_t *d)
{
	if (!d)
		return;
	curl_easy_cleanup(d->curl);
	ssh_bridge_stop(d->ssh);
	free(d);
	curl_global_cleanup();
}

/* Appends "filters=<url-encoded JSON>" to buf. */
static int
filters_query(docker_t *d, const char *prefix, const cJSON *filters, char *buf, size_t len,
	      kshim_err_t *err)
{
	cleanup_free char *json = cJSON_PrintUnformatted(filters);
	char *esc = json ? curl_easy_escape(d->curl, json, 0) : NULL;
	int n = esc ? snprintf(buf, len, "%sfilters=%s", prefix, esc) : -1;

	curl_free(esc);
	if (n < 0 || (size_t)n >= len)
		return kshim_fail(err, ENAMETOOLONG, "Docker filter too long");
	return 0;
}

/* GET what?filters={"label":[label]}: a JSON array. */
static int
list_by_label(docker_t *d, const char *what, const char *label, cJSON **list, kshim_err_t *err)
{
	cleanup_json cJSON *f = cJSON_CreateObject();
	cJSON *labels = cJSON_AddArrayToObject(f, "label");
	char path[1024];
	int n = snprintf(path, sizeof(path), "%s", what);
	long status;

	*list = NULL;
	cJSON_AddItemToArray(labels, cJSON_CreateString(label));
	status =
	    filters_query(d, strchr(what, '?') ? "&" : "?", f, path + n, sizeof(path) - n, err) < 0
		? -1
		: call(d, "GET", path, NULL, list, err);
	if (status < 0)
		return -1;
	if (!cJSON_IsArray(*list)) {
		cJSON_Delete(*list);
		*list = NULL;
		return kshim_fail(err, EPROTO, "Docker sent no list for GET %s", what);
	}
	return 0;
}

/* Copies the "Id" of a create reply. */
static int
reply_id(const cJSON *reply, char id[65], kshim_err_t *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(reply, "Id");

	if (!cJSON_IsString(v) || strlen(v->valuestring) > 64)
		return kshim_fail(err, EPROTO, "Docker's reply has no Id");
	snprintf(id, 65, "%s", v->valuestring);
	return 0;
}

/* GET path: *out is NULL on 404. */
static int
inspect(docker_t *d, const char *path, cJSON **out, kshim_err_t *err)
{
	long status;

	*out = NULL;
	status = call(d, "GET", path, NULL, out, err);
	if (status == 404) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return status < 0 ? -1 : 0;
}

/* POST path with body and copies the new object's Id; 404 is a failure here. */
static int
create(docker_t *d, const char *path, const cJSON *body, char id[65], kshim_err_t *err)
{
	cleanup_json cJSON *reply = NULL;
	long status = call(d, "POST", path, body, &reply, err);

	if (status == 404)
		return docker_api_error(reply, status, err);
	if (status < 0)
		return -1;
	return reply_id(reply, id, err);
}

int
docker_network_create(docker_t *d, const char *name, const cJSON *labels, char id[65],
		      kshim_err_t *err)
{
	cleanup_json cJSON *body = cJSON_CreateObject();

	cJSON_AddStringToObject(body, "Name", name);
	cJSON_AddStringToObject(body, "Driver", "bridge");
	cJSON_AddTrueToObject(body, "CheckDuplicate"); /* the default only from API 1.44 */
	cJSON_AddItemToObject(body, "Labels", cJSON_Duplicate(labels, 1));
	if (create(d, "/networks/create", body, id, err) < 0)
		return kshim_wrap(err, "creating network %s", name);
	return 0;
}

/* prefix, name escaped for a URL path (user input: '/', '?', '#' or '%' must
 * not change the request), then suffix. */
static int
escaped_path(docker_t *d, char *buf, size_t len, const char *prefix, const char *name,
	     const char *suffix, kshim_err_t *err)
{
	char *esc = curl_easy_escape(d->curl, name, 0);
	int n = esc ? snprintf(buf, len, "%s%s%s", prefix, esc, suffix) : -1;

	curl_free(esc);
	if (n < 0 || (size_t)n >= len)
		return kshim_fail(err, ENAMETOOLONG, "name too long for a Docker request: %s",
				  name);
	return 0;
}

int
docker_network_inspect(docker_t *d, const char *name, cJSON **net, kshim_err_t *err)
{
	char path[1024];

	if (escaped_path(d, path, sizeof(path), "/networks/", name, "", err) < 0)
		return -1;
	return inspect(d, path, net, err);
}

int
docker_network_list(docker_t *d, const char *label, cJSON **list, kshim_err_t *err)
{
	return list_by_label(d, "/networks", label, list, err);
}

int
docker_network_remove(docker_t *d, const char *name, kshim_err_t *err)
{
	char path[1024];

	if (escaped_path(d, path, sizeof(path), "/networks/", name, "", err) < 0)
		return -1;
	if (call(d, "DELETE", path, NULL, NULL, err) < 0)
		return kshim_wrap(err, "removing network %s", name);
	return 0;
}

int
docker_image_exists(docker_t *d, const char *ref, int *present, kshim_err_t *err)
{
	char path[1024];
	cleanup_json cJSON *img = NULL;

	if (escaped_path(d, path, sizeof(path), "/images/", ref, "/json", err) < 0 ||
	    inspect(d, path, &img, err) < 0)
		return kshim_wrap(err, "inspecting image %s", ref);
	*present = img != NULL;
	return 0;
}

struct pull {
	void (*progress)(void *ctx, const char *status);
	void *ctx;
	char error[400];
};

static int
pull_line(void *arg, const char *line, size_t len)
{
	struct pull *p = arg;
	cleanup_json cJSON *j = cJSON_ParseWithLength(line, len);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "status");

	if (cJSON_IsString(e))
		snprintf(p->error, sizeof(p->error), "%s", e->valuestring);
	else if (p->progress && cJSON_IsString(st))
		p->progress(p->ctx, st->valuestring);
	return p->error[0] != '\0';
}

int
docker_image_pull(docker_t *d, const char *ref, void (*progress)(void *ctx, const char *status),
		  void *ctx, kshim_err_t *err)
{
	struct pull p = {progress, ctx, ""};
	struct sink s = {.line = pull_line, .ctx = &p};
	const char *name = strrchr(ref, '/') ? strrchr(ref, '/') : ref;
	int tagged = strchr(ref, '@') || strchr(name, ':');
	char *esc = curl_easy_escape(d->curl, ref, 0);
	char path[1200];

	/* Without a tag the daemon would pull every tag of the repository. */
	snprintf(path, sizeof(path), "/images/create?fromImage=%s%s", esc ? esc : "",
		 tagged ? "" : "&tag=latest");
	curl_free(esc);
	if (stream(d, "POST", path, NULL, 0, &s, err) < 0)
		return kshim_wrap(err, "cannot pull %s", ref);
	if (p.error[0])
		return kshim_fail(err, EIO, "cannot pull %s: %s", ref, p.error);
	return 0;
}

int
docker_container_create(docker_t *d, const char *name, const cJSON *spec, char id[65],
			kshim_err_t *err)
{
	char path[512];

	snprintf(path, sizeof(path), "/containers/create?name=%s", name);
	if (create(d, path, spec, id, err) < 0)
		return kshim_wrap(err, "creating container %s", name);
	return 0;
}

int
docker_container_start(docker_t *d, const char *id, kshim_err_t *err)
{
	char path[512];
	long status;

	snprintf(path, sizeof(path), "/containers/%s/start", id);
	status = call(d, "POST", path, NULL, NULL, err);
	if (status == 404)
		return kshim_fail(err, ENOENT, "starting container %s: no such container", id);
	return status < 0 ? kshim_wrap(err, "starting container %.12s", id) : 0;
}

int
docker_port_was_busy(const kshim_err_t *err)
{
	return err->http_status == 500 && strstr(err->msg, "address already in use");
}

int
docker_container_upload(docker_t *d, const char *id, const char *dir, const char *tar, size_t len,
			kshim_err_t *err)
{
	char path[512], *esc = curl_easy_escape(d->curl, dir, 0);
	struct sink s = {0};
	int rc;

	if (!esc)
		return kshim_fail(err, ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "/containers/%.64s/archive?path=%s", id, esc);
	curl_free(esc);
	d->upload = tar;
	d->upload_len = len;
	rc = stream(d, "PUT", path, NULL, REQUEST_TIMEOUT_S, &s, err);
	d->upload = NULL;
	return rc;
}

int
docker_container_inspect(docker_t *d, const char *id, cJSON **info, kshim_err_t *err)
{
	char path[512];

	snprintf(path, sizeof(path), "/containers/%s/json", id);
	return inspect(d, path, info, err);
}

int
docker_container_list(docker_t *d, const char *label, cJSON **list, kshim_err_t *err)
{
	return list_by_label(d, "/containers/json?all=1", label, list, err);
}

int
docker_container_remove(docker_t *d, const char *id, kshim_err_t *err)
{
	char path[512];

	snprintf(path, sizeof(path), "/containers/%s?force=1&v=1", id);
	if (call(d, "DELETE", path, NULL, NULL, err) < 0)
		return kshim_wrap(err, "removing container %.12s", id);
	return 0;
}

int
docker_logs(docker_t *d, const char *id, int tail, int follow, docker_log_fn fn, void *ctx,
	    kshim_err_t *err)
{
	struct sink s = {.frame = fn, .ctx = ctx};
	char path[512], tailarg[16] = "all";

	if (tail >= 0)
		snprintf(tailarg, sizeof(tailarg), "%d", tail);
	snprintf(path, sizeof(path), "/containers/%s/logs?stdout=1&stderr=1&tail=%s&follow=%d", id,
		 tailarg, follow != 0);
	if (stream(d, "GET", path, NULL, follow ? 0 : REQUEST_TIMEOUT_S, &s, err) < 0)
		return kshim_wrap(err, "reading logs of %.12s", id);
	return 0;
}

struct events {
	docker_event_fn fn;
	void *ctx;
};

static int
event_line(void *arg, const char *line, size_t len)
{
	struct events *ev = arg;
	cleanup_json cJSON *j = cJSON_ParseWithLength(line, len);

	return j ? ev->fn(ev->ctx, j) : 0;
}

int
docker_events_feed(const char *data, size_t len, size_t chunk, docker_event_fn fn, void *ctx)
{
	struct events ev = {fn, ctx};
	struct sink s = {.line = event_line, .ctx = &ev};
	int rc = 0;

	for (size_t pos = 0; pos < len && !s.stopped; pos += chunk) {
		size_t n = len - pos < chunk ? len - pos : chunk;
		if (docker_sink_append(&s, data + pos, n) < 0) {
			rc = -1;
			break;
		}
		docker_sink_consume(&s, 0);
	}
	if (rc == 0 && !s.stopped)
		docker_sink_consume(&s, 1);
	free(s.buf);
	return rc;
}

int
docker_events(docker_t *d, const cJSON *filters, long long since, docker_event_fn fn, void *ctx,
	      kshim_err_t *err)
{
	struct events ev = {fn, ctx};
	struct sink s = {.line = event_line, .ctx = &ev};
	char path[2048];
	int n = snprintf(path, sizeof(path), "/events");

	if (since > 0)
		n += snprintf(path + n, sizeof(path) - (size_t)n, "?since=%lld", since);
	if (filters && filters_query(d, since > 0 ? "&" : "?", filters, path + n,
				     sizeof(path) - (size_t)n, err) < 0)
		return -1;
	if (stream(d, "GET", path, NULL, 0, &s, err) < 0)
		return kshim_wrap(err, "watching Docker events");
	return 0;
}

/* Collects an exec's demultiplexed output, truncating what does not fit. */
struct exec_out {
	char *buf;
	size_t len, used;
};

static int
exec_frame(void *ctx, int stream_no, const char *data, size_t len)
{
	struct exec_out *o = ctx;
	size_t room = o->len - 1 - o->used;

	(void)stream_no;
	if (len > room)
		len = room;
	memcpy(o->buf + o->used, data, len);
	o->used += len;
	o->buf[o->used] = '\0';
	return 0;
}

/* The ExitCode of a finished exec. */
static int
exec_code(docker_t *d, const char *exec_id, int *code, kshim_err_t *err)
{
	char path[128];
	cleanup_json cJSON *info = NULL;
	const cJSON *c;

	snprintf(path, sizeof(path), "/exec/%s/json", exec_id);
	if (inspect(d, path, &info, err) < 0)
		return -1;
	c = cJSON_GetObjectItemCaseSensitive(info, "ExitCode");
	*code = cJSON_IsNumber(c) ? c->valueint : -1;
	return 0;
}

int
docker_exec(docker_t *d, const char *id, const char *const argv[], char *out, size_t len, int *code,
	    kshim_err_t *err)
{
	static const char start[] = "{\"Detach\":false,\"Tty\":false}";
	struct exec_out o = {out, len, 0};
	struct sink s = {.frame = exec_frame, .ctx = &o};
	cleanup_json cJSON *body = cJSON_CreateObject();
	cJSON *cmd = cJSON_AddArrayToObject(body, "Cmd");
	char path[512], exec_id[65];

	out[0] = '\0';
	cJSON_AddTrueToObject(body, "AttachStdout");
	cJSON_AddTrueToObject(body, "AttachStderr");
	for (int i = 0; argv[i]; i++)
		cJSON_AddItemToArray(cmd, cJSON_CreateString(argv[i]));
	snprintf(path, sizeof(path), "/containers/%s/exec", id);
	if (create(d, path, body, exec_id, err) < 0)
		return kshim_wrap(err, "running %s in %.12s", argv[0], id);
	snprintf(path, sizeof(path), "/exec/%s/start", exec_id);
	if (stream(d, "POST", path, start, EXEC_TIMEOUT_S, &s, err) < 0)
		return kshim_wrap(err, "running %s in %.12s", argv[0], id);
	return exec_code(d, exec_id, code, err);
}

int
docker_container_wait(docker_t *d, const char *id, int *code, kshim_err_t *err)
{
	char path[512];
	cleanup_json cJSON *reply = NULL;
	const cJSON *c;
	long status;

	snprintf(path, sizeof(path), "/containers/%.64s/wait", id);
	status = call(d, "POST", path, NULL, &reply, err);
	if (status == 404)
		docker_api_error(reply, status, err);
	c = cJSON_GetObjectItemCaseSensitive(reply, "StatusCode");
	*code = cJSON_IsNumber(c) ? c->valueint : -1;
	if (status < 0 || status == 404)
		return kshim_wrap(err, "waiting for %.12s", id);
	return 0;
}

int
docker_container_resize(docker_t *d, const char *id, int rows, int cols, kshim_err_t *err)
{
	char path[512];

	snprintf(path, sizeof(path), "/containers/%.64s/resize?h=%d&w=%d", id, rows, cols);
	return call(d, "POST", path, NULL, NULL, err) < 0 ? -1 : 0;
}
