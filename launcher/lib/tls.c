/* SPDX-License-Identifier: Apache-2.0 */
/* A cluster's CA and broker certificates with libcrypto, and checking them. */
#include "tls.h"

#include <errno.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tls_ca {
	EVP_PKEY *key;
	X509 *cert;
};

/* The cause is libcrypto's last error, or what when it left none. */
static int
crypto_fail(kshim_err_t *err, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return kshim_fail(err, EIO, "%s%s%s", what, e ? ": " : "", buf);
}

static int
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* 63 random bits: positive, and unique enough within one cluster. */
static int
set_serial(X509 *cert)
{
	BIGNUM *bn = BN_new();
	int ok = bn && BN_rand(bn, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
		 BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));

	BN_free(bn);
	return ok ? 0 : -1;
}

/* An unsigned v3 certificate for key, subject CN=cn, issued by issuer (itself when NULL). */
static X509 *
new_cert(EVP_PKEY *key, const char *cn, X509 *issuer, time_t not_before, long valid_s)
{
	X509 *cert = X509_new();
	X509_NAME *name = X509_NAME_new();
	int ok = cert && name && X509_set_version(cert, X509_VERSION_3) && set_serial(cert) == 0 &&
		 X509_time_adj_ex(X509_getm_notBefore(cert), 0, 0, &not_before) &&
		 X509_time_adj_ex(X509_getm_notAfter(cert), 0, valid_s, &not_before) &&
		 X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
					    -1, -1, 0) &&
		 X509_set_subject_name(cert, name) &&
		 X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name) &&
		 X509_set_pubkey(cert, key);

	X509_NAME_free(name);
	if (!ok) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

int
tls_ca_new(const char *cn, time_t not_before, long valid_s, tls_ca_t **out, kshim_err_t *err)
{
	tls_ca_t *ca = calloc(1, sizeof(*ca));

	if (!ca)
		return kshim_fail(err, ENOMEM, "out of memory");
	ca->key = EVP_EC_gen("P-256");
	ca->cert = ca->key ? new_cert(ca->key, cn, NULL, not_before, valid_s) : NULL;
	if (!ca->cert ||
	    add_ext(ca->cert, ca->cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") < 0 ||
	    add_ext(ca->cert, ca->cert, NID_key_usage, "critical,keyCertSign,cRLSign") < 0 ||
	    add_ext(ca->cert, ca->cert, NID_subject_key_identifier, "hash") < 0 ||
	    !X509_sign(ca->cert, ca->key, EVP_sha256())) {
		tls_ca_free(ca);
		return crypto_fail(err, "cannot make the cluster's CA");
	}
	*out = ca;
	return 0;
}

void
tls_ca_free(tls_ca_t *ca)
{
	if (!ca)
		return;
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	free(ca);
}

/* What was written to b, as a string of its own; NULL when out of memory. */
static char *
bio_string(BIO *b)
{
	char *data, *s;
	long len = BIO_get_mem_data(b, &data);

	s = len >= 0 ? malloc((size_t)len + 1) : NULL;
	if (s) {
		memcpy(s, data, (size_t)len);
		s[len] = '\0';
	}
	return s;
}

static char *
cert_pem(X509 *cert)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = b && PEM_write_bio_X509(b, cert) ? bio_string(b) : NULL;

	BIO_free(b);
	return s;
}

int
tls_ca_pem(const tls_ca_t *ca, char **pem, kshim_err_t *err)
{
	*pem = cert_pem(ca->cert);
	return *pem ? 0 : crypto_fail(err, "cannot write the CA's certificate");
}

/* "DNS:a,DNS:b": the names as subject alternative names; -1 when too long. */
static int
san_list(const char *const *names, int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%sDNS:%s", i ? "," : "", names[i]);
		if (w < 0 || (size_t)w >= len - used)
			return -1;
		used += (size_t)w;
	}
	return 0;
}

static X509 *
broker_cert(tls_ca_t *ca, EVP_PKEY *key, const char *const *names, int nnames, time_t not_before,
	    long valid_s)
{
	char sans[1024];
	X509 *cert;

	if (san_list(names, nnames, sans, sizeof(sans)) < 0 ||
	    !(cert = new_cert(key, names[0], ca->cert, not_before, valid_s)))
		return NULL;
	if (add_ext(cert, ca->cert, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(cert, ca->cert, NID_key_usage, "critical,digitalSignature") < 0 ||
	    add_ext(cert, ca->cert, NID_ext_key_usage, "serverAuth") < 0 ||
	    add_ext(cert, ca->cert, NID_subject_alt_name, sans) < 0 ||
	    add_ext(cert, ca->cert, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(cert, ca->cert, NID_authority_key_identifier, "keyid:always") < 0 ||
	    !X509_sign(cert, ca->key, EVP_sha256())) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

int
tls_issue(tls_ca_t *ca, const char *const *names, int nnames, const char *password,
	  time_t not_before, long valid_s, char **keystore, char **cert, kshim_err_t *err)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = key ? broker_cert(ca, key, names, nnames, not_before, valid_s) : NULL;
	BIO *b = BIO_new(BIO_s_mem());
	int ok = x && b &&
		 PEM_write_bio_PKCS8PrivateKey_nid(b, key, NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
						   password, (int)strlen(password), NULL, NULL) &&
		 PEM_write_bio_X509(b, x);

	*keystore = ok ? bio_string(b) : NULL;
	*cert = ok ? cert_pem(x) : NULL;
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(key);
	if (*keystore && *cert)
		return 0;
	free(*keystore);
	free(*cert);
	*keystore = *cert = NULL;
	crypto_fail(err, "cannot make a key and certificate");
	return kshim_wrap(err, "%s", names[0]);
}

int
tls_password(char out[TLS_PASSWORD_LEN + 1], kshim_err_t *err)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[TLS_PASSWORD_LEN];

	if (RAND_bytes(r, sizeof(r)) != 1)
		return crypto_fail(err, "cannot draw random bytes");
	/* 62 letters: 248 of the 256 byte values map evenly, the rest are redrawn. */
	for (int i = 0; i < TLS_PASSWORD_LEN; i++) {
		while (r[i] >= 248)
			if (RAND_bytes(&r[i], 1) != 1)
				return crypto_fail(err, "cannot draw random bytes");
		out[i] = set[r[i] % 62];
	}
	out[TLS_PASSWORD_LEN] = '\0';
	return 0;
}

static X509 *
parse_cert(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return x;
}

/* 1 when the certificate has a DNS SAN equal to name. */
static int
names_host(X509 *cert, const char *name)
{
	return X509_check_host(cert, name, 0, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL) == 1;
}

static int
check(X509 *cert, X509 *ca, const char *name, time_t now, kshim_err_t *err)
{
	EVP_PKEY *ca_key = X509_get0_pubkey(ca);

	if (!names_host(cert, name)) {
		kshim_fail(err, EPROTO, "the certificate does not name %s", name);
		return kshim_hint(err, "clients reaching it as %s fail hostname verification",
				  name);
	}
	if (X509_cmp_time(X509_get0_notBefore(cert), &now) > 0)
		return kshim_fail(err, EPROTO, "the certificate is not valid yet");
	if (X509_cmp_time(X509_get0_notAfter(cert), &now) < 0) {
		kshim_fail(err, EPROTO, "the certificate has expired");
		return kshim_hint(err, "recreate the cluster: kshim down, then kshim up --tls");
	}
	if (!ca_key || X509_verify(cert, ca_key) != 1) {
		ERR_clear_error();
		kshim_fail(err, EPROTO, "the certificate is not signed by the cluster's CA");
		return kshim_hint(err, "clients trusting that CA ('kshim config') will refuse it");
	}
	return 0;
}

int
tls_check(const char *cert_pem, const char *ca_pem, const char *name, time_t now, kshim_err_t *err)
{
	X509 *cert = parse_cert(cert_pem), *ca = parse_cert(ca_pem);
	int rc;

	if (!cert || !ca)
		rc = crypto_fail(err, cert ? "cannot read the CA certificate"
					   : "cannot read the broker's certificate");
	else
		rc = check(cert, ca, name, now, err);
	X509_free(cert);
	X509_free(ca);
	return rc;
}
