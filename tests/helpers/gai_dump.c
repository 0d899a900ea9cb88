/* SPDX-License-Identifier: Apache-2.0 */
/* Prints getaddrinfo's answer for each hint combination real clients pass, in
 * a stable form; shim-hints.sh diffs the output with and without the shim. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

struct hint_case {
	const char *what;
	int use_hints, flags, family, socktype, protocol;
	const char *service;
};

static const struct hint_case cases[] = {
    {"NULL hints, NULL service", 0, 0, 0, 0, 0, NULL},
    {"NULL hints, service 9092", 0, 0, 0, 0, 0, "9092"},
    {"AF_UNSPEC, NULL service", 1, 0, AF_UNSPEC, 0, 0, NULL},
    {"AF_INET", 1, 0, AF_INET, SOCK_STREAM, 0, "9092"},
    {"AF_INET6 alone", 1, 0, AF_INET6, SOCK_STREAM, 0, "9092"},
    {"AF_INET6 V4MAPPED", 1, AI_V4MAPPED, AF_INET6, SOCK_STREAM, 0, "9092"},
    {"AF_INET6 V4MAPPED|ALL", 1, AI_V4MAPPED | AI_ALL, AF_INET6, 0, 0, NULL},
    {"AI_CANONNAME socktype 0 (Java)", 1, AI_CANONNAME, AF_UNSPEC, 0, 0, NULL},
    {"socktype 0 protocol 6", 1, 0, AF_UNSPEC, 0, 6, "9092"},
    {"STREAM protocol 6 ADDRCONFIG (librdkafka)", 1, AI_ADDRCONFIG, AF_UNSPEC, SOCK_STREAM, 6,
     "9092"},
    {"STREAM ADDRCONFIG NULL service (Node)", 1, AI_ADDRCONFIG, AF_UNSPEC, SOCK_STREAM, 0, NULL},
    {"STREAM (kafka-python)", 1, 0, AF_UNSPEC, SOCK_STREAM, 0, "9092"},
    {"CANONNAME|V4MAPPED|ALL (cgo)", 1, AI_CANONNAME | AI_V4MAPPED | AI_ALL, AF_UNSPEC, 0, 0, NULL},
    {"AI_NUMERICHOST", 1, AI_NUMERICHOST, AF_UNSPEC, SOCK_STREAM, 0, "9092"},
    {"AI_NUMERICSERV", 1, AI_NUMERICSERV, AF_UNSPEC, SOCK_STREAM, 0, "9092"},
    {"AI_NUMERICSERV, named service", 1, AI_NUMERICSERV, AF_UNSPEC, SOCK_STREAM, 0, "http"},
    {"named service", 1, 0, AF_INET, SOCK_STREAM, 0, "http"},
    {"AI_PASSIVE", 1, AI_PASSIVE, AF_INET, SOCK_STREAM, 0, "9092"},
    {"AI_CANONNAME AF_INET6 V4MAPPED", 1, AI_CANONNAME | AI_V4MAPPED, AF_INET6, SOCK_STREAM, 0,
     "9092"},
    {"AF_INET ADDRCONFIG CANONNAME", 1, AI_ADDRCONFIG | AI_CANONNAME, AF_INET, 0, 0, NULL},
    {"bad socktype", 1, 0, AF_UNSPEC, 99, 0, "9092"},
    {"bad family", 1, 0, 99, SOCK_STREAM, 0, "9092"},
};

static void
dump(const char *name, const struct hint_case *c)
{
	struct addrinfo hints, *res = NULL;
	char addr[INET6_ADDRSTRLEN];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = c->flags;
	hints.ai_family = c->family;
	hints.ai_socktype = c->socktype;
	hints.ai_protocol = c->protocol;
	rc = getaddrinfo(name, c->service, c->use_hints ? &hints : NULL, &res);
	printf("%s | %s:", name, c->what);
	if (rc != 0) {
		printf(" error %d (%s)\n", rc, gai_strerror(rc));
		return;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		const void *a =
		    ai->ai_family == AF_INET
			? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
			: (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		int port = ntohs(((struct sockaddr_in *)ai->ai_addr)->sin_port);
		inet_ntop(ai->ai_family, a, addr, sizeof(addr));
		printf(" [fam %d type %d proto %d len %u %s port %d canon %s]", ai->ai_family,
		       ai->ai_socktype, ai->ai_protocol, (unsigned)ai->ai_addrlen, addr, port,
		       ai->ai_canonname ? ai->ai_canonname : "-");
	}
	printf("\n");
	freeaddrinfo(res);
}

int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		for (size_t j = 0; j < sizeof(cases) / sizeof(cases[0]); j++)
			dump(argv[i], &cases[j]);
	return 0;
}
