/* SPDX-License-Identifier: Apache-2.0 */
/* Errors carried upward by every fallible launcher function, and the rules for them. */
#ifndef KSHIM_ERROR_H
#define KSHIM_ERROR_H

/*
 * The rules, for every function in launcher/ and launcher/lib/:
 *
 * - A function that can fail returns int: -1 on failure, 0 (or a documented
 *   count or flag, never an exit status) on success. Before returning -1 it
 *   fills *err: kshim_fail sets the one-line cause and its code, kshim_hint
 *   the line that says what to do, kshim_wrap puts context in front
 *   ("creating kafka2: ..."). It prints nothing about the error.
 * - Errors are printed once, by main (launcher/kshim.c): "kshim: <cause>" and
 *   "hint: <hint>" on stderr. Library code only prints progress, and warnings
 *   that do not stop the command ("kshim: warning: ..."); a second error that
 *   must not replace the first (a failed rollback) is printed where it
 *   happens, and the first is returned.
 * - A subcommand (cmd_* in launcher/) returns -1 with *err filled, or the exit
 *   status itself, which main passes on: 0, or a positive status that is an
 *   answer rather than an error (1 when status or doctor finds the cluster
 *   unhealthy; for run, the program's own status, 128+N after signal N).
 * - main's exit status for an error: 2 when code is KSHIM_EUSAGE (the command
 *   line is wrong; main prints the command's usage after the cause), 130 when
 *   code is EINTR (SIGINT or SIGTERM stopped the command, after it removed
 *   what it had created), 1 for everything else.
 * - code is an errno value, KSHIM_EUSAGE or 0. An HTTP status from Docker goes
 *   in http_status (with code EIO), never in code.
 */

/* err->code of a usage error: kshim exits 2 for it. */
#define KSHIM_EUSAGE (-2)

typedef struct kshim_err {
	int code;	 /* errno value, KSHIM_EUSAGE or 0 */
	int http_status; /* Docker's HTTP status when it answered with an error, else 0 */
	char msg[512];
	char hint[512];
} kshim_err_t;

/* Sets the cause and code (replacing any earlier error) and returns -1. */
int kshim_fail(kshim_err_t *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets the hint and returns -1. */
int kshim_hint(kshim_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes the cause with context ("creating kafka2: <cause>") and returns -1. */
int kshim_wrap(kshim_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "kshim: cause" and, when set, "hint: ..." to stderr. */
void kshim_err_print(const kshim_err_t *err);
/* Whether KSHIM_DEBUG asks for debug lines: set, not empty and not "0". */
int kshim_debugging(void);

#endif
