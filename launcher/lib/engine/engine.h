/* SPDX-License-Identifier: Apache-2.0 */
/* Which container engine kshim talks to, found in the docker CLI's order:
 * DOCKER_HOST, the docker CLI's current context, /var/run/docker.sock, then
 * Podman's rootless and rootful sockets. */
#ifndef KSHIM_ENGINE_H
#define KSHIM_ENGINE_H

#include <limits.h>

#include "../error.h"

#define ENGINE_DEFAULT_SOCKET "/var/run/docker.sock"

enum engine_transport { ENGINE_UNIX, ENGINE_TCP, ENGINE_SSH };

struct engine {
	char host[PATH_MAX]; /* "unix:///run/podman/podman.sock", "tcp://h:2376", "ssh://u@h" */
	char reason[PATH_MAX + 320]; /* where it came from, for doctor: "DOCKER_HOST", ... */
	enum engine_transport transport;
	int tls;	   /* tcp with TLS */
	int tls_verify;	   /* the daemon's certificate is checked against ca */
	char ca[PATH_MAX]; /* PEM files; "" when absent */
	char cert[PATH_MAX];
	char key[PATH_MAX];
};

/* Finds the engine. Fails on a DOCKER_HOST or context kshim cannot use, with
 * a hint; a socket that does not answer is docker_open's to report. */
int engine_resolve(struct engine *e, kshim_err_t *err);
/* Whether the engine runs on this machine: a unix socket, or tcp to 127.0.0.0/8
 * or localhost. Its published ports are then on this machine's loopback. */
int engine_local(const struct engine *e);

/* The hard limits of the engine's own process, which its containers cannot
 * exceed: read from /proc through the peer of a local socket. 0 when unknown
 * (a remote engine, or another user's process). */
void engine_limits(const struct engine *e, long *nofile, long *nproc);

#endif
