/* SPDX-License-Identifier: Apache-2.0 */
/* The Docker Engine API client: the only place that speaks HTTP and JSON to the
 * daemon (Docker's, or Podman's compatible one). libcurl to the engine that
 * engine.h finds: a unix socket, tcp:// (with TLS when asked), or ssh:// through
 * ssh_bridge.h. The API version is negotiated once, in docker_open, and every
 * path is sent as /v<version><path>. */
#ifndef KSHIM_DOCKER_H
#define KSHIM_DOCKER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "engine.h"
#include "../error.h"

typedef struct docker docker_t;

/* Connects to the daemon and negotiates the API version. */
int docker_open(docker_t **d, kshim_err_t *err);
void docker_close(docker_t *d);
/* "unix:///var/run/docker.sock", "tcp://host:port" or "ssh://user@host", for messages. */
const char *docker_where(const docker_t *d);
/* "1.41": the negotiated API version. */
const char *docker_version(const docker_t *d);
/* The engine docker_open found, and why it chose it. */
const struct engine *docker_engine(const docker_t *d);
/* Whether the engine is Podman (its /_ping sends Libpod-API-Version). */
int docker_is_podman(const docker_t *d);

/* While cancelled() returns nonzero, new requests fail with code EINTR and
 * streams in flight (pull, events, followed logs) are aborted; other requests in
 * flight finish. NULL turns cancellation off (for rollback). */
void docker_set_cancel(docker_t *d, int (*cancelled)(void));
int docker_cancelled(const docker_t *d);

/* Sends method path (query included, without the version prefix) with an
 * optional JSON body. Stores the HTTP status, and the reply parsed as JSON in
 * *reply when reply is not NULL (NULL when the body is empty or not JSON). Any
 * status counts as success: only transport failures return -1. */
int docker_request(docker_t *d, const char *method, const char *path, const cJSON *body,
		   long *status, cJSON **reply, kshim_err_t *err);

/* Networks. The id buffers hold 64 hex digits and a NUL. */
int docker_network_create(docker_t *d, const char *name, const cJSON *labels, char id[65],
			  kshim_err_t *err);
/* *net is NULL when no such network. */
int docker_network_inspect(docker_t *d, const char *name, cJSON **net, kshim_err_t *err);
/* The networks carrying label ("key=value"): a JSON array. */
int docker_network_list(docker_t *d, const char *label, cJSON **list, kshim_err_t *err);
/* Succeeds when the network is already gone. */
int docker_network_remove(docker_t *d, const char *name, kshim_err_t *err);

/* Images. *present is 1 when ref is in the local store. */
int docker_image_exists(docker_t *d, const char *ref, int *present, kshim_err_t *err);
/* Pulls ref (":latest" when it names no tag); progress, when not NULL, sees each
 * status line. Errors reported inside the progress stream fail the pull. */
int docker_image_pull(docker_t *d, const char *ref, void (*progress)(void *ctx, const char *status),
		      void *ctx, kshim_err_t *err);

/* Containers. spec is the body of POST /containers/create. */
int docker_container_create(docker_t *d, const char *name, const cJSON *spec, char id[65],
			    kshim_err_t *err);
int docker_container_start(docker_t *d, const char *id, kshim_err_t *err);
/* Whether err is the engine failing a start because a host port it picked for a
 * published port was already in use; another start picks other ports. */
int docker_port_was_busy(const kshim_err_t *err);
/* Unpacks the tar archive tar (len bytes) into dir of the container, which
 * may be created and not started (its volumes included). */
int docker_container_upload(docker_t *d, const char *id, const char *dir, const char *tar,
			    size_t len, kshim_err_t *err);
/* *info is NULL when no such container. */
int docker_container_inspect(docker_t *d, const char *id, cJSON **info, kshim_err_t *err);
/* All containers, running or not, carrying label ("key=value"): a JSON array. */
int docker_container_list(docker_t *d, const char *label, cJSON **list, kshim_err_t *err);
/* Kills and removes the container and its anonymous volumes; succeeds when it is
 * already gone. */
int docker_container_remove(docker_t *d, const char *id, kshim_err_t *err);

/* Waits for the container to end (at most 2 min; call it once its stream has
 * ended) and gives its exit status. */
int docker_container_wait(docker_t *d, const char *id, int *code, kshim_err_t *err);
/* Sets the size of a running container's TTY. */
int docker_container_resize(docker_t *d, const char *id, int rows, int cols, kshim_err_t *err);

/* Receives one demultiplexed piece of output; stream is 1 (stdout) or 2 (stderr).
 * Returning nonzero stops the transfer. */
typedef int (*docker_log_fn)(void *ctx, int stream, const char *data, size_t len);
/* The container's output: the last tail lines (tail < 0: all), then new output
 * as it comes when follow is set. */
int docker_logs(docker_t *d, const char *id, int tail, int follow, docker_log_fn fn, void *ctx,
		kshim_err_t *err);

/* Receives one event object; returning nonzero ends the stream. */
typedef int (*docker_event_fn)(void *ctx, const cJSON *event);
/* Streams daemon events matching filters (e.g. {"label":["io.kshim.cluster=x"]},
 * or NULL), starting with those since the Unix time since (0: from now on), until
 * fn asks to stop, the request is cancelled, or the daemon goes away. Stopping by
 * fn returns 0. */
int docker_events(docker_t *d, const cJSON *filters, long long since, docker_event_fn fn, void *ctx,
		  kshim_err_t *err);
/* The parsing half of docker_events, without HTTP: splits data, as it would
 * arrive from the daemon in pieces of chunk bytes, into lines and hands each
 * line that parses as JSON to fn. Returns 0, or -1 when the reply outgrows the
 * size limit. */
int docker_events_feed(const char *data, size_t len, size_t chunk, docker_event_fn fn, void *ctx);

/* Runs argv (NULL-terminated) inside the running container id, without a TTY or
 * stdin, and waits for it (at most 60 s): out gets its stdout and stderr as they
 * came, truncated to len - 1 bytes and NUL-terminated; *code its exit status. A
 * container that is not running is a failure (Docker's message). */
int docker_exec(docker_t *d, const char *id, const char *const argv[], char *out, size_t len,
		int *code, kshim_err_t *err);

/* A container's streams over a hijacked connection (POST /containers/{id}/attach
 * with Upgrade: tcp). Attach before starting the container to see all its output. */
typedef struct docker_stream docker_stream_t;
/* Attaches to stdout and stderr, and stdin when with_stdin is set. tty says the
 * container has a TTY: its output then comes as it is (fn sees stream 1), else
 * in frames that fn gets demultiplexed. */
int docker_attach(docker_t *d, const char *id, int with_stdin, int tty, docker_log_fn fn, void *ctx,
		  docker_stream_t **s, kshim_err_t *err);
/* The socket, for poll(2). */
int docker_stream_fd(const docker_stream_t *s);
/* Hands what has arrived to fn without waiting: 1 while the stream is open, 0
 * once it has ended (the container's output is over). */
int docker_stream_pump(docker_stream_t *s, kshim_err_t *err);
/* Sends bytes to the container's stdin. */
int docker_stream_write(docker_stream_t *s, const char *buf, size_t len, kshim_err_t *err);
/* Ends the container's stdin (not over TLS, where the connection cannot be half-closed). */
void docker_stream_close_stdin(docker_stream_t *s);
void docker_stream_close(docker_stream_t *s);

#endif
