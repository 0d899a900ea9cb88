/* SPDX-License-Identifier: Apache-2.0 */
/* SIGINT, SIGTERM and SIGHUP as a flag that long operations poll, so that they can roll back;
 * SIGWINCH as one that a terminal session polls. */
#include "signals.h"

#include <signal.h>

static volatile sig_atomic_t interrupted, resized;

static void
on_signal(int sig)
{
	if (sig == SIGWINCH)
		resized = 1;
	else
		interrupted = 1;
}

/* Without SA_RESTART, so that a blocking call returns EINTR. */
static void
catch_signal(int sig)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void
signals_trap(void)
{
	catch_signal(SIGINT);
	catch_signal(SIGTERM);
	catch_signal(SIGHUP); /* a dropped ssh session: roll back too */
}

int
signals_interrupted(void)
{
	return interrupted;
}

void
signals_trap_resize(void)
{
	catch_signal(SIGWINCH);
}

int
signals_resized(void)
{
	int r = resized;

	resized = 0;
	return r;
}
