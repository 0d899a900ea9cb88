/* SPDX-License-Identifier: Apache-2.0 */
/* A session with an attached container on this process's terminal or pipes. */
#ifndef KSHIM_SESSION_H
#define KSHIM_SESSION_H

#include <stddef.h>

#include "engine/docker.h"
#include "error.h"

/* The docker_log_fn that writes a container's output to stdout (stream 1) or
 * stderr (2); output nobody reads any more is dropped. */
int session_output(void *ctx, int stream, const char *data, size_t len);

/* Copies between this process and the started container id, attached as s
 * (with session_output), until the container's output ends: stdin goes to it
 * when forward_stdin is set. With tty, a terminal on stdin is raw for the
 * while and restored on every way out, and the container's TTY follows its
 * size. A signal that signals_trap catches ends the session with EINTR. */
int session_run(docker_t *d, const char *id, docker_stream_t *s, int forward_stdin, int tty,
		kshim_err_t *err);

#endif
