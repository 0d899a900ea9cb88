/* SPDX-License-Identifier: Apache-2.0 */
/* The Kubernetes client without a server: kubeconfig files merged as kubectl
 * merges them, contexts, certificates and keys decoded, tokens and token
 * files, paths relative to the kubeconfig, malformed YAML, exec credential
 * plugins, and a server that does not answer. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "scratch.h"
#include "lib/file.h"
#include "lib/kube/internal.h"

/* KUBECONFIG set to the files named, each relative to scratch, colon-separated. */
static void
use(const char *a, const char *b)
{
	char v[2 * PATH_MAX + 8];

	if (b)
		snprintf(v, sizeof(v), "%s/%s:%s/%s", scratch, a, scratch, b);
	else
		snprintf(v, sizeof(v), "%s/%s", scratch, a);
	setenv("KUBECONFIG", v, 1);
}

static const char first[] = "apiVersion: v1\n"
			    "kind: Config\n"
			    "current-context: alpha\n"
			    "clusters:\n"
			    "- name: shared\n"
			    "  cluster:\n"
			    "    server: https://first.example:6443/\n"
			    "    certificate-authority-data: Y2EtcGVtCg==\n"
			    "users:\n"
			    "- name: alice\n"
			    "  user:\n"
			    "    token: alice-token\n"
			    "contexts:\n"
			    "- name: alpha\n"
			    "  context: {cluster: shared, user: alice, namespace: kafka}\n";

static const char second[] = "apiVersion: v1\n"
			     "kind: Config\n"
			     "current-context: beta\n"
			     "clusters:\n"
			     "- name: shared\n"
			     "  cluster:\n"
			     "    server: https://second.example:6443\n"
			     "- name: other\n"
			     "  cluster:\n"
			     "    server: https://other.example:443\n"
			     "    insecure-skip-tls-verify: true\n"
			     "users:\n"
			     "- name: bob\n"
			     "  user:\n"
			     "    client-certificate-data: Y2Vy\n"
			     "      dC1wZW0K\n"
			     "    client-key-data: a2V5LXBlbQo=\n"
			     "contexts:\n"
			     "- name: alpha\n"
			     "  context: {cluster: other, user: bob}\n"
			     "- name: beta\n"
			     "  context: {cluster: other, user: bob}\n"
			     "- name: gamma\n"
			     "  context: {cluster: shared, user: bob}\n";

static void
merge_cases(void)
{
	kube_t *k = NULL;
	kshim_err_t err = {0};
	char files[2 * PATH_MAX + 8];

	scratch_put("first", first, 0600);
	scratch_put("second", second, 0600);
	use("first", "second");
	snprintf(files, sizeof(files), "%s", getenv("KUBECONFIG"));
	CHECK(kube_open(NULL, &k, &err) == 0, "two files in KUBECONFIG open (%s)", err.msg);
	if (!k)
		return;
	CHECK(strcmp(k->t.context, "alpha") == 0 && strcmp(k->t.cluster, "shared") == 0 &&
		  strcmp(k->t.user, "alice") == 0,
	      "the first file's current-context and its entries win: %s, %s, %s", k->t.context,
	      k->t.cluster, k->t.user);
	CHECK(strcmp(k->t.server, "https://first.example:6443") == 0,
	      "cluster 'shared' from the first file, without the trailing slash: %s", k->t.server);
	CHECK(strcmp(k->t.ns, "kafka") == 0, "the context's namespace: %s", k->t.ns);
	CHECK(strcmp(k->t.files, files) == 0, "files: %s", k->t.files);
	CHECK(k->ca && strcmp(k->ca, "ca-pem\n") == 0, "certificate-authority-data decoded");
	CHECK(k->token && strcmp(k->token, "alice-token") == 0 && !k->cert && !k->insecure,
	      "alice's token; TLS verified");
	kube_close(k);

	CHECK(
	    kube_open("gamma", &k, &err) == 0 &&
		strcmp(k->t.server, "https://first.example:6443") == 0 &&
		strcmp(k->t.ns, "default") == 0,
	    "a context of the second file still gets the first file's 'shared'; namespace default");
	CHECK(k && k->cert && strcmp(k->cert, "cert-pem\n") == 0 && k->key &&
		  strcmp(k->key, "key-pem\n") == 0 && !k->token,
	      "client-certificate-data (over two lines) and client-key-data decoded");
	kube_close(k);
	k = NULL;
	CHECK(kube_open("beta", &k, &err) == 0 && k->insecure && !k->ca,
	      "insecure-skip-tls-verify: true, as the file says");
	kube_close(k);
}

static void
context_cases(void)
{
	kube_t *k = NULL;
	kshim_err_t err = {0};

	use("first", "second");
	CHECK(kube_open("nope", &k, &err) < 0 && err.code == ENOENT && !k &&
		  strstr(err.msg, "context 'nope' does not exist in ") &&
		  strstr(err.hint, "kubectl config get-contexts lists them: alpha, beta, gamma"),
	      "--context nope: ENOENT (%s), the hint lists them (%s)", err.msg, err.hint);
	scratch_put("nocurrent", "contexts:\n- name: one\n  context: {cluster: c}\n", 0600);
	use("nocurrent", NULL);
	CHECK(kube_open(NULL, &k, &err) < 0 && err.code == ENOENT &&
		  strstr(err.msg, "names no current-context") && strstr(err.hint, "(one)"),
	      "no current-context: %s / %s", err.msg, err.hint);
	CHECK(kube_open("one", &k, &err) < 0 && err.code == ENOENT &&
		  strstr(err.msg, "names cluster 'c', which "),
	      "a context whose cluster is not defined: %s", err.msg);
	scratch_put("plain",
		    "current-context: p\nclusters:\n- name: c\n  cluster: {server: "
		    "'http://127.0.0.1:8080'}\nusers:\n- name: u\n  user: {token: t}\n"
		    "contexts:\n- name: p\n  context: {cluster: c, user: u}\n",
		    0600);
	use("plain", NULL);
	CHECK(kube_open(NULL, &k, &err) < 0 && err.code == EPERM && strstr(err.msg, "cleartext"),
	      "a token for an http:// server is refused: %s", err.msg);
	use("missing", "missing-too");
	CHECK(kube_open(NULL, &k, &err) < 0 && err.code == ENOENT &&
		  strstr(err.msg, "no kubeconfig: ") && err.hint[0],
	      "KUBECONFIG's files all missing: %s", err.msg);
	use("missing", "first");
	CHECK(kube_open(NULL, &k, &err) == 0, "a missing file among others is passed over");
	kube_close(k);
}

static void
relative_cases(void)
{
	char sub[PATH_MAX + 8], conf[160], tok[PATH_MAX + 64];
	kube_t *k = NULL;
	kshim_err_t err = {0};

	snprintf(sub, sizeof(sub), "%s/sub", scratch);
	mkdir(sub, 0700);
	scratch_put("sub/token", "file-token\n", 0600);
	scratch_put("sub/ca.crt", "ca-from-file\n", 0600);
	scratch_put(
	    "sub/config",
	    "current-context: r\nclusters:\n- name: c\n  cluster:\n    server: https://x:6443\n"
	    "    certificate-authority: ca.crt\nusers:\n- name: u\n  user: {tokenFile: ./token}\n"
	    "contexts:\n- name: r\n  context: {cluster: c, user: u}\n",
	    0600);
	snprintf(conf, sizeof(conf), "sub/config");
	if (chdir("/") != 0)
		return;
	use(conf, NULL);
	CHECK(kube_open(NULL, &k, &err) == 0 && k->token && strcmp(k->token, "file-token") == 0,
	      "tokenFile ./token, relative to the kubeconfig's directory, trailing newline cut "
	      "(%s)",
	      err.msg);
	CHECK(k && k->ca && strcmp(k->ca, "ca-from-file\n") == 0,
	      "certificate-authority ca.crt, relative to the kubeconfig's directory");
	kube_close(k);
	snprintf(tok, sizeof(tok), "%s/sub/token", scratch);
	unlink(tok);
	CHECK(kube_open(NULL, &k, &err) < 0 && strstr(err.msg, "tokenFile of user 'u'") &&
		  strstr(err.msg, "/sub/./token") && !strchr(err.msg, '\n'),
	      "a tokenFile that is gone: %s", err.msg);
}

static void
malformed_cases(void)
{
	kube_t *k = NULL;
	kshim_err_t err = {0};
	char want[PATH_MAX + 64];

	scratch_put("broken",
		    "current-context: a\nclusters:\n- name: c\n  cluster: {server: x\n"
		    "users: [\n",
		    0600);
	use("first", "broken");
	snprintf(want, sizeof(want), "kubeconfig %s/broken:", scratch);
	CHECK(kube_open(NULL, &k, &err) < 0 && err.code == EINVAL &&
		  strncmp(err.msg, want, strlen(want)) == 0 && strstr(err.msg, "malformed YAML") &&
		  !strchr(err.msg, '\n') && err.hint[0],
	      "malformed YAML: one line with file and line (%s)", err.msg);
	CHECK(strstr(err.msg, "broken:5:") != NULL, "  ... the line is 5");
	scratch_put("scalar", "just words\n", 0600);
	use("scalar", NULL);
	CHECK(kube_open(NULL, &k, &err) < 0 && strstr(err.msg, "not a kubeconfig"),
	      "a YAML file that is no mapping: %s", err.msg);
	scratch_put("badca",
		    "current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://x', "
		    "certificate-authority-data: '%%%'}\ncontexts:\n- name: a\n  context: "
		    "{cluster: c}\n",
		    0600);
	use("badca", NULL);
	CHECK(kube_open(NULL, &k, &err) < 0 && strstr(err.msg, "certificate-authority-data") &&
		  strstr(err.msg, "not base64"),
	      "certificate-authority-data that is not base64: %s", err.msg);
}

/* A kubeconfig whose user signs in with command; extra is more of exec's keys. */
static void
plugin_config(const char *command, const char *args, const char *extra)
{
	char text[1600];

	snprintf(text, sizeof(text),
		 "current-context: e\nclusters:\n- name: c\n  cluster: {server: 'https://x:6443'}\n"
		 "users:\n- name: u\n  user:\n    exec:\n"
		 "      apiVersion: client.authentication.k8s.io/v1beta1\n"
		 "      command: %s\n      args: [%s]\n"
		 "      env: [{name: PLUGIN_GREETING, value: hello}]\n"
		 "      installHint: install the login plugin\n%s"
		 "contexts:\n- name: e\n  context: {cluster: c, user: u}\n",
		 command, args, extra);
	scratch_put("exec", text, 0600);
	use("exec", NULL);
}

static int
runs(void)
{
	char path[PATH_MAX + 64], *t;
	kshim_err_t err = {0};
	int n;

	snprintf(path, sizeof(path), "%s/runs", scratch);
	t = file_read(path, &err);
	n = t ? (int)strlen(t) : 0;
	free(t);
	return n;
}

static const char token_plugin[] =
    "#!/bin/sh\n"
    "# An exec credential plugin: a token made of its argument and its env.\n"
    "d=$(dirname \"$0\")\n"
    "printf x >>\"$d/runs\"\n"
    "printf '%s' \"$KUBERNETES_EXEC_INFO\" >\"$d/info\"\n"
    "cat >\"$d/stdin\"\n"
    "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\","
    "\"status\":{\"token\":\"%s-%s\",\"expirationTimestamp\":\"2100-01-02T03:04:05Z\"}}\\n' "
    "\"$1\" \"$PLUGIN_GREETING\"\n";

static void
plugin_token_cases(void)
{
	char path[PATH_MAX + 64], info_path[PATH_MAX + 64], *info;
	kube_t *k = NULL;
	kshim_err_t err = {0};

	snprintf(info_path, sizeof(info_path), "%s/info", scratch);
	scratch_put("plugin.sh", token_plugin, 0700);
	plugin_config("./plugin.sh", "arg1", "");
	CHECK(kube_open(NULL, &k, &err) == 0 && k->token && strcmp(k->token, "arg1-hello") == 0,
	      "exec plugin ./plugin.sh (relative to the kubeconfig): its token, from its args "
	      "and env (%s)",
	      k && k->token ? k->token : err.msg);
	CHECK(k && k->expires == 4102542245, "  ... cached until its expirationTimestamp");
	info = file_read(info_path, &err);
	CHECK(info && strstr(info, "\"apiVersion\":\"client.authentication.k8s.io/v1beta1\"") &&
		  strstr(info, "\"kind\":\"ExecCredential\"") &&
		  strstr(info, "\"interactive\":false"),
	      "  ... KUBERNETES_EXEC_INFO: %s", info ? info : "(none)");
	free(info);
	snprintf(path, sizeof(path), "%s/stdin", scratch);
	info = file_read(path, &err);
	CHECK(info && !info[0], "  ... stdin is /dev/null (it read %zu bytes)",
	      info ? strlen(info) : 0);
	free(info);
	CHECK(k && creds_fresh(k, &err) == 0 && runs() == 1,
	      "  ... a fresh credential is kept: the plugin ran once");
	if (k)
		k->expires = time(NULL) - 1;
	CHECK(k && creds_fresh(k, &err) == 0 && runs() == 2 && k->expires == 4102542245,
	      "  ... an expired one makes it run again");
	kube_close(k);
	plugin_config("./plugin.sh", "arg1", "      provideClusterInfo: true\n");
	k = NULL;
	CHECK(kube_open(NULL, &k, &err) == 0, "provideClusterInfo: true (%s)", err.msg);
	kube_close(k);
	info = file_read(info_path, &err);
	CHECK(info && strstr(info, "\"cluster\":{\"server\":\"https://x:6443\"}"),
	      "  ... spec.cluster.server in KUBERNETES_EXEC_INFO: %s", info ? info : "(none)");
	free(info);
}

static const char cert_plugin[] =
    "#!/bin/sh\n"
    "# An exec credential plugin that gives a client certificate and key.\n"
    "echo '{\"kind\":\"ExecCredential\",\"status\":{\"clientCertificateData\":\"CERT\","
    "\"clientKeyData\":\"KEY\"}}'\n";

static const char failing_plugin[] = "#!/bin/sh\n"
				     "# An exec credential plugin whose sign-in has expired.\n"
				     "echo 'starting' >&2\n"
				     "echo 'error: the session expired, run: login' >&2\n"
				     "exit 1\n";

static void
plugin_other_cases(void)
{
	kube_t *k = NULL;
	kshim_err_t err = {0};
	char path[PATH_MAX + 64];

	scratch_put("cert.sh", cert_plugin, 0700);
	snprintf(path, sizeof(path), "%s/cert.sh", scratch);
	plugin_config(path, "", "");
	CHECK(kube_open(NULL, &k, &err) == 0 && k->cert && strcmp(k->cert, "CERT") == 0 && k->key &&
		  strcmp(k->key, "KEY") == 0 && !k->token && k->expires == 0,
	      "a plugin's clientCertificateData and clientKeyData (%s)", err.msg);
	kube_close(k);
	k = NULL;
	scratch_put("fail.sh", failing_plugin, 0700);
	plugin_config("./fail.sh", "", "");
	CHECK(kube_open(NULL, &k, &err) < 0 && err.code == EACCES &&
		  strstr(err.msg, "exited 1: error: the session expired, run: login") &&
		  strcmp(err.hint, "install the login plugin") == 0,
	      "a plugin that exits 1: its stderr in the cause (%s), installHint the hint", err.msg);
	plugin_config("no-such-plugin-anywhere", "", "");
	CHECK(kube_open(NULL, &k, &err) < 0 && err.code == ENOENT && strstr(err.msg, "exited 127"),
	      "a plugin that is not on PATH: %s", err.msg);
	scratch_put("words.sh", "#!/bin/sh\n# Prints no JSON.\necho hello\n", 0700);
	plugin_config("./words.sh", "", "");
	CHECK(kube_open(NULL, &k, &err) < 0 && err.code == EPROTO &&
		  strstr(err.msg, "printed no ExecCredential: its output is not JSON"),
	      "a plugin that prints no JSON: %s", err.msg);
	plugin_config("./plugin.sh", "arg1", "      interactiveMode: Always\n");
	CHECK(kube_open(NULL, &k, &err) < 0 && err.code == EPERM &&
		  strstr(err.msg, "needs a terminal") && runs() == 3,
	      "interactiveMode Always: refused without running it (%s)", err.msg);
}

/* A loopback port nothing listens on. */
static int
closed_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void
unreachable_cases(void)
{
	char text[600], want[100];
	struct kube_service s;
	kube_t *k = NULL;
	kshim_err_t err = {0};
	cJSON *out = NULL;
	int port = closed_port();

	snprintf(text, sizeof(text),
		 "current-context: down\nclusters:\n- name: c\n  cluster: {server: "
		 "'https://127.0.0.1:%d'}\nusers:\n- name: u\n  user: {token: t}\n"
		 "contexts:\n- name: down\n  context: {cluster: c, user: u}\n",
		 port);
	scratch_put("down", text, 0600);
	use("down", NULL);
	snprintf(want, sizeof(want),
		 "cannot reach the Kubernetes API server at https://127.0.0.1:%d", port);
	CHECK(kube_open(NULL, &k, &err) == 0, "a kubeconfig for a closed port opens");
	if (!k)
		return;
	CHECK(kube_request(k, "/version", NULL, &out, &err) < 0 && err.code == ECONNREFUSED &&
		  strstr(err.msg, want) && !out,
	      "a request: ECONNREFUSED (%s)", err.msg);
	CHECK(strstr(err.hint, "kubectl --context down cluster-info") != NULL, "  ... hint: %s",
	      err.hint);
	CHECK(kube_service(k, "kafka", "brokers", &s, &err) < 0 && err.code == ECONNREFUSED &&
		  strstr(err.msg, "reading Service kafka/brokers: cannot reach"),
	      "kube_service: %s", err.msg);
	CHECK(kube_service(k, "kafka", "../nodes", &s, &err) < 0 && err.code == KSHIM_EUSAGE,
	      "a Service name that is no Kubernetes name is refused before any request: %s",
	      err.msg);
	kube_close(k);
	scratch_put("crlf",
		    "current-context: x\nclusters:\n- name: c\n  cluster: {server: 'https://x'}\n"
		    "users:\n- name: u\n  user: {token: \"a\\r\\nX-Evil: 1\"}\n"
		    "contexts:\n- name: x\n  context: {cluster: c, user: u}\n",
		    0600);
	use("crlf", NULL);
	k = NULL;
	CHECK(kube_open(NULL, &k, &err) == 0 && kube_request(k, "/version", NULL, &out, &err) < 0 &&
		  err.code == EINVAL && strstr(err.msg, "control characters"),
	      "a token with a line break never reaches a header: %s", err.msg);
	kube_close(k);
}

int
main(void)
{
	int rc;

	if (scratch_make("kube-test") < 0)
		return 1;
	merge_cases();
	context_cases();
	relative_cases();
	malformed_cases();
	plugin_token_cases();
	plugin_other_cases();
	unreachable_cases();
	rc = check_done();
	return scratch_remove() == 0 ? rc : 1;
}
