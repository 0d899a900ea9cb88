/* SPDX-License-Identifier: Apache-2.0 */
/* The shim's core: the loaded table snapshot, routing decisions and the record of
 * rewritten connections; it knows nothing of hooking. */
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

/* One loaded table. Readers never lock: they count themselves in `readers`
 * and use `current`; a replaced snapshot is freed only once no reader is in. */
struct snapshot {
	struct kshim_table table;
	char (*numeric)[INET_ADDRSTRLEN]; /* table.hosts[i].addr, formatted once */
	uint32_t first_chars;
	struct snapshot *retired_next;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *table_path; /* NULL: pass-through; absolute */
int core_debugging;
static struct snapshot empty;
static struct snapshot *current = &empty; /* atomic */
static int readers;			  /* atomic */
static long last_check;			  /* CLOCK_MONOTONIC_COARSE, ns; atomic; 0 never */
/* One bit per first character of the table's names (all bits until the table is
 * read), read without any lock: most unmapped names are ruled out by it. */
static uint32_t first_chars = ~0u;

/* Held by the one thread that (re)loads; the others go on with `current`. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot *retired; /* under load_lock */
static struct stat verdict_id;	 /* under load_lock: file the last verdict is about */
static int have_verdict;	 /* under load_lock */
static char last_warning[256];	 /* under load_lock: not repeated */

/* Where warnings may go: fd 2 only while it is the file it was when the shim
 * was loaded (the stderr the program inherited), or with KSHIM_DEBUG. */
static dev_t stderr_dev;
static ino_t stderr_ino;
static int stderr_known;

/* getpeername records, one slot per fd number (modulo PEER_SLOTS), holding the
 * socket's inode: a closed fd number reused for another socket does not
 * match. Each is guarded by a sequence count, even when stable and odd while
 * written; readers never wait, so getpeername is async-signal-safe. */
#define PEER_WORDS 7
struct peer_data {
	uint64_t ino, dev;
	struct kshim_route route;
	socklen_t len;
	struct sockaddr_in6 asked; /* large enough for either family */
};
struct peer {
	unsigned seq;
	uint64_t w[PEER_WORDS];
};
_Static_assert(sizeof(struct peer_data) <= PEER_WORDS * 8, "peer_data fits its words");
static struct peer peers[PEER_SLOTS];
static int peers_used; /* atomic; 0 while nothing was ever recorded */

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

__attribute__((constructor)) static void
note_stderr(void)
{
	struct stat st;

	if (fstat(2, &st) == 0) {
		stderr_dev = st.st_dev;
		stderr_ino = st.st_ino;
		stderr_known = 1;
	}
}

/* A daemon that closed stderr and reopened fd 2 onto a data file or socket
 * must not get kshim's text in its data. */
static int
stderr_is_inherited(void)
{
	struct stat st;

	return stderr_known && fstat(2, &st) == 0 && st.st_dev == stderr_dev &&
	       st.st_ino == stderr_ino;
}

/* Printed whether or not KSHIM_DEBUG is set (the user has to know), but only
 * onto the inherited stderr. */
static void __attribute__((format(printf, 1, 2))) warn(const char *fmt, ...)
{
	va_list ap;

	if (!core_debugging && !stderr_is_inherited())
		return;
	va_start(ap, fmt);
	say("kshim: ", fmt, ap);
	va_end(ap);
}

static void
warn_line(void *ctx, int line, const char *why)
{
	warn("%s:%d: line skipped: %s", (const char *)ctx, line, why);
}

/* A warning about the table, once until the situation changes. */
static void
warn_table(const char *why, const char *then)
{
	char msg[sizeof(last_warning)];

	snprintf(msg, sizeof(msg), "table %s: %s; %s", table_path, why, then);
	if (strcmp(msg, last_warning) == 0)
		return;
	memcpy(last_warning, msg, sizeof(msg));
	warn("%s", msg);
}

static void
atfork_prepare(void)
{
	pthread_mutex_lock(&load_lock);
}

static void
atfork_parent(void)
{
	pthread_mutex_unlock(&load_lock);
}

/* Only this thread exists in the child; the others' reader counts are gone. */
static void
atfork_child(void)
{
	__atomic_store_n(&readers, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&load_lock);
}

/* KSHIM_TABLE made absolute once, at load, so a program that chdirs keeps its table. */
static const char *
absolute(const char *p)
{
	char cwd[4096];
	char *abs;

	if (p[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return strdup(p);
	abs = malloc(strlen(cwd) + strlen(p) + 2);
	if (abs)
		sprintf(abs, "%s/%s", cwd, p);
	return abs;
}

static void
init(void)
{
	const char *p = secure_getenv("KSHIM_TABLE"), *d = secure_getenv("KSHIM_DEBUG");

	core_debugging = d && *d && strcmp(d, "0") != 0;
	if (p && *p)
		table_path = absolute(p);
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
	core_debug("table %s", table_path ? table_path : "(none): pass-through");
}

/* At load, while the working directory is still the one KSHIM_TABLE is
 * relative to: a daemon may chdir before its first lookup. */
__attribute__((constructor)) static void
init_at_load(void)
{
	pthread_once(&once, init);
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

static const struct snapshot *
reader_enter(void)
{
	__atomic_add_fetch(&readers, 1, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&current, __ATOMIC_SEQ_CST);
}

static void
reader_leave(void)
{
	__atomic_sub_fetch(&readers, 1, __ATOMIC_SEQ_CST);
}

static void
snapshot_free(struct snapshot *s)
{
	kshim_table_free(&s->table);
	free(s->numeric);
	free(s);
}

/* Under load_lock: frees replaced snapshots once no reader can hold one. A
 * reader that comes in after the swap sees the new one. */
static void
free_retired(void)
{
	if (!retired || __atomic_load_n(&readers, __ATOMIC_SEQ_CST) != 0)
		return;
	while (retired) {
		struct snapshot *next = retired->retired_next;
		snapshot_free(retired);
		retired = next;
	}
}

/* Under load_lock: makes s (or the empty table) the one readers see. */
static void
install(struct snapshot *s)
{
	struct snapshot *old = __atomic_exchange_n(&current, s ? s : &empty, __ATOMIC_SEQ_CST);

	__atomic_store_n(&first_chars, s ? s->first_chars : 0, __ATOMIC_RELAXED);
	if (old != &empty) {
		old->retired_next = retired;
		retired = old;
	}
}

static struct snapshot *
snapshot_new(struct kshim_table *t)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	if (s)
		s->numeric = calloc((size_t)t->nhosts + 1, sizeof(*s->numeric));
	if (!s || !s->numeric) {
		free(s);
		kshim_table_free(t);
		return NULL;
	}
	s->table = *t;
	for (int i = 0; i < t->nhosts; i++) {
		struct in_addr a = {.s_addr = htonl(t->hosts[i].addr)};
		inet_ntop(AF_INET, &a, s->numeric[i], INET_ADDRSTRLEN);
		for (int j = 0; j < t->hosts[i].nnames; j++)
			s->first_chars |= first_char_bit(t->hosts[i].names[j][0]);
	}
	return s;
}

/* Under load_lock: a verdict on the file itself (its mode, type, size or
 * content): the table is dropped, and the verdict stands until the file's
 * identity changes. */
static void
refuse(const struct stat *st, const char *why)
{
	warn_table(why, "names pass through unmapped");
	install(NULL);
	verdict_id = *st;
	have_verdict = 1;
}

/* Under load_lock: a failure that may pass (EMFILE, ENOMEM, a table briefly
 * missing): keep the table in use, remember nothing about the file, retry at
 * the next check. */
static void
transient(const char *why)
{
	int loaded = __atomic_load_n(&current, __ATOMIC_SEQ_CST) != &empty;

	warn_table(why, loaded ? "keeping the table loaded before" : "names pass through unmapped");
	have_verdict = 0;
}

/* Under load_lock: reads the table again if the file changed. */
static void
reload(void)
{
	struct kshim_table fresh = {0};
	struct snapshot *s;
	struct stat st = {0}; /* refuse() may see it when open fails before fstat */
	const char *why = NULL;
	int fd;

	if (stat(table_path, &st) == 0 && have_verdict && kshim_file_same(&st, &verdict_id))
		return;
	fd = kshim_table_open(table_path, &st, &why);
	if (fd < 0) {
		if (errno == EINVAL || errno == EFBIG)
			refuse(&st, why);
		else
			transient(strerror(errno));
		return;
	}
	if (!kshim_table_trusted(&st, getuid())) {
		close(fd);
		refuse(&st,
		       "writable by other users or owned by another user; ignored (chmod 600 it)");
		return;
	}
	if (kshim_table_read(fd, &fresh, warn_line, (void *)table_path, &why) < 0) {
		int e = errno;
		close(fd);
		if (e == EINVAL || e == EFBIG)
			refuse(&st, why);
		else
			transient(why);
		return;
	}
	close(fd);
	s = snapshot_new(&fresh);
	if (!s) {
		transient("out of memory");
		return;
	}
	install(s);
	verdict_id = st;
	have_verdict = 1;
	last_warning[0] = '\0';
	core_debug("loaded %s: %d hosts", table_path, s->table.nhosts);
}

/* Reloads the table if the file changed, at most every KSHIM_RECHECK_NS; one thread
 * at a time, the others go on with the table they have. Never called with a
 * reader section open. */
static void
refresh(void)
{
	long now = kshim_clock_ns(), last = __atomic_load_n(&last_check, __ATOMIC_ACQUIRE);

	if (last != 0 && now - last < KSHIM_RECHECK_NS)
		return;
	/* The first load is waited for; later ones are skipped while another runs. */
	if (last == 0 ? pthread_mutex_lock(&load_lock) : pthread_mutex_trylock(&load_lock))
		return;
	last = __atomic_load_n(&last_check, __ATOMIC_RELAXED);
	if (last == 0 || now - last >= KSHIM_RECHECK_NS) {
		reload();
		/* After the load: threads arriving first wait for it. */
		__atomic_store_n(&last_check, now, __ATOMIC_RELEASE);
	}
	free_retired();
	pthread_mutex_unlock(&load_lock);
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
	return kshim_clock_ns() - __atomic_load_n(&last_check, __ATOMIC_RELAXED) >=
	       KSHIM_RECHECK_NS;
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
	const struct snapshot *s;
	const struct kshim_host *h;

	if (!name || !core_enabled())
		return 0;
	refresh();
	s = reader_enter();
	h = kshim_table_find_name(&s->table, name);
	if (h) {
		memcpy(out, s->numeric[h - s->table.hosts], INET_ADDRSTRLEN);
		if (canon)
			strcpy(canon, h->names[0]);
	}
	reader_leave();
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
	refresh();
	found = copy_host(kshim_table_find_name(&reader_enter()->table, name), out);
	reader_leave();
	return found;
}

int
core_host_by_addr(uint32_t addr, struct kshim_host *out)
{
	int found;

	if (!core_enabled())
		return 0;
	refresh();
	found = copy_host(kshim_table_find_addr(&reader_enter()->table, addr), out);
	reader_leave();
	return found;
}

int
core_route(uint32_t addr, uint16_t port, struct kshim_route *out)
{
	const struct kshim_port *p;

	if (!core_enabled() || addr == INADDR_LOOPBACK)
		return 0;
	refresh();
	p = kshim_table_route(&reader_enter()->table, addr, port);
	if (p) {
		out->host_addr = p->host_addr;
		out->host_port = p->host_port;
	}
	reader_leave();
	return p != NULL;
}

/* The socket behind fd, as (device, inode); -1 when fd is not open. */
static int
socket_id(int fd, uint64_t *dev, uint64_t *ino)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

static void
peer_store(struct peer *p, const struct peer_data *d)
{
	uint64_t w[PEER_WORDS] = {0};

	memcpy(w, d, sizeof(*d));
	for (int i = 0; i < PEER_WORDS; i++)
		__atomic_store_n(&p->w[i], w[i], __ATOMIC_RELEASE);
}

/* A consistent copy of p, or -1 when a writer is in it (it may be the code
 * this signal handler interrupted: never wait for it). The words are stored
 * with release and loaded with acquire: a reader that sees any word of a
 * write in progress then sees the odd sequence count too (no fences, which
 * TSan does not model). */
static int
peer_load(struct peer *p, struct peer_data *d)
{
	uint64_t w[PEER_WORDS];

	for (int tries = 0; tries < 16; tries++) {
		unsigned before = __atomic_load_n(&p->seq, __ATOMIC_ACQUIRE);
		if (before & 1)
			continue;
		for (int i = 0; i < PEER_WORDS; i++)
			w[i] = __atomic_load_n(&p->w[i], __ATOMIC_ACQUIRE);
		if (__atomic_load_n(&p->seq, __ATOMIC_RELAXED) == before) {
			memcpy(d, w, sizeof(*d));
			return 0;
		}
	}
	return -1;
}

void
core_peer_record(int fd, const struct sockaddr *asked, socklen_t len,
		 const struct kshim_route *route)
{
	struct peer_data d = {0};
	struct peer *p;
	unsigned seq;

	(void)len;
	if (fd < 0 || socket_id(fd, &d.dev, &d.ino) < 0)
		return;
	d.route = *route;
	d.len =
	    asked->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	memcpy(&d.asked, asked, d.len); /* the caller checked len >= d.len */
	p = &peers[fd % PEER_SLOTS];
	seq = __atomic_load_n(&p->seq, __ATOMIC_RELAXED);
	/* Another writer in this slot: give up rather than wait. */
	if ((seq & 1) || !__atomic_compare_exchange_n(&p->seq, &seq, seq + 1, 0, __ATOMIC_ACQUIRE,
						      __ATOMIC_RELAXED))
		return;
	peer_store(p, &d);
	__atomic_store_n(&peers_used, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&p->seq, seq + 2, __ATOMIC_RELEASE);
}

int
core_peer_restore(int fd, struct sockaddr *addr, socklen_t cap, socklen_t *len)
{
	struct peer_data d;
	uint64_t dev, ino;
	uint32_t a;
	uint16_t port;

	if (!__atomic_load_n(&peers_used, __ATOMIC_RELAXED) || fd < 0 || !addr || !len ||
	    *len > cap || kshim_sockaddr_ipv4(addr, *len, &a, &port) < 0 ||
	    socket_id(fd, &dev, &ino) < 0)
		return 0;
	if (peer_load(&peers[fd % PEER_SLOTS], &d) < 0 || d.ino != ino || d.dev != dev)
		return 0;
	/* A socket connected elsewhere since has a different real peer. */
	if (d.route.host_addr != a || d.route.host_port != port ||
	    d.asked.sin6_family != addr->sa_family)
		return 0;
	memcpy(addr, &d.asked, *len < d.len ? *len : d.len);
	*len = d.len;
	return 1;
}
