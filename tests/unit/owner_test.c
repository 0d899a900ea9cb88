/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of a process's identity in labels (launcher/lib/owner.c). */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "lib/owner.h"

int
main(void)
{
	char self[OWNER_MAX], child[OWNER_MAX] = "", other[OWNER_MAX];
	int fds[2];
	pid_t pid;

	CHECK(owner_self(self) == 0, "this process has an identity (%s)", self);
	CHECK(owner_ended(self) == 0, "  ... and it runs");
	if (pipe(fds) < 0 || (pid = fork()) < 0)
		return 1;
	if (pid == 0) {
		owner_self(child);
		(void)!write(fds[1], child, sizeof(child));
		_exit(0);
	}
	close(fds[1]);
	CHECK(read(fds[0], child, sizeof(child)) == sizeof(child), "a child tells its identity");
	waitpid(pid, NULL, 0);
	CHECK(owner_ended(child) == 1, "a child that has exited and been reaped has ended (%s)",
	      child);
	snprintf(other, sizeof(other), "%s", self);
	*strrchr(other, '/') = '\0';
	snprintf(other + strlen(other), sizeof(other) - strlen(other), "/1");
	CHECK(owner_ended(other) == 1, "this pid with another start time has ended (%s)", other);
	snprintf(other, sizeof(other), "00000000-0000-0000-0000-000000000000/1/1");
	CHECK(owner_ended(other) == 0, "a process of another machine or boot is not judged");
	CHECK(owner_ended("") == 0 && owner_ended("garbage") == 0, "nor is a malformed label");
	return check_done();
}
