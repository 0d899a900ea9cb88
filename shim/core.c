#include "core.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "real.h"

#define PEER_SLOTS 1024

/* Zeroed memory is an empty slot, so untouched slots cost no resident pages. */
struct peer {
	int fd_plus_one;
	struct kshim_route route;
	socklen_t len;
	struct sockaddr_in6 asked; /* large enough for either family */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *table_path; /* NULL: pass-through */
int core_debugging;
static struct kshim_table table;
static char (*numeric)[INET_ADDRSTRLEN]; /* table.hosts[i].addr, formatted once */
static struct stat table_id;   /* identity of the loaded file */
static int table_state;        /* 0 never looked, 1 loaded, -1 unusable */
static long last_check;        /* CLOCK_MONOTONIC_COARSE, ns; atomic */
/* One bit per first character of the table's names (all bits until the table is
 * read), read without the lock: most unmapped names are ruled out by it. */
static uint32_t first_chars = ~0u;
static struct peer peers[PEER_SLOTS];

/* One line to stderr in a single write, so threads' lines never interleave. */
static void
say(const char *prefix, const char *fmt, va_list ap)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s", prefix);

	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	ssize_t w = write(2, buf, (size_t)n);
	(void)w;
}

void
core_log(const char *fmt, ...)
{
	char prefix[32];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "kshim[%d]: ", (int)getpid());
	va_start(ap, fmt);
	say(prefix, fmt, ap);
	va_end(ap);
}

/* Printed whether or not KSHIM_DEBUG is set: the user has to know. */
static void __attribute__((format(printf, 1, 2)))
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("kshim: ", fmt, ap);
	va_end(ap);
}

static void
warn_line(void *ctx, int line, const char *why)
{
	warn("%s:%d: line skipped: %s", (const char *)ctx, line, why);
}

static void
atfork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void
atfork_release(void)
{
	pthread_mutex_unlock(&lock);
}

static void
init(void)
{
	const char *p = getenv("KSHIM_TABLE"), *d = getenv("KSHIM_DEBUG");

	core_debugging = d && *d && strcmp(d, "0") != 0;
	if (p && *p)
		table_path = strdup(p);
	pthread_atfork(atfork_prepare, atfork_release, atfork_release);
	core_debug("table %s", table_path ? table_path : "(none): pass-through");
}

int
core_enabled(void)
{
	pthread_once(&once, init);
	return table_path != NULL;
}

static uint32_t
first_char_bit(char c)
{
	unsigned lower = (unsigned)(c | 0x20) - 'a';

	return lower < 26 ? 1u << lower : 1u << 26;
}

static void
set_first_chars(const struct kshim_table *t)
{
	uint32_t bits = 0;

	for (int i = 0; i < t->nhosts; i++)
		for (int j = 0; j < t->hosts[i].nnames; j++)
			bits |= first_char_bit(t->hosts[i].names[j][0]);
	__atomic_store_n(&first_chars, bits, __ATOMIC_RELAXED);
}

static void
set_unusable(const struct stat *st)
{
	kshim_table_free(&table);
	free(numeric);
	numeric = NULL;
	table_id = *st;
	table_state = -1;
	set_first_chars(&table);
}

/* Called with lock held: reloads the table if the file changed. */
static void
refresh(void)
{
	struct kshim_table fresh = {0};
	struct stat st;
	const char *why = NULL;
	long now = kshim_clock_ns();

	if (table_state != 0 && now - last_check < KSHIM_RECHECK_NS)
		return;
	__atomic_store_n(&last_check, now, __ATOMIC_RELAXED);
	if (stat(table_path, &st) < 0) {
		memset(&st, 0, sizeof(st));
		if (table_state != 0 && kshim_file_same(&st, &table_id))
			return;
		warn("table %s: %s; names pass through unmapped", table_path, strerror(errno));
		set_unusable(&st);
		return;
	}
	if (table_state != 0 && kshim_file_same(&st, &table_id))
		return;
	if (!kshim_table_trusted(&st, getuid())) {
		warn("table %s is writable by other users or owned by another user; ignored "
		     "(chmod 600 it)",
		     table_path);
		set_unusable(&st);
		return;
	}
	if (kshim_table_load(table_path, &fresh, warn_line, (void *)table_path, &why) < 0) {
		warn("table %s: %s; names pass through unmapped", table_path, why);
		set_unusable(&st);
		return;
	}
	char(*fresh_numeric)[INET_ADDRSTRLEN] = calloc((size_t)fresh.nhosts + 1, sizeof(*numeric));
	if (!fresh_numeric) {
		kshim_table_free(&fresh);
		return; /* keep the old table; the next check retries */
	}
	for (int i = 0; i < fresh.nhosts; i++) {
		struct in_addr a = {.s_addr = htonl(fresh.hosts[i].addr)};
		inet_ntop(AF_INET, &a, fresh_numeric[i], INET_ADDRSTRLEN);
	}
	kshim_table_free(&table);
	free(numeric);
	table = fresh;
	numeric = fresh_numeric;
	table_id = st;
	table_state = 1;
	set_first_chars(&table);
	core_debug("loaded %s: %d hosts", table_path, table.nhosts);
}

/* Zero when name is surely not in the table, decided without the lock while
 * the table was checked recently. */
static int
may_be_mapped(const char *name)
{
	if (!name || !core_enabled())
		return 0;
	if (__atomic_load_n(&first_chars, __ATOMIC_RELAXED) & first_char_bit(name[0]))
		return 1;
	return kshim_clock_ns() - __atomic_load_n(&last_check, __ATOMIC_RELAXED) >= KSHIM_RECHECK_NS;
}

int
core_maybe_name(const char *s)
{
	enum { OTHER, LETTER, COLON, END };
	static const unsigned char class[256] = {
	    [0] = END,
	    [':'] = COLON,
	    ['a' ... 'z'] = LETTER,
	    ['A' ... 'Z'] = LETTER,
	};
	const char *name = s;
	unsigned char c;

	while ((c = class[(unsigned char)*s++]) == OTHER)
		;
	return c == LETTER && strchr(s, ':') == NULL && may_be_mapped(name);
}

int
core_lookup_name(const char *name, char *out, char *canon)
{
	const struct kshim_host *h;

	if (!name || !core_enabled())
		return 0;
	pthread_mutex_lock(&lock);
	refresh();
	h = kshim_table_find_name(&table, name);
	if (h) {
		memcpy(out, numeric[h - table.hosts], INET_ADDRSTRLEN);
		if (canon)
			strcpy(canon, h->names[0]);
	}
	pthread_mutex_unlock(&lock);
	return h != NULL;
}

static int
copy_host(const struct kshim_host *h, struct kshim_host *out)
{
	if (!h)
		return 0;
	*out = *h;
	return 1;
}

int
core_host_by_name(const char *name, struct kshim_host *out)
{
	int found;

	if (!may_be_mapped(name))
		return 0;
	pthread_mutex_lock(&lock);
	refresh();
	found = copy_host(kshim_table_find_name(&table, name), out);
	pthread_mutex_unlock(&lock);
	return found;
}

int
core_host_by_addr(uint32_t addr, struct kshim_host *out)
{
	int found;

	if (!core_enabled())
		return 0;
	pthread_mutex_lock(&lock);
	refresh();
	found = copy_host(kshim_table_find_addr(&table, addr), out);
	pthread_mutex_unlock(&lock);
	return found;
}

int
core_route(uint32_t addr, uint16_t port, struct kshim_route *out)
{
	const struct kshim_port *p;

	if (!core_enabled() || addr == INADDR_LOOPBACK)
		return 0;
	pthread_mutex_lock(&lock);
	refresh();
	p = kshim_table_route(&table, addr, port);
	if (p) {
		out->host_addr = p->host_addr;
		out->host_port = p->host_port;
	}
	pthread_mutex_unlock(&lock);
	return p != NULL;
}

void
core_peer_record(int fd, const struct sockaddr *asked, socklen_t len,
		 const struct kshim_route *route)
{
	struct peer *p;

	if (fd < 0 || len > sizeof(p->asked))
		return;
	p = &peers[fd % PEER_SLOTS];
	pthread_mutex_lock(&lock);
	p->fd_plus_one = fd + 1;
	p->route = *route;
	p->len = len;
	memcpy(&p->asked, asked, len);
	pthread_mutex_unlock(&lock);
}

int
core_peer_restore(int fd, struct sockaddr *addr, socklen_t cap, socklen_t *len)
{
	struct peer *p;
	uint32_t a;
	uint16_t port;
	int hit = 0;

	if (fd < 0 || !addr || !len || *len > cap || kshim_sockaddr_ipv4(addr, *len, &a, &port) < 0)
		return 0;
	p = &peers[fd % PEER_SLOTS];
	pthread_mutex_lock(&lock);
	/* A reused fd connected elsewhere has a different real peer. */
	if (p->fd_plus_one == fd + 1 && p->route.host_addr == a && p->route.host_port == port &&
	    p->asked.sin6_family == addr->sa_family) {
		socklen_t n = *len < p->len ? *len : p->len;
		memcpy(addr, &p->asked, n);
		*len = p->len;
		hit = 1;
	}
	pthread_mutex_unlock(&lock);
	return hit;
}
