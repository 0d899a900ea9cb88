/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the hosts file a supervised program reads (launcher/lib/seccomp/hosts.c):
 * the merged text line by line, its size limit, and the file programs under the real
 * supervisor get when they open /etc/hosts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check.h"
#include "lib/seccomp/hosts.h"
#include "lib/seccomp/supervise.h"
#include "scratch.h"

#define TABLE                                                                                      \
	"kshim-table 1\n"                                                                          \
	"kafka1 127.77.0.1 9092=127.0.0.1:40001\n"                                                 \
	"kafka2,alias2 127.77.0.2 9092=127.0.0.1:40002\n"
#define HEAD                                                                                       \
	"# kshim run: the names of /t.table\n"                                                     \
	"127.77.0.1 kafka1\n"                                                                      \
	"127.77.0.2 kafka2 alias2\n"

/* What seccomp_hosts_write makes of real (NULL: no file); the caller frees it. */
static char *
merged(const struct kshim_table *t, const char *real, size_t len)
{
	char *text = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&text, &n);
	FILE *in = real ? fmemopen((void *)real, len, "r") : NULL;

	seccomp_hosts_write(out, t, "/t.table", in);
	if (in)
		fclose(in);
	fclose(out);
	return text;
}

/* A check that got is want, showing got when it is not. */
static void
expect_text(const char *got, const char *want, const char *what)
{
	int same = got && strcmp(got, want) == 0;

	CHECK(same, "%s", what);
	if (!same)
		printf("# got:\n%s\n# want:\n%s\n", got ? got : "(null)", want);
}

static void
test_lines(const struct kshim_table *t)
{
	static const char real[] = "127.0.0.1 localhost\n"
				   "127.0.0.1 kafka1\n"
				   "10.0.0.5\tkafka2  db # kafka1 in a comment\n"
				   "# kafka1 only in a comment\n"
				   "\n"
				   "10.0.0.7 kafka10 kafka kafka1x\n"
				   "10.0.0.8 alias2";
	char *got = merged(t, real, sizeof(real) - 1);

	expect_text(got,
		    HEAD "127.0.0.1 localhost\n"
			 "# kshim run: mapped above: 127.0.0.1 kafka1\n"
			 "# kshim run: mapped above: 10.0.0.5\tkafka2  db # kafka1 in a comment\n"
			 "10.0.0.5 db\n"
			 "# kafka1 only in a comment\n"
			 "\n"
			 "10.0.0.7 kafka10 kafka kafka1x\n"
			 "# kshim run: mapped above: 10.0.0.8 alias2\n",
		    "the table's hosts first; real lines naming a mapped host become comments, "
		    "their other names kept on a line of their own; comments, blank lines and "
		    "near names unchanged");
	free(got);
}

static void
test_edges(const struct kshim_table *t)
{
	static const char upper[] = "10.0.0.9 KAFKA1 other\n";
	char longname[KSHIM_NAME_MAX + 64], *got;

	got = merged(t, NULL, 0);
	expect_text(got, HEAD, "no real file: the table's lines alone");
	free(got);
	got = merged(t, upper, sizeof(upper) - 1);
	expect_text(got, HEAD "# kshim run: mapped above: 10.0.0.9 KAFKA1 other\n10.0.0.9 other\n",
		    "a mapped name in capitals is mapped too");
	free(got);
	snprintf(longname, sizeof(longname), "10.0.0.1 kafka1");
	memset(longname + 15, 'x', KSHIM_NAME_MAX);
	longname[15 + KSHIM_NAME_MAX] = '\0';
	got = merged(t, longname, strlen(longname));
	CHECK(got && strncmp(got, HEAD "10.0.0.1 kafka1xxx", strlen(HEAD) + 18) == 0 &&
		  strlen(got) == strlen(HEAD) + strlen(longname) + 1,
	      "a name longer than KSHIM_NAME_MAX that starts with a mapped one is copied as is");
	free(got);
}

/* The real file is read up to 1 MiB: 16-byte lines, 65536 of them fill it. */
static void
test_limit(const struct kshim_table *t)
{
	size_t lines = 70000, len = lines * 16, n = 0;
	char *real = malloc(len + 1), *got;

	for (size_t i = 0; real && i < lines; i++)
		snprintf(real + i * 16, 17, "10.1.0.1 h%05zu\n", i);
	got = real ? merged(t, real, len) : NULL;
	for (char *p = got; p && (p = strchr(p, '\n')); p++)
		n++;
	CHECK(n == 3 + 65536 && got && strstr(got, "h65535\n") && !strstr(got, "h65536"),
	      "a real file over 1 MiB is copied up to its first 1 MiB: 65536 of 70000 lines (%zu)",
	      n - 3);
	free(got);
	free(real);
}

/* Runs sh -c script under the supervisor with the table at path; its exit status. */
static int
supervised(const char *table, const char *script)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
	kshim_err_t err = {0};
	int status = -1;

	if (seccomp_supervise_run(argv, table, &status, &err) < 0) {
		printf("# supervisor: %s (%s)\n", err.msg, err.hint);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *
slurp(const char *dir, const char *file, size_t *len)
{
	char path[PATH_MAX + 64], *text = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	*len = 0;
	if (f && (text = calloc(1, 4 << 20)))
		*len = fread(text, 1, (4 << 20) - 1, f);
	if (f)
		fclose(f);
	return text;
}

static int
same(const char *a, size_t alen, const char *b, size_t blen)
{
	return a && b && alen == blen && memcmp(a, b, alen) == 0;
}

/* Under the real supervisor: what cat reads from /etc/hosts, and from /etc//hosts. */
static void
test_supervised(void)
{
	char table[PATH_MAX + 16], script[PATH_MAX + 128], *want = NULL, *got, *real, *etc;
	size_t want_len = 0, got_len, real_len, etc_len;
	struct kshim_table t = {0};
	FILE *out = open_memstream(&want, &want_len), *in = fopen("/etc/hosts", "re");

	snprintf(table, sizeof(table), "%s/t.table", scratch);
	scratch_put("t.table", TABLE, 0600);
	kshim_table_load(table, &t, NULL, NULL, &(const char *){NULL});
	seccomp_hosts_write(out, &t, table, in);
	fclose(out);
	if (in)
		fclose(in);
	snprintf(script, sizeof(script),
		 "cd '%s' && cat /etc/hosts >merged && cat /etc//hosts >real && "
		 "cat /etc/hosts /etc/hosts >twice",
		 scratch);
	CHECK(supervised(table, script) == 0, "sh and cat ran under the supervisor");
	got = slurp(scratch, "merged", &got_len);
	real = slurp(scratch, "real", &real_len);
	etc = slurp("/etc", "hosts", &etc_len);
	CHECK(same(got, got_len, want, want_len) && got_len > strlen(HEAD),
	      "open(\"/etc/hosts\") reads the merged file, byte for byte (%zu bytes)", got_len);
	CHECK(same(real, real_len, etc, etc_len),
	      "open(\"/etc//hosts\") is not exactly /etc/hosts: the real file (%zu bytes)",
	      real_len);
	free(got);
	got = slurp(scratch, "twice", &got_len);
	CHECK(got && got_len == 2 * want_len && same(got, want_len, want, want_len) &&
		  same(got + want_len, want_len, want, want_len),
	      "each open reads it from its start: twice the merged file (%zu bytes)", got_len);
	free(got);
	scratch_put("t.table", "kshim-table 1\n", 0600);
	CHECK(supervised(table, script) == 0, "sh and cat ran with an empty table");
	got = slurp(scratch, "merged", &got_len);
	CHECK(same(got, got_len, etc, etc_len),
	      "with no host in the table, /etc/hosts is the real file (%zu bytes)", got_len);
	free(got);
	free(real);
	free(etc);
	free(want);
	kshim_table_free(&t);
}

int
main(void)
{
	struct kshim_table t = {0};

	if (scratch_make("seccomp-hosts") < 0)
		return 1;
	CHECK(kshim_table_parse(TABLE, sizeof(TABLE) - 1, &t, NULL, NULL, &(const char *){NULL}) ==
		      0 &&
		  t.nhosts == 2,
	      "the test's table parses: 2 hosts");
	test_lines(&t);
	test_edges(&t);
	test_limit(&t);
	kshim_table_free(&t);
	test_supervised();
	CHECK(scratch_remove() == 0, "scratch directory removed");
	return check_done();
}
