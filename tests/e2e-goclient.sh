#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The franz-go client (tests/goclient, pure Go, static)
# runs unchanged through `kshim run --name C` against a real 3-broker cluster in
# internal mode; kshim run picks the seccomp supervisor by itself. It produces
# 1,000 keyed records (acks=all) and reads every partition back to its end:
# exact counts, distinct records, keys matching values, per-partition order.
# The supervisor's log must show connects to all three brokers' loopback
# addresses, i.e. to the advertised kafka2/kafka3 too, not only the bootstrap.
# An e2e suite (not shim-*): it needs Docker and brokers. Never skips.
. "$(dirname "$0")/lib.sh"
export PATH=$PATH:/usr/local/go/bin

IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
N=gc$$
TOPIC=goclient
RECORDS=1000
RUN=gc$$x$RANDOM
W=$(mktemp -d /tmp/kshim-goclient.XXXXXX)

cleanup() {
	"$KSHIM" down --name "$N" >/dev/null 2>&1
	rm -rf "$KSHIM_HOME" "$W"
}
trap cleanup EXIT

docker image inspect "$IMAGE" >/dev/null 2>&1 || { notok "image $IMAGE exists (make kafka-image)"; finish; }
build_go "$TOP/tests/goclient" "$W/goclient" || { notok "build the franz-go client (tests/goclient)"; finish; }
build_seqclient "$W/seqclient" || finish
"$KSHIM" up -n 3 --name "$N" --image "$IMAGE" >"$W/up.log" 2>&1 ||
	{ notok "up -n 3"; sed 's/^/    # /' "$W/up.log"; finish; }
ok "up -n 3 --name $N"
check "topic $TOPIC: 3 partitions, replication factor 3" \
	"$KSHIM" run --name "$N" -- "$W/seqclient" create kafka1:9092 "$TOPIC" 3 3 2

t0=$EPOCHREALTIME
timeout -k 5 90 "$KSHIM" run --name "$N" --debug -- "$W/goclient" roundtrip kafka1:9092 "$TOPIC" "$RECORDS" "$RUN" 60 \
	>"$W/out" 2>"$W/err"
rc=$?
secs=$(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $t0 }")
expect_eq "the franz-go client exits 0 ($secs s)" "$rc" 0
expect_match "kshim run chose the seccomp supervisor by itself" '^kshim: run: via seccomp \(Go program\)$' "$(cat "$W/err")"
read -r produced got dups bad disorder finished < <(roundtrip_counts "$W/out" "$RUN")
echo "# produced $produced, consumed $got distinct, $dups duplicates, $bad bad key/value, $disorder out of order"
expect_eq "acked = $RECORDS, consumed = $RECORDS distinct, 0 duplicates, 0 bad, 0 out of order, done" \
	"$produced $got $dups $bad $disorder $finished" "$RECORDS $RECORDS 0 0 0 1"
expect_eq "every record read back from a partition is one this run produced" "$(grep -c '^M' "$W/out")" "$RECORDS"
peers=$(sed -n 's/^kshim\[sup\]: connect pid [0-9]* fd [0-9]*: \(127\.[0-9.]*\):9092 -> 127\.0\.0\.1:[0-9]*$/\1/p' "$W/err" | sort -u)
echo "# supervisor rewrote connects to: $(echo $peers)"
expect_eq "connects to all 3 brokers' loopback addresses were rewritten" "$(grep -c . <<<"$peers")" 3
[ "$rc" = 0 ] || grep -v '^kshim\[sup\]: connect' "$W/err" | head -n 15 | sed 's/^/    # /'

expect_eq "down" "$("$KSHIM" down --name "$N")" "cluster '$N': removed 3 containers, 1 network and the table"
finish
