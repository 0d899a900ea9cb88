/* SPDX-License-Identifier: Apache-2.0 */
/* X.509 with libcrypto: a cluster's private CA, broker certificates whose
 * names are exactly the brokers' names, and the checks doctor makes on them.
 * Keys are EC P-256. PEM text is returned in malloc'd, NUL-terminated strings. */
#ifndef KSHIM_TLS_H
#define KSHIM_TLS_H

#include <stddef.h>
#include <time.h>

#include "error.h"

#define TLS_NAMES_MAX 8
#define TLS_PASSWORD_LEN 32 /* tls_password: this many characters and a NUL */

typedef struct tls_ca tls_ca_t;

/* A self-signed CA named cn, valid from not_before for valid_s seconds. */
int tls_ca_new(const char *cn, time_t not_before, long valid_s, tls_ca_t **ca, kshim_err_t *err);
void tls_ca_free(tls_ca_t *ca);
/* The CA's certificate. */
int tls_ca_pem(const tls_ca_t *ca, char **pem, kshim_err_t *err);

/* A new key and a certificate for names[0] signed by ca, with exactly names as
 * DNS subject alternative names, valid from not_before for valid_s seconds.
 * *keystore gets the key encrypted with password followed by the certificate,
 * as Kafka's PEM keystores want it: PKCS#8 with PKCS#12's PBE (SHA-1, 3DES),
 * because Kafka looks the scheme up by name in the JDK, which has no PBES2
 * SecretKeyFactory (the file is 0600 anyway; the encryption is Kafka's rule); *cert the
 * certificate alone. */
int tls_issue(tls_ca_t *ca, const char *const *names, int nnames, const char *password,
	      time_t not_before, long valid_s, char **keystore, char **cert, kshim_err_t *err);

/* TLS_PASSWORD_LEN random letters and digits. */
int tls_password(char out[TLS_PASSWORD_LEN + 1], kshim_err_t *err);

/* Checks cert_pem for a server reached as name at time now: it names name
 * (DNS SAN), is within its validity, and ca_pem signed it. Fails with the
 * first that does not hold as the cause. */
int tls_check(const char *cert_pem, const char *ca_pem, const char *name, time_t now,
	      kshim_err_t *err);

#endif
