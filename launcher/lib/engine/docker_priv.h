/* SPDX-License-Identifier: Apache-2.0 */
/* What the engine client's files share inside launcher/lib/engine/: the
 * client's state, reply sinks, and the helpers docker.c lends hijack.c. */
#ifndef KSHIM_DOCKER_PRIV_H
#define KSHIM_DOCKER_PRIV_H

#include <curl/curl.h>
#include <limits.h>

#include "docker.h"
#include "ssh_bridge.h"

#define CONNECT_TIMEOUT_MS 5000L
#define REQUEST_TIMEOUT_S 120L

struct docker {
	CURL *curl;
	struct engine engine;
	ssh_bridge_t *ssh;     /* ssh:// only */
	char socket[PATH_MAX]; /* unix socket path (ssh's bridge for ssh://), "" for tcp */
	char base[320];	       /* "http://localhost" or "http[s]://host:port" */
	char where[PATH_MAX + 16];
	char version[16];
	char curl_error[CURL_ERROR_SIZE];
	int podman; /* the engine is Podman's Docker-compatible API */
	int (*cancelled)(void);
	const char *upload; /* a tar body for docker_container_upload's PUT */
	size_t upload_len;
};

/* Where a reply goes: kept whole, or cut into lines or log frames as it arrives. */
struct sink {
	CURL *curl;
	char *buf;
	size_t len, cap;
	int (*line)(void *ctx, const char *line, size_t len);
	docker_log_fn frame;
	void *ctx;
	int decided, streaming, stopped, overflow;
};

/* Appends to s->buf, NUL-terminated; -1 (s->overflow) past the reply size limit. */
int docker_sink_append(struct sink *s, const char *data, size_t len);
/* Hands the complete lines or frames in s->buf to s's callback and drops them;
 * final: the reply is over, so a last line without a newline counts too. */
void docker_sink_consume(struct sink *s, int final);
/* Points curl at url on d's engine: its socket or address, timeouts, TLS material. */
void docker_set_endpoint(docker_t *d, CURL *curl, const char *url);
/* Fails with Docker's message from reply (its "message") and status; -1. */
int docker_api_error(const cJSON *reply, long status, kshim_err_t *err);

#endif
