/* SPDX-License-Identifier: Apache-2.0 */
/* Interrupts that long operations notice instead of dying, so they can roll back. */
#ifndef KSHIM_SIGNALS_H
#define KSHIM_SIGNALS_H

/* SIGINT, SIGTERM and SIGHUP set a flag instead of ending the process, so
 * that up can roll back; signals_interrupted reads it. */
void signals_trap(void);
int signals_interrupted(void);
/* SIGWINCH sets a flag; signals_resized reads and clears it. */
void signals_trap_resize(void);
int signals_resized(void);

#endif
