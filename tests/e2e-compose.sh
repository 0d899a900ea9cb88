#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# needs: docker
# A real docker-compose project (tests/compose/two-brokers.yml,
# two KRaft brokers on kshim/kafka:local, ports on ephemeral loopback ports) is
# attached with `kshim attach --compose`, and is then a cluster like one kshim
# made: status, doctor and logs report on it; `kshim watch` follows a broker
# restart that moves its port while a producer and a consumer run through the
# shim (exact counts, 0 lost), and also follows one made while its connection to
# Docker is cut (a proxy socket in front of the real daemon, killed and started
# again: watch reconnects with backoff and resyncs); `kshim down` removes only
# kshim's files and leaves the project's containers and network running.
. "$(dirname "$0")/lib.sh"

IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
export KSHIM_TEST_IMAGE=$IMAGE
P=compose$$
NET=${P}_default
W=$(mktemp -d /tmp/kshim-compose.XXXXXX)
T=$KSHIM_HOME/$P.table
SEQ=$W/seqclient
PROXY=$W/docker.sock
PARTS=2
RATE=${KSHIM_COMPOSE_RATE:-200}
pids=()
compose() { docker-compose -p "$P" -f "$TOP/tests/compose/two-brokers.yml" "$@"; }

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	compose down -v >/dev/null 2>&1
	rm -rf "$KSHIM_HOME" "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_of() { docker port "${P}_$1_1" 9092/tcp | sed 's/.*://'; }
# table_port NAME: the host port the table maps NAME:9092 to.
table_port() { awk -v n="$1" '{ split($1, names, ","); if (names[1] == n) for (i = 3; i <= NF; i++) if ($i ~ /^9092=/) { sub(/.*:/, "", $i); print $i } }' "$T" 2>/dev/null; }
table_addr() { awk -v n="$1" '{ split($1, names, ","); if (names[1] == n) print $2 }' "$T"; }
start_proxy() {
	python3 "$TOP/tests/helpers/unix_proxy.py" "$PROXY" /var/run/docker.sock >"$W/proxy.log" 2>&1 &
	proxy_pid=$!
	pids+=("$proxy_pid")
	wait_for 10 grep -q listening "$W/proxy.log"
}

command -v docker-compose >/dev/null || { notok "docker-compose is installed (scripts/deps.sh)"; finish; }
echo "# $(docker-compose version --short 2>/dev/null || docker-compose version | head -n 1), image $IMAGE, project $P"
build_seqclient "$SEQ" || finish
t0=$SECONDS
compose up -d >"$W/up.log" 2>&1 || { notok "docker-compose up -d"; sed 's/^/    # /' "$W/up.log"; finish; }
echo "# docker-compose up -d in $((SECONDS - t0)) s"

out=$("$KSHIM" attach --compose "$P" 2>&1)
expect_eq "kshim attach --compose $P exits 0" "$?" 0
expect_match "  ... finds the project's network from compose's labels" "^compose project $P: network $NET$" "$out"
for b in kafka1 kafka2; do
	expect_match "  ... the table maps $b (its service name, first) to its published port" \
		"^$b,.*9092=127\.0\.0\.1:$(port_of $b)( |$)" "$(cat "$T")"
done
expect_eq "table and record are private (0600)" "$(stat -c %a "$T" "$KSHIM_HOME/$P.attached" | sort -u)" 600

list() { timeout 20 "$KSHIM" run --name "$P" -- kcat -b kafka1:9092 -L -m 5 2>/dev/null | grep -c '^  broker [12] at kafka[12]:9092'; }
two_brokers() { [ "$(list)" = 2 ]; }
wait_for 90 two_brokers
expect_eq "kcat -b kafka1:9092 -L through kshim run lists kafka1 and kafka2" "$(list)" 2
echo "# brokers ready $((SECONDS - t0)) s after up"

out=$("$KSHIM" status --name "$P"); rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
expect_eq "kshim status on the attached cluster exits 0 (all healthy)" "$rc" 0
expect_match "  ... says it is attached, to which network and project" "^cluster $P: attached to network $NET, compose project $P" "$out"
expect_eq "  ... both brokers running, TCP ok, Kafka answers with 2 brokers" \
	"$(grep -cE '^kafka[12] +running +127\.0\.0\.1:[0-9]+ +ok +ok, 2 brokers' <<<"$out")" 2
json=$("$KSHIM" status --name "$P" --json)
expect_eq "status --json: attached, network" "$(python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["attached"], o["network"], o["compose_project"], len(o["nodes"]))' <<<"$json")" "True $NET $P 2"

out=$("$KSHIM" doctor --name "$P"); rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
expect_eq "kshim doctor on the attached cluster exits 0" "$rc" 0
expect_eq "  ... every one of the 10 layers ok" "$(grep -cE '^ ?[0-9]+ [a-z]+ +ok ' <<<"$out")" 10
expect_match "kshim logs --name $P kafka2 shows the broker's log" "Kafka Server started|started \(kafka.server" \
	"$("$KSHIM" logs --name "$P" kafka2 2>&1)"
out=$("$KSHIM" up -n 1 --name "$P" --image "$IMAGE" 2>&1); rc=$?
expect_eq "kshim up under the attached name is refused" "$rc:$(docker ps -aq --filter label=io.kshim.cluster="$P" | wc -l)" "1:0"
expect_match "  ... saying why" "cluster '$P' is attached to network $NET" "$out"

# --- the watch, through a proxy socket that the test can cut ---
start_proxy || notok "the proxy socket starts"
DOCKER_HOST=unix://$PROXY "$KSHIM" watch --name "$P" >"$W/watch.log" 2>&1 &
watch_pid=$!
pids+=("$watch_pid")
check "topic: $PARTS partitions, replication factor 2" \
	timeout 30 "$KSHIM" run --name "$P" -- "$SEQ" create kafka1:9092 t "$PARTS" 2 1
"$KSHIM" run --name "$P" -- "$SEQ" consume kafka1:9092 t "$PARTS" >"$W/cons.out" 2>"$W/cons.err" &
cons=$!
pids+=("$cons")
"$KSHIM" run --name "$P" -- "$SEQ" produce kafka1:9092 t "$PARTS" "$RATE" >"$W/prod.out" 2>"$W/prod.err" &
prod=$!
pids+=("$prod")
receiving() { grep -qE '^[0-9]+ [0-9]+ [0-9]+$' "$W/cons.out"; }
wait_for 60 receiving
expect_match "the consumer receives before the restarts" "^[0-9]+ [0-9]+ [0-9]+$" "$(tail -n 1 "$W/cons.out")"

# restart 1: the stream is up; compose stops and starts kafka2, Docker moves its port
addr=$(table_addr kafka2)
old=$(port_of kafka2)
compose stop kafka2 >/dev/null 2>&1 && compose start kafka2 >/dev/null 2>&1
new=$(port_of kafka2)
if [ "$new" != "$old" ]; then ok "compose stop/start moved kafka2's port ($old -> $new)"; else notok "compose stop/start moved kafka2's port (still $old)"; fi
has_port() { [ "$(table_port kafka2)" = "$1" ]; }
wait_for 10 has_port "$new"
expect_eq "kshim watch put kafka2's new port in the table" "$(table_port kafka2)" "$new"
expect_eq "  ... kafka2 keeps its loopback address" "$(table_addr kafka2)" "$addr"
expect_match "  ... and said so" "kafka2 is now published on 127\.0\.0\.1:$new \(table had $old\): table updated" "$(cat "$W/watch.log")"

# restart 2: the connection to Docker is cut; kafka2 is recreated meanwhile
kill "$proxy_pid"
wait "$proxy_pid" 2>/dev/null
old=$new
compose up -d --force-recreate --no-deps kafka2 >"$W/recreate.log" 2>&1 || notok "compose up -d --force-recreate kafka2"
new=$(port_of kafka2)
sleep 2
expect_eq "while the proxy is down the table still has the old port" "$(table_port kafka2)" "$old"
start_proxy || notok "the proxy socket starts again"
wait_for 20 has_port "$new"
expect_eq "after the proxy is back, kshim watch resynced: kafka2's new port ($old -> $new) in the table" "$(table_port kafka2)" "$new"
expect_eq "  ... same loopback address for the recreated container" "$(table_addr kafka2)" "$addr"
log=$(cat "$W/watch.log")
expect_match "watch said it lost Docker's events" "lost Docker's events" "$log"
expect_match "  ... retried with backoff" "still no Docker .*; next try in [0-9]+ ms" "$log"
expect_match "  ... and resynced when Docker was back" "Docker at unix://$PROXY is back; table resynced" "$log"
if kill -0 "$watch_pid" 2>/dev/null; then ok "the watch kept running"; else notok "the watch kept running"; fi
sed 's/^/#   watch: /' "$W/watch.log"

# kafka2 back in both partitions' ISR, then leader of its preferred partitions again
isr2() { [ "$(timeout 20 "$KSHIM" run --name "$P" -- kcat -b kafka1:9092 -L -t t 2>/dev/null | grep -c 'isrs: \(1,2\|2,1\)')" = "$PARTS" ]; }
wait_for 60 isr2 || notok "kafka2 is back in the ISR of both partitions"
# k2_leads: the partition kafka2 leads, after asking for a preferred election.
k2_part=
k2_leads() {
	docker exec "${P}_kafka1_1" kafka-leader-election.sh --bootstrap-server kafka1:9092 \
		--election-type PREFERRED --all-topic-partitions >"$W/elect.log" 2>&1
	k2_part=$(timeout 20 "$KSHIM" run --name "$P" -- kcat -b kafka1:9092 -L -t t 2>/dev/null |
		sed -n 's/^ *partition \([0-9]*\), leader 2,.*/\1/p')
	[ -n "$k2_part" ]
}
wait_for 30 k2_leads
t_elect=$(date +%s%3N)
expect_match "kafka2 leads a partition again (reached at its newest port)" "^[0-9]+$" "$k2_part"
[ -n "$k2_part" ] || sed 's/^/    # /' "$W/elect.log" | tail -n 5
# Producing goes on until the consumer has read from kafka2's partition after the election.
k2_read() { awk -v t="$t_elect" -v p="$k2_part" '$3 > t && $2 == p { n++ } END { print n + 0 }' "$W/cons.out"; }
k2_reached() { [ "$(k2_read)" -gt 0 ]; }
wait_for 60 k2_reached

seq_results "" "$prod" "$cons" "$W/prod.out" "$W/cons.out"
expect_match "the consumer read kafka2's partition ($k2_part) after the election" "^[1-9]" "$(k2_read)"

out=$("$KSHIM" down --name "$P")
expect_eq "kshim down on the attached cluster says what it did" "$out" \
	"cluster '$P': removed the table; compose project $P and its containers are left as they are"
expect_eq "  ... the project's 2 containers still run" "$(docker ps -q --filter label=com.docker.compose.project="$P" | wc -l)" 2
check "  ... its network is still there" docker network inspect "$NET" -f '{{.Name}}'
expect_eq "  ... the table and the record are gone" "$(ls "$KSHIM_HOME" | grep -cE "^$P\.(table|attached)$")" 0
out=$("$KSHIM" status --name "$P" 2>&1)
expect_match "  ... and the name is no cluster any more" "no cluster named '$P'" "$out"
echo "# e2e-compose: $SECONDS s"
finish
