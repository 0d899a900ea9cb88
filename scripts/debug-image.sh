#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Build kshim/debug:local, the tools image of 'kshim debug', from Debian packages only: a
# debootstrap minbase rootfs with the network and process tools, imported as one layer.
#
# Usage: scripts/debug-image.sh [--force]
#   (no args)  no-op when the image exists with the same build-input hash (label kshim.inputs)
#   --force    rebuild the rootfs tarball and the image
#
# The rootfs is cached under /var/cache/kshim/rootfs, keyed by the packages.
# Environment: KSHIM_DEBUG_IMAGE (default kshim/debug:local), KSHIM_CACHE (default /var/cache/kshim),
#              KSHIM_DEBIAN_MIRROR (default http://deb.debian.org/debian)
set -euo pipefail

IMAGE=${KSHIM_DEBUG_IMAGE:-kshim/debug:local}
SUITE=bookworm
MIRROR=${KSHIM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PKGS=bash,iproute2,iputils-ping,procps,lsof,tcpdump,bind9-dnsutils,kcat,ncurses-base
TOOLS="ss ip ping ps lsof tcpdump dig kcat"
ROOTFS_RECIPE=1 # bump when scripts/rootfs.sh changes what goes into the tree
CACHE=${KSHIM_CACHE:-/var/cache/kshim}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ME=debug-image.sh
. "$HERE/rootfs.sh"

FORCE=0
for a in "$@"; do
  case $a in
    --force) FORCE=1 ;;
    -h|--help) sed -n '3,12p' "$0"; exit 0 ;;
    *) die "unknown argument: $a" "usage: $0 [--force]" ;;
  esac
done

need_engine

INPUTS=$( { echo "$SUITE $MIRROR $PKGS $TOOLS"; cat "$HERE/debug-image.sh" "$HERE/rootfs.sh"; } | sha256sum | cut -c1-16)
up_to_date() {
  [[ $(docker image inspect -f '{{ index .Config.Labels "kshim.inputs" }}' "$IMAGE" 2>/dev/null || true) == "$INPUTS" ]]
}
if (( ! FORCE )) && up_to_date; then
  log "$IMAGE is up to date (inputs $INPUTS)"
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "building the image needs root (debootstrap)" "run: sudo $0"
for t in debootstrap tar flock; do
  command -v "$t" >/dev/null || die "$t not found" "run scripts/deps.sh"
done
mkdir -p "$CACHE/rootfs"
build_lock "$CACHE/.debug-image.lock"

TAR=$CACHE/rootfs/$SUITE-debug-$(echo "$SUITE $MIRROR $PKGS $ROOTFS_RECIPE" | sha256sum | cut -c1-16).tar
(( FORCE )) && rm -f "$TAR"
has_tools() {
  local t
  for t in $TOOLS; do chroot "$1" sh -c "command -v $t" >/dev/null || return 1; done
}
[[ -s $TAR ]] || rootfs_tar "$SUITE" "$PKGS" "$MIRROR" "$TAR" has_tools

log "docker import $TAR -> $IMAGE"
docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' --change "LABEL kshim.inputs=$INPUTS kshim.image=debug" \
    --message "kshim debug tools: $SUITE minbase + $PKGS" "$TAR" "$IMAGE" >/dev/null \
  || die "docker import of $TAR failed" "rerun with --force"
docker image prune -f --filter label=kshim.image=debug >/dev/null 2>&1 || true
log "built $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')), inputs $INPUTS"
