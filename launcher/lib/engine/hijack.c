/* SPDX-License-Identifier: Apache-2.0 */
/* A container's streams over a hijacked attach connection: the HTTP exchange and
 * the raw stream after it, through curl_easy_send and curl_easy_recv. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "docker_priv.h"

struct docker_stream {
	docker_t *d;
	CURL *curl;
	curl_socket_t fd;
	struct sink sink; /* what arrived and is not yet handed on */
	int tty, eof;
};

static int
raw_connect(docker_stream_t *s, kshim_err_t *err)
{
	docker_t *d = s->d;
	CURLcode rc;

	if (!(s->curl = curl_easy_init()))
		return kshim_fail(err, ENOMEM, "cannot initialise libcurl");
	docker_set_endpoint(d, s->curl, d->base);
	curl_easy_setopt(s->curl, CURLOPT_CONNECT_ONLY, 1L);
	rc = curl_easy_perform(s->curl);
	if (rc == CURLE_OK)
		rc = curl_easy_getinfo(s->curl, CURLINFO_ACTIVESOCKET, &s->fd);
	if (rc != CURLE_OK)
		return kshim_fail(err, EIO, "cannot connect to the Docker daemon at %s: %s",
				  d->where,
				  d->curl_error[0] ? d->curl_error : curl_easy_strerror(rc));
	return 0;
}

static int
raw_wait(docker_stream_t *s, short events, int timeout_ms)
{
	struct pollfd p = {.fd = s->fd, .events = events};

	return poll(&p, 1, timeout_ms);
}

static int
raw_send(docker_stream_t *s, const char *buf, size_t len, kshim_err_t *err)
{
	while (len > 0) {
		size_t n = 0;
		CURLcode rc = curl_easy_send(s->curl, buf, len, &n);
		if (rc == CURLE_AGAIN && !docker_cancelled(s->d)) {
			raw_wait(s, POLLOUT, 1000);
			continue;
		}
		if (rc != CURLE_OK)
			return kshim_fail(err, rc == CURLE_AGAIN ? EINTR : EIO,
					  "writing to the container: %s", curl_easy_strerror(rc));
		buf += n;
		len -= n;
	}
	return 0;
}

/* Appends what the connection has now to s->sink; *got is 0 when nothing came
 * (s->eof tells whether the connection ended). */
static int
raw_recv(docker_stream_t *s, size_t *got, kshim_err_t *err)
{
	char buf[16384];
	CURLcode rc = curl_easy_recv(s->curl, buf, sizeof(buf), got);

	if (rc == CURLE_AGAIN) {
		*got = 0;
		return 0;
	}
	if (rc != CURLE_OK)
		return kshim_fail(err, EIO, "reading from the container: %s",
				  curl_easy_strerror(rc));
	if (*got == 0)
		s->eof = 1;
	else if (docker_sink_append(&s->sink, buf, *got) < 0)
		return kshim_fail(err, EFBIG, "the container's output outgrew the buffer");
	return 0;
}

/* Reads the reply's head; what follows it stays in s->sink. 101 (or 200 from an
 * engine that does not upgrade) opens the stream; anything else is Docker's error. */
static int
read_head(docker_stream_t *s, kshim_err_t *err)
{
	char *end = NULL;
	size_t got, used;
	long status = 0;
	cJSON *r;

	for (int waited = 0; !(end = s->sink.buf ? strstr(s->sink.buf, "\r\n\r\n") : NULL);) {
		if (s->eof || waited > REQUEST_TIMEOUT_S * 1000 || docker_cancelled(s->d))
			return kshim_fail(err, s->eof ? EPROTO : EINTR, "no answer to attach");
		if (raw_recv(s, &got, err) < 0)
			return -1;
		if (!got && !s->eof)
			waited += raw_wait(s, POLLIN, 1000) ? 0 : 1000;
	}
	sscanf(s->sink.buf, "HTTP/%*s %ld", &status);
	used = (size_t)(end + 4 - s->sink.buf);
	if (status != 101 && status != 200) {
		if (!strchr(end, '{') && raw_wait(s, POLLIN, 1000) > 0)
			raw_recv(s, &got, err);
		r = cJSON_Parse(strchr(s->sink.buf + used, '{') ? strchr(s->sink.buf + used, '{')
								: "");
		docker_api_error(r, status, err);
		cJSON_Delete(r);
		return -1;
	}
	memmove(s->sink.buf, s->sink.buf + used, s->sink.len - used + 1);
	s->sink.len -= used;
	return 0;
}

int
docker_attach(docker_t *d, const char *id, int with_stdin, int tty, docker_log_fn fn, void *ctx,
	      docker_stream_t **out, kshim_err_t *err)
{
	docker_stream_t *s = calloc(1, sizeof(*s));
	const char *host = strstr(d->base, "://") + 3;
	char req[1024];

	*out = NULL;
	if (!s)
		return kshim_fail(err, ENOMEM, "out of memory");
	*s = (docker_stream_t){.d = d, .fd = CURL_SOCKET_BAD, .tty = tty};
	s->sink = (struct sink){.frame = fn, .ctx = ctx};
	snprintf(
	    req, sizeof(req),
	    "POST /v%s/containers/%.64s/attach?stream=1&stdin=%d&stdout=1&stderr=1 HTTP/1.1\r\n"
	    "Host: %s\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 0\r\n\r\n",
	    d->version, id, with_stdin != 0, host);
	if (raw_connect(s, err) < 0 || raw_send(s, req, strlen(req), err) < 0 ||
	    read_head(s, err) < 0) {
		docker_stream_close(s);
		return kshim_wrap(err, "attaching to %.12s", id);
	}
	*out = s;
	return 0;
}

int
docker_stream_fd(const docker_stream_t *s)
{
	return (int)s->fd;
}

/* Hands on what s->sink holds: as it came on a TTY, else frame by frame. */
static void
deliver(docker_stream_t *s)
{
	if (!s->tty) {
		docker_sink_consume(&s->sink, 0);
		return;
	}
	if (s->sink.len)
		s->sink.frame(s->sink.ctx, 1, s->sink.buf, s->sink.len);
	s->sink.len = 0;
}

int
docker_stream_pump(docker_stream_t *s, kshim_err_t *err)
{
	size_t got;
	int rounds = 0;

	deliver(s); /* what came with the head */
	do {
		if (raw_recv(s, &got, err) < 0)
			return -1;
		deliver(s);
	} while (got > 0 && ++rounds < 16);
	return s->eof ? 0 : 1;
}

int
docker_stream_write(docker_stream_t *s, const char *buf, size_t len, kshim_err_t *err)
{
	return raw_send(s, buf, len, err);
}

void
docker_stream_close_stdin(docker_stream_t *s)
{
	if (!s->d->engine.tls)
		shutdown(s->fd, SHUT_WR);
}

void
docker_stream_close(docker_stream_t *s)
{
	if (!s)
		return;
	curl_easy_cleanup(s->curl);
	free(s->sink.buf);
	free(s);
}
