/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the probe from inside a SCRAM cluster's network
 * (launcher/lib/ready.c): kafka-broker-api-versions.sh's output read as a
 * listing of brokers, and which probes go inside. */
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "check.h"
#include "lib/ready.h"

static const char three[] =
    "kafka2:9092 (id: 2 rack: null isFenced: false) -> (\n"
    "\tProduce(0): 3 to 13 [usable: 13],\n"
    "\tFetch(1): 4 to 18 [usable: 18],\n"
    ")\n"
    "kafka1:9092 (id: 1 rack: null isFenced: false) -> (\n"
    "\tProduce(0): 3 to 13 [usable: 13],\n"
    ")\n"
    "kafka3:9092 (id: 3 rack: null) -> ERROR: org.apache.kafka.common.errors.DisconnectException\n"
    "[2026-12-03 14:00:00,000] WARN something (org.apache.kafka.clients.NetworkClient)\n";

static void
test_parse(void)
{
	struct ready_listing l;
	struct cluster c;
	kshim_err_t err = {0};

	ready_parse_listing(three, &l);
	CHECK(l.n == 3, "three brokers listed (got %d)", l.n);
	CHECK(l.b[0].id == 2 && strcmp(l.b[0].host, "kafka2") == 0 && l.b[0].port == 9092 &&
		  l.b[0].answers,
	      "  ... kafka2:9092, id 2, answering");
	CHECK(l.b[2].id == 3 && !l.b[2].answers, "  ... kafka3 listed, not answering (ERROR)");
	CHECK(cluster_init(&c, "t", "img", FLAVOR_APACHE, ADVERTISE_INTERNAL, 3, &err) == 0 &&
		  ready_listed_as_expected(&c, &l.b[0]) && ready_listed_as_expected(&c, &l.b[2]),
	      "  ... advertised as kshim set them up");
	ready_parse_listing("Exception in thread main\n(id: 1)\n:9092 (id: x) -> (\n", &l);
	CHECK(l.n == 0, "lines that name no broker are not brokers");
	ready_parse_listing("", &l);
	CHECK(l.n == 0, "no output: no broker");
	c.sasl = SASL_SCRAM;
	CHECK(ready_inside(&c) == (rd_kafka_version() < 0x02060100),
	      "SCRAM is probed inside with librdkafka %s", ready_librdkafka());
	c.sasl = SASL_PLAIN;
	CHECK(!ready_inside(&c), "PLAIN never is");
}

int
main(void)
{
	test_parse();
	return check_done();
}
