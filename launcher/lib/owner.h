/* SPDX-License-Identifier: Apache-2.0 */
/* Which process on which machine made an engine object, as a label's value
 * "<boot id>/<pid>/<start time>", and whether that process still runs. The
 * boot id tells this machine's processes from another's; the start time tells
 * a process from a later one that got the same pid. */
#ifndef KSHIM_OWNER_H
#define KSHIM_OWNER_H

#include <stddef.h>

#define OWNER_MAX 80

/* This process's value; 0, or -1 when /proc cannot tell. */
int owner_self(char buf[OWNER_MAX]);
/* 1 when owner names a process of this machine's current boot that has ended;
 * 0 when it still runs, or belongs to another machine or boot. */
int owner_ended(const char *owner);

#endif
