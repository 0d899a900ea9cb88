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
#define SC_BUF_SIZE 512
/* pidfds kept, one a thread, by its tid */
#define SC_PIDFDS 64

struct sc_pidfd {
	pid_t tid;
	int fd; /* -1: none */
};

struct sc_ctx {
	int listener;
	int debug;
	int no_pidfd_thread;	    /* a kernel before 6.9, or the test hook says so */
	struct stat mnt, net, root; /* the supervisor's own namespaces and root */
	struct sc_table table;
	struct sc_hosts hosts;
	struct sc_pidfd pidfds[SC_PIDFDS];
};

/* Fails (errno) when the kernel's structures do not fit SC_BUF_SIZE. */
int sc_check_sizes(void);
/* Asks the kernel to run the caller and the supervisor on the same CPU, one
 * after the other (Linux 6.6): a trapped call then costs two switches, not
 * two wake-ups across CPUs. */
void sc_prefer_sync_wakeup(int listener);
struct sc_job;
/* Receives one notification into buf (SC_BUF_SIZE bytes) and answers it, or
 * returns 1 with a connect to make and answer in *job; -1 only when the
 * listener itself fails. */
int sc_serve_one(struct sc_ctx *c, void *buf, struct sc_job *job);
/* Closed, the listener fails trapped calls with ENOSYS: errors, not a freeze.
 * Says why on stderr; c->listener becomes -1. */
void sc_stop_answering(struct sc_ctx *c, const char *why);

/* Lets the kernel run the call as made. */
void sc_continue(int listener, uint64_t id);
/* Answers the call with 0, or -1 and errno e. */
void sc_reply(int listener, uint64_t id, int e);
/* Non-zero while the caller still waits for the answer to id. */
int sc_valid(int listener, uint64_t id);
/* A copy of the caller's fd (pidfd_getfd) from the fd table the calling thread
 * uses, returned only when id is still valid after it was taken, so that a
 * reused pid can never be acted on; -1 otherwise. */
int sc_take_fd(struct sc_ctx *c, const struct seccomp_notif *n, int fd);
/* The pidfd cache: empty, and closed. */
void sc_pidfds_init(struct sc_ctx *c);
void sc_pidfds_free(struct sc_ctx *c);
/* What a program's view is compared on: its mount namespace and root (the
 * hosts file it opens), or its network namespace (the address it connects). */
enum sc_view { SC_FILES, SC_NET };
/* Reads the supervisor's own namespaces and root into c. */
void sc_view_init(struct sc_ctx *c);
/* Whether thread tid sees what the supervisor sees: a program in a chroot or a
 * mount or network namespace of its own is passed through untouched. Read at
 * each call acted on (unshare, setns and chroot are not trapped); no when it
 * cannot be read. */
int sc_same_view(const struct sc_ctx *c, pid_t tid, enum sc_view what);
/* "kshim[sup]: ..." on stderr when KSHIM_DEBUG is set. */
void sc_debug(const struct sc_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
