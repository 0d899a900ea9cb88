/* SPDX-License-Identifier: Apache-2.0 */
/* Local variables that release what they hold when they go out of scope, so
 * that every return path of a function frees, closes or deletes it once. */
#ifndef KSHIM_CLEANUP_H
#define KSHIM_CLEANUP_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <cjson/cJSON.h>

/*
 * The rules:
 * - A variable marked cleanup_free (heap memory), cleanup_close (an fd, -1
 *   for none) or cleanup_json (a cJSON tree) is released when the block it is
 *   declared in ends, by return or by falling off its end. Initialise it where
 *   it is declared (NULL or -1 when there is nothing yet).
 * - Ownership moves out with steal_pointer or steal_fd, which leave NULL or
 *   -1 behind: `return steal_fd(&fd);`, `*reply = steal_pointer(&r);`.
 * - Releasing keeps errno, so a function may still return -1 with errno set.
 */

static inline void
cleanup_free_fn(void *p)
{
	int e = errno;

	free(*(void **)p);
	errno = e;
}

static inline void
cleanup_close_fn(int *fd)
{
	int e = errno;

	if (*fd >= 0)
		close(*fd);
	errno = e;
}

static inline void
cleanup_json_fn(cJSON **j)
{
	int e = errno;

	cJSON_Delete(*j);
	errno = e;
}

#define cleanup_free __attribute__((cleanup(cleanup_free_fn)))
#define cleanup_close __attribute__((cleanup(cleanup_close_fn)))
#define cleanup_json __attribute__((cleanup(cleanup_json_fn)))

/* The pointer at *pp, which is left NULL: the caller owns it now. */
static inline void *
steal_pointer(void *pp)
{
	void **p = pp;
	void *v = *p;

	*p = NULL;
	return v;
}

/* The fd at *fd, which is left -1: the caller owns it now. */
static inline int
steal_fd(int *fd)
{
	int v = *fd;

	*fd = -1;
	return v;
}

#endif
