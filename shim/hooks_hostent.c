/* SPDX-License-Identifier: Apache-2.0 */
/* The gethostbyname and gethostbyaddr families for mapped names. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdalign.h>
#include <string.h>

#include "core.h"
#include "real.h"

/* Like glibc's, the non-reentrant forms share one static result. */
static struct hostent static_he;
static char static_buf[4096];

/* Lays h out in buf as glibc would from a hosts-file line. */
static int
fill_hostent(const struct kshim_host *h, struct hostent *he, char *buf, size_t len)
{
	size_t ptrs = (size_t)h->nnames + 1 /* aliases */ + 2 /* addr_list */;
	size_t need = ptrs * sizeof(char *) + alignof(char *) + 4;
	char **p = NULL;
	char *s;
	uint32_t a = htonl(h->addr);

	for (int i = 0; i < h->nnames; i++)
		need += strlen(h->names[i]) + 1;
	if (need > len)
		return ERANGE;
	p = (char **)(buf + (alignof(char *) - (uintptr_t)buf % alignof(char *)) % alignof(char *));
	s = (char *)(p + ptrs);
	memcpy(s, &a, 4);
	p[0] = s;
	p[1] = NULL;
	he->h_addr_list = p;
	he->h_aliases = p + 2;
	s += 4;
	for (int i = 0; i < h->nnames; i++) {
		size_t n = strlen(h->names[i]) + 1;
		memcpy(s, h->names[i], n);
		if (i == 0)
			he->h_name = s;
		else
			he->h_aliases[i - 1] = s;
		s += n;
	}
	he->h_aliases[h->nnames - 1] = NULL;
	he->h_addrtype = AF_INET;
	he->h_length = 4;
	return 0;
}

/* 1 when answered (*rc, *result, *herr set), 0 to pass through. */
static int
answer(const struct kshim_host *h, int af, struct hostent *he, char *buf, size_t len,
       struct hostent **result, int *herr, int *rc)
{
	*result = NULL;
	if (af != AF_INET) {
		/* A hosts-file line with only an IPv4 address has nothing for AF_INET6. */
		*herr = HOST_NOT_FOUND;
		*rc = 0;
		return 1;
	}
	*rc = fill_hostent(h, he, buf, len);
	if (*rc != 0) {
		*herr = NETDB_INTERNAL;
		errno = *rc; /* as glibc: ERANGE in errno too */
		return 1;
	}
	*result = he;
	*herr = 0;
	core_debug("gethostby* -> %s", h->names[0]);
	return 1;
}

KSHIM_EXPORT int
gethostbyname2_r(const char *name, int af, struct hostent *he, char *buf, size_t len,
		 struct hostent **result, int *herr)
{
	struct kshim_host h;
	int rc;

	if (!core_host_by_name(name, &h) || !result || !herr)
		return kshim_real()->gethostbyname2_r(name, af, he, buf, len, result, herr);
	answer(&h, af, he, buf, len, result, herr, &rc);
	return rc;
}

KSHIM_EXPORT int
gethostbyname_r(const char *name, struct hostent *he, char *buf, size_t len,
		struct hostent **result, int *herr)
{
	struct kshim_host h;
	int rc;

	if (!core_host_by_name(name, &h) || !result || !herr)
		return kshim_real()->gethostbyname_r(name, he, buf, len, result, herr);
	answer(&h, AF_INET, he, buf, len, result, herr, &rc);
	return rc;
}

static struct hostent *
static_answer(const struct kshim_host *h, int af)
{
	struct hostent *result;
	int herr, rc;

	answer(h, af, &static_he, static_buf, sizeof(static_buf), &result, &herr, &rc);
	if (!result)
		h_errno = herr;
	return result;
}

KSHIM_EXPORT struct hostent *
gethostbyname2(const char *name, int af)
{
	struct kshim_host h;

	if (!core_host_by_name(name, &h))
		return kshim_real()->gethostbyname2(name, af);
	return static_answer(&h, af);
}

KSHIM_EXPORT struct hostent *
gethostbyname(const char *name)
{
	struct kshim_host h;

	if (!core_host_by_name(name, &h))
		return kshim_real()->gethostbyname(name);
	return static_answer(&h, AF_INET);
}

/* The synthetic host at addr, if addr is an IPv4 address of the table. */
static int
host_at(const void *addr, socklen_t len, int type, struct kshim_host *h)
{
	uint32_t a;

	if (!addr || type != AF_INET || len != 4)
		return 0;
	memcpy(&a, addr, 4);
	a = ntohl(a);
	return (a >> 24) == 127 && core_host_by_addr(a, h);
}

KSHIM_EXPORT int
gethostbyaddr_r(const void *addr, socklen_t alen, int type, struct hostent *he, char *buf,
		size_t len, struct hostent **result, int *herr)
{
	struct kshim_host h;
	int rc;

	if (!host_at(addr, alen, type, &h) || !result || !herr)
		return kshim_real()->gethostbyaddr_r(addr, alen, type, he, buf, len, result, herr);
	answer(&h, AF_INET, he, buf, len, result, herr, &rc);
	return rc;
}

KSHIM_EXPORT struct hostent *
gethostbyaddr(const void *addr, socklen_t len, int type)
{
	struct kshim_host h;

	if (!host_at(addr, len, type, &h))
		return kshim_real()->gethostbyaddr(addr, len, type);
	return static_answer(&h, AF_INET);
}
