/* SPDX-License-Identifier: Apache-2.0 */
/* The seccomp filter of a supervised program: which system calls reach the
 * supervisor as user notifications. */
#ifndef KSHIM_SECCOMP_FILTER_H
#define KSHIM_SECCOMP_FILTER_H

#include "../error.h"

/* Fails with a cause and a hint when this kernel or an outer sandbox does not
 * offer seccomp user notification with the pieces the supervisor uses. */
int seccomp_filter_available(kshim_err_t *err);
/* Fails with a cause and a hint when the listener's kernel lacks a piece the
 * supervisor uses (SECCOMP_USER_NOTIF_FLAG_CONTINUE, SECCOMP_ADDFD_FLAG_SEND):
 * refused, not names that silently stop resolving. Before any notification. */
int seccomp_filter_probe(int listener, kshim_err_t *err);
/* In the child: sets no_new_privs and installs the filter; returns the
 * listener fd, or -1 with errno set. */
int seccomp_filter_install(void);
/* The refusal for a failed install (errno e), with its hint. */
int seccomp_filter_refuse(int e, kshim_err_t *err);

#endif
