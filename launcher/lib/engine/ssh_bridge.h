/* SPDX-License-Identifier: Apache-2.0 */
/* ssh:// engines, as the docker CLI reaches them: each connection to a private
 * unix socket runs `ssh HOST docker system dial-stdio` with the connection as
 * its stdin and stdout, so libcurl speaks HTTP to the remote daemon's socket
 * through it as if it were local. */
#ifndef KSHIM_SSH_BRIDGE_H
#define KSHIM_SSH_BRIDGE_H

#include <stddef.h>

#include "../error.h"

typedef struct ssh_bridge ssh_bridge_t;

/* Checks url (ssh://[user@]host[:port][/socket/path]) and listens on a fresh
 * socket in a private directory; ssh runs only when something connects. */
int ssh_bridge_start(const char *url, ssh_bridge_t **b, kshim_err_t *err);
/* The socket's path, for CURLOPT_UNIX_SOCKET_PATH. */
const char *ssh_bridge_socket(const ssh_bridge_t *b);
/* ssh's last line on stderr ("" when it said nothing), e.g. why it could not
 * connect or log in. */
void ssh_bridge_error(const ssh_bridge_t *b, char *buf, size_t len);
/* Stops listening, ends the ssh processes and removes the directory. */
void ssh_bridge_stop(ssh_bridge_t *b);

/* The ssh command line for url (the parsing half, for tests). */
struct ssh_command {
	char user[64], host[256], port[8], remote[600];
	const char *argv[24]; /* NULL-terminated; points into this struct */
};
int ssh_bridge_command(const char *url, struct ssh_command *c, kshim_err_t *err);

#endif
