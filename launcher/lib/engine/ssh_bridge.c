/* SPDX-License-Identifier: Apache-2.0 */
/* ssh:// engines: a private unix socket bridged to `docker system dial-stdio` over ssh. */
#include "ssh_bridge.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 64
#define CONNECT_TIMEOUT "ConnectTimeout=10"
/* A silently dead link ends ssh (and the Docker connection over it) within
 * 40 to 50 s: 4 unanswered keepalives 10 s apart. */
#define ALIVE_INTERVAL "ServerAliveInterval=10"
#define ALIVE_COUNT "ServerAliveCountMax=4"

struct ssh_bridge {
	char dir[64];
	char sock[96];
	char errlog[96];
	struct ssh_command cmd;
	int listen_fd, stop[2], errfd;
	pid_t child[MAX_CHILDREN];
	pthread_t thread;
	int running;
};

/* user, host and port must not start with '-' (ssh would read an option) and
 * hold only what names and addresses do. */
static int
plain(const char *s, size_t n, const char *extra)
{
	if (n == 0 || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && !strchr(extra, s[i]))
			return 0;
	return 1;
}

/* Copies s[0..n) to out (len bytes) when it is plain (extra: more allowed characters). */
static int
part(char *out, size_t len, const char *s, size_t n, const char *extra)
{
	if (n >= len || !plain(s, n, extra))
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* ssh://[user@]host[:port][/path] into its parts. */
static int
parse_url(const char *url, struct ssh_command *c)
{
	const char *rest = url + 6, *path = rest + strcspn(rest, "/");
	const char *at = memchr(rest, '@', (size_t)(path - rest)), *host = at ? at + 1 : rest;
	const char *colon = memchr(host, ':', (size_t)(path - host));
	const char *host_end = colon ? colon : path;

	if (strncmp(url, "ssh://", 6) != 0 ||
	    (at && part(c->user, sizeof(c->user), rest, (size_t)(at - rest), "._-") < 0) ||
	    (colon &&
	     part(c->port, sizeof(c->port), colon + 1, (size_t)(path - colon - 1), "") < 0) ||
	    part(c->host, sizeof(c->host), host, (size_t)(host_end - host), "._-") < 0 ||
	    strspn(c->port, "0123456789") != strlen(c->port))
		return -1;
	/* a path names the remote daemon's socket, as in the docker CLI */
	if (path[0] && path[1] &&
	    (!plain(path, strlen(path), "/._-") ||
	     snprintf(c->remote, sizeof(c->remote), "unix://%s", path) >= (int)sizeof(c->remote)))
		return -1;
	return 0;
}

int
ssh_bridge_command(const char *url, struct ssh_command *c, kshim_err_t *err)
{
	int n = 0;

	memset(c, 0, sizeof(*c));
	if (parse_url(url, c) < 0) {
		kshim_fail(err, EINVAL, "DOCKER_HOST=%s is not an ssh address kshim can use", url);
		return kshim_hint(err,
				  "ssh://[user@]host[:port], of letters, digits, '.', '-', '_'");
	}
	c->argv[n++] = "ssh";
	c->argv[n++] = "-o";
	c->argv[n++] = "BatchMode=yes";
	c->argv[n++] = "-o";
	c->argv[n++] = CONNECT_TIMEOUT;
	c->argv[n++] = "-o";
	c->argv[n++] = ALIVE_INTERVAL;
	c->argv[n++] = "-o";
	c->argv[n++] = ALIVE_COUNT;
	c->argv[n++] = "-T";
	if (c->user[0]) {
		c->argv[n++] = "-l";
		c->argv[n++] = c->user;
	}
	if (c->port[0]) {
		c->argv[n++] = "-p";
		c->argv[n++] = c->port;
	}
	c->argv[n++] = "--";
	c->argv[n++] = c->host;
	c->argv[n++] = "docker";
	if (c->remote[0]) {
		c->argv[n++] = "--host";
		c->argv[n++] = c->remote;
	}
	c->argv[n++] = "system";
	c->argv[n++] = "dial-stdio";
	return 0;
}

/* Forgets the ssh processes that ended. */
static void
reap(ssh_bridge_t *b)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (b->child[i] > 0 && waitpid(b->child[i], NULL, WNOHANG) != 0)
			b->child[i] = 0; /* ended, or not ours to wait for any more */
}

/* ssh with the connection as stdin and stdout, in its own session: a Ctrl-C
 * for kshim must not cut the line its rollback still needs. */
static void
spawn(ssh_bridge_t *b, int conn)
{
	int slot = -1;

	for (int i = 0; i < MAX_CHILDREN && slot < 0; i++)
		if (b->child[i] == 0)
			slot = i;
	pid_t pid = slot < 0 ? -1 : fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL); /* kshim may block what it forwards */
		dup2(conn, 0);
		dup2(conn, 1);
		dup2(b->errfd, 2);
		close_range(3, ~0u, 0);
		setsid();
		signal(SIGPIPE, SIG_DFL);
		execvp("ssh", (char *const *)b->cmd.argv);
		dprintf(2, "cannot run ssh (errno %d)\n", errno);
		_exit(127);
	}
	if (pid > 0)
		b->child[slot] = pid;
	close(conn);
}

static void *
serve(void *arg)
{
	ssh_bridge_t *b = arg;
	struct pollfd p[2] = {{.fd = b->listen_fd, .events = POLLIN},
			      {.fd = b->stop[0], .events = POLLIN}};

	for (;;) {
		if (poll(p, 2, 200) < 0 && errno != EINTR)
			break;
		reap(b);
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN) {
			int conn = accept4(b->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (conn >= 0)
				spawn(b, conn);
		}
	}
	return NULL;
}

static int
listen_private(ssh_bridge_t *b, kshim_err_t *err)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(b->dir, sizeof(b->dir), "%s/kshim-ssh.XXXXXX", tmp);
	if (!mkdtemp(b->dir))
		return kshim_fail(err, errno, "cannot make a directory in %s: %s", tmp,
				  strerror(errno));
	snprintf(b->sock, sizeof(b->sock), "%s/docker.sock", b->dir);
	snprintf(b->errlog, sizeof(b->errlog), "%s/ssh.err", b->dir);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", b->sock);
	b->errfd = open(b->errlog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	b->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (b->errfd < 0 || b->listen_fd < 0 ||
	    bind(b->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(b->listen_fd, 16) < 0 || pipe2(b->stop, O_CLOEXEC) < 0)
		return kshim_fail(err, errno, "cannot listen on %s: %s", b->sock, strerror(errno));
	return 0;
}

int
ssh_bridge_start(const char *url, ssh_bridge_t **out, kshim_err_t *err)
{
	ssh_bridge_t *b = calloc(1, sizeof(*b));

	*out = NULL;
	if (!b)
		return kshim_fail(err, ENOMEM, "out of memory");
	b->listen_fd = b->errfd = b->stop[0] = b->stop[1] = -1;
	if (ssh_bridge_command(url, &b->cmd, err) < 0 || listen_private(b, err) < 0)
		goto fail;
	if ((errno = pthread_create(&b->thread, NULL, serve, b)) != 0) {
		kshim_fail(err, errno, "cannot start the ssh bridge: %s", strerror(errno));
		goto fail;
	}
	b->running = 1;
	*out = b;
	return 0;
fail:
	ssh_bridge_stop(b);
	return -1;
}

const char *
ssh_bridge_socket(const ssh_bridge_t *b)
{
	return b->sock;
}

void
ssh_bridge_error(const ssh_bridge_t *b, char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen(b->errlog, "re");

	buf[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0])
			snprintf(buf, len, "%s", line);
	}
	if (f)
		fclose(f);
}

void
ssh_bridge_stop(ssh_bridge_t *b)
{
	if (!b)
		return;
	if (b->running) {
		if (write(b->stop[1], "x", 1) < 0)
			pthread_cancel(b->thread);
		pthread_join(b->thread, NULL);
	}
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (b->child[i] > 0 && waitpid(b->child[i], NULL, WNOHANG) == 0) {
			kill(b->child[i], SIGTERM);
			waitpid(b->child[i], NULL, 0);
		}
	for (int fd_i = 0; fd_i < 2; fd_i++)
		if (b->stop[fd_i] >= 0)
			close(b->stop[fd_i]);
	if (b->listen_fd >= 0)
		close(b->listen_fd);
	if (b->errfd >= 0)
		close(b->errfd);
	if (b->dir[0]) {
		unlink(b->sock);
		unlink(b->errlog);
		rmdir(b->dir);
	}
	free(b);
}
