#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A cluster kshim did not create (made here with plain
# `docker run`, laid out as docker compose would: project network, containers
# <project>-kafkaN-1 with the service name as network alias, default hostnames)
# is attached with `kshim attach`; kcat then lists and consumes through
# `kshim run`, and through `eval "$(kshim env)"` without kshim run.
. "$(dirname "$0")/lib.sh"
IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
proj=att$$
net=${proj}_default
label=io.kshim.test=$proj
cleanup() {
	docker rm -fv $(docker ps -aq --filter "label=$label") >/dev/null 2>&1
	docker network rm "$net" >/dev/null 2>&1
	rm -rf "$KSHIM_HOME"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

docker network create --label "$label" "$net" >/dev/null || { notok "create network $net"; finish; }
cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
for i in 1 2 3; do
	cat >"$KSHIM_HOME/env$i" <<ENV
CLUSTER_ID=$cluster_id
KAFKA_NODE_ID=$i
KAFKA_PROCESS_ROLES=broker,controller
KAFKA_CONTROLLER_QUORUM_VOTERS=1@kafka1:9093,2@kafka2:9093,3@kafka3:9093
KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER
KAFKA_LISTENERS=PLAINTEXT://:9092,CONTROLLER://:9093
KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://kafka$i:9092
KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
KAFKA_INTER_BROKER_LISTENER_NAME=PLAINTEXT
KAFKA_LOG_DIRS=/var/lib/kafka/data
KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=3
KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0
ENV
	docker create --name "$proj-kafka$i-1" --label "$label" --network "$net" --network-alias "kafka$i" \
		-p 127.0.0.1::9092 --env-file "$KSHIM_HOME/env$i" "$IMAGE" >/dev/null ||
		notok "docker create kafka$i"
done
docker start "$proj-kafka1-1" "$proj-kafka2-1" "$proj-kafka3-1" >/dev/null || notok "docker start"

out=$("$KSHIM" attach --network "$net" --name "$proj" 2>&1); rc=$?
expect_eq "kshim attach exits 0" "$rc" 0
table=$KSHIM_HOME/$proj.table
tab=$(cat "$table" 2>/dev/null)
for i in 1 2 3; do
	port=$(docker port "$proj-kafka$i-1" 9092/tcp | head -n 1 | cut -d: -f2)
	expect_match "table maps kafka$i (alias) and $proj-kafka$i-1 (container name) to its published port $port" \
		"(^|,)kafka$i(,|.*,)$proj-kafka$i-1.*9092=127\.0\.0\.1:$port|(^|,)$proj-kafka$i-1,.*kafka$i.*9092=127\.0\.0\.1:$port" "$tab"
done
expect_eq "table mode is 0600" "$(stat -c %a "$table")" 600

list() { "$KSHIM" run --name "$proj" -- kcat -b kafka1:9092 -L -m 5 2>/dev/null | grep -c '^  broker [123] at kafka[123]:9092'; }
for _ in $(seq 120); do [ "$(list)" = 3 ] && break; sleep 1; done
expect_eq "kshim run -- kcat -b kafka1:9092 -L lists kafka1..3" "$(list)" 3

topic=attach-$$
seq 1 1000 | "$KSHIM" run --name "$proj" -- kcat -b kafka1:9092 -P -t "$topic" -X acks=all \
	-X topic.metadata.refresh.interval.ms=1000 2>"$KSHIM_HOME/produce.err" ||
	notok "produce 1000 messages: $(head -n 3 "$KSHIM_HOME/produce.err")"
got=$("$KSHIM" run --name "$proj" -- kcat -b kafka2:9092 -C -t "$topic" -o beginning -e -q 2>/dev/null)
expect_eq "1000 produced, 1000 consumed through kshim run" "$(printf '%s\n' "$got" | grep -c .)" 1000
expect_eq "  ... each exactly once" "$(printf '%s\n' "$got" | sort -n | uniq | awk '{s+=$1} END {print NR, s}')" "1000 500500"

# kshim env: the same without kshim run, for every command of a shell.
env_out=$("$KSHIM" env --name "$proj")
expect_match "kshim env prints export lines" "^export LD_PRELOAD='.*libkshim\.so'$" "$env_out"
n=$(bash -c "eval \"\$1\"; kcat -b kafka3:9092 -L -m 5 | grep -c '^  broker [123] at kafka[123]:9092'" _ "$env_out" 2>/dev/null)
expect_eq "after eval \"\$(kshim env)\", plain kcat -b kafka3:9092 -L lists kafka1..3" "$n" 3
n=$(env -u LD_PRELOAD kcat -b kafka3:9092 -L -m 5 2>/dev/null | grep -c '^  broker')
expect_eq "without it, kcat -b kafka3:9092 -L finds no broker" "$n" 0

# An attached cluster is a cluster: status reports on it, down forgets it only.
out=$("$KSHIM" status --name "$proj"); rc=$?
expect_eq "kshim status on the attached network exits 0" "$rc" 0
expect_eq "  ... 3 nodes running, each answering Kafka with 3 brokers" \
	"$(grep -cE ' running +127\.0\.0\.1:[0-9]+ +ok +ok, 3 brokers' <<<"$out")" 3
out=$("$KSHIM" down --name "$proj")
expect_eq "kshim down forgets the attached cluster" "$out" \
	"cluster '$proj': removed the table; network $net and its containers are left as they are"
expect_eq "  ... its 3 containers still run" "$(docker ps -q --filter "label=$label" | wc -l)" 3
expect_eq "  ... the table is gone" "$(ls "$KSHIM_HOME" | grep -cE "^$proj\.(table|attached)$")" 0

out=$("$KSHIM" attach --network "$proj-nonexistent" 2>&1); rc=$?
expect_eq "attach to a missing network fails" "$rc" 1
expect_match "  ... naming it" "no network '$proj-nonexistent'" "$out"
finish
