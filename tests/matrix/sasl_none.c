/* SPDX-License-Identifier: Apache-2.0 */
/* Cyrus SASL entry points for the statically linked my_client (tests/matrix-clients.sh).
 *
 * librdkafka uses Cyrus SASL only for GSSAPI (Kerberos); PLAIN, SCRAM and OAUTHBEARER are its
 * own. Debian's libsasl2.a carries every plugin (GSSAPI, LDAP, SQL), and those need static
 * libraries Debian does not ship (MIT GSSAPI, p11-kit under GnuTLS under libldap, libpq's
 * libpgcommon/libpgport). So the static build links these instead: initialisation succeeds,
 * a GSSAPI connection fails with the reason. */
#include <sasl/sasl.h>
#include <stddef.h>

static const char reason[] = "Cyrus SASL (GSSAPI) is not part of this static build";

int
sasl_client_init(const sasl_callback_t *callbacks)
{
	(void)callbacks;
	return SASL_OK;
}

int
sasl_client_new(const char *service, const char *fqdn, const char *local, const char *remote,
		const sasl_callback_t *prompts, unsigned flags, sasl_conn_t **conn)
{
	(void)service, (void)fqdn, (void)local, (void)remote, (void)prompts, (void)flags;
	*conn = NULL;
	return SASL_NOMECH;
}

int
sasl_client_start(sasl_conn_t *conn, const char *mechs, sasl_interact_t **prompt, const char **out,
		  unsigned *outlen, const char **mech)
{
	(void)conn, (void)mechs, (void)prompt, (void)out, (void)outlen, (void)mech;
	return SASL_NOMECH;
}

int
sasl_client_step(sasl_conn_t *conn, const char *in, unsigned inlen, sasl_interact_t **prompt,
		 const char **out, unsigned *outlen)
{
	(void)conn, (void)in, (void)inlen, (void)prompt, (void)out, (void)outlen;
	return SASL_NOMECH;
}

int
sasl_listmech(sasl_conn_t *conn, const char *user, const char *prefix, const char *sep,
	      const char *suffix, const char **result, unsigned *len, int *count)
{
	(void)conn, (void)user, (void)prefix, (void)sep, (void)suffix;
	*result = "";
	if (len)
		*len = 0;
	if (count)
		*count = 0;
	return SASL_OK;
}

int
sasl_getprop(sasl_conn_t *conn, int prop, const void **value)
{
	(void)conn, (void)prop;
	*value = NULL;
	return SASL_NOTDONE;
}

void
sasl_dispose(sasl_conn_t **conn)
{
	if (conn)
		*conn = NULL;
}

const char *
sasl_errstring(int err, const char *langlist, const char **outlang)
{
	(void)err, (void)langlist;
	if (outlang)
		*outlang = "en-us";
	return reason;
}

const char *
sasl_errdetail(sasl_conn_t *conn)
{
	(void)conn;
	return reason;
}
