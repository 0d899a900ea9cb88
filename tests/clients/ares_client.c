/* SPDX-License-Identifier: Apache-2.0 */
/* Test client: resolves HOST with c-ares (no libc resolver), then connects to
 * HOST:PORT with a blocking AF_INET connect, sends "who\n" and prints the reply.
 *
 *   ares_client getaddrinfo|gethostbyname HOST PORT
 *
 * Prints one line: "identity=NAME addr=ADDR name=NAME-C-ARES-GAVE" and exits 0,
 * or explains on stderr and exits 1. Built with -lcares: make build/clients/ares_client. */
#define _GNU_SOURCE
/* ares_gethostbyname is deprecated in newer c-ares (Debian 13 has 1.34); programs
 * still call it, and the shim hooks it. */
#define CARES_NO_DEPRECATED
#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

struct result {
	int done;
	int status;
	struct in_addr addr;
	char name[256];
};

static void
gai_done(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	struct result *r = arg;
	struct ares_addrinfo_node *n;

	(void)timeouts;
	r->done = 1;
	r->status = status;
	if (status != ARES_SUCCESS || !ai)
		return;
	r->status = ARES_ENODATA;
	for (n = ai->nodes; n; n = n->ai_next) {
		if (n->ai_family == AF_INET) {
			r->addr = ((struct sockaddr_in *)n->ai_addr)->sin_addr;
			r->status = ARES_SUCCESS;
			break;
		}
	}
	snprintf(r->name, sizeof(r->name), "%s", ai->name ? ai->name : "(null)");
	ares_freeaddrinfo(ai);
}

static void
host_done(void *arg, int status, int timeouts, struct hostent *he)
{
	struct result *r = arg;

	(void)timeouts;
	r->done = 1;
	r->status = status;
	if (status != ARES_SUCCESS || !he)
		return;
	if (he->h_addrtype != AF_INET || !he->h_addr_list[0]) {
		r->status = ARES_ENODATA;
		return;
	}
	memcpy(&r->addr, he->h_addr_list[0], sizeof(r->addr));
	snprintf(r->name, sizeof(r->name), "%s", he->h_name ? he->h_name : "(null)");
}

/* Runs the channel until the query is answered. A numeric name is answered
 * before the call returns; anything else needs the event loop. */
static void
wait_for(ares_channel ch, struct result *r)
{
#if ARES_VERSION >= 0x011b00
	/* c-ares >= 1.27 runs queries on its own event thread (ARES_OPT_EVENT_THREAD). */
	ares_queue_wait_empty(ch, 10000);
#else
	for (int i = 0; !r->done && i < 1000; i++) {
		fd_set rd, wr;
		struct timeval tv, *tvp;
		int nfds;

		FD_ZERO(&rd);
		FD_ZERO(&wr);
		nfds = ares_fds(ch, &rd, &wr);
		if (nfds == 0)
			break;
		tvp = ares_timeout(ch, NULL, &tv);
		if (select(nfds, &rd, &wr, NULL, tvp) < 0 && errno != EINTR)
			break;
		ares_process(ch, &rd, &wr);
	}
#endif
	(void)r;
}

int
main(int argc, char **argv)
{
	struct ares_options opts;
	int optmask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
	struct result r;
	ares_channel ch;
	struct sockaddr_in sa;
	char host[INET_ADDRSTRLEN], buf[512];
	size_t got = 0;
	ssize_t n;
	int fd, rc;

	if (argc != 4 ||
	    (strcmp(argv[1], "getaddrinfo") != 0 && strcmp(argv[1], "gethostbyname") != 0)) {
		fprintf(stderr, "usage: ares_client getaddrinfo|gethostbyname HOST PORT\n");
		return 2;
	}
	rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		fprintf(stderr, "ares_client: ares_library_init: %s\n", ares_strerror(rc));
		return 1;
	}
	memset(&opts, 0, sizeof(opts));
	opts.timeout = 1000; /* a name the shim does not answer fails fast via DNS */
	opts.tries = 1;
#if ARES_VERSION >= 0x011b00
	opts.evsys = ARES_EVSYS_DEFAULT;
	optmask |= ARES_OPT_EVENT_THREAD;
#endif
	rc = ares_init_options(&ch, &opts, optmask);
	if (rc != ARES_SUCCESS) {
		fprintf(stderr, "ares_client: ares_init_options: %s\n", ares_strerror(rc));
		return 1;
	}

	memset(&r, 0, sizeof(r));
	if (strcmp(argv[1], "getaddrinfo") == 0) {
		struct ares_addrinfo_hints hints;

		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_INET;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = ARES_AI_CANONNAME;
		ares_getaddrinfo(ch, argv[2], argv[3], &hints, gai_done, &r);
	} else {
		ares_gethostbyname(ch, argv[2], AF_INET, host_done, &r);
	}
	wait_for(ch, &r);
	ares_destroy(ch);
	ares_library_cleanup();
	if (!r.done || r.status != ARES_SUCCESS) {
		fprintf(stderr, "ares_client: ares_%s %s: %s\n", argv[1], argv[2],
			r.done ? ares_strerror(r.status) : "no answer");
		return 1;
	}
	inet_ntop(AF_INET, &r.addr, host, sizeof(host));

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr = r.addr;
	sa.sin_port = htons((unsigned short)atoi(argv[3]));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "ares_client: connect %s:%s: %s\n", host, argv[3], strerror(errno));
		return 1;
	}
	if (write(fd, "who\n", 4) != 4) {
		fprintf(stderr, "ares_client: write: %s\n", strerror(errno));
		return 1;
	}
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	close(fd);
	if (got == 0) {
		fprintf(stderr, "ares_client: no reply\n");
		return 1;
	}
	printf("identity=%s addr=%s name=%s\n", buf, host, r.name);
	return 0;
}
