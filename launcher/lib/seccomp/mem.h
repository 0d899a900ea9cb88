/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a supervised program's memory. */
#ifndef KSHIM_SECCOMP_MEM_H
#define KSHIM_SECCOMP_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Copies up to len bytes at addr in pid's memory into buf; stops early at an
 * unreadable page. Returns the count copied, or -1 with errno set. */
ssize_t seccomp_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len);

#endif
