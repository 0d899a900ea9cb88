#!/usr/bin/env bash
# Secrets of a SCRAM cluster on the wire and on the engine's host: the password
# is in no process's command line in the broker's container while up formats
# its storage and starts it.
# needs: docker root
. "$(dirname "$0")/lib.sh"
IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
N=sec$$
work=$(mktemp -d)
cleanup() {
	"$KSHIM" down --name "$N" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# Every command line in kafka1's container, every 0.2 s while up runs.
"$KSHIM" up --name "$N" -n 1 --image "$IMAGE" --sasl scram-sha-512 --timeout 240 >"$work/up.out" 2>&1 &
up=$!
while kill -0 "$up" 2>/dev/null; do
	docker exec "$N-kafka1" sh -c 'for f in /proc/[0-9]*/cmdline; do tr "\0" " " <"$f"; echo; done' \
		>>"$work/cmdlines" 2>/dev/null
	sleep 0.2
done
wait "$up"; rc=$?
expect_eq "up --sasl scram-sha-512 succeeds" "$rc" 0
password=$(sed -n 's/^password=//p' "$KSHIM_HOME/$N.secrets/credentials")
expect_match "the format step was seen running" "kafka.tools.StorageTool|java .* @/etc/kafka/secrets/format.args" \
	"$(sort -u "$work/cmdlines" | grep -v '^sh -c for f')"
expect_eq "the SCRAM password is in none of the $(sort -u "$work/cmdlines" | grep -c .) command lines seen" \
	"$(grep -c -- "${password:-no password read}" "$work/cmdlines")" 0
"$KSHIM" config --name "$N" --client java | docker exec -i "$N-kafka1" sh -c 'cat >/tmp/client.properties'
out=$(docker exec "$N-kafka1" kafka-producer-perf-test.sh --topic t1 --num-records 1000 \
	--record-size 100 --throughput -1 --producer.config /tmp/client.properties 2>&1 | tail -n 1)
expect_match "  ... and the user it formatted with signs in (Java, SCRAM-SHA-512): 1000 records sent" \
	"^1000 records sent" "$out"
finish
