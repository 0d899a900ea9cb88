/* SPDX-License-Identifier: Apache-2.0 */
/* my-client: the matrix's own C program on librdkafka, as a user would write it. */
/*
 * "my-client": a plain librdkafka application, standing in for a user's own C program in the
 * compatibility matrix (tests/matrix-clients.sh). It knows nothing about kshim.
 *
 *   my_client BOOTSTRAP TOPIC N RUNID SECONDS
 *
 * Produces N keyed records (key "k<i>", value "<RUNID>:<i>", i = 0..N-1, acks=all) and waits for
 * every delivery report; then, unless nothing was delivered, reads every partition of TOPIC from
 * the beginning to its end (assign, no consumer group) and prints each record. stdout:
 *   PRODUCED <acked>
 *   M <partition> <offset> <key> <value>        (tab-separated, one per record)
 *   DONE
 * librdkafka's own log lines and errors go to stderr. SECONDS bounds the whole run: deliveries
 * time out after half of it, the read stops at the deadline. Exit 0 when the run completed
 * (whatever the counts: the caller checks them), 1 on an error, 2 on bad usage.
 * MATRIX_CLIENT_CONFIG, when set, names librdkafka properties (kshim config) for TLS and SASL.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

static long delivered, failed;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	(void)opaque;
	if (m->err) {
		if (failed++ == 0)
			fprintf(stderr, "my_client: delivery failed: %s\n",
				rd_kafka_err2str(m->err));
	} else {
		delivered++;
	}
}

static int
set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
	char err[512];

	if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
		fprintf(stderr, "my_client: %s=%s: %s\n", k, v, err);
		return -1;
	}
	return 0;
}

/* The key=value lines of MATRIX_CLIENT_CONFIG, but its bootstrap.servers, into conf. */
static int
set_security(rd_kafka_conf_t *conf)
{
	const char *path = getenv("MATRIX_CLIENT_CONFIG");
	char line[4096];
	int rc = 0;
	FILE *f;

	if (!path || !*path)
		return 0;
	if (!(f = fopen(path, "r"))) {
		perror(path);
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || !eq || strncmp(line, "bootstrap.servers=", 18) == 0)
			continue;
		*eq = '\0';
		rc = set(conf, line, eq + 1);
	}
	fclose(f);
	return rc;
}

static rd_kafka_t *
client(rd_kafka_type_t type, rd_kafka_conf_t *conf)
{
	char err[512];
	rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof(err));

	if (!rk) {
		fprintf(stderr, "my_client: rd_kafka_new: %s\n", err);
		rd_kafka_conf_destroy(conf);
	}
	return rk;
}

static int
produce(const char *bootstrap, const char *topic, long n, const char *runid, int ms)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char tmo[32], key[32], val[256];
	rd_kafka_t *rk;

	snprintf(tmo, sizeof(tmo), "%d", ms);
	if (set(conf, "bootstrap.servers", bootstrap) || set(conf, "acks", "all") ||
	    set(conf, "message.timeout.ms", tmo) || set(conf, "linger.ms", "5") ||
	    set_security(conf)) {
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	if (!(rk = client(RD_KAFKA_PRODUCER, conf)))
		return -1;
	for (long i = 0; i < n; i++) {
		int kl = snprintf(key, sizeof(key), "k%ld", i);
		int vl = snprintf(val, sizeof(val), "%s:%ld", runid, i);
		rd_kafka_resp_err_t e;

		while ((e = rd_kafka_producev(
			    rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
			    RD_KAFKA_V_KEY(key, (size_t)kl), RD_KAFKA_V_VALUE(val, (size_t)vl),
			    RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
			rd_kafka_poll(rk, 50);
		if (e) {
			fprintf(stderr, "my_client: produce: %s\n", rd_kafka_err2str(e));
			failed++;
		}
		rd_kafka_poll(rk, 0);
	}
	rd_kafka_flush(rk, ms + 2000);
	rd_kafka_destroy(rk);
	printf("PRODUCED %ld\n", delivered);
	fflush(stdout);
	return 0;
}

static int
consume(const char *bootstrap, const char *topic, const char *runid, double deadline)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_topic_partition_list_t *parts = NULL;
	rd_kafka_topic_t *rkt = NULL;
	char group[300];
	int nparts = 0, eofs = 0, rc = -1;
	rd_kafka_t *rk;

	snprintf(group, sizeof(group), "%s-my-client", runid);
	if (set(conf, "bootstrap.servers", bootstrap) || set(conf, "group.id", group) ||
	    set(conf, "enable.auto.commit", "false") || set(conf, "enable.partition.eof", "true") ||
	    set(conf, "auto.offset.reset", "earliest") || set_security(conf)) {
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	if (!(rk = client(RD_KAFKA_CONSUMER, conf)))
		return -1;
	rkt = rd_kafka_topic_new(rk, topic, NULL);
	while (now() < deadline) {
		rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 5000);

		if (!e && md->topic_cnt == 1 && !md->topics[0].err &&
		    md->topics[0].partition_cnt > 0)
			break;
		if (!e)
			rd_kafka_metadata_destroy(md);
		md = NULL;
		nanosleep(&(struct timespec){0, 200000000}, NULL);
	}
	if (!md) {
		fprintf(stderr, "my_client: no metadata for %s before the deadline\n", topic);
		goto out;
	}
	nparts = md->topics[0].partition_cnt;
	parts = rd_kafka_topic_partition_list_new(nparts);
	for (int i = 0; i < nparts; i++)
		rd_kafka_topic_partition_list_add(parts, topic, md->topics[0].partitions[i].id)
		    ->offset = RD_KAFKA_OFFSET_BEGINNING;
	if (rd_kafka_assign(rk, parts)) {
		fprintf(stderr, "my_client: assign failed\n");
		goto out;
	}
	while (eofs < nparts && now() < deadline) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);

		if (!m)
			continue;
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
			eofs++;
		else if (m->err)
			fprintf(stderr, "my_client: consume: %s\n", rd_kafka_message_errstr(m));
		else
			printf("M\t%" PRId32 "\t%" PRId64 "\t%.*s\t%.*s\n", m->partition, m->offset,
			       (int)m->key_len, (const char *)m->key, (int)m->len,
			       (const char *)m->payload);
		rd_kafka_message_destroy(m);
	}
	if (eofs < nparts)
		fprintf(stderr, "my_client: deadline: end of %d of %d partitions reached\n", eofs,
			nparts);
	rc = 0;
out:
	if (parts)
		rd_kafka_topic_partition_list_destroy(parts);
	if (md)
		rd_kafka_metadata_destroy(md);
	if (rkt)
		rd_kafka_topic_destroy(rkt);
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return rc;
}

int
main(int argc, char **argv)
{
	double start = now();
	long n;
	int secs;

	if (argc != 6 || (n = atol(argv[3])) <= 0 || (secs = atoi(argv[5])) <= 0) {
		fprintf(stderr, "usage: my_client BOOTSTRAP TOPIC N RUNID SECONDS\n");
		return 2;
	}
	if (produce(argv[1], argv[2], n, argv[4], secs * 500) < 0)
		return 1;
	if (delivered > 0 && consume(argv[1], argv[2], argv[4], start + secs) < 0)
		return 1;
	printf("DONE\n");
	return 0;
}
