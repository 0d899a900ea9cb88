/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the table module: parsing, lookups, printing, atomic writes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kshim/table.h"
#include "check.h"

struct warnings {
	int n;
	int lines[16];
};

static void
record(void *ctx, int line, const char *why)
{
	struct warnings *w = ctx;

	(void)why;
	if (w->n < 16)
		w->lines[w->n] = line;
	w->n++;
}

static int
parse(const char *text, struct kshim_table *t, struct warnings *w, const char **why)
{
	memset(t, 0, sizeof(*t));
	memset(w, 0, sizeof(*w));
	*why = NULL;
	return kshim_table_parse(text, strlen(text), t, record, w, why);
}

static void
test_valid(void)
{
	struct kshim_table t;
	struct warnings w;
	const char *why;
	const char *text =
	    "# comment\n"
	    "\n"
	    "kshim-table 1   # trailing comment\n"
	    "kafka1,Broker-1\t127.77.0.1\t9092=127.0.0.1:32801 9093=127.0.0.1:32802\n"
	    "  kafka2 127.77.0.2 9092=127.0.0.1:32803   \r\n"
	    "kafka3 127.77.0.3 9092=127.0.0.1:32804";
	int rc = parse(text, &t, &w, &why);
	const struct kshim_host *h;

	CHECK(rc == 0 && w.n == 0, "valid table parses without warnings");
	CHECK(t.nhosts == 3, "three hosts (got %d)", t.nhosts);
	h = kshim_table_find_name(&t, "KAFKA1");
	CHECK(h && h->addr == 0x7f4d0001, "names match case-insensitively");
	CHECK(kshim_table_find_name(&t, "kafka1.") == h, "a trailing dot is ignored");
	CHECK(kshim_table_find_name(&t, "kafka1..") == NULL, "two trailing dots are not");
	CHECK(kshim_table_find_name(&t, "broker-1") == h, "an alias finds its host");
	CHECK(kshim_table_find_name(&t, "kafka") == NULL, "a prefix does not match");
	CHECK(kshim_table_find_name(&t, "kafka10") == NULL, "a longer name does not match");
	CHECK(h && h->nports == 2 && kshim_host_find_port(h, 9093) &&
		  kshim_host_find_port(h, 9093)->host_port == 32802,
	      "several ports per host");
	CHECK(kshim_table_find_addr(&t, 0x7f4d0003) &&
		  strcmp(kshim_table_find_addr(&t, 0x7f4d0003)->names[0], "kafka3") == 0,
	      "reverse lookup by loopback address; last line without newline");
	CHECK(strcmp(h->names[1], "broker-1") == 0, "names are stored lower case");
	kshim_table_free(&t);
}

static void
test_malformed_lines(void)
{
	struct kshim_table t;
	struct warnings w;
	const char *why;
	const char *text =
	    "kshim-table 1\n"
	    "kafka1 127.77.0.1 9092=127.0.0.1:1\n"
	    "kafka2\n"						     /* 3: too few fields */
	    "kafka3 10.0.0.1 9092=127.0.0.1:3\n"		     /* 4: not loopback */
	    "kafka4 127.0.0.1 9092=127.0.0.1:4\n"		     /* 5: 127.0.0.1 */
	    "kafka5 127.77.0.5 9092=127.0.0.1:99999\n"		     /* 6: port range */
	    "kafka6 127.77.0.6 9092:127.0.0.1:6\n"		     /* 7: no '=' */
	    "KAFKA1 127.77.0.7 9092=127.0.0.1:7\n"		     /* 8: duplicate name */
	    "kafka8 127.77.0.1 9092=127.0.0.1:8\n"		     /* 9: duplicate addr */
	    "bad/name 127.77.0.9 9092=127.0.0.1:9\n"		     /* 10: bad name */
	    "1.2.3.4 127.77.0.10 9092=127.0.0.1:10\n"		     /* 11: IP as name */
	    "kafka9 127.77.0.11 9092=127.0.0.1:1 9092=127.0.0.1:2\n" /* 12: dup port */
	    "kafka10 127.77.0.12 9092=localhost:1\n"		     /* 13: host not IPv4 */
	    "kafka11 127.77.0.13 x=127.0.0.1:1\n"		     /* 14: port not number */
	    "kafka12 127.77.0.14 9092=127.0.0.1:12\n";
	int rc = parse(text, &t, &w, &why);

	CHECK(rc == 0, "malformed lines do not fail the whole table");
	CHECK(w.n == 12, "every malformed line is reported once (got %d)", w.n);
	CHECK(w.n >= 2 && w.lines[0] == 3 && w.lines[w.n - 1] == 14, "with its line number");
	CHECK(t.nhosts == 2 && kshim_table_find_name(&t, "kafka1") &&
		  kshim_table_find_name(&t, "kafka12"),
	      "good lines around bad ones are kept");
	kshim_table_free(&t);
}

static void
test_names(void)
{
	CHECK(kshim_name_valid("kafka1", 6) && kshim_name_valid("1kafka", 6) &&
		  kshim_name_valid("Kafka-1_x.example.", 18),
	      "host names with letters, digits, '-', '_', '.' and a trailing dot are valid");
	CHECK(!kshim_name_valid("1234", 4) && !kshim_name_valid("10.1.2.3", 8) &&
		  !kshim_name_valid("10.1", 4),
	      "digits and dots alone read as numeric addresses, never as names");
	CHECK(!kshim_name_valid("fe80::1", 7) && !kshim_name_valid("a b", 3) &&
		  !kshim_name_valid("", 0) && !kshim_name_valid(".", 1) &&
		  !kshim_name_valid("-a", 2) && !kshim_name_valid("a/b", 3) &&
		  !kshim_name_valid("k_..", 4) && !kshim_name_valid("a..b", 4),
	      "':', blanks, '/', empty names or labels and leading '.' or '-' are invalid");
}

static void
test_bad_files(void)
{
	struct kshim_table t;
	struct warnings w;
	const char *why;

	CHECK(parse("kafka1 127.77.0.1 9092=127.0.0.1:1\n", &t, &w, &why) < 0 && why &&
		  strstr(why, "header"),
	      "a table without header is refused: %s", why ? why : "");
	CHECK(parse("kshim-table 2\n", &t, &w, &why) < 0 && why && strstr(why, "version"),
	      "an unknown version is refused: %s", why ? why : "");
	CHECK(parse("", &t, &w, &why) < 0, "an empty file is refused");
	CHECK(parse("kshim-table 1\n", &t, &w, &why) == 0 && t.nhosts == 0,
	      "a header alone is an empty table");
	kshim_table_free(&t);
	static const char nul[] = "kshim-table 1\nka\0fka1 127.77.0.1 9092=127.0.0.1:1\n";
	memset(&t, 0, sizeof(t));
	memset(&w, 0, sizeof(w));
	CHECK(kshim_table_parse(nul, sizeof(nul) - 1, &t, record, &w, &why) == 0 && t.nhosts == 0 &&
		  w.n == 1,
	      "a NUL byte inside a name makes the line malformed");
	kshim_table_free(&t);
	CHECK(kshim_table_load("/nonexistent/kshim.table", &t, NULL, NULL, &why) < 0 &&
		  errno == ENOENT,
	      "a missing file fails with ENOENT");
}

static void
test_write(void)
{
	char dir[] = "/tmp/kshim-unit.XXXXXX", path[256], text[1024];
	struct kshim_table t = {0}, back;
	struct warnings w;
	struct kshim_host *h;
	struct stat st;
	const char *why;
	FILE *f;
	size_t n;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/x.table", dir);
	h = kshim_table_add(&t, "Kafka1", 0x7f4d0101);
	CHECK(h != NULL, "add a host");
	CHECK(h && kshim_host_set_port(h, 9092, 0x7f000001, 40001) == 0, "add a port");
	CHECK(h && kshim_host_add_name(&t, h, "alias1") == 0, "add an alias");
	CHECK(kshim_table_add(&t, "kafka1", 0x7f4d0102) == NULL && errno == EEXIST,
	      "a duplicate name is refused");
	CHECK(kshim_table_add(&t, "kafka2", 0x7f4d0101) == NULL && errno == EEXIST,
	      "a duplicate address is refused");
	CHECK(kshim_table_add(&t, "kafka2", 0x0a000001) == NULL && errno == EINVAL,
	      "a non-loopback address is refused");
	umask(0);
	CHECK(kshim_table_write(path, &t) == 0, "write the table");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	      "written with mode 0600 even under umask 0 (mode %o)", st.st_mode & 0777);
	f = fopen(path, "r");
	n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[n] = '\0';
	if (f)
		fclose(f);
	CHECK(parse(text, &back, &w, &why) == 0 && w.n == 0 && back.nhosts == 1 &&
		  kshim_table_find_name(&back, "ALIAS1") &&
		  kshim_host_find_port(&back.hosts[0], 9092)->host_port == 40001,
	      "what is written parses back the same");
	kshim_table_free(&back);
	CHECK(kshim_table_write("/nonexistent-dir/x.table", &t) < 0 && errno == ENOENT,
	      "a write to a missing directory fails");
	snprintf(text, sizeof(text), "ls -A %s | grep -v '^x.table$' | grep -q .", dir);
	CHECK(system(text) != 0, "no temporary file is left behind");
	kshim_table_free(&t);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	test_valid();
	test_malformed_lines();
	test_names();
	test_bad_files();
	test_write();
	return check_done();
}
