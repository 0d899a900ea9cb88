/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the table directory (KSHIM_HOME, XDG_RUNTIME_DIR, HOME) and library paths. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "lib/paths.h"

static char scratch[PATH_MAX];

/* Sets the three variables kshim_table_dir reads; NULL unsets one. */
static void
set_env(const char *kshim_home, const char *xdg, const char *home)
{
	const char *names[] = {"KSHIM_HOME", "XDG_RUNTIME_DIR", "HOME"};
	const char *values[] = {kshim_home, xdg, home};

	for (int i = 0; i < 3; i++) {
		if (values[i])
			setenv(names[i], values[i], 1);
		else
			unsetenv(names[i]);
	}
}

/* scratch/rel */
static const char *
at(const char *rel)
{
	static char buf[4][2 * PATH_MAX];
	static int next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s", scratch, rel);
	return b;
}

static int
mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void
test_precedence(void)
{
	char dir[PATH_MAX];
	kshim_err_t err = {0};

	set_env(at("k"), at("x"), at("h"));
	CHECK(kshim_table_dir(dir, sizeof(dir), 0, &err) == 0 && strcmp(dir, at("k")) == 0,
	      "KSHIM_HOME comes first");
	set_env("", at("x"), at("h"));
	CHECK(kshim_table_dir(dir, sizeof(dir), 0, &err) == 0 && strcmp(dir, at("x/kshim")) == 0,
	      "an empty KSHIM_HOME counts as unset: $XDG_RUNTIME_DIR/kshim");
	set_env(NULL, "", at("h"));
	CHECK(kshim_table_dir(dir, sizeof(dir), 0, &err) == 0 &&
		  strcmp(dir, at("h/.local/state/kshim")) == 0,
	      "without both: $HOME/.local/state/kshim");
	set_env(NULL, NULL, NULL);
	CHECK(kshim_table_dir(dir, sizeof(dir), 0, &err) < 0 && err.code == ENOENT &&
		  strcmp(err.msg, "no table directory: HOME is not set") == 0,
	      "with none of the three: an error that says HOME is not set");
}

static void
test_create(void)
{
	char dir[PATH_MAX], path[PATH_MAX];
	kshim_err_t err = {0};

	set_env(NULL, NULL, at("h"));
	CHECK(kshim_table_dir(dir, sizeof(dir), 0, &err) == 0 && mode_of(dir) == -1,
	      "a missing directory is fine when not creating, and is not created");
	CHECK(kshim_table_dir(dir, sizeof(dir), 1, &err) == 0 && mode_of(dir) == 0700,
	      "created with mode 0700 (%o)", (unsigned)mode_of(dir));
	CHECK(mode_of(at("h/.local/state")) == 0755, "  ... with its parents (mode %o)",
	      (unsigned)mode_of(at("h/.local/state")));
	CHECK(kshim_table_path("c1", path, sizeof(path), 1, &err) == 0 &&
		  strcmp(path, at("h/.local/state/kshim/c1.table")) == 0,
	      "a cluster's table is <dir>/<cluster>.table");
	CHECK(kshim_table_dir(dir, sizeof(dir), 1, &err) == 0, "creating again is fine");
}

static void
test_private(void)
{
	char dir[PATH_MAX];
	kshim_err_t err = {0};
	FILE *f;

	mkdir(at("open"), 0755);
	chmod(at("open"), 0750);
	set_env(at("open"), NULL, NULL);
	CHECK(kshim_table_dir(dir, sizeof(dir), 0, &err) < 0 && err.code == EPERM &&
		  strstr(err.msg, "is not private to this user") && strstr(err.hint, "chmod 700"),
	      "a directory the group can read is refused, with the chmod to fix it");
	CHECK(kshim_table_dir(dir, sizeof(dir), 1, &err) < 0 && err.code == EPERM,
	      "  ... also when creating");
	f = fopen(at("file"), "w");
	if (f)
		fclose(f);
	set_env(at("file"), NULL, NULL);
	CHECK(kshim_table_dir(dir, sizeof(dir), 0, &err) < 0 && err.code == ENOTDIR,
	      "a file in the directory's place is refused");
	set_env(at("file/sub"), NULL, NULL);
	CHECK(kshim_table_dir(dir, sizeof(dir), 1, &err) < 0 && err.code == ENOTDIR &&
		  strstr(err.msg, "cannot create"),
	      "a directory that cannot be created says so");
}

static void
test_lengths(void)
{
	char longdir[PATH_MAX + 16], dir[64], path[PATH_MAX];
	kshim_err_t err = {0};

	memset(longdir, 'a', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	set_env(longdir, NULL, NULL);
	CHECK(kshim_table_dir(dir, sizeof(dir), 0, &err) < 0 && err.code == ENAMETOOLONG,
	      "a directory longer than the buffer is an error, not a truncation");
	longdir[PATH_MAX - 70] = '\0';
	CHECK(kshim_table_path("c", path, sizeof(path), 0, &err) < 0 && err.code == ENAMETOOLONG,
	      "so is a table path too long for PATH_MAX");
}

static void
test_names(void)
{
	static const struct {
		const char *name;
		int valid;
	} cases[] = {
	    {"kshim", 1},
	    {"a", 1},
	    {"ck-test-2", 1},
	    {"a234567890123456789012345678901234567890", 1},  /* 40 */
	    {"a2345678901234567890123456789012345678901", 0}, /* 41 */
	    {"", 0},
	    {"2kafka", 0},
	    {"-x", 0},
	    {"Kafka", 0},
	    {"my_cluster", 0},
	    {"a.b", 0},
	    {"a/b", 0},
	    {"a b", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(kshim_cluster_name_valid(cases[i].name) == cases[i].valid,
		      "cluster name '%s' is %s", cases[i].name,
		      cases[i].valid ? "valid" : "refused");
}

/* Runs a copy of this program from dir/bin; it prints kshim_lib_path's answer. */
static void
lib_path_from(const char *self, const char *dir, char *out, size_t len)
{
	char copy[3 * PATH_MAX], cmd[12 * PATH_MAX];
	FILE *p;

	snprintf(copy, sizeof(copy), "%s/bin/paths_test", dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/bin' && cp '%s' '%s' && '%s' lib-path 2>&1", dir,
		 self, copy, copy);
	out[0] = '\0';
	p = popen(cmd, "r");
	if (!p)
		return;
	if (!fgets(out, (int)len, p))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

static void
touch(const char *path)
{
	char cmd[6 * PATH_MAX];

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\" && : >'%s'", path, path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot create %s\n", path);
}

static void
test_lib_path(const char *self)
{
	char got[PATH_MAX + 64];

	lib_path_from(self, at("none"), got, sizeof(got));
	CHECK(strstr(got, "libkshim.so not found next to ") && strstr(got, "/none/bin") &&
		  strstr(got, "make install"),
	      "no libkshim.so: an error naming where it looked, and a hint (%s)", got);
	touch(at("inst/lib/kshim/libkshim.so"));
	lib_path_from(self, at("inst"), got, sizeof(got));
	CHECK(strcmp(got, at("inst/lib/kshim/libkshim.so")) == 0,
	      "installed layout: bin/kshim finds lib/kshim/libkshim.so (%s)", got);
	touch(at("both/bin/libkshim.so"));
	touch(at("both/lib/kshim/libkshim.so"));
	lib_path_from(self, at("both"), got, sizeof(got));
	CHECK(strcmp(got, at("both/bin/libkshim.so")) == 0,
	      "build tree: libkshim.so next to the executable comes first (%s)", got);
}

/* The child side of test_lib_path. */
static int
print_lib_path(void)
{
	char path[PATH_MAX];
	kshim_err_t err = {0};

	if (kshim_lib_path("libkshim.so", path, sizeof(path), &err) < 0) {
		printf("%s; hint: %s\n", err.msg, err.hint);
		return 1;
	}
	printf("%s\n", path);
	return 0;
}

int
main(int argc, char **argv)
{
	char tmpl[] = "/tmp/kshim-paths-test.XXXXXX", cmd[2 * PATH_MAX];
	int rc;

	if (argc > 1 && strcmp(argv[1], "lib-path") == 0)
		return print_lib_path();
	if (!mkdtemp(tmpl) || !realpath(tmpl, scratch))
		return 2;
	umask(022);
	test_precedence();
	test_create();
	test_private();
	test_lengths();
	test_names();
	test_lib_path(argv[0]);
	rc = check_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	return system(cmd) == 0 ? rc : 1;
}
