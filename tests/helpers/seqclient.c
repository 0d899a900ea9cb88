/* SPDX-License-Identifier: Apache-2.0 */
/* A numbered-sequence Kafka client for the restart test (tests/e2e-restart.sh),
 * run under the shim like any client:
 *
 *   seqclient create   BOOTSTRAP TOPIC PARTITIONS RF MIN_ISR
 *   seqclient minisr   BOOTSTRAP TOPIC           prints the topic's min.insync.replicas
 *       create and minisr give up after ADMIN_TIMEOUT_MS (exit 1, the cause on stderr)
 *       and end at once on SIGTERM, so a caller can retry a request that got no answer.
 *   seqclient produce  BOOTSTRAP TOPIC PARTITIONS RATE
 *       sends 1, 2, 3, ... (message i to partition i % PARTITIONS) at RATE per second,
 *       idempotent with acks=all, until SIGTERM; then flushes and prints
 *       "sent N acked A failed F". Progress each second on stderr.
 *   seqclient consume  BOOTSTRAP TOPIC PARTITIONS
 *       reads every partition from the beginning until SIGTERM, printing
 *       "VALUE PARTITION EPOCH_MS" per message.
 */
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* librdkafka's default for admin requests is socket.timeout.ms (60 s), and a
 * request to a broker that does not answer waits all of it. */
#define ADMIN_TIMEOUT_MS 10000

static volatile sig_atomic_t stop;
static long acked, failed;
static char first_error[256];

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "seqclient: %s: %s\n", what, why);
	exit(1);
}

typedef void (*delivery_fn)(rd_kafka_t *, const rd_kafka_message_t *, void *);

static rd_kafka_t *
client(rd_kafka_type_t type, const char *bootstrap, const char *const *settings, delivery_fn dr)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char errstr[512];
	rd_kafka_t *rk;

	if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof(errstr)))
		die("bootstrap.servers", errstr);
	for (; settings && settings[0]; settings += 2)
		if (rd_kafka_conf_set(conf, settings[0], settings[1], errstr, sizeof(errstr)))
			die(settings[0], errstr);
	if (dr)
		rd_kafka_conf_set_dr_msg_cb(conf, dr);
	rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
	if (!rk)
		die("rd_kafka_new", errstr);
	return rk;
}

/* Options for admin operation op: bounded by ADMIN_TIMEOUT_MS, and for
 * CreateTopics the reply waits until the topic exists on the controller. */
static rd_kafka_AdminOptions_t *
admin_options(rd_kafka_t *rk, rd_kafka_admin_op_t op)
{
	rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, op);
	char errstr[512];

	if (rd_kafka_AdminOptions_set_request_timeout(o, ADMIN_TIMEOUT_MS, errstr, sizeof(errstr)))
		die("request timeout", errstr);
	if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS &&
	    rd_kafka_AdminOptions_set_operation_timeout(o, ADMIN_TIMEOUT_MS / 2, errstr,
							sizeof(errstr)))
		die("operation timeout", errstr);
	return o;
}

/* Waits for the admin result of type want on q, a little longer than the
 * request timeout (librdkafka reports that one itself), or until SIGTERM. */
static rd_kafka_event_t *
admin_wait(rd_kafka_queue_t *q, rd_kafka_event_type_t want)
{
	long long deadline = now_ms() + ADMIN_TIMEOUT_MS + 2000;

	while (!stop && now_ms() < deadline) {
		rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);
		if (!ev)
			continue;
		if (rd_kafka_event_error(ev))
			die("admin", rd_kafka_event_error_string(ev));
		if (rd_kafka_event_type(ev) == want)
			return ev;
		rd_kafka_event_destroy(ev);
	}
	die("admin", stop ? "interrupted" : "no answer");
	return NULL;
}

static int
create(const char *bootstrap, const char *topic, int parts, int rf, const char *min_isr)
{
	rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, bootstrap, NULL, NULL);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	char errstr[512];
	rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, parts, rf, errstr, sizeof(errstr));
	const rd_kafka_topic_result_t **res;
	rd_kafka_AdminOptions_t *o;
	rd_kafka_event_t *ev;
	size_t n;

	if (!nt)
		die("NewTopic", errstr);
	rd_kafka_NewTopic_set_config(nt, "min.insync.replicas", min_isr);
	o = admin_options(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
	rd_kafka_CreateTopics(rk, &nt, 1, o, q);
	ev = admin_wait(q, RD_KAFKA_EVENT_CREATETOPICS_RESULT);
	res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
	if (n != 1 ||
	    (rd_kafka_topic_result_error(res[0]) &&
	     rd_kafka_topic_result_error(res[0]) != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS))
		die("CreateTopics", n ? rd_kafka_topic_result_error_string(res[0]) : "no result");
	rd_kafka_event_destroy(ev);
	rd_kafka_NewTopic_destroy(nt);
	rd_kafka_AdminOptions_destroy(o);
	rd_kafka_queue_destroy(q);
	rd_kafka_destroy(rk);
	return 0;
}

static int
minisr(const char *bootstrap, const char *topic)
{
	rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, bootstrap, NULL, NULL);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_ConfigResource_t *cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
	const rd_kafka_ConfigResource_t **res;
	const rd_kafka_ConfigEntry_t **entries;
	rd_kafka_AdminOptions_t *o;
	rd_kafka_event_t *ev;
	size_t n, ne;

	o = admin_options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
	rd_kafka_DescribeConfigs(rk, &cr, 1, o, q);
	ev = admin_wait(q, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT);
	res = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev),
							&n);
	if (n != 1 || rd_kafka_ConfigResource_error(res[0]))
		die("DescribeConfigs", n ? rd_kafka_ConfigResource_error_string(res[0]) : "none");
	entries = rd_kafka_ConfigResource_configs(res[0], &ne);
	for (size_t i = 0; i < ne; i++)
		if (strcmp(rd_kafka_ConfigEntry_name(entries[i]), "min.insync.replicas") == 0)
			printf("%s\n", rd_kafka_ConfigEntry_value(entries[i]));
	rd_kafka_event_destroy(ev);
	rd_kafka_ConfigResource_destroy(cr);
	rd_kafka_AdminOptions_destroy(o);
	rd_kafka_queue_destroy(q);
	rd_kafka_destroy(rk);
	return 0;
}

static void
on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk, (void)opaque;
	if (!m->err) {
		acked++;
		return;
	}
	if (failed++ == 0)
		snprintf(first_error, sizeof(first_error), "%s", rd_kafka_err2str(m->err));
}

static int
produce(const char *bootstrap, const char *topic, int parts, int rate)
{
	static const char *const settings[] = {
	    "enable.idempotence", "true",   "acks", "all", "linger.ms", "5",
	    "message.timeout.ms", "300000", NULL,
	};
	char val[24];
	long long start = now_ms(), next_report = start + 1000;
	long sent = 0;
	rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, bootstrap, settings, on_delivery);

	while (!stop) {
		long due = (long)((now_ms() - start) * rate / 1000);
		while (sent < due && !stop) {
			int len = snprintf(val, sizeof(val), "%ld", sent + 1);
			rd_kafka_resp_err_t e = rd_kafka_producev(
			    rk, RD_KAFKA_V_TOPIC(topic),
			    RD_KAFKA_V_PARTITION((int)((sent + 1) % parts)),
			    RD_KAFKA_V_VALUE(val, (size_t)len),
			    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
			if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
				rd_kafka_poll(rk, 10);
				continue;
			}
			if (e)
				die("produce", rd_kafka_err2str(e));
			sent++;
		}
		rd_kafka_poll(rk, 5);
		if (now_ms() >= next_report) {
			fprintf(stderr, "progress %lld sent %ld acked %ld failed %ld\n", now_ms(),
				sent, acked, failed);
			next_report += 1000;
		}
	}
	rd_kafka_flush(rk, 120000);
	printf("sent %ld acked %ld failed %ld%s%s\n", sent, acked, failed, failed ? " first " : "",
	       first_error);
	rd_kafka_destroy(rk);
	return failed != 0 || acked != sent;
}

static int
consume(const char *bootstrap, const char *topic, int parts)
{
	char group[64];
	const char *const settings[] = {
	    "group.id", group, "enable.auto.commit", "false", "enable.partition.eof", "false", NULL,
	};
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts);
	rd_kafka_t *rk;

	snprintf(group, sizeof(group), "seqclient-%d", (int)getpid());
	rk = client(RD_KAFKA_CONSUMER, bootstrap, settings, NULL);
	rd_kafka_poll_set_consumer(rk);
	for (int p = 0; p < parts; p++)
		rd_kafka_topic_partition_list_add(l, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
	if (rd_kafka_assign(rk, l))
		die("assign", "failed");
	rd_kafka_topic_partition_list_destroy(l);
	while (!stop) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
		if (!m)
			continue;
		if (m->err)
			fprintf(stderr, "%lld consumer: %s\n", now_ms(),
				rd_kafka_message_errstr(m));
		else
			printf("%.*s %d %lld\n", (int)m->len, (const char *)m->payload,
			       m->partition, now_ms());
		rd_kafka_message_destroy(m);
	}
	fflush(stdout);
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 7 && strcmp(argv[1], "create") == 0)
		return create(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]), argv[6]);
	if (argc == 4 && strcmp(argv[1], "minisr") == 0)
		return minisr(argv[2], argv[3]);
	if (argc == 6 && strcmp(argv[1], "produce") == 0)
		return produce(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
	if (argc == 5 && strcmp(argv[1], "consume") == 0)
		return consume(argv[2], argv[3], atoi(argv[4]));
	fprintf(stderr, "usage: seqclient create|minisr|produce|consume BOOTSTRAP TOPIC ...\n");
	return 2;
}
