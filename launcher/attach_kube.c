/* SPDX-License-Identifier: Apache-2.0 */
/* kshim attach --kubernetes: starts the forwarder (lib/kube/forward.h) in the
 * background, with its log beside the table, and returns once it says every
 * pod's forward answers, or with its error as our own; --foreground runs it
 * here instead, until Ctrl-C. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "lib/kube/forward.h"
#include "lib/kube/record.h"
#include "lib/paths.h"
#include "lib/signals.h"

/* The forwarder's side of the pipe: its error, as "code\ncause\nhint\n". */
static void
report(int fd, const kshim_err_t *e)
{
	dprintf(fd, "%d\n%s\n%s\n", e->code, e->msg, e->hint);
	close(fd);
}

/* In the forked child: a session of its own, output to the log; never returns. */
static void
forwarder(const struct forward_options *fo, int log, int notify)
{
	kshim_err_t e = {0};
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	setsid();
	if (null < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
		_exit(1);
	signals_trap();
	signal(SIGPIPE, SIG_IGN); /* a write to an attach that is gone must not end it */
	if (forward_run(fo, notify, &e) < 0) {
		kshim_err_print(&e);
		report(notify, &e);
		exit(1);
	}
	exit(0);
}

/* The parent's side: "ready", or the forwarder's error (then it has ended). */
static int
await(pid_t pid, int fd, kshim_err_t *err)
{
	char buf[2048];
	size_t n = 0;
	ssize_t r;
	int status;

	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) != 0) {
		if (r > 0)
			n += (size_t)r;
		else if (errno == EINTR && signals_interrupted())
			kill(pid, SIGTERM);
		else if (errno != EINTR)
			break;
	}
	buf[n] = '\0';
	if (strcmp(buf, "ready\n") == 0)
		return 0;
	waitpid(pid, &status, 0);
	if (signals_interrupted())
		return kshim_fail(err, EINTR, "interrupted; the forwarder was stopped");
	char *msg = strchr(buf, '\n'), *hint = msg ? strchr(msg + 1, '\n') : NULL;
	if (!hint) {
		kshim_fail(err, EIO, "the forwarder ended without saying why (status %d)", status);
		return kshim_hint(err, "run the same attach with --foreground to see its output");
	}
	*hint++ = '\0';
	hint[strcspn(hint, "\n")] = '\0';
	kshim_fail(err, atoi(buf), "%s", msg + 1);
	return hint[0] ? kshim_hint(err, "%s", hint) : -1;
}

static int
background(const struct forward_options *fo, kshim_err_t *err)
{
	char log[PATH_MAX], table[PATH_MAX];
	int fds[2], fd, rc;
	pid_t pid;

	if (kshim_cluster_file(fo->name, KUBE_LOG, log, sizeof(log), 1, err) < 0)
		return -1;
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return kshim_fail(err, errno, "cannot write %s: %s", log, strerror(errno));
	if (pipe2(fds, O_CLOEXEC) < 0) {
		close(fd);
		unlink(log);
		return kshim_fail(err, errno, "pipe: %s", strerror(errno));
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		forwarder(fo, fd, fds[1]);
	}
	close(fd);
	close(fds[1]);
	rc =
	    pid < 0 ? kshim_fail(err, errno, "fork: %s", strerror(errno)) : await(pid, fds[0], err);
	close(fds[0]);
	if (rc < 0) {
		unlink(log);
		return -1;
	}
	if (kshim_table_path(fo->name, table, sizeof(table), 0, err) == 0)
		attach_print_table(table, fo->name);
	printf("forwarder: pid %ld, log %s\n", (long)pid, log);
	return 0;
}

int
attach_kubernetes(const struct attach_options *o, kshim_err_t *err)
{
	struct forward_options fo = {o->name, o->service, o->ns, o->context, o->domain};
	char path[PATH_MAX];
	kshim_err_t e = {0};
	int lock, rc;

	if (forward_claim(o->name, &lock, err) < 0)
		return -1;
	signals_trap();
	if (o->foreground)
		rc = forward_run(&fo, -1, err);
	else
		rc = background(&fo, err);
	if (rc < 0 && kshim_cluster_file(o->name, ".lock", path, sizeof(path), 0, &e) == 0)
		unlink(path); /* held: nobody else uses it */
	kshim_unlock(lock);
	return rc;
}
