/* SPDX-License-Identifier: Apache-2.0 */
/* Receiving trapped system calls, answering them, and taking the caller's
 * file descriptors. */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "connect.h"
#include "pool.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* Linux 6.9: a pidfd for any thread, not only a leader */
#endif

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64) /* Linux 6.6 */
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1UL
#endif

void
seccomp_notify_prefer_sync_wakeup(int listener)
{
	/* Best effort: older kernels answer EINVAL and wake up as usual. */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0)
		return;
}

int
seccomp_notify_check_sizes(void)
{
	struct seccomp_notif_sizes sizes;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return -1;
	if (sizes.seccomp_notif > SECCOMP_NOTIFY_BUF_SIZE ||
	    sizes.seccomp_notif_resp > SECCOMP_NOTIFY_BUF_SIZE) {
		errno = EOVERFLOW;
		return -1;
	}
	return 0;
}

void
seccomp_notify_debug(const struct seccomp_ctx *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (!c->debug)
		return;
	n = snprintf(buf, sizeof(buf), "kshim[sup]: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(2, buf, (size_t)n) < 0)
		return;
}

static void
send_resp(int listener, uint64_t id, int e, unsigned flags)
{
	union {
		struct seccomp_notif_resp r;
		char room[SECCOMP_NOTIFY_BUF_SIZE];
	} u;

	memset(&u, 0, sizeof(u));
	u.r.id = id;
	u.r.error = e ? -e : 0;
	u.r.flags = flags;
	/* ENOENT: the caller is gone (killed, or interrupted by a signal). */
	while (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &u) < 0 && errno == EINTR)
		;
}

void
seccomp_notify_continue(int listener, uint64_t id)
{
	send_resp(listener, id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

void
seccomp_notify_reply(int listener, uint64_t id, int e)
{
	send_resp(listener, id, e, 0);
}

int
seccomp_notify_valid(int listener, uint64_t id)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

void
seccomp_notify_view_init(struct seccomp_ctx *c)
{
	stat("/proc/self/ns/mnt", &c->mnt);
	stat("/proc/self/ns/net", &c->net);
	stat("/", &c->root);
}

/* Whether /proc/TID/what is the file mine is. */
static int
same_file(pid_t tid, const char *what, const struct stat *mine)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)tid, what);
	return stat(path, &st) == 0 && st.st_dev == mine->st_dev && st.st_ino == mine->st_ino;
}

int
seccomp_notify_same_view(const struct seccomp_ctx *c, pid_t tid, enum seccomp_view what)
{
	if (what == SECCOMP_VIEW_NET)
		return same_file(tid, "ns/net", &c->net);
	return same_file(tid, "ns/mnt", &c->mnt) && same_file(tid, "root", &c->root);
}

/* The thread-group leader of tid, for kernels without PIDFD_THREAD. */
static pid_t
leader_of(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if (!(f = fopen(path, "re")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/* Whether thread tid uses the fd table of its leader tgid (kcmp, which says
 * 0 for the same table); no when kcmp cannot tell. */
static int
same_files(pid_t tid, pid_t tgid)
{
	return tid == tgid || syscall(SYS_kcmp, tid, tgid, KCMP_FILES, 0, 0) == 0;
}

/* Without PIDFD_THREAD (Linux 6.9): a pidfd of the thread's process, when the
 * thread shares that process's fd table; -1 otherwise. */
static int
leader_pidfd(struct seccomp_ctx *c, const struct seccomp_notif *n)
{
	pid_t tid = (pid_t)n->pid, tgid;

	if ((tgid = leader_of(tid)) < 0)
		return -1;
	if (!same_files(tid, tgid)) {
		seccomp_notify_debug(
		    c,
		    "connect pid %d fd %d: passed through: the thread's fd table is not its "
		    "process's, and this kernel's pidfds (no PIDFD_THREAD) reach only that",
		    (int)tid, (int)n->data.args[0]);
		return -1;
	}
	return (int)syscall(SYS_pidfd_open, tgid, 0);
}

/* The uncached way, for kernels without PIDFD_THREAD: the leader's fd table
 * may stop being the thread's at any time (unshare is not trapped). */
static int
take_from_leader(struct seccomp_ctx *c, const struct seccomp_notif *n, int fd)
{
	int pidfd = leader_pidfd(c, n), copy = -1;

	if (pidfd < 0)
		return -1;
	if (seccomp_notify_valid(c->listener, n->id))
		copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	return copy;
}

void
seccomp_notify_pidfds_init(struct seccomp_ctx *c)
{
	for (int i = 0; i < SECCOMP_PIDFDS; i++)
		c->pidfds[i] = (struct seccomp_pidfd){.tid = 0, .fd = -1};
}

static void
forget(struct seccomp_pidfd *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

void
seccomp_notify_pidfds_free(struct seccomp_ctx *c)
{
	for (int i = 0; i < SECCOMP_PIDFDS; i++)
		forget(&c->pidfds[i]);
}

/* The cached pidfd of thread tid (PIDFD_THREAD), opened when missing; -1 with
 * errno. A pidfd names one thread for good: once that thread has exited,
 * pidfd_getfd on it fails with ESRCH, whoever has its tid now; across an
 * exec it names the thread that called exec, which is the one that traps. */
static int
thread_pidfd(struct seccomp_ctx *c, pid_t tid)
{
	struct seccomp_pidfd *p = &c->pidfds[(unsigned)tid % SECCOMP_PIDFDS];

	if (p->fd >= 0 && p->tid == tid)
		return p->fd;
	forget(p);
	p->fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	p->tid = tid;
	return p->fd;
}

/* pidfd_getfd through the cache; one retry with a fresh pidfd when the cached
 * one names a thread that has exited. -2 when the kernel lacks PIDFD_THREAD. */
static int
take_cached(struct seccomp_ctx *c, pid_t tid, int fd)
{
	int pidfd, copy = -1;

	for (int tries = 0; tries < 2; tries++) {
		if ((pidfd = thread_pidfd(c, tid)) < 0)
			return errno == EINVAL ? -2 : -1;
		copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		if (copy >= 0 || errno != ESRCH)
			break;
		forget(&c->pidfds[(unsigned)tid % SECCOMP_PIDFDS]);
	}
	return copy;
}

int
seccomp_notify_take_fd(struct seccomp_ctx *c, const struct seccomp_notif *n, int fd)
{
	int copy = -2;

	if (!c->no_pidfd_thread && (copy = take_cached(c, (pid_t)n->pid, fd)) == -2)
		c->no_pidfd_thread = 1;
	if (copy == -2)
		return take_from_leader(c, n, fd);
	/* Valid after the copy: the thread that trapped still waits, so the tid
	 * (and the cached pidfd) named it when the copy was taken. */
	if (copy >= 0 && !seccomp_notify_valid(c->listener, n->id)) {
		close(copy);
		copy = -1;
	}
	return copy;
}

int
seccomp_notify_receive_ends(void)
{
	struct utsname u;
	int major, minor;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	return major > 6 || (major == 6 && minor >= 11);
}

int
seccomp_notify_receive(struct seccomp_ctx *c, void *buf)
{
	memset(buf, 0, SECCOMP_NOTIFY_BUF_SIZE);
	if (ioctl(c->listener, SECCOMP_IOCTL_NOTIF_RECV, buf) == 0)
		return 1;
	/* ENOENT: the caller went away before it was received, or no process
	 * uses the filter any more. */
	return errno == EINTR || errno == ENOENT ? 0 : -1;
}

int
seccomp_notify_unused(const struct seccomp_ctx *c)
{
	struct pollfd p = {.fd = c->listener};

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

int
seccomp_notify_answer(struct seccomp_ctx *c, const struct seccomp_notif *n, struct seccomp_job *job)
{
	switch (n->data.nr) {
	case SYS_connect:
		return seccomp_connect(c, n, job);
	case SYS_open:
	case SYS_openat:
	case SYS_openat2:
		seccomp_hosts_open(c, n);
		return 0;
	default:
		seccomp_notify_continue(c->listener, n->id);
		return 0;
	}
}

void
seccomp_notify_stop_answering(struct seccomp_ctx *c, const char *why)
{
	int listener = c->listener;

	fprintf(stderr, "kshim: supervisor: %s: %s; trapped calls now fail with ENOSYS\n", why,
		strerror(errno));
	__atomic_store_n(&c->listener, -1, __ATOMIC_RELEASE);
	close(listener);
}
