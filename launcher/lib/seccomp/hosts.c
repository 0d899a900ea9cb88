/* /etc/hosts for a supervised program: a sealed memfd holding the real file
 * and one line per table host, handed out on open with SECCOMP_IOCTL_NOTIF_ADDFD.
 * Unmapped names resolve exactly as without kshim. */
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

#include "mem.h"
#include "notify.h"

#define HOSTS "/etc/hosts"
#define HOSTS_MAX (1 << 20)
#define NOT_A_READ (O_WRONLY | O_RDWR | O_CREAT | O_PATH | O_DIRECTORY)

void
sc_hosts_init(struct sc_hosts *h)
{
	h->memfd = -1;
	h->generation = 0;
}

void
sc_hosts_free(struct sc_hosts *h)
{
	if (h->memfd >= 0)
		close(h->memfd);
	h->memfd = -1;
}

/* The real file, as the program would have read it; empty when missing. */
static void
copy_real_hosts(FILE *out)
{
	char buf[8192];
	size_t n, total = 0, last = 0;
	FILE *in = fopen(HOSTS, "re");

	if (!in)
		return;
	while (total < HOSTS_MAX && (n = fread(buf, 1, sizeof(buf), in)) > 0) {
		fwrite(buf, 1, n, out);
		total += n;
		last = (unsigned char)buf[n - 1];
	}
	fclose(in);
	if (total && last != '\n')
		fputc('\n', out);
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

static int
build(const struct sc_table *st)
{
	int fd = memfd_create("kshim-hosts", MFD_CLOEXEC | MFD_ALLOW_SEALING), dup_fd;
	FILE *out;

	if (fd < 0)
		return -1;
	if ((dup_fd = dup(fd)) < 0 || !(out = fdopen(dup_fd, "w"))) {
		if (dup_fd >= 0)
			close(dup_fd);
		close(fd);
		return -1;
	}
	copy_real_hosts(out);
	print_table_hosts(out, &st->t, st->path);
	if (fclose(out) != 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A fresh read-only file description of the merged file (offset 0), or -1. */
static int
open_merged(struct sc_ctx *c)
{
	struct sc_hosts *h = &c->hosts;
	char path[64];

	sc_table_refresh(&c->table);
	if (c->table.t.nhosts == 0)
		return -1;
	if (h->memfd < 0 || h->generation != c->table.generation) {
		int fd = build(&c->table);
		if (fd < 0)
			return -1;
		sc_hosts_free(h);
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
		    mem_read(n->pid, n->data.args[2], &how_flags, sizeof(how_flags)) !=
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
	got = mem_read(n->pid, path, buf, sizeof(buf));
	return got == (ssize_t)sizeof(buf) && memcmp(buf, HOSTS, sizeof(buf)) == 0;
}

static void
install(struct sc_ctx *c, const struct seccomp_notif *n, int fd, uint64_t flags)
{
	struct seccomp_notif_addfd add = {
	    .id = n->id,
	    .flags = SECCOMP_ADDFD_FLAG_SEND,
	    .srcfd = (uint32_t)fd,
	    .newfd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0,
	};
	int rc = ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);

	if (rc >= 0) {
		sc_debug(c, "open pid %u: %s -> kshim's hosts file (fd %d)", n->pid, HOSTS, rc);
		return;
	}
	/* ENOENT: the caller is gone. EINVAL: a kernel before 5.14, without
	 * ADDFD_FLAG_SEND: the open runs as made. EMFILE and the like: the open's. */
	if (errno == EINVAL)
		sc_continue(c->listener, n->id);
	else if (errno != ENOENT)
		sc_reply(c->listener, n->id, errno);
}

void
sc_hosts_open(struct sc_ctx *c, const struct seccomp_notif *n)
{
	uint64_t flags;
	int fd;

	if (!opens_hosts(n, &flags) || (fd = open_merged(c)) < 0) {
		sc_continue(c->listener, n->id);
		return;
	}
	if (sc_valid(c->listener, n->id))
		install(c, n, fd, flags);
	close(fd);
}
