/* SPDX-License-Identifier: Apache-2.0 */
/* The forwarder of 'kshim attach --kubernetes': it maps every name a client may
 * be given for the pods behind a Service (and the Service's own names) to a
 * loopback address, forwards each pod's ports with 'kubectl port-forward' on
 * fixed local ports, writes the table, and follows the pods until stopped. */
#ifndef KSHIM_FORWARD_H
#define KSHIM_FORWARD_H

#include "../error.h"

struct forward_options {
	const char *name;    /* the cluster (table) name */
	const char *service; /* the Service */
	const char *ns;	     /* NULL: the context's namespace */
	const char *context; /* NULL: the kubeconfig's current-context */
	const char *domain;  /* NULL: found from the names the brokers advertise */
};

/* Takes the cluster's lock for the forwarder's life (*fd keeps it, across a
 * fork too); fails when a forwarder already runs under that name, or when
 * the name is a cluster kshim up made or a Docker attach. */
int forward_claim(const char *name, int *fd, kshim_err_t *err);

/* Runs the forwarder: checks the context, the RBAC for pods/portforward, the
 * Service and its ready pods; starts the forwards and waits until each ready
 * pod answers Kafka Metadata through its own; writes the table, the record
 * and the pid file; then writes "ready\n" to notify (when >= 0, and closes it)
 * and follows the pods until SIGINT, SIGTERM or SIGHUP (signals_trap), when
 * it stops the forwards and removes its files. Whatever it created is removed
 * when it fails too. */
int forward_run(const struct forward_options *o, int notify, kshim_err_t *err);

#endif
