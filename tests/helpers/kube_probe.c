/* SPDX-License-Identifier: Apache-2.0 */
/* kube_probe: the Kubernetes client from the command line, for checks against
 * a real cluster (make build/helpers/kube_probe).
 *   kube_probe [--context C] target
 *   kube_probe [--context C] service NS NAME
 *   kube_probe [--context C] can NS VERB RESOURCE[/SUBRESOURCE]
 *   kube_probe [--context C] get PATH
 * Prints what it read, one fact a line; on failure "kshim: cause" and
 * "hint: ..." on stderr and exit status 1 (2 for a wrong command line). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kube/kube.h"

static void
print_target(const kube_t *k)
{
	const struct kube_target *t = kube_target(k);

	printf("context %s\ncluster %s\nuser %s\nserver %s\nnamespace %s\nfiles %s\n", t->context,
	       t->cluster, t->user, t->server, t->ns, t->files);
}

static int
service(kube_t *k, const char *ns, const char *name, kshim_err_t *err)
{
	static struct kube_service s;

	if (kube_service(k, ns, name, &s, err) < 0)
		return -1;
	printf("service %s/%s headless %d ports", s.ns, s.name, s.headless);
	for (int i = 0; i < s.nports; i++)
		printf(" %u->%u", s.port[i], s.target[i]);
	printf("\npods %d\n", s.npods);
	for (int i = 0; i < s.npods; i++)
		printf("pod %s hostname %s subdomain %s node %s ready %d deleting %d uid %s\n",
		       s.pod[i].name, s.pod[i].hostname, s.pod[i].subdomain, s.pod[i].node,
		       s.pod[i].ready, s.pod[i].deleting, s.pod[i].uid);
	return 0;
}

static int
can(kube_t *k, const char *ns, const char *verb, char *resource, kshim_err_t *err)
{
	char *sub = strchr(resource, '/'), reason[512];
	int allowed;

	if (sub)
		*sub++ = '\0';
	if (kube_can(k, ns, verb, resource, sub, &allowed, reason, sizeof(reason), err) < 0)
		return -1;
	printf("%s%s%s\n", allowed ? "yes" : "no", reason[0] ? " " : "", reason);
	return 0;
}

static int
get(kube_t *k, const char *path, kshim_err_t *err)
{
	cJSON *out;
	char *text;

	if (kube_request(k, path, NULL, &out, err) < 0)
		return -1;
	text = cJSON_Print(out);
	printf("%s\n", text ? text : "");
	free(text);
	cJSON_Delete(out);
	return 0;
}

static int
run(kube_t *k, int argc, char **argv, kshim_err_t *err)
{
	if (strcmp(argv[0], "target") == 0 && argc == 1) {
		print_target(k);
		return 0;
	}
	if (strcmp(argv[0], "service") == 0 && argc == 3)
		return service(k, argv[1], argv[2], err);
	if (strcmp(argv[0], "can") == 0 && argc == 4)
		return can(k, argv[1], argv[2], argv[3], err);
	if (strcmp(argv[0], "get") == 0 && argc == 2)
		return get(k, argv[1], err);
	return kshim_fail(err, KSHIM_EUSAGE, "unknown command or wrong arguments: %s", argv[0]);
}

int
main(int argc, char **argv)
{
	const char *context = NULL;
	kshim_err_t err = {0};
	kube_t *k;
	int rc;

	if (argc > 2 && strcmp(argv[1], "--context") == 0) {
		context = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: kube_probe [--context C] target | service NS NAME | "
				"can NS VERB RESOURCE[/SUB] | get PATH\n");
		return 2;
	}
	if (kube_open(context, &k, &err) < 0) {
		kshim_err_print(&err);
		return 1;
	}
	rc = run(k, argc - 1, argv + 1, &err);
	kube_close(k);
	if (rc < 0)
		kshim_err_print(&err);
	return rc < 0 ? (err.code == KSHIM_EUSAGE ? 2 : 1) : 0;
}
