/* SPDX-License-Identifier: Apache-2.0 */
/* The engine a cluster was made on, recorded beside its table in
 * <table dir>/<cluster>.engine: its endpoint (docker_where) and the address
 * the brokers' ports are published on. kshim on another engine (DOCKER_HOST or
 * the docker context changed) then refuses the cluster instead of taking it
 * for gone and removing its files. */
#ifndef KSHIM_ORIGIN_H
#define KSHIM_ORIGIN_H

#include <stdint.h>

#include "engine/docker.h"
#include "error.h"

/* Records d's endpoint and publish (host order) for cluster, mode 0600. */
int origin_write(const char *cluster, const docker_t *d, uint32_t publish, kshim_err_t *err);
/* Fails (EXDEV) with one line naming both engines, and a hint, when cluster
 * was made on an engine other than d's. No record: 0. */
int origin_check(const char *cluster, const docker_t *d, kshim_err_t *err);
/* Removes the record; *had is 1 when there was one. */
int origin_remove(const char *cluster, int *had, kshim_err_t *err);

#endif
