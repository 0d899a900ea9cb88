/* SPDX-License-Identifier: Apache-2.0 */
/* deny: runs a command under a seccomp filter that fails one system call the
 * supervisor uses, as a kernel without it would (make build/tests/deny). The
 * filter stays on the command and all it starts.
 *
 *   deny addfd|send|pidfd_getfd|pidfd_thread|uname COMMAND [ARG]...
 *
 * addfd        ioctl SECCOMP_IOCTL_NOTIF_ADDFD fails with EINVAL (before 5.9;
 *              5.9 to 5.13 refuse SECCOMP_ADDFD_FLAG_SEND the same way)
 * send         ioctl SECCOMP_IOCTL_NOTIF_SEND fails with EINVAL (before 5.5,
 *              a kernel without SECCOMP_USER_NOTIF_FLAG_CONTINUE)
 * pidfd_getfd  pidfd_getfd fails with ENOSYS (before 5.6)
 * pidfd_thread pidfd_open fails with EINVAL when its flags have PIDFD_THREAD
 *              (before 6.9, which knew no such flag); other pidfd_opens pass
 * uname        uname fails with ENOSYS: the kernel's version is unknown, and
 *              the supervisor must work as on the oldest kernel it supports */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOAD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define IF_EQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
#define ANY 0 /* fail the call whatever its arguments */

/* Fails system call nr with errno e when its second argument (its low 32 bits)
 * equals k (op BPF_JEQ), has a bit of k (BPF_JSET), or always (ANY). */
static int
install(int nr, unsigned op, unsigned k, int e)
{
	struct sock_filter f[] = {
	    LOAD(offsetof(struct seccomp_data, arch)),
	    IF_EQ(AUDIT_ARCH_X86_64, 0, 4),
	    LOAD(offsetof(struct seccomp_data, nr)),
	    IF_EQ((unsigned)nr, 0, 2),
	    LOAD(offsetof(struct seccomp_data, args) + 8),
	    BPF_JUMP(BPF_JMP | (op ? op : BPF_JEQ) | BPF_K, k, 1, (unsigned char)(op ? 0 : 1)),
	    RET(SECCOMP_RET_ALLOW),
	    RET(SECCOMP_RET_ERRNO | (unsigned)e),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

int
main(int argc, char **argv)
{
	int rc = -1;

	if (argc < 3) {
		fprintf(stderr, "usage: deny addfd|send|pidfd_getfd|pidfd_thread|uname COMMAND "
				"[ARG]...\n");
		return 2;
	}
	if (strcmp(argv[1], "addfd") == 0)
		rc = install(SYS_ioctl, BPF_JEQ, SECCOMP_IOCTL_NOTIF_ADDFD, EINVAL);
	else if (strcmp(argv[1], "send") == 0)
		rc = install(SYS_ioctl, BPF_JEQ, SECCOMP_IOCTL_NOTIF_SEND, EINVAL);
	else if (strcmp(argv[1], "pidfd_getfd") == 0)
		rc = install(SYS_pidfd_getfd, ANY, 0, ENOSYS);
	else if (strcmp(argv[1], "pidfd_thread") == 0)
		rc = install(SYS_pidfd_open, BPF_JSET, PIDFD_THREAD, EINVAL);
	else if (strcmp(argv[1], "uname") == 0)
		rc = install(SYS_uname, ANY, 0, ENOSYS);
	else
		errno = EINVAL;
	if (rc < 0) {
		fprintf(stderr, "deny: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "deny: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
