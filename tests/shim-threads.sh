#!/usr/bin/env bash
# Issue 2, item 4: 16 threads resolving and connecting concurrently (with the
# table rewritten underneath) run clean under ASan/UBSan and under TSan; a
# child after fork resolves correctly.
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

variant() {
	local san=$1 rt=$2 build=$TOP/build/$3
	make -s -C "$TOP" BUILD="$build" SAN="$san" "$build/libkshim.so" >/dev/null ||
		{ notok "build the shim with -fsanitize=$san"; return; }
	cc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -g -fsanitize="$san" -o "$work/threads-$3" \
		"$TOP/tests/unit/threads.c" -lpthread || { notok "build threads.c with $san"; return; }
	local runtime; runtime=$(cc -print-file-name="$rt")
	local log=$work/$3.log
	env KSHIM_TABLE="$work/$3.table" LD_PRELOAD="$runtime $build/libkshim.so" \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		"$work/threads-$3" "$work/$3.table" >"$work/$3.out" 2>"$log"
	local rc=$?
	tap_relay "[$3] " <"$work/$3.out"
	expect_eq "[$3] exit status" "$rc" 0
	expect_eq "[$3] both checks ran" "$(grep -c '^ok - ' "$work/$3.out")" 2
	if grep -Eq 'ERROR: AddressSanitizer|runtime error|WARNING: ThreadSanitizer|ERROR: LeakSanitizer' "$log"; then
		notok "[$3] sanitizer reports"; head -n 40 "$log" | sed 's/^/    # /'
	else
		ok "[$3] no sanitizer reports"
	fi
}

variant address,undefined libasan.so asan
variant thread libtsan.so tsan
finish
