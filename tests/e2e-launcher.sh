#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kshim up/status/logs/down against the real Docker daemon and the real image
# (kshim/kafka:local, or $KSHIM_TEST_IMAGE): both advertise modes, data through
# the cluster, and failures that must leave nothing behind. Never skips: a
# missing daemon or image is a failure.
. "$(dirname "$0")/lib.sh"

IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
PROBE=kshim/probe:local # busybox; its command exits at once (made by dockerd.sh --verify)
N=e2e$$                 # cluster names of this run
LABEL=io.kshim.cluster
MSGS=10000

# "containers networks table" left of cluster $1
leftovers() {
	local c n t=no
	c=$(docker ps -aq --filter "label=$LABEL=$1" | wc -l)
	n=$(docker network ls -q --filter "label=$LABEL=$1" | wc -l)
	# any file of the cluster: its table, lock, engine record or secrets
	ls -A "$KSHIM_HOME" | grep -q "^$1\." && t=yes
	echo "$c $n $t"
}

expect_clean() { expect_eq "$1: nothing left behind" "$(leftovers "$2")" "0 0 no"; }

cleanup() {
	up_interrupt
	for c in "$N" "$N-lh" "$N-ll" "$N-busy" "$N-int" "$N-bad" "$N-img" "$N-nod"; do
		"$KSHIM" down --name "$c" >/dev/null 2>&1
	done
	[ -n "${fake_pid:-}" ] && kill "$fake_pid" 2>/dev/null
	rm -rf "$KSHIM_HOME"
}
trap cleanup EXIT

# Every host binding of the cluster's containers: one HostIp per line.
host_ips() {
	docker inspect $(docker ps -aq --filter "label=$LABEL=$1") \
		--format '{{range $p, $b := .HostConfig.PortBindings}}{{range $b}}{{.HostIp}}{{"\n"}}{{end}}{{end}}{{range $p, $b := .NetworkSettings.Ports}}{{range $b}}{{.HostIp}}{{"\n"}}{{end}}{{end}}' |
		grep -v '^$' | sort | uniq -c
}

# topic NAME CLUSTER BOOTSTRAP: 3 partitions, replication factor 3, made inside kafka1.
make_topic() {
	docker exec "$2-kafka1" kafka-topics.sh --bootstrap-server "$3" --create --topic "$1" \
		--partitions 3 --replication-factor 3 >/dev/null 2>&1
}

# Messages 1..MSGS produced, then consumed back: prints "count distinct sum".
roundtrip() { # CMD-PREFIX... -- runs kcat through "$@"
	seq 1 $MSGS | "$@" -P -t "$topic" -X acks=all 2>&1 || return 1
	"$@" -C -t "$topic" -o beginning -e -q 2>/dev/null |
		awk '{n++; if (!s[$1]++) d++; t += $1} END {print n+0, d+0, t+0}'
}

echo "# image $IMAGE, KSHIM_HOME $KSHIM_HOME"
if ! bash "$TOP/scripts/dockerd.sh" --verify >"$OUT/e2e-launcher-dockerd.log" 2>&1; then
	notok "Docker daemon answers and passes dockerd.sh --verify (see $OUT/e2e-launcher-dockerd.log)"
	finish
fi
ok "Docker daemon answers"
if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
	notok "image $IMAGE exists (make kafka-image)"
	finish
fi

# The clusters of the localhost sections start now, beside the first one; each section waits
# for its own.
t_lh=$(date +%s.%N)
up_bg "$N-lh" -n 3 --image "$IMAGE" --advertise localhost
up_bg "$N-ll" -n 1 --image "$IMAGE" --localhost-listener

# --- internal mode: the names Docker's network uses, reached through the shim ---
t0=$(date +%s.%N)
out=$("$KSHIM" up -n 3 --name "$N" --image "$IMAGE" 2>"$OUT/e2e-up.err")
rc=$?
up_s=$(echo "$(date +%s.%N) - $t0" | bc)
echo "# up -n 3 (internal) ready in ${up_s} s"
expect_eq "up -n 3 exits 0" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/    # /' "$OUT/e2e-up.err"
expect_eq "up prints the bootstrap list first" "$(echo "$out" | head -1)" \
	"kafka1:9092,kafka2:9092,kafka3:9092"
expect_match "up prints a kshim run example" "^example: kshim run --name $N -- kcat -b kafka1:9092 -L$" "$out"
expect_eq "up is quiet off a terminal (2 lines)" "$(echo "$out" | wc -l)" 2
table=$KSHIM_HOME/$N.table
expect_match "table maps kafka1..3 to 127.77.B.1..3" \
	"^kafka1	127\.77\.[0-9]+\.1	9092=127\.0\.0\.1:[0-9]+
kafka2	127\.77\.[0-9]+\.2	9092=127\.0\.0\.1:[0-9]+
kafka3	127\.77\.[0-9]+\.3	9092=127\.0\.0\.1:[0-9]+$" "$(grep -v '^#' "$table" | tail -n +2)"
expect_eq "table port of kafka2 is Docker's" \
	"$(awk '$1 == "kafka2" {sub(/.*:/, "", $3); print $3}' "$table")" \
	"$(docker port "$N-kafka2" 9092/tcp | sed 's/.*://')"

expect_eq "every published port is on 127.0.0.1 only" "$(host_ips "$N" | awk '{print $2}' | sort -u)" "127.0.0.1"
expect_eq "containers are on the cluster network, not the host's" \
	"$(docker inspect $(docker ps -q --filter "label=$LABEL=$N") --format '{{.HostConfig.NetworkMode}}' | sort -u)" "$N-net"

st=$("$KSHIM" status --name "$N" --json)
expect_eq "status exits 0 on a healthy cluster" "$?" 0
expect_eq "status --json: 3 nodes running, port open, Kafka answering with 3 brokers" \
	"$(echo "$st" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(n["running"] and n["tcp"] and n["kafka"] and n["brokers"] == 3 for n in d["nodes"]), d["advertise"])')" \
	"3 internal"

meta=$(timeout 60 "$KSHIM" run --name "$N" -- kcat -b kafka1:9092 -L -m 10 2>&1)
expect_eq "kshim run -- kcat -b kafka1:9092 -L lists exactly kafka1..3" \
	"$(echo "$meta" | grep -oE 'broker [0-9]+ at [^ ]+' | sort | tr '\n' ' ')" \
	"broker 1 at kafka1:9092 broker 2 at kafka2:9092 broker 3 at kafka3:9092 "

topic=e2e-internal
check "topic with 3 partitions, replication factor 3" make_topic "$topic" "$N" kafka1:9092
expect_match "the topic's partitions have 3 replicas" "partition 2, leader [1-3], replicas: [1-3],[1-3],[1-3]," \
	"$(timeout 60 "$KSHIM" run --name "$N" -- kcat -b kafka1:9092 -L -t "$topic" 2>&1)"
got=$(roundtrip timeout 120 "$KSHIM" run --name "$N" -- kcat -b kafka1:9092)
expect_eq "$MSGS messages through the shim: count, distinct, sum" "$got" "$MSGS $MSGS $((MSGS * (MSGS + 1) / 2))"

inside=$(docker run --rm --network "$N-net" --entrypoint kcat "$IMAGE" -b kafka1:9092 -C -t "$topic" -o beginning -e -q 2>&1 | wc -l)
expect_eq "a container on the cluster network reads all $MSGS messages from kafka1:9092" "$inside" "$MSGS"
expect_match "a container on the cluster network sees 3 brokers" "3 brokers:" \
	"$(docker run --rm --network "$N-net" --entrypoint kcat "$IMAGE" -b kafka1:9092 -L 2>&1)"

logs=$("$KSHIM" logs --name "$N" kafka2 --tail 5)
expect_eq "logs kafka2 --tail 5 gives 5 lines" "$(echo "$logs" | wc -l)" 5
logs=$("$KSHIM" logs --name "$N" --tail 3)
expect_eq "logs --tail 3 gives 3 prefixed lines per node" "$(echo "$logs" | grep -cE '^kafka[1-3] \| ')" 9
expect_nomatch "logs carry no frame headers" $'[\x01\x02]\x00\x00' "$("$KSHIM" logs --name "$N" --tail 50 | LC_ALL=C tr -d '\n')"
expect_match "logs show the broker started" "Kafka Server started" "$("$KSHIM" logs --name "$N" kafka1)"

out=$("$KSHIM" up -n 3 --name "$N" --image "$IMAGE" 2>&1)
expect_eq "up with a name in use exits 1" "$?" 1
expect_eq "name in use: one-line cause and hint" "$out" \
	"kshim: cluster '$N' already exists (network $N-net)
hint: kshim down --name $N"
expect_eq "name in use: the existing cluster is untouched" "$(leftovers "$N")" "3 1 yes"

old=$(docker port "$N-kafka3" 9092/tcp | sed 's/.*://')
docker stop -t 5 "$N-kafka3" >/dev/null
out=$("$KSHIM" status --name "$N" 2>&1)
expect_eq "status exits 1 when a broker is down" "$?" 1
expect_match "status shows the stopped broker" "^kafka3 +exited with code" "$out"
docker start "$N-kafka3" >/dev/null
new=$(docker port "$N-kafka3" 9092/tcp | sed 's/.*://')
out=$("$KSHIM" status --name "$N" 2>&1)
if [ "$new" != "$old" ]; then
	expect_match "status says it rewrote the table for a new port" "kafka3 is now published on 127.0.0.1:$new .*table updated" "$out"
fi
expect_eq "after restart the table has Docker's new port" \
	"$(awk '$1 == "kafka3" {sub(/.*:/, "", $3); print $3}' "$table")" "$new"

t0=$(date +%s.%N)
out=$("$KSHIM" down --name "$N")
rc=$?
echo "# down in $(echo "$(date +%s.%N) - $t0" | bc) s"
expect_eq "down exits 0" "$rc" 0
expect_eq "down reports what it removed" "$out" "cluster '$N': removed 3 containers, 1 network and the table"
expect_clean "down" "$N"
expect_eq "down again is a no-op" "$("$KSHIM" down --name "$N"; echo "rc=$?")" "cluster '$N': nothing to remove
rc=0"

# --- localhost mode, no shim: brokers advertise localhost:<published port> ---
up_wait "$N-lh"
rc=$?
out=$(up_out "$N-lh")
echo "# up -n 3 (localhost, started with the first) ready $(echo "$(date +%s.%N) - $t_lh" | bc) s after it started"
expect_eq "up --advertise localhost exits 0" "$rc" 0
[ "$rc" = 0 ] || up_err "$N-lh" | sed 's/^/    # /'
want=""
for i in 1 2 3; do want="$want,localhost:$(docker port "$N-lh-kafka$i" 9092/tcp | sed 's/.*://')"; done
boot=$(echo "$out" | head -1)
expect_eq "localhost mode prints localhost:<published port> for each broker" "$boot" "${want#,}"
expect_eq "localhost mode writes no table" "$(leftovers "$N-lh") $(ls "$KSHIM_HOME/$N-lh.table" 2>/dev/null | wc -l)" "3 1 yes 0"
expect_eq "localhost mode: every published port is on 127.0.0.1 only" \
	"$(host_ips "$N-lh" | awk '{print $2}' | sort -u)" "127.0.0.1"
expect_eq "plain kcat lists the 3 brokers at localhost:<published port>" \
	"$(timeout 60 kcat -b "${boot%%,*}" -L 2>&1 | grep -oE 'at localhost:[0-9]+' | sed 's/at //' | sort | tr '\n' ,)" \
	"$(echo "${want#,}" | tr , '\n' | sort | tr '\n' ,)"
expect_eq "status finds the localhost cluster by label" \
	"$("$KSHIM" status --name "$N-lh" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["advertise"], d["table"], sum(n["kafka"] for n in d["nodes"]))')" \
	"localhost None 3"
topic=e2e-localhost
check "localhost mode: topic with 3 partitions, replication factor 3" make_topic "$topic" "$N-lh" kafka1:19092
got=$(roundtrip timeout 120 kcat -b "$boot")
expect_eq "localhost mode: $MSGS messages with plain kcat: count, distinct, sum" "$got" "$MSGS $MSGS $((MSGS * (MSGS + 1) / 2))"
expect_eq "localhost mode: down" "$("$KSHIM" down --name "$N-lh")" "cluster '$N-lh': removed 3 containers, 1 network"
expect_clean "localhost mode down" "$N-lh"

# --- --localhost-listener: the same broker serves kshim clients and plain ones ---
up_wait "$N-ll"
rc=$?
out=$(up_out "$N-ll")
expect_eq "up --localhost-listener exits 0" "$rc" 0
[ "$rc" = 0 ] || up_err "$N-ll" | sed 's/^/    # /'
loc=$(echo "$out" | sed -n 2p)
expect_eq "--localhost-listener: first line kafka1:9092, second localhost:<published 29092>" \
	"$(echo "$out" | head -1) $loc" "kafka1:9092 localhost:$(docker port "$N-ll-kafka1" 29092/tcp | sed 's/.*://')"
expect_eq "--localhost-listener: both published ports are on 127.0.0.1 only" \
	"$(host_ips "$N-ll" | awk '{print $1, $2}')" "4 127.0.0.1"
expect_eq "--localhost-listener: plain kcat on it is told localhost:<port>" \
	"$(timeout 60 kcat -b "$loc" -L 2>&1 | grep -oE 'at [a-z0-9]+:[0-9]+' | sed 's/at //')" "$loc"
expect_eq "--localhost-listener: kcat through kshim run is told kafka1:9092" \
	"$(timeout 60 "$KSHIM" run --name "$N-ll" -- kcat -b kafka1:9092 -L 2>&1 | grep -oE 'at [a-z0-9]+:[0-9]+' | sed 's/at //')" "kafka1:9092"
topic=e2e-both
docker exec "$N-ll-kafka1" kafka-topics.sh --bootstrap-server kafka1:19092 --create --topic "$topic" \
	--partitions 3 --replication-factor 1 >/dev/null 2>&1
seq 1 $MSGS | timeout 120 "$KSHIM" run --name "$N-ll" -- kcat -b kafka1:9092 -P -t "$topic" -X acks=all 2>&1
got=$(timeout 120 kcat -b "$loc" -C -t "$topic" -o beginning -e -q 2>/dev/null |
	awk '{n++; if (!s[$1]++) d++; t += $1} END {print n+0, d+0, t+0}')
expect_eq "--localhost-listener: $MSGS produced through kshim, consumed by plain kcat on localhost" \
	"$got" "$MSGS $MSGS $((MSGS * (MSGS + 1) / 2))"
expect_eq "--localhost-listener: down" "$("$KSHIM" down --name "$N-ll")" "cluster '$N-ll': removed 1 container, 1 network and the table"
expect_clean "--localhost-listener down" "$N-ll"

# --- failures: one-line cause, hint, nothing left behind ---
out=$(DOCKER_HOST=unix:///nonexistent "$KSHIM" up --name "$N-nod" --image "$IMAGE" 2>&1)
expect_eq "no daemon: exit 1" "$?" 1
expect_eq "no daemon: cause names the socket" "$(echo "$out" | head -1)" \
	"kshim: cannot connect to the Docker daemon at unix:///nonexistent: No such file or directory"
expect_match "no daemon: hint says how to start it" "^hint: start dockerd \('make dockerd'" "$out"
expect_clean "no daemon" "$N-nod"

out=$("$KSHIM" up --name "$N-img" --image kshim/nonexistent:none 2>&1)
expect_eq "missing image: exit 1" "$?" 1
expect_match "missing image: cause says the pull failed" "^kshim: cannot pull kshim/nonexistent:none: " "$out"
expect_eq "missing image: two lines" "$(echo "$out" | wc -l)" 2
expect_match "missing image: hint says how to build one" \
	"^hint: build one with 'make kafka-image' and use --image kshim/kafka:local or KSHIM_IMAGE$" "$out"
expect_clean "missing image" "$N-img"

# A stand-in daemon, over DOCKER_HOST=unix:// and tcp://.
sock=$(mktemp -u /tmp/kshim-fake.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for host in "unix://$sock" "tcp://127.0.0.1:$port"; do
	python3 "$TOP/tests/helpers/fake_docker.py" "${host#*://}" &
	fake_pid=$!
	for _ in $(seq 50); do
		DOCKER_HOST=$host "$KSHIM" down --name "$N-img" >/dev/null 2>&1 && break
		sleep 0.1
	done
	out=$(DOCKER_HOST=$host "$KSHIM" up --name "$N-img" --image kshim/nowhere:1 2>&1)
	expect_eq "error inside a 200 pull stream (fake daemon at $host, API 1.43): cause" \
		"$(echo "$out" | head -1)" "kshim: cannot pull kshim/nowhere:1: manifest for kshim/nowhere:1 not found"
	kill "$fake_pid"
	wait "$fake_pid" 2>/dev/null
	fake_pid=
done
rm -f "$sock"

out=$("$KSHIM" up -n 2 --name "$N-busy" --image "$PROBE" 2>&1)
expect_eq "entrypoint exits: exit 1" "$?" 1
expect_match "entrypoint exits: cause names the node and exit code" "^kshim: kafka[12] exited with code 0$" "$out"
expect_match "entrypoint exits: each node's state is shown" "^kafka1: (exited with code 0|running); last log lines:" "$out"
expect_match "  ... the other node's too (exited, or not yet)" "^kafka2: (exited with code 0|running); last log lines:" "$out"
expect_clean "entrypoint exits" "$N-busy"

# Bitnami's KAFKA_CFG_* variables become cfg.* properties here: the broker's setup exits.
out=$("$KSHIM" up -n 2 --name "$N-bad" --image "$IMAGE" --flavor bitnami 2>&1)
expect_eq "wrong flavour: exit 1" "$?" 1
expect_match "wrong flavour: cause names the node and exit code" "^kshim: kafka[12] exited with code 1$" "$out"
expect_match "wrong flavour: hint questions the flavour" "^hint: .* flavour bitnami\?$" "$out"
expect_match "wrong flavour: the broker's log is shown" "^  kafka[12] \| .*process\.roles" "$out"
expect_clean "wrong flavour" "$N-bad"

# Two brokers need about 4 CPU-seconds on two cores: never ready within 1 s.
out=$("$KSHIM" up -n 2 --name "$N-bad" --image "$IMAGE" --timeout 1 2>&1)
expect_eq "timeout: exit 1" "$?" 1
expect_match "timeout: cause says what was missing" "^kshim: cluster not ready after 1 s: kafka1" "$out"
expect_match "timeout: each node's state and log are shown" "^kafka2: running; last log lines:" "$out"
expect_clean "timeout" "$N-bad"

for delay in 0.2 created; do
	"$KSHIM" up -n 3 --name "$N-int" --image "$IMAGE" >"$OUT/e2e-int.out" 2>&1 &
	pid=$!
	if [ "$delay" = created ]; then # until every container exists, then a little more
		for _ in $(seq 100); do
			[ "$(docker ps -q --filter "label=$LABEL=$N-int" | wc -l)" = 3 ] && break
			sleep 0.1
		done
		sleep 1
	else
		sleep "$delay"
	fi
	kill -INT "$pid"
	wait "$pid"
	expect_eq "SIGINT during up ($delay): exit 130" "$?" 130
	expect_eq "SIGINT during up ($delay): one-line cause" "$(cat "$OUT/e2e-int.out")" \
		"kshim: interrupted; removed what was created"
	expect_clean "SIGINT during up ($delay)" "$N-int"
done

finish
