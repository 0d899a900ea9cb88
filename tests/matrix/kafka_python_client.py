#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# The kafka-python (Debian python3-kafka, pure Python) client of the compatibility matrix.
# Knows nothing about kshim. Same contract as my_client.c:
#   /usr/bin/python3 kafka_python_client.py BOOTSTRAP TOPIC N RUNID SECONDS
# stdout: "PRODUCED <acked>", then "M\t<partition>\t<offset>\t<key>\t<value>" per record read
# back from the beginning of every partition (assign, no group), then "DONE".
# MATRIX_CLIENT_CONFIG, when set, names kafka-python's keyword arguments as JSON (kshim config
# --client python) for TLS and SASL.
import json
import logging
import os
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition


def security():
    """The keyword arguments of MATRIX_CLIENT_CONFIG, less the bootstrap servers."""
    path = os.environ.get("MATRIX_CLIENT_CONFIG")
    kw = json.load(open(path)) if path else {}
    kw.pop("bootstrap_servers", None)
    return kw


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: kafka_python_client.py BOOTSTRAP TOPIC N RUNID SECONDS")
    bootstrap, topic, n, runid, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    # kafka-python reports connection failures through logging (WARNING/ERROR): keep them on stderr.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="kafka_python_client: %(levelname)s %(name)s: %(message)s")
    deadline = time.monotonic() + secs
    half_ms = secs * 500
    p = KafkaProducer(bootstrap_servers=bootstrap.split(","), acks="all", linger_ms=5,
                      request_timeout_ms=half_ms, max_block_ms=half_ms, **security())
    futures = []
    try:
        for i in range(n):
            futures.append(p.send(topic, key=b"k%d" % i, value=("%s:%d" % (runid, i)).encode()))
    except Exception as e:
        print("kafka_python_client: send: %r" % e, file=sys.stderr)
    p.flush(timeout=secs * 0.5 + 2)
    acked = 0
    first_err = None
    for f in futures:
        try:
            f.get(timeout=max(0.01, deadline - time.monotonic()))
            acked += 1
        except Exception as e:
            first_err = first_err or e
    if first_err is not None:
        print("kafka_python_client: delivery failed: %r" % first_err, file=sys.stderr)
    p.close(timeout=2)
    print("PRODUCED %d" % acked, flush=True)
    if acked == 0:
        print("DONE")
        return

    c = KafkaConsumer(bootstrap_servers=bootstrap.split(","), enable_auto_commit=False,
                      group_id=None, request_timeout_ms=max(half_ms, 11000), **security())
    parts = None
    while parts is None and time.monotonic() < deadline:
        parts = c.partitions_for_topic(topic)
        if not parts:
            parts = None
            time.sleep(0.2)
    if parts is None:
        print("kafka_python_client: no metadata for %s before the deadline" % topic, file=sys.stderr)
        sys.exit(1)
    tps = [TopicPartition(topic, q) for q in sorted(parts)]
    c.assign(tps)
    c.seek_to_beginning(*tps)
    end = c.end_offsets(tps)
    out = []
    while time.monotonic() < deadline and any(c.position(tp) < end[tp] for tp in tps):
        for tp, msgs in c.poll(timeout_ms=200).items():
            for m in msgs:
                out.append("M\t%d\t%d\t%s\t%s" % (m.partition, m.offset, m.key.decode(), m.value.decode()))
    left = [tp.partition for tp in tps if c.position(tp) < end[tp]]
    if left:
        print("kafka_python_client: deadline: partitions %s not read to the end" % left, file=sys.stderr)
    c.close()
    print("\n".join(out))
    print("DONE")


main()
