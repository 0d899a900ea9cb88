#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# The confluent-kafka (Debian python3-confluent-kafka, librdkafka underneath) client of the
# compatibility matrix. Knows nothing about kshim. Same contract as my_client.c:
#   /usr/bin/python3 confluent_client.py BOOTSTRAP TOPIC N RUNID SECONDS
# stdout: "PRODUCED <acked>", then "M\t<partition>\t<offset>\t<key>\t<value>" per record read
# back from the beginning of every partition (assign, no group), then "DONE".
# MATRIX_CLIENT_CONFIG, when set, names librdkafka properties (kshim config) for TLS and SASL.
import os
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition, OFFSET_BEGINNING


def security():
    """The settings of MATRIX_CLIENT_CONFIG, less the bootstrap string the command line gives."""
    conf = {}
    path = os.environ.get("MATRIX_CLIENT_CONFIG")
    for line in open(path) if path else []:
        line = line.strip()
        if line and not line.startswith("#"):
            k, v = line.split("=", 1)
            conf[k] = v
    conf.pop("bootstrap.servers", None)
    return conf


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: confluent_client.py BOOTSTRAP TOPIC N RUNID SECONDS")
    bootstrap, topic, n, runid, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    deadline = time.monotonic() + secs
    acked = [0]
    failed = [0]

    def on_delivery(err, msg):
        if err is None:
            acked[0] += 1
        else:
            failed[0] += 1
            if failed[0] == 1:
                print("confluent_client: delivery failed: %s" % err, file=sys.stderr)

    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                  "message.timeout.ms": secs * 500, **security()})
    for i in range(n):
        while True:
            try:
                p.produce(topic, key=b"k%d" % i, value=("%s:%d" % (runid, i)).encode(), on_delivery=on_delivery)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
    p.flush(secs * 0.5 + 2)
    print("PRODUCED %d" % acked[0], flush=True)
    if acked[0] == 0:
        print("DONE")
        return

    c = Consumer({"bootstrap.servers": bootstrap, "group.id": runid + "-confluent",
                  "enable.auto.commit": False, "enable.partition.eof": True, **security()})
    parts = None
    while parts is None and time.monotonic() < deadline:
        try:
            md = c.list_topics(topic, timeout=5)
            t = md.topics.get(topic)
            if t is not None and t.error is None and t.partitions:
                parts = sorted(t.partitions)
        except Exception as e:  # KafkaException on timeout
            print("confluent_client: metadata: %s" % e, file=sys.stderr)
            time.sleep(0.2)
    if parts is None:
        print("confluent_client: no metadata for %s before the deadline" % topic, file=sys.stderr)
        sys.exit(1)
    c.assign([TopicPartition(topic, q, OFFSET_BEGINNING) for q in parts])
    eof = set()
    out = []
    while len(eof) < len(parts) and time.monotonic() < deadline:
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                eof.add(m.partition())
            else:
                print("confluent_client: consume: %s" % m.error(), file=sys.stderr)
            continue
        out.append("M\t%d\t%d\t%s\t%s" % (m.partition(), m.offset(), m.key().decode(), m.value().decode()))
    c.close()
    if len(eof) < len(parts):
        print("confluent_client: deadline: end of %d of %d partitions reached" % (len(eof), len(parts)),
              file=sys.stderr)
    print("\n".join(out))
    print("DONE")


main()
