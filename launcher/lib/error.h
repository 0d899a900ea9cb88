/* Errors carried upward by every fallible launcher function: a one-line cause
 * and an optional hint, printed once at the top. */
#ifndef KSHIM_ERROR_H
#define KSHIM_ERROR_H

/* err->code of a usage error: kshim exits 2 for it, 1 for every other error. */
#define KSHIM_EUSAGE (-2)

typedef struct kshim_err {
	int code; /* errno, HTTP status, KSHIM_EUSAGE or 0 */
	char msg[512];
	char hint[512];
} kshim_err_t;

/* Sets the cause (replacing any earlier one) and returns -1. */
int kshim_fail(kshim_err_t *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets the hint and returns -1. */
int kshim_hint(kshim_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes the cause with context ("creating kafka2: <cause>") and returns -1. */
int kshim_wrap(kshim_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "kshim: cause" and, when set, "hint: ..." to stderr. */
void kshim_err_print(const kshim_err_t *err);

#endif
