/* SPDX-License-Identifier: Apache-2.0 */
/* The BPF filter: traps connect to an IPv4/IPv6-sized address and read-only
 * opens, lets every other system call through untouched. */
#include "filter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Only the native ABI is trapped; i386 and x32 calls run untouched. */
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#define X32_BIT 0x40000000u
/* An open with any of these cannot be the read of /etc/hosts. */
#define NOT_A_READ (O_WRONLY | O_RDWR | O_CREAT | O_PATH | O_DIRECTORY)

#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define LOAD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define IF_EQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define IF_GE(k, t, f) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f))
#define IF_SET(k, t, f) BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (k), (t), (f))

/* Jump offsets are relative: from instruction i to label L is L - i - 1. */
enum { L_CONNECT = 8, L_OPEN = 11, L_OPENAT = 13, L_ALLOW = 15, L_NOTIFY = 16 };
#define TO(i, label) ((label) - (i)-1)

static const struct sock_filter program[] = {
    LOAD(offsetof(struct seccomp_data, arch)),
    IF_EQ(NATIVE_ARCH, 0, TO(1, L_ALLOW)),
    LOAD(offsetof(struct seccomp_data, nr)),
    IF_GE(X32_BIT, TO(3, L_ALLOW), 0),
    IF_EQ(__NR_connect, TO(4, L_CONNECT), 0),
    IF_EQ(__NR_open, TO(5, L_OPEN), 0),
    IF_EQ(__NR_openat, TO(6, L_OPENAT), 0),
    IF_EQ(__NR_openat2, TO(7, L_NOTIFY), TO(7, L_ALLOW)), /* its flags are in memory */
    /* L_CONNECT: connect(fd, addr, len) */
    LOAD(ARG_LO(2)),
    IF_EQ(sizeof(struct sockaddr_in), TO(9, L_NOTIFY), 0),
    IF_EQ(sizeof(struct sockaddr_in6), TO(10, L_NOTIFY), TO(10, L_ALLOW)),
    /* L_OPEN: open(path, flags) */
    LOAD(ARG_LO(1)),
    IF_SET(NOT_A_READ, TO(12, L_ALLOW), TO(12, L_NOTIFY)),
    /* L_OPENAT: openat(dirfd, path, flags) */
    LOAD(ARG_LO(2)),
    IF_SET(NOT_A_READ, TO(14, L_ALLOW), TO(14, L_NOTIFY)),
    /* L_ALLOW */
    RET(SECCOMP_RET_ALLOW),
    /* L_NOTIFY */
    RET(SECCOMP_RET_USER_NOTIF),
};

_Static_assert(sizeof(program) / sizeof(program[0]) == L_NOTIFY + 1, "labels match the program");

/* Zero when the kernel lists its seccomp actions and user_notif is not one;
 * where the list cannot be read, seccomp() itself decides. */
static int
has_user_notif(void)
{
	char buf[256];
	FILE *f = fopen("/proc/sys/kernel/seccomp/actions_avail", "re");
	size_t n;

	if (!f)
		return 1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, "user_notif") != NULL;
}

static int
hint(kshim_err_t *err)
{
	return kshim_hint(err, "use --via preload for a dynamically linked program, or run the "
			       "program in a container on the cluster's network");
}

static int
refuse_missing(const char *what, const char *since, kshim_err_t *err)
{
	kshim_fail(err, ENOSYS,
		   "run: this kernel lacks %s (Linux %s), which the seccomp supervisor uses", what,
		   since);
	return hint(err);
}

int
seccomp_filter_available(kshim_err_t *err)
{
	if (!has_user_notif())
		return seccomp_filter_refuse(ENOSYS, err);
	/* pidfd_getfd answers EBADF for a bad pidfd where it exists. */
	if (syscall(SYS_pidfd_getfd, -1, 0, 0) < 0 && errno == ENOSYS)
		return refuse_missing("pidfd_getfd", "5.6", err);
	return 0;
}

/* Whether the listener knows request with these flags: asked about a
 * notification that does not exist, a kernel that does answers ENOENT;
 * one that does not, EINVAL. */
static int
knows(int listener, unsigned long request, void *arg)
{
	return ioctl(listener, request, arg) < 0 && errno == ENOENT;
}

int
seccomp_filter_probe(int listener, kshim_err_t *err)
{
	/* Called before the program runs: no notification is pending, so any id
	 * names none. */
	struct seccomp_notif_resp resp = {.id = 1, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
	struct seccomp_notif_addfd add = {
	    .id = 1, .flags = SECCOMP_ADDFD_FLAG_SEND, .srcfd = (uint32_t)listener};

	if (!knows(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp))
		return refuse_missing("SECCOMP_USER_NOTIF_FLAG_CONTINUE", "5.5", err);
	if (!knows(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add))
		return refuse_missing("SECCOMP_ADDFD_FLAG_SEND", "5.14", err);
	return 0;
}

int
seccomp_filter_install(void)
{
	struct sock_fprog prog = {
	    .len = sizeof(program) / sizeof(program[0]),
	    .filter = (struct sock_filter *)program,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			    &prog);
}

int
seccomp_filter_refuse(int e, kshim_err_t *err)
{
	if (e == EBUSY)
		kshim_fail(err, e,
			   "run: seccomp user notification is taken: this process is "
			   "already supervised (nested kshim run, or another supervisor)");
	else if (e == ENOSYS)
		return refuse_missing("seccomp user notification", "5.0", err);
	else
		kshim_fail(err, e,
			   "run: cannot install a seccomp filter: %s (an outer sandbox "
			   "may forbid it)",
			   strerror(e));
	return hint(err);
}
