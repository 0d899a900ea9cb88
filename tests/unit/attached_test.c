/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the attach record (launcher/lib/attached.c): written, read back,
 * refused when foreign, and forgotten with the table. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "scratch.h"
#include "lib/attached.h"

static void
test_round_trip(void)
{
	struct attached a = {.network = "shop_default", .project = "shop"}, b;
	char path[2 * PATH_MAX];
	kshim_err_t err = {0};
	struct stat st;
	int found = -1;

	CHECK(attached_read("shop", &b, &found, &err) == 0 && found == 0,
	      "no record: read succeeds, not found");
	CHECK(attached_write("shop", &a, &err) == 0, "the record is written");
	snprintf(path, sizeof(path), "%s/shop.attached", scratch);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	      "  ... as shop.attached, mode 0600");
	CHECK(attached_read("shop", &b, &found, &err) == 0 && found == 1 &&
		  strcmp(b.network, "shop_default") == 0 && strcmp(b.project, "shop") == 0,
	      "  ... and read back: network shop_default, project shop");
	a.project[0] = '\0';
	CHECK(attached_write("net", &a, &err) == 0 && attached_read("net", &b, &found, &err) == 0 &&
		  found == 1 && b.project[0] == '\0' && b.publish_addr == 0,
	      "a record without a project reads back without one (and without a publish address)");
	a.publish_addr = 0xc0000205u;
	CHECK(attached_write("far", &a, &err) == 0 && attached_read("far", &b, &found, &err) == 0 &&
		  b.publish_addr == 0xc0000205u,
	      "a remote engine's publish address reads back (192.0.2.5)");
}

static void
test_foreign(void)
{
	struct attached b;
	kshim_err_t err = {0};
	int found;

	scratch_put("odd.attached", "something else\nnetwork x\n", 0600);
	CHECK(attached_read("odd", &b, &found, &err) < 0 && err.code == EINVAL && err.hint[0],
	      "a file that is no record is refused, with a hint (%s)", err.msg);
	scratch_put("empty.attached", "kshim-attached 1\n", 0600);
	CHECK(attached_read("empty", &b, &found, &err) < 0 && err.code == EINVAL,
	      "a record naming no network is refused");
	CHECK(attached_read("Bad/Name", &b, &found, &err) < 0 && err.code == KSHIM_EUSAGE,
	      "a name that is no cluster name is refused before any path is built");
}

static void
test_forget(void)
{
	kshim_err_t err = {0};
	char path[2 * PATH_MAX];
	int had = -1;

	snprintf(path, sizeof(path), "%s/shop.attached", scratch);
	scratch_put("shop.table", "kshim-table 1\n", 0600);
	CHECK(attached_forget("shop", &had, &err) == 0 && had == 2,
	      "forget removes the table and the record (2 files)");
	CHECK(access(path, F_OK) < 0 && errno == ENOENT, "  ... the record is gone");
	CHECK(attached_forget("shop", &had, &err) == 0 && had == 0,
	      "forgetting again succeeds with nothing removed");
}

/* Docker's replies with arrays where objects belong: nothing is made of them,
 * and nothing crashes. */
static void
test_odd_replies(void)
{
	const char *inspect =
	    "{\"Name\": \"/b1\", \"Config\": {\"Hostname\": \"b1\"}, \"NetworkSettings\": "
	    "{\"Ports\": [[{\"HostIp\": \"127.0.0.1\", \"HostPort\": \"32768\"}]], "
	    "\"Networks\": [{\"Aliases\": [\"b1\"]}]}}";
	const char *list = "[{\"Ports\": [{\"PublicPort\": 32768}], "
			   "\"NetworkSettings\": {\"Networks\": [{\"NetworkID\": \"x\"}]}}]";
	cJSON *info = cJSON_Parse(inspect), *reply = cJSON_Parse(list);
	struct kshim_table t = {0};
	struct cluster c = {0};
	char net[64] = "";

	snprintf(c.network, sizeof(c.network), "shop_default");
	c.publish_addr = 0x7f000001u;
	CHECK(info && !attached_host_of(&t, &c, info, 0x7f000002u) && t.nhosts == 0,
	      "an inspect reply whose Ports is an array makes no host");
	CHECK(reply && attached_busiest_network(reply, net, sizeof(net)) == 0 && !net[0],
	      "a container list whose Networks is an array names no network");
	kshim_table_free(&t);
	cJSON_Delete(info);
	cJSON_Delete(reply);
}

/* A remote engine's ports: those on every address are reached at its publish
 * address, those on its loopback not at all. */
static void
test_remote_ports(void)
{
	const char *inspect =
	    "{\"Name\": \"/b1\", \"Config\": {\"Hostname\": \"b1\"}, \"NetworkSettings\": "
	    "{\"Ports\": {\"9092/tcp\": [{\"HostIp\": \"0.0.0.0\", \"HostPort\": \"32768\"}], "
	    "\"9093/tcp\": [{\"HostIp\": \"127.0.0.1\", \"HostPort\": \"32769\"}]}}}";
	cJSON *info = cJSON_Parse(inspect);
	struct kshim_table t = {0};
	struct cluster c = {.publish_addr = 0xc0000205u};
	const struct kshim_host *h = attached_host_of(&t, &c, info, 0x7f000002u);
	const struct kshim_port *p = h ? kshim_host_find_port(h, 9092) : NULL;

	CHECK(p && p->host_addr == 0xc0000205u && p->host_port == 32768,
	      "remote engine: a port on 0.0.0.0 is reached at the publish address");
	CHECK(h && h->nports == 1 && !kshim_host_find_port(h, 9093),
	      "  ... one on its loopback is left out");
	c.publish_addr = 0x7f000001u;
	kshim_table_free(&t);
	h = attached_host_of(&t, &c, info, 0x7f000002u);
	CHECK(h && h->nports == 2 && kshim_host_find_port(h, 9093)->host_addr == 0x7f000001u,
	      "local engine: both, through 127.0.0.1");
	kshim_table_free(&t);
	cJSON_Delete(info);
}

int
main(void)
{
	int rc;

	if (scratch_make("attached-test") < 0)
		return 2;
	setenv("KSHIM_HOME", scratch, 1);
	test_round_trip();
	test_foreign();
	test_forget();
	test_odd_replies();
	test_remote_ports();
	rc = check_done();
	return scratch_remove() == 0 ? rc : 1;
}
