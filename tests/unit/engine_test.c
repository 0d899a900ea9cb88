/* SPDX-License-Identifier: Apache-2.0 */
/* Engine discovery and the ssh command line, without any engine: DOCKER_HOST's
 * schemes, the TLS variables, the docker CLI's contexts store, and what ssh runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "scratch.h"
#include "lib/engine/engine.h"
#include "lib/engine/ssh_bridge.h"

static void
docker_host_cases(void)
{
	struct engine e;
	kshim_err_t err = {0};

	setenv("DOCKER_HOST", "unix:///run/podman/podman.sock", 1);
	CHECK(engine_resolve(&e, &err) == 0 && e.transport == ENGINE_UNIX && engine_local(&e) &&
		  strcmp(e.reason, "DOCKER_HOST") == 0,
	      "DOCKER_HOST=unix://...: a local unix engine, from DOCKER_HOST");
	setenv("DOCKER_HOST", "tcp://10.0.0.2:2376", 1);
	CHECK(engine_resolve(&e, &err) == 0 && e.transport == ENGINE_TCP && !engine_local(&e) &&
		  !e.tls,
	      "tcp://10.0.0.2:2376: remote, plain HTTP without DOCKER_TLS_VERIFY");
	setenv("DOCKER_HOST", "tcp://127.0.0.1:2375", 1);
	CHECK(engine_resolve(&e, &err) == 0 && engine_local(&e), "tcp://127.0.0.1: local");
	setenv("DOCKER_HOST", "ssh://me@box:2222", 1);
	CHECK(engine_resolve(&e, &err) == 0 && e.transport == ENGINE_SSH && !engine_local(&e),
	      "ssh://me@box:2222: remote, over ssh");
	setenv("DOCKER_HOST", "npipe:////./pipe/docker_engine", 1);
	CHECK(engine_resolve(&e, &err) < 0 && strstr(err.msg, "is not supported") && err.hint[0],
	      "npipe://: refused with a hint (%s)", err.msg);
	setenv("DOCKER_HOST", "unix://", 1);
	CHECK(engine_resolve(&e, &err) < 0, "unix:// without a path: refused");
}

static void
tls_cases(void)
{
	struct engine e;
	kshim_err_t err = {0};

	scratch_put("ca.pem", "x", 0600);
	scratch_put("cert.pem", "x", 0600);
	scratch_put("key.pem", "x", 0600);
	setenv("DOCKER_HOST", "tcp://10.0.0.2:2376", 1);
	setenv("DOCKER_TLS_VERIFY", "1", 1);
	setenv("DOCKER_CERT_PATH", scratch, 1);
	CHECK(engine_resolve(&e, &err) == 0 && e.tls && e.tls_verify && strstr(e.ca, "/ca.pem") &&
		  strstr(e.cert, "/cert.pem") && strstr(e.key, "/key.pem"),
	      "DOCKER_TLS_VERIFY and DOCKER_CERT_PATH: TLS, verified, the three files");
	unsetenv("DOCKER_TLS_VERIFY");
	setenv("DOCKER_TLS", "1", 1);
	CHECK(engine_resolve(&e, &err) == 0 && e.tls && !e.tls_verify,
	      "DOCKER_TLS alone: TLS without verification");
	unsetenv("DOCKER_TLS");
	unsetenv("DOCKER_CERT_PATH");
}

static void
context_cases(void)
{
	/* sha256("remote") names the context's directories */
	const char *sha = "b71199ebd070b36beab7317920c2c2f1d777df8d05e5527d8458fda57cb17a7a";
	char path[PATH_MAX + 128];
	struct engine e;
	kshim_err_t err = {0};

	unsetenv("DOCKER_HOST");
	setenv("DOCKER_CONFIG", scratch, 1);
	snprintf(path, sizeof(path), "%s/contexts", scratch);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/contexts/meta", scratch);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/contexts/meta/%s", scratch, sha);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "contexts/meta/%s/meta.json", sha);
	scratch_put(
	    path,
	    "{\"Name\":\"remote\",\"Endpoints\":{\"docker\":{\"Host\":\"tcp://10.0.0.2:2376\","
	    "\"SkipTLSVerify\":false}}}",
	    0600);
	setenv("DOCKER_CONTEXT", "remote", 1);
	CHECK(engine_resolve(&e, &err) == 0 && strcmp(e.host, "tcp://10.0.0.2:2376") == 0 &&
		  strcmp(e.reason, "docker context 'remote', named by DOCKER_CONTEXT") == 0 &&
		  !e.tls,
	      "DOCKER_CONTEXT=remote: its endpoint (%s)", e.reason);
	unsetenv("DOCKER_CONTEXT");
	scratch_put("config.json", "{\"currentContext\":\"remote\"}", 0600);
	CHECK(engine_resolve(&e, &err) == 0 && strcmp(e.host, "tcp://10.0.0.2:2376") == 0 &&
		  strstr(e.reason, "named by currentContext in "),
	      "config.json's currentContext: the same endpoint (%s)", e.reason);
	setenv("DOCKER_HOST", "unix:///x.sock", 1);
	CHECK(engine_resolve(&e, &err) == 0 && strcmp(e.host, "unix:///x.sock") == 0,
	      "DOCKER_HOST comes before the context");
	unsetenv("DOCKER_HOST");
	setenv("DOCKER_CONTEXT", "gone", 1);
	CHECK(engine_resolve(&e, &err) < 0 &&
		  strstr(err.msg, "docker context 'gone' does not exist"),
	      "a context that does not exist: %s", err.msg);
	setenv("DOCKER_CONTEXT", "default", 1);
	CHECK(engine_resolve(&e, &err) == 0 && e.transport == ENGINE_UNIX,
	      "DOCKER_CONTEXT=default: the sockets (%s)", e.host);
	unsetenv("DOCKER_CONTEXT");
	unsetenv("DOCKER_CONFIG");
}

static void
ssh_cases(void)
{
	struct ssh_command c;
	kshim_err_t err = {0};
	char line[512] = "";

	CHECK(ssh_bridge_command("ssh://me@box.example:2222/var/run/d.sock", &c, &err) == 0,
	      "ssh://me@box.example:2222/var/run/d.sock parses");
	for (int i = 0; c.argv[i]; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s", i ? " " : "",
			 c.argv[i]);
	CHECK(strcmp(line,
		     "ssh -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=10 -o "
		     "ServerAliveCountMax=4 -T -l me -p 2222 -- "
		     "box.example docker --host unix:///var/run/d.sock system dial-stdio") == 0,
	      "  ... into %s", line);
	CHECK(ssh_bridge_command("ssh://-oProxyCommand=x", &c, &err) < 0,
	      "a host starting with '-' is refused");
	CHECK(ssh_bridge_command("ssh://me;rm@box", &c, &err) < 0, "a user with ';' is refused");
	CHECK(ssh_bridge_command("ssh://box:22x", &c, &err) < 0, "a port that is not a number");
}

int
main(void)
{
	int rc;

	if (scratch_make("engine-test") < 0)
		return 1;
	unsetenv("DOCKER_CONTEXT");
	unsetenv("DOCKER_TLS_VERIFY");
	unsetenv("DOCKER_TLS");
	docker_host_cases();
	tls_cases();
	context_cases();
	ssh_cases();
	rc = check_done();
	return scratch_remove() == 0 ? rc : 1;
}
