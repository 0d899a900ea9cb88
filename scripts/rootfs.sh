# SPDX-License-Identifier: Apache-2.0
# What the image scripts share, sourced by them: messages, the engine check, and a
# debootstrapped minbase rootfs as a tarball. The sourcing script sets ME (its name in
# messages) and HERE (the scripts directory).
T0=$EPOCHREALTIME

die() { echo "$ME: error: $1" >&2; [[ -n ${2:-} ]] && echo "$ME: hint: $2" >&2; exit 1; }
log() { echo "$ME: [$(awk "BEGIN{printf \"%5.1fs\", $EPOCHREALTIME - $T0}")] $*" >&2; }

# need_engine: the docker CLI and the engine it talks to: DOCKER_HOST when set (Podman:
# unix:///run/podman/podman.sock), else dockerd, started here when it is not running.
need_engine() {
  command -v docker >/dev/null || die "docker CLI not found" "run scripts/deps.sh (installs docker.io)"
  if [[ -n ${DOCKER_HOST:-} ]]; then
    docker version >/dev/null 2>&1 || die "no engine answers at DOCKER_HOST=$DOCKER_HOST" "make podman, or unset DOCKER_HOST"
  elif [[ $(curl -s -m 2 --unix-socket /var/run/docker.sock http://d/_ping 2>/dev/null || true) != OK ]]; then
    "$HERE/dockerd.sh" || die "no Docker engine" "scripts/dockerd.sh; tail -50 /var/log/kshim-dockerd.log"
  fi
}

# build_lock FILE: one build at a time on this machine, under flock on FILE. Whoever waited
# re-checks, since the other build may have made the image: the sourcing script's up_to_date
# then says so, and unless FORCE is set there is nothing left to do.
build_lock() {
  exec 9>"$1"
  flock -n 9 && return 0
  log "another $ME is building; waiting for it"
  flock 9
  if (( ! FORCE )) && up_to_date; then log "$IMAGE is up to date (inputs $INPUTS)"; exit 0; fi
}

# rootfs_tar SUITE PKGS MIRROR TAR CHECK...: debootstraps minbase SUITE with PKGS (comma-separated)
# from MIRROR, leaves out docs, man pages, locales, apt lists and caches and logs, and writes the
# tree to TAR. CHECK... runs with the tree's path appended and fails the build when it lacks what
# the image needs.
rootfs_tar() {
  local suite=$1 pkgs=$2 mirror=$3 tar=$4 dir work r
  shift 4
  dir=$(dirname "$tar")
  log "debootstrap $suite (minbase + $pkgs) from $mirror"
  work=$(mktemp -d "$dir/work.XXXXXX")
  # shellcheck disable=SC2064
  trap "umount -R '$work/root/proc' '$work/root/sys' 2>/dev/null || true; rm -rf '$work'" EXIT
  if ! debootstrap --variant=minbase --include="$pkgs" "$suite" "$work/root" "$mirror" \
        >"$work/debootstrap.log" 2>&1; then
    cp "$work/debootstrap.log" "$dir/debootstrap-failed.log" 2>/dev/null || true
    cp "$work/root/debootstrap/debootstrap.log" "$dir/debootstrap-inner-failed.log" 2>/dev/null || true
    die "debootstrap failed: $(grep -E '^[EW]:' "$work/debootstrap.log" | tail -1)" \
        "see $dir/debootstrap-failed.log (is $mirror reachable?)"
  fi
  r=$work/root
  rm -rf "$r"/usr/share/{doc,man,info,lintian,linda,bug}/* "$r"/usr/share/locale/* \
         "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/* "$r"/var/cache/debconf/*-old \
         "$r"/var/log/*.log "$r"/var/log/apt/* "$r"/tmp/* "$r"/debootstrap
  printf 'deb %s %s main\n' "$mirror" "$suite" >"$r/etc/apt/sources.list"
  : >"$r/etc/resolv.conf"; echo localhost >"$r/etc/hostname"
  "$@" "$r" || die "the debootstrapped rootfs fails '$*'" "see $work/debootstrap.log"
  tar --numeric-owner --xattrs -C "$r" -cf "$tar.tmp" .
  mv "$tar.tmp" "$tar"
  rm -rf "$work"; trap - EXIT
  log "rootfs cached: $tar ($(du -h "$tar" | cut -f1))"
}
