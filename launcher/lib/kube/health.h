/* SPDX-License-Identifier: Apache-2.0 */
/* The health of an attached Service's forwards, as status and doctor show it:
 * each pod's host in the table, its local port, and what answers there. */
#ifndef KSHIM_KUBE_HEALTH_H
#define KSHIM_KUBE_HEALTH_H

#include <stdint.h>

#include "../cluster.h"
#include "../error.h"
#include "kube.h"
#include "record.h"

struct kube_forward {
	char name[254]; /* the host's first name in the table */
	char pod[64];	/* its first label */
	uint16_t port;	/* the pod's first port */
	uint16_t lport; /* where it is forwarded, on 127.0.0.1 */
	int tcp;	/* a connect to lport is accepted */
	int kafka;	/* Metadata through it is answered */
	int brokers;	/* the brokers it lists */
};

/* The forwards of the table at path, the Service's own host left out, at most
 * KUBE_MAX_PODS, each checked. */
int kube_forwards(const char *path, const struct kube_record *r, struct kube_forward *f, int *n,
		  kshim_err_t *err);

/* c as an attached cluster of the table at path: one node per pod's host
 * (the Service's own, the first, left out) with its first name and port. */
int kube_table_cluster(const char *name, const char *path, struct cluster *c, kshim_err_t *err);

/* "ready", "not ready", "deleting" or "gone" for pod in s. */
const char *kube_pod_state(const struct kube_service *s, const char *pod);

#endif
