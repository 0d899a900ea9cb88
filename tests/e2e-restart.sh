#!/usr/bin/env bash
# A broker restart that moves its host port, under load, with every client
# going through the shim. A producer (idempotent, acks=all) sends a numbered
# sequence before, during and after `docker restart <cluster>-kafka2`; a
# consumer started before the restart is never restarted; `kshim watch` keeps
# the table current. After the restart a preferred-leader election hands kafka2
# its partitions back, so both clients must reach it at its new port. Checks: the
# port changed, the table followed (same loopback address), kafka2 leads again,
# every message acked, every message consumed, duplicates counted (expected 0).
# Prints the figures as "# " lines. Never skips: no Docker is a failure.
. "$(dirname "$0")/lib.sh"

IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
N=rs$$
T=$KSHIM_HOME/$N.table
TOPIC=restart
PARTS=6
RATE=${KSHIM_RESTART_RATE:-200} # messages per second
AFTER=${KSHIM_RESTART_AFTER:-10} # seconds of producing once kafka2 leads again
W=$(mktemp -d /tmp/kshim-restart.XXXXXX)
SEQ=$W/seqclient
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
# "PARTITION LEADER REPLICAS ISRS" per partition of the topic, asked through the shim.
partitions() {
	timeout 30 "$KSHIM" run --name "$N" -- kcat -b kafka1:9092 -L -t "$TOPIC" 2>/dev/null |
		sed -n 's/^ *partition \([0-9]*\), leader \([0-9-]*\), replicas: \([0-9,]*\), isrs: \([0-9,]*\).*/\1 \2 \3 \4/p'
}
led_by() { awk -v b="$1" '$2 == b { printf "%s%s", s, $1; s = " " }' <<<"$2"; }
# wait_for SECONDS CMD...: until CMD succeeds, at most SECONDS.
wait_for() {
	local t0=$SECONDS limit=$1
	shift
	until "$@"; do
		[ $((SECONDS - t0)) -ge "$limit" ] && return 1
		sleep 0.5
	done
}

echo "# image $IMAGE, cluster $N, $RATE msg/s over $PARTS partitions"
docker image inspect "$IMAGE" >/dev/null 2>&1 || { notok "image $IMAGE exists (make kafka-image)"; finish; }
cc -std=c11 -O2 -Wall -Wextra -Werror -o "$SEQ" "$TOP/tests/seqclient.c" \
	$(pkg-config --cflags --libs rdkafka) || { notok "build tests/seqclient.c"; finish; }
t0=$SECONDS
"$KSHIM" up -n 3 --name "$N" --image "$IMAGE" >"$W/up.log" 2>&1 ||
	{ notok "up -n 3"; sed 's/^/    # /' "$W/up.log"; finish; }
echo "# up in $((SECONDS - t0)) s"

check "topic with $PARTS partitions, replication factor 3, min.insync.replicas=2" \
	shimmed "$SEQ" create kafka1:9092 "$TOPIC" "$PARTS" 3 2
# The topic is ready when every partition has a leader and 3 in-sync replicas.
# Only then is its configuration asked for. Each request is bounded (seqclient
# gives up after 10 s and ends on SIGTERM), so one that gets no answer is
# retried by a fresh client, which asks the broker its fresh metadata names.
in_sync() { [ "$(partitions | awk '$2 >= 0 && split($4, a, ",") == 3' | wc -l)" = "$PARTS" ]; }
if wait_for 60 in_sync; then ok "every partition has a leader and 3 in-sync replicas"; else
	notok "every partition has a leader and 3 in-sync replicas"; partitions | sed 's/^/    # /'; fi
min_isr= tries=0
min_isr_known() {
	tries=$((tries + 1))
	min_isr=$(timeout 15 "$KSHIM" run --name "$N" -- "$SEQ" minisr kafka1:9092 "$TOPIC" 2>>"$W/minisr.err")
	[ -n "$min_isr" ]
}
t0=$SECONDS
wait_for 40 min_isr_known
echo "# min.insync.replicas read in $((SECONDS - t0)) s, $tries request(s)"
grep -v '^%' "$W/minisr.err" | sed 's/^/#   failed request: /'
expect_eq "the topic's min.insync.replicas is 2" "$min_isr" 2
before=$(partitions)
expect_eq "every partition has 3 replicas" \
	"$(awk '{ print split($3, a, ",") }' <<<"$before" | sort -u | tr '\n' ' ')" "3 "

"$KSHIM" watch --name "$N" >"$W/watch.log" 2>&1 &
watch_pid=$!
pids+=("$watch_pid")
# Started directly (not through a function) so that $! is the client itself: kshim run execs it.
"$KSHIM" run --name "$N" -- "$SEQ" consume kafka1:9092 "$TOPIC" "$PARTS" >"$W/cons.out" 2>"$W/cons.err" &
cons=$!
pids+=("$cons")
"$KSHIM" run --name "$N" -- "$SEQ" produce kafka1:9092 "$TOPIC" "$PARTS" "$RATE" >"$W/prod.out" 2>"$W/prod.err" &
prod=$!
pids+=("$prod")
sleep 5
expect_match "consumer receives before the restart" "^[0-9]+ [0-9]+ [0-9]+$" "$(tail -n 1 "$W/cons.out")"
k2_before=$(led_by 2 "$before")
echo "# before: kafka2 leads partitions: ${k2_before:-none}"

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
in_isr() { [ "$(partitions | awk '$4 ~ /2/' | wc -l)" = "$PARTS" ]; }
wait_for 90 in_isr
expect_eq "kafka2 is back in the ISR of all $PARTS partitions" "$(partitions | awk '$4 ~ /2/' | wc -l)" "$PARTS"
t_isr=$(now_ms)
echo "# after the restart, before the election: kafka2 leads partitions: $(led_by 2 "$(partitions)")"
docker exec "$N-kafka1" kafka-leader-election.sh --bootstrap-server kafka1:9092 \
	--election-type PREFERRED --all-topic-partitions >"$W/elect.log" 2>&1
t_elect=$(now_ms)
after=$(partitions)
k2_after=$(led_by 2 "$after")
echo "# kafka2 in every ISR $((t_isr - t_started)) ms after the restart; preferred election took $((t_elect - t_isr)) ms"
echo "# after: kafka2 leads partitions: ${k2_after:-none}"
if [ -n "$k2_after" ]; then ok "kafka2 leads partitions again after the restart (${k2_after})"; else
	notok "kafka2 leads partitions again after the restart"; sed 's/^/    # /' "$W/elect.log"; fi
sleep "$AFTER"

# --- stop producing; the consumer must get everything ---
kill -TERM "$prod"
wait "$prod"
expect_eq "producer exits 0 (every message acked)" "$?" 0
read -r _ sent _ acked _ failed _ <"$W/prod.out"
echo "# producer: sent ${sent:-?} acked ${acked:-?} failed ${failed:-?}"
expect_eq "producer: acked = sent, failed = 0" "${acked:-x} ${failed:-x}" "${sent:-y} 0"
caught_up() { [ "$(cut -d' ' -f1 "$W/cons.out" | sort -u | wc -l)" -ge "${sent:-0}" ]; }
wait_for 60 caught_up
if kill -0 "$cons" 2>/dev/null; then ok "the consumer ran from before the restart to the end, never restarted"; else
	notok "the consumer ran from before the restart to the end"; fi
kill -TERM "$cons"
wait "$cons"
read -r lines distinct dups missing maxv < <(awk -v sent="${sent:-0}" '
	{ n++; if (seen[$1]++) d++; if ($1 > m) m = $1 }
	END { for (i = 1; i <= sent; i++) if (!(i in seen)) miss++; print n + 0, length(seen), d + 0, miss + 0, m + 0 }' "$W/cons.out")
echo "# consumer: $lines messages, $distinct distinct, $dups duplicates, $missing missing, highest $maxv"
expect_eq "every produced message consumed: distinct, missing, highest" "$distinct $missing $maxv" "${sent:-?} 0 ${sent:-?}"
expect_eq "no duplicates (idempotent producer)" "$dups" 0
expect_match "the consumer read kafka2's partitions after the election (kafka2 reached at its new port)" "^[1-9]" \
	"$(awk -v t="$t_elect" -v p=" $k2_after " '$3 > t && index(p, " " $2 " ") { n++ } END { print n + 0 }' "$W/cons.out")"

# --- stalls: the longest silence per partition, and overall, from the restart on ---
awk -v t="$t_restart" -v k2=" $k2_before " '
	$3 >= t { if (($2 in last) && $3 - last[$2] > g[$2]) { g[$2] = $3 - last[$2]; at[$2] = last[$2] }
		  if (prev && $3 - prev > all) all = $3 - prev; last[$2] = $3; prev = $3 }
	END { for (p in g) { s = s sprintf(" p%s%s=%dms@+%ds", p, index(k2, " " p " ") ? "(kafka2)" : "", g[p], (at[p] - t) / 1000)
			     if (g[p] > worst) worst = g[p] }
	      printf "# consumer stalls since the restart (partition=longest gap@when it began, from the restart):%s; longest with nothing at all %d ms\n", s, all
	      printf "# longest partition stall %d ms\n", worst }' "$W/cons.out"
echo "# restart at $t_restart, back at $t_started, table at $t_table, election at $t_elect (epoch ms)"
echo "# client error lines (librdkafka, shim): consumer $(grep -c . "$W/cons.err"), producer $(grep -vc '^progress' "$W/prod.err")"
{ cat "$W/cons.err"; grep -v '^progress' "$W/prod.err"; } | head -n 12 | sed 's/^/#   /'

expect_eq "down" "$("$KSHIM" down --name "$N")" "cluster '$N': removed 3 containers, 1 network and the table"
watch_gone() { ! kill -0 "$watch_pid" 2>/dev/null; }
wait_for 10 watch_gone
expect_match "kshim watch ends by itself once the cluster is removed" "cluster '$N' was removed; watch ended" "$(cat "$W/watch.log")"
echo "# e2e-restart: $SECONDS s"
finish
