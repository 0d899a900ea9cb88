/* The real libc (and c-ares) functions behind the hooks, bound once with dlsym(RTLD_NEXT). */
#include "real.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct kshim_real real;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

static void *
bind_one(const char *name)
{
	void *next = dlsym(RTLD_NEXT, name);
	static const char msg[] = "kshim: cannot find a libc symbol behind the shim; aborting\n";

	if (!next) {
		ssize_t n = write(2, msg, sizeof(msg) - 1);
		(void)n;
		abort();
	}
	return next;
}

static void
bind_all(void)
{
	*(void **)&real.getaddrinfo = bind_one("getaddrinfo");
	*(void **)&real.getnameinfo = bind_one("getnameinfo");
	*(void **)&real.gethostbyname = bind_one("gethostbyname");
	*(void **)&real.gethostbyname2 = bind_one("gethostbyname2");
	*(void **)&real.gethostbyname_r = bind_one("gethostbyname_r");
	*(void **)&real.gethostbyname2_r = bind_one("gethostbyname2_r");
	*(void **)&real.gethostbyaddr = bind_one("gethostbyaddr");
	*(void **)&real.gethostbyaddr_r = bind_one("gethostbyaddr_r");
	*(void **)&real.connect = bind_one("connect");
	*(void **)&real.getpeername = bind_one("getpeername");
	*(void **)&real.sendto = bind_one("sendto");
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

void *
kshim_real_ares(const char *name)
{
	void *sym = dlsym(RTLD_NEXT, name);
	void *h;

	if (sym)
		return sym;
	/* A library loaded with RTLD_LOCAL (a Python extension's libcares) is not
	 * in the global scope RTLD_NEXT searches. */
	h = dlopen("libcares.so.2", RTLD_LAZY | RTLD_NOLOAD);
	if (!h)
		return NULL;
	sym = dlsym(h, name);
	dlclose(h);
	return sym;
}
