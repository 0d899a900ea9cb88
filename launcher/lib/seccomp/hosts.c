/* SPDX-License-Identifier: Apache-2.0 */
/* /etc/hosts for a supervised program: a sealed memfd holding one line per
 * table host, then the real file, handed out on open with
 * SECCOMP_IOCTL_NOTIF_ADDFD. A mapped name resolves to the table's address
 * alone, as under the preload, even where the real file names it too;
 * unmapped names resolve exactly as without kshim. */
#include "hosts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../cleanup.h"
#include "mem.h"
#include "notify.h"

#define HOSTS "/etc/hosts"
#define HOSTS_MAX (1 << 20)
#define NOT_A_READ (O_WRONLY | O_RDWR | O_CREAT | O_PATH | O_DIRECTORY)

void
seccomp_hosts_init(struct seccomp_hosts *h)
{
	h->memfd = -1;
	h->generation = 0;
}

void
seccomp_hosts_free(struct seccomp_hosts *h)
{
	if (h->memfd >= 0)
		close(h->memfd);
	h->memfd = -1;
}

/* The next name of a hosts line (a word after the address, before any '#'),
 * from *i on: its offset and length; 0 at the end. */
static int
next_name(const char *line, size_t *i, size_t *at, size_t *len)
{
	size_t end = strcspn(line, "#");

	if (*i == 0)
		*i = strcspn(line, " \t#");
	*i += strspn(line + *i, " \t");
	if (*i >= end)
		return 0;
	*at = *i;
	*len = strcspn(line + *i, " \t#");
	*i += *len;
	return 1;
}

static int
mapped(const struct kshim_table *t, const char *word, size_t len)
{
	char name[KSHIM_NAME_MAX + 1];

	if (len > KSHIM_NAME_MAX)
		return 0;
	memcpy(name, word, len);
	name[len] = '\0';
	return kshim_table_find_name(t, name) != NULL;
}

/* A line of the real file, without its newline. One that names a mapped host
 * is kept as a comment, followed by its address with its other names: glibc's
 * resolver gathers every line for a name and would sort 127.0.0.1 before the
 * table's 127.77.0.1, so only the table's line may name a mapped host. */
static void
copy_line(FILE *out, const char *line, const struct kshim_table *t)
{
	size_t i = 0, at, len, nmapped = 0, others = 0;

	while (next_name(line, &i, &at, &len))
		*(mapped(t, line + at, len) ? &nmapped : &others) += 1;
	if (!nmapped) {
		fprintf(out, "%s\n", line);
		return;
	}
	fprintf(out, "# kshim run: mapped above: %s\n", line);
	if (!others)
		return;
	fprintf(out, "%.*s", (int)strcspn(line, " \t#"), line);
	for (i = 0; next_name(line, &i, &at, &len);)
		if (!mapped(t, line + at, len))
			fprintf(out, " %.*s", (int)len, line + at);
	fputc('\n', out);
}

/* The real file, as the program would have read it but for the lines that
 * name mapped hosts. */
static void
copy_real_hosts(FILE *out, const struct kshim_table *t, FILE *in)
{
	cleanup_free char *line = NULL;
	size_t cap = 0, total = 0;
	ssize_t n;

	while (total < HOSTS_MAX && (n = getline(&line, &cap, in)) > 0) {
		total += (size_t)n;
		line[strcspn(line, "\n")] = '\0';
		copy_line(out, line, t);
	}
}

static void
print_table_hosts(FILE *out, const struct kshim_table *t, const char *path)
{
	char a[INET_ADDRSTRLEN];

	fprintf(out, "# kshim run: the names of %s\n", path);
	for (int i = 0; i < t->nhosts; i++) {
		struct in_addr in = {.s_addr = htonl(t->hosts[i].addr)};
		inet_ntop(AF_INET, &in, a, sizeof(a));
		fputs(a, out);
		for (int j = 0; j < t->hosts[i].nnames; j++)
			fprintf(out, " %s", t->hosts[i].names[j]);
		fputc('\n', out);
	}
}

void
seccomp_hosts_write(FILE *out, const struct kshim_table *t, const char *table, FILE *real)
{
	print_table_hosts(out, t, table);
	if (real)
		copy_real_hosts(out, t, real);
}

static void
write_merged(FILE *out, const struct seccomp_table *st)
{
	FILE *real = fopen(HOSTS, "re");

	seccomp_hosts_write(out, &st->t, st->path, real);
	if (real)
		fclose(real);
}

static int
build(const struct seccomp_table *st)
{
	cleanup_close int fd = memfd_create("kshim-hosts", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	cleanup_close int dup_fd = fd < 0 ? -1 : dup(fd);
	FILE *out = dup_fd < 0 ? NULL : fdopen(dup_fd, "w");

	if (!out)
		return -1;
	steal_fd(&dup_fd); /* out owns it */
	write_merged(out, st);
	if (fclose(out) != 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return -1;
	return steal_fd(&fd);
}

/* A fresh read-only file description of the merged file (offset 0), or -1. */
static int
open_merged(struct seccomp_ctx *c)
{
	struct seccomp_hosts *h = &c->hosts;
	char path[64];

	seccomp_table_refresh(&c->table);
	if (c->table.t.nhosts == 0)
		return -1;
	if (h->memfd < 0 || h->generation != c->table.generation) {
		int fd = build(&c->table);
		if (fd < 0)
			return -1;
		seccomp_hosts_free(h);
		h->memfd = fd;
		h->generation = c->table.generation;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", h->memfd);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* The path and flags of open, openat or openat2; -1 when they cannot be read. */
static int
open_args(const struct seccomp_notif *n, uint64_t *path, uint64_t *flags)
{
	uint64_t how_flags;

	switch (n->data.nr) {
	case SYS_open:
		*path = n->data.args[0];
		*flags = (uint32_t)n->data.args[1];
		return 0;
	case SYS_openat:
		*path = n->data.args[1];
		*flags = (uint32_t)n->data.args[2];
		return 0;
	default: /* openat2(dirfd, path, struct open_how *how, size): flags come first */
		if (n->data.args[3] < sizeof(how_flags) ||
		    seccomp_mem_read(n->pid, n->data.args[2], &how_flags, sizeof(how_flags)) !=
			sizeof(how_flags))
			return -1;
		*path = n->data.args[1];
		*flags = how_flags;
		return 0;
	}
}

/* Non-zero when the caller opens exactly "/etc/hosts" for reading. */
static int
opens_hosts(const struct seccomp_notif *n, uint64_t *flags)
{
	char buf[sizeof(HOSTS)];
	uint64_t path;
	ssize_t got;

	if (open_args(n, &path, flags) < 0 || (*flags & NOT_A_READ))
		return 0;
	got = seccomp_mem_read(n->pid, path, buf, sizeof(buf));
	return got == (ssize_t)sizeof(buf) && memcmp(buf, HOSTS, sizeof(buf)) == 0;
}

static void
install(struct seccomp_ctx *c, const struct seccomp_notif *n, int fd, uint64_t flags)
{
	struct seccomp_notif_addfd add = {
	    .id = n->id,
	    .flags = SECCOMP_ADDFD_FLAG_SEND,
	    .srcfd = (uint32_t)fd,
	    .newfd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0,
	};
	int rc = ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);

	if (rc >= 0) {
		seccomp_notify_debug(c, "open pid %u: %s -> kshim's hosts file (fd %d)", n->pid,
				     HOSTS, rc);
		return;
	}
	/* ENOENT: the caller is gone. EINVAL (a kernel without ADDFD_FLAG_SEND,
	 * which seccomp_filter_probe refuses): the open runs as made. EMFILE and
	 * the like: the open's. */
	if (errno == EINVAL)
		seccomp_notify_continue(c->listener, n->id);
	else if (errno != ENOENT)
		seccomp_notify_reply(c->listener, n->id, errno);
}

/* A program in a chroot or a mount namespace of its own opens its own file. */
static int
own_files(const struct seccomp_ctx *c, const struct seccomp_notif *n)
{
	if (seccomp_notify_same_view(c, (pid_t)n->pid, SECCOMP_VIEW_FILES))
		return 1;
	seccomp_notify_debug(c, "open pid %u: %s passed through: another root or mount namespace",
			     n->pid, HOSTS);
	return 0;
}

void
seccomp_hosts_open(struct seccomp_ctx *c, const struct seccomp_notif *n)
{
	uint64_t flags;
	int fd;

	if (!opens_hosts(n, &flags) || !own_files(c, n) || (fd = open_merged(c)) < 0) {
		seccomp_notify_continue(c->listener, n->id);
		return;
	}
	if (seccomp_notify_valid(c->listener, n->id))
		install(c, n, fd, flags);
	close(fd);
}
