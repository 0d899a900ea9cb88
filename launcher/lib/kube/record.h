/* SPDX-License-Identifier: Apache-2.0 */
/* A Service in Kubernetes taken in with 'kshim attach --kubernetes': its record
 * <table dir>/<cluster>.kube beside the table, and the forwarder's pid file
 * (<cluster>.forward.pid) and log (<cluster>.forward.log). A record of its own,
 * not a kind of attached.h's: every Docker command reads that one as a network
 * to inspect, and none of them applies to pods. */
#ifndef KSHIM_KUBE_RECORD_H
#define KSHIM_KUBE_RECORD_H

#include <stddef.h>
#include <sys/types.h>

#include "../error.h"

#define KUBE_RECORD ".kube"
#define KUBE_PIDFILE ".forward.pid"
#define KUBE_LOG ".forward.log"

struct kube_record {
	char context[256]; /* the kubeconfig context used, never "" */
	char ns[64];
	char service[64];
	char domain[128]; /* the cluster domain the names end in */
};

/* Reads cluster name's record; *found is 0 when it is not attached to Kubernetes. */
int kube_record_read(const char *name, struct kube_record *r, int *found, kshim_err_t *err);
/* Writes the record atomically, mode 0600. */
int kube_record_write(const char *name, const struct kube_record *r, kshim_err_t *err);
/* Writes the forwarder's pid file. */
int kube_pid_write(const char *name, pid_t pid, kshim_err_t *err);
/* The forwarder's pid when it runs: its pid file names a live process that
 * holds the cluster's lock; 0 otherwise. */
pid_t kube_forwarder(const char *name);
/* Removes the table, the record, the pid file, the log and the lock file; *had counts those
 * that were there. */
int kube_forget(const char *name, int *had, kshim_err_t *err);

#endif
