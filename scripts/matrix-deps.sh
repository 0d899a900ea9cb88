#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Install what the client compatibility matrix (tests/matrix-clients.sh) needs beyond scripts/deps.sh,
# on a Debian 12 machine, as root. Idempotent, and a fast no-op when everything is there.
#
#   scripts/matrix-deps.sh            install what is missing
#   scripts/matrix-deps.sh --check    only report; exit 1 when something is missing
#   scripts/matrix-deps.sh --print-env   print MATRIX_NODE_PATH=... and MATRIX_JAVA_CP=... lines
#
# What:
#   - Debian packages through scripts/deps.sh (kcat, librdkafka-dev, python3-confluent-kafka,
#     python3-kafka, openjdk-17-jdk-headless, maven, util-linux, ...), plus Node.js and npm when no
#     `node`/`npm` is on PATH (Debian's nodejs + npm; a NodeSource nodejs already brings npm).
#   - kafkajs from the npm registry, pinned by tests/matrix/package.json, into $CACHE/npm/node_modules.
#   - org.apache.kafka:kafka-clients 4.1.x and its runtime jars from Maven Central, pinned by
#     tests/matrix/pom.xml, into $CACHE/java-libs (Maven's local repository: $CACHE/m2).
#   - For the statically linked C client: the static archives librdkafka's static link needs
#     (liblz4-dev, libzstd-dev, libssl-dev, zlib1g-dev) and libsasl2-dev (only its header:
#     tests/matrix/sasl_none.c says why). Go and cargo from Debian when none is on PATH.
#   - The Go clients' modules (tests/goclient, tests/matrix/kafkago_client; go.sum pins them) and
#     the Rust client's crates (tests/matrix/rust_client/Cargo.lock) into Go's and cargo's own
#     caches, so the matrix builds them offline.
#   Each is keyed by a hash of its pin file, so editing package.json or pom.xml reinstalls it.
#   Nothing is written into the source tree (no node_modules in the repository).
#
# Environment: KSHIM_MATRIX_CACHE (default /var/cache/kshim/matrix)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
SPEC=$TOP/tests/matrix
CACHE=${KSHIM_MATRIX_CACHE:-/var/cache/kshim/matrix}
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

die() { echo "matrix-deps.sh: error: $1" >&2; [[ -n ${2:-} ]] && echo "matrix-deps.sh: hint: $2" >&2; exit 1; }
log() { echo "matrix-deps.sh: $*" >&2; }
key() { cat "$@" | sha256sum | cut -c1-16; }

MODE=install
case ${1:-} in
  "") ;;
  --check) MODE=check ;;
  --print-env) MODE='env' ;;
  -h|--help) sed -n '3,26p' "$0"; exit 0 ;;
  *) die "unknown argument: $1" "usage: $0 [--check|--print-env]" ;;
esac

NPM_KEY=$(key "$SPEC/package.json")
JAVA_KEY=$(key "$SPEC/pom.xml" <(echo "$DEP_PLUGIN"))
NPM_DIR=$CACHE/npm-$NPM_KEY
JAVA_DIR=$CACHE/java-$JAVA_KEY

if [[ $MODE == env ]]; then
  echo "MATRIX_NODE_PATH=$NPM_DIR/node_modules"
  echo "MATRIX_JAVA_CP=$JAVA_DIR/libs/*"
  exit 0
fi

npm_ok() { [[ -f $NPM_DIR/.done && -f $NPM_DIR/node_modules/kafkajs/package.json ]]; }
java_ok() { [[ -f $JAVA_DIR/.done ]] && compgen -G "$JAVA_DIR/libs/kafka-clients-*.jar" >/dev/null; }
tools_ok() { command -v node >/dev/null && command -v npm >/dev/null; }
export PATH=$PATH:/usr/local/go/bin:$HOME/.cargo/bin
STATIC_PKGS=(liblz4-dev libzstd-dev libssl-dev zlib1g-dev libsasl2-dev)
command -v go >/dev/null || STATIC_PKGS+=(golang-go)
command -v cargo >/dev/null || STATIC_PKGS+=(cargo)
debs_missing() {
  local p
  for p in "${STATIC_PKGS[@]}"; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || echo "$p"
  done
}
GO_MODS=("$TOP/tests/goclient" "$SPEC/kafkago_client")
CRATES=$SPEC/rust_client/Cargo.toml
mods_ok() {
  local d
  for d in "${GO_MODS[@]}"; do (cd "$d" && GOPROXY=off go mod download) >/dev/null 2>&1 || return 1; done
  cargo fetch --locked --offline --manifest-path "$CRATES" >/dev/null 2>&1
}

if [[ $MODE == check ]]; then
  bad=()
  bash "$HERE/deps.sh" --check || bad+=("Debian packages (scripts/deps.sh)")
  tools_ok || bad+=("node/npm")
  npm_ok || bad+=("kafkajs in $NPM_DIR")
  java_ok || bad+=("kafka-clients jars in $JAVA_DIR")
  [[ -z $(debs_missing) ]] || bad+=("Debian packages: $(debs_missing | tr '\n' ' ')")
  command -v go >/dev/null && command -v cargo >/dev/null && mods_ok || bad+=("Go modules / crates")
  ((${#bad[@]} == 0)) || { log "missing: ${bad[*]}"; exit 1; }
  exit 0
fi

# One install at a time: suites that run side by side (tests/run.sh) may all call this at once.
mkdir -p "$CACHE" && exec 9>"$CACHE/.install.lock" && flock 9 || die "cannot lock $CACHE/.install.lock" "run as root"

# ---- Debian packages --------------------------------------------------------------------------
bash "$HERE/deps.sh" || die "scripts/deps.sh failed"
if ! tools_ok; then
  [[ $(id -u) -eq 0 ]] || die "node/npm missing and not root" "sudo apt-get install -y nodejs npm"
  pk=()
  command -v node >/dev/null || pk+=(nodejs)
  command -v npm >/dev/null || pk+=(npm)
  log "installing ${pk[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  apt-get install -y -q --no-install-recommends "${pk[@]}" >&2 || die "apt-get install ${pk[*]} failed"
fi

mapfile -t missing < <(debs_missing)
if ((${#missing[@]})); then
  [[ $(id -u) -eq 0 ]] || die "${missing[*]} missing and not root" "sudo apt-get install -y ${missing[*]}"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
fi

# ---- Go modules and crates (the registries' own clients; their caches) ----------------------------
if ! mods_ok; then
  log "go mod download (tests/goclient, tests/matrix/kafkago_client); cargo fetch (tests/matrix/rust_client)"
  for d in "${GO_MODS[@]}"; do
    (cd "$d" && go mod download) >&2 || die "go mod download in $d failed" "is the Go module proxy reachable?"
  done
  cargo fetch --locked --manifest-path "$CRATES" >&2 || die "cargo fetch failed" "is crates.io reachable?"
fi

mkdir -p "$CACHE"

# ---- kafkajs from npm ---------------------------------------------------------------------------
if ! npm_ok; then
  log "npm install (tests/matrix/package.json) into $NPM_DIR"
  rm -rf "$NPM_DIR.tmp"; mkdir -p "$NPM_DIR.tmp"
  cp "$SPEC/package.json" "$NPM_DIR.tmp/"
  if ! (cd "$NPM_DIR.tmp" && npm install --no-audit --no-fund --omit=dev --loglevel=error \
          >"$CACHE/npm-install.log" 2>&1); then
    die "npm install failed: $(tail -3 "$CACHE/npm-install.log" | tr '\n' ' ')" \
        "see $CACHE/npm-install.log (is the npm registry reachable?)"
  fi
  touch "$NPM_DIR.tmp/.done"
  rm -rf "$NPM_DIR"; mv "$NPM_DIR.tmp" "$NPM_DIR"
  # drop installs for older pins
  find "$CACHE" -maxdepth 1 -name 'npm-*' -type d ! -name "npm-$NPM_KEY" -exec rm -rf {} + 2>/dev/null || true
  log "kafkajs $(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$NPM_DIR/node_modules/kafkajs/package.json" | head -1) installed"
fi

# ---- kafka-clients from Maven Central -------------------------------------------------------------
if ! java_ok; then
  command -v mvn >/dev/null || die "mvn not found" "run scripts/deps.sh (installs maven)"
  log "mvn copy-dependencies (tests/matrix/pom.xml) into $JAVA_DIR"
  rm -rf "$JAVA_DIR.tmp"; mkdir -p "$JAVA_DIR.tmp"
  cp "$SPEC/pom.xml" "$JAVA_DIR.tmp/"
  if ! mvn -B -q -f "$JAVA_DIR.tmp/pom.xml" -Dmaven.repo.local="$CACHE/m2" \
        "$DEP_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory="$JAVA_DIR.tmp/libs" \
        >"$CACHE/mvn.log" 2>&1; then
    die "mvn failed: $(grep -m1 ERROR "$CACHE/mvn.log" || tail -1 "$CACHE/mvn.log")" \
        "see $CACHE/mvn.log (is Maven Central reachable?)"
  fi
  touch "$JAVA_DIR.tmp/.done"
  rm -rf "$JAVA_DIR"; mv "$JAVA_DIR.tmp" "$JAVA_DIR"
  find "$CACHE" -maxdepth 1 -name 'java-*' -type d ! -name "java-$JAVA_KEY" -exec rm -rf {} + 2>/dev/null || true
  log "jars: $(cd "$JAVA_DIR/libs" && ls | tr '\n' ' ')"
fi
exit 0
