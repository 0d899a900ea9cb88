/* SPDX-License-Identifier: Apache-2.0 */
/* Clusters kshim did not create: containers already on a network, or a compose
 * project's, taken in with 'kshim attach'. Which network (and project) is kept
 * in a record beside the table, <table dir>/<cluster>.attached; the table is
 * rebuilt from what Docker says, and the containers stay the user's. */
#ifndef KSHIM_ATTACHED_H
#define KSHIM_ATTACHED_H

#include <stddef.h>
#include <stdint.h>

#include "cluster.h"
#include "engine/docker.h"
#include "error.h"
#include "kshim/table.h"

#define COMPOSE_PROJECT_LABEL "com.docker.compose.project"
#define COMPOSE_SERVICE_LABEL "com.docker.compose.service"

/* The record: the network the containers share (their names resolve there) and
 * the compose project ("" when attached with --network). */
struct attached {
	char network[128];
	char project[128];
	uint32_t publish_addr; /* where published ports are reached (host order); 0: loopback */
};

/* Reads cluster name's record; *found is 0 when the cluster was not attached. */
int attached_read(const char *name, struct attached *a, int *found, kshim_err_t *err);
/* Writes the record atomically, mode 0600. */
int attached_write(const char *name, const struct attached *a, kshim_err_t *err);
/* Removes the record and the table; *had counts the files that were there. */
int attached_forget(const char *name, int *had, kshim_err_t *err);

/* The compose project's network: the one most of its running containers that
 * publish a TCP port are on. Fails when the project has no such container. */
int attached_compose_network(docker_t *d, const char *project, char *net, size_t len,
			     kshim_err_t *err);

/* The parsers of Docker's replies behind attached_compose_network and
 * attached_sync, for any JSON at all: the network most entries of a container
 * list that publish a TCP port are on (the count of those entries, 0 for
 * none), and the host an inspect reply makes in t at addr (see attached_sync;
 * NULL when it makes none). */
int attached_busiest_network(const cJSON *list, char *net, size_t len);
struct kshim_host *attached_host_of(struct kshim_table *t, const struct cluster *c,
				    const cJSON *info, uint32_t addr);

/* Writes c's table from Docker under the directory lock: one host per running
 * container on c->network (of c->project only, when set) that publishes a TCP
 * port, named by its host name, compose service, container name and network
 * aliases, each port mapped to where Docker publishes it. A name the table had
 * keeps its loopback address; hosts of containers that stopped or went away
 * are kept as they were. Says on stderr what moved; *updated counts the hosts
 * that changed, *hosts those written. Fails (ENOENT) when the network is gone. */
int attached_sync(docker_t *d, const struct cluster *c, char *path, size_t len, int *updated,
		  int *hosts, kshim_err_t *err);

/* Fills the nodes of c (name, network and project set) from Docker, changing
 * nothing: each host the table would have (see attached_sync), at most
 * CLUSTER_MAX_NODES, with its container (found by name for a kept host), the
 * port clients use (9092 when published, else the first) and where Docker
 * publishes it now. */
int attached_load(docker_t *d, struct cluster *c, kshim_err_t *err);

#endif
