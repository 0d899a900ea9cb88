/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the supervisor's connect decision (kshim_table_redirect)
 * on malformed socket addresses and lengths, as a supervised program may pass
 * them to connect. The address sits in a heap buffer of exactly its length,
 * so any read past it is caught. Every answer is checked against a decoding
 * written here independently: a redirect only for a mapped (loopback address,
 * port) with a long enough AF_INET or v4-mapped AF_INET6 address, to the
 * published address, in the caller's family.
 * Input: len(1) flags(1) sockaddr bytes... ['\0' table text...] */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "kshim/table.h"

static struct kshim_table fixed;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char text[] = "kshim-table 1\n"
				   "kafka1 127.77.0.1 9092=127.0.0.1:40001 9093=127.0.0.1:40011\n"
				   "kafka2,alias2 127.77.0.2 9092=10.0.0.2:40002\n"
				   "loopy 127.0.0.2 1=127.0.0.1:65535\n";
	const char *why;

	(void)argc;
	(void)argv;
	if (kshim_table_parse(text, sizeof(text) - 1, &fixed, NULL, NULL, &why) < 0)
		abort();
	return 0;
}

/* The (address, port) an AF_INET or v4-mapped AF_INET6 sockaddr names, read
 * byte by byte; 0 when it names none. */
static int
decode(const unsigned char *b, size_t len, uint32_t *addr, uint16_t *port)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	sa_family_t family;
	size_t at;

	if (len < sizeof(family))
		return 0;
	memcpy(&family, b, sizeof(family));
	if (family == AF_INET && len >= 16)
		at = 4;
	else if (family == AF_INET6 && len >= 28 && memcmp(b + 8, mapped, 12) == 0)
		at = 20;
	else
		return 0;
	*port = (uint16_t)(b[2] << 8 | b[3]);
	*addr = (uint32_t)b[at] << 24 | (uint32_t)b[at + 1] << 16 | (uint32_t)b[at + 2] << 8 |
		b[at + 3];
	return 1;
}

static void
check(const struct kshim_table *t, const unsigned char *sa, size_t len)
{
	struct sockaddr_storage out;
	socklen_t n = kshim_table_redirect(t, (const struct sockaddr *)sa, (socklen_t)len, &out);
	const struct kshim_port *p = NULL;
	uint32_t addr, got_addr;
	uint16_t port, got_port, family;

	if (decode(sa, len, &addr, &port) && (addr >> 24) == 127 && addr != INADDR_LOOPBACK)
		p = kshim_table_route(t, addr, port);
	if (!p) {
		if (n != 0)
			abort();
		return;
	}
	memcpy(&family, sa, sizeof(family));
	if (n != (family == AF_INET ? 16u : 28u) || out.ss_family != family ||
	    !decode((const unsigned char *)&out, n, &got_addr, &got_port) ||
	    got_addr != p->host_addr || got_port != p->host_port)
		abort();
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct kshim_table own = {0};
	const unsigned char *rest;
	unsigned char *sa;
	size_t len, have;
	const char *why;

	if (size < 2)
		return 0;
	len = data[0];
	rest = data + 2;
	have = size - 2;
	if ((data[1] & 1) && have > len && rest[len] == '\0') {
		if (kshim_table_parse((const char *)rest + len + 1, have - len - 1, &own, NULL,
				      NULL, &why) < 0)
			return 0;
		have = len;
	}
	sa = malloc(len ? len : 1);
	memset(sa, 0, len ? len : 1);
	memcpy(sa, rest, have < len ? have : len);
	check(own.nhosts ? &own : &fixed, sa, len);
	free(sa);
	kshim_table_free(&own);
	return 0;
}
