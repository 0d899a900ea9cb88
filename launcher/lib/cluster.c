/* SPDX-License-Identifier: Apache-2.0 */
/* Creating, starting, finding and removing a cluster's Docker objects. */
#include "cluster.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attached.h"
#include "engine/engine.h"
#include "paths.h"
#include "kshim/table.h"
#include "owner.h"
#include "table_store.h"

#define MODE_LABEL "io.kshim.mode"
#define NODE_LABEL "io.kshim.node"
#define FLAVOR_LABEL "io.kshim.flavor"
#define IMAGE_LABEL "io.kshim.image" /* as given: list replies name a retagged image by id */
#define TLS_LABEL "io.kshim.tls"     /* "1" when EXTERNAL speaks TLS */
#define SASL_LABEL "io.kshim.sasl"   /* sasl_name() */
#define PUBLISH_LABEL "io.kshim.publish"
#define NOFILE_DEFAULT 65536
#define NPROC_DEFAULT 4096 /* Podman's default is above what many hosts allow */
#define PORT_KEY "9092/tcp"
#define START_ATTEMPTS 8
#define HOST_PORT_KEY "29092/tcp" /* KAFKA_HOST_PORT */

/* 16 random bytes as 22 characters of unpadded base64url, as Kafka's Uuid prints them. */
static int
make_cluster_id(char out[23], kshim_err_t *err)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char r[16];

	do {
		unsigned acc = 0;
		int bits = 0, o = 0;

		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return kshim_fail(err, errno, "getrandom: %s", strerror(errno));
		for (size_t i = 0; i < sizeof(r); i++) {
			acc = acc << 8 | r[i];
			for (bits += 8; bits >= 6; bits -= 6)
				out[o++] = b64[(acc >> (bits - 6)) & 63];
		}
		out[o++] = b64[(acc << (6 - bits)) & 63];
		out[o] = '\0';
	} while (out[0] == '-'); /* kafka-storage would take it for an option */
	return 0;
}

/* Validates name and names the network, the nodes and their containers. */
static int
set_names(struct cluster *c, const char *name, int n, kshim_err_t *err)
{
	memset(c, 0, sizeof(*c));
	if (kshim_cluster_name_check(name, err) < 0)
		return -1;
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->network, sizeof(c->network), "%s-net", name);
	c->publish_addr = INADDR_LOOPBACK;
	for (int i = 0; i < n; i++) {
		snprintf(c->node[i].name, sizeof(c->node[i].name), KAFKA_NODE_FMT, i + 1);
		snprintf(c->node[i].container, sizeof(c->node[i].container), "%s-%s", name,
			 c->node[i].name);
		c->node[i].port = KAFKA_PORT;
	}
	return 0;
}

int
cluster_init(struct cluster *c, const char *name, const char *image, enum flavor flavor,
	     enum advertise mode, int n, kshim_err_t *err)
{
	if (n < 1 || n > CLUSTER_MAX_NODES)
		return kshim_fail(err, KSHIM_EUSAGE, "-n %d: a cluster has 1 to %d nodes", n,
				  CLUSTER_MAX_NODES);
	if (set_names(c, name, n, err) < 0)
		return -1;
	if (strlen(image) >= sizeof(c->image))
		return kshim_fail(err, KSHIM_EUSAGE, "image reference too long");
	snprintf(c->image, sizeof(c->image), "%s", image);
	c->flavor = flavor;
	c->mode = mode;
	c->n = n;
	return make_cluster_id(c->cluster_id, err);
}

static void
label_filter(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, CLUSTER_LABEL "=%s", name);
}

int
cluster_check_free(docker_t *d, const char *name, kshim_err_t *err)
{
	char label[128], net[64];
	cJSON *found = NULL;
	struct attached a;
	int ours, count;

	if (attached_read(name, &a, &ours, err) < 0)
		return -1;
	if (ours) {
		kshim_fail(err, EEXIST, "cluster '%s' is attached to network %s", name, a.network);
		return kshim_hint(err,
				  "choose another --name, or forget it with 'kshim down --name "
				  "%s' (its containers stay)",
				  name);
	}
	snprintf(net, sizeof(net), "%s-net", name);
	if (docker_network_inspect(d, net, &found, err) < 0)
		return -1;
	if (found) {
		cJSON *labels = cJSON_GetObjectItemCaseSensitive(found, "Labels");
		ours = cJSON_GetObjectItemCaseSensitive(labels, CLUSTER_LABEL) != NULL;
		cJSON_Delete(found);
		if (!ours) {
			kshim_fail(err, EEXIST, "network %s exists and was not made by kshim", net);
			return kshim_hint(err, "choose another --name, or 'docker network rm %s'",
					  net);
		}
		kshim_fail(err, EEXIST, "cluster '%s' already exists (network %s)", name, net);
		return kshim_hint(err, "kshim down --name %s", name);
	}
	label_filter(name, label, sizeof(label));
	if (docker_container_list(d, label, &found, err) < 0)
		return -1;
	count = cJSON_GetArraySize(found);
	cJSON_Delete(found);
	if (count > 0) {
		kshim_fail(err, EEXIST, "cluster '%s' already exists (%d container%s)", name, count,
			   count == 1 ? "" : "s");
		return kshim_hint(err, "kshim down --name %s", name);
	}
	return 0;
}

static cJSON *
labels(const struct cluster *c, const char *node)
{
	cJSON *l = cJSON_CreateObject();

	cJSON_AddStringToObject(l, CLUSTER_LABEL, c->name);
	cJSON_AddStringToObject(l, MODE_LABEL, advertise_name(c->mode));
	if (node) {
		cJSON_AddStringToObject(l, NODE_LABEL, node);
		cJSON_AddStringToObject(l, FLAVOR_LABEL, flavor_name(c->flavor));
		cJSON_AddStringToObject(l, IMAGE_LABEL, c->image);
		cJSON_AddStringToObject(l, TLS_LABEL, c->tls ? "1" : "0");
		cJSON_AddStringToObject(l, SASL_LABEL, sasl_name(c->sasl));
	}
	if (c->publish_addr != INADDR_LOOPBACK) {
		char addr[INET_ADDRSTRLEN];
		struct in_addr a = {htonl(c->publish_addr)};
		cJSON_AddStringToObject(l, PUBLISH_LABEL,
					inet_ntop(AF_INET, &a, addr, sizeof(addr)));
	}
	return l;
}

static int
capped(int want, long limit)
{
	return limit > 0 && limit < want ? (int)limit : want;
}

void
cluster_set_limits(docker_t *d, struct cluster *c)
{
	const struct engine *e = docker_engine(d);
	long nofile, nproc;

	c->nofile = c->nproc = 0;
	if (!engine_local(e) && !docker_is_podman(d))
		return; /* Docker's default fits its host; a remote one's limits are not known */
	engine_limits(e, &nofile, &nproc);
	c->nofile = capped(NOFILE_DEFAULT, nofile);
	if (docker_is_podman(d))
		c->nproc = capped(NPROC_DEFAULT, nproc);
}

void
cluster_node_address(const struct cluster *c, int i, char *buf, size_t len)
{
	uint32_t a = c->publish_addr;

	snprintf(buf, len, "%u.%u.%u.%u:%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
		 c->node[i].host_port);
}

/* One entry of HostConfig.Ulimits, soft and hard alike; none for 0. */
static void
add_ulimit(cJSON *host, const char *name, int value)
{
	cJSON *l, *list = cJSON_GetObjectItemCaseSensitive(host, "Ulimits");

	if (!value)
		return;
	if (!list)
		list = cJSON_AddArrayToObject(host, "Ulimits");
	l = cJSON_CreateObject();
	cJSON_AddStringToObject(l, "Name", name);
	cJSON_AddNumberToObject(l, "Soft", value);
	cJSON_AddNumberToObject(l, "Hard", value);
	cJSON_AddItemToArray(list, l);
}

void
cluster_add_limits(const struct cluster *c, cJSON *host)
{
	add_ulimit(host, "nofile", c->nofile);
	add_ulimit(host, "nproc", c->nproc);
}

int
cluster_node_index(const struct cluster *c, const char *name, kshim_err_t *err)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(name, c->node[i].name) == 0)
			return i;
	kshim_fail(err, KSHIM_EUSAGE, "cluster '%s' has no node '%s'", c->name, name);
	if (c->attached)
		return kshim_hint(err, "'kshim status --name %s' lists its nodes", c->name);
	return kshim_hint(err, "nodes are kafka1 to kafka%d", c->n);
}

/* Free ports on 127.0.0.1 for the listeners that advertise localhost (localhost
 * mode's EXTERNAL, --localhost-listener's HOST), whose port must be known before
 * the broker starts. The kernel picks them; they are released again before
 * Docker binds them, so another process may take one in between: start then
 * fails with "port is already allocated" and up rolls back. */
static int
pick_ports(struct cluster *c, kshim_err_t *err)
{
	int fds[CLUSTER_MAX_NODES], rc = 0, i;

	for (i = 0; i < c->n && rc == 0; i++) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof(a);
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    getsockname(fds[i], (struct sockaddr *)&a, &len) < 0)
			rc = kshim_fail(err, errno, "cannot pick a free port on 127.0.0.1: %s",
					strerror(errno));
		if (c->localhost_listener)
			c->node[i].local_port = ntohs(a.sin_port);
		else
			c->node[i].host_port = ntohs(a.sin_port);
	}
	while (i-- > 0)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}

/* Publishes the container's port key on addr:port (one address, loopback unless
 * --publish-address); port 0 lets Docker choose. */
static void
publish(cJSON *spec, cJSON *host, const char *key, const char *addr, unsigned port)
{
	cJSON *bind = cJSON_CreateObject(), *bindings;
	char text[8] = "";

	if (port)
		snprintf(text, sizeof(text), "%u", port);
	cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(spec, "ExposedPorts"), key);
	cJSON_AddStringToObject(bind, "HostIp", addr);
	cJSON_AddStringToObject(bind, "HostPort", text);
	bindings = cJSON_GetObjectItemCaseSensitive(host, "PortBindings");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(bindings, key), bind);
}

static cJSON *
container_spec(const struct cluster *c, int i, cJSON *env, cJSON *cmd)
{
	const struct cluster_node *node = &c->node[i];
	cJSON *spec = cJSON_CreateObject(), *host, *ep;
	char addr[INET_ADDRSTRLEN];
	struct in_addr a = {htonl(c->publish_addr)};

	inet_ntop(AF_INET, &a, addr, sizeof(addr));

	cJSON_AddStringToObject(spec, "Image", c->image);
	cJSON_AddStringToObject(spec, "Hostname", node->name);
	cJSON_AddItemToObject(spec, "Env", env);
	if (cmd)
		cJSON_AddItemToObject(spec, "Cmd", cmd);
	cJSON_AddItemToObject(spec, "Labels", labels(c, node->name));
	cJSON_AddObjectToObject(spec, "ExposedPorts");
	host = cJSON_AddObjectToObject(spec, "HostConfig");
	cJSON_AddStringToObject(host, "NetworkMode", c->network);
	cluster_add_limits(c, host);
	cJSON_AddObjectToObject(host, "PortBindings");
	publish(spec, host, PORT_KEY, addr, node->host_port);
	if (node->local_port)
		publish(spec, host, HOST_PORT_KEY, addr, node->local_port);
	ep = cJSON_AddObjectToObject(
	    cJSON_AddObjectToObject(cJSON_AddObjectToObject(spec, "NetworkingConfig"),
				    "EndpointsConfig"),
	    c->network);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(ep, "Aliases"), cJSON_CreateString(node->name));
	return spec;
}

static int
create_container(docker_t *d, struct cluster *c, int i, kshim_err_t *err)
{
	struct flavor_node fn;
	cJSON *env, *spec;
	int rc;

	cluster_flavor_node(c, i, &fn);
	if (flavor_env(&fn, &env, err) < 0)
		return -1;
	spec = container_spec(c, i, env, flavor_cmd(&fn));
	rc = docker_container_create(d, c->node[i].container, spec, c->node[i].id, err);
	cJSON_Delete(spec);
	return rc;
}

void
cluster_flavor_node(const struct cluster *c, int i, struct flavor_node *fn)
{
	*fn = (struct flavor_node){.flavor = c->flavor,
				   .mode = c->mode,
				   .node = i + 1,
				   .n = c->n,
				   .host_port = c->node[i].host_port,
				   .cluster_id = c->cluster_id,
				   .tls = c->tls,
				   .sasl = c->sasl,
				   .local_port = c->node[i].local_port};
}

int
cluster_create(docker_t *d, struct cluster *c, kshim_err_t *err)
{
	char net_id[65];
	cJSON *l;
	int rc;

	if ((c->mode == ADVERTISE_LOCALHOST || c->localhost_listener) && pick_ports(c, err) < 0)
		return -1;
	l = labels(c, NULL);
	rc = docker_network_create(d, c->network, l, net_id, err);
	cJSON_Delete(l);
	for (int i = 0; i < c->n && rc == 0; i++, c->tried++)
		rc = create_container(d, c, i, err);
	return rc;
}

uint16_t
cluster_inspect_port(const cJSON *info)
{
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(info, "NetworkSettings");
	const cJSON *ports = cJSON_GetObjectItemCaseSensitive(ns, "Ports");
	const cJSON *b = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ports, PORT_KEY), 0);
	const cJSON *hp = cJSON_GetObjectItemCaseSensitive(b, "HostPort");

	unsigned long port = cJSON_IsString(hp) ? strtoul(hp->valuestring, NULL, 10) : 0;

	return port <= 65535 ? (uint16_t)port : 0;
}

static int
is_running(const cJSON *info)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(info, "State"), "Running"));
}

/* Docker takes published ports from the kernel's ephemeral range in sequence, without
 * asking the kernel, and gives up after ten that are in use: a host whose clients hold
 * many connections can fill ten in a row. Each start tries the next ten. */
static int
start_node(docker_t *d, const struct cluster_node *n, kshim_err_t *err)
{
	for (int attempt = 1;; attempt++) {
		if (docker_container_start(d, n->id, err) == 0)
			return 0;
		if (!docker_port_was_busy(err))
			return kshim_wrap(err, "starting %s", n->name);
		if (attempt == START_ATTEMPTS) {
			kshim_wrap(err, "starting %s (%d tries)", n->name, attempt);
			return kshim_hint(err, "the engine found every host port it tried in use; "
					       "see which process holds them with: ss -tanp");
		}
	}
}

int
cluster_start(docker_t *d, struct cluster *c, kshim_err_t *err)
{
	for (int i = 0; i < c->n; i++)
		if (start_node(d, &c->node[i], err) < 0)
			return -1;
	/* A container that has already exited has no port; readiness reports it. */
	for (int i = 0; i < c->n; i++) {
		cJSON *info = NULL;
		int bad;
		if (docker_container_inspect(d, c->node[i].id, &info, err) < 0)
			return -1;
		c->node[i].host_port = cluster_inspect_port(info);
		bad = !c->node[i].host_port && is_running(info);
		cJSON_Delete(info);
		if (bad)
			return kshim_fail(err, EPROTO, "%s has no port published for %s",
					  c->node[i].container, PORT_KEY);
	}
	return 0;
}

static const char *
label_value(const cJSON *item, const char *key)
{
	const cJSON *v =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(item, "Labels"), key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The public port of 9092 in a container list entry's Ports; 0 when unpublished. */
static uint16_t
list_port(const cJSON *item)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(item, "Ports"))
	{
		const cJSON *priv = cJSON_GetObjectItemCaseSensitive(p, "PrivatePort");
		const cJSON *pub = cJSON_GetObjectItemCaseSensitive(p, "PublicPort");
		if (cJSON_IsNumber(priv) && priv->valueint == KAFKA_PORT && cJSON_IsNumber(pub))
			return (uint16_t)pub->valueint;
	}
	return 0;
}

void
cluster_load_item(struct cluster *c, const cJSON *item)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "Id");
	struct cluster_node *node;
	struct in_addr addr;
	int i;

	if (sscanf(label_value(item, NODE_LABEL), KAFKA_NODE_FMT, &i) != 1 || i < 1 ||
	    i > CLUSTER_MAX_NODES || !cJSON_IsString(id))
		return;
	node = &c->node[i - 1];
	snprintf(node->id, sizeof(node->id), "%s", id->valuestring);
	node->host_port = list_port(item);
	snprintf(c->image, sizeof(c->image), "%s", label_value(item, IMAGE_LABEL));
	advertise_parse(label_value(item, MODE_LABEL), &c->mode, NULL);
	if (inet_pton(AF_INET, label_value(item, PUBLISH_LABEL), &addr) == 1)
		c->publish_addr = ntohl(addr.s_addr);
	flavor_parse(label_value(item, FLAVOR_LABEL), &c->flavor, NULL);
	c->tls = strcmp(label_value(item, TLS_LABEL), "1") == 0;
	sasl_parse(label_value(item, SASL_LABEL), &c->sasl, NULL);
	if (i > c->n)
		c->n = i;
}

/* The cluster attached under name, when there is a record of it. */
static int
load_attached(docker_t *d, const char *name, struct cluster *c, kshim_err_t *err)
{
	struct attached a;
	int found;

	if (attached_read(name, &a, &found, err) < 0)
		return -1;
	if (!found) {
		kshim_fail(err, ENOENT, "no cluster named '%s'", name);
		return kshim_hint(err,
				  "start one with 'kshim up --name %s', or attach to one with "
				  "'kshim attach'",
				  name);
	}
	if (set_names(c, name, 0, err) < 0)
		return -1;
	c->attached = 1;
	c->mode = ADVERTISE_INTERNAL;
	snprintf(c->network, sizeof(c->network), "%s", a.network);
	snprintf(c->project, sizeof(c->project), "%s", a.project);
	if (a.publish_addr && a.publish_addr != (uint32_t)-1)
		c->publish_addr = a.publish_addr;
	return attached_load(d, c, err);
}

int
cluster_publish_address(const char *cmd, const char *given, uint32_t *addr, kshim_err_t *err)
{
	struct engine e;
	struct in_addr a;

	if (given) {
		if (inet_pton(AF_INET, given, &a) != 1 || a.s_addr == INADDR_ANY) {
			kshim_fail(
			    err, KSHIM_EUSAGE,
			    "%s: --publish-address %s: want one IPv4 address of the engine's "
			    "host",
			    cmd, given);
			return kshim_hint(err, "kshim binds one address, never 0.0.0.0");
		}
		*addr = ntohl(a.s_addr);
		return 0;
	}
	*addr = INADDR_LOOPBACK;
	if (engine_resolve(&e, err) < 0)
		return -1;
	if (engine_local(&e))
		return 0;
	kshim_fail(err, EINVAL,
		   "%s (from %s) is a remote engine: its loopback is not this machine's", e.host,
		   e.reason);
	return kshim_hint(err,
			  "give the address of that host this machine reaches, e.g. kshim %s "
			  "--publish-address 192.0.2.10 (ports %s it alone)",
			  cmd, strcmp(cmd, "up") == 0 ? "bind to" : "published on it reach");
}

int
cluster_load(docker_t *d, const char *name, struct cluster *c, kshim_err_t *err)
{
	char label[128];
	cJSON *list = NULL;
	const cJSON *item;

	if (set_names(c, name, CLUSTER_MAX_NODES, err) < 0)
		return -1;
	label_filter(name, label, sizeof(label));
	if (docker_container_list(d, label, &list, err) < 0)
		return -1;
	cJSON_ArrayForEach(item, list) cluster_load_item(c, item);
	cJSON_Delete(list);
	if (c->n > 0)
		return 0;
	return load_attached(d, name, c, err);
}

/* Removes every object in list with remove(); counts successes, keeps the first failure. */
static int
remove_all(docker_t *d, cJSON *list, int (*remove)(docker_t *, const char *, kshim_err_t *),
	   int *count, kshim_err_t *err)
{
	const cJSON *item;
	int rc = 0;

	cJSON_ArrayForEach(item, list)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "Id");
		kshim_err_t e = {0};
		if (!cJSON_IsString(id))
			continue;
		if (remove(d, id->valuestring, &e) == 0)
			(*count)++;
		else if (rc == 0)
			rc = -1, *err = e;
	}
	return rc;
}

/* Drops from list the debug containers whose owner runs, or is not known here. */
static void
keep_ended(cJSON *list)
{
	for (int i = cJSON_GetArraySize(list) - 1; i >= 0; i--) {
		const cJSON *labels =
		    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(list, i), "Labels");
		const cJSON *owner = cJSON_GetObjectItemCaseSensitive(labels, CLUSTER_DEBUG_OWNER);
		if (!cJSON_IsString(owner) || !owner_ended(owner->valuestring))
			cJSON_DeleteItemFromArray(list, i);
	}
}

int
cluster_remove_debug(docker_t *d, const char *name, int ended_only, int *count, kshim_err_t *err)
{
	char label[128];
	cJSON *list = NULL;
	int rc;

	*count = 0;
	snprintf(label, sizeof(label), CLUSTER_DEBUG_LABEL "=%s", name);
	if (docker_container_list(d, label, &list, err) < 0)
		return -1;
	if (ended_only)
		keep_ended(list);
	rc = remove_all(d, list, docker_container_remove, count, err);
	cJSON_Delete(list);
	return rc;
}

int
cluster_remove(docker_t *d, const char *name, int *containers, int *networks, kshim_err_t *err)
{
	char label[128];
	cJSON *list = NULL;
	kshim_err_t later = {0};
	int rc, n = 0;

	*networks = 0;
	/* first the debug containers, which share the brokers' namespaces */
	rc = cluster_remove_debug(d, name, 0, containers, err);
	label_filter(name, label, sizeof(label));
	if (docker_container_list(d, label, &list, rc < 0 ? &later : err) < 0)
		return -1;
	if (remove_all(d, list, docker_container_remove, &n, rc < 0 ? &later : err) < 0)
		rc = -1;
	*containers += n;
	cJSON_Delete(list);
	if (docker_network_list(d, label, &list, err) < 0)
		return -1;
	if (remove_all(d, list, docker_network_remove, networks, err) < 0)
		rc = -1;
	cJSON_Delete(list);
	return rc;
}

void
cluster_inspect_state(const cJSON *info, char *buf, size_t len, int *running)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(info, "State");
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(st, "Status");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(st, "ExitCode");

	*running = is_running(info);
	if (!info)
		snprintf(buf, len, "missing");
	else if (cJSON_IsString(status) && strcmp(status->valuestring, "exited") == 0)
		snprintf(buf, len, "exited with code %d%s",
			 cJSON_IsNumber(code) ? code->valueint : -1,
			 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "OOMKilled"))
			     ? " (OOM killed)"
			     : "");
	else
		snprintf(buf, len, "%s", cJSON_IsString(status) ? status->valuestring : "unknown");
}

int
cluster_node_state(docker_t *d, const struct cluster_node *node, char *buf, size_t len,
		   int *running, kshim_err_t *err)
{
	cJSON *info = NULL;

	*running = 0;
	if (!node->id[0]) {
		snprintf(buf, len, "missing");
		return 0;
	}
	if (docker_container_inspect(d, node->id, &info, err) < 0)
		return -1;
	cluster_inspect_state(info, buf, len, running);
	cJSON_Delete(info);
	return 0;
}

struct log_lines {
	FILE *out;
	const char *prefix;
	char line[2048];
	size_t len;
};

static void
flush_line(struct log_lines *l)
{
	fprintf(l->out, "%s%.*s\n", l->prefix, (int)l->len, l->line);
	l->len = 0;
}

static int
on_log(void *ctx, int stream, const char *data, size_t len)
{
	struct log_lines *l = ctx;

	(void)stream;
	if (!l->prefix) {
		fwrite(data, 1, len, l->out);
		return fflush(l->out) != 0;
	}
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n' || l->len == sizeof(l->line))
			flush_line(l);
		if (data[i] != '\n')
			l->line[l->len++] = data[i];
	}
	return 0;
}

int
cluster_node_logs(docker_t *d, const struct cluster_node *node, int tail, int follow,
		  const char *prefix, FILE *out, kshim_err_t *err)
{
	struct log_lines l = {.out = out, .prefix = prefix};
	int rc;

	if (!node->id[0])
		return kshim_fail(err, ENOENT, "%s has no container", node->name);
	rc = docker_logs(d, node->id, tail, follow, on_log, &l, err);
	if (l.len)
		flush_line(&l);
	return rc;
}

int
cluster_table_write(const struct cluster *c, char *path, size_t len, kshim_err_t *err)
{
	struct kshim_table t = {0};
	uint32_t base;
	int rc = 0;

	int lock = -1;

	if (kshim_table_path(c->name, path, len, 1, err) < 0 ||
	    kshim_lock(KSHIM_TABLES_LOCK, 1, &lock, err) < 0)
		return -1;
	if (table_store_block(path, &base, err) < 0) {
		kshim_unlock(lock);
		return -1;
	}
	for (int i = 0; i < c->n && rc == 0; i++) {
		struct kshim_host *h = kshim_table_add(&t, c->node[i].name, base + (uint32_t)i + 1);
		if (!h ||
		    kshim_host_set_port(h, KAFKA_PORT, c->publish_addr, c->node[i].host_port) < 0)
			rc = kshim_fail(err, errno, "cannot add %s to the table: %s",
					c->node[i].name, strerror(errno));
	}
	if (rc == 0 && kshim_table_write(path, &t) < 0)
		rc = kshim_fail(err, errno, "cannot write %s: %s", path, strerror(errno));
	kshim_unlock(lock);
	kshim_table_free(&t);
	return rc;
}

int
cluster_lock(const char *name, int *lock, kshim_err_t *err)
{
	char lockname[64];

	snprintf(lockname, sizeof(lockname), "%s.lock", name);
	if (kshim_lock(lockname, 0, lock, err) == 0)
		return 0;
	if (err->code != EBUSY)
		return -1;
	kshim_fail(err, EBUSY, "another 'kshim up' or 'kshim down' of cluster '%s' is running",
		   name);
	return kshim_hint(err, "wait for it, then try again");
}

void
cluster_unlock(const char *name, int lock)
{
	char lockname[64];

	snprintf(lockname, sizeof(lockname), "%s.lock", name);
	kshim_lock_remove(lockname, lock);
}

int
cluster_claim(const struct cluster *c, int *lock, kshim_err_t *err)
{
	char path[PATH_MAX];
	uint32_t base;

	if (cluster_lock(c->name, lock, err) < 0)
		return -1;
	if (c->mode != ADVERTISE_INTERNAL)
		return 0; /* no table: nothing more to check */
	/* What writing the table will need, checked before any container exists
	 * rather than after the brokers are ready: a private directory (above,
	 * kshim_table_dir) and a free loopback block. */
	if (kshim_table_path(c->name, path, sizeof(path), 1, err) < 0 ||
	    table_store_block(path, &base, err) < 0)
		return -1;
	return 0;
}

/* cluster_table_sync's read, change and write, under the directory's lock. */
static int
sync_locked(const struct cluster *c, char *path, int *updated, kshim_err_t *err)
{
	struct kshim_table t = {0};
	int rc = 0;

	if (access(path, F_OK) < 0) { /* removed meanwhile (kshim down) */
		path[0] = '\0';
		return 0;
	}
	if (table_store_load_strict(path, &t, err) < 0)
		return -1;
	for (int i = 0; i < c->n; i++) {
		const struct cluster_node *node = &c->node[i];
		struct kshim_host *h = (struct kshim_host *)kshim_table_find_name(&t, node->name);
		const struct kshim_port *p = h ? kshim_host_find_port(h, KAFKA_PORT) : NULL;

		char where[32];

		if (!h || !node->host_port ||
		    (p && p->host_port == node->host_port && p->host_addr == c->publish_addr))
			continue;
		cluster_node_address(c, i, where, sizeof(where));
		fprintf(stderr, "kshim: %s is now published on %s (table had %u): table updated\n",
			node->name, where, p ? p->host_port : 0);
		kshim_host_set_port(h, KAFKA_PORT, c->publish_addr, node->host_port);
		(*updated)++;
	}
	if (*updated && kshim_table_write(path, &t) < 0)
		rc = kshim_fail(err, errno, "cannot write %s: %s", path, strerror(errno));
	kshim_table_free(&t);
	return rc;
}

int
cluster_table_sync(const struct cluster *c, char *path, size_t len, int *updated, kshim_err_t *err)
{
	int lock = -1, rc;

	*updated = 0;
	if (kshim_table_path(c->name, path, len, 0, err) < 0)
		return -1;
	if (access(path, F_OK) < 0) { /* no table (and maybe no directory to lock) */
		path[0] = '\0';
		return 0;
	}
	if (kshim_lock(KSHIM_TABLES_LOCK, 1, &lock, err) < 0)
		return -1;
	rc = sync_locked(c, path, updated, err);
	kshim_unlock(lock);
	return rc;
}
