/* kshim attach: a port table for containers kshim did not create, such as a
 * compose project's, from what Docker knows of a network. */
#include <arpa/inet.h>
#include <cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lib/docker.h"
#include "lib/paths.h"
#include "kshim/table.h"
#include "lib/table_store.h"

const char attach_usage[] = "usage: kshim attach --network NET [--name NAME]\n";

/* Adds name to h unless it is not a host name or another host has it. */
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

/* Every name the network's DNS answers for the container. */
static void
add_names(struct kshim_table *t, struct kshim_host **h, const cJSON *info, const cJSON *endpoint,
	  uint32_t addr)
{
	const char *cname = cJSON_GetStringValue(cJSON_GetObjectItem(info, "Name"));
	const char *lists[] = {"Aliases", "DNSNames"};
	const cJSON *item;

	add_name(t, h, cJSON_GetStringValue(cJSON_GetObjectItem(
			       cJSON_GetObjectItem(info, "Config"), "Hostname")),
		 addr);
	if (cname)
		add_name(t, h, cname[0] == '/' ? cname + 1 : cname, addr);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		cJSON_ArrayForEach(item, cJSON_GetObjectItem(endpoint, lists[i]))
			add_name(t, h, cJSON_GetStringValue(item), addr);
}

/* "9092/tcp": [{"HostIp": "127.0.0.1", "HostPort": "32768"}] -> 9092=127.0.0.1:32768.
 * A port published on every address is reached through 127.0.0.1. */
static int
add_ports(struct kshim_host *h, const cJSON *ports)
{
	const cJSON *p, *b;
	int n = 0;

	cJSON_ArrayForEach(p, ports)
	{
		unsigned port;
		int used = 0;
		if (sscanf(p->string, "%u/tcp%n", &port, &used) != 1 || p->string[used] || !port ||
		    port > 65535)
			continue;
		cJSON_ArrayForEach(b, p)
		{
			const char *ip = cJSON_GetStringValue(cJSON_GetObjectItem(b, "HostIp"));
			const char *hp = cJSON_GetStringValue(cJSON_GetObjectItem(b, "HostPort"));
			struct in_addr a;
			long hport = hp ? strtol(hp, NULL, 10) : 0;
			if (!ip || !*ip || strcmp(ip, "0.0.0.0") == 0)
				ip = "127.0.0.1";
			if (inet_pton(AF_INET, ip, &a) != 1 || hport <= 0 || hport > 65535)
				continue;
			if (kshim_host_set_port(h, (uint16_t)port, ntohl(a.s_addr),
						(uint16_t)hport) == 0)
				n++;
			break;
		}
	}
	return n;
}

/* Adds the container with id to t; returns the number of ports mapped. */
static int
add_container(docker_t *d, const char *net, const char *id, struct kshim_table *t, uint32_t addr,
	      kshim_err_t *err)
{
	cJSON *info = NULL, *settings, *endpoint;
	struct kshim_host *h = NULL;
	int n = 0;

	if (docker_container_inspect(d, id, &info, err) < 0)
		return -1;
	if (!info)
		return 0; /* gone meanwhile */
	settings = cJSON_GetObjectItem(info, "NetworkSettings");
	endpoint = cJSON_GetObjectItem(cJSON_GetObjectItem(settings, "Networks"), net);
	add_names(t, &h, info, endpoint, addr);
	if (h)
		n = add_ports(h, cJSON_GetObjectItem(settings, "Ports"));
	if (h && n == 0) { /* nothing reachable from the host: leave it out */
		t->nhosts--;
		h = NULL;
	}
	if (h) {
		printf("  %s", h->names[0]);
		for (int i = 0; i < h->nports; i++)
			printf(" %u->127.0.0.1:%u", h->ports[i].port, h->ports[i].host_port);
		putchar('\n');
	}
	cJSON_Delete(info);
	return n;
}

static int
attach(docker_t *d, const char *net, const char *name, kshim_err_t *err)
{
	struct kshim_table t = {0};
	char path[PATH_MAX];
	cJSON *network = NULL, *c;
	uint32_t base;
	int rc = -1, mapped = 0, lock = -1;

	if (docker_network_inspect(d, net, &network, err) < 0)
		return -1;
	if (!network) {
		kshim_fail(err, ENOENT, "no network '%s'", net);
		return kshim_hint(err, "'docker network ls' lists them; a compose project's is "
				       "usually <project>_default");
	}
	/* The block is chosen and the table written under the directory's lock. */
	if (kshim_table_path(name, path, sizeof(path), 1, err) < 0 ||
	    kshim_lock(KSHIM_TABLES_LOCK, 1, &lock, err) < 0 || tables_block(path, &base, err) < 0)
		goto out;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(network, "Containers"))
	{
		if (t.nhosts >= 254)
			break;
		int n = add_container(d, net, c->string, &t, base + (uint32_t)t.nhosts + 1, err);
		if (n < 0)
			goto out;
		mapped += n;
	}
	if (mapped == 0) {
		kshim_fail(err, ENOENT, "no container on '%s' publishes a TCP port", net);
		kshim_hint(err, "publish the client port, e.g. ports: [\"127.0.0.1::9092\"] in compose");
		goto out;
	}
	if (kshim_table_write(path, &t) < 0) {
		kshim_fail(err, errno, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	printf("table: %s\nexample: kshim run --name %s -- kcat -b %s:%u -L\n", path, name,
	       t.hosts[0].names[0], t.hosts[0].ports[0].port);
	rc = 0;
out:
	kshim_unlock(lock);
	kshim_table_free(&t);
	cJSON_Delete(network);
	return rc;
}

int
attach_parse(int argc, char **argv, struct attach_options *o, kshim_err_t *err)
{
	static const struct option opts[] = {
		{"network", required_argument, NULL, 'N'},
		{"name", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct attach_options){0};
	cli_begin();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'N':
			o->network = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'h':
			return cli_help(attach_usage);
		default:
			return cli_bad_option(c, argc, argv, err);
		}
	}
	if (!o->network)
		return kshim_fail(err, KSHIM_EUSAGE, "attach: --network is required");
	if (!o->name)
		o->name = o->network;
	if (!kshim_cluster_name_valid(o->name)) {
		kshim_fail(err, KSHIM_EUSAGE, "attach: '%s' is not a usable table name", o->name);
		return kshim_hint(err, "give --name with 1-40 of a-z, 0-9 and '-'");
	}
	return cli_no_more_args(argc, argv, err);
}

int
cmd_attach(int argc, char **argv, kshim_err_t *err)
{
	struct attach_options o;
	docker_t *d;
	int rc;

	if ((rc = attach_parse(argc, argv, &o, err)) != CLI_RUN)
		return rc;
	if (docker_open(&d, err) < 0)
		return -1;
	rc = attach(d, o.network, o.name, err);
	docker_close(d);
	return rc;
}
