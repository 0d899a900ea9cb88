/* SPDX-License-Identifier: Apache-2.0 */
/* Linked with the shim's sources and -Wl,--wrap=dlsym: dlsym(RTLD_NEXT,
 * "connect") hands back the shim's own connect, as it can when the shim is
 * loaded twice or linked in. The shim must abort with a message rather than
 * recurse into itself. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

void *__real_dlsym(void *handle, const char *name);

void *
__wrap_dlsym(void *handle, const char *name)
{
	if (handle == RTLD_NEXT && strcmp(name, "connect") == 0)
		return (void *)connect;
	return __real_dlsym(handle, name);
}

int
main(void)
{
	struct sockaddr sa = {.sa_family = AF_INET};

	connect(-1, &sa, sizeof(sa));
	puts("returned");
	return 0;
}
