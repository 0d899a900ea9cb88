/* SPDX-License-Identifier: Apache-2.0 */
/* N processes write N clusters' tables into one directory at the same moment;
 * each must get its own loopback block. Prints the number of distinct blocks.
 * With "sync", N processes bring one table of N nodes up to date at once, each
 * moving its own node ROUNDS times (as watchers of restarts do); every node
 * must end on its writer's last port. Prints how many do.
 * Usage: tables_race [sync] N (KSHIM_HOME names the directory). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cluster.h"
#include "kshim/table.h"

static int
write_one(int i)
{
	struct cluster c;
	char name[32], path[4096];
	kshim_err_t err = {0};

	snprintf(name, sizeof(name), "race%d", i);
	if (cluster_init(&c, name, "img", FLAVOR_APACHE, ADVERTISE_INTERNAL, 1, &err) < 0)
		return 1;
	c.node[0].host_port = (uint16_t)(1000 + i);
	if (cluster_table_write(&c, path, sizeof(path), &err) < 0) {
		kshim_err_print(&err);
		return 1;
	}
	return 0;
}

static unsigned
block_of(int i)
{
	struct kshim_table t = {0};
	char path[4096];
	const char *why;
	unsigned b = 0;

	snprintf(path, sizeof(path), "%s/race%d.table", getenv("KSHIM_HOME"), i);
	if (kshim_table_load(path, &t, NULL, NULL, &why) == 0 && t.nhosts == 1)
		b = (t.hosts[0].addr >> 8) & 0xff;
	kshim_table_free(&t);
	return b;
}

#define ROUNDS 40

static int
sync_cluster(struct cluster *c, int n, kshim_err_t *err)
{
	if (cluster_init(c, "sync", "img", FLAVOR_APACHE, ADVERTISE_INTERNAL, n, err) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		c->node[i].host_port = (uint16_t)(1000 + i);
	return 0;
}

/* Moves node i of cluster sync ROUNDS times, syncing the table each time. */
static int
move_one(int i, int n)
{
	struct cluster c;
	char path[4096];
	kshim_err_t err = {0};
	int updated;

	if (sync_cluster(&c, n, &err) < 0)
		return 1;
	for (int j = 0; j < n; j++)
		c.node[j].host_port = 0; /* the other nodes: not known here, left alone */
	for (int k = 1; k <= ROUNDS; k++) {
		c.node[i].host_port = (uint16_t)(10000 + 100 * i + k);
		if (cluster_table_sync(&c, path, sizeof(path), &updated, &err) < 0) {
			kshim_err_print(&err);
			return 1;
		}
	}
	return 0;
}

/* How many nodes of table sync are on their writer's last port. */
static int
moved(int n)
{
	struct kshim_table t = {0};
	char path[4096], name[16];
	const char *why;
	int good = 0;

	snprintf(path, sizeof(path), "%s/sync.table", getenv("KSHIM_HOME"));
	if (kshim_table_load(path, &t, NULL, NULL, &why) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const struct kshim_host *h;
		const struct kshim_port *p;
		snprintf(name, sizeof(name), KAFKA_NODE_FMT, i + 1);
		h = kshim_table_find_name(&t, name);
		p = h ? kshim_host_find_port(h, KAFKA_PORT) : NULL;
		good += p && p->host_port == 10000 + 100 * i + ROUNDS;
	}
	kshim_table_free(&t);
	return good;
}

/* Runs job(i, n) in n processes that start together; returns how many failed. */
static int
race(int n, int (*job)(int, int))
{
	int go[2], bad = 0;

	if (pipe(go) < 0)
		return n;
	for (int i = 0; i < n; i++) {
		if (fork() == 0) {
			char c;
			close(go[1]);
			if (read(go[0], &c, 1) < 0) /* returns at close: all start together */
				_exit(2);
			_exit(job(i, n));
		}
	}
	close(go[0]);
	close(go[1]);
	for (int i = 0; i < n; i++) {
		int st;
		wait(&st);
		bad += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	}
	return bad;
}

static int
write_job(int i, int n)
{
	(void)n;
	return write_one(i);
}

static int
sync_race(int n)
{
	struct cluster c;
	char path[4096];
	kshim_err_t err = {0};
	int bad, good, null = open("/dev/null", O_WRONLY);

	if (sync_cluster(&c, n, &err) < 0 || cluster_table_write(&c, path, sizeof(path), &err) < 0)
		return 2;
	dup2(null, 2); /* each sync says what moved */
	bad = race(n, move_one);
	good = moved(n);
	printf("%d nodes, %d on their writer's last port, %d writers failed\n", n, good, bad);
	return good == n && bad == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	int sync = argc > 2 && strcmp(argv[1], "sync") == 0;
	int n = argc > 1 ? atoi(argv[argc - 1]) : 8, bad;
	unsigned char seen[256] = {0};
	int distinct = 0;

	if (n < 1 || n > 200)
		return 2;
	if (sync)
		return sync_race(n);
	bad = race(n, write_job);
	for (int i = 0; i < n; i++) {
		unsigned b = block_of(i);
		if (b && !seen[b]++)
			distinct++;
	}
	printf("%d tables, %d distinct blocks, %d writers failed\n", n, distinct, bad);
	return distinct == n && bad == 0 ? 0 : 1;
}
