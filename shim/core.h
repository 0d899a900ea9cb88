/* SPDX-License-Identifier: Apache-2.0 */
/* The shim's core: the current table, routing decisions and the record of
 * rewritten connections. It knows nothing of hooking. */
#ifndef KSHIM_CORE_H
#define KSHIM_CORE_H

#include <stdint.h>
#include <sys/socket.h>
#include <stddef.h>

#include "kshim/table.h"

struct kshim_route {
	uint32_t host_addr;
	uint16_t host_port;
};

/* Non-zero when KSHIM_TABLE names a table; zero means pure pass-through. */
int core_enabled(void);

/* Zero when s is surely not a mapped name, decided without the lock: numeric
 * addresses (table names have a letter and no ':'), and names whose first
 * character no table name starts with while the table was checked recently. */
int core_maybe_name(const char *s);

/* Mapped name: callers on hot paths ask core_maybe_name first. Fills its synthetic address as a
 * dotted string (16 bytes) and, when canon is non-NULL, its canonical name (KSHIM_NAME_MAX + 1
 * bytes). */
int core_lookup_name(const char *name, char *numeric, char *canon);
/* Copies the whole entry of a mapped name or synthetic address; 1 when found. */
int core_host_by_name(const char *name, struct kshim_host *out);
int core_host_by_addr(uint32_t addr, struct kshim_host *out);
/* (synthetic address, internal port) -> published address; 1 when mapped. */
int core_route(uint32_t addr, uint16_t port, struct kshim_route *out);

/* Remembers what fd was asked to connect to, for getpeername. */
void core_peer_record(int fd, const struct sockaddr *asked, socklen_t len,
		      const struct kshim_route *route);
/* If fd's real peer is a rewritten destination, writes what the program asked
 * for; cap is the caller's buffer size, *len what the kernel returned. */
int core_peer_restore(int fd, struct sockaddr *addr, socklen_t cap, socklen_t *len);

/* Logs to stderr when KSHIM_DEBUG is set. */
extern int core_debugging;
void core_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define core_debug(...)                                                                            \
	do {                                                                                       \
		if (core_debugging)                                                                \
			core_log(__VA_ARGS__);                                                     \
	} while (0)

#endif
