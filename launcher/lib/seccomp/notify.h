/* SPDX-License-Identifier: Apache-2.0 */
/* One trapped system call: receiving it, answering it, and acting on the
 * caller's file descriptors. */
#ifndef KSHIM_SECCOMP_NOTIFY_H
#define KSHIM_SECCOMP_NOTIFY_H

#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/stat.h>

#include "hosts.h"
#include "table.h"

/* Room for the kernel's notification and response structures, which may be
 * larger than this program's headers know. */
#define SECCOMP_NOTIFY_BUF_SIZE 512
/* pidfds kept, one a thread, by its tid */
#define SECCOMP_PIDFDS 64

struct seccomp_pidfd {
	pid_t tid;
	int fd; /* -1: none */
};

struct seccomp_ctx {
	int listener;
	int debug;
	int no_pidfd_thread;	    /* a kernel before 6.9 */
	int receive_ends;	    /* Linux 6.11: seccomp_notify_receive_ends */
	struct stat mnt, net, root; /* the supervisor's own namespaces and root */
	struct seccomp_table table;
	struct seccomp_hosts hosts;
	struct seccomp_pidfd pidfds[SECCOMP_PIDFDS];
};

/* Fails (errno) when the kernel's structures do not fit SECCOMP_NOTIFY_BUF_SIZE. */
int seccomp_notify_check_sizes(void);
/* Asks the kernel to run the caller and the supervisor on the same CPU, one
 * after the other (Linux 6.6): a trapped call then costs two switches, not
 * two wake-ups across CPUs. */
void seccomp_notify_prefer_sync_wakeup(int listener);
struct seccomp_job;
/* Whether a receive ends (0) once no process uses the filter, as it does
 * since Linux 6.11; before, it waits on, and only a poll sees the hang-up.
 * No when the kernel's version cannot be read. */
int seccomp_notify_receive_ends(void);
/* Waits for one notification and receives it into buf (SECCOMP_NOTIFY_BUF_SIZE
 * bytes): 1; 0 when none came (a signal, or its caller went away); -1 only
 * when the listener itself fails. */
int seccomp_notify_receive(struct seccomp_ctx *c, void *buf);
/* Non-zero once no process uses the filter. */
int seccomp_notify_unused(const struct seccomp_ctx *c);
/* Answers notification n, or returns 1 with a connect to make and answer in
 * *job. */
int seccomp_notify_answer(struct seccomp_ctx *c, const struct seccomp_notif *n,
			  struct seccomp_job *job);
/* Closed, the listener fails trapped calls with ENOSYS: errors, not a freeze.
 * Says why on stderr; c->listener becomes -1. */
void seccomp_notify_stop_answering(struct seccomp_ctx *c, const char *why);

/* Lets the kernel run the call as made. */
void seccomp_notify_continue(int listener, uint64_t id);
/* Answers the call with 0, or -1 and errno e. */
void seccomp_notify_reply(int listener, uint64_t id, int e);
/* Non-zero while the caller still waits for the answer to id. */
int seccomp_notify_valid(int listener, uint64_t id);
/* A copy of the caller's fd (pidfd_getfd) from the fd table the calling thread
 * uses, returned only when id is still valid after it was taken, so that a
 * reused pid can never be acted on; -1 otherwise. */
int seccomp_notify_take_fd(struct seccomp_ctx *c, const struct seccomp_notif *n, int fd);
/* The pidfd cache: empty, and closed. */
void seccomp_notify_pidfds_init(struct seccomp_ctx *c);
void seccomp_notify_pidfds_free(struct seccomp_ctx *c);
/* What a program's view is compared on: its mount namespace and root (the
 * hosts file it opens), or its network namespace (the address it connects). */
enum seccomp_view { SECCOMP_VIEW_FILES, SECCOMP_VIEW_NET };
/* Reads the supervisor's own namespaces and root into c. */
void seccomp_notify_view_init(struct seccomp_ctx *c);
/* Whether thread tid sees what the supervisor sees: a program in a chroot or a
 * mount or network namespace of its own is passed through untouched. Read at
 * each call acted on (unshare, setns and chroot are not trapped); no when it
 * cannot be read. */
int seccomp_notify_same_view(const struct seccomp_ctx *c, pid_t tid, enum seccomp_view what);
/* "kshim[sup]: ..." on stderr when KSHIM_DEBUG is set. */
void seccomp_notify_debug(const struct seccomp_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
