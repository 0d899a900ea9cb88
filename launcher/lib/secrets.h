/* SPDX-License-Identifier: Apache-2.0 */
/* A cluster's TLS and SASL files. Generated on the host into
 * <table dir>/<cluster>.secrets (mode 0700, every file 0600), beside the
 * table, and copied into each container before it starts. */
#ifndef KSHIM_SECRETS_H
#define KSHIM_SECRETS_H

#include <stddef.h>

#include "cluster.h"
#include "tls.h"

#define SECRETS_USER "kshim"
#define SECRETS_CA "ca.crt"
#define SECRETS_CREDENTIALS "credentials"
#define SECRETS_SANS_MAX (TLS_NAMES_MAX - 1)
/* How long the CA and certificates are valid: the cluster's life, at most. */
#define SECRETS_VALID_S (90L * 24 * 3600)

struct secrets {
	char user[32];
	char password[TLS_PASSWORD_LEN + 1];	 /* the SASL user's */
	char key_password[TLS_PASSWORD_LEN + 1]; /* the brokers' PEM keys' */
};

/* <table dir>/<cluster>.secrets; created (0700) when create is set. */
int secrets_dir(const char *cluster, char *buf, size_t len, int create, kshim_err_t *err);
/* <secrets dir>/<file>. */
int secrets_path(const char *cluster, const char *file, char *buf, size_t len, kshim_err_t *err);
/* Replaces the directory with new material for c: a CA, and for each node a key
 * and a certificate naming kafka<i> and the extra names sans; passwords. */
int secrets_create(const struct cluster *c, const char *const *sans, int nsans, struct secrets *s,
		   kshim_err_t *err);
/* Copies node i's keystore, the CA and its properties into its created container. */
int secrets_upload(docker_t *d, const struct cluster *c, int i, const struct secrets *s,
		   kshim_err_t *err);
/* The text of <secrets dir>/<file> (malloc'd), or NULL with err filled. */
char *secrets_read(const char *cluster, const char *file, kshim_err_t *err);
/* Reads back the SASL user and password. */
int secrets_load(const char *cluster, struct secrets *s, kshim_err_t *err);
/* Makes this process's readiness probes (ready.h) speak c's client protocol,
 * with its CA and credentials (plaintext clusters: nothing to do). */
int secrets_use_for_probes(const struct cluster *c, kshim_err_t *err);
/* Removes the directory and its files; *removed is 1 when there was one. */
int secrets_remove(const char *cluster, int *removed, kshim_err_t *err);

#endif
