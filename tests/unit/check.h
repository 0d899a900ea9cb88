/* SPDX-License-Identifier: Apache-2.0 */
/* CHECK() for the C unit tests: "ok - ..."/"not ok - ..." lines and a plan, for tap_relay. */
#ifndef KSHIM_TEST_CHECK_H
#define KSHIM_TEST_CHECK_H

#include <stdio.h>

static int check_run, check_failed;

/* CHECK(cond, printf-style description) */
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		check_run++;                                                                       \
		if (cond) {                                                                        \
			printf("ok - ");                                                           \
		} else {                                                                           \
			printf("not ok - ");                                                       \
			check_failed++;                                                            \
		}                                                                                  \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
	} while (0)

/* Prints the plan; main's exit status (0 when every check passed). */
static inline int
check_done(void)
{
	printf("1..%d\n", check_run);
	return check_failed != 0;
}

#endif
