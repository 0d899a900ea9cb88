#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A real single-node Kubernetes for the tests, built here from sources (no registry is needed):
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, a kubelet on a private containerd,
# kube-proxy (nftables) and CoreDNS as host processes, pods on a bridge of their own. The local
# Kafka image is imported into it as kshim/kafka:local (pods use imagePullPolicy: Never).
#
# Usage: scripts/kubernetes.sh COMMAND
#   build      build every part once, cached under $KSHIM_CACHE/kubernetes (scripts/kubernetes/build.sh)
#   up         build, then start the cluster unless it runs; re-import the Kafka image when Docker's
#              changed. Prints, on stdout only, `export KUBECONFIG=...` and `export PATH=...` for eval
#   env        the same two lines for a running cluster
#   down       stop it in reverse order, restore the sysctls and the firewall rule, remove its state
#   status     one line per process and the node's readiness; exit 1 when it does not run
#   kubeconfig --user NAME [--group G]... [--auth cert|token|exec] [--role attach [--namespace NS]]
#              mint a kubeconfig for a user the cluster CA signs (cert, the default) or for a bearer
#              token the API server accepts (token; exec: the same token returned by an exec
#              credential plugin); --role attach binds the ClusterRole kshim-attach (get, list and
#              watch pods, services, endpoints and endpointslices; create pods/portforward) in NS,
#              or cluster-wide without --namespace. Prints the file's path.
#
# Environment: KSHIM_CACHE (default /var/cache/kshim), KSHIM_KUBE_STATE (default
#              /var/lib/kshim-kubernetes), KSHIM_KAFKA_IMAGE_REF (default kshim/kafka:local; empty:
#              import no Kafka image), KSHIM_KUBE_TIMEOUT (seconds per start step, default 120)
set -euo pipefail
set -E

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$HERE/kubernetes
CACHE=${KSHIM_CACHE:-/var/cache/kshim}/kubernetes
STATE=${KSHIM_KUBE_STATE:-/var/lib/kshim-kubernetes}
KAFKA_IMAGE=${KSHIM_KAFKA_IMAGE_REF-kshim/kafka:local}
TIMEOUT=${KSHIM_KUBE_TIMEOUT:-120}
T0=$EPOCHREALTIME
ROLLBACK=0
IMPORTER=
# fd 9: the caller's stderr, for messages from traps, which can run where a check's
# stderr is /dev/null
exec 9>&2
# a failed up's logs, kept here because the rollback removes $STATE
SAVED_LOGS=/var/log/kshim-kubernetes.failed

# every failure: the rollback of a half-started cluster first, then cause and fix as the last lines
die() {
  trap - ERR
  if ((ROLLBACK)); then
    ROLLBACK=0
    log "rolling back what was started (its logs: $SAVED_LOGS)"
    save_logs
    stop_all >/dev/null 2>&1 || true
  fi
  echo "kubernetes.sh: error: $1" >&9
  echo "kubernetes.sh: hint: ${2:-see the logs under $STATE/logs}" >&9
  exit 1
}
save_logs() { rm -rf "$SAVED_LOGS" && cp -r "$STATE/logs" "$SAVED_LOGS" 2>/dev/null || true; }
log() { echo "kubernetes.sh: [$(awk "BEGIN{printf \"%5.1fs\", $EPOCHREALTIME - $T0}")] $*" >&9; }
on_error() { die "'$1' failed (exit $2) at line $3" "see the output above and the logs under $STATE/logs"; }
on_interrupt() {
  trap - INT TERM ERR
  ((ROLLBACK)) && { log "interrupted: rolling back"; ROLLBACK=0; stop_all >/dev/null 2>&1 || true; }
  echo "kubernetes.sh: error: interrupted" >&9
  echo "kubernetes.sh: hint: run it again; a half-started cluster was removed" >&9
  exit 130
}
trap 'on_error "$BASH_COMMAND" $? $LINENO' ERR
trap on_interrupt INT TERM

# shellcheck source=kubernetes/build.sh
. "$SRC/build.sh"
# shellcheck source=kubernetes/node.sh
. "$SRC/node.sh"
# shellcheck source=kubernetes/users.sh
. "$SRC/users.sh"

need_root() { [[ $(id -u) -eq 0 ]] || die "$1 needs root" "run: sudo $0 $1"; }

usage() { sed -n '8,24p' "$0" >&2; exit 2; }

case ${1:-} in
  build) need_root build; build; log "built: $KUBE_DIR $COREDNS_DIR $DEBS_DIR $PAUSE_DIR" ;;
  up) need_root up; up ;;
  env) running_env ;;
  down) need_root down; down ;;
  status) status ;;
  kubeconfig) need_root kubeconfig; shift; mint_kubeconfig "$@" ;;
  -h|--help) usage ;;
  *) echo "kubernetes.sh: error: unknown command '${1:-}'" >&2; usage ;;
esac
