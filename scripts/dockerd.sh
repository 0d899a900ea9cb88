#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Make sure a Docker engine answers on /var/run/docker.sock; start Debian's dockerd if not.
#
# Usage: scripts/dockerd.sh [--verify]
#   (no args)  idempotent: no-op when the socket answers _ping, else start /usr/sbin/dockerd in the
#              background (log: /var/log/kshim-dockerd.log) and wait up to 60 s for it.
#   --verify   also check what kshim relies on: a user-defined bridge network with name DNS between
#              two containers, and a port published on 127.0.0.1:<ephemeral> reachable from the host.
#              Uses a tiny busybox image (kshim/probe:local) made from Debian's busybox-static .deb.
#
# Environment:
#   KSHIM_DOCKERD_FLAGS   extra flags for dockerd (default: none; see notes below)
#   KSHIM_DOCKERD_LOG     log file (default /var/log/kshim-dockerd.log)
#   KSHIM_DOCKERD_WAIT    seconds to wait for _ping (default 60)
#
# Notes from bring-up on this sandbox (Debian 12, kernel 6.x, cgroup v1, no systemd):
#   plain `dockerd` works: overlay2 on ext4, iptables (nf_tables backend) ok, cgroupfs driver,
#   managed containerd started by dockerd itself. No extra flags needed. When the kernel has no
#   overlay filesystem we fall back to --storage-driver=vfs (slow, but works).
set -euo pipefail

SOCK=/var/run/docker.sock
LOG=${KSHIM_DOCKERD_LOG:-/var/log/kshim-dockerd.log}
WAIT=${KSHIM_DOCKERD_WAIT:-60}
DOCKERD=/usr/sbin/dockerd
CACHE=/var/cache/kshim

die() { echo "dockerd.sh: error: $1" >&2; [[ -n ${2:-} ]] && echo "dockerd.sh: hint: $2" >&2; exit 1; }
log() { echo "dockerd.sh: $*" >&2; }

# The docker CLI on this script's engine, named on each command (not DOCKER_HOST's).
dk() { docker --host "unix://$SOCK" "$@"; }
ping_ok() { [[ $(curl -s -m 2 --unix-socket "$SOCK" http://d/_ping 2>/dev/null || true) == OK ]]; }

start_daemon() {
  if [[ ! -x $DOCKERD ]]; then
    [[ $(id -u) -eq 0 ]] || die "$DOCKERD not installed and not root" "sudo apt-get install -y --no-install-recommends docker.io"
    log "installing docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -q --no-install-recommends docker.io >&2 \
      || die "apt-get install docker.io failed" "check apt output above; is deb.debian.org reachable?"
  fi
  [[ $(id -u) -eq 0 ]] || die "docker socket $SOCK does not answer and starting dockerd needs root" "run: sudo $0"
  command -v curl >/dev/null || die "curl not found" "apt-get install -y curl"

  # A dockerd may already be starting (pid file with a live process): wait for it instead.
  local pid=""
  if [[ -s /var/run/docker.pid ]]; then
    pid=$(cat /var/run/docker.pid)
    if kill -0 "$pid" 2>/dev/null && grep -q dockerd "/proc/$pid/comm" 2>/dev/null; then
      log "dockerd (pid $pid) already running but not answering yet; waiting"
    else
      pid=""
    fi
  fi

  if [[ -z $pid ]]; then
    local flags=()
    if ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2>/dev/null; then
      flags+=(--storage-driver=vfs)
      log "kernel has no overlay filesystem: using --storage-driver=vfs"
    fi
    # shellcheck disable=SC2206
    [[ -n ${KSHIM_DOCKERD_FLAGS:-} ]] && flags+=(${KSHIM_DOCKERD_FLAGS})
    mkdir -p "$(dirname "$LOG")"
    echo "=== $(date -u +%FT%TZ) kshim dockerd.sh starting: $DOCKERD ${flags[*]}" >>"$LOG"
    # setsid: own session, so the daemon survives this script and its caller's job control.
    setsid "$DOCKERD" "${flags[@]}" </dev/null >>"$LOG" 2>&1 &
    pid=$!
    log "started $DOCKERD${flags[*]:+ ${flags[*]}} (pid $pid), log $LOG"
  fi

  local t0=$SECONDS
  while ! ping_ok; do
    if ! kill -0 "$pid" 2>/dev/null; then
      local cause section hint="tail -50 $LOG"
      # only this start attempt's lines (after the last marker)
      section=$(awk '/kshim dockerd.sh starting/ { n = 0 } { l[++n] = $0 } END { for (i = 1; i <= n; i++) print l[i] }' "$LOG")
      cause=$(grep -E 'level=(fatal|error)|failed to start daemon|Status:|unknown flag' <<<"$section" \
              | tail -1 | sed -E 's/.*msg="?//; s/"$//' || true)
      [[ -n $cause ]] || cause=$(grep -v '^[[:space:]]*$' <<<"$section" | tail -1 || true)
      case $cause in
        *iptables*) hint="$hint; or retry with KSHIM_DOCKERD_FLAGS='--iptables=false' (port publishing then relies on docker-proxy)" ;;
        *overlay*|*graphdriver*|*storage*) hint="$hint; or retry with KSHIM_DOCKERD_FLAGS='--storage-driver=vfs'" ;;
        *cgroup*) hint="$hint; check that /sys/fs/cgroup is mounted (cgroup v1 or v2)" ;;
      esac
      die "dockerd exited during start-up: ${cause:-see log}" "$hint"
    fi
    (( SECONDS - t0 < WAIT )) || die "dockerd (pid $pid) did not answer _ping on $SOCK within ${WAIT}s" "tail -50 $LOG"
    sleep 0.5
  done
  log "dockerd ready after $((SECONDS - t0))s"
}

# --- verification -----------------------------------------------------------------------------
PROBE_IMG=kshim/probe:local

probe_image() {
  # busybox-static 1.35 quirk: `wget -T` segfaults (rc 139); use `timeout N wget` instead.
  dk image inspect "$PROBE_IMG" >/dev/null 2>&1 && return 0
  local dir="$CACHE/probe" deb
  mkdir -p "$dir"
  deb=$(ls "$dir"/busybox-static_*.deb 2>/dev/null | head -1 || true)
  if [[ -z $deb ]]; then
    (cd "$dir" && apt-get -q -o APT::Sandbox::User=root download busybox-static >&2) \
      || die "could not download busybox-static" "apt-get update; check deb.debian.org is reachable"
    deb=$(ls "$dir"/busybox-static_*.deb | head -1)
  fi
  local root
  root=$(mktemp -d)
  dpkg-deb -x "$deb" "$root/x"
  mkdir -p "$root/img/bin" "$root/img/www" "$root/img/tmp"
  cp "$root/x/bin/busybox" "$root/img/bin/busybox"
  for a in sh nc wget httpd nslookup sleep cat echo ip timeout; do ln -s busybox "$root/img/bin/$a"; done
  echo kshim-probe-ok >"$root/img/www/ping.txt"
  tar -C "$root/img" -c . | dk import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' - "$PROBE_IMG" >/dev/null
  rm -rf "$root"
}

verify() {
  command -v docker >/dev/null || die "docker CLI not found" "apt-get install -y docker.io"
  probe_image
  local net="kshim-verify-$$" srv="kshim-verify-srv-$$" cli="kshim-verify-cli-$$"
  # shellcheck disable=SC2064
  trap "dk rm -f $srv $cli >/dev/null 2>&1 || true; dk network rm $net >/dev/null 2>&1 || true" EXIT
  dk network create --driver bridge "$net" >/dev/null || die "cannot create a user-defined bridge network" "tail -50 $LOG"
  dk run -d --name "$srv" --network "$net" -p 127.0.0.1::8080 "$PROBE_IMG" \
    httpd -f -p 8080 -h /www >/dev/null || die "cannot start a container" "tail -50 $LOG"
  local out=""
  for _ in $(seq 1 20); do
    out=$(dk run --rm --name "$cli" --network "$net" "$PROBE_IMG" timeout 5 wget -q -O - "http://$srv:8080/ping.txt" 2>&1 || true)
    [[ $out == kshim-probe-ok ]] && break
    sleep 0.5
  done
  [[ $out == kshim-probe-ok ]] || die "container-to-container by name on a user-defined network failed: $out" \
    "check embedded DNS (127.0.0.11) and iptables rules; tail -50 $LOG"
  log "verify: name DNS between containers on a user-defined network: ok"
  local port
  port=$(dk port "$srv" 8080/tcp | head -1 | sed 's/.*://')
  [[ $port =~ ^[0-9]+$ ]] || die "no published port for $srv" "docker port $srv"
  out=$(curl -s -m 5 "http://127.0.0.1:$port/ping.txt" || true)
  [[ $out == kshim-probe-ok ]] || die "published port 127.0.0.1:$port not reachable from the host" \
    "check docker-proxy / iptables nat rules; tail -50 $LOG"
  log "verify: published port 127.0.0.1:$port reachable from the host: ok"
}

VERIFY=0
for a in "$@"; do
  case $a in
    --verify) VERIFY=1 ;;
    -h|--help) sed -n '3,21p' "$0"; exit 0 ;;
    *) die "unknown argument: $a" "usage: $0 [--verify]" ;;
  esac
done

ping_ok || start_daemon
(( VERIFY )) && verify
exit 0
