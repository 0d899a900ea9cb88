#!/usr/bin/env bash
# libFuzzer targets for the table parser, the getaddrinfo hook and the seccomp
# supervisor's connect decision.
#   tests/fuzz.sh short   a few seconds each (part of make test)
#   tests/fuzz.sh long    10,000,000 executions each (make fuzz); prints the figures
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-short}
case $mode in short) runs=200000 ;; long) runs=${FUZZ_RUNS:-10000000} ;; *) echo "usage: $0 short|long" >&2; exit 2 ;; esac
out=$TOP/tests/out/fuzz; mkdir -p "$out"
failed=0
build() { # build NAME SOURCES...
	local name=$1; shift
	clang -g -O1 -std=c11 -D_GNU_SOURCE -I"$TOP/include" -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o "$out/$name" "$@" -ldl -lpthread
}
build fuzz_table "$TOP/tests/fuzz/fuzz_table.c" "$TOP/shim/table_format.c" || exit 1
build fuzz_sockaddr "$TOP/tests/fuzz/fuzz_sockaddr.c" "$TOP/shim/table_format.c" || exit 1
build fuzz_gai "$TOP/tests/fuzz/fuzz_gai.c" "$TOP"/shim/{core,hooks_resolve,hooks_socket,hooks_hostent,real,table_format}.c || exit 1
for t in table gai sockaddr; do
	work=$(mktemp -d)
	start=$(date +%s)
	# New inputs go to the scratch directory; the committed corpus is only read.
	(cd "$work" && "$out/fuzz_$t" -runs="$runs" -print_final_stats=1 "$work" "$TOP/tests/fuzz/corpus/$t") >"$out/$t.log" 2>&1
	rc=$?
	execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$out/$t.log")
	crashes=$(ls "$work" | grep -c '^crash-\|^leak-\|^timeout-')
	echo "fuzz_$t: ${execs:-0} executions, $crashes crashes, $(($(date +%s) - start)) s (exit $rc)"
	if [ "$rc" != 0 ] || [ "$crashes" != 0 ] || [ "${execs:-0}" -lt "$runs" ]; then
		echo "not ok - fuzz_$t"; grep -E 'ERROR|SUMMARY|#[0-9]+ 0x' "$out/$t.log" | head -n 20
		cp "$work"/crash-* "$work"/leak-* "$out/" 2>/dev/null
		failed=1
	else
		echo "ok - fuzz_$t ran $execs executions with no crash"
	fi
	rm -rf "$work"
done
exit $failed
