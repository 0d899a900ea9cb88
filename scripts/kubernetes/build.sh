# SPDX-License-Identifier: Apache-2.0
# Build half of scripts/kubernetes.sh (sourced by it): the test cluster's programs and images, each
# built once and cached under $CACHE in a directory named after a hash of its inputs (versions, the
# sources under scripts/kubernetes/ and the text of the function that builds it).
#   kube-KEY/     one binary for kube-apiserver, -controller-manager, -scheduler, kubelet,
#                 kube-proxy and kubectl (scripts/kubernetes/kube), with a symlink per name
#   coredns-KEY/  CoreDNS with the plugins the cluster uses (scripts/kubernetes/coredns)
#   debs-KEY/     etcd, the CNI plugins and nft, unpacked from Debian packages (nothing installed)
#   pause-KEY/    the pause image as a docker-archive tarball, made from the module's pause.c

K8S_VERSION=v1.34.4
COREDNS_VERSION=v1.14.7
PAUSE_TAG=3.10.1
PAUSE_IMAGE=kshim/pause:$PAUSE_TAG
DEBS=(etcd-server containernetworking-plugins nftables libnftables1)
# what the unpacked nft needs from the host, and what the build and the node use
HOST_PKGS=(containerd runc iptables iproute2 openssl gcc libc6-dev libgmp10 libjansson4 libmnl0 libnftnl11 libxtables12 curl)

sha() { sha256sum | cut -c1-16; }

# key PART FILE...: the hash naming PART's cache directory
key() {
  local part=$1
  shift
  {
    echo "$part $K8S_VERSION $COREDNS_VERSION $PAUSE_TAG $(go_version)"
    declare -f "build_$part" go_build kube_gomod version_ldflags
    cat "$@"
  } | sha
}

go_version() { go env GOVERSION 2>/dev/null || echo none; }

check_build_deps() {
  local missing=() p
  command -v go >/dev/null || [[ -x /usr/local/go/bin/go ]] || die "go not found" "run scripts/deps.sh (installs golang-go)"
  for p in "${HOST_PKGS[@]}"; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true) == "install ok installed" ]] || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
    die "apt-get install ${missing[*]} failed" "apt-get update, then rerun (is the Debian mirror reachable?)"
}

# module_dir MODULE@VERSION: where the Go module cache holds it (downloaded if needed)
module_dir() {
  go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'
}

# kube_gomod: the wrapper's go.mod; every staging module the kubernetes module replaces with
# ./staging/src/... is pinned to the matching published v0.x release instead
kube_gomod() {
  local kmod=$1 minor=${K8S_VERSION#v1.}
  printf 'module kshim.local/kube\n\ngo 1.24.0\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$K8S_VERSION"
  awk -v v="v0.$minor" '$2 == "=>" && $3 ~ /^\.\/staging\// { printf "\t%s => %s %s\n", $1, $1, v }' "$kmod"
  printf ')\n'
}

version_ldflags() {
  local minor=${K8S_VERSION#v1.} p flags="-s -w"
  minor=${minor%%.*}
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  echo "$flags"
}

# go_build WORK OUT: tidy and build the module in WORK into the binary OUT
go_build() {
  (cd "$1" && GOFLAGS=-mod=mod go mod tidy >"$1/tidy.log" 2>&1) ||
    die "go mod tidy failed in $1: $(tail -1 "$1/tidy.log")" "see $1/tidy.log (is the Go module proxy reachable?)"
  (cd "$1" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "$(version_ldflags)" -o "$2" . \
     >"$1/build.log" 2>&1) || die "go build failed in $1: $(tail -1 "$1/build.log")" "see $1/build.log"
}

build_kube() {
  local out=$1 work=$1.work gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
  [[ -s $gomod ]] || die "k8s.io/kubernetes@$K8S_VERSION is not in the Go module cache" "check GOPROXY ($(go env GOPROXY))"
  mkdir -p "$work"
  cp "$SRC/kube/main.go" "$work/"
  kube_gomod "$gomod" >"$work/go.mod"
  log "building Kubernetes $K8S_VERSION (one binary; about 6 min on 2 idle cores with empty Go caches)"
  go_build "$work" "$work/kube"
  mkdir -p "$out"
  mv "$work/kube" "$out/kube"
  local p
  for p in kubectl kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
    ln -sfn kube "$out/$p"
  done
}

build_coredns() {
  local out=$1 work=$1.work
  mkdir -p "$work"
  cp "$SRC/coredns/main.go" "$work/"
  printf 'module kshim.local/coredns\n\ngo 1.25.0\n\nrequire github.com/coredns/coredns %s\n' "$COREDNS_VERSION" >"$work/go.mod"
  log "building CoreDNS $COREDNS_VERSION"
  go_build "$work" "$work/coredns"
  mkdir -p "$out"
  mv "$work/coredns" "$out/coredns"
}

# deb_versions: the candidate version of each package, part of the debs key
deb_versions() {
  local p v versions
  # one apt-cache call: each loads the whole package cache
  versions=$(apt-cache policy "${DEBS[@]}" 2>/dev/null | awk '/^[^ ]/ { p = $1 } /Candidate:/ { print p, $2 }')
  for p in "${DEBS[@]}"; do
    v=$(awk -v p="$p:" '$1 == p { print $2 }' <<<"$versions")
    [[ -n $v && $v != "(none)" ]] || die "Debian package $p has no candidate version" "run apt-get update"
    echo "$p=$v"
  done
}

build_debs() {
  local out=$1 work=$1.work d
  shift
  mkdir -p "$work/root"
  log "apt-get download ${DEBS[*]}"
  (cd "$work" && apt-get download -q "$@" >"$work/download.log" 2>&1) ||
    die "apt-get download failed: $(tail -1 "$work/download.log")" "see $work/download.log (is the Debian mirror reachable?)"
  for d in "$work"/*.deb; do dpkg -x "$d" "$work/root"; done
  mkdir -p "$out/bin" "$out/cni" "$out/lib"
  mv "$work/root/usr/bin/etcd" "$work/root/usr/sbin/nft" "$out/bin/"
  mv "$work/root"/usr/lib/x86_64-linux-gnu/libnftables.so* "$out/lib/"
  for d in bridge host-local loopback portmap; do mv "$work/root/usr/lib/cni/$d" "$out/cni/"; done
  LD_LIBRARY_PATH=$out/lib "$out/bin/nft" --version >/dev/null ||
    die "the unpacked nft does not run" "check the libraries it needs: LD_LIBRARY_PATH=$out/lib ldd $out/bin/nft"
}

# build_pause OUT: pause.c compiled static, packed as a one-layer image FROM scratch in the
# docker-archive format (what docker save writes and ctr images import reads)
build_pause() {
  local out=$1 work=$1.work kdir layer_id config config_id
  kdir=$(module_dir "k8s.io/kubernetes@$K8S_VERSION")
  mkdir -p "$work/rootfs" "$work/image"
  gcc -static -O2 -DVERSION="v$PAUSE_TAG-kshim" -o "$work/rootfs/pause" "$kdir/build/pause/linux/pause.c" ||
    die "gcc -static of pause.c failed" "install libc6-dev (scripts/deps.sh)"
  strip "$work/rootfs/pause"
  tar --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$work/rootfs" -cf "$work/layer.tar" pause
  layer_id=$(sha256sum <"$work/layer.tar" | cut -d' ' -f1)
  mkdir "$work/image/$layer_id"
  mv "$work/layer.tar" "$work/image/$layer_id/layer.tar"
  config=$(printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/pause"],"User":"65535:65535"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$layer_id")
  config_id=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
  printf '%s' "$config" >"$work/image/$config_id.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
    "$config_id" "$PAUSE_IMAGE" "$layer_id" >"$work/image/manifest.json"
  mkdir -p "$out"
  tar --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$work/image" -cf "$out/pause.tar" .
}

# part VAR NAME KEY [ARGS...]: VAR=$CACHE/NAME-KEY, built by build_NAME unless already there
part() {
  local var=$1 name=$2 k=$3 dir
  shift 3
  dir=$CACHE/$name-$k
  if [[ ! -e $dir/.done ]]; then
    rm -rf "$dir" "$dir.work"
    local t0=$SECONDS
    "build_$name" "$dir" "$@"
    touch "$dir/.done"
    rm -rf "$dir.work"
    log "$name built in $((SECONDS - t0))s: $dir ($(du -sh "$dir" | cut -f1))"
  fi
  printf -v "$var" %s "$dir"
}

# build: every part, cached; sets KUBE_DIR COREDNS_DIR DEBS_DIR PAUSE_DIR
build() {
  local debs
  check_build_deps
  mkdir -p "$CACHE"
  exec 8>"$CACHE/.build.lock"
  flock -n 8 || { log "another kubernetes.sh is building; waiting for it"; flock 8; }
  debs=$(deb_versions)
  part KUBE_DIR kube "$(key kube "$SRC/kube/main.go")"
  part COREDNS_DIR coredns "$(key coredns "$SRC/coredns/main.go")"
  # shellcheck disable=SC2086
  part DEBS_DIR debs "$(echo "$debs" | key debs -)" $debs
  part PAUSE_DIR pause "$(key pause /dev/null)"
  exec 8>&-
}
