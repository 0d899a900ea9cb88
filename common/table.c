/* SPDX-License-Identifier: Apache-2.0 */
/* The port table: parse, print, write atomically, look up. Shared by the shim
 * and the launcher, so it uses nothing but libc. */
#include "kshim/table.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A name has a letter: resolvers read digits and dots alone ("1234",
 * "10.1") as numeric addresses, so such strings are never host names here. */
int
kshim_name_valid(const char *name, size_t len)
{
	int letters = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > KSHIM_NAME_MAX || name[0] == '.' || name[0] == '-' ||
	    name[len - 1] == '.')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			letters = 1;
		else if (!(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.')
			return 0;
		else if (c == '.' && name[i + 1] == '.')
			return 0; /* an empty label */
	}
	return letters;
}

/* Copies name lower-cased without a trailing dot; dst holds KSHIM_NAME_MAX + 1. */
static void
name_normalise(char *dst, const char *name, size_t len)
{
	if (len > 0 && name[len - 1] == '.')
		len--;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		dst[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	dst[len] = '\0';
}

const struct kshim_host *
kshim_table_find_name(const struct kshim_table *t, const char *name)
{
	size_t len = strlen(name);
	char first;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0)
		return NULL;
	first = (name[0] >= 'A' && name[0] <= 'Z') ? (char)(name[0] - 'A' + 'a') : name[0];
	for (int i = 0; i < t->nhosts; i++) {
		for (int j = 0; j < t->hosts[i].nnames; j++) {
			const char *n = t->hosts[i].names[j];
			if (n[0] == first && strncasecmp(n, name, len) == 0 && n[len] == '\0')
				return &t->hosts[i];
		}
	}
	return NULL;
}

const struct kshim_host *
kshim_table_find_addr(const struct kshim_table *t, uint32_t addr)
{
	for (int i = 0; i < t->nhosts; i++)
		if (t->hosts[i].addr == addr)
			return &t->hosts[i];
	return NULL;
}

const struct kshim_port *
kshim_host_find_port(const struct kshim_host *h, uint16_t port)
{
	for (int i = 0; i < h->nports; i++)
		if (h->ports[i].port == port)
			return &h->ports[i];
	return NULL;
}

const struct kshim_port *
kshim_table_route(const struct kshim_table *t, uint32_t addr, uint16_t port)
{
	const struct kshim_host *h;

	if (addr == INADDR_LOOPBACK || !(h = kshim_table_find_addr(t, addr)))
		return NULL;
	return kshim_host_find_port(h, port);
}

int
kshim_sockaddr_ipv4(const struct sockaddr *sa, socklen_t len, uint32_t *addr, uint16_t *port)
{
	if (len >= sizeof(struct sockaddr_in) && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		*addr = ntohl(in->sin_addr.s_addr);
		*port = ntohs(in->sin_port);
		return 0;
	}
	if (len >= sizeof(struct sockaddr_in6) && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		uint32_t a;
		if (!IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			return -1;
		memcpy(&a, &in6->sin6_addr.s6_addr[12], 4);
		*addr = ntohl(a);
		*port = ntohs(in6->sin6_port);
		return 0;
	}
	return -1;
}

socklen_t
kshim_sockaddr_make(int family, uint32_t addr, uint16_t port, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
		uint32_t a = htonl(addr);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		in6->sin6_addr.s6_addr[10] = 0xff;
		in6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&in6->sin6_addr.s6_addr[12], &a, 4);
		return sizeof(*in6);
	}
	struct sockaddr_in *in = (struct sockaddr_in *)out;
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	in->sin_addr.s_addr = htonl(addr);
	return sizeof(*in);
}

socklen_t
kshim_table_redirect(const struct kshim_table *t, const struct sockaddr *sa, socklen_t len,
		     struct sockaddr_storage *out)
{
	const struct kshim_port *p;
	uint32_t a;
	uint16_t port;

	if (kshim_sockaddr_ipv4(sa, len, &a, &port) < 0 || (a >> 24) != 127 ||
	    !(p = kshim_table_route(t, a, port)))
		return 0;
	return kshim_sockaddr_make(sa->sa_family, p->host_addr, p->host_port, out);
}

long
kshim_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec + 1; /* never 0 */
}

int
kshim_file_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec &&
	       a->st_mode == b->st_mode && a->st_uid == b->st_uid;
}

int
kshim_table_trusted(const struct stat *st, uid_t uid)
{
	return !(st->st_mode & 022) && (st->st_uid == uid || st->st_uid == 0);
}

static int
name_taken(const struct kshim_table *t, const char *name, size_t len)
{
	char norm[KSHIM_NAME_MAX + 1];

	name_normalise(norm, name, len);
	return kshim_table_find_name(t, norm) != NULL;
}

int
kshim_host_add_name(struct kshim_table *t, struct kshim_host *h, const char *name)
{
	size_t len = strlen(name);

	if (!kshim_name_valid(name, len) || h->nnames >= KSHIM_NAMES_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (name_taken(t, name, len)) {
		errno = EEXIST;
		return -1;
	}
	name_normalise(h->names[h->nnames++], name, len);
	return 0;
}

struct kshim_host *
kshim_table_add(struct kshim_table *t, const char *name, uint32_t addr)
{
	struct kshim_host *h;

	if ((addr >> 24) != 127 || addr == INADDR_LOOPBACK) {
		errno = EINVAL;
		return NULL;
	}
	if (kshim_table_find_addr(t, addr)) {
		errno = EEXIST;
		return NULL;
	}
	if (t->nhosts == t->cap) {
		int cap = t->cap ? t->cap * 2 : 8;
		struct kshim_host *n = realloc(t->hosts, (size_t)cap * sizeof(*n));
		if (!n)
			return NULL;
		t->hosts = n;
		t->cap = cap;
	}
	h = &t->hosts[t->nhosts];
	memset(h, 0, sizeof(*h));
	h->addr = addr;
	if (kshim_host_add_name(t, h, name) < 0)
		return NULL;
	t->nhosts++;
	return h;
}

int
kshim_host_set_port(struct kshim_host *h, uint16_t port, uint32_t host_addr, uint16_t host_port)
{
	struct kshim_port *p = (struct kshim_port *)kshim_host_find_port(h, port);

	if (port == 0 || host_port == 0) {
		errno = EINVAL;
		return -1;
	}
	if (!p) {
		if (h->nports >= KSHIM_PORTS_MAX) {
			errno = ENOSPC;
			return -1;
		}
		p = &h->ports[h->nports++];
	}
	p->port = port;
	p->host_addr = host_addr;
	p->host_port = host_port;
	return 0;
}

void
kshim_table_free(struct kshim_table *t)
{
	free(t->hosts);
	memset(t, 0, sizeof(*t));
}

/* A line split into whitespace-separated fields, comments removed. */
struct fields {
	int n;
	const char *s[2 + KSHIM_PORTS_MAX + 1];
	size_t len[2 + KSHIM_PORTS_MAX + 1];
};

static void
split(const char *line, size_t len, struct fields *f)
{
	size_t i = 0;
	const int max = (int)(sizeof(f->s) / sizeof(f->s[0]));

	f->n = 0;
	while (i < len && line[i] != '#') {
		if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
			i++;
			continue;
		}
		size_t start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' &&
		       line[i] != '#')
			i++;
		if (f->n == max) {
			f->n++; /* too many: caller rejects */
			return;
		}
		f->s[f->n] = line + start;
		f->len[f->n++] = i - start;
	}
}

static int
parse_u16(const char *s, size_t len, uint16_t *out)
{
	unsigned v = 0;

	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int
parse_ipv4(const char *s, size_t len, uint32_t *out)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr a;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

/* "9092=127.0.0.1:32801" */
static int
parse_mapping(const char *s, size_t len, struct kshim_host *h)
{
	const char *eq = memchr(s, '=', len);
	const char *colon;
	uint16_t port, host_port;
	uint32_t host_addr;

	if (!eq)
		return -1;
	colon = memrchr(eq, ':', len - (size_t)(eq - s));
	if (!colon)
		return -1;
	if (parse_u16(s, (size_t)(eq - s), &port) < 0 ||
	    parse_ipv4(eq + 1, (size_t)(colon - eq - 1), &host_addr) < 0 ||
	    parse_u16(colon + 1, len - (size_t)(colon + 1 - s), &host_port) < 0)
		return -1;
	if (kshim_host_find_port(h, port))
		return -1;
	return kshim_host_set_port(h, port, host_addr, host_port);
}

/* Fills a fresh host with the comma-separated names in s; returns why it failed.
 * Names taken by other hosts are checked by the caller. */
static const char *
parse_names(struct kshim_host *h, const char *s, size_t len)
{
	size_t i = 0;

	while (i <= len) {
		size_t start = i;
		while (i < len && s[i] != ',')
			i++;
		if (h->nnames == KSHIM_NAMES_MAX)
			return "too many names";
		if (!kshim_name_valid(s + start, i - start))
			return "invalid host name";
		name_normalise(h->names[h->nnames], s + start, i - start);
		for (int j = 0; j < h->nnames; j++)
			if (strcmp(h->names[h->nnames], h->names[j]) == 0)
				return "duplicate host name";
		h->nnames++;
		i++;
	}
	return NULL;
}

/* Names and addresses of the hosts parsed so far, in open-addressing sets, so
 * each duplicate check is one probe sequence instead of a scan of the table.
 * Slots hold (host index * KSHIM_NAMES_MAX + name index) + 1, or host index + 1;
 * 0 is empty. At most half full by construction (see seen_init). */
struct seen {
	uint32_t *names, *addrs;
	uint32_t mask;
};

static uint32_t
hash_name(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static uint32_t
hash_addr(uint32_t a)
{
	return a * 2654435761u;
}

/* Sized for the file's line count, capped by KSHIM_HOSTS_MAX. */
static int
seen_init(struct seen *s, const char *text, size_t len)
{
	size_t lines = 1, cap = 64;
	const char *p = text, *end = text + len;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL &&
	       lines <= KSHIM_HOSTS_MAX)
		p++, lines++;
	while (cap < 2 * (lines + 1) * KSHIM_NAMES_MAX)
		cap *= 2;
	s->mask = (uint32_t)cap - 1;
	s->names = calloc(cap, sizeof(uint32_t));
	s->addrs = calloc(cap, sizeof(uint32_t));
	return s->names && s->addrs ? 0 : -1;
}

static void
seen_free(struct seen *s)
{
	free(s->names);
	free(s->addrs);
}

/* The slot for name: the one holding it, or the empty one where it goes. */
static uint32_t *
seen_name(const struct seen *s, const struct kshim_table *t, const char *name)
{
	uint32_t i = hash_name(name) & s->mask, v;

	while ((v = s->names[i]) != 0) {
		v--;
		if (strcmp(t->hosts[v / KSHIM_NAMES_MAX].names[v % KSHIM_NAMES_MAX], name) == 0)
			break;
		i = (i + 1) & s->mask;
	}
	return &s->names[i];
}

static uint32_t *
seen_addr(const struct seen *s, const struct kshim_table *t, uint32_t addr)
{
	uint32_t i = hash_addr(addr) & s->mask, v;

	while ((v = s->addrs[i]) != 0 && t->hosts[v - 1].addr != addr)
		i = (i + 1) & s->mask;
	return &s->addrs[i];
}

/* Appends h and records its names and address; -1 when out of memory. */
static int
append_host(struct kshim_table *t, struct seen *s, const struct kshim_host *h)
{
	uint32_t i = (uint32_t)t->nhosts;

	if (t->nhosts == t->cap) {
		int cap = t->cap ? t->cap * 2 : 8;
		struct kshim_host *n = realloc(t->hosts, (size_t)cap * sizeof(*n));
		if (!n)
			return -1;
		t->hosts = n;
		t->cap = cap;
	}
	t->hosts[t->nhosts++] = *h;
	for (int j = 0; j < h->nnames; j++)
		*seen_name(s, t, h->names[j]) = i * KSHIM_NAMES_MAX + (uint32_t)j + 1;
	*seen_addr(s, t, h->addr) = i + 1;
	return 0;
}

static const char *
parse_host_line(struct kshim_table *t, struct seen *s, const struct fields *f)
{
	struct kshim_host h;
	const char *why;

	memset(&h, 0, sizeof(h));
	if (f->n < 3)
		return "expected: names loopback-address port=host:port ...";
	if (f->n > 2 + KSHIM_PORTS_MAX)
		return "too many port mappings";
	if ((why = parse_names(&h, f->s[0], f->len[0])))
		return why;
	for (int j = 0; j < h.nnames; j++)
		if (*seen_name(s, t, h.names[j]))
			return "duplicate host name";
	if (parse_ipv4(f->s[1], f->len[1], &h.addr) < 0 || (h.addr >> 24) != 127 ||
	    h.addr == INADDR_LOOPBACK)
		return "address must be a 127.x.y.z loopback address other than 127.0.0.1";
	if (*seen_addr(s, t, h.addr))
		return "duplicate loopback address";
	for (int i = 2; i < f->n; i++)
		if (parse_mapping(f->s[i], f->len[i], &h) < 0)
			return "bad mapping, expected internal-port=a.b.c.d:host-port";
	if (t->nhosts == KSHIM_HOSTS_MAX)
		return "too many hosts";
	if (append_host(t, s, &h) < 0)
		return "out of memory";
	return NULL;
}

static int
is_header(const struct fields *f)
{
	return f->n == 2 && f->len[0] == strlen(KSHIM_TABLE_MAGIC) &&
	       memcmp(f->s[0], KSHIM_TABLE_MAGIC, f->len[0]) == 0;
}

/* Refuses the whole table: frees what was parsed, sets *why and errno. */
static int
refuse(struct kshim_table *t, const char **why, const char *reason, int e)
{
	kshim_table_free(t);
	*why = reason;
	errno = e;
	return -1;
}

static int
parse_lines(const char *text, size_t len, struct kshim_table *t, struct seen *s,
	    kshim_table_warn_fn warn, void *ctx, const char **why)
{
	size_t pos = 0;
	int lineno = 0, seen_header = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct fields f;

		lineno++;
		split(text + pos, end - pos, &f);
		pos = end + 1;
		if (f.n == 0)
			continue;
		if (!seen_header) {
			if (!is_header(&f) || f.len[1] != 1 ||
			    f.s[1][0] != '0' + KSHIM_TABLE_VERSION)
				return refuse(t, why,
					      is_header(&f) ? "unsupported table version"
							    : "missing 'kshim-table 1' header",
					      EINVAL);
			seen_header = 1;
			continue;
		}
		const char *bad = parse_host_line(t, s, &f);
		if (bad && strcmp(bad, "out of memory") == 0)
			return refuse(t, why, bad, ENOMEM);
		if (bad && strcmp(bad, "too many hosts") == 0)
			return refuse(t, why, "more than 4096 hosts (the limit)", EFBIG);
		if (bad && warn)
			warn(ctx, lineno, bad);
	}
	if (!seen_header)
		return refuse(t, why, "missing 'kshim-table 1' header", EINVAL);
	return 0;
}

int
kshim_table_parse(const char *text, size_t len, struct kshim_table *t, kshim_table_warn_fn warn,
		  void *ctx, const char **why)
{
	struct seen s;
	int rc;

	if (seen_init(&s, text, len) < 0) {
		seen_free(&s);
		return refuse(t, why, "out of memory", ENOMEM);
	}
	rc = parse_lines(text, len, t, &s, warn, ctx, why);
	seen_free(&s);
	return rc;
}

int
kshim_table_open(const char *path, struct stat *st, const char **why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		*why = "cannot open table";
		return -1;
	}
	if (fstat(fd, st) < 0) {
		int e = errno;
		close(fd);
		*why = "cannot stat table";
		errno = e;
		return -1;
	}
	if (!S_ISREG(st->st_mode) || st->st_size > KSHIM_TABLE_FILE_MAX) {
		close(fd);
		*why =
		    S_ISREG(st->st_mode) ? "larger than 1 MiB (the limit)" : "not a regular file";
		errno = S_ISREG(st->st_mode) ? EFBIG : EINVAL;
		return -1;
	}
	return fd;
}

int
kshim_table_read(int fd, struct kshim_table *t, kshim_table_warn_fn warn, void *ctx,
		 const char **why)
{
	struct stat st;
	size_t len = 0, cap;
	char *buf;
	ssize_t n;
	int rc;

	/* Sized by the file, grown if it grew; one byte past the limit shows a cut. */
	cap = fstat(fd, &st) == 0 && st.st_size < KSHIM_TABLE_FILE_MAX ? (size_t)st.st_size + 1
								       : KSHIM_TABLE_FILE_MAX + 1;
	buf = malloc(cap);
	while (buf && (n = read(fd, buf + len, cap - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			errno = e;
			*why = "cannot read table";
			return -1;
		}
		len += (size_t)n;
		if (len > KSHIM_TABLE_FILE_MAX) {
			free(buf);
			return refuse(t, why, "larger than 1 MiB (the limit)", EFBIG);
		}
		if (len == cap) {
			size_t more =
			    cap * 2 > KSHIM_TABLE_FILE_MAX + 1 ? KSHIM_TABLE_FILE_MAX + 1 : cap * 2;
			char *bigger = realloc(buf, more);
			if (!bigger)
				free(buf);
			buf = bigger;
			cap = more;
		}
	}
	if (!buf)
		return refuse(t, why, "out of memory", ENOMEM);
	rc = kshim_table_parse(buf, len, t, warn, ctx, why);
	free(buf);
	return rc;
}

int
kshim_table_load(const char *path, struct kshim_table *t, kshim_table_warn_fn warn, void *ctx,
		 const char **why)
{
	struct stat st;
	int fd = kshim_table_open(path, &st, why), rc, e;

	if (fd < 0)
		return -1;
	rc = kshim_table_read(fd, t, warn, ctx, why);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

static void
format_ipv4(uint32_t addr, char *buf)
{
	struct in_addr a = {.s_addr = htonl(addr)};

	inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

int
kshim_table_print(const struct kshim_table *t, FILE *f)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	fprintf(f, "%s %d\n", KSHIM_TABLE_MAGIC, KSHIM_TABLE_VERSION);
	fprintf(f, "# names\tloopback\tinternal-port=host-address:host-port ...\n");
	for (int i = 0; i < t->nhosts; i++) {
		const struct kshim_host *h = &t->hosts[i];
		for (int j = 0; j < h->nnames; j++)
			fprintf(f, "%s%s", j ? "," : "", h->names[j]);
		format_ipv4(h->addr, a);
		fprintf(f, "\t%s", a);
		for (int j = 0; j < h->nports; j++) {
			format_ipv4(h->ports[j].host_addr, b);
			fprintf(f, "\t%u=%s:%u", h->ports[j].port, b, h->ports[j].host_port);
		}
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

/* After the rename: fsync the directory, so the new name survives a crash. */
static int
sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, rc, e;

	if (!slash)
		strcpy(dir, ".");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return 0;
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

int
kshim_table_write(const char *path, const struct kshim_table *t)
{
	char tmp[PATH_MAX];
	int fd, e;
	FILE *f;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (kshim_table_print(t, f) < 0 || fflush(f) != 0 || fsync(fd) != 0) {
		e = errno ? errno : EIO;
		fclose(f);
		goto fail;
	}
	if (fclose(f) != 0) {
		e = errno;
		goto fail;
	}
	if (rename(tmp, path) == 0)
		return sync_dir(path);
	e = errno;
fail:
	unlink(tmp);
	errno = e;
	return -1;
}
