/* SPDX-License-Identifier: Apache-2.0 */
/* getaddrinfo and getnameinfo for mapped names and their synthetic addresses.
 * A mapped name is handed to the real getaddrinfo as a numeric address, so libc
 * builds (and later frees) the result itself. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "real.h"

/* Builds the numeric query for a synthetic address under the caller's hints.
 * Returns 0, or the EAI_ code glibc gives for a hosts-file entry with only an
 * IPv4 address. AI_ADDRCONFIG is dropped: the answer is a loopback address,
 * and checking it would cost a netlink round trip per call. */
static int
numeric_query(const char *numeric, const struct addrinfo *hints, struct addrinfo *q, char *host)
{
	memset(q, 0, sizeof(*q));
	if (hints) {
		q->ai_flags = hints->ai_flags & ~AI_ADDRCONFIG;
		q->ai_family = hints->ai_family;
		q->ai_socktype = hints->ai_socktype;
		q->ai_protocol = hints->ai_protocol;
	}
	q->ai_flags |= AI_NUMERICHOST;
	if (q->ai_family != AF_UNSPEC && q->ai_family != AF_INET && q->ai_family != AF_INET6)
		return EAI_FAMILY;
	if (q->ai_family != AF_INET6) {
		strcpy(host, numeric);
		return 0;
	}
	if (!(q->ai_flags & AI_V4MAPPED))
		return EAI_NONAME;
	strcpy(host, "::ffff:");
	strcpy(host + 7, numeric);
	return 0;
}

/* glibc frees ai_canonname separately in freeaddrinfo. */
static int
set_canonname(struct addrinfo *res, const char *canon)
{
	char *dup = strdup(canon);

	if (!dup)
		return EAI_MEMORY;
	free(res->ai_canonname);
	res->ai_canonname = dup;
	return 0;
}

/* The mapped path, kept out of the hook so pass-through pays for none of it. */
static int __attribute__((noinline))
mapped_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		   struct addrinfo **res)
{
	char canon[KSHIM_NAME_MAX + 1], numeric[INET_ADDRSTRLEN], host[INET6_ADDRSTRLEN];
	int want_canon = hints && (hints->ai_flags & AI_CANONNAME);
	struct addrinfo q;
	int rc;

	if (!core_lookup_name(node, numeric, want_canon ? canon : NULL))
		return kshim_real()->getaddrinfo(node, service, hints, res);
	*res = NULL;
	rc = numeric_query(numeric, hints, &q, host);
	if (rc == 0)
		rc = kshim_real()->getaddrinfo(host, service, &q, res);
	if (rc == 0 && want_canon)
		rc = set_canonname(*res, canon);
	if (rc != 0 && *res) {
		freeaddrinfo(*res);
		*res = NULL;
	}
	core_debug("getaddrinfo %s -> %s%s", node,
		   rc == 0 ? host : "error: ", rc == 0 ? "" : gai_strerror(rc));
	return rc;
}

KSHIM_EXPORT int
getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
	    struct addrinfo **res)
{
	if (!node || !res || (hints && (hints->ai_flags & AI_NUMERICHOST)) ||
	    !core_maybe_name(node))
		return kshim_real()->getaddrinfo(node, service, hints, res);
	return mapped_getaddrinfo(node, service, hints, res);
}

KSHIM_EXPORT int
getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen, char *serv,
	    socklen_t servlen, int flags)
{
	struct kshim_host h;
	uint32_t addr;
	uint16_t port;
	int rc;

	if (!sa || !host || hostlen == 0 || (flags & NI_NUMERICHOST) ||
	    kshim_sockaddr_ipv4(sa, salen, &addr, &port) < 0 || (addr >> 24) != 127 ||
	    !core_host_by_addr(addr, &h))
		return kshim_real()->getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
	rc = kshim_real()->getnameinfo(sa, salen, host, hostlen, serv, servlen,
				       flags | NI_NUMERICHOST);
	if (rc != 0)
		return rc;
	if (strlen(h.names[0]) >= hostlen)
		return EAI_OVERFLOW;
	strcpy(host, h.names[0]);
	core_debug("getnameinfo -> %s", host);
	return 0;
}
