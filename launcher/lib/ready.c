/* SPDX-License-Identifier: Apache-2.0 */
/* Waiting for a cluster to serve: Metadata through each broker's published port. */
#include "ready.h"

#include <arpa/inet.h>
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "flavor.h"

#define POLL_MS 1000
#define PAUSE_MS 100
#define LOG_TAIL 15

static void
drop_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk, (void)level, (void)fac, (void)buf;
}

/* The launcher is not preloaded, so each broker is asked through its own
 * published port by a client of its own. Sparse connections and no periodic
 * refresh keep the client away from the advertised names it cannot resolve; on
 * loopback, retrying a refused connection every 100 ms is cheap. */
static const char *const settings[][2] = {
    {"log_level", "0"},
    {"enable.sparse.connections", "true"},
    {"topic.metadata.refresh.interval.ms", "-1"},
    {"reconnect.backoff.ms", "100"},
    {"reconnect.backoff.max.ms", "100"},
    {"socket.connection.setup.timeout.ms", "2000"},
};

static const char *security[][2] = {
    {"security.protocol", NULL},
    {"ssl.ca.location", NULL},
    {"ssl.endpoint.identification.algorithm", NULL},
    {"sasl.mechanism", NULL},
    {"sasl.username", NULL},
    {"sasl.password", NULL},
};

void
ready_security(const char *protocol, const char *ca, const char *mechanism, const char *user,
	       const char *password)
{
	security[0][1] = protocol;
	security[1][1] = ca;
	security[2][1] = ca ? "none" : NULL;
	security[3][1] = mechanism;
	security[4][1] = user;
	security[5][1] = password;
}

static int
set_all(rd_kafka_conf_t *conf, const char *const (*kv)[2], size_t n, char *errstr, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (kv[i][1] &&
		    rd_kafka_conf_set(conf, kv[i][0], kv[i][1], errstr, len) != RD_KAFKA_CONF_OK)
			return -1;
	return 0;
}

int
ready_metadata(const char *bootstrap, int timeout_ms, const struct rd_kafka_metadata **md,
	       kshim_err_t *err)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char errstr[256];
	rd_kafka_resp_err_t e;
	rd_kafka_t *rk;

	rd_kafka_conf_set_log_cb(conf, drop_log);
	if (set_all(conf, settings, sizeof(settings) / sizeof(settings[0]), errstr,
		    sizeof(errstr)) < 0 ||
	    set_all(conf, (const char *const(*)[2])security, sizeof(security) / sizeof(security[0]),
		    errstr, sizeof(errstr)) < 0) {
		rd_kafka_conf_destroy(conf);
		return kshim_fail(err, EINVAL, "librdkafka: %s", errstr);
	}
	if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof(errstr)) !=
		RD_KAFKA_CONF_OK ||
	    !(rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr)))) {
		rd_kafka_conf_destroy(conf);
		return kshim_fail(err, EINVAL, "librdkafka: %s", errstr);
	}
	e = rd_kafka_metadata(rk, 0, NULL, md, timeout_ms);
	rd_kafka_destroy(rk);
	if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
		return kshim_fail(err, ETIMEDOUT, "no Metadata reply from %s: %s", bootstrap,
				  rd_kafka_err2str(e));
	return 0;
}

static int
fetch(uint32_t addr, unsigned port, int timeout_ms, const struct rd_kafka_metadata **md,
      kshim_err_t *err)
{
	char bootstrap[32];

	snprintf(bootstrap, sizeof(bootstrap), "%u.%u.%u.%u:%u", addr >> 24, (addr >> 16) & 255,
		 (addr >> 8) & 255, addr & 255, port);
	return ready_metadata(bootstrap, timeout_ms, md, err);
}

int
ready_probe(uint32_t addr, unsigned port, int timeout_ms, int *brokers, kshim_err_t *err)
{
	const struct rd_kafka_metadata *md;

	if (fetch(addr, port, timeout_ms, &md, err) < 0)
		return -1;
	*brokers = md->broker_cnt;
	rd_kafka_metadata_destroy(md);
	return 0;
}

int
ready_advertised(const struct cluster *c, const struct rd_kafka_metadata_broker *b)
{
	char name[16];

	if (b->id < 1 || b->id > c->n)
		return 0;
	if (c->mode == ADVERTISE_LOCALHOST)
		return strcmp(b->host, "localhost") == 0 &&
		       (unsigned)b->port == c->node[b->id - 1].host_port;
	snprintf(name, sizeof(name), KAFKA_NODE_FMT, b->id);
	return strcmp(b->host, name) == 0 && b->port == KAFKA_PORT;
}

int
ready_inside(const struct cluster *c)
{
	return c->sasl == SASL_SCRAM && rd_kafka_version() < 0x02060100;
}

const char *
ready_librdkafka(void)
{
	return rd_kafka_version_str();
}

void
ready_parse_listing(const char *out, struct ready_listing *l)
{
	memset(l, 0, sizeof(*l));
	for (const char *line = out; line && *line && l->n < CLUSTER_MAX_NODES;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		struct ready_broker *b = &l->b[l->n];
		const char *end = strchr(line, '\n');
		const char *arrow = strstr(line, ") -> ");
		if (sscanf(line, "%63[^: \n]:%d (id: %d ", b->host, &b->port, &b->id) != 3 ||
		    !arrow || (end && arrow > end))
			continue;
		b->answers = strncmp(arrow, ") -> (", 6) == 0;
		l->n++;
	}
}

int
ready_listed_as_expected(const struct cluster *c, const struct ready_broker *b)
{
	struct rd_kafka_metadata_broker mb = {
	    .id = b->id, .host = (char *)b->host, .port = b->port};

	return ready_advertised(c, &mb);
}

int
ready_listing_good(const struct cluster *c, const struct ready_listing *l)
{
	int good = 0;

	for (int j = 0; j < l->n; j++)
		good += (l->b[j].answers || c->mode != ADVERTISE_INTERNAL) &&
			ready_listed_as_expected(c, &l->b[j]);
	return good;
}

/* Whether the broker listens at bootstrap, asked from node i's container
 * without a JVM (bash's /dev/tcp): no JVM is started for a broker that is still
 * starting, on a machine it would slow down further. */
static int
listening(docker_t *d, const struct cluster *c, int i, const char *bootstrap, kshim_err_t *err)
{
	char script[96], out[256];
	const char *argv[] = {"bash", "-c", script, NULL};
	const char *colon = strrchr(bootstrap, ':');
	int code;

	snprintf(script, sizeof(script), ": </dev/tcp/%.*s/%s", (int)(colon - bootstrap), bootstrap,
		 colon + 1);
	if (docker_exec(d, c->node[i].id, argv, out, sizeof(out), &code, err) < 0)
		return -1;
	if (code != 0)
		return kshim_fail(err, ECONNREFUSED, "%s does not listen on %s yet",
				  c->node[i].name, bootstrap);
	return 0;
}

int
ready_list_inside(docker_t *d, const struct cluster *c, int i, struct ready_listing *l,
		  kshim_err_t *err)
{
	static char out[65536];
	char bootstrap[32];
	/* Ended before docker_exec gives up on it, so that slow probes do not pile
	 * up JVMs in the container. */
	const char *argv[] = {"timeout",
			      "55",
			      "/opt/kafka/bin/kafka-broker-api-versions.sh",
			      "--bootstrap-server",
			      bootstrap,
			      "--command-config",
			      FLAVOR_SECRETS_DIR "/" FLAVOR_PROBE_PROPS,
			      NULL};
	int code;

	if (c->mode == ADVERTISE_INTERNAL)
		snprintf(bootstrap, sizeof(bootstrap), "%s:%d", c->node[i].name, KAFKA_PORT);
	else
		snprintf(bootstrap, sizeof(bootstrap), "localhost:%d", KAFKA_PORT);
	if (listening(d, c, i, bootstrap, err) < 0 ||
	    docker_exec(d, c->node[i].id, argv, out, sizeof(out), &code, err) < 0)
		return -1;
	ready_parse_listing(out, l);
	if (l->n == 0)
		return kshim_fail(err, ETIMEDOUT, "%s lists no broker inside the network%s",
				  c->node[i].name, code ? " (the tool failed)" : "");
	return 0;
}

int
ready_tcp(uint32_t addr, unsigned port, int timeout_ms)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(addr)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), e = -1;
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	socklen_t len = sizeof(e);

	if (fd < 0)
		return 0;
	if ((connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 || errno == EINPROGRESS) &&
	    poll(&p, 1, timeout_ms) == 1)
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
	close(fd);
	return e == 0;
}

/* Whether node i's broker lists the whole cluster; why says what is missing. */
static int
node_ready(const struct cluster *c, int i, char *why, size_t len)
{
	const struct rd_kafka_metadata *md;
	kshim_err_t e = {0};
	int good = 0;

	if (fetch(c->publish_addr, c->node[i].host_port, POLL_MS, &md, &e) < 0) {
		snprintf(why, len, "%s: %s", c->node[i].name, e.msg);
		return 0;
	}
	for (int j = 0; j < md->broker_cnt; j++)
		good += ready_advertised(c, &md->brokers[j]);
	if (good != c->n || md->broker_cnt != c->n) {
		snprintf(why, len, "%s lists %d broker%s, %d as expected, of %d", c->node[i].name,
			 md->broker_cnt, md->broker_cnt == 1 ? "" : "s", good, c->n);
		good = -1;
	}
	rd_kafka_metadata_destroy(md);
	return good == c->n;
}

/* ready_inside's node_ready, for all nodes at once: each published port takes a
 * TCP connection, and inside the network node 1 lists every broker as expected
 * (ready_listing_good). */
static int
inside_ready(docker_t *d, const struct cluster *c, char *why, size_t len)
{
	struct ready_listing l;
	kshim_err_t e = {0};
	int good;

	for (int i = 0; i < c->n; i++)
		if (!ready_tcp(c->publish_addr, c->node[i].host_port, POLL_MS)) {
			snprintf(why, len, "%s: its published port takes no connection",
				 c->node[i].name);
			return 0;
		}
	if (ready_list_inside(d, c, 0, &l, &e) < 0) {
		snprintf(why, len, "%s", e.msg);
		return 0;
	}
	good = ready_listing_good(c, &l);
	if (good == c->n && l.n == c->n)
		return 1;
	snprintf(why, len, "%s lists %d broker%s, %d as expected, of %d (inside the network)",
		 c->node[0].name, l.n, l.n == 1 ? "" : "s", good, c->n);
	return 0;
}

/* Every node's state and the end of its log, on stderr. */
static void
report(docker_t *d, const struct cluster *c)
{
	for (int i = 0; i < c->n; i++) {
		char state[128] = "unknown", prefix[32];
		kshim_err_t e = {0};
		int running;

		cluster_node_state(d, &c->node[i], state, sizeof(state), &running, &e);
		fprintf(stderr, "%s: %s; last log lines:\n", c->node[i].name, state);
		snprintf(prefix, sizeof(prefix), "  %s | ", c->node[i].name);
		if (cluster_node_logs(d, &c->node[i], LOG_TAIL, 0, prefix, stderr, &e) < 0)
			fprintf(stderr, "  (%s)\n", e.msg);
	}
}

/* Fails with the first node whose container is not running. */
static int
all_running(docker_t *d, const struct cluster *c, kshim_err_t *err)
{
	for (int i = 0; i < c->n; i++) {
		char state[128];
		int running;

		if (cluster_node_state(d, &c->node[i], state, sizeof(state), &running, err) < 0)
			return -1;
		if (!running) {
			report(d, c);
			kshim_fail(err, ECHILD, "%s %s", c->node[i].name, state);
			if (strstr(state, "OOM") || strstr(state, "code 137"))
				return kshim_hint(err, "out of memory: run fewer nodes or give "
						       "Docker more memory");
			return kshim_hint(err,
					  "its log is above; is %s a Kafka image of flavour %s?",
					  c->image, flavor_name(c->flavor));
		}
	}
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
ready_wait(docker_t *d, const struct cluster *c, int timeout_s, kshim_err_t *err)
{
	const struct timespec pause = {0, PAUSE_MS * 1000000L};
	double deadline = now() + timeout_s;
	char why[600] = "no broker answered";

	for (;;) {
		int ready = 1;

		if (all_running(d, c, err) < 0)
			return -1;
		if (ready_inside(c))
			ready = inside_ready(d, c, why, sizeof(why));
		for (int i = 0; i < c->n && ready && !ready_inside(c); i++)
			ready = node_ready(c, i, why, sizeof(why));
		if (ready)
			return 0;
		if (docker_cancelled(d))
			return kshim_fail(err, EINTR, "interrupted");
		if (now() >= deadline) {
			report(d, c);
			kshim_fail(err, ETIMEDOUT, "cluster not ready after %d s: %s", timeout_s,
				   why);
			return kshim_hint(err, "the brokers' logs are above; on a slow machine "
					       "raise --timeout");
		}
		nanosleep(&pause, NULL);
	}
}
