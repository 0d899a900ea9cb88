#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# needs: root network
# make deb's package: lintian reports no errors and only the tags kept on purpose; installed with
# apt-get into clean Debian 12 and 13 trees (scripts/debootstrap.sh, used as chroots that share
# the host's network) it gives a kshim that names its version, finds its man page, its shim and
# kshim-full, and maps a table's name through the installed shim for getent; apt-get remove then
# leaves none of the package's files. Also scripts/debootstrap.sh's errors and its cache.
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d /tmp/kshim-deb.XXXXXX)
# cleanup: the trees' /proc mounts first, so that rm stays on the trees' own file system.
cleanup() {
	findmnt -rn -o TARGET | grep "^$work/" | sort -r | xargs -r umount -l
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
ARCH=$(dpkg --print-architecture)
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
VERSION=$(sed -n 's/^VERSION_BASE = //p' "$TOP/Makefile")
DEB=$BUILD/deb/kshim_${VERSION}_$ARCH.deb
# lintian's one tag kept: kshim runs kshim-full from its own library directory, beside the shim.
LINTIAN_KEPT="X: kshim: executable-in-usr-lib [usr/lib/$MULTIARCH/kshim/kshim-full]"
TABLE='kshim-table 1
kafka1,broker-1 127.77.4.2 9092=127.0.0.1:40001'

# timed CMD...: runs CMD; SECS is then how long it took, in seconds.
timed() {
	local t0=$EPOCHREALTIME rc
	"$@"
	rc=$?
	SECS=$(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $t0 }")
	return $rc
}

debootstrap_errors() {
	local out
	out=$(KSHIM_CACHE=$work/cache KSHIM_DEBIAN_MIRROR=http://127.0.0.1:9/debian \
		bash "$TOP/scripts/debootstrap.sh" bookworm "$work/none" 2>&1)
	expect_eq "debootstrap.sh with an unreachable mirror: exit 1, a cause and a hint" "$?|$out" \
		"1|debootstrap.sh: error: the Debian mirror http://127.0.0.1:9/debian does not answer
debootstrap.sh: hint: check the network, or set KSHIM_DEBIAN_MIRROR to a reachable mirror"
	expect_eq "  ... and it made no tree, cached or not" \
		"$(ls "$work/cache/debootstrap" | grep -vc '\.lock$') $([ -e "$work/none" ] && echo "$work/none")" "0 "
	mkdir -p "$work/full" && touch "$work/full/x"
	out=$(bash "$TOP/scripts/debootstrap.sh" bookworm "$work/full" 2>&1)
	expect_eq "debootstrap.sh into a directory with files: exit 1, a cause and a hint" "$?|$out" \
		"1|debootstrap.sh: error: $work/full exists and is not an empty directory
debootstrap.sh: hint: name a new directory"
}

build_deb() {
	local log=$OUT/e2e-deb.build.log before
	before=$(ls -d "$TOP"/../kshim_* 2>/dev/null)
	timed make -s -C "$TOP" deb >"$log" 2>&1
	check "make deb builds the package (${SECS} s; log: $log)" test $? = 0
	expect_eq "  ... as build/deb/kshim_${VERSION}_$ARCH.deb, version $VERSION (the Makefile's)" \
		"$(dpkg-deb -f "$DEB" Package Version Architecture 2>&1 | tr '\n' ' ')" \
		"Package: kshim Version: $VERSION Architecture: $ARCH "
	expect_eq "  ... and nothing new in the clone's parent directory" "$(ls -d "$TOP"/../kshim_* 2>/dev/null)" "$before"
	expect_match "  ... its dependencies come from the libraries it links (shlibs)" \
		'^Depends: .*libc6 .*libcurl4 .*librdkafka1' "$(dpkg-deb -f "$DEB" Depends | sed 's/^/Depends: /')"
	expect_eq "  ... the shim in the multiarch directory, the man page and the completion" \
		"$(dpkg-deb -c "$DEB" | awk '{ print $6 }' | grep -cxE "\./usr/lib/$MULTIARCH/kshim/libkshim\.so|\./usr/share/man/man1/kshim\.1\.gz|\./usr/share/bash-completion/completions/kshim|\./usr/share/doc/kshim/copyright")" 4
}

run_lintian() {
	local out
	timed runuser -u nobody -- env HOME=/tmp lintian -EvIL +pedantic "$BUILD/deb/kshim_${VERSION}_$ARCH.changes" \
		>"$work/lintian.out" 2>&1
	out=$(cat "$work/lintian.out")
	expect_eq "lintian (pedantic, experimental, info; ${SECS} s): no errors" "$(grep -c '^E:' <<<"$out")" 0
	expect_eq "  ... and only the tag kept on purpose" "$out" "$LINTIAN_KEPT"
}

# in_tree CMD...: CMD in the tree $tree, as root, with apt not asking.
in_tree() { chroot "$tree" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

# make_tree SUITE: a clean SUITE tree with man-db, /proc mounted and apt's cache; times it.
make_tree() {
	tree=$work/$1
	timed bash "$TOP/scripts/debootstrap.sh" "$1" "$tree" man-db 2>"$OUT/e2e-deb.$1.log"
	check "$1: a clean tree from scripts/debootstrap.sh (${SECS} s)" test -x "$tree/usr/bin/apt-get"
	expect_match "  ... cached as one dated tarball" "^$1-[0-9a-f]{12}-[0-9]{8}\.tar$" \
		"$(ls "${KSHIM_CACHE:-/var/cache/kshim}/debootstrap" | grep "^$1-[0-9a-f]\{12\}-")"
	mount -t proc proc "$tree/proc"
	apt_cache "$1"
}

# apt_cache SUITE: apt's lists and downloaded packages for SUITE's trees, kept beside the
# tarballs, so that a second run downloads only what changed on the mirror.
apt_cache() {
	local c=${KSHIM_CACHE:-/var/cache/kshim}/debootstrap/apt-$1
	mkdir -p "$c/lists/partial" "$c/archives/partial" "$tree/var/lib/apt/lists" "$tree/var/cache/apt/archives"
	mount --bind "$c/lists" "$tree/var/lib/apt/lists"
	mount --bind "$c/archives" "$tree/var/cache/apt/archives"
}

install_deb() {
	cp "$DEB" "$tree/tmp/"
	timed in_tree sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends /tmp/${DEB##*/}" \
		>"$OUT/e2e-deb.$1.apt.log" 2>&1
	check "$1: apt-get install ./kshim_${VERSION}_$ARCH.deb, its dependencies from $1 (${SECS} s)" \
		test "$(in_tree dpkg-query -W -f '${Status} ${Version}' kshim)" = "install ok installed $VERSION"
}

use_kshim() {
	printf '%s\n' "$TABLE" >"$tree/tmp/t" && chmod 600 "$tree/tmp/t"
	expect_eq "$1: kshim --version" "$(in_tree kshim --version 2>&1)" "kshim $VERSION"
	expect_eq "$1: man -w kshim finds the page" "$(in_tree man -w kshim 2>&1)" /usr/share/man/man1/kshim.1.gz
	expect_match "  ... and man renders it" '^NAME' "$(in_tree env MANWIDTH=80 man kshim 2>&1 | head -n 3)"
	expect_match "$1: kshim env preloads the installed shim" "^export LD_PRELOAD='/usr/lib/$MULTIARCH/kshim/libkshim.so'$" \
		"$(in_tree kshim env --table /tmp/t 2>&1)"
	expect_eq "$1: getent ahosts kafka1 without kshim: not found (exit 2)" \
		"$(in_tree getent ahosts kafka1 >/dev/null 2>&1; echo $?)" 2
	expect_eq "$1: kshim run --table T -- getent ahosts kafka1: the table's address" \
		"$(in_tree kshim run --table /tmp/t -- getent ahosts kafka1 2>&1 | awk 'NR == 1 { print $1, $3 }')" \
		"127.77.4.2 kafka1"
	expect_match "$1: kshim down --help runs kshim-full, its libraries found" '^usage: kshim down' \
		"$(in_tree kshim down --help 2>&1)"
}

remove_deb() {
	local files left
	files=$(in_tree dpkg -L kshim | grep -v '^/\.$')
	in_tree apt-get remove -y -q kshim >"$OUT/e2e-deb.$1.remove.log" 2>&1
	check "$1: apt-get remove kshim" test $? = 0
	left=$(while read -r f; do
		if [ -d "$tree$f" ]; then [ -n "$(ls -A "$tree$f")" ] || echo "$f"; elif [ -e "$tree$f" ]; then echo "$f"; fi
	done <<<"$files")
	expect_eq "  ... of the $(grep -c . <<<"$files") paths dpkg -L listed, none is left (but shared, non-empty directories)" \
		"$left" ""
	expect_eq "  ... no kshim directory of its own either" \
		"$(ls -d "$tree/usr/lib/$MULTIARCH/kshim" "$tree/usr/share/doc/kshim" 2>/dev/null)" ""
}

debootstrap_errors
build_deb
run_lintian
for suite in bookworm trixie; do
	make_tree $suite
	install_deb $suite
	use_kshim $suite
	remove_deb $suite
done
finish
