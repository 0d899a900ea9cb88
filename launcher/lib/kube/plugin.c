/* SPDX-License-Identifier: Apache-2.0 */
/* Exec credential plugins (client.authentication.k8s.io), the way EKS, GKE
 * and AKS clusters sign in: the kubeconfig's command runs with its args, its
 * env added to ours, KUBERNETES_EXEC_INFO describing the request and stdin
 * from /dev/null; the ExecCredential it prints gives a token or a client
 * certificate and key, kept until its expirationTimestamp. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#define PLUGIN_TIMEOUT_S 60
#define OUT_MAX (1u << 20)
#define ERR_MAX 4096
#define ARGS_MAX 64
#define ENV_MAX 512

extern char **environ;

/* What the plugin printed, and how it ended. */
struct run {
	char *out;
	size_t out_len;
	char err[ERR_MAX];
	size_t err_len;
	int status; /* waitpid's */
	int timed_out;
};

/* argv and envp are built before fork: the child only dups and execs. */
struct spawn {
	char *argv[ARGS_MAX + 2];
	char *envp[ENV_MAX + ARGS_MAX + 2];
	char *owned[ARGS_MAX + 1]; /* the "NAME=value" strings made here */
	int nowned;
};

static const char *
command(const kube_t *k)
{
	const char *c = kubeconfig_str(k->exec, "command");

	return c ? c : "";
}

static int
is_true(const char *v)
{
	return v && strcasecmp(v, "true") == 0;
}

/* spec.cluster, for a plugin that asks for it with provideClusterInfo. */
static void
add_cluster(const kube_t *k, cJSON *spec)
{
	cJSON *c = cJSON_AddObjectToObject(spec, "cluster");
	size_t n = k->ca ? strlen(k->ca) : 0;
	char *ca = n ? malloc(4 * ((n + 2) / 3) + 1) : NULL;

	cJSON_AddStringToObject(c, "server", k->t.server);
	if (k->insecure)
		cJSON_AddBoolToObject(c, "insecure-skip-tls-verify", 1);
	if (ca) {
		EVP_EncodeBlock((unsigned char *)ca, (const unsigned char *)k->ca, (int)n);
		cJSON_AddStringToObject(c, "certificate-authority-data", ca);
	}
	free(ca);
}

/* KUBERNETES_EXEC_INFO: an ExecCredential with spec.interactive false. */
static char *
exec_info(const kube_t *k)
{
	const char *api = kubeconfig_str(k->exec, "apiVersion");
	cJSON *info = cJSON_CreateObject(), *spec;
	char *text;

	cJSON_AddStringToObject(info, "apiVersion", api ? api : "client.authentication.k8s.io/v1");
	cJSON_AddStringToObject(info, "kind", "ExecCredential");
	spec = cJSON_AddObjectToObject(info, "spec");
	cJSON_AddBoolToObject(spec, "interactive", 0);
	if (is_true(kubeconfig_str(k->exec, "provideClusterInfo")))
		add_cluster(k, spec);
	text = cJSON_PrintUnformatted(info);
	cJSON_Delete(info);
	return text;
}

static int
env_add(struct spawn *s, int *n, const char *name, const char *value)
{
	size_t len = strlen(name);
	char *kv = malloc(len + strlen(value) + 2);

	if (!kv || s->nowned >= ARGS_MAX || *n >= ENV_MAX + ARGS_MAX) {
		free(kv);
		return -1;
	}
	sprintf(kv, "%s=%s", name, value);
	s->owned[s->nowned++] = kv;
	/* an added name replaces ours */
	for (int i = 0; i < *n; i++)
		if (strncmp(s->envp[i], kv, len + 1) == 0) {
			s->envp[i] = kv;
			return 0;
		}
	s->envp[(*n)++] = kv;
	return 0;
}

static int
build_env(const kube_t *k, struct spawn *s, const char *info)
{
	const cJSON *e;
	int n = 0;

	for (char **v = environ; *v && n < ENV_MAX; v++)
		s->envp[n++] = *v;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(k->exec, "env"))
	{
		const char *name = kubeconfig_str(e, "name"), *value = kubeconfig_str(e, "value");
		if (name && *name && !strchr(name, '=') &&
		    env_add(s, &n, name, value ? value : "") < 0)
			return -1;
	}
	if (env_add(s, &n, "KUBERNETES_EXEC_INFO", info) < 0)
		return -1;
	s->envp[n] = NULL;
	return 0;
}

static int
build(const kube_t *k, struct spawn *s, const char *info, kshim_err_t *err)
{
	const cJSON *a;
	int n = 0;

	s->argv[n++] = (char *)command(k);
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(k->exec, "args"))
	{
		if (!cJSON_IsString(a) || n > ARGS_MAX)
			return kshim_fail(err, EINVAL, "exec plugin %s of user '%s': bad args",
					  command(k), k->t.user);
		s->argv[n++] = a->valuestring;
	}
	s->argv[n] = NULL;
	if (build_env(k, s, info) < 0)
		return kshim_fail(err, E2BIG, "exec plugin %s of user '%s': too many env entries",
				  command(k), k->t.user);
	return 0;
}

static void
spawn_free(struct spawn *s)
{
	for (int i = 0; i < s->nowned; i++)
		free(s->owned[i]);
}

static void
child(const struct spawn *s, int out, int errfd)
{
	int null = open("/dev/null", O_RDONLY);

	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	execvpe(s->argv[0], s->argv, s->envp);
	dprintf(2, "cannot run %s: %s\n", s->argv[0], strerror(errno));
	_exit(127);
}

/* Appends what fd has to the run's stdout (is_out) or stderr; 0 at EOF. */
static int
drain(int fd, struct run *r, int is_out)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 && errno == EINTR;
	if (!is_out) {
		size_t room = ERR_MAX - 1 - r->err_len, take = (size_t)n < room ? (size_t)n : room;
		memcpy(r->err + r->err_len, buf, take);
		r->err_len += take;
		return 1;
	}
	if (r->out_len + (size_t)n < OUT_MAX) {
		memcpy(r->out + r->out_len, buf, (size_t)n);
		r->out_len += (size_t)n;
	}
	return 1;
}

/* Reads both pipes until they close or the time is up; then reaps pid. */
static void
collect(pid_t pid, int out, int errfd, struct run *r)
{
	struct pollfd p[2] = {{.fd = out, .events = POLLIN}, {.fd = errfd, .events = POLLIN}};
	time_t deadline = time(NULL) + PLUGIN_TIMEOUT_S;

	while ((p[0].fd >= 0 || p[1].fd >= 0) && !(r->timed_out = time(NULL) >= deadline)) {
		if (poll(p, 2, 1000) <= 0)
			continue;
		for (int i = 0; i < 2; i++)
			if (p[i].fd >= 0 && p[i].revents && !drain(p[i].fd, r, i == 0))
				p[i].fd = -1;
	}
	if (r->timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
		;
	r->out[r->out_len] = '\0';
	r->err[r->err_len] = '\0';
}

static int
run_plugin(const struct spawn *s, struct run *r, kshim_err_t *err)
{
	int out[2], errp[2];
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) < 0)
		return kshim_fail(err, errno, "pipe: %s", strerror(errno));
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		return kshim_fail(err, errno, "pipe: %s", strerror(errno));
	}
	fflush(NULL);
	if ((pid = fork()) == 0)
		child(s, out[1], errp[1]);
	close(out[1]);
	close(errp[1]);
	if (pid > 0)
		collect(pid, out[0], errp[0], r);
	close(out[0]);
	close(errp[0]);
	return pid < 0 ? kshim_fail(err, errno, "fork: %s", strerror(errno)) : 0;
}

/* The last line of stderr with text in it, into buf. */
static void
last_line(const char *text, char *buf, size_t len)
{
	const char *best = "";
	int best_len = 0;

	for (const char *l = text; *l; l += strcspn(l, "\n"), l += *l == '\n') {
		int n = (int)strcspn(l, "\n");
		while (n > 0 && strchr(" \t\r", l[n - 1]))
			n--;
		if (n > 0) {
			best = l;
			best_len = n;
		}
	}
	snprintf(buf, len, "%.*s", best_len, best);
}

static int
plugin_hint(const kube_t *k, kshim_err_t *err)
{
	const char *install = kubeconfig_str(k->exec, "installHint");

	if (install && *install)
		return kshim_hint(err, "%.*s", (int)strcspn(install, "\n"), install);
	return kshim_hint(err, "run it by hand to see why: %s", command(k));
}

static int
failed(const kube_t *k, const struct run *r, kshim_err_t *err)
{
	char line[300];

	last_line(r->err, line, sizeof(line));
	if (r->timed_out)
		kshim_fail(err, ETIMEDOUT,
			   "exec plugin %s of user '%s' gave no credential within %d s", command(k),
			   k->t.user, PLUGIN_TIMEOUT_S);
	else if (WIFSIGNALED(r->status))
		kshim_fail(err, EIO, "exec plugin %s of user '%s' was killed by signal %d%s%s",
			   command(k), k->t.user, WTERMSIG(r->status), line[0] ? ": " : "", line);
	else
		kshim_fail(err, WEXITSTATUS(r->status) == 127 ? ENOENT : EACCES,
			   "exec plugin %s of user '%s' exited %d%s%s", command(k), k->t.user,
			   WEXITSTATUS(r->status), line[0] ? ": " : "", line);
	return plugin_hint(k, err);
}

/* RFC 3339 in UTC ("2026-12-03T15:04:05Z"); 0 when absent or unreadable. */
static time_t
expiry(const char *ts)
{
	struct tm tm = {0};

	if (!ts || !strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm))
		return 0;
	return timegm(&tm);
}

static int
bad_output(const kube_t *k, const char *why, kshim_err_t *err)
{
	kshim_fail(err, EPROTO, "exec plugin %s of user '%s' printed no ExecCredential: %s",
		   command(k), k->t.user, why);
	return plugin_hint(k, err);
}

static void
replace(char **slot, const char *value)
{
	free(*slot);
	*slot = value ? strdup(value) : NULL;
}

/* Takes status.token, or status.clientCertificateData and clientKeyData. */
static int
take(kube_t *k, const char *out, kshim_err_t *err)
{
	cJSON *cred = cJSON_Parse(out);
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(cred, "status");
	const char *kind = kubeconfig_str(cred, "kind"), *tok = kubeconfig_str(status, "token");
	const char *cert = kubeconfig_str(status, "clientCertificateData");
	const char *key = kubeconfig_str(status, "clientKeyData");
	int rc = 0;

	if (!cred)
		rc = bad_output(k, "its output is not JSON", err);
	else if (!kind || strcmp(kind, "ExecCredential") != 0)
		rc = bad_output(k, "kind is not ExecCredential", err);
	else if (!(tok && *tok) && !(cert && *cert && key && *key))
		rc = bad_output(k, "no status.token, nor clientCertificateData and clientKeyData",
				err);
	if (rc == 0) {
		replace(&k->token, tok && *tok ? tok : NULL);
		replace(&k->cert, tok && *tok ? NULL : cert);
		replace(&k->key, tok && *tok ? NULL : key);
		k->expires = expiry(kubeconfig_str(status, "expirationTimestamp"));
	}
	cJSON_Delete(cred);
	return rc;
}

/* kshim gives the plugin no terminal: one that must have one cannot sign in. */
static int
check_interactive(const kube_t *k, kshim_err_t *err)
{
	const char *mode = kubeconfig_str(k->exec, "interactiveMode");

	if (!mode || strcmp(mode, "Always") != 0)
		return 0;
	kshim_fail(err, EPERM,
		   "exec plugin %s of user '%s' needs a terminal (interactiveMode Always)",
		   command(k), k->t.user);
	return kshim_hint(err,
			  "sign in with kubectl first (kubectl --context %s get ns), or set "
			  "interactiveMode IfAvailable",
			  k->t.context);
}

int
plugin_run(kube_t *k, kshim_err_t *err)
{
	struct spawn s = {0};
	struct run r = {0};
	char *info;
	int rc;

	if (check_interactive(k, err) < 0)
		return -1;
	info = exec_info(k);
	if (!info || !(r.out = malloc(OUT_MAX))) {
		free(info);
		return kshim_fail(err, ENOMEM, "out of memory");
	}
	rc = build(k, &s, info, err);
	if (rc == 0)
		rc = run_plugin(&s, &r, err);
	if (rc == 0)
		rc = r.timed_out || r.status != 0 ? failed(k, &r, err) : take(k, r.out, err);
	spawn_free(&s);
	free(info);
	free(r.out);
	return rc;
}
