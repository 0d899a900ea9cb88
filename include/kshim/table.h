/* SPDX-License-Identifier: Apache-2.0 */
/* The port table shared by libkshim.so and the kshim launcher.
 *
 * Text format, version 1 (see README):
 *
 *   kshim-table 1
 *   # names            loopback     internal-port=host-address:host-port ...
 *   kafka1,broker-1    127.77.0.1   9092=127.0.0.1:32801 9093=127.0.0.1:32802
 *
 * Addresses and ports are kept in host byte order. */
#ifndef KSHIM_TABLE_H
#define KSHIM_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define KSHIM_TABLE_MAGIC "kshim-table"
#define KSHIM_TABLE_VERSION 1
#define KSHIM_NAME_MAX 253
#define KSHIM_NAMES_MAX 8
#define KSHIM_PORTS_MAX 8
/* Documented limits: a larger file, or more hosts, is refused as a whole
 * (never cut), with a message saying which limit. */
#define KSHIM_TABLE_FILE_MAX (1 << 20)
#define KSHIM_HOSTS_MAX 4096
/* Loopback block the launcher allocates synthetic addresses from: 127.77.0.0/16. */
#define KSHIM_LOOPBACK_NET 0x7f4d0000u

struct kshim_port {
	uint16_t port;	    /* internal port, as advertised */
	uint32_t host_addr; /* IPv4 address the port is published on */
	uint16_t host_port;
};

struct kshim_host {
	int nnames;
	char names[KSHIM_NAMES_MAX][KSHIM_NAME_MAX + 1]; /* lower case, no trailing dot */
	uint32_t addr;					 /* synthetic loopback address */
	int nports;
	struct kshim_port ports[KSHIM_PORTS_MAX];
};

struct kshim_table {
	int nhosts;
	int cap;
	struct kshim_host *hosts;
};

/* Called once per line that parsing skips; line is 1-based. */
typedef void (*kshim_table_warn_fn)(void *ctx, int line, const char *why);

/* Parses text into t (which must be zeroed or freed). Malformed lines are skipped
 * and reported through warn. Returns 0, or -1 with *why and errno set when the
 * file as a whole is unusable: EINVAL (no header, wrong version), EFBIG (more
 * than KSHIM_HOSTS_MAX hosts), ENOMEM. Duplicate checks are hashed, so parsing
 * is linear in the file. */
int kshim_table_parse(const char *text, size_t len, struct kshim_table *t, kshim_table_warn_fn warn,
		      void *ctx, const char **why);

/* Opens path without blocking (a FIFO or device never hangs the caller) and
 * checks the opened file: a regular file within KSHIM_TABLE_FILE_MAX. Fills *st
 * from it. Returns the descriptor, or -1 with errno and *why: EINVAL or EFBIG
 * for a file that is not usable as it is, other errnos for failures that may
 * pass (ENOENT, EMFILE, ...). */
int kshim_table_open(const char *path, struct stat *st, const char **why);

/* Reads fd (from kshim_table_open) to its end and parses it. Returns 0, or -1
 * with errno (EINVAL or EFBIG: the content; others: reading) and *why. */
int kshim_table_read(int fd, struct kshim_table *t, kshim_table_warn_fn warn, void *ctx,
		     const char **why);

/* kshim_table_open, kshim_table_read and close. */
int kshim_table_load(const char *path, struct kshim_table *t, kshim_table_warn_fn warn, void *ctx,
		     const char **why);

/* Serialises t; returns 0 or -1 on a write error. */
int kshim_table_print(const struct kshim_table *t, FILE *f);

/* Writes t to path atomically (temporary file in the same directory, fsync,
 * rename) with mode 0600. Returns 0, or -1 with errno set. */
int kshim_table_write(const char *path, const struct kshim_table *t);

/* Adds a host with its first name; returns it, or NULL (errno) on a bad name,
 * duplicate name or address, or no memory. */
struct kshim_host *kshim_table_add(struct kshim_table *t, const char *name, uint32_t addr);
/* Adds another name (an alias) to h; returns 0 or -1. */
int kshim_host_add_name(struct kshim_table *t, struct kshim_host *h, const char *name);
/* Adds or replaces the mapping of port on h; returns 0 or -1. */
int kshim_host_set_port(struct kshim_host *h, uint16_t port, uint32_t host_addr,
			uint16_t host_port);

/* Case-insensitive; a single trailing dot is ignored. */
const struct kshim_host *kshim_table_find_name(const struct kshim_table *t, const char *name);
const struct kshim_host *kshim_table_find_addr(const struct kshim_table *t, uint32_t addr);
const struct kshim_port *kshim_host_find_port(const struct kshim_host *h, uint16_t port);

/* (loopback address, internal port), host order -> the mapping it is published
 * on; NULL when unmapped. 127.0.0.1 is never mapped. */
const struct kshim_port *kshim_table_route(const struct kshim_table *t, uint32_t addr,
					   uint16_t port);

/* The IPv4 address and port of sa, unwrapping ::ffff:a.b.c.d; -1 otherwise
 * (other families, other IPv6 addresses, len too short for its family). */
int kshim_sockaddr_ipv4(const struct sockaddr *sa, socklen_t len, uint32_t *addr, uint16_t *port);
/* An AF_INET, or AF_INET6 v4-mapped, socket address; returns its length. */
socklen_t kshim_sockaddr_make(int family, uint32_t addr, uint16_t port,
			      struct sockaddr_storage *out);
/* Where a connect to sa (AF_INET, or AF_INET6 ::ffff:a.b.c.d) of len bytes goes
 * instead: the published address, in sa's own family, written to out. Returns
 * its length, or 0 when the connect is not to a mapped address and port. */
socklen_t kshim_table_redirect(const struct kshim_table *t, const struct sockaddr *sa,
			       socklen_t len, struct sockaddr_storage *out);

/* How often a reader may stat the table to see whether it changed: a restarted
 * broker's new port is seen within this time. */
#define KSHIM_RECHECK_NS (100 * 1000 * 1000L)
/* CLOCK_MONOTONIC_COARSE in ns, for timing the re-checks; never 0. */
long kshim_clock_ns(void);

/* Same file, size, mtime, ctime, mode and owner: nothing about the table file
 * changed since st was taken (a chmod changes ctime and mode). */
int kshim_file_same(const struct stat *a, const struct stat *b);
/* A table file may be used: writable by its owner only, owned by uid or root. */
int kshim_table_trusted(const struct stat *st, uid_t uid);

/* Valid host name for the table: letters, digits, '-', '_' and '.', with at
 * least one letter (so never a numeric address). */
int kshim_name_valid(const char *name, size_t len);

void kshim_table_free(struct kshim_table *t);

#endif
