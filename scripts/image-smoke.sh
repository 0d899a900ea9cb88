#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Smoke test of kshim/kafka:local: a real 3-node KRaft cluster (combined broker+controller) on a
# user-defined Docker network, reachable by the names kafka1..3 inside it and through ports
# published on 127.0.0.1 from the host.
#
# Usage: scripts/image-smoke.sh            (builds the image first if needed: scripts/kafka-image.sh)
# Environment: KSHIM_KAFKA_IMAGE (default kshim/kafka:local), KSHIM_SMOKE_TIMEOUT (default 180 s),
#              KSHIM_SMOKE_KEEP=1 keeps the cluster running (no clean-up) for debugging.
# Checks: every broker logs "Transitioning from RECOVERY to RUNNING"; kcat from the host through each
# published port lists 3 brokers advertised as kafka1..3:9092; from a client container on the same
# network: kcat -L by name, kafka-topics.sh creates a topic with RF 3, all partitions get ISR 3,
# and a record produced with kcat is consumed back.
set -euo pipefail

IMAGE=${KSHIM_KAFKA_IMAGE:-kshim/kafka:local}
TIMEOUT=${KSHIM_SMOKE_TIMEOUT:-180}
N=3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN_ID=kshim-smoke-$$
NET=$RUN_ID
LABEL=kshim.test=$RUN_ID
T0=$EPOCHREALTIME

el() { awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $T0}"; }
log() { echo "image-smoke: [$(el)s] $*" >&2; }
die() {
  echo "image-smoke: FAIL: $1" >&2
  [[ -n ${2:-} ]] && echo "image-smoke: hint: $2" >&2
  exit 1
}

cleanup() {
  local rc=$?
  if [[ ${KSHIM_SMOKE_KEEP:-0} == 1 ]]; then
    log "KSHIM_SMOKE_KEEP=1: leaving containers (label $LABEL) and network $NET"
    return
  fi
  if [[ $rc -ne 0 ]]; then
    for i in $(seq 1 $N); do
      echo "---- last log lines of kafka$i ($RUN_ID-kafka$i) ----" >&2
      docker logs --tail 15 "$RUN_ID-kafka$i" 2>&1 | sed 's/^/  /' >&2 || true
    done
  fi
  local ids
  ids=$(docker ps -aq --filter "label=$LABEL" 2>/dev/null || true)
  [[ -n $ids ]] && docker rm -fv $ids >/dev/null 2>&1 || true
  docker network rm "$NET" >/dev/null 2>&1 || true
  log "cleaned up (containers with label $LABEL, network $NET)"
}

command -v kcat >/dev/null || die "kcat not found on the host" "run scripts/deps.sh"
"$HERE/dockerd.sh" || die "no Docker engine" "scripts/dockerd.sh; tail -50 /var/log/kshim-dockerd.log"
"$HERE/kafka-image.sh" || die "could not build $IMAGE" "scripts/kafka-image.sh --force"
T0=$EPOCHREALTIME   # timings below are for the cluster only
trap cleanup EXIT
trap 'exit 130' INT TERM

CLUSTER_ID=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
VOTERS=$(for i in $(seq 1 $N); do printf '%d@kafka%d:9093\n' "$i" "$i"; done | paste -sd,)
RF=$(( N < 3 ? N : 3 )); MINISR=$(( N < 2 ? N : 2 ))

docker network create --driver bridge --label "$LABEL" "$NET" >/dev/null \
  || die "cannot create network $NET" "scripts/dockerd.sh --verify"

# Create every container first, then start them back to back (avoids voter DNS races).
for i in $(seq 1 $N); do
  docker create --name "$RUN_ID-kafka$i" --hostname "kafka$i" --label "$LABEL" \
    --network "$NET" --network-alias "kafka$i" -p 127.0.0.1::9092 \
    -e CLUSTER_ID="$CLUSTER_ID" \
    -e KAFKA_NODE_ID="$i" \
    -e KAFKA_PROCESS_ROLES=broker,controller \
    -e KAFKA_CONTROLLER_QUORUM_VOTERS="$VOTERS" \
    -e KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER \
    -e KAFKA_LISTENERS=PLAINTEXT://:9092,CONTROLLER://:9093 \
    -e KAFKA_ADVERTISED_LISTENERS="PLAINTEXT://kafka$i:9092" \
    -e KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT \
    -e KAFKA_INTER_BROKER_LISTENER_NAME=PLAINTEXT \
    -e KAFKA_LOG_DIRS=/var/lib/kafka/data \
    -e KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR="$RF" \
    -e KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR="$RF" \
    -e KAFKA_TRANSACTION_STATE_LOG_MIN_ISR="$MINISR" \
    -e KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0 \
    "$IMAGE" >/dev/null || die "docker create kafka$i failed"
done
log "created $N containers (cluster id $CLUSTER_ID, network $NET)"
for i in $(seq 1 $N); do
  docker start "$RUN_ID-kafka$i" >/dev/null || die "docker start kafka$i failed"
done
T_START=$(el)
log "started $N containers"

declare -A PORT=()
for i in $(seq 1 $N); do
  PORT[$i]=$(docker port "$RUN_ID-kafka$i" 9092/tcp | grep -m1 '^127\.0\.0\.1:' | cut -d: -f2)
  [[ ${PORT[$i]} =~ ^[0-9]+$ ]] || die "kafka$i has no published 9092 port on 127.0.0.1" "docker port $RUN_ID-kafka$i"
done
log "published ports: $(for i in $(seq 1 $N); do printf 'kafka%d=127.0.0.1:%s ' "$i" "${PORT[$i]}"; done)"

# ---- wait for every broker to be unfenced ---------------------------------------------------------
READY_LINE='Transitioning from RECOVERY to RUNNING'
declare -A UP=()
deadline=$((SECONDS + TIMEOUT))
while :; do
  for i in $(seq 1 $N); do
    [[ -n ${UP[$i]:-} ]] && continue
    c=$RUN_ID-kafka$i
    state=$(docker inspect -f '{{.State.Running}} {{.State.ExitCode}} {{.State.OOMKilled}}' "$c")
    if [[ $state != true* ]]; then
      die "kafka$i stopped (running exit-code oom-killed: $state)" "docker logs $c"
    fi
    if docker logs "$c" 2>&1 | grep -q "$READY_LINE"; then
      UP[$i]=$(el); log "kafka$i: RUNNING"
    fi
  done
  (( ${#UP[@]} == N )) && break
  (( SECONDS < deadline )) || die "not every broker reached RUNNING within ${TIMEOUT}s (up: ${!UP[*]})" \
    "look for UnknownHostException / cluster id mismatch in the logs below"
  sleep 0.5
done
T_RUNNING=$(el)

# ---- metadata through each published port from the host ------------------------------------------
for i in $(seq 1 $N); do
  md=""
  for _ in $(seq 1 30); do
    md=$(kcat -b "127.0.0.1:${PORT[$i]}" -L -m 5 2>/dev/null || true)
    [[ $(grep -c '^  broker [0-9]* at kafka[0-9]*:9092' <<<"$md") -eq $N ]] && break
    sleep 1
  done
  for j in $(seq 1 $N); do
    grep -q "^  broker $j at kafka$j:9092" <<<"$md" \
      || die "metadata via 127.0.0.1:${PORT[$i]} does not list broker $j at kafka$j:9092: $(tr '\n' ' ' <<<"$md")" \
             "check KAFKA_ADVERTISED_LISTENERS and that the published port maps to 9092"
  done
done
T_META=$(el)
log "host: metadata via every published port lists $N brokers (kafka1..$N:9092)"

# ---- inside the network: name resolution, topic with RF 3, produce/consume ------------------------
in_net() { docker run --rm --network "$NET" --label "$LABEL" "$IMAGE" "$@" </dev/null; }
in_net_stdin() { docker run --rm -i --network "$NET" --label "$LABEL" "$IMAGE" "$@"; }
md=$(in_net kcat -b kafka2:9092 -L -m 10 2>&1) || die "kcat -L inside the network failed: $md"
[[ $(grep -c '^  broker [0-9]* at kafka[0-9]*:9092' <<<"$md") -eq $N ]] \
  || die "kcat -L by name inside the network does not list $N brokers: $(tr '\n' ' ' <<<"$md")"
log "network: kcat -b kafka2:9092 -L lists $N brokers"

TOPIC=smoke-rf3
out=$(in_net kafka-topics.sh --bootstrap-server kafka1:9092,kafka2:9092,kafka3:9092 --create --topic "$TOPIC" \
        --partitions 3 --replication-factor "$RF" 2>&1) || die "topic creation failed: $out"
log "network: $out"
isr_ok=0
for _ in $(seq 1 30); do
  desc=$(in_net kafka-topics.sh --bootstrap-server kafka3:9092 --describe --topic "$TOPIC" 2>&1 || true)
  good=$(awk -v n="$RF" '/Partition: [0-9]/ { for (k = 1; k <= NF; k++) if ($k == "Isr:") { if (split($(k+1), a, ",") == n) c++ } } END { print c + 0 }' <<<"$desc")
  if [[ $good -eq 3 ]]; then isr_ok=1; break; fi
  sleep 1
done
(( isr_ok )) || die "topic $TOPIC does not have ISR=$RF on all partitions: $(tr '\n' ' ' <<<"$desc")"
log "network: $TOPIC has 3 partitions with ISR=$RF"

msg="hello-from-$RUN_ID"
echo "$msg" | in_net_stdin kcat -b kafka1:9092 -P -t "$TOPIC" -p 0 -X acks=all 2>&1 || die "kcat produce failed"
got=$(in_net kcat -b kafka3:9092 -C -t "$TOPIC" -p 0 -o beginning -c 1 -e -q 2>&1 || true)
[[ $got == "$msg" ]] || die "consumed '$got', expected '$msg'"
log "network: produced and consumed a record on $TOPIC"

echo "image-smoke: PASS  started ${T_START}s, all RUNNING ${T_RUNNING}s, host metadata ${T_META}s, total $(el)s (from create)" >&2
