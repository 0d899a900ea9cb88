/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the getaddrinfo hook's handling of hints, services and
 * name spellings. The shim's sources are linked in, so their getaddrinfo
 * interposes libc's exactly as under LD_PRELOAD. Only mapped names reach the
 * real resolver, so no query ever leaves the machine.
 * Input: flags(4) family(1) socktype(1) protocol(1) which(1) service...\0 name... */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The shim's test interface (the Makefile's header rule): core_lookup_name. */
#include "../../shim/core.h"

static const char *const mapped[] = {"kafka1", "kafka2", "broker-three"};

/* The shim takes KSHIM_TABLE's path when it is loaded, before this runs, so the
 * path comes from the environment (tests/fuzz.sh sets it); the table is written
 * there now, before the first lookup reads it. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char table[] = "kshim-table 1\n"
				    "kafka1 127.77.0.1 9092=127.0.0.1:40001\n"
				    "kafka2,alias2 127.77.0.2 9092=127.0.0.1:40002\n"
				    "broker-three 127.77.0.3 9092=127.0.0.1:40003\n";
	const char *path = getenv("KSHIM_TABLE");
	int fd;

	(void)argc;
	(void)argv;
	if (!path || !*path) {
		fputs("fuzz_gai: KSHIM_TABLE must name the table file to write\n", stderr);
		abort();
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, table, sizeof(table) - 1) != (ssize_t)(sizeof(table) - 1))
		abort();
	close(fd);
	return 0;
}

/* A spelling of a mapped name: any case, maybe a trailing dot. */
static void
spell(char *out, const char *name, const unsigned char *bits, size_t nbits)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < n; i++) {
		int up = i < nbits * 8 && (bits[i / 8] >> (i % 8)) & 1;
		out[i] = (char)(up && name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
	}
	out[n] = '\0';
	if (nbits && (bits[nbits - 1] & 0x80))
		strcat(out, ".");
}

static void
check_result(const struct addrinfo *hints, const struct addrinfo *res, const char *name)
{
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		uint32_t a;
		uint16_t port;
		if (!ai->ai_addr || kshim_sockaddr_ipv4(ai->ai_addr, ai->ai_addrlen, &a, &port) < 0)
			abort();
		if ((a >> 8) != 0x7f4d00 || (hints->ai_family && ai->ai_family != hints->ai_family))
			abort();
		if (hints->ai_socktype && ai->ai_socktype != hints->ai_socktype)
			abort();
	}
	if ((hints->ai_flags & AI_CANONNAME) &&
	    (!res->ai_canonname || strcasecmp(res->ai_canonname, name) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct addrinfo hints = {0}, *res = NULL;
	char name[64], service[32], free_name[64];
	const unsigned char *end;
	size_t slen;
	int rc, which, null_hints;

	if (size < 8)
		return 0;
	which = data[7] % 3;
	null_hints = data[7] & 0x80;
	memcpy(&hints.ai_flags, data, 4);
	hints.ai_flags &= AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL |
			  AI_ADDRCONFIG | AI_NUMERICSERV;
	hints.ai_flags &= ~AI_NUMERICHOST; /* would pass a mapped name to the real resolver */
	hints.ai_family = (const int[]){AF_UNSPEC, AF_INET, AF_INET6, AF_UNIX}[data[4] % 4];
	hints.ai_socktype = data[5] % 4;
	hints.ai_protocol = (const int[]){0, IPPROTO_TCP, IPPROTO_UDP}[data[6] % 3];
	spell(name, mapped[which], data + 8, size - 8 < 2 ? size - 8 : 2);
	data += 8;
	size -= 8;
	end = memchr(data, 0, size);
	slen = end ? (size_t)(end - data) : size;
	if (slen >= sizeof(service))
		slen = sizeof(service) - 1;
	memcpy(service, data, slen);
	service[slen] = '\0';
	/* Names can come from the input too, but only the lookup sees them. */
	if (end && (size_t)(end - data) + 1 < size) {
		size_t n = size - (size_t)(end - data) - 1;
		char numeric[INET_ADDRSTRLEN];
		if (n >= sizeof(free_name))
			n = sizeof(free_name) - 1;
		memcpy(free_name, end + 1, n);
		free_name[n] = '\0';
		core_lookup_name(free_name, numeric, NULL);
	}
	rc = getaddrinfo(name, service[0] ? service : NULL, null_hints ? NULL : &hints, &res);
	if (rc == 0) {
		if (!res)
			abort();
		check_result(null_hints ? &(struct addrinfo){0} : &hints, res, mapped[which]);
		freeaddrinfo(res);
	} else if (res) {
		abort();
	}
	return 0;
}
