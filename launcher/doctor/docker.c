/* SPDX-License-Identifier: Apache-2.0 */
/* Doctor layers Docker answers alone: the daemon, the network, the containers
 * and their published ports. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "../lib/origin.h"
#include "../lib/paths.h"
#include "../lib/ready.h"
#include "../lib/table_store.h"

#define TCP_TIMEOUT_MS 2000

/* Reads the cluster, its network, each container and the table once. */
static int
gather(struct doctor *dr, kshim_err_t *err)
{
	kshim_err_t e = {0};

	if (cluster_load(dr->d, dr->name, &dr->c, &e) < 0 && e.code != ENOENT) {
		*err = e;
		return -1;
	}
	if (docker_network_inspect(dr->d, dr->c.network, &dr->net, err) < 0)
		return -1;
	for (int i = 0; i < dr->c.n; i++)
		if (dr->c.node[i].id[0] &&
		    docker_container_inspect(dr->d, dr->c.node[i].id, &dr->info[i], err) < 0)
			return -1;
	if (kshim_table_path(dr->name, dr->table, sizeof(dr->table), 0, &dr->table_err) == 0 &&
	    table_store_load_strict(dr->table, &dr->t, &dr->table_err) < 0 &&
	    !dr->table_err.hint[0])
		kshim_hint(&dr->table_err,
			   "'kshim watch --name %s --once' writes it from Docker's ports",
			   dr->name);
	return 0;
}

int
doctor_daemon(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	if (docker_open(&dr->d, err) < 0 || origin_check(dr->name, dr->d, err) < 0)
		return -1;
	if (gather(dr, err) < 0)
		return kshim_wrap(err, "Docker at %s", docker_where(dr->d));
	snprintf(note, len, "%s at %s answers, API %s (from %s)",
		 docker_is_podman(dr->d) ? "Podman" : "Docker", docker_where(dr->d),
		 docker_version(dr->d), docker_engine(dr->d)->reason);
	return 0;
}

/* Whether the endpoint's Aliases list name. */
static int
has_alias(const cJSON *ep, const char *name)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(
				  ep, "Aliases")) if (cJSON_IsString(a) &&
						      strcmp(a->valuestring, name) == 0) return 1;
	return 0;
}

/* An attached cluster's network: there, with every container on it. */
static int
attached_network(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	const struct cluster *c = &dr->c;
	char cause[512] = "";
	int first = -1;

	if (!dr->net) {
		kshim_fail(err, ENOENT, "network %s of attached cluster '%s' is gone", c->network,
			   dr->name);
		return doctor_attached_hint(dr, err);
	}
	for (int i = 0; i < c->n; i++)
		if (dr->info[i] && !doctor_endpoint(dr, i)) {
			doctor_append(cause, sizeof(cause), "%s (%s) is not attached to %s",
				      c->node[i].name, c->node[i].container, c->network);
			first = first < 0 ? i : first;
		}
	if (cause[0]) {
		kshim_fail(err, ENETUNREACH, "%s", cause);
		return kshim_hint(err, "docker network connect %s %s", c->network,
				  c->node[first].container);
	}
	snprintf(note, len, "%s: %d container%s attached (attached cluster%s%s)", c->network, c->n,
		 c->n == 1 ? "" : "s", c->project[0] ? ", compose project " : "", c->project);
	return 0;
}

int
doctor_network(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	const struct cluster *c = &dr->c;
	char cause[512] = "", fix[512] = "";

	if (c->attached)
		return attached_network(dr, note, len, err);
	if (!dr->net && c->n == 0) {
		kshim_fail(
		    err, ENOENT,
		    "no cluster named '%s': no network %s, no containers labelled " CLUSTER_LABEL
		    "=%s",
		    dr->name, c->network, dr->name);
		return kshim_hint(err, "start it with 'kshim up --name %s'", dr->name);
	}
	if (!dr->net) {
		kshim_fail(err, ENOENT, "network %s is gone: the brokers cannot reach each other",
			   c->network);
		return kshim_hint(
		    err, "recreate the cluster: kshim down --name %s && kshim up --name %s",
		    dr->name, dr->name);
	}
	for (int i = 0; i < c->n; i++) {
		const struct cluster_node *node = &c->node[i];
		const cJSON *ep = doctor_endpoint(dr, i);

		if (!dr->info[i])
			continue; /* a missing container is the next layer's */
		if (!ep)
			doctor_append(cause, sizeof(cause), "%s (%s) is not attached to %s",
				      node->name, node->container, c->network);
		else if (!has_alias(ep, node->name))
			doctor_append(cause, sizeof(cause), "%s (%s) is on %s without the alias %s",
				      node->name, node->container, c->network, node->name);
		else
			continue;
		if (fix[0])
			continue;
		if (ep)
			snprintf(fix, sizeof(fix), "docker network disconnect %s %s && ",
				 c->network, node->container);
		snprintf(fix + strlen(fix), sizeof(fix) - strlen(fix),
			 "docker network connect --alias %s %s %s", node->name, c->network,
			 node->container);
	}
	if (cause[0]) {
		kshim_fail(err, ENETUNREACH, "%s", cause);
		return kshim_hint(err, "%s", fix);
	}
	snprintf(note, len, "%s: %d container%s attached, each with its node name as alias",
		 c->network, c->n, c->n == 1 ? "" : "s");
	return 0;
}

/* Node i's State.OOMKilled. */
static int
oom_killed(const struct doctor *dr, int i)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(dr->info[i], "State");

	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "OOMKilled"));
}

int
doctor_containers(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	const struct cluster *c = &dr->c;
	char cause[512] = "", start[256] = "", state[128];
	int missing = 0, oom = 0, running;

	if (c->n == 0 && !dr->net) {
		snprintf(note, len,
			 c->attached ? "because network %s is gone"
				     : "because there is no cluster '%s'",
			 c->attached ? c->network : dr->name);
		return DOCTOR_SKIP;
	}
	if (c->n == 0 && c->attached) {
		kshim_fail(err, ENOENT, "no running container on %s publishes a TCP port",
			   c->network);
		return doctor_attached_hint(dr, err);
	}
	if (c->n == 0) {
		kshim_fail(err, ENOENT, "cluster '%s' has no containers (network %s is left over)",
			   dr->name, c->network);
		return kshim_hint(err, "kshim down --name %s && kshim up --name %s", dr->name,
				  dr->name);
	}
	for (int i = 0; i < c->n; i++) {
		if (cluster_node_state(dr->d, &c->node[i], state, sizeof(state), &running, err) < 0)
			return -1;
		if (running)
			continue;
		doctor_append(cause, sizeof(cause), "%s (%s) %s", c->node[i].name,
			      c->node[i].container, state);
		missing += !dr->info[i];
		oom += dr->info[i] && oom_killed(dr, i);
		if (dr->info[i])
			snprintf(start + strlen(start), sizeof(start) - strlen(start), " %s",
				 c->node[i].container);
	}
	if (!cause[0]) {
		snprintf(note, len, "%d container%s running", c->n, c->n == 1 ? "" : "s");
		return 0;
	}
	kshim_fail(err, ECHILD, "%s", cause);
	if (missing && c->attached)
		return doctor_attached_hint(dr, err);
	if (missing)
		return kshim_hint(err,
				  "a container was removed: kshim down --name %s && kshim up "
				  "--name %s",
				  dr->name, dr->name);
	if (oom)
		return kshim_hint(err, "Docker killed it for lack of memory: give Docker more "
				       "memory or run fewer brokers (kshim up -n)");
	if (strstr(cause, "paused"))
		return kshim_hint(err, "docker unpause%s", start);
	return kshim_hint(err, "docker start%s (its log: kshim logs --name %s)", start, dr->name);
}

/* Checks node i's bindings of 9092/tcp; appends what is wrong to cause. Returns
 * 0, 1 for a binding beyond loopback, 2 for a port missing or refusing. */
static int
check_binding(const struct doctor *dr, int i, char *cause, size_t len)
{
	const struct cluster_node *node = &dr->c.node[i];
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(dr->info[i], "NetworkSettings");
	const cJSON *b, *binds;
	char key[16], want[32], where[32];
	int n = 0, wide = 0;

	cluster_node_address(&dr->c, i, where, sizeof(where));
	snprintf(want, sizeof(want), "%.*s", (int)strcspn(where, ":"), where);

	snprintf(key, sizeof(key), "%u/tcp", node->port);
	binds =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ns, "Ports"), key);
	cJSON_ArrayForEach(b, binds)
	{
		const cJSON *ip = cJSON_GetObjectItemCaseSensitive(b, "HostIp");
		const cJSON *port = cJSON_GetObjectItemCaseSensitive(b, "HostPort");
		const char *ips = cJSON_IsString(ip) ? ip->valuestring : "?";

		n++;
		if (strcmp(ips, want) == 0)
			continue;
		doctor_append(
		    cause, len, "%s's %s is published on %s:%s, %s%s", node->name, key,
		    ips[0] ? ips : "0.0.0.0", cJSON_IsString(port) ? port->valuestring : "?",
		    strncmp(ips, "127.", 4) == 0 ? "not on " : "open to other machines, not only ",
		    want);
		wide = 1;
	}
	if (wide)
		return 1;
	if (n == 0)
		doctor_append(cause, len, "%s (%s) publishes no host port for %s", node->name,
			      node->container, key);
	else if (!node->host_port ||
		 !ready_tcp(dr->c.publish_addr, node->host_port, TCP_TIMEOUT_MS))
		doctor_append(cause, len, "%s (%s's %s) refuses TCP connections", where, node->name,
			      key);
	else
		return 0;
	return 2;
}

int
doctor_ports(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	const struct cluster *c = &dr->c;
	char cause[512] = "", ports[256] = "";
	int wide = 0, dead = -1;

	for (int i = 0; i < c->n; i++) {
		int bad = check_binding(dr, i, cause, sizeof(cause));
		char where[32];

		wide |= bad == 1;
		if (bad == 2 && dead < 0)
			dead = i;
		cluster_node_address(c, i, where, sizeof(where));
		doctor_append(ports, sizeof(ports), "%s %s", c->node[i].name, where);
	}
	if (!cause[0]) {
		snprintf(note, len, "%s; each accepts TCP", ports);
		return 0;
	}
	kshim_fail(err, ECONNREFUSED, "%s", cause);
	if (wide && c->attached)
		return kshim_hint(err,
				  "publish it on loopback only, e.g. ports: [\"127.0.0.1::%u\"] "
				  "in compose",
				  c->node[0].port);
	if (wide) {
		char addr[32];
		cluster_node_address(c, 0, addr, sizeof(addr));
		return kshim_hint(err,
				  "recreate the cluster with kshim, which binds %.*s only: "
				  "kshim down --name %s && kshim up --name %s",
				  (int)strcspn(addr, ":"), addr, dr->name, dr->name);
	}
	return kshim_hint(err,
			  "docker restart %s (Docker publishes it anew), then 'kshim status "
			  "--name %s' updates the table",
			  c->node[dead].container, dr->name);
}
