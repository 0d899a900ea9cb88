/* SIGINT, SIGTERM and SIGHUP as a flag that long operations poll, so that they can roll back. */
#include "signals.h"

#include <signal.h>

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

void
signals_trap(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL); /* a dropped ssh session: roll back too */
}

int
signals_interrupted(void)
{
	return interrupted;
}
