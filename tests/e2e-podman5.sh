#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# needs: root docker network
# kshim against Debian 13's Podman 5, with tests/podman-checks.sh's checks. Its service runs in a
# trixie tree (scripts/debootstrap.sh, cached as the Kafka image's rootfs is) that shares the
# host's network, from a mount namespace whose root the tree is (tests/helpers/in_root.sh); its
# socket is the tree's /run/podman/podman.sock, a tmpfs seen from the host. Two settings differ
# from a trixie machine's defaults, both for this host: the runtime is runc, because crun refuses
# a kernel with cgroups v1 and v2 mounted side by side, and netavark writes iptables rules, as
# Docker and Debian 12's Podman do here, rather than nftables ones.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/podman-checks.sh"

IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
PKGS=podman,netavark,aardvark-dns,runc,iptables,ca-certificates
N=podman5$$
TAG=podman5
ROOT=
SERVICE_PID=
pm() { chroot "$ROOT" podman --remote "$@"; }

cleanup() {
	local m
	trap '' INT TERM
	if [ -n "$SOCK" ]; then
		kp down --name "$N" >/dev/null 2>&1
		# should down have failed: the tree's Podman holds nothing but this suite's
		pm rm -a -f -t 0 >/dev/null 2>&1
		pm network prune -f >/dev/null 2>&1
	fi
	[ -z "$SERVICE_PID" ] || { kill "$SERVICE_PID" 2>/dev/null; wait "$SERVICE_PID" 2>/dev/null; }
	[ -n "$ROOT" ] || return
	for m in run dev sys proc; do umount -R "$ROOT/$m" 2>/dev/null; done
	if grep -q " ${ROOT}[ /]" /proc/mounts; then echo "# left $ROOT: still mounted"; else rm -rf --one-file-system "$ROOT"; fi
}
SOCK=
trap cleanup EXIT
trap 'exit 130' INT TERM
# One Podman suite at a time: two Podmans making networks at once may pick the same bridge.
exec {lock}>/run/lock/kshim-podman-tests.lock
flock -w 600 "$lock"

ROOT=$(mktemp -d /var/tmp/kshim-podman5.XXXXXX)
t=$EPOCHREALTIME
if ! bash "$TOP/scripts/debootstrap.sh" trixie "$ROOT" "$PKGS" >"$OUT/podman5-tree.log" 2>&1; then
	notok "scripts/debootstrap.sh trixie with $PKGS"
	tail -n 20 "$OUT/podman5-tree.log" | sed 's/^/    # /'
	finish
fi
ok "a trixie tree with $PKGS ($(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $t}") s)"

# The kernel's file systems and a tmpfs /run in the tree.
mounts() {
	mount -t proc proc "$ROOT/proc" &&
		mount --rbind /sys "$ROOT/sys" && mount --make-rslave "$ROOT/sys" &&
		mount --rbind /dev "$ROOT/dev" && mount --make-rslave "$ROOT/dev" &&
		mount -t tmpfs -o mode=755 tmpfs "$ROOT/run" && mkdir -p "$ROOT/run/podman" &&
		mkdir -p "$ROOT/etc/containers/containers.conf.d" &&
		printf '[engine]\nruntime = "runc"\n[network]\nfirewall_driver = "iptables"\n' \
			>"$ROOT/etc/containers/containers.conf.d/kshim-test.conf"
}
check "the tree's mounts, runc and iptables for this host" mounts || finish
expect_match "its Podman is 5" '^podman version 5\.' "$(chroot "$ROOT" podman --version 2>&1)"
"$TOP/tests/helpers/in_root.sh" "$ROOT" / env PODMAN_IGNORE_CGROUPSV1_WARNING=1 \
	podman system service --time=0 unix:///run/podman/podman.sock >"$OUT/podman5-service.log" 2>&1 {lock}>&- &
SERVICE_PID=$!
SOCK=$ROOT/run/podman/podman.sock
ping_ok() { [ "$(curl -s -m 2 --unix-socket "$SOCK" http://d/_ping 2>/dev/null)" = OK ]; }
if ! wait_for 30 ping_ok; then
	notok "Podman 5's service answers on $SOCK"
	tail -n 5 "$OUT/podman5-service.log" | sed 's/^/    # /'
	finish
fi
load() { docker --host unix:///var/run/docker.sock save "$IMAGE" | docker --host "unix://$SOCK" load >"$OUT/podman5-load.log" 2>&1; }
check "docker save $IMAGE | docker load into Podman 5" load || finish
podman_checks
finish
