/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of launcher/lib/tls.c: certificates name exactly the brokers, and the doctor's checks
 * catch a wrong name, expiry and a foreign CA. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "lib/tls.h"

#define DAY (24L * 3600)

struct issued {
	char *ca, *keystore, *cert;
};

/* A CA and one certificate for names, valid from start for days days. */
static int
issue(const char *const *names, int n, time_t start, long days, struct issued *out)
{
	kshim_err_t err = {0};
	tls_ca_t *ca;
	int rc;

	if (tls_ca_new("test CA", start, days * DAY, &ca, &err) < 0)
		return -1;
	rc = tls_ca_pem(ca, &out->ca, &err) == 0 &&
		     tls_issue(ca, names, n, "secret", start, days * DAY, &out->keystore,
			       &out->cert, &err) == 0
		 ? 0
		 : -1;
	tls_ca_free(ca);
	return rc;
}

static void
drop(struct issued *i)
{
	free(i->ca);
	free(i->keystore);
	free(i->cert);
}

static int
check_fails(const struct issued *i, const char *ca, const char *name, time_t now, const char *why)
{
	kshim_err_t err = {0};

	return tls_check(i->cert, ca, name, now, &err) < 0 && strstr(err.msg, why) != NULL;
}

int
main(void)
{
	const char *one[] = {"kafka1"}, *two[] = {"kafka2", "localhost"};
	time_t now = time(NULL);
	struct issued a = {0}, b = {0}, old = {0};
	kshim_err_t err = {0};
	char pw[TLS_PASSWORD_LEN + 1], pw2[TLS_PASSWORD_LEN + 1];

	CHECK(issue(one, 1, now - 3600, 90, &a) == 0, "a CA and a certificate for kafka1");
	CHECK(strstr(a.keystore, "-----BEGIN ENCRYPTED PRIVATE KEY-----") &&
		  strstr(a.keystore, "-----BEGIN CERTIFICATE-----"),
	      "the keystore holds the encrypted key, then the certificate");
	CHECK(!strstr(a.cert, "PRIVATE KEY"), "the certificate alone has no key");
	CHECK(tls_check(a.cert, a.ca, "kafka1", now, &err) == 0,
	      "kafka1's certificate verifies as kafka1");
	CHECK(check_fails(&a, a.ca, "localhost", now, "does not name localhost"),
	      "and not as localhost (no localhost in internal mode)");
	CHECK(check_fails(&a, a.ca, "127.0.0.1", now, "does not name 127.0.0.1"),
	      "nor as 127.0.0.1");
	CHECK(check_fails(&a, a.ca, "kafka2", now, "does not name kafka2"), "nor as kafka2");
	CHECK(issue(two, 2, now - 3600, 90, &b) == 0,
	      "a certificate for kafka2 with --tls-san localhost");
	CHECK(tls_check(b.cert, b.ca, "kafka2", now, &err) == 0 &&
		  tls_check(b.cert, b.ca, "localhost", now, &err) == 0,
	      "names kafka2 and localhost");
	CHECK(check_fails(&b, a.ca, "kafka2", now, "not signed by the cluster's CA"),
	      "another cluster's CA did not sign it");
	CHECK(issue(one, 1, now - 10 * DAY, 1, &old) == 0, "a certificate that expired 9 days ago");
	CHECK(check_fails(&old, old.ca, "kafka1", now, "has expired"), "is reported as expired");
	CHECK(check_fails(&a, a.ca, "kafka1", now - 2 * 3600, "not valid yet"),
	      "a certificate checked before its start is not valid yet");
	CHECK(tls_password(pw, &err) == 0 && tls_password(pw2, &err) == 0 &&
		  strlen(pw) == TLS_PASSWORD_LEN &&
		  strspn(pw, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
		      TLS_PASSWORD_LEN &&
		  strcmp(pw, pw2) != 0,
	      "passwords: %d letters and digits, different each time", TLS_PASSWORD_LEN);
	CHECK(tls_check("junk", a.ca, "kafka1", now, &err) < 0 && strstr(err.msg, "cannot read"),
	      "an unreadable certificate is an error: %s", err.msg);
	drop(&a);
	drop(&b);
	drop(&old);
	return check_done();
}
