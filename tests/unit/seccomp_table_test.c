/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the supervisor's copy of the port table (launcher/lib/seccomp/table.c):
 * lookups after a load, the 100 ms re-check, reloads, and the files it refuses. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "lib/seccomp/table.h"
#include "scratch.h"

#define GOOD                                                                                       \
	"kshim-table 1\n"                                                                          \
	"kafka1 127.77.0.1 9092=127.0.0.1:40001\n"                                                 \
	"kafka2,alias2 127.77.0.2 9092=127.0.0.1:40002 19092=127.0.0.1:40012\n"

static char path[PATH_MAX + 16];

/* Refreshes st once the 100 ms between two looks at the file have passed. */
static void
refresh_later(struct seccomp_table *st)
{
	nanosleep(&(struct timespec){0, KSHIM_RECHECK_NS + 20 * 1000 * 1000L}, NULL);
	seccomp_table_refresh(st);
}

/* Replaces the table with text through a rename, as kshim writes it: a new file. */
static void
put_table(const char *text, mode_t mode)
{
	char tmp[PATH_MAX + 32];

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	scratch_put("t.table.tmp", text, mode);
	rename(tmp, path);
}

/* The host port that (addr, port) routes to, 0 when none. */
static unsigned
routed(const struct seccomp_table *st, const char *addr, uint16_t port)
{
	struct in_addr a;
	const struct kshim_port *p;

	inet_pton(AF_INET, addr, &a);
	p = kshim_table_route(&st->t, ntohl(a.s_addr), port);
	return p ? p->host_port : 0;
}

static const char *
addr_of(const struct seccomp_table *st, const char *name)
{
	static char buf[INET_ADDRSTRLEN];
	const struct kshim_host *h = kshim_table_find_name(&st->t, name);
	struct in_addr a;

	if (!h)
		return "(none)";
	a.s_addr = htonl(h->addr);
	return inet_ntop(AF_INET, &a, buf, sizeof(buf));
}

static void
test_load(struct seccomp_table *st)
{
	put_table(GOOD, 0600);
	seccomp_table_init(st, path);
	CHECK(st->state == 0 && st->t.nhosts == 0 && st->generation == 0,
	      "before the first refresh: nothing loaded, generation 0");
	seccomp_table_refresh(st);
	CHECK(st->state == 1 && st->t.nhosts == 2 && st->generation == 1,
	      "a good table loads: 2 hosts, generation 1 (state %d, %d hosts)", st->state,
	      st->t.nhosts);
	CHECK(strcmp(addr_of(st, "kafka1"), "127.77.0.1") == 0 &&
		  strcmp(addr_of(st, "alias2"), "127.77.0.2") == 0 &&
		  strcmp(addr_of(st, "KAFKA2"), "127.77.0.2") == 0,
	      "names and aliases look up to their addresses, in any case (alias2 -> %s)",
	      addr_of(st, "alias2"));
	CHECK(kshim_table_find_name(&st->t, "kafka3") == NULL &&
		  kshim_table_find_name(&st->t, "kafka") == NULL &&
		  kshim_table_find_name(&st->t, "kafka1x") == NULL,
	      "names the table lacks, prefixes and extensions of its names miss");
	CHECK(routed(st, "127.77.0.2", 19092) == 40012 && routed(st, "127.77.0.1", 9092) == 40001,
	      "each (address, port) routes to its own published port");
	CHECK(routed(st, "127.77.0.1", 19092) == 0 && routed(st, "127.77.0.3", 9092) == 0,
	      "a port the host lacks and an address no host has route nowhere");
}

static void
test_recheck(struct seccomp_table *st)
{
	put_table("kshim-table 1\nkafka9 127.77.0.9 9092=127.0.0.1:40009\n", 0600);
	seccomp_table_refresh(st);
	CHECK(st->generation == 1 && kshim_table_find_name(&st->t, "kafka9") == NULL,
	      "within 100 ms of the last look, a new file is not read yet");
	refresh_later(st);
	CHECK(st->generation == 2 && st->t.nhosts == 1 &&
		  strcmp(addr_of(st, "kafka9"), "127.77.0.9") == 0 &&
		  kshim_table_find_name(&st->t, "kafka1") == NULL,
	      "after 100 ms the new file replaces the table: generation 2, kafka9 only");
	refresh_later(st);
	CHECK(st->generation == 2, "an unchanged file is not read again (generation %u)",
	      st->generation);
}

static void
test_skipped_lines(struct seccomp_table *st)
{
	put_table("kshim-table 1\n"
		  "kafka1 127.77.0.1 9092=127.0.0.1:40001\n"
		  "bad line\n"
		  "kafka2 127.77.0.2 9092=127.0.0.1:99999\n"
		  "kafka3 127.77.0.3 9092=127.0.0.1:40003\n",
		  0600);
	refresh_later(st);
	CHECK(st->state == 1 && st->t.nhosts == 2 &&
		  strcmp(addr_of(st, "kafka3"), "127.77.0.3") == 0 &&
		  kshim_table_find_name(&st->t, "kafka2") == NULL,
	      "malformed lines (no ports, port 99999) are skipped, the 2 good ones load");
}

static void
test_transient(struct seccomp_table *st)
{
	unsigned gen = st->generation;

	unlink(path);
	refresh_later(st);
	CHECK(st->state == 1 && st->t.nhosts == 2 && st->generation == gen,
	      "a table that goes away keeps the last good one (%d hosts)", st->t.nhosts);
	put_table(GOOD, 0600);
	refresh_later(st);
	CHECK(st->generation == gen + 1 && strcmp(addr_of(st, "alias2"), "127.77.0.2") == 0,
	      "once it is back, it is read again");
}

/* Each file the supervisor must refuse empties the table. */
static void
test_unusable(struct seccomp_table *st)
{
	static const struct {
		const char *text;
		mode_t mode;
		const char *what;
	} bad[] = {
	    {"kafka1 127.77.0.1 9092=127.0.0.1:40001\n", 0600, "a file without its header"},
	    {"kshim-table 2\nkafka1 127.77.0.1 9092=127.0.0.1:40001\n", 0600, "version 2"},
	    {GOOD, 0666, "a file others may write"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_table(GOOD, 0600);
		refresh_later(st);
		put_table(bad[i].text, bad[i].mode);
		refresh_later(st);
		CHECK(st->state == -1 && st->t.nhosts == 0 &&
			  kshim_table_find_name(&st->t, "kafka1") == NULL,
		      "%s empties the table (state %d, %d hosts)", bad[i].what, st->state,
		      st->t.nhosts);
	}
}

/* A file of exactly len bytes: the good table, then a comment line filling it. */
static void
put_sized(size_t len)
{
	static char big[KSHIM_TABLE_FILE_MAX + 64];
	size_t n = (size_t)snprintf(big, sizeof(big), "%s#", GOOD);

	memset(big + n, 'x', len - n - 1);
	big[len - 1] = '\n';
	big[len] = '\0';
	put_table(big, 0600);
}

static void
test_size_limit(struct seccomp_table *st)
{
	put_sized(KSHIM_TABLE_FILE_MAX + 1);
	refresh_later(st);
	CHECK(st->state == -1 && st->t.nhosts == 0,
	      "a file of KSHIM_TABLE_FILE_MAX + 1 bytes empties the table (state %d)", st->state);
	put_sized(KSHIM_TABLE_FILE_MAX);
	refresh_later(st);
	CHECK(st->state == 1 && st->t.nhosts == 2,
	      "one of exactly KSHIM_TABLE_FILE_MAX (%d) bytes loads (state %d, %d hosts)",
	      KSHIM_TABLE_FILE_MAX, st->state, st->t.nhosts);
}

static void
test_never_there(void)
{
	struct seccomp_table st;
	char missing[PATH_MAX + 16];

	snprintf(missing, sizeof(missing), "%s/none.table", scratch);
	seccomp_table_init(&st, missing);
	seccomp_table_refresh(&st);
	CHECK(st.state == 0 && st.t.nhosts == 0 && st.generation == 0,
	      "a table that never existed leaves nothing loaded and nothing remembered");
	seccomp_table_init(&st, scratch);
	seccomp_table_refresh(&st);
	CHECK(st.state == -1 && st.t.nhosts == 0, "a directory is no table (state %d)", st.state);
	seccomp_table_free(&st);
}

int
main(void)
{
	struct seccomp_table st;

	if (scratch_make("seccomp-table") < 0)
		return 1;
	snprintf(path, sizeof(path), "%s/t.table", scratch);
	test_load(&st);
	test_recheck(&st);
	test_skipped_lines(&st);
	test_transient(&st);
	test_unusable(&st);
	test_size_limit(&st);
	seccomp_table_free(&st);
	test_never_there();
	CHECK(scratch_remove() == 0, "scratch directory removed");
	return check_done();
}
