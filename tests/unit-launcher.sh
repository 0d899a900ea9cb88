#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The launcher's defences that need no Docker: an install path LD_PRELOAD
# cannot hold, concurrent table writers and their loopback blocks, cluster
# names in env and table, the directory fsync after the table's rename, and a
# relative KSHIM_HOME exported as an absolute path.
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
unset KSHIM_TABLE

# A path with a space or a colon is refused, with the reason.
for dir in "$work/with space" "$work/with:colon"; do
	mkdir -p "$dir"; cp "$KSHIM" "$SHIM" "$dir/"
	printf 'kshim-table 1\n' >"$work/t.table"; chmod 600 "$work/t.table"
	out=$("$dir/kshim" env --table "$work/t.table" 2>&1); rc=$?
	expect_eq "preload path '${dir##*/}': kshim env fails" "$rc" 1
	expect_match "  ... saying LD_PRELOAD cannot hold it" "space or a colon" "$out"
	out=$("$dir/kshim" run --table "$work/t.table" -- /bin/true 2>&1); rc=$?
	expect_eq "preload path '${dir##*/}': kshim run fails instead of running unshimmed" "$rc" 1
done

# Eight writers at once get eight loopback blocks.
make_to "$work/tables_race" build/helpers/tables_race || { notok "build tests/helpers/tables_race.c"; finish; }
for round in 1 2 3; do
	home=$work/race$round; mkdir -m 700 "$home"
	out=$(KSHIM_HOME=$home "$work/tables_race" 8 2>&1)
	expect_eq "concurrent table writers, round $round: 8 distinct blocks" "$out" \
		"8 tables, 8 distinct blocks, 0 writers failed"
done

# Eight watchers of one cluster's restarts at once: no update is lost.
for round in 1 2 3; do
	home=$work/sync$round; mkdir -m 700 "$home"
	out=$(KSHIM_HOME=$home "$work/tables_race" sync 8 2>&1)
	expect_eq "concurrent table syncs, round $round: every node on its last port" "$out" \
		"8 nodes, 8 on their writer's last port, 0 writers failed"
done

# attach on a remote engine: its ports are not on this machine's loopback, so
# it needs --publish-address, as up does; refused before any request.
out=$(DOCKER_HOST=tcp://192.0.2.1:2376 "$KSHIM" attach --network x --name att 2>&1); rc=$?
expect_eq "attach on a remote engine without --publish-address: exit 1" "$rc" 1
expect_eq "  ... the cause names the remote engine" "$(echo "$out" | head -1)" \
	"kshim: tcp://192.0.2.1:2376 (from DOCKER_HOST) is a remote engine: its loopback is not this machine's"
expect_match "  ... the hint names --publish-address" "^hint: .*kshim attach --publish-address" "$out"
out=$(DOCKER_HOST=tcp://192.0.2.1:2376 "$KSHIM" attach --network x --name att --publish-address 192.0.2.1 2>&1)
expect_match "  ... with it, attach goes on to the engine" "^kshim: cannot connect to the Docker daemon at tcp://192.0.2.1:2376" "$out"
"$KSHIM" attach --network x --publish-address 0.0.0.0 >/dev/null 2>&1
expect_eq "attach --publish-address 0.0.0.0: a usage error" "$?" 2

# --name is a cluster name, not a path, in env and table.
for cmd in env table; do
	out=$("$KSHIM" "$cmd" --name ../../etc/passwd 2>&1); rc=$?
	expect_eq "kshim $cmd --name ../../etc/passwd: a usage error" "$rc" 2
	expect_match "  ... naming the rule" "bad cluster name" "$out"
done

# Relative KSHIM_HOME: env exports an absolute KSHIM_TABLE.
mkdir -m 700 "$work/rel"; printf 'kshim-table 1\n' >"$work/rel/c1.table"; chmod 600 "$work/rel/c1.table"
out=$(cd "$work" && KSHIM_HOME=rel "$KSHIM" env --name c1 2>&1)
expect_match "relative KSHIM_HOME: KSHIM_TABLE exported absolute" "KSHIM_TABLE='$work/rel/c1.table'" "$out"

# The table directory is fsynced after the rename.
home=$work/sync; mkdir -m 700 "$home"
KSHIM_HOME=$home strace -f -o "$work/strace" -e trace=rename,renameat,renameat2,fsync \
	"$work/tables_race" 1 >/dev/null 2>&1
after=$(grep -A1 'rename.*race0\.table")' "$work/strace" | tail -n 1)
expect_match "fsync follows the table's rename" '^[0-9]+ +fsync\(' "$after"
finish
