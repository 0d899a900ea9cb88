/* SPDX-License-Identifier: Apache-2.0 */
/* The supervisor process: forks the program with the filter installed, takes
 * the listener over a socket pair, forwards signals, answers notifications
 * until no process uses the filter and the program has been reaped. */
#include "supervise.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cleanup.h"
#include "filter.h"
#include "notify.h"
#include "pool.h"

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

/* Sends the listener (or, with fd -1, the errno of the failed install). */
static void
send_listener(int sock, int fd, int e)
{
	char ctl[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = &e, .iov_len = sizeof(e)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(sock, &m, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* The listener, or -1 with *e the child's errno (or this side's). */
static int
recv_listener(int sock, int *e)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = e, .iov_len = sizeof(*e)};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c;
	ssize_t n;
	int fd;

	while ((n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(*e)) {
		*e = n < 0 ? errno : EPIPE;
		return -1;
	}
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* In the child: dies with the supervisor, filter, hand over the listener,
 * wait for the go-ahead, exec. */
static void __attribute__((noreturn))
child_main(int sock, char **argv, const sigset_t *old, pid_t supervisor)
{
	int listener;
	char go;

	/* Killed when the supervisor dies, rather than carrying on with every
	 * trapped call failing with ENOSYS; the supervisor may have died before. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != supervisor)
		_exit(127);
	listener = seccomp_filter_install();

	send_listener(sock, listener, listener < 0 ? errno : 0);
	if (listener < 0)
		_exit(127);
	close(listener);
	if (read(sock, &go, 1) != 1)
		_exit(127);
	close(sock);
	sigprocmask(SIG_SETMASK, old, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "kshim: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Reaps every child that ended: the program (its status in *status) and the
 * orphans the supervisor adopted as a subreaper, whose exit releases their
 * hold on the filter. Returns whether the program has been reaped. */
static int
reap(pid_t child, int *status, int reaped)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (pid == child) {
			*status = st;
			reaped = 1;
		}
	return reaped;
}

/* Signals a process sent to kshim go on to the program; those the kernel sent
 * to the whole foreground group (a terminal's ^C) reached it already. */
static int
on_signal(int sigfd, pid_t child, int *status, int reaped)
{
	struct signalfd_siginfo si;

	if (read(sigfd, &si, sizeof(si)) != sizeof(si))
		return reaped;
	if (si.ssi_signo == SIGCHLD)
		return reap(child, status, reaped);
	if (!reaped && si.ssi_code != SI_KERNEL)
		kill(child, (int)si.ssi_signo);
	return reaped;
}

/* The main thread forwards signals and reaps, and passes the lead on when the
 * pool's timer finds the leader stuck in a connect; the pool's threads answer
 * the trapped calls. */
static void
serve(struct seccomp_ctx *c, int sigfd, pid_t child, int *status)
{
	/* No events: poll reports the listener only when no process uses the
	 * filter any more (POLLHUP). */
	struct pollfd p[3] = {{.fd = c->listener, .events = 0},
			      {.fd = sigfd, .events = POLLIN},
			      {.fd = -1, .events = POLLIN}};
	int reaped = 0;

	*status = 1 << 8; /* exit status 1, should the program never be reaped */
	if (seccomp_pool_start(c) < 0)
		seccomp_notify_stop_answering(c, "starting a thread");
	p[2].fd = seccomp_pool_timer();
	while (!reaped || p[0].fd >= 0) {
		if (__atomic_load_n(&c->listener, __ATOMIC_ACQUIRE) < 0)
			p[0].fd = -1; /* a thread stopped answering */
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			if (c->listener >= 0)
				seccomp_notify_stop_answering(c, "poll");
			break;
		}
		if (p[1].revents & POLLIN)
			reaped = on_signal(sigfd, child, status, reaped);
		if ((p[2].revents & POLLIN) && seccomp_pool_watch(c))
			seccomp_notify_debug(c,
					     "a connect held the lead for %d ms: another thread "
					     "leads meanwhile",
					     SECCOMP_POOL_STUCK_MS);
		if (p[0].revents)
			p[0].fd = -1;
	}
	seccomp_pool_stop();
	while (!reaped && waitpid(child, status, 0) < 0 && errno == EINTR)
		;
}

static void
ctx_init(struct seccomp_ctx *c, int listener, const char *table)
{
	memset(c, 0, sizeof(*c));
	c->listener = listener;
	c->debug = kshim_debugging();
	c->receive_ends = seccomp_notify_receive_ends();
	seccomp_notify_view_init(c);
	seccomp_table_init(&c->table, table);
	seccomp_hosts_init(&c->hosts);
	seccomp_notify_pidfds_init(c);
}

static void
ctx_free(struct seccomp_ctx *c)
{
	seccomp_notify_pidfds_free(c);
	seccomp_hosts_free(&c->hosts);
	seccomp_table_free(&c->table);
	if (c->listener >= 0)
		close(c->listener);
}

/* Blocks the forwarded signals and SIGCHLD, saving the old mask; a signalfd
 * reads them. */
static int
signals_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&set, forwarded[i]);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, old);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/* The child's listener, once the kernel is known to offer what the
 * supervisor uses; -1 with err. */
static int
take_listener(int sock, kshim_err_t *err)
{
	int e = 0;
	cleanup_close int listener = recv_listener(sock, &e);

	if (listener < 0)
		return seccomp_filter_refuse(e ? e : EPIPE, err);
	if (seccomp_filter_probe(listener, err) < 0)
		return -1;
	return steal_fd(&listener);
}

/* Forks the child and takes its listener; -1 with err when either fails. */
static int
start(char **argv, const sigset_t *old, pid_t *child, kshim_err_t *err)
{
	int sv[2], listener;
	pid_t supervisor;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return kshim_fail(err, errno, "socketpair: %s", strerror(errno));
	cleanup_close int ours = sv[0], theirs = sv[1];
	/* A process whose parent exits is reparented here, not to init: it stays
	 * a descendant, which Yama's ptrace_scope=1 requires for reading its
	 * memory and taking its fds. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	supervisor = getpid();
	*child = fork();
	if (*child < 0)
		return kshim_fail(err, errno, "fork: %s", strerror(errno));
	if (*child == 0) {
		close(ours);
		child_main(theirs, argv, old, supervisor);
	}
	close(steal_fd(&theirs));
	listener = take_listener(ours, err);
	if (listener >= 0 && write(ours, "g", 1) != 1) {
		close(listener);
		listener = seccomp_filter_refuse(EPIPE, err);
	}
	close(steal_fd(&ours)); /* without the go-ahead, the child exits 127 */
	if (listener < 0)
		waitpid(*child, NULL, 0);
	return listener;
}

int
seccomp_supervise_run(char **argv, const char *table, int *status, kshim_err_t *err)
{
	struct sigaction pipe_was;
	struct seccomp_ctx c;
	sigset_t old;
	pid_t child = -1;
	cleanup_close int sigfd = -1;
	int listener;

	if (seccomp_filter_available(err) < 0)
		return -1;
	if (seccomp_notify_check_sizes() < 0)
		return seccomp_filter_refuse(errno, err);
	if ((sigfd = signals_block(&old)) < 0)
		return kshim_fail(err, errno, "signalfd: %s", strerror(errno));
	listener = start(argv, &old, &child, err);
	if (listener < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	seccomp_notify_prefer_sync_wakeup(listener);
	ctx_init(&c, listener, table);
	if (!c.receive_ends)
		seccomp_notify_debug(&c, "this kernel's version is before 6.11 or unknown: a "
					 "receive may not end when the program does, so a poll "
					 "comes first");
	/* A closed stderr must not end the supervisor, and with it the program's calls. */
	sigaction(SIGPIPE, &(struct sigaction){.sa_handler = SIG_IGN}, &pipe_was);
	serve(&c, sigfd, child, status);
	sigaction(SIGPIPE, &pipe_was, NULL);
	ctx_free(&c);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}
