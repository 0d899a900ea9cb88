#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Secrets of a SCRAM cluster on the wire and on the engine's host: the password
# is in no command line of a process in a container while up formats the
# broker's storage and starts it; EXTERNAL takes SCRAM-SHA-512 and nothing
# else (no PLAIN user of kshim's own), and no secret of the cluster crosses
# the wire in the clear while up, status and doctor probe the brokers: neither
# on this host's loopback (the published ports) nor in the broker's network
# namespace, where the probes of a librdkafka without SCRAM sign in from inside.
# needs: docker root
. "$(dirname "$0")/lib.sh"
IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
N=sec$$
work=$(mktemp -d)
cleanup() {
	[ -z "${sniffer:-}" ] || kill "$sniffer" 2>/dev/null
	[ -z "${nsniffer:-}" ] || kill "$nsniffer" 2>/dev/null
	[ -z "${recorder:-}" ] || kill "$recorder" 2>/dev/null
	"$KSHIM" down --name "$N" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# Everything on loopback from before up until after status.
python3 "$TOP/tests/helpers/sniff.py" "$work/lo.pcap" lo >"$work/sniff.out" &
sniffer=$!
for _ in $(seq 50); do [ -s "$work/sniff.out" ] && break; sleep 0.1; done
# Every command line in a container, from the host's /proc, until after
# doctor; and every packet in kafka1's network namespace from when it has one
# (long before its listener takes a connection) until after doctor.
python3 "$TOP/tests/helpers/cmdlines.py" "$work/cmdlines" >"$work/recorder.out" &
recorder=$!
for _ in $(seq 50); do [ -s "$work/recorder.out" ] && break; sleep 0.1; done
"$KSHIM" up --name "$N" -n 1 --image "$IMAGE" --sasl scram-sha-512 --timeout 600 >"$work/up.out" 2>&1 &
up=$!
nsniffer=
while kill -0 "$up" 2>/dev/null; do
	pid=$(docker inspect -f '{{.State.Pid}}' "$N-kafka1" 2>/dev/null)
	if [ -z "$nsniffer" ] && [ "${pid:-0}" != 0 ]; then
		nsenter -t "$pid" -n python3 "$TOP/tests/helpers/sniff.py" "$work/ns.pcap" >"$work/nsniff.out" &
		nsniffer=$!
	fi
	sleep 0.2
done
wait "$up"; rc=$?
expect_eq "up --sasl scram-sha-512 succeeds" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/    # /' "$work/up.out"
status=$("$KSHIM" status --name "$N" 2>&1)
expect_match "status: kafka1 answers, listing 1 broker" "^kafka1 .* ok +ok, 1 brokers$" "$status"
doctor=$("$KSHIM" doctor --name "$N" 2>&1)
expect_match "doctor: the kafka layer passes, inside the network" "^ *[0-9]+ kafka +ok .*inside the network" "$doctor"
kill "$sniffer" "$recorder"; wait "$sniffer" "$recorder" 2>/dev/null; sniffer= recorder=
[ -z "$nsniffer" ] || { kill "$nsniffer"; wait "$nsniffer" 2>/dev/null; }
nsniffer=
password=$(sed -n 's/^password=//p' "$KSHIM_HOME/$N.secrets/credentials")

expect_match "the format step was seen running" "kafka.tools.StorageTool|java .* @/etc/kafka/secrets/format.args" \
	"$(sort -u "$work/cmdlines")"
expect_eq "the SCRAM password is in none of the $(sort -u "$work/cmdlines" | grep -c .) command lines seen" \
	"$(grep -c -- "${password:-no password read}" "$work/cmdlines")" 0

expect_eq "EXTERNAL enables SCRAM-SHA-512 alone" \
	"$(docker inspect "$N-kafka1" --format '{{range .Config.Env}}{{println .}}{{end}}' | grep EXTERNAL_SASL_ENABLED)" \
	"KAFKA_LISTENER_NAME_EXTERNAL_SASL_ENABLED_MECHANISMS=SCRAM-SHA-512"
expect_eq "the secrets hold no password of a user of kshim's own" \
	"$(ls "$KSHIM_HOME/$N.secrets" | tr '\n' ' ')" "credentials "
out=$("$KSHIM" run --name "$N" -- kcat -b kafka1:9092 -X security.protocol=SASL_PLAINTEXT -X sasl.mechanism=PLAIN \
	-X sasl.username=kshim -X "sasl.password=$password" -L -m 10 2>&1)
expect_match "PLAIN with the right password is refused: the broker does not offer it" \
	"Unsupported SASL mechanism: broker's supported mechanisms: SCRAM-SHA-512 " "$out"
sent=$(wc -c <"$work/lo.pcap")
secrets=$(cat "$KSHIM_HOME/$N.secrets/"* | sed -n 's/^password=//p')
leaks=0
for s in $secrets; do leaks=$((leaks + $(grep -c -a -- "$s" "$work/lo.pcap"))); done
expect_eq "no password of the cluster in the $sent bytes that crossed loopback during up, status and doctor" "$leaks" 0
# Inside kafka1's network namespace: the probes' sign-ins are there (SCRAM
# client-first messages, "n,,n=<user>,r=<nonce>"), and neither a PLAIN
# handshake (its mechanism's name as a Kafka string, length 5) nor a password.
grep -qx ready "$work/nsniff.out" 2>/dev/null
check "a capture ran in kafka1's network namespace from its start" test $? = 0
read -r bytes scram plain nsleaks < <(python3 - "$work/ns.pcap" $secrets <<'PY'
import sys
data = open(sys.argv[1], "rb").read() if len(sys.argv) > 1 else b""
print(len(data), data.count(b"n,,n="), data.count(b"\x00\x05PLAIN"),
      sum(data.count(p.encode()) for p in sys.argv[2:]))
PY
)
check "  ... it holds the probes' SCRAM sign-ins ($scram client-first messages in $bytes bytes)" test "${scram:-0}" -gt 0
expect_eq "  ... no PLAIN handshake in it" "${plain:-x}" 0
expect_eq "  ... and no password of the cluster" "${nsleaks:-x}" 0
expect_match "up says how it probed, and why" "librdkafka [0-9.]+ cannot sign in with SCRAM" "$(cat "$work/up.out")"

"$KSHIM" config --name "$N" --client java | docker exec -i "$N-kafka1" sh -c 'cat >/tmp/client.properties'
out=$(docker exec "$N-kafka1" kafka-producer-perf-test.sh --topic t1 --num-records 1000 \
	--record-size 100 --throughput -1 --producer.config /tmp/client.properties 2>&1 | tail -n 1)
expect_match "the user it formatted with signs in (Java, SCRAM-SHA-512): 1000 records sent" \
	"^1000 records sent" "$out"
finish
