/* SPDX-License-Identifier: Apache-2.0 */
/* A cluster's TLS and SASL files on the host, and copying them into its containers. */
#include "secrets.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "paths.h"
#include "ready.h"

/* The uid and gid of appuser in the official image (and kshim/kafka:local). */
#define IMAGE_UID 1000
#define TAR_BLOCK 512

int
secrets_dir(const char *cluster, char *buf, size_t len, int create, kshim_err_t *err)
{
	char dir[PATH_MAX - 64];

	if (kshim_cluster_name_check(cluster, err) < 0 ||
	    kshim_table_dir(dir, sizeof(dir), create, err) < 0)
		return -1;
	if ((size_t)snprintf(buf, len, "%s/%s.secrets", dir, cluster) >= len)
		return kshim_fail(err, ENAMETOOLONG, "secrets path too long");
	if (create && mkdir(buf, 0700) < 0 && errno != EEXIST)
		return kshim_fail(err, errno, "cannot create %s: %s", buf, strerror(errno));
	return 0;
}

int
secrets_path(const char *cluster, const char *file, char *buf, size_t len, kshim_err_t *err)
{
	char dir[PATH_MAX - 64];

	if (secrets_dir(cluster, dir, sizeof(dir), 0, err) < 0)
		return -1;
	if ((size_t)snprintf(buf, len, "%s/%s", dir, file) >= len)
		return kshim_fail(err, ENAMETOOLONG, "secrets path too long");
	return 0;
}

/* A new file of mode 0600 from the start (never widened by the umask or an old file). */
static int
write_private(const char *dir, const char *name, const char *data, kshim_err_t *err)
{
	char path[PATH_MAX];
	size_t len = strlen(data);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return kshim_fail(err, errno, "cannot create %s: %s", path, strerror(errno));
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0) {
		int e = errno ? errno : EIO;
		close(fd);
		return kshim_fail(err, e, "cannot write %s: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

int
secrets_remove(const char *cluster, int *removed, kshim_err_t *err)
{
	char dir[PATH_MAX - 256], path[PATH_MAX];
	struct dirent *e;
	DIR *dp;

	*removed = 0;
	if (secrets_dir(cluster, dir, sizeof(dir), 0, err) < 0)
		return -1;
	if (!(dp = opendir(dir)))
		return errno == ENOENT
			   ? 0
			   : kshim_fail(err, errno, "cannot open %s: %s", dir, strerror(errno));
	while ((e = readdir(dp)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(dp);
	if (rmdir(dir) < 0)
		return kshim_fail(err, errno, "cannot remove %s: %s", dir, strerror(errno));
	*removed = 1;
	return 0;
}

static int
write_node(const char *dir, tls_ca_t *ca, const char *const *names, int nnames,
	   const struct secrets *s, time_t now, kshim_err_t *err)
{
	char *keystore = NULL, *cert = NULL, file[64];
	int rc;

	if (tls_issue(ca, names, nnames, s->key_password, now - 3600, SECRETS_VALID_S, &keystore,
		      &cert, err) < 0)
		return -1;
	snprintf(file, sizeof(file), "%s.keystore.pem", names[0]);
	rc = write_private(dir, file, keystore, err);
	snprintf(file, sizeof(file), "%s.crt", names[0]);
	if (rc == 0)
		rc = write_private(dir, file, cert, err);
	free(keystore);
	free(cert);
	return rc;
}

/* The CA and each node's key and certificate; the CA's key is dropped at the end. */
static int
write_tls(const struct cluster *c, const char *dir, const char *const *sans, int nsans,
	  const struct secrets *s, kshim_err_t *err)
{
	time_t now = time(NULL);
	const char *names[TLS_NAMES_MAX];
	char cn[96], *pem = NULL;
	tls_ca_t *ca;
	int rc;

	snprintf(cn, sizeof(cn), "kshim cluster %s CA", c->name);
	/* An hour back: a container clock slightly behind still accepts them. */
	if (tls_ca_new(cn, now - 3600, SECRETS_VALID_S, &ca, err) < 0)
		return -1;
	rc = tls_ca_pem(ca, &pem, err);
	if (rc == 0)
		rc = write_private(dir, SECRETS_CA, pem, err);
	free(pem);
	for (int i = 0; i < c->n && rc == 0; i++) {
		names[0] = c->node[i].name;
		for (int j = 0; j < nsans; j++)
			names[j + 1] = sans[j];
		rc = write_node(dir, ca, names, nsans + 1, s, now, err);
	}
	tls_ca_free(ca);
	return rc;
}

int
secrets_create(const struct cluster *c, const char *const *sans, int nsans, struct secrets *s,
	       kshim_err_t *err)
{
	char dir[PATH_MAX - 256], cred[256];
	int removed;

	if (nsans > SECRETS_SANS_MAX)
		return kshim_fail(err, KSHIM_EUSAGE, "at most %d --tls-san names",
				  SECRETS_SANS_MAX);
	memset(s, 0, sizeof(*s));
	snprintf(s->user, sizeof(s->user), "%s", SECRETS_USER);
	/* A directory left by a crashed up of a cluster that no longer exists. */
	if (secrets_remove(c->name, &removed, err) < 0 ||
	    secrets_dir(c->name, dir, sizeof(dir), 1, err) < 0 ||
	    tls_password(s->password, err) < 0 || tls_password(s->key_password, err) < 0)
		return -1;
	if (c->tls && write_tls(c, dir, sans, nsans, s, err) < 0)
		return -1;
	if (c->sasl == SASL_NONE)
		return 0;
	snprintf(cred, sizeof(cred), "mechanism=%s\nusername=%s\npassword=%s\n",
		 sasl_mechanism(c->sasl), s->user, s->password);
	return write_private(dir, SECRETS_CREDENTIALS, cred, err);
}

/* The username= and password= lines of <secrets dir>/<file>. */
static int
read_credentials(const char *cluster, const char *file, char user[32],
		 char password[TLS_PASSWORD_LEN + 1], kshim_err_t *err)
{
	char path[PATH_MAX], text[512];
	const char *u, *p;
	size_t n;
	FILE *f;

	if (secrets_path(cluster, file, path, sizeof(path), err) < 0)
		return -1;
	if (!(f = fopen(path, "re")))
		return kshim_fail(err, errno, "cannot read %s: %s", path, strerror(errno));
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	u = strstr(text, "username=");
	p = strstr(text, "password=");
	if (!u || !p || sscanf(u, "username=%31[^\n]", user) != 1 ||
	    sscanf(p, "password=%32[^\n]", password) != 1)
		return kshim_fail(err, EPROTO, "%s: no username= and password= lines", path);
	return 0;
}

int
secrets_load(const char *cluster, struct secrets *s, kshim_err_t *err)
{
	memset(s, 0, sizeof(*s));
	return read_credentials(cluster, SECRETS_CREDENTIALS, s->user, s->password, err);
}

/* A tar archive in memory: regular files owned by the image's user, mode 0600. */
struct tarball {
	char *buf;
	size_t len, cap;
};

static int
tar_reserve(struct tarball *t, size_t more)
{
	if (t->len + more <= t->cap)
		return 0;
	size_t cap = (t->len + more) * 2;
	char *n = realloc(t->buf, cap);
	if (!n)
		return -1;
	memset(n + t->cap, 0, cap - t->cap);
	t->buf = n;
	t->cap = cap;
	return 0;
}

/* v in octal, zero-padded to width - 1 digits and a NUL, as tar's numeric fields. */
static void
octal(char *field, int width, unsigned long long v)
{
	field[width - 1] = '\0';
	for (int i = width - 2; i >= 0; i--, v >>= 3)
		field[i] = (char)('0' + (v & 7));
}

/* One ustar header (name under 100 bytes) and the data padded to a block. */
static int
tar_add(struct tarball *t, const char *name, const char *data, size_t len)
{
	size_t padded = (len + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
	unsigned sum = 0;
	char *h;

	if (strlen(name) >= 100 || tar_reserve(t, TAR_BLOCK + padded + 2 * TAR_BLOCK) < 0)
		return -1;
	h = t->buf + t->len;
	memcpy(h, name, strlen(name));
	octal(h + 100, 8, 0600);
	octal(h + 108, 8, IMAGE_UID);
	octal(h + 116, 8, IMAGE_UID);
	octal(h + 124, 12, len);
	octal(h + 136, 12, (unsigned long long)time(NULL));
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < TAR_BLOCK; i++)
		sum += (unsigned char)h[i];
	octal(h + 148, 7, sum);
	h[155] = ' ';
	memcpy(h + TAR_BLOCK, data, len);
	t->len += TAR_BLOCK + padded;
	return 0;
}

char *
secrets_read(const char *cluster, const char *file, kshim_err_t *err)
{
	char path[PATH_MAX];

	if (secrets_path(cluster, file, path, sizeof(path), err) < 0)
		return NULL;
	return file_read(path, err);
}

/* Adds the host file <secrets dir>/<file> to t as name. */
static int
tar_add_file(struct tarball *t, const char *cluster, const char *file, const char *name,
	     kshim_err_t *err)
{
	char path[PATH_MAX], *data;
	int rc;

	if (secrets_path(cluster, file, path, sizeof(path), err) < 0 ||
	    !(data = file_read(path, err)))
		return -1;
	rc = tar_add(t, name, data, strlen(data));
	free(data);
	return rc < 0 ? kshim_fail(err, ENOMEM, "cannot pack %s", file) : 0;
}

/* Everything node i's container needs, as paths relative to its root. */
static int
pack_node(const struct cluster *c, int i, const struct secrets *s, struct tarball *t,
	  kshim_err_t *err)
{
	struct flavor_secrets sec = {s->key_password, s->user, s->password};
	char props[8192], file[64], args[512];
	struct flavor_node fn;

	cluster_flavor_node(c, i, &fn);
	if (flavor_secret_properties(&fn, &sec, props, sizeof(props), err) < 0 ||
	    tar_add(t, FLAVOR_MOUNTED_PROPS_REL, props, strlen(props)) < 0)
		return -1;
	snprintf(file, sizeof(file), "%s.keystore.pem", c->node[i].name);
	if (c->tls &&
	    (tar_add_file(t, c->name, file, FLAVOR_SECRETS_REL "/" FLAVOR_KEYSTORE, err) < 0 ||
	     tar_add_file(t, c->name, SECRETS_CA, FLAVOR_SECRETS_REL "/" FLAVOR_CA, err) < 0))
		return -1;
	if (c->sasl != SASL_SCRAM)
		return 0;
	if (flavor_properties(&fn, props, sizeof(props), err) < 0 ||
	    flavor_format_args(&fn, s->user, s->password, args, sizeof(args), err) < 0 ||
	    tar_add(t, FLAVOR_SECRETS_REL "/" FLAVOR_FORMAT_PROPS, props, strlen(props)) < 0 ||
	    tar_add(t, FLAVOR_SECRETS_REL "/" FLAVOR_FORMAT_ARGS, args, strlen(args)) < 0 ||
	    flavor_probe_properties(&fn, s->user, s->password, props, sizeof(props), err) < 0 ||
	    tar_add(t, FLAVOR_SECRETS_REL "/" FLAVOR_PROBE_PROPS, props, strlen(props)) < 0)
		return -1;
	return 0;
}

int
secrets_upload(docker_t *d, const struct cluster *c, int i, const struct secrets *s,
	       kshim_err_t *err)
{
	struct tarball t = {0};
	int rc = pack_node(c, i, s, &t, err);

	if (rc == 0 && t.len == 0)
		rc = kshim_fail(err, ENOMEM, "out of memory");
	if (rc == 0)
		rc = docker_container_upload(d, c->node[i].id, "/", t.buf, t.len + 2 * TAR_BLOCK,
					     err);
	free(t.buf);
	return rc < 0 ? kshim_wrap(err, "copying secrets into %s", c->node[i].container) : 0;
}

int
secrets_use_for_probes(const struct cluster *c, kshim_err_t *err)
{
	static char ca[PATH_MAX];
	static struct secrets s;
	int sasl = c->sasl != SASL_NONE;

	if (!c->tls && !sasl)
		return 0;
	if (c->tls && secrets_path(c->name, SECRETS_CA, ca, sizeof(ca), err) < 0)
		return -1;
	if (sasl && secrets_load(c->name, &s, err) < 0)
		return -1;
	/* Without SCRAM that works, probes go from inside (ready_inside). */
	ready_security(flavor_protocol(c->tls, c->sasl), c->tls ? ca : NULL,
		       sasl ? sasl_mechanism(c->sasl) : NULL, sasl ? s.user : NULL,
		       sasl ? s.password : NULL);
	return 0;
}
