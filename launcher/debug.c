/* SPDX-License-Identifier: Apache-2.0 */
/* kshim debug: a short-lived tools container in a broker's network and PID
 * namespaces, as a shell on this terminal or for one command; removed when it ends. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "lib/cluster.h"
#include "lib/owner.h"
#include "lib/paths.h"
#include "lib/session.h"
#include "lib/signals.h"

static const char *const CAPS[] = {"NET_RAW", "NET_ADMIN", "SYS_PTRACE"};

const char debug_usage[] = "usage: kshim debug [--name CLUSTER] [--image REF] NODE [-- CMD ...]\n";

/* The broker's container, which must be running to lend its namespaces. */
static int
find_node(docker_t *d, const struct cluster *c, const char *name, const struct cluster_node **out,
	  kshim_err_t *err)
{
	int i = cluster_node_index(c, name, err), running;
	char state[128];

	if (i < 0 || cluster_node_state(d, &c->node[i], state, sizeof(state), &running, err) < 0)
		return -1;
	if (!running) {
		kshim_fail(err, EAGAIN, "%s of cluster '%s' is not running: %s", name, c->name,
			   state);
		return kshim_hint(err, "'kshim logs --name %s %s' shows why it stopped", c->name,
				  name);
	}
	*out = &c->node[i];
	return 0;
}

/* The default image is built here, never pulled; another one is pulled when missing. */
static int
ensure_image(docker_t *d, const char *image, int chosen, kshim_err_t *err)
{
	int present;

	if (docker_image_exists(d, image, &present, err) < 0 || present)
		return present ? 0 : -1;
	if (!chosen) {
		kshim_fail(err, ENOENT, "no image %s at %s", image, docker_where(d));
		return kshim_hint(err, "build it with 'make debug-image', or give --image REF "
				       "(e.g. nicolaka/netshoot)");
	}
	fprintf(stderr, "kshim: pulling %s\n", image);
	if (docker_image_pull(d, image, NULL, NULL, err) == 0 || err->code == EINTR)
		return err->code == EINTR ? -1 : 0;
	return kshim_hint(err,
			  "check the reference, or build %s with 'make debug-image' and "
			  "leave out --image",
			  KSHIM_DEBUG_IMAGE);
}

/* Joins the broker's network and PID namespaces; the capabilities are those
 * tcpdump (NET_RAW, NET_ADMIN) and lsof or ss -p on the JVM (SYS_PTRACE) need. */
static cJSON *
spec(const struct cluster *c, const struct cluster_node *node, const struct debug_options *o,
     int tty)
{
	cJSON *s = cJSON_CreateObject(), *host, *caps, *cmd, *labels;
	char mode[80], owner[OWNER_MAX];
	struct winsize ws;

	cJSON_AddStringToObject(s, "Image", o->image);
	if (o->argv[0]) {
		cmd = cJSON_AddArrayToObject(s, "Cmd");
		for (char **a = o->argv; *a; a++)
			cJSON_AddItemToArray(cmd, cJSON_CreateString(*a));
	}
	cJSON_AddBoolToObject(s, "Tty", tty);
	cJSON_AddBoolToObject(s, "OpenStdin", !o->argv[0]);
	cJSON_AddBoolToObject(s, "StdinOnce", !o->argv[0]);
	cJSON_AddBoolToObject(s, "AttachStdin", !o->argv[0]);
	cJSON_AddTrueToObject(s, "AttachStdout");
	cJSON_AddTrueToObject(s, "AttachStderr");
	labels = cJSON_AddObjectToObject(s, "Labels");
	cJSON_AddStringToObject(labels, CLUSTER_DEBUG_LABEL, c->name);
	if (owner_self(owner) == 0)
		cJSON_AddStringToObject(labels, CLUSTER_DEBUG_OWNER, owner);
	host = cJSON_AddObjectToObject(s, "HostConfig");
	snprintf(mode, sizeof(mode), "container:%s", node->id);
	cJSON_AddStringToObject(host, "NetworkMode", mode);
	cJSON_AddStringToObject(host, "PidMode", mode);
	caps = cJSON_CreateStringArray(CAPS, sizeof(CAPS) / sizeof(CAPS[0]));
	cJSON_AddItemToObject(host, "CapAdd", caps);
	cluster_add_limits(c, host);
	if (tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		cJSON_AddItemToObject(host, "ConsoleSize",
				      cJSON_CreateIntArray((const int[]){ws.ws_row, ws.ws_col}, 2));
	return s;
}

/* Attaches, starts, copies until the container's output ends, and gives its exit status. */
static int
session(docker_t *d, const char *id, const struct debug_options *o, int tty, int *code,
	kshim_err_t *err)
{
	int in = !o->argv[0];
	docker_stream_t *s;
	int rc;

	if (docker_attach(d, id, in, tty, session_output, NULL, &s, err) < 0)
		return -1;
	rc = docker_container_start(d, id, err);
	if (rc == 0)
		rc = session_run(d, id, s, in, tty, err);
	docker_stream_close(s);
	if (rc == 0)
		rc = docker_container_wait(d, id, code, err);
	return rc;
}

/* The debug containers of sessions that ended without removing theirs (killed
 * with SIGKILL): kshim cannot act after that, so the next debug of the
 * cluster, or its down, removes them. */
static int
sweep(docker_t *d, const struct cluster *c, kshim_err_t *err)
{
	int n;

	if (cluster_remove_debug(d, c->name, 1, &n, err) < 0)
		return -1;
	if (n > 0)
		fprintf(stderr,
			"kshim: removed %d debug container%s left by a session that ended\n", n,
			n == 1 ? "" : "s");
	return 0;
}

/* Creates the container, runs the session, and removes the container whatever happened. */
static int
debug(docker_t *d, const struct cluster *c, const struct cluster_node *node,
      const struct debug_options *o, int *code, kshim_err_t *err)
{
	int tty = !o->argv[0] && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	cJSON *body = spec(c, node, o, tty);
	char name[200], id[65] = "";
	kshim_err_t e = {0};
	int rc;

	snprintf(name, sizeof(name), "%s-debug-%d", node->container, (int)getpid());
	rc = docker_container_create(d, name, body, id, err);
	cJSON_Delete(body);
	if (rc == 0)
		rc = session(d, id, o, tty, code, err);
	docker_set_cancel(d, NULL);
	/* a create whose answer was lost may have made the container */
	if ((id[0] || err->http_status == 0) &&
	    docker_container_remove(d, id[0] ? id : name, &e) < 0 && e.http_status != 404) {
		kshim_hint(&e, "docker rm -f %s", name);
		kshim_err_print(&e);
	}
	return rc;
}

int
debug_parse(int argc, char **argv, struct debug_options *o, kshim_err_t *err)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'N'},
	    {"image", required_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int opt;
	const char *image = getenv("KSHIM_DEBUG_IMAGE");

	*o = (struct debug_options){.name = KSHIM_DEFAULT_CLUSTER,
				    .image = image && *image ? image : KSHIM_DEBUG_IMAGE};
	cli_begin();
	/* '+': options end at NODE, so that CMD keeps its own */
	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'N':
			if (cli_opt_name(optarg, &o->name, err) < 0)
				return -1;
			break;
		case 'i':
			o->image = optarg;
			o->image_chosen = 1;
			break;
		case 'h':
			return cli_help(debug_usage);
		default:
			return cli_bad_option(opt, argc, argv, err);
		}
	}
	if (optind >= argc)
		return kshim_fail(err, KSHIM_EUSAGE, "debug: give a node (e.g. kafka1)");
	o->node = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") != 0)
		return cli_no_more_args(argc, argv, err);
	if (optind < argc && ++optind == argc)
		return kshim_fail(err, KSHIM_EUSAGE, "debug: '--' must be followed by a command");
	o->argv = argv + optind;
	return CLI_RUN;
}

int
cmd_debug(int argc, char **argv, kshim_err_t *err)
{
	const struct cluster_node *node = NULL;
	struct debug_options o;
	static struct cluster c;
	int rc, code = 0;
	docker_t *d;

	if ((rc = debug_parse(argc, argv, &o, err)) != CLI_RUN)
		return rc;
	if (docker_open(&d, err) < 0)
		return -1;
	signals_trap();
	docker_set_cancel(d, signals_interrupted);
	rc = cluster_load(d, o.name, &c, err);
	cluster_set_limits(d, &c);
	if (rc == 0)
		rc = find_node(d, &c, o.node, &node, err);
	if (rc == 0)
		rc = sweep(d, &c, err);
	if (rc == 0)
		rc = ensure_image(d, o.image, o.image_chosen, err);
	if (rc == 0)
		rc = debug(d, &c, node, &o, &code, err);
	docker_close(d);
	if (rc < 0 && signals_interrupted())
		return kshim_fail(err, EINTR, "interrupted; removed what was created");
	return rc < 0 ? -1 : code < 0 ? 1 : code;
}
