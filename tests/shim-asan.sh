#!/usr/bin/env bash
# The shim's resolver and bad-input tests again, with the shim built under
# AddressSanitizer and UndefinedBehaviorSanitizer; any report fails.
. "$(dirname "$0")/lib.sh"
build=$TOP/build/asan
make -s -C "$TOP" BUILD="$build" SAN=address,undefined "$build/libkshim.so" >/dev/null ||
	{ notok "build the shim with -fsanitize=address,undefined"; finish; }
logs=$(mktemp -d); trap 'rm -rf "$logs"' EXIT
export SHIM_PRELOAD="$(cc -print-file-name=libasan.so) $build/libkshim.so"
export ASAN_OPTIONS=detect_leaks=0:log_path=$logs/asan UBSAN_OPTIONS=print_stacktrace=1:log_path=$logs/ubsan
for t in shim-hints shim-badinput; do
	tap_run "[asan] $t: " bash "$TOP/tests/$t.sh"
done
if ls "$logs" | grep -q .; then
	notok "[asan] sanitizer reports"; head -n 40 "$logs"/* | sed 's/^/    # /'
else
	ok "[asan] no sanitizer reports"
fi
finish
