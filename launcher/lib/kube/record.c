/* SPDX-License-Identifier: Apache-2.0 */
/* The record of a Service attached in Kubernetes, and the files of its forwarder. */
#include "record.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../file.h"
#include "../paths.h"

#define RECORD_MAGIC "kshim-kube 1"

static void
record_field(struct kube_record *r, const char *key, const char *value)
{
	static const struct {
		const char *key;
		size_t off, len;
	} fields[] = {
	    {"context", offsetof(struct kube_record, context), sizeof(r->context)},
	    {"namespace", offsetof(struct kube_record, ns), sizeof(r->ns)},
	    {"service", offsetof(struct kube_record, service), sizeof(r->service)},
	    {"domain", offsetof(struct kube_record, domain), sizeof(r->domain)},
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(key, fields[i].key) == 0)
			snprintf((char *)r + fields[i].off, fields[i].len, "%s", value);
}

int
kube_record_read(const char *name, struct kube_record *r, int *found, kshim_err_t *err)
{
	char path[PATH_MAX], line[400], key[16], value[300];
	FILE *f;

	memset(r, 0, sizeof(*r));
	*found = 0;
	if (kshim_cluster_file(name, KUBE_RECORD, path, sizeof(path), 0, err) < 0)
		return -1;
	if (!(f = fopen(path, "re")))
		return errno == ENOENT ? 0
				       : kshim_fail(err, errno, "%s: %s", path, strerror(errno));
	if (!fgets(line, sizeof(line), f) || strcmp(line, RECORD_MAGIC "\n") != 0) {
		fclose(f);
		kshim_fail(err, EINVAL, "%s is not a kshim Kubernetes record", path);
		return kshim_hint(err,
				  "remove it and attach again: kshim attach --kubernetes ... "
				  "--name %s",
				  name);
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%15s %299s", key, value) == 2)
			record_field(r, key, value);
	fclose(f);
	*found = 1;
	if (!r->ns[0] || !r->service[0])
		return kshim_fail(err, EINVAL, "%s names no namespace or Service", path);
	return 0;
}

int
kube_record_write(const char *name, const struct kube_record *r, kshim_err_t *err)
{
	char path[PATH_MAX], text[1024];

	if (kshim_cluster_file(name, KUBE_RECORD, path, sizeof(path), 1, err) < 0)
		return -1;
	snprintf(text, sizeof(text),
		 RECORD_MAGIC "\ncontext %s\nnamespace %s\nservice %s\ndomain %s\n", r->context,
		 r->ns, r->service, r->domain);
	return file_write(path, text, err);
}

int
kube_pid_write(const char *name, pid_t pid, kshim_err_t *err)
{
	char path[PATH_MAX], text[32];

	if (kshim_cluster_file(name, KUBE_PIDFILE, path, sizeof(path), 1, err) < 0)
		return -1;
	snprintf(text, sizeof(text), "%ld\n", (long)pid);
	return file_write(path, text, err);
}

pid_t
kube_forwarder(const char *name)
{
	char path[PATH_MAX], lock[64];
	kshim_err_t e = {0};
	long pid = 0;
	FILE *f;
	int fd;

	snprintf(lock, sizeof(lock), "%s.lock", name);
	if (kshim_lock(lock, 0, &fd, &e) == 0) {
		kshim_unlock(fd); /* nobody holds it: no forwarder */
		return 0;
	}
	if (kshim_cluster_file(name, KUBE_PIDFILE, path, sizeof(path), 0, &e) < 0 ||
	    !(f = fopen(path, "re")))
		return 0;
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1 || kill((pid_t)pid, 0) < 0)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

int
kube_forget(const char *name, int *had, kshim_err_t *err)
{
	static const char *const suffixes[] = {".table", KUBE_RECORD, KUBE_PIDFILE, KUBE_LOG,
					       ".lock"};
	char path[PATH_MAX];

	*had = 0;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (kshim_cluster_file(name, suffixes[i], path, sizeof(path), 0, err) < 0)
			return -1;
		if (unlink(path) == 0)
			(*had)++;
		else if (errno != ENOENT)
			return kshim_fail(err, errno, "cannot remove %s: %s", path,
					  strerror(errno));
	}
	return 0;
}
