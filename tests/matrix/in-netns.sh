#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Run a host program as if it were inside a container on a Docker network ("inside the cluster
# network" in the compatibility matrix), without building a client image:
#
#   tests/matrix/in-netns.sh CONTAINER -- COMMAND [ARG]...        (root)
#
# CONTAINER is a running container on that network (the matrix starts a `sleep` sidecar).
# COMMAND runs in the container's network namespace (nsenter -t PID -n), in a private mount
# namespace (unshare -m, propagation private, so nothing leaks to the host) where the container's
# own /etc/resolv.conf and /etc/hosts (docker inspect ResolvConfPath / HostsPath) are bind-mounted
# over the host's. Names therefore resolve through Docker's embedded DNS (127.0.0.11, reachable in
# that namespace only) exactly as for a process in the container, and "localhost" is the container
# itself, while the program, its libraries and runtimes (Python, Java, Node) are the host's.
# Environment and working directory are kept; LD_PRELOAD and KSHIM_* are dropped (no shim here).
set -euo pipefail
[[ $# -ge 3 && $2 == -- ]] || { echo "usage: $0 CONTAINER -- COMMAND [ARG]..." >&2; exit 2; }
c=$1; shift 2
read -r pid resolv hosts < <(docker inspect -f '{{.State.Pid}} {{.ResolvConfPath}} {{.HostsPath}}' "$c") \
  || { echo "in-netns.sh: no container $c" >&2; exit 125; }
[[ $pid =~ ^[1-9][0-9]*$ ]] || { echo "in-netns.sh: container $c is not running" >&2; exit 125; }
[[ -f $resolv && -f $hosts ]] || { echo "in-netns.sh: $c has no resolv.conf/hosts file" >&2; exit 125; }
unset LD_PRELOAD KSHIM_TABLE KSHIM_DEBUG
exec unshare --mount --propagation private -- /bin/sh -c '
  mount --bind "$1" /etc/resolv.conf && mount --bind "$2" /etc/hosts || exit 125
  pid=$3; shift 3
  exec nsenter --target "$pid" --net -- "$@"' in-netns "$resolv" "$hosts" "$pid" "$@"
