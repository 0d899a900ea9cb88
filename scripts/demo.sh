#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make demo: the main job on a fresh machine. Installs what is missing, starts
# dockerd, builds the image, runs `kshim up -n 3`, then produces and consumes
# from the host with plain kcat through `kshim run -b kafka1:9092`.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
KSHIM=$TOP/build/kshim
export KSHIM_IMAGE=${KSHIM_IMAGE:-kshim/kafka:local}
N=${DEMO_MESSAGES:-1000}
# The demo's engine is the Docker that scripts/dockerd.sh starts, named on each command that
# uses it (never an inherited DOCKER_HOST).
ENGINE=unix:///var/run/docker.sock
step() { printf '\n== %s\n' "$*"; }

step "dependencies, Docker daemon, Kafka image"
bash scripts/deps.sh
bash scripts/dockerd.sh
DOCKER_HOST=$ENGINE bash scripts/kafka-image.sh
make -s all

step "kshim up -n 3 (a running demo cluster is replaced)"
DOCKER_HOST=$ENGINE "$KSHIM" down --name demo >/dev/null
DOCKER_HOST=$ENGINE "$KSHIM" up -n 3 --name demo

step "without kshim: the host cannot follow the advertised names"
port=$("$KSHIM" table --name demo | awk '$1 == "kafka1" {split($3, a, ":"); print a[2]}')
echo "\$ kcat -b 127.0.0.1:$port -L   (the published port of kafka1)"
kcat -b "127.0.0.1:$port" -L -m 5 2>&1 | grep -E 'brokers:|broker [0-9]+ at' || true
echo "\$ kcat -b kafka1:9092 -L"
kcat -b kafka1:9092 -L -m 3 2>&1 | head -n 2 || true

step "with kshim: the same bootstrap string as inside Docker"
echo "\$ kshim run --name demo -- kcat -b kafka1:9092 -L"
"$KSHIM" run --name demo -- kcat -b kafka1:9092 -L -m 5 | grep -E 'brokers:|broker [0-9]+ at'

topic=demo-$$
step "produce $N messages to $topic (3 partitions, acks=all), consume them back"
docker --host "$ENGINE" run --rm --network demo-net "$KSHIM_IMAGE" kafka-topics.sh --bootstrap-server kafka1:9092 \
	--create --topic "$topic" --partitions 3 --replication-factor 3 >/dev/null
start=$(date +%s.%N)
seq 1 "$N" | awk '{print $1 ":" $1}' |
	"$KSHIM" run --name demo -- kcat -b kafka1:9092 -P -K: -t "$topic" -X acks=all
got=$("$KSHIM" run --name demo -- kcat -b kafka2:9092 -C -t "$topic" -o beginning -e -q \
	-f '%p %s\n')
end=$(date +%s.%N)
consumed=$(printf '%s\n' "$got" | grep -c .)
distinct=$(printf '%s\n' "$got" | awk '{print $2}' | sort -un | grep -c .)
printf '%s\n' "$got" | awk '{n[$1]++} END {for (p in n) printf "  partition %s: %d messages\n", p, n[p]}' | sort
printf 'produced %d, consumed %d (%d distinct) in %.1f s, from the host, bootstrap kafka1:9092\n' \
	"$N" "$consumed" "$distinct" "$(awk -v s="$start" -v e="$end" 'BEGIN {print e - s}')"
[ "$consumed" = "$N" ] && [ "$distinct" = "$N" ] || { echo "demo: FAIL: counts differ" >&2; exit 1; }

step "inside the cluster network the same bootstrap string works too"
docker --host "$ENGINE" run --rm --network demo-net "$KSHIM_IMAGE" kcat -b kafka1:9092 -L -m 5 | grep -E 'brokers:|broker [0-9]+ at'

step "done"
DOCKER_HOST=$ENGINE "$KSHIM" status --name demo
cat <<EOT

The cluster is still running. Try:
  build/kshim run --name demo -- kcat -b kafka1:9092 -L
  eval "\$(build/kshim env --name demo)"; kcat -b kafka1:9092 -L
  build/kshim down --name demo
EOT
