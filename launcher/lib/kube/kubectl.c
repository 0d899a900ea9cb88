/* SPDX-License-Identifier: Apache-2.0 */
/* 'kubectl port-forward' children: started with their output on a pipe, read
 * line by line, stopped and reaped. */
#include "kubectl.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../exec.h"

#define ARGS_MAX (12 + KUBE_MAX_PORTS)

int
kubectl_find(char *path, size_t len, kshim_err_t *err)
{
	if (exec_find("kubectl", path, len, err) == 0)
		return 0;
	kshim_fail(err, ENOENT, "kubectl is not on PATH");
	return kshim_hint(err, "install kubectl (the forwarder runs 'kubectl port-forward', "
			       "one per pod), or add its directory to PATH");
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void
child(int out, char *const *argv)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGPIPE, SIG_DFL); /* the forwarder ignores it; exec keeps that */
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	execv(argv[0], argv);
	_exit(127);
}

int
kubectl_start(struct kubectl *c, const char *kubectl, const char *context, const char *ns,
	      const char *pod, const uint16_t *lport, const uint16_t *port, int nports,
	      kshim_err_t *err)
{
	char target[300], pairs[KUBE_MAX_PORTS][16];
	char *argv[ARGS_MAX] = {(char *)kubectl, "--context", (char *)context,
				"--namespace",	 (char *)ns,  "port-forward",
				"--address",	 "127.0.0.1", target};
	int fds[2], n = 9;

	snprintf(target, sizeof(target), "pod/%s", pod);
	for (int i = 0; i < nports; i++) {
		snprintf(pairs[i], sizeof(pairs[i]), "%u:%u", lport[i], port[i]);
		argv[n++] = pairs[i];
	}
	if (pipe2(fds, O_CLOEXEC) < 0)
		return kshim_fail(err, errno, "pipe: %s", strerror(errno));
	c->pid = fork();
	if (c->pid == 0)
		child(fds[1], argv);
	close(fds[1]);
	if (c->pid < 0) {
		close(fds[0]);
		c->pid = 0;
		return kshim_fail(err, errno, "cannot start kubectl: %s", strerror(errno));
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	c->out = fds[0];
	c->forwarding = 0;
	c->len = 0;
	return 0;
}

static void
take_line(struct kubectl *c, void (*line)(void *, const char *), void *ctx)
{
	c->buf[c->len] = '\0';
	c->len = 0;
	if (strncmp(c->buf, "Handling connection", 19) == 0 || !c->buf[0])
		return;
	if (strncmp(c->buf, "Forwarding from", 15) == 0)
		c->forwarding = 1;
	snprintf(c->last, sizeof(c->last), "%.255s", c->buf);
	line(ctx, c->buf);
}

void
kubectl_read(struct kubectl *c, void (*line)(void *, const char *), void *ctx)
{
	char chunk[512];
	ssize_t n;

	while (c->out >= 0 && (n = read(c->out, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			break;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (chunk[i] == '\n' || c->len == sizeof(c->buf) - 1)
				take_line(c, line, ctx);
			if (chunk[i] != '\n')
				c->buf[c->len++] = chunk[i];
		}
	}
	if (c->len)
		take_line(c, line, ctx);
	close(c->out);
	c->out = -1;
}

int
kubectl_exited(struct kubectl *c, int *status)
{
	if (c->pid <= 0 || waitpid(c->pid, status, WNOHANG) != c->pid)
		return 0;
	c->pid = 0;
	return 1;
}

void
kubectl_stop(struct kubectl *c)
{
	struct timespec tick = {0, 20 * 1000 * 1000};
	int status;

	if (c->pid > 0) {
		kill(c->pid, SIGTERM);
		for (int i = 0; i < 50 && !kubectl_exited(c, &status); i++)
			nanosleep(&tick, NULL);
		if (c->pid > 0) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, &status, 0);
			c->pid = 0;
		}
	}
	if (c->out >= 0)
		close(c->out);
	c->out = -1;
}
