#!/usr/bin/env bash
# Runs test suites and prints "N passed, N failed" over all their checks.
#   tests/run.sh all | unit shim e2e matrix fuzz ...
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
suites=("$@")
[ ${#suites[@]} = 0 ] || [ "${suites[0]}" = all ] && suites=(unit shim fuzz e2e matrix)

need_docker=0
for s in "${suites[@]}"; do case $s in e2e | matrix) need_docker=1 ;; esac; done

make -s all || exit 1
if [ $need_docker = 1 ]; then
	bash scripts/dockerd.sh || exit 1
	bash scripts/kafka-image.sh || exit 1
fi

mkdir -p tests/out
passed=0 failed=0 broken=()
for s in "${suites[@]}"; do
	for t in tests/"$s"-*.sh; do
		[ -e "$t" ] || { echo "no tests for suite $s"; broken+=("$s"); continue; }
		log=tests/out/$(basename "$t" .sh).log
		echo "== $t"
		start=$(date +%s)
		bash "$t" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		p=$(grep -c '^ok - ' "$log")
		f=$(grep -c '^not ok - ' "$log")
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			failed=$((failed + 1))
			echo "not ok - $t exited $rc"
		fi
		[ "$rc" != 0 ] || [ "$f" != 0 ] && broken+=("$t")
		echo "== $t: $p ok, $f not ok, $(($(date +%s) - start)) s"
	done
done
[ ${#broken[@]} = 0 ] || echo "failing: ${broken[*]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ ${#broken[@]} = 0 ]
