#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The launcher's defences that need Docker: up checks the table's
# preconditions before creating anything (2), SIGHUP during up rolls back (3),
# two ups of one name at once never remove each other's containers (4), and
# --network is escaped in the request path (5). One broker at most, briefly.
. "$(dirname "$0")/lib.sh"
IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
PROBE=kshim/probe:local
N=hard$$
LABEL=io.kshim.cluster
unset KSHIM_TABLE
cleanup() {
	for c in "$N-pre" "$N-hup" "$N-cc"; do "$KSHIM" down --name "$c" >/dev/null 2>&1; done
	docker network rm "$N-esc" >/dev/null 2>&1
}
trap cleanup EXIT
containers() { docker ps -aq --filter "label=$LABEL=$1" | wc -l; }

# 2: a table directory others can read: refused before any container exists.
home=$(mktemp -d); chmod 755 "$home"
since=$(date +%s)
out=$(KSHIM_HOME=$home timeout 120 "$KSHIM" up --name "$N-pre" -n 1 --image "$PROBE" --timeout 20 2>&1); rc=$?
expect_eq "up with a non-private table directory fails" "$rc" 1
expect_match "  ... saying why" "not private" "$out"
created=$(timeout 5 docker events --since "$since" --until "$(date +%s)" --filter "label=$LABEL=$N-pre" \
	--filter event=create --format '{{.Actor.ID}}' | wc -l)
expect_eq "  ... before creating any container (create events)" "$created" 0
rm -rf "$home"

# 3: SIGHUP (a dropped ssh session) while up waits: rolled back, exit 130.
# three brokers: one of the faster image can be ready within the second waited below
"$KSHIM" up --name "$N-hup" -n 3 --image "$IMAGE" --timeout 120 >"$OUT/hard-hup.out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ "$(containers "$N-hup")" -gt 0 ] && break; sleep 0.2; done
sleep 1
kill -HUP "$pid"
wait "$pid"; rc=$?
expect_eq "SIGHUP during up: exit 130 after rolling back" "$rc" 130
expect_eq "  ... no container left" "$(containers "$N-hup")" 0
expect_match "  ... saying so" "interrupted; removed what was created" "$(cat "$OUT/hard-hup.out")"

# 4: two ups of one name at once: one wins, the other fails at once and
# removes nothing of the winner's.
"$KSHIM" up --name "$N-cc" -n 1 --image "$IMAGE" --timeout 120 >"$OUT/hard-cc1.out" 2>&1 &
p1=$!
"$KSHIM" up --name "$N-cc" -n 1 --image "$IMAGE" --timeout 120 >"$OUT/hard-cc2.out" 2>&1 &
p2=$!
wait "$p1"; r1=$?
wait "$p2"; r2=$?
expect_eq "concurrent up: exactly one succeeds" "$(( (r1 == 0) + (r2 == 0) ))" 1
expect_match "  ... the other is told another up runs" "another 'kshim up' or 'kshim down' of cluster '$N-cc' is running" \
	"$(cat "$OUT/hard-cc1.out" "$OUT/hard-cc2.out")"
expect_eq "  ... the winner's broker is still running" \
	"$(docker ps -q --filter "label=$LABEL=$N-cc" --filter status=running | wc -l)" 1
"$KSHIM" down --name "$N-cc" >/dev/null 2>&1

# A cluster another engine made (its record says so): this engine's down, status
# and watch refuse it and remove nothing; down --forget removes kshim's files.
home=$(mktemp -d); chmod 700 "$home"
printf 'kshim-table 1\nkafka1\t127.77.9.1\t9092=10.9.9.9:32768\n' >"$home/$N-far.table"
printf 'kshim-engine 1\nengine tcp://10.9.9.9:2376\npublish 10.9.9.9\n' >"$home/$N-far.engine"
chmod 600 "$home"/*
for cmd in down status "watch --once"; do
	# shellcheck disable=SC2086
	out=$(KSHIM_HOME=$home "$KSHIM" $cmd --name "$N-far" 2>&1); rc=$?
	expect_eq "$cmd of a cluster another engine made: exit 1" "$rc" 1
	expect_eq "  ... one line naming both engines" "$(echo "$out" | head -1)" \
		"kshim: cluster '$N-far' was made on the engine at tcp://10.9.9.9:2376 (published on 10.9.9.9), not $(docker context inspect -f '{{.Endpoints.docker.Host}}' 2>/dev/null || echo unix:///var/run/docker.sock)"
done
expect_match "  ... the hint names the other engine and --forget" \
	"^hint: talk to that engine \(DOCKER_HOST=tcp://10.9.9.9:2376 .*kshim down --name $N-far --forget$" "$out"
expect_eq "  ... the table and the record are still there" "$(ls "$home" | grep -c "^$N-far\.")" 2
out=$(KSHIM_HOME=$home "$KSHIM" down --name "$N-far" --forget 2>&1)
expect_eq "down --forget: removes kshim's files of it, asks no engine" "$out" \
	"cluster '$N-far': removed its files (the table, the secrets, the engine record); no engine was asked"
expect_eq "  ... none is left" "$(ls "$home" | grep -c "^$N-far\.")" 0
rm -rf "$home"

# 5: a network name with '?' is not cut at it.
docker network create "$N-esc" >/dev/null
out=$("$KSHIM" attach --network "$N-esc?x=1" --name "$N-esc" 2>&1); rc=$?
expect_eq "attach --network 'NAME?x=1' fails" "$rc" 1
expect_match "  ... as no such network, not as network NAME" "no network '$N-esc\?x=1'" "$out"
finish
