/* SPDX-License-Identifier: Apache-2.0 */
/* Doctor layers seen from inside each container, through docker exec: whether
 * the brokers resolve each other's names, and what listens. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"

#define OUT_MAX 16384
#define DOCKER_DNS_HEX "0B00007F" /* 127.0.0.11, Docker's resolver in every container */

/* Runs argv in node i's container; a command the image lacks is a failure. */
static int
run_in(struct doctor *dr, int i, const char *const argv[], char *out, int *code, kshim_err_t *err)
{
	if (docker_exec(dr->d, dr->c.node[i].id, argv, out, OUT_MAX, code, err) < 0)
		return -1;
	if (*code != 126 && *code != 127)
		return 0;
	kshim_fail(err, ENOENT, "cannot run %s in %s: %.*s", argv[0], dr->c.node[i].container,
		   (int)strcspn(out, "\n"), out);
	return kshim_hint(err, "the image %s has no %s; kshim's checks need it", dr->c.image,
			  argv[0]);
}

/* Whether getent's tok names name: itself, or with a search domain after it
 * (Podman's aardvark-dns answers kafka2 as kafka2.dns.podman). */
static int
names(const char *tok, const char *name)
{
	size_t n = strlen(name);

	return strncmp(tok, name, n) == 0 && (tok[n] == '\0' || tok[n] == '.');
}

/* The address getent's output gives name; "" when it has none. */
static void
resolved(const char *out, const char *name, char *ip, size_t len)
{
	char copy[OUT_MAX], *line, *save;

	snprintf(copy, sizeof(copy), "%s", out);
	ip[0] = '\0';
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tok, *s2, *addr = strtok_r(line, " \t", &s2);
		while ((tok = strtok_r(NULL, " \t", &s2)))
			if (addr && names(tok, name)) {
				snprintf(ip, len, "%s", addr);
				return;
			}
	}
}

/* Node j's address on the cluster network. */
static const char *
address_of(const struct doctor *dr, int j)
{
	const cJSON *ip = cJSON_GetObjectItemCaseSensitive(doctor_endpoint(dr, j), "IPAddress");

	return cJSON_IsString(ip) ? ip->valuestring : "";
}

/* Asks node i to resolve every node's name; appends what is wrong to cause. */
static int
resolve_all(struct doctor *dr, int i, char *cause, size_t len, kshim_err_t *err)
{
	const char *argv[CLUSTER_MAX_NODES + 3] = {"getent", "hosts"};
	char out[OUT_MAX], ip[64];
	int code;

	for (int j = 0; j < dr->c.n; j++)
		argv[j + 2] = dr->c.node[j].name;
	if (run_in(dr, i, argv, out, &code, err) < 0)
		return -1;
	for (int j = 0; j < dr->c.n; j++) {
		const char *want = address_of(dr, j);

		resolved(out, dr->c.node[j].name, ip, sizeof(ip));
		if (!ip[0])
			doctor_append(cause, len, "%s cannot resolve %s", dr->c.node[i].name,
				      dr->c.node[j].name);
		else if (strcmp(ip, want) != 0)
			doctor_append(cause, len, "%s resolves %s to %s, but %s has %s on %s",
				      dr->c.node[i].name, dr->c.node[j].name, ip,
				      dr->c.node[j].container, want, dr->c.network);
	}
	return 0;
}

int
doctor_dns(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	char cause[512] = "";

	for (int i = 0; i < dr->c.n; i++)
		if (resolve_all(dr, i, cause, sizeof(cause), err) < 0)
			return -1;
	if (!cause[0]) {
		snprintf(note, len,
			 "every broker resolves the %d node name%s to the right address "
			 "on %s",
			 dr->c.n, dr->c.n == 1 ? "" : "s", dr->c.network);
		return 0;
	}
	kshim_fail(err, EHOSTUNREACH, "%s", cause);
	if (dr->c.attached)
		return kshim_hint(err,
				  "Docker's DNS on %s does not know the name: check 'docker "
				  "network inspect %s' and the containers' aliases",
				  dr->c.network, dr->c.network);
	return kshim_hint(err,
			  "Docker's DNS on %s does not know the name: check 'docker network "
			  "inspect %s'; kshim down --name %s && kshim up --name %s recreates it",
			  dr->c.network, dr->c.network, dr->name, dr->name);
}

/* The value of the first of the container's environment variables named like key. */
static const char *
env_value(const cJSON *info, const char *const keys[])
{
	const cJSON *e, *env = cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(info, "Config"), "Env");

	for (int k = 0; keys[k]; k++)
		cJSON_ArrayForEach(e, env)
		{
			size_t n = strlen(keys[k]);
			if (cJSON_IsString(e) && strncmp(e->valuestring, keys[k], n) == 0 &&
			    e->valuestring[n] == '=')
				return e->valuestring + n + 1;
		}
	return NULL;
}

/* Marks the ports of "NAME://host:port,..." in want. */
static void
listener_ports(const char *listeners, unsigned char *want)
{
	char copy[512], *item, *save;

	snprintf(copy, sizeof(copy), "%s", listeners);
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		const char *colon = strrchr(item, ':');
		long p = colon ? strtol(colon + 1, NULL, 10) : 0;
		if (p > 0 && p < 65536)
			want[p] = 1;
	}
}

/* Marks the listening ports in /proc/net/tcp{,6} text, but Docker's resolver's. */
static void
listening(const char *out, unsigned char *have)
{
	const char *line = out;

	for (; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char addr[40];
		unsigned port, st;

		if (sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", addr, &port,
			   &st) == 3 &&
		    st == 0x0A && strcmp(addr, DOCKER_DNS_HEX) != 0 && port < 65536)
			have[port] = 1;
	}
}

/* Checks what listens in node i; appends what is wrong to cause and the fix. */
static int
check_node(struct doctor *dr, int i, char *cause, size_t len, char *fix, size_t flen,
	   kshim_err_t *err)
{
	static const char *const keys[] = {"KAFKA_LISTENERS", "KAFKA_CFG_LISTENERS", NULL};
	static const char *const argv[] = {"cat", "/proc/net/tcp", "/proc/net/tcp6", NULL};
	static unsigned char want[65536], have[65536];
	const struct cluster_node *node = &dr->c.node[i];
	const char *conf = env_value(dr->info[i], keys);
	char out[OUT_MAX], seen[128] = "", missing[128] = "";
	int code;

	if (run_in(dr, i, argv, out, &code, err) < 0)
		return -1;
	memset(want, 0, sizeof(want));
	memset(have, 0, sizeof(have));
	want[node->port] = 1;
	if (conf)
		listener_ports(conf, want);
	listening(out, have);
	for (int p = 1, ns = 0, nm = 0; p < 65536; p++) {
		if (have[p] && ns < (int)sizeof(seen) - 8)
			ns += snprintf(seen + ns, sizeof(seen) - (size_t)ns, "%s%d", ns ? ", " : "",
				       p);
		if (want[p] && !have[p] && nm < (int)sizeof(missing) - 8)
			nm += snprintf(missing + nm, sizeof(missing) - (size_t)nm, "%s%d",
				       nm ? " or " : "", p);
	}
	if (!missing[0])
		return 0;
	doctor_append(cause, len, "inside %s nothing listens on %s (listening: %s)", node->name,
		      missing, seen[0] ? seen : "none");
	if (fix[0])
		return 0;
	want[node->port] = 0;
	if (conf)
		listener_ports(conf, want);
	if (conf && !want[node->port] && dr->c.attached)
		snprintf(fix, flen,
			 "%s's listeners (%s) leave out %u, the port Docker publishes: add it to "
			 "KAFKA_LISTENERS",
			 node->name, conf, node->port);
	else if (conf && !want[node->port])
		snprintf(fix, flen,
			 "%s's listeners (%s) leave out %u, the port Docker publishes: kshim down "
			 "--name %s && kshim up --name %s",
			 node->name, conf, node->port, dr->name, dr->name);
	else
		snprintf(fix, flen, "the broker has not opened it: see 'kshim logs --name %s %s'",
			 dr->name, node->name);
	return 0;
}

int
doctor_listeners(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	char cause[512] = "", fix[512] = "";

	for (int i = 0; i < dr->c.n; i++)
		if (check_node(dr, i, cause, sizeof(cause), fix, sizeof(fix), err) < 0)
			return -1;
	if (!cause[0]) {
		snprintf(note, len,
			 "every broker listens on its client port (%u) and its "
			 "configured listeners",
			 dr->c.n ? dr->c.node[0].port : KAFKA_PORT);
		return 0;
	}
	kshim_fail(err, ECONNREFUSED, "%s", cause);
	return kshim_hint(err, "%s", fix);
}
