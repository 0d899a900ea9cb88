/* SPDX-License-Identifier: Apache-2.0 */
/* A container's session on this terminal: raw mode, stdin in, output out, resizes. */
#include "session.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "signals.h"

#define POLL_MS 250 /* how soon a signal that came just before poll is seen */

int
session_output(void *ctx, int stream, const char *data, size_t len)
{
	int fd = stream == 2 ? STDERR_FILENO : STDOUT_FILENO;

	(void)ctx;
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0; /* a closed pipe: the container still runs to its end */
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Gives the container the terminal's size; a container that already ended has none. */
static void
resize(docker_t *d, const char *id)
{
	struct winsize ws;
	kshim_err_t e = {0};

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		docker_container_resize(d, id, ws.ws_row, ws.ws_col, &e);
}

/* Sends what stdin has; at its end the container's stdin ends too. */
static int
copy_stdin(docker_stream_t *s, struct pollfd *in, kshim_err_t *err)
{
	char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n > 0)
		return docker_stream_write(s, buf, (size_t)n, err);
	docker_stream_close_stdin(s);
	in->fd = -1;
	return 0;
}

static int
copy(docker_t *d, const char *id, docker_stream_t *s, int forward_stdin, int tty, kshim_err_t *err)
{
	struct pollfd p[2] = {{.fd = docker_stream_fd(s), .events = POLLIN},
			      {.fd = forward_stdin ? STDIN_FILENO : -1, .events = POLLIN}};
	int open = 1;

	while (open > 0) {
		if (signals_interrupted())
			return kshim_fail(err, EINTR, "interrupted");
		if (tty && signals_resized())
			resize(d, id);
		if (poll(p, 2, POLL_MS) < 0 && errno != EINTR)
			return kshim_fail(err, errno, "poll: %s", strerror(errno));
		if (p[1].fd >= 0 && p[1].revents && copy_stdin(s, &p[1], err) < 0)
			return -1;
		open = docker_stream_pump(s, err);
	}
	return open;
}

int
session_run(docker_t *d, const char *id, docker_stream_t *s, int forward_stdin, int tty,
	    kshim_err_t *err)
{
	struct termios saved, raw;
	int is_raw = 0, rc;

	signal(SIGPIPE, SIG_IGN);
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		is_raw = tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
	}
	if (tty) {
		signals_trap_resize();
		resize(d, id);
	}
	rc = copy(d, id, s, forward_stdin, tty, err);
	if (is_raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	return rc;
}
