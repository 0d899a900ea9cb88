/* SPDX-License-Identifier: Apache-2.0 */
/* The forwarder's state, shared by its parts: forward.c (setup, the wait for
 * the forwards, the loop), pods.c (the pods and their kubectl children) and
 * names.c (the names and the table). */
#ifndef KSHIM_FORWARDER_H
#define KSHIM_FORWARDER_H

#include <limits.h>
#include <stdint.h>

#include "forward.h"
#include "kube.h"
#include "kubectl.h"
#include "record.h"

#define TICK_MS 1000
#define LOOPBACK 0x7f000001u
#define PROBE_MS 2000 /* one Metadata request through a forward */

struct fpod {
	struct kube_pod pod; /* as last seen */
	int present;	     /* in the last answer */
	int answered;	     /* its forward answered Metadata */
	uint32_t addr;
	uint16_t lport[KUBE_MAX_PORTS];
	struct kubectl child;
	long next_start; /* ms: not restarted more than once a second */
};

struct forwarder {
	const struct forward_options *o;
	kube_t *k;
	struct kube_record rec;
	char kubectl[PATH_MAX];
	char table[PATH_MAX];
	struct kube_service s;
	struct fpod pod[KUBE_MAX_PODS];
	int n;
	int boot;  /* the pod the Service's own names lead to; -1 before the first */
	int kafka; /* the port probed with Metadata: 9092 when the Service has it, else its first */
	uint32_t base;
	int files; /* the table, record and pid file are written */
};

/* pods.c */
long fw_now_ms(void);
/* A line of the log (stdout), after the time of day. */
void fw_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Takes a pod as the API shows it now; 1 for a pod not seen before. */
int fw_pod_update(struct forwarder *fw, const struct kube_pod *p);
/* Present, ready and not being deleted. */
int fw_usable(const struct fpod *f);
/* Moves the Service's names to a ready pod when theirs is not; 1 when moved. */
int fw_choose_boot(struct forwarder *fw);
/* Starts the kubectl of each ready pod that has none, at most once a tick. */
void fw_start_due(struct forwarder *fw);
/* Reads the kubectls' output for up to ms, or until a signal; reaps those that exited. */
void fw_pump(struct forwarder *fw, int ms);

/* names.c */
/* Writes the table under the directory's lock; each name keeps its address. */
int fw_table_write(struct forwarder *fw, kshim_err_t *err);
/* Takes the cluster domain from the brokers' advertised names, unless known. */
struct rd_kafka_metadata;
void fw_learn_domain(struct forwarder *fw, const struct rd_kafka_metadata *md);

#endif
