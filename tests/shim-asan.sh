#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The shim's resolver and bad-input tests again, with the shim built under
# AddressSanitizer and UndefinedBehaviorSanitizer, and the seccomp supervisor's
# tests with kshim itself built so; any report fails.
. "$(dirname "$0")/lib.sh"
build=$TOP/build/asan
make -s -C "$TOP" BUILD="$build" SAN=address,undefined "$build/libkshim.so" "$build/kshim" >/dev/null ||
	{ notok "build the shim and kshim with -fsanitize=address,undefined"; finish; }
logs=$(mktemp -d); trap 'rm -rf "$logs"' EXIT
SHIM_PRELOAD="$(cc -print-file-name=libasan.so) $build/libkshim.so"
export SHIM_PRELOAD
export ASAN_OPTIONS=detect_leaks=0:log_path=$logs/asan UBSAN_OPTIONS=print_stacktrace=1:log_path=$logs/ubsan
for t in shim-hints shim-badinput; do
	tap_run "[asan] $t: " bash "$TOP/tests/$t.sh"
done
# The supervisor runs in kshim: the sanitized kshim (leaks checked too), the
# unsanitized probes.
expect_match "[asan] kshim is built with AddressSanitizer" 'libasan' "$(ldd "$build/kshim")"
BUILD=$build ASAN_OPTIONS=detect_leaks=1:log_path=$logs/asan tap_run "[asan] shim-seccomp: " bash "$TOP/tests/shim-seccomp.sh"
if ls "$logs" | grep -q .; then
	notok "[asan] sanitizer reports"; head -n 40 "$logs"/* | sed 's/^/    # /'
else
	ok "[asan] no sanitizer reports"
fi
finish
