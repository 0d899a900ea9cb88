#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A broker restart that moves its host port, under load, with every client
# going through kshim run. Two client pairs run at once, each on its own topic:
# librdkafka (tests/helpers/seqclient.c, served by the preloaded shim) and franz-go
# (tests/goclient, pure Go, served by the seccomp supervisor). Each producer
# (idempotent, acks=all) sends a numbered sequence before, during and after
# `docker restart <cluster>-kafka2`; each consumer started before the restart
# is never restarted; `kshim watch` keeps the table current. After the restart
# a preferred-leader election hands kafka2 its partitions back, so every client
# must reach it at its new port. Checks: the port changed, the table followed
# (same loopback address), kafka2 leads again, and per client: every message
# acked, every message consumed, duplicates counted (expected 0). Prints the
# figures as "# " lines (the librdkafka pair's as "# producer:"/"# consumer:",
# the franz-go pair's prefixed "franz-go"). Never skips: no Docker is a failure.
. "$(dirname "$0")/lib.sh"

IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
N=rs$$
T=$KSHIM_HOME/$N.table
PARTS=6
RATE=${KSHIM_RESTART_RATE:-200} # messages per second
AFTER=${KSHIM_RESTART_AFTER:-0} # seconds of producing once every consumer reads kafka2 again
W=$(mktemp -d /tmp/kshim-restart.XXXXXX)
SEQ=$W/seqclient
GO=$W/goclient
CLIENTS=(c go)
declare -A BIN=([c]=$SEQ [go]=$GO) TOPIC=([c]=restart [go]=restart-go) TAG=([c]="" [go]="franz-go ")
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	"$KSHIM" down --name "$N" >/dev/null 2>&1
	rm -rf "$KSHIM_HOME" "$W"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
port_of() { docker port "$1" 9092/tcp | sed 's/.*://'; }
table_field() { awk -v n="$1" -v f="$2" '$1 == n { sub(/.*:/, "", $3); print $f }' "$T"; }
shimmed() { "$KSHIM" run --name "$N" -- "$@"; }
# partitions TOPIC: "PARTITION LEADER REPLICAS ISRS" per partition, asked through the shim.
partitions() {
	timeout 30 "$KSHIM" run --name "$N" -- kcat -b kafka1:9092 -L -t "$1" 2>/dev/null |
		sed -n 's/^ *partition \([0-9]*\), leader \([0-9-]*\), replicas: \([0-9,]*\), isrs: \([0-9,]*\).*/\1 \2 \3 \4/p'
}
led_by() { awk -v b="$1" '$2 == b { printf "%s%s", s, $1; s = " " }' <<<"$2"; }

echo "# image $IMAGE, cluster $N, $RATE msg/s over $PARTS partitions"
docker image inspect "$IMAGE" >/dev/null 2>&1 || { notok "image $IMAGE exists (make kafka-image)"; finish; }
build_seqclient "$SEQ" || finish
build_go "$TOP/tests/goclient" "$GO" || { notok "build the franz-go client (tests/goclient)"; finish; }
t0=$SECONDS
"$KSHIM" up -n 3 --name "$N" --image "$IMAGE" >"$W/up.log" 2>&1 ||
	{ notok "up -n 3"; sed 's/^/    # /' "$W/up.log"; finish; }
echo "# up in $((SECONDS - t0)) s"

# Each topic is ready when every partition has a leader and 3 in-sync replicas.
# Only then is its configuration asked for. Each request is bounded (seqclient
# gives up after 10 s and ends on SIGTERM), so one that gets no answer is
# retried by a fresh client, which asks the broker its fresh metadata names.
in_sync() { [ "$(partitions "$1" | awk '$2 >= 0 && split($4, a, ",") == 3' | wc -l)" = "$PARTS" ]; }
min_isr= tries=0
min_isr_known() {
	tries=$((tries + 1))
	min_isr=$(timeout 15 "$KSHIM" run --name "$N" -- "$SEQ" minisr kafka1:9092 "$1" 2>>"$W/minisr.err")
	[ -n "$min_isr" ]
}
declare -A before
for c in "${CLIENTS[@]}"; do
	t=${TOPIC[$c]}
	check "topic $t: $PARTS partitions, replication factor 3, min.insync.replicas=2" \
		shimmed "$SEQ" create kafka1:9092 "$t" "$PARTS" 3 2
	if wait_for 60 in_sync "$t"; then ok "$t: every partition has a leader and 3 in-sync replicas"; else
		notok "$t: every partition has a leader and 3 in-sync replicas"; partitions "$t" | sed 's/^/    # /'; fi
	min_isr= tries=0 t0=$SECONDS
	wait_for 40 min_isr_known "$t"
	echo "# $t: min.insync.replicas read in $((SECONDS - t0)) s, $tries request(s)"
	expect_eq "$t: min.insync.replicas is 2" "$min_isr" 2
	before[$c]=$(partitions "$t")
	expect_eq "$t: every partition has 3 replicas" \
		"$(awk '{ print split($3, a, ",") }' <<<"${before[$c]}" | sort -u | tr '\n' ' ')" "3 "
done
grep -v '^%' "$W/minisr.err" | sed 's/^/#   failed request: /'
out=$(KSHIM_DEBUG=1 timeout 30 "$KSHIM" run --name "$N" -- "$GO" -b kafka1:9092 2>&1)
expect_match "franz-go through kshim run: the seccomp supervisor, chosen by kshim run" '^kshim: run: via seccomp \(Go program\)$' "$out"
expect_eq "  ... and it lists the 3 brokers under their advertised names" "$(grep -c '^broker [123] at kafka[123]:9092$' <<<"$out")" 3

"$KSHIM" watch --name "$N" >"$W/watch.log" 2>&1 &
watch_pid=$!
pids+=("$watch_pid")
# Started directly (not through a function) so that $! is the kshim run process
# (for a preloaded client the client itself: kshim run execs it; for a supervised
# one the supervisor, which forwards SIGTERM and returns the client's status).
declare -A prod cons k2_before k2_after
for c in "${CLIENTS[@]}"; do
	"$KSHIM" run --name "$N" -- "${BIN[$c]}" consume kafka1:9092 "${TOPIC[$c]}" "$PARTS" >"$W/cons-$c.out" 2>"$W/cons-$c.err" &
	cons[$c]=$!
	pids+=("${cons[$c]}")
	"$KSHIM" run --name "$N" -- "${BIN[$c]}" produce kafka1:9092 "${TOPIC[$c]}" "$PARTS" "$RATE" >"$W/prod-$c.out" 2>"$W/prod-$c.err" &
	prod[$c]=$!
	pids+=("${prod[$c]}")
done
# receiving C: client pair C's consumer has printed a record.
receiving() { grep -qE '^[0-9]+ [0-9]+ [0-9]+$' "$W/cons-$1.out"; }
for c in "${CLIENTS[@]}"; do wait_for 60 receiving "$c"; done
for c in "${CLIENTS[@]}"; do
	expect_match "${TAG[$c]}consumer receives before the restart" "^[0-9]+ [0-9]+ [0-9]+$" "$(tail -n 1 "$W/cons-$c.out")"
	k2_before[$c]=$(led_by 2 "${before[$c]}")
	echo "# before: kafka2 leads partitions of ${TOPIC[$c]}: ${k2_before[$c]:-none}"
done

# --- the restart; Docker usually hands out the next ephemeral port ---
old=$(port_of "$N-kafka2")
addr=$(table_field kafka2 2)
t_restart=$(now_ms)
tries=0
while :; do
	docker restart -t 10 "$N-kafka2" >/dev/null
	tries=$((tries + 1))
	new=$(port_of "$N-kafka2")
	[ "$new" != "$old" ] || [ "$tries" -ge 3 ] && break
done
t_started=$(now_ms)
echo "# docker restart $N-kafka2: $tries time(s), $((t_started - t_restart)) ms; host port $old -> $new"
if [ "$new" != "$old" ]; then ok "Docker published kafka2 on a new host port ($old -> $new)"; else
	notok "Docker published kafka2 on a new host port: still $old after $tries restarts"; fi

table_has_new() { [ "$(table_field kafka2 3)" = "$new" ]; }
wait_for 10 table_has_new
t_table=$(now_ms)
expect_eq "kshim watch put the new port in the table" "$(table_field kafka2 3)" "$new"
echo "# table rewritten $((t_table - t_started)) ms after the restart returned"
expect_eq "kafka2 keeps its loopback address" "$(table_field kafka2 2)" "$addr"
expect_match "watch said what it did" "kafka2 is now published on 127\.0\.0\.1:$new \(table had $old\): table updated" "$(cat "$W/watch.log")"
expect_eq "the table stays private (0600)" "$(stat -c %a "$T")" 600

# --- kafka2 back in every ISR, then leader of its preferred partitions ---
in_isr() {
	local c
	for c in "${CLIENTS[@]}"; do [ "$(partitions "${TOPIC[$c]}" | awk '$4 ~ /2/' | wc -l)" = "$PARTS" ] || return 1; done
}
if wait_for 90 in_isr; then ok "kafka2 is back in the ISR of all $PARTS partitions of both topics"; else
	notok "kafka2 is back in the ISR of all $PARTS partitions of both topics"; fi
t_isr=$(now_ms)
# The controller may not count kafka2 as available yet when the brokers' metadata already shows it in
# the ISR: the election then answers PreferredLeaderNotAvailable, and is asked again.
elect() {
	docker exec "$N-kafka1" kafka-leader-election.sh --bootstrap-server kafka1:9092 \
		--election-type PREFERRED --all-topic-partitions >"$W/elect.log" 2>&1
	! grep -q PreferredLeaderNotAvailable "$W/elect.log"
}
wait_for 30 elect
t_elect=$(now_ms)
echo "# kafka2 in every ISR $((t_isr - t_started)) ms after the restart; preferred election took $((t_elect - t_isr)) ms"
for c in "${CLIENTS[@]}"; do
	k2_after[$c]=$(led_by 2 "$(partitions "${TOPIC[$c]}")")
	echo "# after: kafka2 leads partitions of ${TOPIC[$c]}: ${k2_after[$c]:-none}"
	if [ -n "${k2_after[$c]}" ]; then ok "kafka2 leads partitions of ${TOPIC[$c]} again after the restart (${k2_after[$c]})"; else
		notok "kafka2 leads partitions of ${TOPIC[$c]} again after the restart"; sed 's/^/    # /' "$W/elect.log"; fi
done
# k2_read C: how many records of kafka2's partitions, produced after the election, consumer C read.
k2_read() { awk -v t="$t_elect" -v p=" ${k2_after[$1]} " '$3 > t && index(p, " " $2 " ") { n++ } END { print n + 0 }' "$W/cons-$1.out"; }
k2_reached() { local c; for c in "${CLIENTS[@]}"; do [ "$(k2_read "$c")" -gt 0 ] || return 1; done; }
# Producing goes on until every consumer has read from kafka2 at its new port (and AFTER s more).
wait_for 60 k2_reached
sleep "$AFTER"

# --- stop producing; every consumer must get everything its producer sent ---
for c in "${CLIENTS[@]}"; do kill -TERM "${prod[$c]}"; done
for c in "${CLIENTS[@]}"; do
	tag=${TAG[$c]} sent= acked= failed=
	seq_results "$tag" "${prod[$c]}" "${cons[$c]}" "$W/prod-$c.out" "$W/cons-$c.out"
	expect_match "the ${tag}consumer read kafka2's partitions after the election (kafka2 reached at its new port)" "^[1-9]" \
		"$(k2_read "$c")"

	# stalls: the longest silence per partition, and overall, from the restart on
	awk -v t="$t_restart" -v k2=" ${k2_before[$c]} " -v tag="$tag" '
		$3 >= t { if (($2 in last) && $3 - last[$2] > g[$2]) { g[$2] = $3 - last[$2]; at[$2] = last[$2] }
			  if (prev && $3 - prev > all) all = $3 - prev; last[$2] = $3; prev = $3 }
		END { for (p in g) { s = s sprintf(" p%s%s=%dms@+%ds", p, index(k2, " " p " ") ? "(kafka2)" : "", g[p], (at[p] - t) / 1000)
				     if (g[p] > worst) worst = g[p] }
		      printf "# %sconsumer stalls since the restart (partition=longest gap@when it began, from the restart):%s; longest with nothing at all %d ms\n", tag, s, all
		      printf "# %slongest partition stall %d ms\n", tag, worst }' "$W/cons-$c.out"
	echo "# ${tag}client error lines: consumer $(grep -c . "$W/cons-$c.err"), producer $(grep -vc '^progress' "$W/prod-$c.err")"
	{ cat "$W/cons-$c.err"; grep -v '^progress' "$W/prod-$c.err"; } | head -n 8 | sed 's/^/#   /'
done
echo "# restart at $t_restart, back at $t_started, table at $t_table, election at $t_elect (epoch ms)"

expect_eq "down" "$("$KSHIM" down --name "$N")" "cluster '$N': removed 3 containers, 1 network and the table"
watch_gone() { ! kill -0 "$watch_pid" 2>/dev/null; }
wait_for 10 watch_gone
expect_match "kshim watch ends by itself once the cluster is removed" "cluster '$N' was removed; watch ended" "$(cat "$W/watch.log")"
echo "# e2e-restart: $SECONDS s"
finish
