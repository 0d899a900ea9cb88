/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the launcher's parsers of Docker replies, on replies shaped as
 * the Engine API sends them (inspect, container list, events stream). */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lib/cluster.h"
#include "lib/engine/docker.h"
#include "lib/watch.h"

static int failed;

static void
check(int cond, const char *what)
{
	printf("%sok - %s\n", cond ? "" : "not ", what);
	failed += !cond;
}

static const char inspect_running[] =
    "{\"Id\":\"4f1c2a9e0b7d\",\"Name\":\"/kshim-kafka1\",\"State\":{\"Status\":\"running\","
    "\"Running\":true,\"OOMKilled\":false,\"ExitCode\":0},\"NetworkSettings\":{\"Ports\":"
    "{\"9092/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"32801\"}],\"9093/tcp\":null}}}";
static const char inspect_exited[] =
    "{\"State\":{\"Status\":\"exited\",\"Running\":false,\"OOMKilled\":true,\"ExitCode\":137},"
    "\"NetworkSettings\":{\"Ports\":{}}}";
static const char inspect_bad_port[] =
    "{\"NetworkSettings\":{\"Ports\":{\"9092/tcp\":[{\"HostPort\":\"99999\"}]}}}";
static const char list_reply[] =
    "[{\"Id\":\"bbbb\",\"Labels\":{\"io.kshim.node\":\"kafka1\"},\"Ports\":[]},"
    "{\"Id\":\"aaaa\",\"Labels\":{\"io.kshim.cluster\":\"t\",\"io.kshim.node\":\"kafka2\","
    "\"io.kshim.image\":\"apache/kafka:4.1.1\",\"io.kshim.mode\":\"localhost\","
    "\"io.kshim.flavor\":\"apache\"},\"Ports\":[{\"IP\":\"127.0.0.1\",\"PrivatePort\":9092,"
    "\"PublicPort\":32803,\"Type\":\"tcp\"}]},"
    "{\"Id\":\"cccc\",\"Labels\":{\"io.kshim.node\":\"kafka99\"}},"
    "{\"Id\":\"dddd\",\"Labels\":{}}]";
static const char events[] =
    "{\"status\":\"start\",\"id\":\"aaaa\",\"Type\":\"container\",\"Action\":\"start\","
    "\"Actor\":{\"ID\":\"aaaa\",\"Attributes\":{\"io.kshim.cluster\":\"t\"}},\"time\":1}\n"
    "{\"Type\":\"container\",\"Action\":\"die\"}\n"
    "not json\n"
    "{\"Type\":\"network\",\"Action\":\"connect\"}\n"
    "{\"Type\":\"container\",\"Action\":\"destroy\"}";

static int
count_kinds(void *ctx, const cJSON *ev)
{
	int *kinds = ctx;

	kinds[watch_event_kind(ev)]++;
	return 0;
}

static void
test_inspect(void)
{
	cJSON *info = cJSON_Parse(inspect_running);
	char state[64];
	int running;

	check(cluster_inspect_port(info) == 32801, "inspect: published port 32801");
	cluster_inspect_state(info, state, sizeof(state), &running);
	check(running && strcmp(state, "running") == 0, "inspect: running");
	cJSON_Delete(info);
	info = cJSON_Parse(inspect_exited);
	check(cluster_inspect_port(info) == 0, "inspect: an exited container has no port");
	cluster_inspect_state(info, state, sizeof(state), &running);
	check(!running && strcmp(state, "exited with code 137 (OOM killed)") == 0,
	      "inspect: exited with code 137 (OOM killed)");
	cJSON_Delete(info);
	info = cJSON_Parse(inspect_bad_port);
	check(cluster_inspect_port(info) == 0, "inspect: a port past 65535 is no port");
	cJSON_Delete(info);
	cluster_inspect_state(NULL, state, sizeof(state), &running);
	check(!running && strcmp(state, "missing") == 0, "inspect: no reply is 'missing'");
}

static void
test_list(void)
{
	cJSON *reply = cJSON_Parse(list_reply);
	const cJSON *item;
	struct cluster c;
	kshim_err_t err;

	cluster_init(&c, "t", "x", FLAVOR_BITNAMI, ADVERTISE_INTERNAL, 1, &err);
	c.n = 0;
	cJSON_ArrayForEach(item, reply) cluster_load_item(&c, item);
	check(c.n == 2, "list: two nodes (kafka99 and an unlabelled one ignored)");
	check(strcmp(c.node[1].id, "aaaa") == 0 && c.node[1].host_port == 32803,
	      "list: kafka2 has its id and port 32803");
	check(strcmp(c.node[0].id, "bbbb") == 0 && c.node[0].host_port == 0,
	      "list: kafka1 has no port");
	check(strcmp(c.image, "apache/kafka:4.1.1") == 0 && c.mode == ADVERTISE_LOCALHOST &&
		  c.flavor == FLAVOR_APACHE,
	      "list: image, mode and flavor from the labels");
	cJSON_Delete(reply);
}

static void
test_events(void)
{
	for (size_t chunk = 1; chunk <= sizeof(events); chunk *= 3) {
		int kinds[3] = {0};
		char what[96];
		docker_events_feed(events, strlen(events), chunk, count_kinds, kinds);
		snprintf(
		    what, sizeof(what),
		    "events in %zu-byte pieces: 1 start, 1 destroy, 2 others, bad line skipped",
		    chunk);
		check(kinds[1] == 1 && kinds[2] == 1 && kinds[0] == 2, what);
	}
}

int
main(void)
{
	test_inspect();
	test_list();
	test_events();
	return failed != 0;
}
