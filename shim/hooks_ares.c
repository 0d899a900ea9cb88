/* SPDX-License-Identifier: Apache-2.0 */
/* c-ares reads /etc/hosts and DNS itself and never calls libc's resolver, so
 * programs linked with libcares get their own hooks: a mapped name is passed on
 * as its numeric synthetic address, which c-ares answers without a query. */
#include <ares.h>
#include <arpa/inet.h>
#include <stdlib.h>

#include "core.h"
#include "real.h"

typedef void (*ares_getaddrinfo_fn)(ares_channel, const char *, const char *,
				    const struct ares_addrinfo_hints *, ares_addrinfo_callback,
				    void *);
typedef void (*ares_gethostbyname_fn)(ares_channel, const char *, int, ares_host_callback, void *);

struct host_call {
	ares_host_callback cb;
	void *arg;
	char canon[KSHIM_NAME_MAX + 1];
};

/* Shows the mapped name, not the numeric string, as h_name while the caller
 * looks; c-ares owns and frees the hostent afterwards. */
static void
host_done(void *arg, int status, int timeouts, struct hostent *he)
{
	struct host_call *c = arg;
	char *numeric = he ? he->h_name : NULL;

	if (he)
		he->h_name = c->canon;
	c->cb(c->arg, status, timeouts, he);
	if (he)
		he->h_name = numeric;
	free(c);
}

static int
numeric_name(const char *name, char *buf, char *canon)
{
	if (!core_maybe_name(name) || !core_lookup_name(name, buf, canon))
		return 0;
	core_debug("c-ares %s -> %s", name, buf);
	return 1;
}

KSHIM_EXPORT void
ares_getaddrinfo(ares_channel channel, const char *name, const char *service,
		 const struct ares_addrinfo_hints *hints, ares_addrinfo_callback callback,
		 void *arg)
{
	static void *cache;
	ares_getaddrinfo_fn next = (ares_getaddrinfo_fn)kshim_real_ares("ares_getaddrinfo", &cache);
	char buf[INET_ADDRSTRLEN];

	if (!next) {
		callback(arg, ARES_ENOTINITIALIZED, 0, NULL);
		return;
	}
	if (name && numeric_name(name, buf, NULL))
		name = buf;
	next(channel, name, service, hints, callback, arg);
}

KSHIM_EXPORT void
ares_gethostbyname(ares_channel channel, const char *name, int family, ares_host_callback callback,
		   void *arg)
{
	static void *cache;
	ares_gethostbyname_fn next =
	    (ares_gethostbyname_fn)kshim_real_ares("ares_gethostbyname", &cache);
	char buf[INET_ADDRSTRLEN];
	struct host_call *c;

	if (!next) {
		callback(arg, ARES_ENOTINITIALIZED, 0, NULL);
		return;
	}
	c = malloc(sizeof(*c));
	if (!c || !name || !numeric_name(name, buf, c->canon)) {
		free(c);
		next(channel, name, family, callback, arg);
		return;
	}
	c->cb = callback;
	c->arg = arg;
	next(channel, buf, family, host_done, c);
}
