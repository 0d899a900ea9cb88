/* SPDX-License-Identifier: Apache-2.0 */
/* Engine discovery: DOCKER_HOST, the docker CLI's context, the default sockets. */
#include "engine.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define JSON_MAX (1 << 20)

/* The docker CLI's configuration directory: $DOCKER_CONFIG, else ~/.docker. */
static int
config_dir(char *buf, size_t len)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	struct passwd *pw;

	if (dir && *dir)
		return snprintf(buf, len, "%s", dir) < (int)len ? 0 : -1;
	if ((!home || !*home) && (pw = getpwuid(getuid())))
		home = pw->pw_dir;
	if (!home || !*home)
		return -1;
	return snprintf(buf, len, "%s/.docker", home) < (int)len ? 0 : -1;
}

/* Parses the JSON file at path into *out; *out is NULL when there is no such file. */
static int
read_json(const char *path, cJSON **out, kshim_err_t *err)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	*out = NULL;
	if (!f)
		return errno == ENOENT ? 0
				       : kshim_fail(err, errno, "%s: %s", path, strerror(errno));
	buf = malloc(JSON_MAX + 1);
	n = buf ? fread(buf, 1, JSON_MAX + 1, f) : 0;
	fclose(f);
	if (n <= JSON_MAX)
		*out = cJSON_ParseWithLength(buf, n);
	free(buf);
	if (!*out)
		return kshim_fail(err, EINVAL, "%s is not JSON the docker CLI wrote", path);
	return 0;
}

static int
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
is_socket(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* dir/name when that file exists, else "". */
static void
pem(char *out, size_t len, const char *dir, const char *name)
{
	if (snprintf(out, len, "%s/%s", dir, name) >= (int)len || !is_file(out))
		out[0] = '\0';
}

static void
pem_files(struct engine *e, const char *dir)
{
	pem(e->ca, sizeof(e->ca), dir, "ca.pem");
	pem(e->cert, sizeof(e->cert), dir, "cert.pem");
	pem(e->key, sizeof(e->key), dir, "key.pem");
}

/* Checks the scheme of e->host and sets the transport. */
static int
set_transport(struct engine *e, const char *from, kshim_err_t *err)
{
	static const struct {
		const char *prefix;
		enum engine_transport t;
	} schemes[] = {{"unix://", ENGINE_UNIX}, {"tcp://", ENGINE_TCP}, {"ssh://", ENGINE_SSH}};

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i].prefix);
		const char *rest = e->host + n;
		if (strncmp(e->host, schemes[i].prefix, n) != 0)
			continue;
		/* unix:// takes an absolute path; the others a host */
		if (schemes[i].t == ENGINE_UNIX ? rest[0] == '/' && rest[1]
						: rest[0] && rest[0] != '/') {
			e->transport = schemes[i].t;
			return 0;
		}
	}
	kshim_fail(err, EINVAL, "%s=%s is not supported", from, e->host);
	return kshim_hint(err, "use unix:///path/to/docker.sock, tcp://host:port or "
			       "ssh://[user@]host[:port]");
}

/* DOCKER_TLS_VERIFY and DOCKER_TLS, with the files in DOCKER_CERT_PATH (else the
 * configuration directory), as the docker CLI reads them. */
static void
tls_from_env(struct engine *e)
{
	const char *verify = getenv("DOCKER_TLS_VERIFY"), *tls = getenv("DOCKER_TLS");
	const char *path = getenv("DOCKER_CERT_PATH");
	char dir[PATH_MAX];

	e->tls_verify = verify && *verify;
	e->tls = e->tls_verify || (tls && *tls);
	if (!e->tls || e->transport != ENGINE_TCP)
		return;
	if (path && *path)
		snprintf(dir, sizeof(dir), "%s", path);
	else if (config_dir(dir, sizeof(dir)) < 0)
		return;
	pem_files(e, dir);
}

static int
from_docker_host(struct engine *e, const char *host, kshim_err_t *err)
{
	if (snprintf(e->host, sizeof(e->host), "%s", host) >= (int)sizeof(e->host))
		return kshim_fail(err, ENAMETOOLONG, "DOCKER_HOST is too long");
	if (set_transport(e, "DOCKER_HOST", err) < 0)
		return -1;
	snprintf(e->reason, sizeof(e->reason), "DOCKER_HOST");
	tls_from_env(e);
	return 0;
}

/* The context the docker CLI would use: DOCKER_CONTEXT, else config.json's
 * currentContext; name is "" for none or "default" (DOCKER_HOST or the socket). */
static int
current_context(char *name, size_t len, char *source, size_t slen, kshim_err_t *err)
{
	const char *env = getenv("DOCKER_CONTEXT");
	char path[PATH_MAX];
	const cJSON *cur;
	cJSON *cfg;

	name[0] = '\0';
	if (env && *env) {
		snprintf(source, slen, "DOCKER_CONTEXT");
		snprintf(name, len, "%s", strcmp(env, "default") ? env : "");
		return 0;
	}
	if (config_dir(path, sizeof(path) - 16) < 0)
		return 0;
	strcat(path, "/config.json");
	if (read_json(path, &cfg, err) < 0)
		return -1;
	cur = cJSON_GetObjectItemCaseSensitive(cfg, "currentContext");
	if (cJSON_IsString(cur) && strcmp(cur->valuestring, "default") != 0)
		snprintf(name, len, "%s", cur->valuestring);
	snprintf(source, slen, "currentContext in %s", path);
	cJSON_Delete(cfg);
	return 0;
}

/* The contexts store names each context's directory by the SHA-256 of its name. */
static void
context_digest(const char *name, char hex[65])
{
	unsigned char md[32];
	unsigned n = 0;

	EVP_Digest(name, strlen(name), md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < n && i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
}

/* meta.json's Endpoints.docker: Host, SkipTLSVerify. */
static int
context_endpoint(struct engine *e, const char *meta, const char *name, int *skip_verify,
		 kshim_err_t *err)
{
	cJSON *j;
	const cJSON *ep, *host;

	if (read_json(meta, &j, err) < 0)
		return -1;
	if (!j) {
		kshim_fail(err, ENOENT, "docker context '%s' does not exist (no %s)", name, meta);
		return kshim_hint(err, "'docker context ls' lists them; unset DOCKER_CONTEXT or "
				       "'docker context use default'");
	}
	ep = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "Endpoints"),
					      "docker");
	host = cJSON_GetObjectItemCaseSensitive(ep, "Host");
	*skip_verify = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ep, "SkipTLSVerify"));
	if (cJSON_IsString(host))
		snprintf(e->host, sizeof(e->host), "%s", host->valuestring);
	cJSON_Delete(j);
	if (!e->host[0])
		return kshim_fail(err, EINVAL, "docker context '%s' has no docker endpoint (%s)",
				  name, meta);
	return 0;
}

static int
from_context(struct engine *e, const char *name, const char *source, kshim_err_t *err)
{
	char dir[PATH_MAX], meta[PATH_MAX + 128], tls[PATH_MAX + 128], hex[65];
	int skip_verify = 0;

	if (config_dir(dir, sizeof(dir)) < 0)
		return kshim_fail(err, ENOENT, "docker context '%s': no HOME to find it in", name);
	context_digest(name, hex);
	snprintf(meta, sizeof(meta), "%s/contexts/meta/%s/meta.json", dir, hex);
	if (context_endpoint(e, meta, name, &skip_verify, err) < 0)
		return -1;
	if (set_transport(e, "the context's Host", err) < 0)
		return kshim_wrap(err, "docker context '%s'", name);
	snprintf(e->reason, sizeof(e->reason), "docker context '%s', named by %s", name, source);
	snprintf(tls, sizeof(tls), "%s/contexts/tls/%s/docker", dir, hex);
	if (e->transport == ENGINE_TCP)
		pem_files(e, tls);
	e->tls = e->ca[0] || e->cert[0];
	e->tls_verify = e->tls && !skip_verify;
	return 0;
}

/* No DOCKER_HOST and no context: Docker's socket, then Podman's. */
static void
from_sockets(struct engine *e)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	const char *path = ENGINE_DEFAULT_SOCKET, *reason = "the default socket";
	char rootless[PATH_MAX] = "";

	if (xdg && *xdg)
		snprintf(rootless, sizeof(rootless), "%s/podman/podman.sock", xdg);
	if (is_socket(path)) {
		/* Docker's socket comes first, as for the docker CLI */
	} else if (rootless[0] && is_socket(rootless)) {
		path = rootless;
		reason = "Podman's rootless socket: no " ENGINE_DEFAULT_SOCKET;
	} else if (is_socket("/run/podman/podman.sock")) {
		path = "/run/podman/podman.sock";
		reason = "Podman's rootful socket: no " ENGINE_DEFAULT_SOCKET;
	} else {
		reason = "the default socket; no Docker or Podman socket exists";
	}
	snprintf(e->host, sizeof(e->host), "unix://%s", path);
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	e->transport = ENGINE_UNIX;
}

int
engine_resolve(struct engine *e, kshim_err_t *err)
{
	const char *host = getenv("DOCKER_HOST");
	char name[256], source[PATH_MAX + 32];

	memset(e, 0, sizeof(*e));
	if (host && *host)
		return from_docker_host(e, host, err);
	if (current_context(name, sizeof(name), source, sizeof(source), err) < 0)
		return -1;
	if (name[0])
		return from_context(e, name, source, err);
	from_sockets(e);
	return 0;
}

int
engine_local(const struct engine *e)
{
	const char *h = e->host + 6; /* after "tcp://" */

	if (e->transport == ENGINE_UNIX)
		return 1;
	if (e->transport == ENGINE_SSH)
		return 0;
	return strncmp(h, "127.", 4) == 0 || strncmp(h, "localhost:", 10) == 0 ||
	       strcmp(h, "localhost") == 0 || strncmp(h, "[::1]", 5) == 0;
}

/* The pid of the process listening on the unix socket path; -1 when unknown. */
static pid_t
socket_peer(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct ucred cred = {.pid = -1};
	socklen_t len = sizeof(cred);
	int fd;

	if (strlen(path) >= sizeof(a.sun_path) ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memcpy(a.sun_path, path, strlen(path));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		cred.pid = -1;
	close(fd);
	return cred.pid;
}

void
engine_limits(const struct engine *e, long *nofile, long *nproc)
{
	pid_t pid = e->transport == ENGINE_UNIX ? socket_peer(e->host + 7) : -1;
	char path[64], line[256], hard[32];
	FILE *f;

	*nofile = *nproc = 0;
	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	if (pid <= 0 || !(f = fopen(path, "re")))
		return;
	/* "Max open files            20000                20000                files" */
	while (fgets(line, sizeof(line), f)) {
		long *out = strncmp(line, "Max open files ", 15) == 0  ? nofile
			    : strncmp(line, "Max processes ", 14) == 0 ? nproc
								       : NULL;
		if (out && sscanf(line + 26, "%*s %31s", hard) == 1)
			*out = strtol(hard, NULL, 10); /* "unlimited" reads as 0: unknown */
	}
	fclose(f);
}
