#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 16 threads x 10 s of lookups, connects and getpeername
# while the table is rewritten every 10 ms, removed and restored, chmodded, and
# the process is flooded with signals whose handlers call getpeername. Under
# ASan/UBSan and under TSan: 0 wrong answers, 0 hangs, 0 sanitizer reports;
# a child after fork still resolves (this replaces an older, shorter threads test).
# In a network namespace of its own: its connections would fill the host's
# connection-tracking table (see private_net in lib.sh).
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
SECONDS_EACH=${STRESS_SECONDS:-10}

variant() {
	local san=$1 rt=$2 build=$TOP/build/$3
	make -s -C "$TOP" BUILD="$build" SAN="$san" "$build/libkshim.so" >/dev/null ||
		{ notok "build the shim with -fsanitize=$san"; return; }
	make_to "$work/stress-$3" "$build/helpers/stress" BUILD="$build" SAN="$san" ||
		{ notok "build stress.c with $san"; return; }
	local log=$work/$3.log
	private_net env KSHIM_TABLE="$work/$3.table" LD_PRELOAD="$(cc -print-file-name="$rt") $build/libkshim.so" \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		TSAN_OPTIONS=second_deadlock_stack=1 \
		timeout $((SECONDS_EACH * 6 + 30)) "$work/stress-$3" "$work/$3.table" "$SECONDS_EACH" \
		>"$work/$3.out" 2>"$log"
	local rc=$?
	tap_relay "[$3] " <"$work/$3.out"
	[ "$rc" != 124 ] || notok "[$3] hung (killed)"
	expect_eq "[$3] exit status" "$rc" 0
	expect_eq "[$3] all three checks ran" "$(grep -c '^ok ' "$work/$3.out")" 3
	if grep -Eq 'ERROR: AddressSanitizer|runtime error|WARNING: ThreadSanitizer|ERROR: LeakSanitizer' "$log"; then
		notok "[$3] sanitizer reports"; grep -E -A 30 'ERROR|WARNING|runtime error' "$log" | head -n 60 | sed 's/^/    # /'
	else
		ok "[$3] no sanitizer reports"
	fi
}

check "the stress runs in a network namespace of its own" \
	test "$(private_net readlink /proc/self/ns/net)" != "$(readlink /proc/self/ns/net)"
variant address,undefined libasan.so asan
variant thread libtsan.so tsan
finish
