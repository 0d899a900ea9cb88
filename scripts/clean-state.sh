#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make clean-state: puts this machine back in the state a fresh one is in, as far as kshim is
# concerned, so that `make test` has to build and install again whatever it needs.
#
# Usage: scripts/clean-state.sh [--dry-run]
#   --dry-run   print what would be stopped or removed; change nothing
#
# Removes, in this order:
#   1. the Kubernetes test cluster (scripts/kubernetes.sh down, when that script exists);
#   2. in Docker (/var/run/docker.sock) and in Podman: the containers of kshim's clusters and
#      tests (labels io.kshim.cluster, io.kshim.test, io.kshim.bench, kshim.matrix, kshim.test, and
#      any container of a kshim/* image), then their networks, then the kshim/* images;
#   3. Podman's service (podman system service on /run/podman/podman.sock), its socket and log;
#   4. leftover network namespaces of tests/e2e-remote.sh (kshim-remote-*);
#   5. $KSHIM_CACHE (default /var/cache/kshim), the Debian trees of scripts/debootstrap.sh with it,
#      except its Maven local repositories (m2 and matrix/m2): package caches, like apt's, Go's,
#      npm's and cargo's, which all stay;
#   6. the table directories of test clusters (/tmp/kshim-test.*, /tmp/kmx-home.*), the tests'
#      scratch directories (/tmp/kshim-*), this user's default table directory, and tests/out.
# Docker itself keeps running; package installs stay.
# Environment: KSHIM_CACHE; KSHIM_CLEAN_ROOT, a directory that stands for / in the paths above
# (tests/unit-cleanstate.sh runs the script on a scratch tree and stand-in engines).
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
R=${KSHIM_CLEAN_ROOT:-}
DOCKER_ENGINE=unix:///var/run/docker.sock
PODMAN_SOCK=/run/podman/podman.sock
CACHE=${KSHIM_CACHE:-$R/var/cache/kshim}
LABELS=(io.kshim.cluster io.kshim.test io.kshim.bench kshim.matrix kshim.test)
DRY=0

case ${1:-} in
"") ;;
--dry-run) DRY=1 ;;
-h | --help) sed -n '3,23p' "$0"; exit 0 ;;
*) echo "clean-state.sh: error: unknown argument: $1" >&2; echo "clean-state.sh: hint: usage: $0 [--dry-run]" >&2; exit 2 ;;
esac

say() { echo "clean-state: $*"; }
# act DESC CMD...: runs CMD, its output dropped (or only says what it would do, with --dry-run).
act() {
	local desc=$1; shift
	if [ $DRY = 1 ]; then say "would $desc"; return 0; fi
	say "$desc"
	"$@" >/dev/null || say "  (failed: $*)"
}

# engine_clean NAME CLI...: the containers, networks and images of kshim in the engine that the
# command CLI (docker --host ..., podman) reaches.
engine_clean() {
	local name=$1 ids nets= imgs l i
	shift
	"$@" version >/dev/null 2>&1 || { say "$name: no engine answers; nothing to remove there"; return 0; }
	imgs=$("$@" images --format '{{.Repository}}:{{.Tag}}' | grep -E '^(localhost/)?kshim/' | sort -u)
	ids=$(
		for l in "${LABELS[@]}"; do "$@" ps -aq --filter "label=$l"; done
		for i in $imgs; do "$@" ps -aq --filter "ancestor=$i"; done
	)
	ids=$(sort -u <<<"$ids" | grep .)
	if [ -n "$ids" ]; then
		nets=$("$@" inspect --format '{{range $n, $_ := .NetworkSettings.Networks}}{{println $n}}{{end}}' $ids 2>/dev/null |
			grep -vxE 'bridge|host|none|podman')
		# shellcheck disable=SC2086
		act "$name: remove $(wc -w <<<"$ids") containers of kshim's clusters and tests" "$@" rm -fv $ids
	fi
	nets=$(
		printf '%s\n' $nets
		for l in "${LABELS[@]}"; do "$@" network ls --format '{{.Name}}' --filter "label=$l"; done
	)
	nets=$(sort -u <<<"$nets" | grep .)
	# shellcheck disable=SC2086
	[ -z "$nets" ] || act "$name: remove networks $(echo $nets)" "$@" network rm $nets
	# shellcheck disable=SC2086
	[ -z "$imgs" ] || act "$name: remove images $(echo $imgs)" "$@" rmi -f $imgs
}

podman_service() {
	local pid
	pid=$(pgrep -f "^podman system service .*unix://$PODMAN_SOCK" | head -n 1)
	[ -z "$pid" ] || act "stop Podman's service (pid $pid)" kill "$pid"
	[ ! -e "$R$PODMAN_SOCK" ] || act "remove $R$PODMAN_SOCK" rm -f "$R$PODMAN_SOCK"
	[ ! -e "$R/var/log/kshim-podman.log" ] || act "remove $R/var/log/kshim-podman.log" rm -f "$R/var/log/kshim-podman.log"
}

remote_netns() {
	local ns
	for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^kshim-remote-/ { print $1 }'); do
		act "remove network namespace $ns" ip netns del "$ns"
	done
}

# clean_dir DIR: everything in DIR but the Maven repositories in KEEP (and the directories
# that lead to them, cleaned the same way).
KEEP=("$CACHE/m2" "$CACHE/matrix/m2")
clean_dir() {
	local f k
	for f in "$1"/* "$1"/.[!.]*; do
		[ -e "$f" ] || continue
		for k in "${KEEP[@]}"; do
			[ "$f" = "$k" ] && continue 2
			[[ $k == "$f"/* ]] && { clean_dir "$f"; continue 2; }
		done
		act "remove $f" rm -rf --one-file-system "$f"
	done
}

# unmount_under DIR: what a suite killed before its cleanup left mounted there (a Debian tree's
# /proc, /dev, /sys), deepest first.
unmount_under() {
	local m
	for m in $(awk -v d="$1/" 'index($2 "/", d) == 1 { print $2 }' /proc/self/mounts | sort -r); do
		act "unmount $m" umount -l "$m"
	done
}

scratch_clean() {
	local d
	for d in "$R"/var/tmp/kshim-*; do
		[ -e "$d" ] || continue
		unmount_under "$d"
		act "remove $d" rm -rf --one-file-system "$d"
	done
	for d in "$R"/tmp/kshim-* "$R"/tmp/kmx-home.* "${XDG_RUNTIME_DIR:-/nonexistent}/kshim" "${HOME:-/nonexistent}/.local/state/kshim" \
		"$TOP/tests/out"; do
		[ -e "$d" ] && act "remove $d" rm -rf --one-file-system "$d"
	done
	return 0
}

if [ -f "$TOP/scripts/kubernetes.sh" ]; then
	act "stop the Kubernetes test cluster (scripts/kubernetes.sh down)" bash "$TOP/scripts/kubernetes.sh" down
fi
engine_clean Docker docker --host "$DOCKER_ENGINE"
if command -v podman >/dev/null; then
	engine_clean Podman podman
	podman_service
fi
remote_netns
[ ! -d "$CACHE" ] || clean_dir "$CACHE"
scratch_clean
[ $DRY = 1 ] || say "done: the next make test builds and installs what it needs again"
