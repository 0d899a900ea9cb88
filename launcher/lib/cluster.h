/* SPDX-License-Identifier: Apache-2.0 */
/* A kshim cluster in Docker: one bridge network <name>-net and containers
 * <name>-kafka<i>, everything labelled io.kshim.cluster=<name>. */
#ifndef KSHIM_CLUSTER_H
#define KSHIM_CLUSTER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/docker.h"
#include "error.h"
#include "flavor.h"
#include "kshim/table.h"
#include "paths.h" /* kshim_cluster_name_check */

#define CLUSTER_LABEL "io.kshim.cluster"
/* kshim debug's containers: the cluster's name, and the session's owner (owner.h) */
#define CLUSTER_DEBUG_LABEL "io.kshim.debug"
#define CLUSTER_DEBUG_OWNER "io.kshim.debug.owner"
#define CLUSTER_MAX_NODES 32

struct cluster_node {
	char name[KSHIM_NAME_MAX + 1]; /* kafka<i>: host name, network alias, advertised name */
	char container[128];	       /* <cluster>-kafka<i> */
	char id[65];		       /* container id; "" when there is none */
	uint16_t port;		       /* the client port inside: 9092 (attached: see attached.h) */
	uint16_t host_port;	       /* where port is published on publish_addr; 0 when unknown */
	uint16_t local_port; /* up --localhost-listener: where 29092 is published; else 0 */
};

struct cluster {
	char name[48];
	char network[128];
	char image[512];
	enum flavor flavor;
	enum advertise mode;
	int localhost_listener; /* up --localhost-listener (set after cluster_init) */
	int n;
	int tls;	       /* EXTERNAL speaks TLS (set after cluster_init) */
	enum sasl sasl;	       /* and authenticates clients with SASL */
	uint32_t publish_addr; /* the engine host's address ports bind to (host order) */
	int tried;	       /* containers cluster_create asked for, answered or not */
	int nofile, nproc;     /* each broker's RLIMIT_NOFILE, RLIMIT_NPROC; 0: the engine's */
	char cluster_id[23];
	int attached;	   /* made by kshim attach: the containers are the user's */
	char project[128]; /* attached: the compose project, "" when none */
	struct cluster_node node[CLUSTER_MAX_NODES];
};

/* Names everything and draws a cluster id; no Docker calls. Ports are
 * published on 127.0.0.1 unless publish_addr is changed before cluster_create. */
int cluster_init(struct cluster *c, const char *name, const char *image, enum flavor flavor,
		 enum advertise mode, int n, kshim_err_t *err);
/* Fails when the network <name>-net or containers labelled with name exist. */
int cluster_check_free(docker_t *d, const char *name, kshim_err_t *err);
/* The cluster's lock, <name>.lock in the table directory: one up or down of a
 * name at a time (a second up of the same name fails here, so its rollback can
 * never remove the first one's containers). Fails with EBUSY while held. */
int cluster_lock(const char *name, int *lock, kshim_err_t *err);
/* Removes the lock file and lets go of it: after down, or an up that failed. */
void cluster_unlock(const char *name, int lock);
/* Before anything is created: takes the cluster's lock (*lock) and checks what
 * writing the table needs: a private table directory and a free loopback block. */
int cluster_claim(const struct cluster *c, int *lock, kshim_err_t *err);
/* What flavor.c needs to configure node i (0-based). */
void cluster_flavor_node(const struct cluster *c, int i, struct flavor_node *fn);
/* Sets c->nofile (65536) and, for Podman, c->nproc (4096), each capped by the
 * engine process's own hard limit when it runs here; none for a remote Docker,
 * whose defaults always fit its host. Podman's defaults can exceed what its
 * host allows, and its containers then fail to start. */
void cluster_set_limits(docker_t *d, struct cluster *c);
/* Adds c->nofile and c->nproc, those that are set, to HostConfig.Ulimits of host. */
void cluster_add_limits(const struct cluster *c, cJSON *host);
/* Creates the network and every container, none started. */
int cluster_create(docker_t *d, struct cluster *c, kshim_err_t *err);
/* Starts the containers back to back and reads their published ports. */
int cluster_start(docker_t *d, struct cluster *c, kshim_err_t *err);
/* Reads a cluster back from its labels, else from its attach record
 * (attached.h); fails (ENOENT) when there is neither. c->attached is set
 * from the record even when loading fails. */
int cluster_load(docker_t *d, const char *name, struct cluster *c, kshim_err_t *err);
/* Pure parsers of Docker replies, callable without a daemon (tests, fuzzing). */
/* NetworkSettings.Ports["9092/tcp"][0].HostPort of a container inspect reply;
 * 0 when unpublished or not a port. */
uint16_t cluster_inspect_port(const cJSON *info);
/* "running", "exited with code 1 (OOM killed)", "missing" (info NULL), ... of an
 * inspect reply; *running is State.Running. */
void cluster_inspect_state(const cJSON *info, char *buf, size_t len, int *running);
/* Adds one entry of a container list reply (labels, Id, Ports) to c, whose
 * names were set; entries that are not a node of it are ignored. */
void cluster_load_item(struct cluster *c, const cJSON *item);
/* Removes the cluster's debug containers and its labelled containers (with their
 * volumes), then the labelled networks; counts what went. Carries on past
 * failures, reporting the first. */
int cluster_remove(docker_t *d, const char *name, int *containers, int *networks, kshim_err_t *err);
/* Removes the debug containers of cluster name: all, or (ended_only) those
 * whose session's process has ended, e.g. a kshim debug killed with SIGKILL. */
int cluster_remove_debug(docker_t *d, const char *name, int ended_only, int *count,
			 kshim_err_t *err);

/* The index of the node called name; a usage error, with a hint naming the
 * nodes, when the cluster has none. */
int cluster_node_index(const struct cluster *c, const char *name, kshim_err_t *err);
/* "running", "exited with code 1 (OOM killed)", "missing", ...; *running is set. */
int cluster_node_state(docker_t *d, const struct cluster_node *node, char *buf, size_t len,
		       int *running, kshim_err_t *err);
/* Copies the node's log to out, each line after prefix when prefix is not NULL. */
int cluster_node_logs(docker_t *d, const struct cluster_node *node, int tail, int follow,
		      const char *prefix, FILE *out, kshim_err_t *err);

/* "addr:port" where node i's 9092 is published. */
void cluster_node_address(const struct cluster *c, int i, char *buf, size_t len);

/* Where the brokers' ports are reached from this machine, for command cmd
 * ("up", "attach"): given (--publish-address, one IPv4 address, never 0.0.0.0),
 * else loopback when the engine runs here. A remote engine's loopback is not
 * this machine's, so without given it is refused, with a hint. *addr is in
 * host order. */
int cluster_publish_address(const char *cmd, const char *given, uint32_t *addr, kshim_err_t *err);

/* Writes the port table: node i of the cluster gets 127.77.B.i, B a block no
 * other table uses, mapped to the node's port on c->publish_addr. */
int cluster_table_write(const struct cluster *c, char *path, size_t len, kshim_err_t *err);

/* A restarted container is published on a new port: brings the table up to date,
 * keeping its loopback addresses, and says so on stderr for each node; nodes
 * without a known port are left alone. *updated counts the nodes rewritten; path
 * gets the table's path, "" when there is no table (nothing is written then). */
int cluster_table_sync(const struct cluster *c, char *path, size_t len, int *updated,
		       kshim_err_t *err);

#endif
