#!/usr/bin/env bash
# Runs test suites and prints "N passed, N failed" over all their checks.
#   tests/run.sh [--local] all | unit shim e2e matrix fuzz ...
# --local (make check): leaves out the scripts that declare, in a line
# "# needs: root|docker|network ...", something a plain user's machine may not
# give them; make test runs everything.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
local_only=0
[ "${1:-}" != --local ] || { local_only=1; shift; }
suites=("$@")
[ ${#suites[@]} = 0 ] || [ "${suites[0]}" = all ] && suites=(unit shim fuzz e2e matrix)

need_docker=0
for s in "${suites[@]}"; do case $s in e2e | matrix) need_docker=1 ;; esac; done

if ! make -s all; then
	echo "not ok - build (make all)"
	echo "0 passed, 1 failed"
	exit 1
fi
if [ $need_docker = 1 ]; then
	bash scripts/dockerd.sh || exit 1
	bash scripts/kafka-image.sh || exit 1
fi

mkdir -p tests/out
run_start=$(date +%s)
passed=0 failed=0 broken=() left_out=() timings=()
for s in "${suites[@]}"; do
	for t in tests/"$s"-*.sh; do
		[ -e "$t" ] || { echo "no tests for suite $s"; broken+=("$s"); continue; }
		needs=$(sed -n 's/^# needs: //p' "$t" | head -n 1)
		if [ $local_only = 1 ] && [ -n "$needs" ]; then
			echo "== $t: left out (needs $needs; make test runs it)"
			left_out+=("$t")
			continue
		fi
		log=tests/out/$(basename "$t" .sh).log
		echo "== $t"
		start=$(date +%s)
		bash "$t" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		p=$(grep -cE '^ok [0-9]+( |$)' "$log")
		f=$(grep -cE '^not ok [0-9]+( |$)' "$log")
		plan=$(sed -n 's/^1\.\.\([0-9]\{1,\}\)$/\1/p' "$log" | tail -n 1)
		raw=$(grep -cE '^(not )?ok( - |$)' "$log")
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "${plan:-none}" != $((p + f)) ] || [ "$raw" != 0 ]; then
			failed=$((failed + 1))
			echo "not ok - $t: plan ${plan:-missing}, $((p + f)) numbered results, $raw without a number (tap_relay numbers a program's results)"
		elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			failed=$((failed + 1))
			echo "not ok - $t exited $rc"
		fi
		[ "$rc" != 0 ] || [ "$f" != 0 ] || [ "${plan:-none}" != $((p + f)) ] || [ "$raw" != 0 ] &&
			broken+=("$t")
		secs=$(($(date +%s) - start))
		timings+=("$secs $t")
		echo "== $t: $p ok, $f not ok, $secs s"
	done
done
# The ten slowest suites, so that the suite's time stays in view.
if [ ${#timings[@]} != 0 ]; then
	echo "slowest suites ($(($(date +%s) - run_start)) s for all ${#timings[@]}):"
	printf '%s\n' "${timings[@]}" | sort -rn | head -n 10 | awk '{ printf "%6d s  %s\n", $1, $2 }'
fi
[ ${#left_out[@]} = 0 ] || echo "left out: ${left_out[*]}"
[ ${#broken[@]} = 0 ] || echo "failing: ${broken[*]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ ${#broken[@]} = 0 ]
