/* SPDX-License-Identifier: Apache-2.0 */
/* kshim run: run a program with the table's names mapped, through the preloaded
 * shim (dynamically linked programs) or the seccomp supervisor (Go and static
 * programs); this file only chooses and calls. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "cli.h"
#include "lib/exec.h"
#include "lib/paths.h"
#include "kshim/table.h"
#include "lib/preload.h"
#include "lib/seccomp/supervise.h"
#include "lib/table_store.h"

const char run_usage[] =
    "usage: kshim run [--name CLUSTER] [--table FILE] [--map NAME:PORT=HOST:HOSTPORT]...\n"
    "                 [--via preload|seccomp] [--debug] -- COMMAND [ARG]...\n";

/* "kafka1:9092=127.0.0.1:29092"; HOST is an IPv4 address or localhost. */
static int
add_map(struct kshim_table *t, const char *spec, uint32_t base, kshim_err_t *err)
{
	char name[KSHIM_NAME_MAX + 1], host[64];
	unsigned port, hport;
	struct in_addr a;
	struct kshim_host *h;
	int used = 0;

	if (sscanf(spec, "%253[^:]:%u=%63[^:]:%u%n", name, &port, host, &hport, &used) != 4 ||
	    spec[used] != '\0' || port == 0 || port > 65535 || hport == 0 || hport > 65535) {
		kshim_fail(err, KSHIM_EUSAGE, "--map %s: expected NAME:PORT=HOST:HOSTPORT", spec);
		return kshim_hint(err, "for example --map kafka1:9092=127.0.0.1:29092");
	}
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &a) != 1)
		return kshim_fail(err, KSHIM_EUSAGE,
				  "--map %s: HOST must be an IPv4 address or localhost", spec);
	h = (struct kshim_host *)kshim_table_find_name(t, name);
	if (!h) {
		if (t->nhosts >= 254)
			return kshim_fail(err, KSHIM_EUSAGE, "--map: too many names");
		h = kshim_table_add(t, name, base + (uint32_t)t->nhosts + 1);
		if (!h)
			return kshim_fail(err, KSHIM_EUSAGE,
					  "--map %s: '%s' is not a valid host name", spec, name);
	}
	if (kshim_host_set_port(h, (uint16_t)port, ntohl(a.s_addr), (uint16_t)hport) < 0)
		return kshim_fail(err, KSHIM_EUSAGE, "--map %s: too many ports for %s", spec, name);
	return 0;
}

/* Writes the --map table next to the others, private to this run. */
static int
write_map_table(const char *const *maps, int nmaps, char *path, size_t len, kshim_err_t *err)
{
	struct kshim_table t = {0};
	uint32_t base;
	int rc = -1, lock = -1;

	/* The block is chosen and the table written under the directory's lock. */
	if (kshim_private_table_path(path, len, err) < 0 ||
	    kshim_lock(KSHIM_TABLES_LOCK, 1, &lock, err) < 0)
		return -1;
	if (table_store_block(NULL, &base, err) < 0)
		goto out;
	for (int i = 0; i < nmaps; i++)
		if (add_map(&t, maps[i], base, err) < 0)
			goto out;
	if (kshim_table_write(path, &t) < 0) {
		kshim_fail(err, errno, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	kshim_unlock(lock);
	kshim_table_free(&t);
	return rc;
}

/* kshim ends as the program did: its exit status, or its signal raised again. */
static int
exit_like(int status)
{
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

static pid_t child;

/* A signal sent to kshim itself goes on to the program; one the kernel sent to
 * the whole foreground group (a terminal's ^C) reached the program already. */
static void
forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (child > 0 && si->si_code != SI_KERNEL)
		kill(child, sig);
}

/* Runs argv as a child and removes the private table when it ends. */
static int
run_and_clean(char **argv, const char *table, kshim_err_t *err)
{
	static const int forwarded[] = {SIGINT,	 SIGTERM, SIGHUP,  SIGQUIT,
					SIGUSR1, SIGUSR2, SIGWINCH};
	struct sigaction sa = {.sa_sigaction = forward, .sa_flags = SA_SIGINFO | SA_RESTART};
	sigset_t set, old;
	int status;

	/* Blocked until the handlers are in place, so none is lost around fork. */
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	sigemptyset(&sa.sa_mask);
	child = fork();
	if (child < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		unlink(table);
		return kshim_fail(err, e, "fork: %s", strerror(e));
	}
	if (child == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(argv[0], argv);
		fprintf(stderr, "kshim: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaction(forwarded[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	unlink(table);
	return exit_like(status);
}

static const char *
kind_reason(enum exec_kind kind)
{
	switch (kind) {
	case EXEC_GO:
		return "Go program";
	case EXEC_STATIC:
		return "statically linked";
	case EXEC_DYNAMIC:
		return "dynamically linked";
	default:
		return "not a 64-bit ELF program";
	}
}

/* Preload for dynamically linked programs, the supervisor for Go and static
 * ones, unless --via forces one; refuses what the chosen one cannot serve. */
static int
choose(enum run_via via, const char *cmd, kshim_err_t *err)
{
	struct exec_info info;
	enum run_via chosen = via;

	if (exec_inspect(cmd, &info, err) < 0)
		return -1;
	if (chosen == VIA_AUTO)
		chosen =
		    info.kind == EXEC_GO || info.kind == EXEC_STATIC ? VIA_SECCOMP : VIA_PRELOAD;
	if (chosen == VIA_PRELOAD ? exec_check_preloadable(&info, err) < 0
				  : exec_check_supervisable(&info, err) < 0)
		return -1;
	if (kshim_debugging())
		fprintf(stderr, "kshim: run: via %s (%s)\n",
			chosen == VIA_PRELOAD ? "preload" : "seccomp",
			via == VIA_AUTO ? kind_reason(info.kind) : "forced with --via");
	return chosen;
}

static int
parse_via(const char *arg, enum run_via *via, kshim_err_t *err)
{
	if (strcmp(arg, "preload") == 0)
		*via = VIA_PRELOAD;
	else if (strcmp(arg, "seccomp") == 0)
		*via = VIA_SECCOMP;
	else
		return kshim_fail(err, KSHIM_EUSAGE, "--via %s: expected preload or seccomp", arg);
	return 0;
}

int
run_parse(int argc, char **argv, struct run_options *o, kshim_err_t *err)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"table", required_argument, NULL, 't'},
	    {"map", required_argument, NULL, 'm'},
	    {"debug", no_argument, NULL, 'd'},
	    {"via", required_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct run_options){.name = KSHIM_DEFAULT_CLUSTER};
	cli_begin();
	while ((c = getopt_long(argc, argv, "+:n:t:m:dh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (cli_opt_name(optarg, &o->name, err) < 0)
				return -1;
			break;
		case 't':
			o->table = optarg;
			break;
		case 'm':
			if (o->nmaps == RUN_MAPS_MAX)
				return kshim_fail(err, KSHIM_EUSAGE,
						  "run: at most %d --map options", RUN_MAPS_MAX);
			o->maps[o->nmaps++] = optarg;
			break;
		case 'd':
			o->debug = 1;
			break;
		case 'v':
			if (parse_via(optarg, &o->via, err) < 0)
				return -1;
			break;
		case 'h':
			return cli_help(run_usage);
		default:
			return cli_bad_option(c, argc, argv, err);
		}
	}
	if (optind >= argc)
		return kshim_fail(err, KSHIM_EUSAGE, "run: no command given");
	if (o->nmaps && o->table)
		return kshim_fail(err, KSHIM_EUSAGE, "run: give --table or --map, not both");
	o->argv = argv + optind;
	return CLI_RUN;
}

/* The supervisor's run: the table at path, removed afterwards when private. */
static int
run_supervised(char **argv, const char *path, int private_table, kshim_err_t *err)
{
	int status, rc = seccomp_supervise_run(argv, path, &status, err);

	if (private_table)
		unlink(path);
	return rc < 0 ? -1 : exit_like(status);
}

int
cmd_run(int argc, char **argv, kshim_err_t *err)
{
	struct run_options o;
	char path[PATH_MAX];
	int rc, chosen;

	if ((rc = run_parse(argc, argv, &o, err)) != CLI_RUN)
		return rc;
	if (o.debug)
		setenv("KSHIM_DEBUG", "1", 1);
	if ((chosen = choose(o.via, o.argv[0], err)) < 0)
		return -1;
	if (o.nmaps ? write_map_table(o.maps, o.nmaps, path, sizeof(path), err) < 0
		    : table_store_resolve(o.table, o.name, path, sizeof(path), err) < 0)
		return -1;
	if (chosen == VIA_SECCOMP)
		return run_supervised(o.argv, path, o.nmaps > 0, err);
	if (preload_setenv(path, err) < 0) {
		if (o.nmaps)
			unlink(path);
		return -1;
	}
	if (o.nmaps)
		return run_and_clean(o.argv, path, err);
	execvp(o.argv[0], o.argv);
	return kshim_fail(err, errno, "%s: %s", o.argv[0], strerror(errno));
}
