#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs test suites and prints "N passed, N failed" over all their checks, then the ten slowest.
#   tests/run.sh [--local] all | unit shim e2e matrix fuzz ...
# --local (make check): leaves out the scripts that declare, in a line
# "# needs: root|docker|network ...", something a plain user's machine may not
# give them; make test runs everything.
#
# Scripts run in lanes, side by side: the local lane runs the unit, shim and fuzz scripts one
# after the other (they build into the same directories under build/), and the Docker lanes
# take the e2e and matrix scripts from one queue, slowest first, so that a long script starts
# early and the short ones fill in around it; the local lane joins them when its own are done. Every script uses cluster names of its own, so
# any two can run at once. KSHIM_TEST_JOBS (default 3) is the number of lanes; 1 runs every
# script in turn, in the order of the suites given. Each script's output goes to
# tests/out/<script>.log and is printed whole when the script ends (as it runs, with one lane).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
local_only=0
[ "${1:-}" != --local ] || { local_only=1; shift; }
suites=("$@")
[ ${#suites[@]} = 0 ] || [ "${suites[0]}" = all ] && suites=(unit shim fuzz e2e matrix)
JOBS=${KSHIM_TEST_JOBS:-3}
# The Docker scripts that take longest (seconds in a full run on 2 cores), in the order they
# start; the others follow by name. e2e-kubernetes starts the test cluster that e2e-kubeclient uses.
SLOWEST_FIRST=(matrix-clients e2e-trixie matrix-kafka39 e2e-deb e2e-remote e2e-kubernetes e2e-kubetls e2e-tls
	e2e-debug e2e-launcher e2e-secrets e2e-restart e2e-doctor e2e-compose e2e-podman)

need_docker=0
for s in "${suites[@]}"; do case $s in e2e | matrix) need_docker=1 ;; esac; done

if ! make -s all; then
	echo "not ok - build (make all)"
	echo "0 passed, 1 failed"
	exit 1
fi
if [ $need_docker = 1 ]; then
	bash scripts/dockerd.sh || exit 1
	# Into Docker, the suites' engine, named on the command (kafka-image.sh builds where DOCKER_HOST says).
	DOCKER_HOST=unix:///var/run/docker.sock bash scripts/kafka-image.sh || exit 1
fi

# conntrack_drops: new connections the kernel dropped since boot because its
# connection-tracking table was full (0 without conntrack). While it is full,
# every new connect on the machine hangs, so a run says when that happened.
conntrack_drops() {
	local n=0 h
	while read -r h; do n=$((n + 16#$h)); done < <(awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "drop") c = i; next }
		c { print $c }' /proc/net/stat/nf_conntrack 2>/dev/null)
	echo "$n"
}

mkdir -p tests/out
drops_before=$(conntrack_drops)
run_start=$(date +%s)
R=$(mktemp -d "$TOP/tests/out/.run.XXXXXX")
trap 'rm -rf "$R"' EXIT
: >"$R/results"

# The scripts of this run: local lane first, Docker queue after, each in run order.
local_lane=() docker_lane=() left_out=() missing=()
for s in "${suites[@]}"; do
	ls tests/"$s"-*.sh >/dev/null 2>&1 || { echo "no tests for suite $s"; missing+=("$s"); continue; }
	for t in tests/"$s"-*.sh; do
		needs=$(sed -n 's/^# needs: //p' "$t" | head -n 1)
		if [ $local_only = 1 ] && [ -n "$needs" ]; then
			echo "== $t: left out (needs $needs; make test runs it)"
			left_out+=("$t")
			continue
		fi
		case $s in e2e | matrix) [ "$JOBS" -gt 1 ] && docker_lane+=("$t") || local_lane+=("$t") ;; *) local_lane+=("$t") ;; esac
	done
done
# slowest_first SCRIPT...: the scripts in SLOWEST_FIRST's order, then the rest as given.
slowest_first() {
	local s t
	for s in "${SLOWEST_FIRST[@]}"; do for t; do [ "$t" != "tests/$s.sh" ] || echo "$t"; done; done
	for t; do [[ " ${SLOWEST_FIRST[*]} " == *" $(basename "$t" .sh) "* ]] || echo "$t"; done
}
[ ${#docker_lane[@]} = 0 ] || slowest_first "${docker_lane[@]}" >"$R/queue"

# verdict T LOG RC SECS: the script's summary lines, and its line in $R/results:
# "passed failed broken secs script" (broken: 1 when it exited non-zero, failed, or its plan is off).
verdict() {
	local t=$1 log=$2 rc=$3 secs=$4 p f plan raw extra=0 broken=0
	p=$(grep -cE '^ok [0-9]+( |$)' "$log")
	f=$(grep -cE '^not ok [0-9]+( |$)' "$log")
	plan=$(sed -n 's/^1\.\.\([0-9]\{1,\}\)$/\1/p' "$log" | tail -n 1)
	raw=$(grep -cE '^(not )?ok( - |$)' "$log")
	if [ "${plan:-none}" != $((p + f)) ] || [ "$raw" != 0 ]; then
		extra=1
		echo "not ok - $t: plan ${plan:-missing}, $((p + f)) numbered results, $raw without a number (tap_relay numbers a program's results)"
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		extra=1
		echo "not ok - $t exited $rc"
	fi
	[ "$rc" != 0 ] || [ "$f" != 0 ] || [ $extra != 0 ] && broken=1
	echo "== $t: $p ok, $f not ok, $secs s"
	echo "$p $((f + extra)) $broken $secs $t" >>"$R/results"
}

# run_one T LIVE: runs script T into its log; prints the log (as it runs when LIVE is 1, else
# whole at the end, never interleaved with another script's) and its verdict.
run_one() {
	local t=$1 live=$2 log start rc
	log=tests/out/$(basename "$t" .sh).log
	start=$(date +%s)
	if [ "$live" = 1 ]; then
		echo "== $t"
		bash "$t" 2>&1 </dev/null | tee "$log"
		rc=${PIPESTATUS[0]}
		verdict "$t" "$log" "$rc" $(($(date +%s) - start))
		return
	fi
	bash "$t" >"$log" 2>&1 </dev/null
	rc=$?
	{
		flock 9
		echo "== $t"
		cat "$log"
		verdict "$t" "$log" "$rc" $(($(date +%s) - start))
	} 9>"$R/print.lock"
}

# next_queued: takes the first script off the Docker queue; fails when it is empty.
next_queued() {
	local t
	{
		flock 9
		t=$(head -n 1 "$R/queue")
		sed -i 1d "$R/queue"
	} 9>"$R/queue.lock"
	[ -n "$t" ] && echo "$t"
}

lanes=$JOBS
[ ${#docker_lane[@]} != 0 ] || lanes=1
live=0
[ "$lanes" = 1 ] && live=1
used=$lanes
pids=()
if [ ${#local_lane[@]} != 0 ]; then
	# then it takes Docker scripts too, so that no lane idles while the queue waits
	(
		for t in "${local_lane[@]}"; do run_one "$t" $live; done
		[ ! -s "$R/queue" ] || while t=$(next_queued); do run_one "$t" 0; done
	) &
	pids+=($!)
	lanes=$((lanes - 1))
fi
if [ ${#docker_lane[@]} != 0 ]; then
	for _ in $(seq "$((lanes > 0 ? lanes : 1))"); do
		(while t=$(next_queued); do run_one "$t" 0; done) &
		pids+=($!)
	done
fi
wait "${pids[@]}"

read -r passed failed < <(awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }' "$R/results")
mapfile -t broken < <(awk '$3 == 1 { print $5 }' "$R/results")
broken+=("${missing[@]}")
# The ten slowest suites, so that the suite's time stays in view.
if [ -s "$R/results" ]; then
	echo "slowest suites ($(($(date +%s) - run_start)) s for all $(wc -l <"$R/results"), lanes: $used):"
	sort -k4,4nr "$R/results" | head -n 10 | awk '{ printf "%6d s  %s\n", $4, $5 }'
fi
drops=$(($(conntrack_drops) - drops_before))
[ "$drops" -le 0 ] || echo "# the connection-tracking table was full: the kernel dropped $drops new connections" \
	"during this run (nf_conntrack_max $(cat /proc/sys/net/netfilter/nf_conntrack_max)), and connects hung meanwhile"
[ ${#left_out[@]} = 0 ] || echo "left out: ${left_out[*]}"
[ ${#broken[@]} = 0 ] || echo "failing: ${broken[*]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ ${#broken[@]} = 0 ]
