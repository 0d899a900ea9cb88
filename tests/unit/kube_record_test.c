/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the record of a Service attached in Kubernetes (launcher/lib/kube/record.c)
 * and of the table read back as a cluster (health.c): written, read back, refused when
 * foreign, the forwarder found only while it holds the lock, and every file forgotten. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "scratch.h"
#include "lib/kube/health.h"
#include "lib/kube/record.h"
#include "lib/paths.h"

static void
test_round_trip(void)
{
	struct kube_record r = {"kind-dev", "kafka", "my-cluster-kafka-brokers", "cluster.local"};
	struct kube_record b;
	char path[2 * PATH_MAX];
	kshim_err_t err = {0};
	struct stat st;
	int found = -1;

	CHECK(kube_record_read("k", &b, &found, &err) == 0 && found == 0,
	      "no record: read succeeds, not found");
	CHECK(kube_record_write("k", &r, &err) == 0, "the record is written");
	snprintf(path, sizeof(path), "%s/k.kube", scratch);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "  ... as k.kube, mode 0600");
	CHECK(kube_record_read("k", &b, &found, &err) == 0 && found == 1 &&
		  strcmp(b.context, "kind-dev") == 0 && strcmp(b.ns, "kafka") == 0 &&
		  strcmp(b.service, "my-cluster-kafka-brokers") == 0 &&
		  strcmp(b.domain, "cluster.local") == 0,
	      "  ... and read back: context, namespace, Service and domain");
	scratch_put("odd.kube", "kshim-attached 1\nnetwork x\n", 0600);
	CHECK(kube_record_read("odd", &b, &found, &err) < 0 && err.code == EINVAL && err.hint[0],
	      "a file that is no Kubernetes record is refused, with a hint (%s)", err.msg);
	scratch_put("half.kube", "kshim-kube 1\ncontext c\n", 0600);
	CHECK(kube_record_read("half", &b, &found, &err) < 0 && err.code == EINVAL,
	      "a record naming no namespace or Service is refused");
}

static void
test_forwarder(void)
{
	kshim_err_t err = {0};
	int fd;

	CHECK(kube_forwarder("k") == 0, "no pid file: no forwarder");
	CHECK(kube_pid_write("k", getpid(), &err) == 0, "the pid file is written");
	CHECK(kube_forwarder("k") == 0, "a pid file without the lock held: no forwarder");
	CHECK(kshim_lock("k.lock", 0, &fd, &err) == 0, "the lock is taken, as the forwarder does");
	CHECK(kube_forwarder("k") == getpid(),
	      "  ... then the pid file's process is the forwarder");
	kshim_unlock(fd);
	CHECK(kube_forwarder("k") == 0, "  ... and no longer once the lock is free");
}

static void
test_table_cluster(void)
{
	static struct cluster c;
	char path[2 * PATH_MAX];
	kshim_err_t err = {0};

	scratch_put("k.table",
		    "kshim-table 1\n"
		    "svc.ns.svc.cluster.local,svc.ns.svc,svc.ns 127.77.1.1 9092=127.0.0.1:4001\n"
		    "p-0.svc.ns.svc.cluster.local,p-0.svc.ns.svc,p-0.svc.ns 127.77.1.2 "
		    "9092=127.0.0.1:4001 9093=127.0.0.1:4002\n"
		    "p-1.svc.ns.svc.cluster.local,p-1.svc.ns.svc,p-1.svc.ns 127.77.1.3 "
		    "9092=127.0.0.1:4003\n",
		    0600);
	snprintf(path, sizeof(path), "%s/k.table", scratch);
	CHECK(kube_table_cluster("k", path, &c, &err) == 0 && c.n == 2 && c.attached,
	      "the table as a cluster: the 2 pods, the Service's host left out");
	CHECK(strcmp(c.node[0].name, "p-0.svc.ns.svc.cluster.local") == 0 &&
		  c.node[0].port == 9092 && c.node[0].host_port == 4001 &&
		  c.node[1].host_port == 4003,
	      "  ... each by its first name, its first port and where it is forwarded");
}

static void
test_forget(void)
{
	kshim_err_t err = {0};
	int had = -1;

	scratch_put("k.forward.log", "log\n", 0600);
	scratch_put("k.lock", "", 0600);
	CHECK(kube_forget("k", &had, &err) == 0 && had == 5,
	      "forget removes the table, record, pid file, log and lock file (%d)", had);
	CHECK(kube_forget("k", &had, &err) == 0 && had == 0,
	      "forgetting again succeeds with nothing removed");
}

int
main(void)
{
	int rc;

	if (scratch_make("kube-record-test") < 0)
		return 2;
	setenv("KSHIM_HOME", scratch, 1);
	test_round_trip();
	test_forwarder();
	test_table_cluster();
	test_forget();
	rc = check_done();
	return scratch_remove() == 0 ? rc : 1;
}
