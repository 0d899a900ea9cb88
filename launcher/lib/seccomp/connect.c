/* SPDX-License-Identifier: Apache-2.0 */
/* connect() redirect: the supervisor connects a copy of the caller's socket
 * (the same open file description) to the published address and answers with
 * the result, so blocking, non-blocking and errno behaviour are the kernel's.
 * A connect that blocks holds up no other call (pool.h). */
#include "connect.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mem.h"
#include "notify.h"
#include "pool.h"

static int
is_stream(int fd)
{
	int type = 0;
	socklen_t len = sizeof(type);

	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;
}

/* As the program's socket is now, for the log: it may change at any time. */
static int
blocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	return flags >= 0 && !(flags & O_NONBLOCK);
}

static void
log_redirect(const struct seccomp_ctx *c, const struct seccomp_notif *n,
	     const struct sockaddr *asked, const struct seccomp_job *p, int blocking)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	const struct sockaddr_in *to = (const struct sockaddr_in *)&p->to;
	uint32_t aa, ba;
	uint16_t ap, bp;

	if (!c->debug || kshim_sockaddr_ipv4(asked, p->len, &aa, &ap) < 0 ||
	    kshim_sockaddr_ipv4((const struct sockaddr *)to, p->len, &ba, &bp) < 0)
		return;
	aa = htonl(aa);
	ba = htonl(ba);
	inet_ntop(AF_INET, &aa, a, sizeof(a));
	inet_ntop(AF_INET, &ba, b, sizeof(b));
	seccomp_notify_debug(
	    c, "connect pid %u fd %d: %s:%u -> %s:%u%s%s", n->pid, (int)n->data.args[0], a, ap, b,
	    bp, asked->sa_family == AF_INET6 ? " (v4-mapped)" : "", blocking ? " (blocking)" : "");
}

/* A program in a network namespace of its own connects there, untouched. */
static int
own_network(const struct seccomp_ctx *c, const struct seccomp_notif *n)
{
	if (seccomp_notify_same_view(c, (pid_t)n->pid, SECCOMP_VIEW_NET))
		return 1;
	seccomp_notify_debug(c, "connect pid %u fd %d: passed through: another network namespace",
			     n->pid, (int)n->data.args[0]);
	return 0;
}

int
seccomp_connect(struct seccomp_ctx *c, const struct seccomp_notif *n, struct seccomp_job *job)
{
	struct sockaddr_storage asked;
	struct seccomp_job p = {.listener = c->listener, .id = n->id};
	socklen_t len = (socklen_t)n->data.args[2];

	if (len > sizeof(asked) ||
	    seccomp_mem_read(n->pid, n->data.args[1], &asked, len) != (ssize_t)len)
		goto pass;
	seccomp_table_refresh(&c->table);
	p.len = kshim_table_redirect(&c->table.t, (struct sockaddr *)&asked, len, &p.to);
	if (p.len == 0 || !own_network(c, n) ||
	    (p.fd = seccomp_notify_take_fd(c, n, (int)n->data.args[0])) < 0)
		goto pass;
	if (!is_stream(p.fd)) {
		close(p.fd);
		goto pass;
	}
	log_redirect(c, n, (struct sockaddr *)&asked, &p, c->debug && blocking(p.fd));
	*job = p;
	return 1;
pass:
	seccomp_notify_continue(c->listener, n->id);
	return 0;
}
