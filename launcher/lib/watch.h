/* SPDX-License-Identifier: Apache-2.0 */
/* Keeping a cluster's port table in step with Docker as its brokers restart. */
#ifndef KSHIM_WATCH_H
#define KSHIM_WATCH_H

#include "engine/docker.h"
#include "error.h"

/* Brings the table of cluster name up to date with Docker's ports, writing it
 * when there is none; fails when Docker has no such cluster. */
int watch_sync(docker_t *d, const char *name, kshim_err_t *err);
/* What an event of the stream means to the watch: 1 a container started, 2 one
 * was destroyed, 0 nothing (other types and actions). */
int watch_event_kind(const cJSON *ev);

/* Syncs the table, then again each time one of the cluster's containers starts,
 * following Docker's events on d, until d is cancelled (returns 0, the cluster
 * keeps running), the cluster is removed (returns 0) or Docker goes away. */
int watch_follow(docker_t *d, const char *name, kshim_err_t *err);

#endif
