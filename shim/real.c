/* SPDX-License-Identifier: Apache-2.0 */
/* The real libc (and c-ares) functions behind the hooks, bound once with dlsym(RTLD_NEXT). */
#include "real.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct kshim_real real;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

static void
die(const char *msg, size_t len)
{
	ssize_t n = write(2, msg, len);
	(void)n;
	abort();
}

/* The next definition of name after the shim. Getting the shim's own hook
 * back (the shim loaded twice, or linked into the program) would make every
 * call recurse into itself, so that aborts with a message instead. */
static void *
bind_one(const char *name, void *own)
{
	static const char missing[] =
	    "kshim: cannot find a libc symbol behind the shim; aborting\n";
	static const char self[] = "kshim: dlsym(RTLD_NEXT) returned the shim's own function "
				   "(is libkshim.so loaded twice?); aborting\n";
	void *next = dlsym(RTLD_NEXT, name);

	if (!next)
		die(missing, sizeof(missing) - 1);
	if (next == own)
		die(self, sizeof(self) - 1);
	return next;
}

#define BIND(fn) (*(void **)&real.fn = bind_one(#fn, (void *)fn))

static void
bind_all(void)
{
	BIND(getaddrinfo);
	BIND(getnameinfo);
	BIND(gethostbyname);
	BIND(gethostbyname2);
	BIND(gethostbyname_r);
	BIND(gethostbyname2_r);
	BIND(gethostbyaddr);
	BIND(gethostbyaddr_r);
	BIND(connect);
	BIND(getpeername);
	BIND(sendto);
}

static int bound;

/* Binds early, so hooks called after start-up skip pthread_once. */
__attribute__((constructor)) static void
bind_at_load(void)
{
	pthread_once(&real_once, bind_all);
	__atomic_store_n(&bound, 1, __ATOMIC_RELEASE);
}

const struct kshim_real *
kshim_real(void)
{
	if (!__atomic_load_n(&bound, __ATOMIC_ACQUIRE))
		pthread_once(&real_once, bind_all);
	return &real;
}

/* Found once, then cached: each c-ares call used to cost a dlsym (and a
 * dlopen/dlclose when libcares was loaded RTLD_LOCAL). Until it is found (the
 * library may be dlopened later) each call looks again. */
void *
kshim_real_ares(const char *name, void **cache)
{
	void *sym = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
	void *h;

	if (sym)
		return sym;
	sym = dlsym(RTLD_NEXT, name);
	/* A library loaded with RTLD_LOCAL (a Python extension's libcares) is not
	 * in the global scope RTLD_NEXT searches. */
	if (!sym && (h = dlopen("libcares.so.2", RTLD_LAZY | RTLD_NOLOAD)) != NULL) {
		sym = dlsym(h, name);
		dlclose(h);
	}
	if (sym)
		__atomic_store_n(cache, sym, __ATOMIC_RELEASE);
	return sym;
}
