/* SPDX-License-Identifier: Apache-2.0 */
/* A process's identity across machines and pid reuse, for labels on engine objects. */
#include "owner.h"

#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* The first line of path, without its newline; 0 or -1. */
static int
read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ok = f && fgets(buf, (int)len, f);

	if (f)
		fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The identity of pid in buf: -1 when it does not run. */
static int
identity(long pid, char buf[OWNER_MAX])
{
	char boot[40], path[64], stat[512];
	unsigned long long start;
	const char *p;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (read_line("/proc/sys/kernel/random/boot_id", boot, sizeof(boot)) < 0 ||
	    read_line(path, stat, sizeof(stat)) < 0)
		return -1;
	/* the start time is field 22; the command's name (field 2) may hold spaces */
	p = strrchr(stat, ')');
	for (int i = 3; i <= 22 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, "%llu", &start) != 1)
		return -1;
	snprintf(buf, OWNER_MAX, "%s/%ld/%llu", boot, pid, start);
	return 0;
}

int
owner_self(char buf[OWNER_MAX])
{
	return identity((long)getpid(), buf);
}

int
owner_ended(const char *owner)
{
	char boot[40], now[OWNER_MAX];
	long pid;

	if (sscanf(owner, "%39[^/]/%ld/", boot, &pid) != 2 || pid <= 0 ||
	    read_line("/proc/sys/kernel/random/boot_id", now, sizeof(now)) < 0 ||
	    strcmp(boot, now) != 0)
		return 0;
	return identity(pid, now) < 0 || strcmp(now, owner) != 0;
}
