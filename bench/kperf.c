/* SPDX-License-Identifier: Apache-2.0 */
/* Data-path benchmark client on librdkafka (Debian ships rdkafka_performance only
 * as an example source that needs librdkafka's private headers). One line of
 * "key=value" results on stdout; exit 0 only when every message made it.
 *
 *   kperf create  -b BROKERS -t TOPIC[,TOPIC...] [-p PARTITIONS] [-R REPLICAS]
 *   kperf produce -b BROKERS -t TOPIC -n COUNT [-s SIZE]
 *        acks=all, librdkafka's defaults otherwise (linger.ms 5); time from the first
 *        produce call until every delivery report is in; cpu_s is the whole process's
 *        user + system time (getrusage, every thread, start-up included), path_cpu_s
 *        the part of it spent while the clock ran (the data path alone); KPERF_DEBUG
 *        sets librdkafka's debug contexts
 *   kperf consume -b BROKERS -t TOPIC -n COUNT
 *        all partitions assigned from the beginning (no group join); time from
 *        the first message to the COUNT-th, start_ms from the assignment to the first;
 *        cpu_s as for produce, path_cpu_s from the assignment to the COUNT-th message
 *   kperf latency -b BROKERS -t TOPIC [-r RATE] [-d SECONDS] [-w WARMUP] [-s SIZE]
 *        a producer (acks=all, max.in.flight 5, librdkafka's defaults otherwise; KPERF_LINGER
 *        and KPERF_INFLIGHT set linger.ms and max.in.flight.requests.per.connection) at RATE
 *        msg/s with a CLOCK_MONOTONIC timestamp in each payload, and a consumer in the same
 * process; the first WARMUP seconds of messages are not counted; prints produce-to-consume p50/p99,
 *        and the p50 of the first and last quarter of the run (a backlog shows as growth)
 *   -F FILE  librdkafka properties, one key=value a line (`kshim config --client librdkafka`,
 *            kcat -F's form); -b still sets bootstrap.servers */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define IDLE_TIMEOUT_MS 60000

static const char *brokers, *topic, *conf_file;
static long count = 1000000, rate = 2000;
static int size = 100, partitions = 3, replicas = 3;
static double duration = 20, warmup = 3;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("kperf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
	char err[256];

	if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK)
		die("%s=%s: %s", k, v, err);
}

/* -F FILE: every "key=value" line; blank lines and '#' comments skipped. */
static void
set_file(rd_kafka_conf_t *conf, const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (!eq)
			die("%s: '%s' is not key=value", path, line);
		*eq = '\0';
		set(conf, line, eq + 1);
	}
	fclose(f);
}

static rd_kafka_conf_t *
base_conf(void)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();

	if (conf_file)
		set_file(conf, conf_file);
	set(conf, "bootstrap.servers", brokers);
	set(conf, "client.id", "kperf");
	if (getenv("KPERF_DEBUG"))
		set(conf, "debug", getenv("KPERF_DEBUG"));
	return conf;
}

static rd_kafka_t *
client(rd_kafka_type_t type, rd_kafka_conf_t *conf)
{
	char err[256];
	rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof(err));

	if (!rk)
		die("rd_kafka_new: %s", err);
	return rk;
}

/* 1 when every partition's leader answers a ListOffsets query: a new topic is in
 * the metadata before its leaders have loaded it, and a consumer that asks then
 * resets to auto.offset.reset. */
static int
leaders_answer(rd_kafka_t *rk, int n)
{
	for (int i = 0; i < n; i++) {
		int64_t lo, hi;
		if (rd_kafka_query_watermark_offsets(rk, topic, i, &lo, &hi, 5000) !=
		    RD_KAFKA_RESP_ERR_NO_ERROR)
			return 0;
	}
	return 1;
}

/* Number of partitions of topic, once each has a leader that serves it; dies
 * after timeout_ms. */
static int
wait_leaders(rd_kafka_t *rk, int timeout_ms)
{
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);

	for (;;) {
		const struct rd_kafka_metadata *md;
		int n = -1;

		if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
			if (md->topic_cnt == 1 && !md->topics[0].err &&
			    md->topics[0].partition_cnt > 0) {
				n = md->topics[0].partition_cnt;
				for (int i = 0; i < md->topics[0].partition_cnt; i++)
					if (md->topics[0].partitions[i].leader < 0 ||
					    md->topics[0].partitions[i].err)
						n = -1;
			}
			rd_kafka_metadata_destroy(md);
		}
		if (n > 0 && leaders_answer(rk, n)) {
			rd_kafka_topic_destroy(rkt);
			return n;
		}
		if (now_ns() > deadline)
			die("topic %s: no leader for every partition after %d ms", topic,
			    timeout_ms);
		usleep(200 * 1000);
	}
}

/* Creates the comma-separated topics of -t in one request; waits for their leaders. */
static int
cmd_create(void)
{
	rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, base_conf());
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	char err[256], *names = strdup(topic), *save = NULL;
	rd_kafka_NewTopic_t *nt[16];
	const char *list[16];
	rd_kafka_event_t *ev;
	const rd_kafka_CreateTopics_result_t *res;
	const rd_kafka_topic_result_t **tr;
	size_t n, k = 0;

	for (char *t = strtok_r(names, ",", &save); t && k < 16; t = strtok_r(NULL, ",", &save)) {
		list[k] = t;
		if (!(nt[k++] = rd_kafka_NewTopic_new(t, partitions, replicas, err, sizeof(err))))
			die("NewTopic: %s", err);
	}
	rd_kafka_CreateTopics(rk, nt, k, NULL, q);
	ev = rd_kafka_queue_poll(q, 60000);
	if (!ev)
		die("CreateTopics: no answer in 60 s");
	if (rd_kafka_event_error(ev))
		die("CreateTopics: %s", rd_kafka_event_error_string(ev));
	res = rd_kafka_event_CreateTopics_result(ev);
	tr = rd_kafka_CreateTopics_result_topics(res, &n);
	for (size_t i = 0; i < n; i++) {
		rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
		if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
			die("create %s: %s", rd_kafka_topic_result_name(tr[i]),
			    rd_kafka_topic_result_error_string(tr[i]));
	}
	rd_kafka_event_destroy(ev);
	for (size_t i = 0; i < k; i++) {
		rd_kafka_NewTopic_destroy(nt[i]);
		topic = list[i];
		printf("create topic=%s partitions=%d\n", topic, wait_leaders(rk, 60000));
	}
	rd_kafka_queue_destroy(q);
	rd_kafka_destroy(rk);
	free(names);
	return 0;
}

static atomic_long delivered, failed;

static void
on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	(void)opaque;
	if (m->err) {
		if (atomic_fetch_add(&failed, 1) == 0)
			fprintf(stderr, "kperf: delivery: %s\n", rd_kafka_err2str(m->err));
	} else {
		atomic_fetch_add(&delivered, 1);
	}
}

static rd_kafka_t *
producer(const char *linger, const char *inflight)
{
	rd_kafka_conf_t *conf = base_conf();

	set(conf, "acks", "all");
	if (linger)
		set(conf, "linger.ms", linger);
	if (inflight)
		set(conf, "max.in.flight.requests.per.connection", inflight);
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	return client(RD_KAFKA_PRODUCER, conf);
}

static void
produce1(rd_kafka_t *rk, void *payload, size_t len, int copy)
{
	for (;;) {
		rd_kafka_resp_err_t e = rd_kafka_producev(
		    rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(payload, len),
		    RD_KAFKA_V_MSGFLAGS(copy ? RD_KAFKA_MSG_F_COPY : 0), RD_KAFKA_V_END);
		if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
			return;
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			die("produce: %s", rd_kafka_err2str(e));
		rd_kafka_poll(rk, 10);
	}
}

static void
flush_all(rd_kafka_t *rk, long n)
{
	if (rd_kafka_flush(rk, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR)
		die("flush: %ld messages still queued after 120 s", (long)rd_kafka_outq_len(rk));
	if (atomic_load(&failed) || atomic_load(&delivered) != n)
		die("%ld of %ld messages delivered, %ld failed", atomic_load(&delivered), n,
		    atomic_load(&failed));
}

/* User + system seconds of the whole process so far, every thread. */
static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Call after the client is destroyed, so that cpu_s counts every thread it had;
 * path_cpu is the CPU time spent while the clock ran. */
static void
print_rate(const char *what, long n, int64_t ns, double path_cpu)
{
	double s = (double)ns / 1e9;

	printf("%s msgs=%ld size=%d secs=%.3f msgs_per_s=%.0f mb_per_s=%.3f cpu_s=%.4f "
	       "path_cpu_s=%.4f\n",
	       what, n, size, s, (double)n / s, (double)n * size / s / 1e6, cpu_s(), path_cpu);
}

static int
cmd_produce(void)
{
	rd_kafka_t *rk = producer(NULL, NULL);
	char *payload = malloc((size_t)size);
	int64_t t0;
	double c0;

	if (!payload)
		die("out of memory");
	memset(payload, 'k', (size_t)size);
	c0 = cpu_s();
	t0 = now_ns();
	for (long i = 0; i < count; i++) {
		produce1(rk, payload, (size_t)size, 0); /* the buffer outlives every message */
		if ((i & 1023) == 0)
			rd_kafka_poll(rk, 0);
	}
	flush_all(rk, count);
	t0 = now_ns() - t0;
	c0 = cpu_s() - c0;
	rd_kafka_destroy(rk);
	print_rate("produce", count, t0, c0);
	free(payload);
	return 0;
}

static rd_kafka_t *
consumer_from_start(void)
{
	rd_kafka_conf_t *conf = base_conf();
	char group[128];
	rd_kafka_topic_partition_list_t *parts;
	rd_kafka_t *rk;
	int n;

	snprintf(group, sizeof(group), "kperf-%d", (int)getpid());
	set(conf, "group.id", group);
	set(conf, "enable.auto.commit", "false");
	set(conf, "enable.auto.offset.store", "false");
	set(conf, "auto.offset.reset", "earliest");
	/* librdkafka 2.0 stops fetching a partition for a whole second once its queue
	 * holds queued.min.messages (100000): runs of a few 100000 messages then took
	 * 0.3, 1.1 or 2 s, by how many such pauses they hit. */
	set(conf, "queued.min.messages", "10000000");
	rk = client(RD_KAFKA_CONSUMER, conf);
	rd_kafka_poll_set_consumer(rk);
	n = wait_leaders(rk, 60000);
	parts = rd_kafka_topic_partition_list_new(n);
	for (int i = 0; i < n; i++)
		rd_kafka_topic_partition_list_add(parts, topic, i)->offset =
		    RD_KAFKA_OFFSET_BEGINNING;
	if (rd_kafka_assign(rk, parts) != RD_KAFKA_RESP_ERR_NO_ERROR)
		die("assign failed");
	rd_kafka_topic_partition_list_destroy(parts);
	return rk;
}

static void
close_consumer(rd_kafka_t *rk)
{
	rd_kafka_assign(rk, NULL);
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
}

static int
cmd_consume(void)
{
	rd_kafka_t *rk = consumer_from_start();
	double c0 = cpu_s();
	int64_t assigned = now_ns(), t0 = 0, last = assigned;
	long got = 0;

	while (got < count) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 1000);
		if (!m) {
			if ((now_ns() - last) / 1000000 > IDLE_TIMEOUT_MS)
				die("consumed %ld of %ld, then nothing for %d s", got, count,
				    IDLE_TIMEOUT_MS / 1000);
			continue;
		}
		if (!m->err) {
			last = now_ns();
			if (got++ == 0)
				t0 = last;
		} else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			fprintf(stderr, "kperf: consume: %s\n", rd_kafka_message_errstr(m));
		}
		rd_kafka_message_destroy(m);
	}
	c0 = cpu_s() - c0;
	close_consumer(rk);
	/* From the first message to the last: the wait for the first fetch (offset
	 * lookups, now and then a stall of most of a second) is start_ms. */
	printf("start_ms=%.1f ", (double)(t0 - assigned) / 1e6);
	print_rate("consume", got - 1, last - t0, c0);
	return 0;
}

/* The latency run: seq < skip are warm-up messages. */
struct lat {
	rd_kafka_t *rk;
	long total, skip;
	int64_t *ns; /* per measured message; 0 until received */
	atomic_long received;
	atomic_int stop;
};

struct stamp {
	int64_t sent_ns;
	int64_t seq;
};

static void *
lat_consume(void *arg)
{
	struct lat *l = arg;

	while (!atomic_load(&l->stop) && atomic_load(&l->received) < l->total) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(l->rk, 100);
		int64_t t = now_ns();
		struct stamp s;

		if (!m)
			continue;
		if (!m->err && m->len >= sizeof(s)) {
			memcpy(&s, m->payload, sizeof(s));
			if (s.seq >= 0 && s.seq < l->total) {
				if (s.seq >= l->skip && l->ns[s.seq - l->skip] == 0)
					l->ns[s.seq - l->skip] = t - s.sent_ns;
				atomic_fetch_add(&l->received, 1);
			}
		}
		rd_kafka_message_destroy(m);
	}
	return NULL;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static double
pct_ms(const int64_t *v, long n, double q)
{
	long k = (long)ceil(q * (double)n);

	if (k < 1)
		k = 1;
	return (double)v[k - 1] / 1e6;
}

static int
cmd_latency(void)
{
	struct lat l = {0};
	rd_kafka_t *rk;
	pthread_t t;
	int64_t t0, interval = 1000000000 / rate, wait_until;
	long measured, got = 0;
	double sum = 0;
	char *payload;

	if ((size_t)size < sizeof(struct stamp))
		size = (int)sizeof(struct stamp);
	l.skip = (long)(warmup * (double)rate);
	measured = (long)(duration * (double)rate);
	l.total = l.skip + measured;
	l.ns = calloc((size_t)measured, sizeof(*l.ns));
	payload = calloc(1, (size_t)size);
	if (!l.ns || !payload)
		die("out of memory");
	l.rk = consumer_from_start();
	/* At most 5 requests in flight, as the Java client and an idempotent librdkafka
	 * producer: when the brokers fall behind, batches grow instead of the queue of
	 * small requests, so the run measures the path rather than a growing backlog. */
	rk = producer(getenv("KPERF_LINGER"),
		      getenv("KPERF_INFLIGHT") ? getenv("KPERF_INFLIGHT") : "5");
	pthread_create(&t, NULL, lat_consume, &l);
	t0 = now_ns();
	for (long i = 0; i < l.total;) {
		int64_t now = now_ns(), due = t0 + i * interval;
		struct timespec ts;

		/* Catch up after a late wake-up, so the average rate stays exact. */
		for (; i < l.total && due <= now; i++, due += interval) {
			struct stamp s = {.sent_ns = now_ns(), .seq = i};
			memcpy(payload, &s, sizeof(s));
			produce1(rk, payload, (size_t)size, 1);
		}
		rd_kafka_poll(rk, 0);
		ts.tv_sec = due / 1000000000;
		ts.tv_nsec = due % 1000000000;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
	flush_all(rk, l.total);
	wait_until = now_ns() + 30 * (int64_t)1000000000;
	while (atomic_load(&l.received) < l.total && now_ns() < wait_until)
		usleep(10000);
	atomic_store(&l.stop, 1);
	pthread_join(t, NULL);
	for (long i = 0; i < measured; i++)
		if (l.ns[i] > 0) {
			l.ns[got++] = l.ns[i];
			sum += (double)l.ns[i];
		}
	if (got != measured)
		die("latency: received %ld of %ld measured messages", got, measured);
	/* The median of the first and of the last quarter of the run, in send order: when
	 * the brokers cannot keep up with RATE, the second grows far past the first. */
	long q = got / 4 > 0 ? got / 4 : 1;
	int64_t *part = malloc((size_t)q * sizeof(*part));
	double first, last;
	if (!part)
		die("out of memory");
	memcpy(part, l.ns, (size_t)q * sizeof(*part));
	qsort(part, (size_t)q, sizeof(*part), cmp_i64);
	first = pct_ms(part, q, 0.50);
	memcpy(part, l.ns + got - q, (size_t)q * sizeof(*part));
	qsort(part, (size_t)q, sizeof(*part), cmp_i64);
	last = pct_ms(part, q, 0.50);
	free(part);
	qsort(l.ns, (size_t)got, sizeof(*l.ns), cmp_i64);
	printf("latency rate=%ld msgs=%ld p50_ms=%.3f p99_ms=%.3f max_ms=%.3f mean_ms=%.3f "
	       "p50_first_quarter_ms=%.3f p50_last_quarter_ms=%.3f\n",
	       rate, got, pct_ms(l.ns, got, 0.50), pct_ms(l.ns, got, 0.99),
	       (double)l.ns[got - 1] / 1e6, sum / (double)got / 1e6, first, last);
	rd_kafka_destroy(rk);
	close_consumer(l.rk);
	free(l.ns);
	free(payload);
	return 0;
}

static void
usage(void)
{
	fputs("usage: kperf create|produce|consume|latency -b BROKERS -t TOPIC [-n COUNT] "
	      "[-s SIZE] [-p PARTITIONS] [-R REPLICAS] [-r RATE] [-d SECONDS] [-w WARMUP] "
	      "[-F FILE]\n",
	      stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *cmd;
	int opt;

	if (argc < 2)
		usage();
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "b:t:n:s:p:R:r:d:w:F:")) != -1) {
		switch (opt) {
		case 'b':
			brokers = optarg;
			break;
		case 't':
			topic = optarg;
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 's':
			size = atoi(optarg);
			break;
		case 'p':
			partitions = atoi(optarg);
			break;
		case 'R':
			replicas = atoi(optarg);
			break;
		case 'r':
			rate = atol(optarg);
			break;
		case 'd':
			duration = atof(optarg);
			break;
		case 'w':
			warmup = atof(optarg);
			break;
		case 'F':
			conf_file = optarg;
			break;
		default:
			usage();
		}
	}
	if (!brokers || !topic || count < 1 || size < 1 || rate < 1 || rate > 1000000 ||
	    duration <= 0 || warmup < 0)
		usage();
	if (strcmp(cmd, "create") == 0)
		return cmd_create();
	if (strcmp(cmd, "produce") == 0)
		return cmd_produce();
	if (strcmp(cmd, "consume") == 0)
		return cmd_consume();
	if (strcmp(cmd, "latency") == 0)
		return cmd_latency();
	usage();
}
