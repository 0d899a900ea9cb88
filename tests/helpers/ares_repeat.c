/* SPDX-License-Identifier: Apache-2.0 */
/* Calls ares_getaddrinfo for NAME N times in one process and prints how many
 * answers came back; with LD_DEBUG=symbols it shows how often the shim looks
 * the real c-ares symbol up. Usage: ares_repeat NAME N */
/* The classic c-ares calls programs make, deprecated in newer c-ares (Debian 13 has 1.34). */
#define CARES_NO_DEPRECATED
#include <ares.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>

static int answers;

static void
done(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	(void)arg;
	(void)timeouts;
	answers += status == ARES_SUCCESS;
	ares_freeaddrinfo(ai);
}

int
main(int argc, char **argv)
{
	struct ares_addrinfo_hints hints = {.ai_family = AF_INET};
	ares_channel ch;
	int n = argc > 2 ? atoi(argv[2]) : 1;

	if (argc < 3 || ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS ||
	    ares_init(&ch) != ARES_SUCCESS)
		return 2;
	for (int i = 0; i < n; i++)
		ares_getaddrinfo(ch, argv[1], "9092", &hints, done, NULL);
	for (int spins = 0; answers < n && spins < 100; spins++) {
		fd_set r, w;
		struct timeval tv = {0, 20000};
		FD_ZERO(&r);
		FD_ZERO(&w);
		int nfds = ares_fds(ch, &r, &w);
		select(nfds, &r, &w, NULL, &tv);
		ares_process(ch, &r, &w);
	}
	printf("answers=%d\n", answers);
	ares_destroy(ch);
	ares_library_cleanup();
	return answers == n ? 0 : 1;
}
