/* SPDX-License-Identifier: Apache-2.0 */
/* process_vm_readv, split at the page boundary so that a string near the end
 * of a mapping reads as far as it can; /proc/PID/mem where the call is missing. */
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

static ssize_t
proc_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, buf, len, (off_t)addr);
	close(fd);
	return n;
}

ssize_t
seccomp_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	const uint64_t page = 4096;
	size_t first = (size_t)(page - addr % page);
	struct iovec local = {.iov_base = buf, .iov_len = len};
	struct iovec remote[2] = {{.iov_base = (void *)(uintptr_t)addr, .iov_len = len}};
	unsigned long nremote = 1;
	ssize_t n;

	if (len == 0)
		return 0;
	if (first < len) {
		remote[0].iov_len = first;
		remote[1].iov_base = (void *)(uintptr_t)(addr + first);
		remote[1].iov_len = len - first;
		nremote = 2;
	}
	n = process_vm_readv(pid, &local, 1, remote, nremote, 0);
	if (n < 0 && (errno == ENOSYS || errno == EPERM))
		return proc_mem_read(pid, addr, buf, len);
	return n;
}
