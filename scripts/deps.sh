#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Install the Debian packages kshim needs (build, tests, Docker engine, image build).
# Idempotent: a fast no-op when everything is installed; apt is called only when something is missing.
# Usage: scripts/deps.sh [--check] [--lint]
#   --check: only report, never install; exit 1 when missing
#   --lint: only the linters that make check runs (clang-format, shellcheck)
set -euo pipefail

check=0 lint=0
for a; do
  case $a in
  --check) check=1 ;;
  --lint) lint=1 ;;
  *) echo "deps.sh: error: unknown argument $a (usage: scripts/deps.sh [--check] [--lint])" >&2; exit 2 ;;
  esac
done

# tests/unit-lint.sh: the C format check and the shell script check.
LINT_PKGS=(clang-format shellcheck)

PKGS=(
  build-essential pkg-config libcurl4-openssl-dev libcjson-dev librdkafka-dev libc-ares-dev libssl-dev
  libyaml-dev
  kcat docker.io python3-kafka python3-confluent-kafka python3-pycares
  clang llvm lld libclang-rt-14-dev valgrind strace debootstrap curl iproute2
  openjdk-17-jdk-headless maven unzip gnuplot-nox util-linux time man-db
  docker-compose
  # engines (tests/e2e-podman.sh, tests/e2e-remote.sh): Podman's compatible API, a second dockerd
  # reached over tcp+TLS (certificates made with openssl) and over ssh
  podman netavark aardvark-dns openssh-server openssh-client openssl iptables
  # make deb and tests/e2e-deb.sh: the package's build and its check
  debhelper lintian
  # tests/e2e-debug.sh drives kshim debug's interactive shell through a terminal multiplexer
  tmux
  "${LINT_PKGS[@]}"
)
((lint == 0)) || PKGS=("${LINT_PKGS[@]}")

die() { echo "deps.sh: error: $*" >&2; exit 1; }

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian/Ubuntu only"

# Toolchains the tests use that a machine may already have from elsewhere
# (nodesource's nodejs, Go under /usr/local/go): installed from Debian only
# when the command is missing, so they never fight an existing install.
if ((lint == 0)); then
  command -v node >/dev/null 2>&1 || PKGS+=(nodejs npm)
  command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] || PKGS+=(golang-go)
  # musl-gcc: the static musl probe of tests/shim-seccomp.sh.
  PKGS+=(musl-tools)
fi

missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $st == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if ((check)); then
  echo "deps.sh: missing packages: ${missing[*]}" >&2
  exit 1
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "deps.sh: missing packages: ${missing[*]}" >&2
  die "not root; run: sudo apt-get install -y --no-install-recommends ${missing[*]}"
fi

echo "deps.sh: installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || die "apt-get update failed (is the package mirror in /etc/apt/sources.list* reachable?)"
apt-get install -y -q --no-install-recommends "${missing[@]}" \
  || die "apt-get install failed for: ${missing[*]} (see apt output above)"
echo "deps.sh: done" >&2
