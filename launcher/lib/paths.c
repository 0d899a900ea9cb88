/* SPDX-License-Identifier: Apache-2.0 */
/* The table directory and table paths, kshim's files (the shim, kshim-full) next
 * to kshim, cluster names, and the locks that order writers of the table directory. */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int
ensure_private_dir(const char *dir, int create, kshim_err_t *err)
{
	struct stat st;

	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return kshim_fail(err, errno, "cannot create table directory %s: %s", dir,
				  strerror(errno));
	if (stat(dir, &st) < 0) {
		if (!create && errno == ENOENT)
			return 0;
		return kshim_fail(err, errno, "cannot use table directory %s: %s", dir,
				  strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return kshim_fail(err, ENOTDIR, "%s is not a directory", dir);
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		kshim_fail(err, EPERM, "table directory %s is not private to this user", dir);
		return kshim_hint(err, "chmod 700 %s (and make sure you own it)", dir);
	}
	return 0;
}

static int
mkdir_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0755);
		*p = '/';
		if (rc < 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

int
kshim_table_dir(char *buf, size_t len, int create, kshim_err_t *err)
{
	const char *home = getenv("KSHIM_HOME"), *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	char cwd[PATH_MAX];

	/* Relative: against the directory kshim runs in, once, so that the
	 * KSHIM_TABLE it exports still names the file after a program chdirs. */
	if (home && *home && home[0] != '/' && getcwd(cwd, sizeof(cwd)))
		n = snprintf(buf, len, "%s/%s", cwd, home);
	else if (home && *home)
		n = snprintf(buf, len, "%s", home);
	else if (xdg && *xdg)
		n = snprintf(buf, len, "%s/kshim", xdg);
	else if ((home = getenv("HOME")) && *home)
		n = snprintf(buf, len, "%s/.local/state/kshim", home);
	else
		return kshim_fail(err, ENOENT, "no table directory: HOME is not set");
	if (n < 0 || (size_t)n >= len)
		return kshim_fail(err, ENAMETOOLONG, "table directory path too long");
	if (create && mkdir_parents(buf) < 0)
		return kshim_fail(err, errno, "cannot create %s: %s", buf, strerror(errno));
	return ensure_private_dir(buf, create, err);
}

int
kshim_cluster_file(const char *cluster, const char *suffix, char *buf, size_t len, int create,
		   kshim_err_t *err)
{
	char dir[PATH_MAX - 64];

	/* The name becomes a file name: never '/', '..' or anything odd. */
	if (kshim_cluster_name_check(cluster, err) < 0 ||
	    kshim_table_dir(dir, sizeof(dir), create, err) < 0)
		return -1;
	if ((size_t)snprintf(buf, len, "%s/%s%s", dir, cluster, suffix) >= len)
		return kshim_fail(err, ENAMETOOLONG, "path too long: %s/%s%s", dir, cluster,
				  suffix);
	return 0;
}

int
kshim_table_path(const char *cluster, char *buf, size_t len, int create, kshim_err_t *err)
{
	return kshim_cluster_file(cluster, ".table", buf, len, create, err);
}

/* Where make install put the shim (LIBDIR/kshim); set by the Makefile. */
#ifndef KSHIM_PKGLIBDIR
#define KSHIM_PKGLIBDIR "/usr/local/lib/kshim"
#endif

int
kshim_private_table_path(char *buf, size_t len, kshim_err_t *err)
{
	char dir[PATH_MAX - 64];

	if (kshim_table_dir(dir, sizeof(dir), 1, err) < 0)
		return -1;
	if ((size_t)snprintf(buf, len, "%s/run.%d.table", dir, (int)getpid()) >= len)
		return kshim_fail(err, ENAMETOOLONG, "table path too long");
	return 0;
}

int
kshim_lib_path(const char *file, char *buf, size_t len, kshim_err_t *err)
{
	static const char *const rel[] = {"", "../lib/kshim/", KSHIM_PKGLIBDIR "/"};
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n < 0)
		return kshim_fail(err, errno, "cannot find the kshim executable: %s",
				  strerror(errno));
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char cand[PATH_MAX + 32];
		if (rel[i][0] == '/')
			snprintf(cand, sizeof(cand), "%s%s", rel[i], file);
		else
			snprintf(cand, sizeof(cand), "%s/%s%s", exe, rel[i], file);
		if (access(cand, R_OK) == 0 && realpath(cand, buf) && strlen(buf) < len)
			return 0;
	}
	kshim_fail(err, ENOENT, "%s not found next to %s nor in %s", file, exe, KSHIM_PKGLIBDIR);
	return kshim_hint(err, "run 'make' (build tree) or 'make install' again");
}

int
kshim_cluster_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 40 || name[0] < 'a' || name[0] > 'z')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '-'))
			return 0;
	return 1;
}

int
kshim_cluster_name_check(const char *name, kshim_err_t *err)
{
	if (kshim_cluster_name_valid(name))
		return 0;
	return kshim_fail(err, KSHIM_EUSAGE,
			  "bad cluster name '%s': 1-40 of a-z, 0-9 and '-', starting with a letter",
			  name);
}

/* Whether fd is still the file at path: kshim_lock_remove may have unlinked
 * it while this process waited, and a lock on an unlinked file locks nothing. */
static int
still_linked(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int
kshim_lock(const char *name, int wait, int *fd, kshim_err_t *err)
{
	char dir[PATH_MAX - 64], path[PATH_MAX];

	if (kshim_table_dir(dir, sizeof(dir), 1, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (;;) {
		*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (*fd < 0)
			return kshim_fail(err, errno, "cannot open %s: %s", path, strerror(errno));
		if (flock(*fd, LOCK_EX | (wait ? 0 : LOCK_NB)) == 0) {
			if (still_linked(*fd, path))
				return 0;
		} else if (errno != EINTR || !wait) {
			int e = errno;
			close(*fd);
			*fd = -1;
			return kshim_fail(err, e == EWOULDBLOCK ? EBUSY : e, "%s is locked: %s",
					  path, strerror(e));
		}
		close(*fd);
	}
}

void
kshim_lock_remove(const char *name, int fd)
{
	char dir[PATH_MAX - 64], path[PATH_MAX];
	kshim_err_t e = {0};

	if (fd < 0)
		return;
	if (kshim_table_dir(dir, sizeof(dir), 0, &e) == 0) {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		unlink(path);
	}
	close(fd);
}

void
kshim_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
