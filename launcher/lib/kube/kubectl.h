/* SPDX-License-Identifier: Apache-2.0 */
/* The forwarder's children: one 'kubectl port-forward' per pod, its output
 * read line by line (kubectl already speaks every sign-in method and both
 * streaming protocols, SPDY and WebSocket, of every server version). */
#ifndef KSHIM_KUBECTL_H
#define KSHIM_KUBECTL_H

#include <stdint.h>
#include <sys/types.h>

#include "../error.h"
#include "kube.h"

struct kubectl {
	pid_t pid;	/* 0: not running */
	int out;	/* its stdout and stderr; -1 when closed */
	int forwarding; /* it said "Forwarding from" */
	char last[256]; /* its last line */
	char buf[512];	/* a line being read */
	size_t len;
};

/* The kubectl on PATH; a cause and hint when there is none. */
int kubectl_find(char *path, size_t len, kshim_err_t *err);

/* Starts kubectl [--context C] --namespace NS port-forward --address 127.0.0.1
 * pod/POD LPORT:PORT... (one pair per port), ended by SIGTERM if the calling
 * process dies. */
int kubectl_start(struct kubectl *c, const char *kubectl, const char *context, const char *ns,
		  const char *pod, const uint16_t *lport, const uint16_t *port, int nports,
		  kshim_err_t *err);

/* Reads what c has written, calling line(ctx, text) for each line but the
 * per-connection "Handling connection" ones; closes c->out at its end. */
void kubectl_read(struct kubectl *c, void (*line)(void *ctx, const char *text), void *ctx);

/* SIGTERM, then SIGKILL after a second; reaps it and closes its output. */
void kubectl_stop(struct kubectl *c);

/* Reaps c when it has exited: 1 and *status (as waitpid), else 0. */
int kubectl_exited(struct kubectl *c, int *status);

#endif
