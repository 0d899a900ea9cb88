/* N processes write N clusters' tables into one directory at the same moment;
 * each must get its own loopback block. Prints the number of distinct blocks.
 * Usage: tables_race N (KSHIM_HOME names the directory). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cluster.h"
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

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 8, go[2], bad = 0;
	unsigned char seen[256] = {0};
	int distinct = 0;

	if (n < 1 || n > 200 || pipe(go) < 0)
		return 2;
	for (int i = 0; i < n; i++) {
		if (fork() == 0) {
			char c;
			close(go[1]);
			if (read(go[0], &c, 1) < 0) /* returns at close: all start together */
				_exit(2);
			_exit(write_one(i));
		}
	}
	close(go[0]);
	close(go[1]);
	for (int i = 0; i < n; i++) {
		int st;
		wait(&st);
		bad += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	}
	for (int i = 0; i < n; i++) {
		unsigned b = block_of(i);
		if (b && !seen[b]++)
			distinct++;
	}
	printf("%d tables, %d distinct blocks, %d writers failed\n", n, distinct, bad);
	return distinct == n && bad == 0 ? 0 : 1;
}
