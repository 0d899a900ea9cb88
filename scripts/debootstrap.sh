#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A clean Debian tree to use as a chroot that shares the host's network: debootstraps SUITE
# (minbase, plus PACKAGES) once, caches it as a tarball and unpacks a copy into DEST, with the
# host's resolv.conf so that apt-get works in it. Needs root.
#
# Usage: scripts/debootstrap.sh SUITE DEST [PACKAGES]
#   SUITE     a Debian suite (bookworm, trixie, ...)
#   DEST      a directory that is missing or empty
#   PACKAGES  comma-separated packages added to minbase (a tree of its own in the cache)
#
# The cache: $KSHIM_CACHE/debootstrap/SUITE[-KEY]-YYYYMMDD.tar, KEY a hash of PACKAGES, the date
# the day it was made. It is used for KSHIM_DEBOOTSTRAP_DAYS days (default 7); the tarball made
# then replaces it. One debootstrap per tree at a time (flock on its .lock file): whoever waited
# uses the tarball the other made. The tree has no docs, man pages or apt lists (apt-get update
# first), and apt's sources.list names the mirror.
# Environment: KSHIM_CACHE (default /var/cache/kshim), KSHIM_DEBIAN_MIRROR (default
# http://deb.debian.org/debian), KSHIM_DEBOOTSTRAP_DAYS.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ME=debootstrap.sh
. "$HERE/rootfs.sh"
MIRROR=${KSHIM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DIR=${KSHIM_CACHE:-/var/cache/kshim}/debootstrap
DAYS=${KSHIM_DEBOOTSTRAP_DAYS:-7}
USAGE="usage: $0 SUITE DEST [PACKAGES]"

case ${1:-} in
-h | --help) sed -n '3,18p' "$0"; exit 0 ;;
"" | -*) die "${1:-no SUITE given}${1:+: not a suite}" "$USAGE" ;;
esac
(($# >= 2 && $# <= 3)) || die "SUITE and DEST are needed, PACKAGES may follow" "$USAGE"
SUITE=$1 DEST=$2 PKGS=${3:-}
[[ $SUITE =~ ^[a-z][a-z0-9-]*$ ]] || die "'$SUITE' is not a suite name" "a Debian suite, such as bookworm or trixie"
[[ $PKGS =~ ^[a-z0-9.+,-]*$ ]] || die "'$PKGS' is not a comma-separated list of packages" "$USAGE"
[[ $DAYS =~ ^[1-9][0-9]*$ ]] || die "KSHIM_DEBOOTSTRAP_DAYS='$DAYS' is not a number of days" "unset it (7 days) or give a whole number"
[[ ! -e $DEST || -d $DEST && -z $(ls -A "$DEST") ]] || die "$DEST exists and is not an empty directory" "name a new directory"
[[ $(id -u) -eq 0 ]] || die "making a Debian tree needs root (debootstrap, chroot)" "run: sudo $0 $*"
for t in debootstrap tar flock curl; do
	command -v "$t" >/dev/null || die "$t not found" "run scripts/deps.sh"
done

NAME=$SUITE${PKGS:+-$(echo "$PKGS" | sha256sum | cut -c1-12)}
DATED="$NAME-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9].tar"

# fresh: the newest tarball of this tree younger than DAYS days, if any.
fresh() { find "$DIR" -maxdepth 1 -name "$DATED" -mtime "-$DAYS" | sort | tail -n 1; }

# mirror_answers: the mirror has SUITE, or the script stops with why not.
mirror_answers() {
	local code
	code=$(curl -s -m 20 -o /dev/null -w '%{http_code}' "$MIRROR/dists/$SUITE/InRelease") || true
	case $code in
	200) ;;
	404) die "the mirror $MIRROR has no suite '$SUITE'" "a Debian suite, such as bookworm or trixie" ;;
	000) die "the Debian mirror $MIRROR does not answer" \
		"check the network, or set KSHIM_DEBIAN_MIRROR to a reachable mirror" ;;
	*) die "the Debian mirror $MIRROR answers HTTP $code for $SUITE" "set KSHIM_DEBIAN_MIRROR to another mirror" ;;
	esac
}

has_apt() { [[ -x $1/usr/bin/apt-get && -x $1/usr/bin/dpkg ]]; }

mkdir -p "$DIR"
exec 9>"$DIR/$NAME.lock"
flock -n 9 || { log "another debootstrap of $NAME is under way; waiting for it"; flock 9; }
tar=$(fresh)
if [[ -z $tar ]]; then
	mirror_answers
	tar=$DIR/$NAME-$(date +%Y%m%d).tar
	rootfs_tar "$SUITE" "$PKGS" "$MIRROR" "$tar" has_apt
	find "$DIR" -maxdepth 1 -name "$DATED" ! -path "$tar" -delete
fi
mkdir -p "$DEST"
tar --numeric-owner --xattrs -C "$DEST" -xf "$tar" || die "could not unpack $tar into $DEST" "is there room on $DEST's file system?"
cat /etc/resolv.conf >"$DEST/etc/resolv.conf"
log "$SUITE tree in $DEST (from $tar)"
