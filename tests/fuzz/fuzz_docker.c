/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the launcher's parsers of Docker replies, without HTTP.
 * The first byte picks one: a container inspect reply (port, state), a
 * container list reply (a cluster read back from labels), an events stream
 * cut into pieces of 1..64 bytes (lines, JSON, what the watch makes of each
 * event), or one of attach's: an inspect reply made into a table host, a
 * compose project's container list made into its network. Nothing may crash,
 * leak or read out of bounds. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "attached.h"
#include "cluster.h"
#include "engine/docker.h"
#include "watch.h"

static int
on_event(void *ctx, const cJSON *ev)
{
	int *kinds = ctx;

	kinds[watch_event_kind(ev)]++;
	return kinds[0] + kinds[1] + kinds[2] > 1000; /* a stop request is honoured too */
}

static void
inspect(const char *text, size_t len)
{
	cJSON *info = cJSON_ParseWithLength(text, len);
	char state[64];
	int running;

	(void)cluster_inspect_port(info);
	cluster_inspect_state(info, state, sizeof(state), &running);
	if (strlen(state) >= sizeof(state))
		abort();
	cJSON_Delete(info);
}

static void
list(const char *text, size_t len)
{
	cJSON *reply = cJSON_ParseWithLength(text, len);
	const cJSON *item;
	struct cluster c;
	kshim_err_t err;

	if (cluster_init(&c, "fz", "img", FLAVOR_APACHE, ADVERTISE_INTERNAL, 1, &err) < 0)
		abort();
	c.n = 0;
	cJSON_ArrayForEach(item, reply) cluster_load_item(&c, item);
	if (c.n < 0 || c.n > CLUSTER_MAX_NODES || strlen(c.image) >= sizeof(c.image))
		abort();
	for (int i = 0; i < c.n; i++)
		if (strlen(c.node[i].id) >= sizeof(c.node[i].id))
			abort();
	cJSON_Delete(reply);
}

static void
attach_inspect(const char *text, size_t len)
{
	cJSON *info = cJSON_ParseWithLength(text, len);
	struct kshim_table t = {0};
	struct cluster c = {
	    .network = "shop_default", .project = "shop", .publish_addr = 0x7f000001u};
	const struct kshim_host *h = attached_host_of(&t, &c, info, 0x7f000002u);

	if (t.nhosts != (h != NULL) || (h && (h->nnames < 1 || h->nports < 1)))
		abort();
	c.project[0] = '\0'; /* attached with --network: any container */
	(void)attached_host_of(&t, &c, info, 0x7f000003u);
	kshim_table_free(&t);
	cJSON_Delete(info);
}

static void
attach_list(const char *text, size_t len)
{
	cJSON *reply = cJSON_ParseWithLength(text, len);
	char net[16] = "";

	if (attached_busiest_network(reply, net, sizeof(net)) < 0 || strlen(net) >= sizeof(net))
		abort();
	cJSON_Delete(reply);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	int kinds[3] = {0};

	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0:
		inspect((const char *)data + 1, size - 1);
		break;
	case 1:
		list((const char *)data + 1, size - 1);
		break;
	case 3:
		attach_inspect((const char *)data + 1, size - 1);
		break;
	case 4:
		attach_list((const char *)data + 1, size - 1);
		break;
	default:
		docker_events_feed((const char *)data + 1, size - 1,
				   (size_t)(data[0] >> 2) % 64 + 1, on_event, kinds);
	}
	return 0;
}
