#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kshim links only what run, env and table need, so that a program started with
# kshim run does not pay for loading libcurl, librdkafka and the rest: at most 2
# million instructions more than the program alone (callgrind). Every other
# subcommand runs in kshim-full, found next to kshim or in lib/kshim.
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

libs=$(ldd "$KSHIM" 2>&1)
for lib in libcurl librdkafka libcrypto libssl libyaml libcjson; do
	expect_nomatch "kshim does not load $lib" "$lib" "$libs"
done
full=$(ldd "$BUILD/kshim-full")
expect_match "kshim-full loads libcurl" 'libcurl' "$full"
expect_match "kshim-full loads librdkafka" 'librdkafka' "$full"

# ir CMD...: the instructions CMD and the program it executes run: callgrind
# writes the part before each exec to a file of its own.
ir() {
	rm -rf "$work/cg" && mkdir "$work/cg"
	valgrind --tool=callgrind --trace-children=yes --dump-before=execve \
		--callgrind-out-file="$work/cg/out.%p" "$@" >/dev/null 2>"$work/cg.err" || return
	cat "$work/cg"/out.* | awk '/^totals:/ { n += $2 } END { print n + 0 }'
}
printf 'kshim-table 1\nkafka1 127.77.1.1 9092=127.0.0.1:29092\n' >"$work/t.table"
chmod 600 "$work/t.table"
alone=$(ir /usr/bin/true)
through=$(ir "$KSHIM" run --table "$work/t.table" -- /usr/bin/true)
extra=$((${through:-0} - ${alone:-0}))
said="$extra instructions more than true (${through:-?} vs ${alone:-?}; at most 2,000,000)"
if [ "${alone:-0}" -gt 0 ] && [ "${through:-0}" -gt "$alone" ] && [ "$extra" -le 2000000 ]; then
	ok "kshim run -- true: $said"
else
	notok "kshim run -- true: $said"; sed 's/^/    # /' "$work/cg.err" | tail -n 5
fi
# Valgrind cannot run the supervisor (it does not know pidfd_getfd): its maps instead.
maps=$("$KSHIM" run --via seccomp --table "$work/t.table" -- sh -c 'cat /proc/$PPID/maps')
expect_match "kshim run --via seccomp: the supervisor's maps (kshim's own)" "$(readlink -f "$KSHIM")" "$maps"
expect_nomatch "  ... and not libcurl, librdkafka, libcrypto" 'libcurl|librdkafka|libcrypto' "$maps"

# The other subcommands go through kshim-full, usage errors and --help included.
out=$("$KSHIM" status --help)
expect_match "kshim status --help: status's usage, from kshim-full" '^usage: kshim status' "$out"
out=$("$KSHIM" up --no-such-option 2>&1); rc=$?
expect_eq "kshim up --no-such-option: exit 2" "$rc" 2
expect_match "  ... the cause and up's usage" "unknown option '--no-such-option'"$'\n''usage: kshim up' "$out"
subcommands() { "$1" --help | grep -oE '^  [a-z]+ ' | tr -d ' ' | tr '\n' ' '; }
expect_eq "kshim --help lists every subcommand kshim-full has" "$(subcommands "$KSHIM")" "$(subcommands "$BUILD/kshim-full")"
expect_match "  ... up, run, env and table among them" '^up .*run env .*table ' "$(subcommands "$KSHIM")"

mkdir "$work/bare" && cp "$KSHIM" "$SHIM" "$work/bare/"
out=$("$work/bare/kshim" status 2>&1); rc=$?
expect_eq "kshim without kshim-full: status exits 1" "$rc" 1
expect_match "  ... saying where it looked, with a hint" "^kshim: kshim-full not found next to $work/bare"$'\n'"hint: run 'make' \(build tree\) or 'make install' again" "$out"
out=$("$work/bare/kshim" run --table "$work/t.table" -- sh -c 'echo "$LD_PRELOAD"')
expect_eq "  ... and run still works" "$out" "$work/bare/libkshim.so"

make -s -C "$TOP" install PREFIX="$work/prefix" >/dev/null
out=$("$work/prefix/bin/kshim" logs --help)
expect_match "an installed kshim runs lib/kshim/kshim-full for logs" '^usage: kshim logs' "$out"
out=$(strace -f -e trace=execve -o "$work/strace" "$work/prefix/bin/kshim" watch --help >/dev/null; grep -c "execve(\"$work/prefix/lib/kshim/kshim-full\"" "$work/strace")
expect_eq "  ... exactly once, from lib/kshim" "$out" 1
finish
