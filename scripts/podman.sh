#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Make sure Podman's Docker-compatible API answers on /run/podman/podman.sock (rootful); install
# Debian's podman and start `podman system service` if not. The counterpart of scripts/dockerd.sh.
#
# Usage: scripts/podman.sh [--load IMAGE...]
#   (no args)     idempotent: no-op when the socket answers _ping
#   --load IMAGE  also copy each IMAGE from the local Docker engine (/var/run/docker.sock, named on
#                 each docker command, whatever DOCKER_HOST says) into Podman (docker save |
#                 podman load) when Podman does not have it yet
#
# Environment: KSHIM_PODMAN_LOG (default /var/log/kshim-podman.log), KSHIM_PODMAN_WAIT (default 30)
#
# Notes from bring-up here (Debian 12, podman 4.3.1, netavark + aardvark-dns, no systemd): the
# service needs no flags. Containers it runs ask for Podman's default RLIMIT_NOFILE (1048576),
# above this machine's hard limit (ulimit -Hn), unless the create request sets HostConfig.Ulimits,
# as kshim does. Podman names local images localhost/NAME:TAG and resolves NAME:TAG to them.
set -euo pipefail

SOCK=/run/podman/podman.sock
DOCKER_ENGINE=unix:///var/run/docker.sock
LOG=${KSHIM_PODMAN_LOG:-/var/log/kshim-podman.log}
WAIT=${KSHIM_PODMAN_WAIT:-30}
PKGS=(podman netavark aardvark-dns)

die() { echo "podman.sh: error: $1" >&2; [[ -n ${2:-} ]] && echo "podman.sh: hint: $2" >&2; exit 1; }
log() { echo "podman.sh: $*" >&2; }

ping_ok() { [[ $(curl -s -m 2 --unix-socket "$SOCK" http://d/_ping 2>/dev/null || true) == OK ]]; }

install_podman() {
  local missing=() p
  for p in "${PKGS[@]}"; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true) == "install ok installed" ]] || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) -eq 0 ]] || die "missing packages: ${missing[*]}" "sudo apt-get install -y --no-install-recommends ${missing[*]}"
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; } ||
    die "apt-get install ${missing[*]} failed" "see the apt output above"
}

start_service() {
  [[ $(id -u) -eq 0 ]] || die "$SOCK does not answer and the rootful service needs root" "run: sudo $0"
  install_podman
  mkdir -p "$(dirname "$SOCK")" "$(dirname "$LOG")"
  rm -f "$SOCK"
  echo "=== $(date -u +%FT%TZ) kshim podman.sh starting podman system service" >>"$LOG"
  # setsid: own session, so the service outlives this script and its caller's job control.
  setsid podman system service --time=0 "unix://$SOCK" </dev/null >>"$LOG" 2>&1 &
  local pid=$! t0=$SECONDS
  while ! ping_ok; do
    kill -0 "$pid" 2>/dev/null || die "podman system service exited: $(tail -1 "$LOG")" "tail -50 $LOG"
    ((SECONDS - t0 < WAIT)) || die "Podman did not answer _ping on $SOCK within ${WAIT}s" "tail -50 $LOG"
    sleep 0.2
  done
  log "podman system service (pid $pid) answers on $SOCK after $((SECONDS - t0))s, log $LOG"
}

load_image() {
  podman image exists "$1" && return 0
  docker --host "$DOCKER_ENGINE" image inspect "$1" >/dev/null 2>&1 ||
    die "image $1 is not in the local Docker engine ($DOCKER_ENGINE)" "make kafka-image"
  log "docker save $1 | podman load"
  docker --host "$DOCKER_ENGINE" save "$1" | podman load -q >&2 || die "podman load of $1 failed"
}

ping_ok || start_service
while (($#)); do
  case $1 in
    --load) [[ -n ${2:-} ]] || die "--load needs an image"; load_image "$2"; shift 2 ;;
    -h|--help) sed -n '3,17p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" "usage: $0 [--load IMAGE]..." ;;
  esac
done
exit 0
