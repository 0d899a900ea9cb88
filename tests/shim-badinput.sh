#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A malformed table, a missing table, a table others can
# write, and a table rewritten while a program runs. Nothing crashes or hangs,
# and each case behaves as README describes.
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d); trap 'stop_identity_servers; rm -rf "$work"' EXIT
identity_servers "$work" kafka1 kafka2 kafka3 || finish
PY=/usr/bin/python3
probe() { # probe TABLE ROUNDS INTERVAL NAME... ; stdout+stderr, bounded in time
	local table=$1; shift
	KSHIM_TABLE=$table LD_PRELOAD="$SHIM_PRELOAD" timeout 60 "$PY" "$TOP/tests/helpers/probe.py" "$@" 2>&1
}

# No table configured: a pure pass-through that says nothing.
out=$(env -u KSHIM_TABLE LD_PRELOAD="$SHIM_PRELOAD" timeout 20 "$PY" "$TOP/tests/helpers/probe.py" 1 0 kafka1 localhost 2>&1)
expect_match "without KSHIM_TABLE kafka1 does not resolve" '^0 kafka1 error gaierror' "$out"
expect_nomatch "  ... and the shim prints nothing" 'kshim' "$out"
out=$(KSHIM_TABLE= LD_PRELOAD="$SHIM_PRELOAD" timeout 20 "$PY" -c 'import socket; print(socket.gethostbyname("localhost"))' 2>&1)
expect_eq "with KSHIM_TABLE empty, other names resolve as before" "$out" "127.0.0.1"

# Malformed lines: skipped, reported once, good lines still work.
{
	echo "kshim-table 1"
	echo "kafka1 127.77.0.1 9092=127.0.0.1:${PORT[kafka1]}"
	echo "kafka2 127.77.0.2 9092=127.0.0.1:notaport"
	echo "this line is garbage"
	echo "kafka3 127.77.0.3 9092=127.0.0.1:${PORT[kafka3]}"
} >"$work/bad.table"; chmod 600 "$work/bad.table"
out=$(probe "$work/bad.table" 5 0.05 kafka1 kafka2 kafka3)
expect_eq "good lines of a malformed table still map (kafka1)" "$(grep -c '^[0-9] kafka1 kafka1$' <<<"$out")" 5
expect_eq "good lines of a malformed table still map (kafka3)" "$(grep -c '^[0-9] kafka3 kafka3$' <<<"$out")" 5
expect_eq "the name on a malformed line is not mapped" "$(grep -c '^[0-9] kafka2 error' <<<"$out")" 5
expect_eq "each malformed line is reported once, not per lookup" "$(grep -c 'line skipped' <<<"$out")" 2
expect_match "  ... with file and line number" "bad.table:3: line skipped: bad mapping" "$out"

# Garbage and empty files: no crash, no hang, names pass through, one warning.
head -c 4096 /dev/urandom >"$work/random.table"; chmod 600 "$work/random.table"
out=$(probe "$work/random.table" 3 0 kafka1); rc=$?
expect_eq "random bytes as a table: the program runs to the end" "$rc" 0
expect_eq "  ... names pass through unmapped" "$(grep -c 'kafka1 error' <<<"$out")" 3
expect_eq "  ... one warning" "$(grep -c '^kshim: ' <<<"$out")" 1
: >"$work/empty.table"; chmod 600 "$work/empty.table"
out=$(probe "$work/empty.table" 2 0 kafka1)
expect_match "an empty table is reported" "empty.table: missing 'kshim-table 1' header" "$out"

# Missing table: warned once, names pass through, program runs on.
out=$(probe "$work/nonexistent.table" 3 0 kafka1 localhost); rc=$?
expect_eq "missing table: the program runs to the end" "$rc" 0
expect_eq "  ... one warning" "$(grep -c 'nonexistent.table: No such file or directory; names pass through unmapped' <<<"$out")" 1
expect_eq "  ... kafka1 is not mapped" "$(grep -c 'kafka1 error' <<<"$out")" 3

# Writable by others: ignored, and said so.
write_table "$work/open.table" kafka1 kafka2 kafka3
chmod 666 "$work/open.table"
out=$(probe "$work/open.table" 2 0 kafka1)
expect_match "a world-writable table is ignored, with the reason" 'open.table: writable by other users or owned by another user; ignored' "$out"
expect_eq "  ... and its names are not mapped" "$(grep -c 'kafka1 error' <<<"$out")" 2
chmod 620 "$work/open.table"
out=$(probe "$work/open.table" 1 0 kafka1)
expect_match "a group-writable table is ignored too" 'ignored' "$out"
# Owned by another user: as root, a table given to nobody; otherwise root's
# /etc/passwd seen from a user namespace where root is unmapped (it shows as
# the overflow uid) and we are uid 4242 (neither 0 nor the overflow uid, so
# this holds for the user nobody too).
if [ "$(id -u)" = 0 ]; then
	chmod 600 "$work/open.table"; chown nobody "$work/open.table"
	out=$(probe "$work/open.table" 1 0 kafka1)
else
	out=$(unshare -U --map-user=4242 --map-group=4242 env KSHIM_TABLE=/etc/passwd LD_PRELOAD="$SHIM_PRELOAD" \
		timeout 60 "$PY" "$TOP/tests/helpers/probe.py" 1 0 kafka1 2>&1)
fi
expect_match "a table owned by another user is ignored" 'ignored' "$out"

# Rewritten while the program runs: kafka1 moves to kafka2's server, then the
# file is broken, then restored; the running program follows every change. Each
# change waits until the program has answered with the one before, so a slow
# start on a loaded machine cannot skip a phase.
write_table "$work/live.table" kafka1 kafka2 kafka3
KSHIM_TABLE=$work/live.table LD_PRELOAD="$SHIM_PRELOAD" timeout 120 "$PY" "$TOP/tests/helpers/probe.py" 40 0.05 kafka1 >"$work/live.out" 2>&1 &
pid=$!
# seen REGEX: waits (up to 30 s) for a line of the program's output.
seen() { for _ in $(seq 300); do grep -Eq "$1" "$work/live.out" && return 0; sleep 0.1; done; return 1; }
seen '^[0-9]+ kafka1 kafka1$'
{ echo "kshim-table 1"; echo "kafka1 127.77.0.1 9092=127.0.0.1:${PORT[kafka2]}"; } >"$work/t"; chmod 600 "$work/t"; mv "$work/t" "$work/live.table"
seen 'kafka1 kafka2$'
echo "kshim-table 1" >"$work/t"; echo "kafka1 127.77.0.1 9092=127.0.0.1:" >>"$work/t"; chmod 600 "$work/t"; mv "$work/t" "$work/live.table"
seen 'kafka1 error'
write_table "$work/live.table" kafka1 kafka2 kafka3
wait $pid; rc=$?
out=$(cat "$work/live.out")
expect_eq "rewritten table: the program runs to the end" "$rc" 0
expect_match "first kafka1 reaches its own server" '^0 kafka1 kafka1$' "$out"
expect_match "after the rewrite kafka1 reaches the new port" 'kafka1 kafka2$' "$out"
expect_match "while the line is broken kafka1 is unmapped" 'kafka1 error' "$out"
expect_match "after the repair kafka1 is back" '^39 kafka1 kafka1$' "$out"
order=$(grep -E '^[0-9]+ kafka1 ' <<<"$out" | awk '{print $3}' | uniq | tr '\n' ' ')
expect_eq "changes are seen in order, never mixed up" "$order" "kafka1 kafka2 error kafka1 "
finish
