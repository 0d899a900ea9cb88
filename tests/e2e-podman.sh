#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# needs: root docker
# kshim against Podman's Docker-compatible API: Debian 12's Podman 4.3, rootful, on
# /run/podman/podman.sock, started by scripts/podman.sh. The checks are tests/podman-checks.sh's.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/podman-checks.sh"

IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
SOCK=/run/podman/podman.sock
N=podman$$
TAG=podman
pm() { podman "$@"; }

cleanup() { kp down --name "$N" >/dev/null 2>&1; }
trap cleanup EXIT
# One Podman suite at a time: two Podmans making networks at once may pick the same bridge.
exec {lock}>/run/lock/kshim-podman-tests.lock
flock -w 600 "$lock"

if ! bash "$TOP/scripts/podman.sh" --load "$IMAGE" >"$OUT/e2e-podman-service.log" 2>&1 {lock}>&-; then
	notok "Podman's API answers and has $IMAGE (see $OUT/e2e-podman-service.log)"
	finish
fi
SERVICE_PID=$(pgrep -o -f "podman system service")
podman_checks
finish
