#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make soak: the restart test 5 times, then `up -n 3` + checks + `down` 10 times
# in a row, each up checked ready with all 3 brokers (status) and healthy on
# every layer (doctor). Per-run times and figures, then a summary.
#   KSHIM_SOAK_RESTARTS (5), KSHIM_SOAK_CYCLES (10) change the counts.
. "$(dirname "$0")/lib.sh"

IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
RESTARTS=${KSHIM_SOAK_RESTARTS:-5}
CYCLES=${KSHIM_SOAK_CYCLES:-10}
N=soak$$

cleanup() {
	"$KSHIM" down --name "$N" >/dev/null 2>&1
	rm -rf "$KSHIM_HOME"
}
trap cleanup EXIT

bash "$TOP/scripts/dockerd.sh" || { notok "Docker daemon answers"; finish; }
DOCKER_HOST=$DOCKER_ENGINE bash "$TOP/scripts/kafka-image.sh" >/dev/null || { notok "image $IMAGE builds"; finish; }
make -s -C "$TOP" all || { notok "build"; finish; }

restart_ok=0
for i in $(seq "$RESTARTS"); do
	log=$OUT/soak-restart-$i.log
	t0=$SECONDS
	env -u KSHIM_HOME bash "$TOP/tests/e2e-restart.sh" >"$log" 2>&1
	rc=$?
	bad=$(grep -c '^not ok' "$log")
	figures=$(sed -n 's/^# \(docker restart [^:]*: .*\)$/\1/p; s/^# \(producer: .*\)$/\1/p; s/^# consumer: \(.*\)$/consumer \1/p; s/^# \(longest partition stall .*\)$/\1/p' "$log" |
		sed 's/^docker restart [^ ]*: //' | tr '\n' ';' | sed 's/;$//; s/;/; /g')
	echo "# restart run $i: $((SECONDS - t0)) s, exit $rc, $bad failed checks; $figures"
	if [ "$rc" = 0 ] && [ "$bad" = 0 ]; then
		ok "restart run $i"
		restart_ok=$((restart_ok + 1))
	else
		notok "restart run $i (log $log)"
		grep '^not ok' "$log" | sed 's/^/    # /'
	fi
done

# status_brokers: how many nodes are running, accept TCP and list 3 brokers.
status_brokers() {
	"$KSHIM" status --name "$N" --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(n["running"] and n["tcp"] and n["kafka"] and n["brokers"] == 3 for n in d["nodes"]))'
}

cycles_ok=0 ups=()
for i in $(seq "$CYCLES"); do
	t0=$(date +%s%N)
	"$KSHIM" up -n 3 --name "$N" --image "$IMAGE" >"$OUT/soak-up.log" 2>&1
	up_rc=$?
	up_ms=$((($(date +%s%N) - t0) / 1000000))
	ready=$(status_brokers)
	"$KSHIM" doctor --name "$N" >"$OUT/soak-doctor.log" 2>&1
	doc_rc=$?
	t1=$(date +%s%N)
	"$KSHIM" down --name "$N" >/dev/null 2>&1
	down_rc=$?
	down_ms=$((($(date +%s%N) - t1) / 1000000))
	left=$(($(docker ps -aq --filter "label=io.kshim.cluster=$N" | wc -l) + $(docker network ls -q --filter "label=io.kshim.cluster=$N" | wc -l)))
	echo "# cycle $i: up ${up_ms} ms (exit $up_rc), $ready/3 brokers ready, doctor exit $doc_rc, down ${down_ms} ms (exit $down_rc), $left objects left"
	if [ "$up_rc$doc_rc$down_rc" = 000 ] && [ "$ready" = 3 ] && [ "$left" = 0 ]; then
		ok "cycle $i: up, 3 brokers ready, doctor healthy, down clean"
		cycles_ok=$((cycles_ok + 1))
		ups+=("$up_ms")
	else
		notok "cycle $i"
		sed 's/^/    # /' "$OUT/soak-up.log" "$OUT/soak-doctor.log" | grep -v ' ok ' | head -n 20
	fi
done

stats=$(printf '%s\n' "${ups[@]}" | awk 'NF { n++; s += $1; if (!min || $1 < min) min = $1; if ($1 > max) max = $1 }
	END { if (n) printf "up min %.1f s, mean %.1f s, max %.1f s", min / 1000, s / n / 1000, max / 1000 }')
echo "# soak summary: restart test $restart_ok/$RESTARTS passed; up/down cycles $cycles_ok/$CYCLES passed${stats:+; $stats}"
finish
