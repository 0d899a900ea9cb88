/* SPDX-License-Identifier: Apache-2.0 */
/* Attached clusters: their record, and their table rebuilt from Docker's view of
 * the network (names, published ports), keeping every name's loopback address. */
#include "attached.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "file.h"
#include "paths.h"
#include "table_store.h"

#define RECORD_MAGIC "kshim-attached 1"
#define BLOCK_HOSTS 254
#define PROVISIONAL 0x7f000002u /* 127.0.0.2 on: a scanned host's address until it gets its own */

/* What the table's hosts are in Docker, in table order. */
struct member {
	char id[65];	     /* "" for a host kept from the table with no running container */
	char container[128]; /* the container's name */
};

struct scan {
	struct kshim_table t;
	struct member m[BLOCK_HOSTS];
	char image[512]; /* the first container's image */
};

int
attached_read(const char *name, struct attached *a, int *found, kshim_err_t *err)
{
	char path[PATH_MAX], line[300], key[16], value[256];
	FILE *f;

	memset(a, 0, sizeof(*a));
	*found = 0;
	if (kshim_cluster_file(name, ".attached", path, sizeof(path), 0, err) < 0)
		return -1;
	if (!(f = fopen(path, "re")))
		return errno == ENOENT ? 0
				       : kshim_fail(err, errno, "%s: %s", path, strerror(errno));
	if (!fgets(line, sizeof(line), f) || strncmp(line, RECORD_MAGIC "\n", sizeof(line)) != 0) {
		fclose(f);
		kshim_fail(err, EINVAL, "%s is not a kshim attach record", path);
		return kshim_hint(err, "remove it and attach again: kshim attach ... --name %s",
				  name);
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%15s %255s", key, value) == 2) {
			if (strcmp(key, "network") == 0)
				snprintf(a->network, sizeof(a->network), "%.127s", value);
			else if (strcmp(key, "project") == 0)
				snprintf(a->project, sizeof(a->project), "%.127s", value);
			else if (strcmp(key, "publish") == 0)
				a->publish_addr = inet_network(value);
		}
	fclose(f);
	*found = a->network[0] != '\0';
	if (!*found)
		return kshim_fail(err, EINVAL, "%s names no network", path);
	return 0;
}

int
attached_write(const char *name, const struct attached *a, kshim_err_t *err)
{
	char path[PATH_MAX], text[400], publish[32] = "";

	if (kshim_cluster_file(name, ".attached", path, sizeof(path), 1, err) < 0)
		return -1;
	if (a->publish_addr && a->publish_addr != INADDR_LOOPBACK)
		snprintf(publish, sizeof(publish), "publish %u.%u.%u.%u\n", a->publish_addr >> 24,
			 (a->publish_addr >> 16) & 255, (a->publish_addr >> 8) & 255,
			 a->publish_addr & 255);
	snprintf(text, sizeof(text), RECORD_MAGIC "\nnetwork %s\n%s%s%s%s", a->network,
		 a->project[0] ? "project " : "", a->project, a->project[0] ? "\n" : "", publish);
	return file_write(path, text, err);
}

int
attached_forget(const char *name, int *had, kshim_err_t *err)
{
	char paths[2][PATH_MAX];

	*had = 0;
	if (kshim_table_path(name, paths[0], sizeof(paths[0]), 0, err) < 0 ||
	    kshim_cluster_file(name, ".attached", paths[1], sizeof(paths[1]), 0, err) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		if (unlink(paths[i]) == 0)
			(*had)++;
		else if (errno != ENOENT)
			return kshim_fail(err, errno, "cannot remove %s: %s", paths[i],
					  strerror(errno));
	}
	return 0;
}

static const char *
label_of(const cJSON *labels, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(labels, key));
}

/* Whether a container list entry publishes a port on the host. */
static int
publishes(const cJSON *item)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(item, "Ports")) if (
	    cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(p, "PublicPort"))) return 1;
	return 0;
}

int
attached_busiest_network(const cJSON *list, char *net, size_t len)
{
	cJSON *count = cJSON_CreateObject();
	const cJSON *item, *n;
	int best = 0;

	cJSON_ArrayForEach(item, list)
	{
		if (!publishes(item))
			continue;
		cJSON_ArrayForEach(
		    n, cJSON_GetObjectItemCaseSensitive(
			   cJSON_GetObjectItemCaseSensitive(item, "NetworkSettings"), "Networks"))
		{
			cJSON *c;
			int k;
			if (!n->string) /* an array, not an object of networks */
				break;
			c = cJSON_GetObjectItemCaseSensitive(count, n->string);
			k = c ? c->valueint + 1 : 1;
			if (c)
				cJSON_SetNumberValue(c, k);
			else
				cJSON_AddNumberToObject(count, n->string, k);
			if (k > best && strlen(n->string) < len) {
				best = k;
				snprintf(net, len, "%s", n->string);
			}
		}
	}
	cJSON_Delete(count);
	return best;
}

int
attached_compose_network(docker_t *d, const char *project, char *net, size_t len, kshim_err_t *err)
{
	char label[300];
	cJSON *list = NULL;
	int best;

	snprintf(label, sizeof(label), COMPOSE_PROJECT_LABEL "=%s", project);
	if (docker_container_list(d, label, &list, err) < 0)
		return -1;
	best = attached_busiest_network(list, net, len);
	cJSON_Delete(list);
	if (best)
		return 0;
	kshim_fail(err, ENOENT,
		   "compose project '%s' has no running container that publishes a port", project);
	return kshim_hint(err,
			  "start it (docker-compose -p %s up -d) and publish the brokers' "
			  "client port, e.g. ports: [\"127.0.0.1::9092\"]",
			  project);
}

/* Adds name to h (creating h with address addr) unless it is not a host name or
 * another host has it. */
static void
add_name(struct kshim_table *t, struct kshim_host **h, const char *name, uint32_t addr)
{
	if (!name || !kshim_name_valid(name, strlen(name)) || kshim_table_find_name(t, name))
		return;
	if (!*h)
		*h = kshim_table_add(t, name, addr);
	else
		kshim_host_add_name(t, *h, name);
}

/* Docker's default host name: the start of the container id. */
static int
default_hostname(const char *hostname, const cJSON *info)
{
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "Id"));

	return hostname && id && strlen(hostname) == 12 && strncmp(hostname, id, 12) == 0;
}

/* Every name the network's DNS answers for the container: a host name set by the
 * user first, then the compose service, the container name, the aliases. */
static void
add_names(struct kshim_table *t, struct kshim_host **h, const cJSON *info, const cJSON *endpoint,
	  const char *cname, uint32_t addr)
{
	const cJSON *config = cJSON_GetObjectItemCaseSensitive(info, "Config");
	const char *host =
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(config, "Hostname"));
	const char *lists[] = {"Aliases", "DNSNames"};
	const cJSON *item;

	if (!default_hostname(host, info))
		add_name(t, h, host, addr);
	add_name(
	    t, h,
	    label_of(cJSON_GetObjectItemCaseSensitive(config, "Labels"), COMPOSE_SERVICE_LABEL),
	    addr);
	add_name(t, h, cname, addr);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(endpoint, lists[i]))
		    add_name(t, h, cJSON_GetStringValue(item), addr);
	add_name(t, h, host, addr);
}

/* Where binding b ({"HostIp": "127.0.0.1", "HostPort": "32768"}) is reached from
 * here: a port published on every address through publish (host order),
 * 127.0.0.1 when the engine runs here. One on a remote engine's loopback
 * cannot be reached from here: 0. */
static int
reached_at(const cJSON *b, uint32_t publish, uint32_t *addr)
{
	const char *ip = cJSON_GetStringValue(cJSON_GetObjectItem(b, "HostIp"));
	const char *hp = cJSON_GetStringValue(cJSON_GetObjectItem(b, "HostPort"));
	long hport = hp ? strtol(hp, NULL, 10) : 0;
	struct in_addr a;

	if (!ip || !*ip || strcmp(ip, "0.0.0.0") == 0)
		a.s_addr = htonl(publish);
	else if (inet_pton(AF_INET, ip, &a) != 1)
		return 0;
	*addr = ntohl(a.s_addr);
	if (hport <= 0 || hport > 65535 || ((*addr >> 24) == 127 && publish != INADDR_LOOPBACK))
		return 0;
	return (int)hport;
}

/* "9092/tcp": [{"HostIp": "127.0.0.1", "HostPort": "32768"}] -> 9092=127.0.0.1:32768,
 * from the first binding reached from here (see reached_at). */
static int
add_ports(struct kshim_host *h, const cJSON *ports, uint32_t publish)
{
	const cJSON *p, *b;
	int n = 0;

	if (!cJSON_IsObject(ports))
		return 0;
	cJSON_ArrayForEach(p, ports)
	{
		unsigned port;
		int used = 0, hport = 0;
		uint32_t addr = 0;
		if (sscanf(p->string, "%u/tcp%n", &port, &used) != 1 || p->string[used] || !port ||
		    port > 65535)
			continue;
		cJSON_ArrayForEach(b, p) if ((hport = reached_at(b, publish, &addr)) > 0) break;
		if (hport > 0 && kshim_host_set_port(h, (uint16_t)port, addr, (uint16_t)hport) == 0)
			n++;
	}
	return n;
}

/* Whether an inspect reply is a container of c: any, or one of its compose project. */
static int
belongs(const struct cluster *c, const cJSON *info)
{
	const char *project =
	    label_of(cJSON_GetObjectItemCaseSensitive(
			 cJSON_GetObjectItemCaseSensitive(info, "Config"), "Labels"),
		     COMPOSE_PROJECT_LABEL);

	return !c->project[0] || (project && strcmp(project, c->project) == 0);
}

struct kshim_host *
attached_host_of(struct kshim_table *t, const struct cluster *c, const cJSON *info, uint32_t addr)
{
	const cJSON *settings = cJSON_GetObjectItemCaseSensitive(info, "NetworkSettings");
	const cJSON *endpoint = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(settings, "Networks"), c->network);
	const char *cname = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "Name"));
	struct kshim_host *h = NULL;

	cname = cname && cname[0] == '/' ? cname + 1 : cname;
	if (belongs(c, info))
		add_names(t, &h, info, endpoint, cname, addr);
	if (h && add_ports(h, cJSON_GetObjectItemCaseSensitive(settings, "Ports"),
			   c->publish_addr) == 0) {
		t->nhosts--; /* nothing reachable from the host: left out */
		return NULL;
	}
	return h;
}

/* Adds the container with id to s->t under a provisional address; leaves out one
 * that is gone, belongs to another project or publishes nothing. */
static int
scan_container(docker_t *d, const struct cluster *c, const char *id, struct scan *s,
	       kshim_err_t *err)
{
	cJSON *info = NULL;
	const char *cname, *image;
	int n = s->t.nhosts;

	if (docker_container_inspect(d, id, &info, err) < 0)
		return -1;
	if (info && attached_host_of(&s->t, c, info, PROVISIONAL + (uint32_t)n)) {
		cname = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "Name"));
		cname = cname && cname[0] == '/' ? cname + 1 : cname;
		image = cJSON_GetStringValue(
		    cJSON_GetObjectItem(cJSON_GetObjectItem(info, "Config"), "Image"));
		snprintf(s->m[n].id, sizeof(s->m[n].id), "%s", id);
		snprintf(s->m[n].container, sizeof(s->m[n].container), "%s", cname ? cname : id);
		if (!s->image[0] && image)
			snprintf(s->image, sizeof(s->image), "%s", image);
	}
	cJSON_Delete(info);
	return 0;
}

/* The loopback address for h: the one old gave any of its names, unless taken,
 * else the lowest of the block neither table uses; 0 when the block is full. */
static uint32_t
address_for(const struct kshim_host *h, const struct kshim_table *old, const struct kshim_table *t,
	    uint32_t base)
{
	for (int i = 0; i < h->nnames; i++) {
		const struct kshim_host *o = kshim_table_find_name(old, h->names[i]);
		if (o && !kshim_table_find_addr(t, o->addr))
			return o->addr;
	}
	for (uint32_t k = 1; k <= BLOCK_HOSTS; k++)
		if (!kshim_table_find_addr(t, base + k) && !kshim_table_find_addr(old, base + k))
			return base + k;
	return 0;
}

/* Copies h into t at addr with those of its names t does not have yet. */
static struct kshim_host *
copy_host(struct kshim_table *t, const struct kshim_host *h, uint32_t addr)
{
	struct kshim_host *to = NULL;

	for (int i = 0; i < h->nnames; i++)
		add_name(t, &to, h->names[i], addr);
	for (int i = 0; to && i < h->nports; i++)
		kshim_host_set_port(to, h->ports[i].port, h->ports[i].host_addr,
				    h->ports[i].host_port);
	return to;
}

/* Docker's view of c as a table in s, addresses from old and base (see attached_sync). */
static int
scan(docker_t *d, const struct cluster *c, const struct kshim_table *old, uint32_t base,
     struct scan *s, kshim_err_t *err)
{
	struct scan *raw = calloc(1, sizeof(*raw));
	cJSON *net = NULL, *item;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (!raw)
		return kshim_fail(err, ENOMEM, "out of memory");
	if (docker_network_inspect(d, c->network, &net, err) < 0)
		goto out;
	if (!net) {
		kshim_fail(err, ENOENT, "network %s of attached cluster '%s' is gone", c->network,
			   c->name);
		kshim_hint(err,
			   "start the containers again%s%s%s, or forget the cluster: kshim down "
			   "--name %s",
			   c->project[0] ? " (docker-compose -p " : "", c->project,
			   c->project[0] ? " up -d)" : "", c->name);
		goto out;
	}
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(
				     net, "Containers")) if (raw->t.nhosts < BLOCK_HOSTS &&
							     scan_container(d, c, item->string, raw,
									    err) < 0) goto out;
	snprintf(s->image, sizeof(s->image), "%s", raw->image);
	for (int i = 0; i < raw->t.nhosts; i++) {
		uint32_t addr = address_for(&raw->t.hosts[i], old, &s->t, base);
		if (addr && copy_host(&s->t, &raw->t.hosts[i], addr))
			s->m[s->t.nhosts - 1] = raw->m[i];
	}
	for (int i = 0; i < old->nhosts && s->t.nhosts < BLOCK_HOSTS; i++) /* the ones not seen */
		if (!kshim_table_find_addr(&s->t, old->hosts[i].addr))
			copy_host(&s->t, &old->hosts[i], old->hosts[i].addr);
	rc = 0;
out:
	kshim_table_free(&raw->t);
	free(raw);
	cJSON_Delete(net);
	return rc;
}

/* The table at path, or an empty one when there is none. */
static int
load_old(const char *path, struct kshim_table *old, kshim_err_t *err)
{
	memset(old, 0, sizeof(*old));
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	return table_store_load_strict(path, old, err);
}

/* Says on stderr how host h (at index i of s) differs from old; 1 when it does. */
static int
report(const struct scan *s, int i, const struct kshim_table *old)
{
	const struct kshim_host *h = &s->t.hosts[i], *o = kshim_table_find_addr(old, h->addr);
	int changed = 0;

	if (!o) {
		fprintf(stderr, "kshim: %s (%s) is new: table updated\n", h->names[0],
			s->m[i].container[0] ? s->m[i].container : "no container");
		return 1;
	}
	for (int p = 0; p < h->nports; p++) {
		const struct kshim_port *was = kshim_host_find_port(o, h->ports[p].port);
		struct in_addr a = {htonl(h->ports[p].host_addr)};
		if (was && was->host_port == h->ports[p].host_port &&
		    was->host_addr == h->ports[p].host_addr)
			continue;
		fprintf(stderr,
			"kshim: %s is now published on %s:%u (table had %u): table updated\n",
			h->names[0], inet_ntoa(a), h->ports[p].host_port, was ? was->host_port : 0);
		changed = 1;
	}
	return changed || o->nnames != h->nnames;
}

/* The table as text, to tell whether anything changed. */
static char *
table_text(const struct kshim_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f) {
		kshim_table_print(t, f);
		fclose(f);
	}
	return buf;
}

static int
sync_locked(docker_t *d, const struct cluster *c, const char *path, int *updated, int *hosts,
	    kshim_err_t *err)
{
	struct kshim_table old;
	struct scan *s = calloc(1, sizeof(*s));
	uint32_t base;
	char *was = NULL, *now = NULL;
	int rc = -1;

	if (!s)
		return kshim_fail(err, ENOMEM, "out of memory");
	if (load_old(path, &old, err) < 0)
		goto out;
	if (table_store_block(path, &base, err) < 0 || scan(d, c, &old, base, s, err) < 0)
		goto out;
	for (int i = 0; i < s->t.nhosts; i++)
		*updated += old.nhosts && report(s, i, &old);
	*hosts = s->t.nhosts;
	was = table_text(&old);
	now = table_text(&s->t);
	rc = 0;
	if ((!old.nhosts || !was || !now || strcmp(was, now) != 0) &&
	    kshim_table_write(path, &s->t) < 0)
		rc = kshim_fail(err, errno, "cannot write %s: %s", path, strerror(errno));
out:
	free(was);
	free(now);
	kshim_table_free(&old);
	kshim_table_free(&s->t);
	free(s);
	return rc;
}

int
attached_sync(docker_t *d, const struct cluster *c, char *path, size_t len, int *updated,
	      int *hosts, kshim_err_t *err)
{
	int lock = -1, rc;

	*updated = *hosts = 0;
	if (kshim_table_path(c->name, path, len, 1, err) < 0 ||
	    kshim_lock(KSHIM_TABLES_LOCK, 1, &lock, err) < 0)
		return -1;
	rc = sync_locked(d, c, path, updated, hosts, err);
	kshim_unlock(lock);
	return rc;
}

/* The container of a host kept from the table: the first of its names Docker
 * knows as a container of c. A name too long for node->container is none. */
static int
find_container(docker_t *d, const struct cluster *c, const struct kshim_host *h,
	       struct cluster_node *node, kshim_err_t *err)
{
	for (int i = 0; i < h->nnames; i++) {
		cleanup_json cJSON *info = NULL;
		const char *id;
		if (snprintf(node->container, sizeof(node->container), "%s", h->names[i]) >=
		    (int)sizeof(node->container))
			continue;
		if (docker_container_inspect(d, h->names[i], &info, err) < 0)
			return -1;
		id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "Id"));
		if (id && belongs(c, info)) {
			snprintf(node->id, sizeof(node->id), "%s", id);
			return 0;
		}
	}
	node->container[0] = '\0';
	return 0;
}

/* Node i of c from host h of the scan. */
static int
set_node(docker_t *d, struct cluster *c, int i, const struct kshim_host *h, const struct member *m,
	 kshim_err_t *err)
{
	struct cluster_node *node = &c->node[i];
	const struct kshim_port *p = kshim_host_find_port(h, KAFKA_PORT);

	memset(node, 0, sizeof(*node));
	snprintf(node->name, sizeof(node->name), "%s", h->names[0]);
	p = p ? p : &h->ports[0];
	node->port = p->port;
	if (!m->id[0])
		return find_container(d, c, h, node, err);
	snprintf(node->id, sizeof(node->id), "%s", m->id);
	snprintf(node->container, sizeof(node->container), "%s", m->container);
	node->host_port = p->host_port;
	return 0;
}

int
attached_load(docker_t *d, struct cluster *c, kshim_err_t *err)
{
	struct kshim_table old;
	struct scan *s = calloc(1, sizeof(*s));
	char path[PATH_MAX];
	uint32_t base;
	int rc = -1;

	if (!s)
		return kshim_fail(err, ENOMEM, "out of memory");
	memset(&old, 0, sizeof(old));
	if (kshim_table_path(c->name, path, sizeof(path), 0, err) < 0 ||
	    load_old(path, &old, err) < 0)
		goto out;
	base = old.nhosts ? old.hosts[0].addr & 0xffffff00u : KSHIM_LOOPBACK_NET;
	if (scan(d, c, &old, base, s, err) < 0)
		goto out;
	snprintf(c->image, sizeof(c->image), "%s", s->image);
	for (c->n = 0; c->n < s->t.nhosts && c->n < CLUSTER_MAX_NODES; c->n++)
		if (set_node(d, c, c->n, &s->t.hosts[c->n], &s->m[c->n], err) < 0)
			goto out;
	rc = 0;
out:
	kshim_table_free(&old);
	kshim_table_free(&s->t);
	free(s);
	return rc;
}
