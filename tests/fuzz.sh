#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# libFuzzer targets for the table parser, the getaddrinfo hook, the seccomp
# supervisor's connect decision and the launcher's parsers of Docker replies.
#   tests/fuzz.sh short   a few seconds each (part of make test)
#   tests/fuzz.sh long    10,000,000 executions each (make fuzz); prints the figures
. "$(dirname "$0")/lib.sh"
mode=${1:-short}
case $mode in short) runs=200000 ;; long) runs=${FUZZ_RUNS:-10000000} ;; *) echo "usage: $0 short|long" >&2; exit 2 ;; esac
out=$OUT/fuzz; mkdir -p "$out"
# The targets, from the Makefile's rule (clang, ASan, UBSan), into $out.
for t in table sockaddr gai docker; do
	make_to "$out/fuzz_$t" "build/fuzz/fuzz_$t" || { notok "build fuzz_$t"; finish; }
done
for t in ${FUZZ_TARGETS:-table gai sockaddr docker}; do
	work=$(mktemp -d)
	start=$(date +%s)
	# New inputs go to the scratch directory; the committed corpus is only read.
	# fuzz_gai's shim takes its table's path from the environment when it loads.
	(cd "$work" && KSHIM_TABLE=$work.table "$out/fuzz_$t" -runs="$runs" -print_final_stats=1 "$work" \
		"$TOP/tests/fuzz/corpus/$t") >"$out/$t.log" 2>&1
	rc=$?
	execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$out/$t.log")
	crashes=$(ls "$work" | grep -c '^crash-\|^leak-\|^timeout-')
	echo "fuzz_$t: ${execs:-0} executions, $crashes crashes, $(($(date +%s) - start)) s (exit $rc)"
	if [ "$rc" != 0 ] || [ "$crashes" != 0 ] || [ "${execs:-0}" -lt "$runs" ]; then
		notok "fuzz_$t"; grep -E 'ERROR|SUMMARY|#[0-9]+ 0x' "$out/$t.log" | head -n 20
		cp "$work"/crash-* "$work"/leak-* "$out/" 2>/dev/null
	else
		ok "fuzz_$t ran $execs executions with no crash"
	fi
	rm -rf "$work" "$work.table"
done
finish
