#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/clean-state.sh (make clean-state) on a scratch tree, with stand-in docker, podman,
# pgrep and ip commands that log their arguments: --dry-run changes nothing; a real run removes
# kshim's containers, networks and images (and nothing else of the engine's), stops Podman's
# service, calls scripts/kubernetes.sh down, empties the cache but for the Maven repositories,
# and removes the tests' scratch and table directories and tests/out.
. "$(dirname "$0")/lib.sh"
w=$(mktemp -d /tmp/cleanstate.XXXXXX)
svc=
cleanup() { [ -z "$svc" ] || kill "$svc" 2>/dev/null; rm -rf "$w"; }
trap cleanup EXIT

# A copy of the script in a tree of its own, so that its tests/out is not this one.
mkdir -p "$w/top/scripts" "$w/top/tests/out" "$w/bin" "$w/root/tmp" "$w/root/run/podman" "$w/root/var/log" "$w/home"
cp "$TOP/scripts/clean-state.sh" "$w/top/scripts/"
printf '# stand-in\necho "kubernetes.sh $*" >>%s/calls\n' "$w" >"$w/top/scripts/kubernetes.sh"
# docker and podman: one of each answers; the engine holds kshim's and other images.
cat >"$w/bin/docker" <<EOF
#!/bin/sh
# stand-in docker: logs its arguments, answers like an engine with two kshim images
[ "\$1" = --host ] && shift 2
echo "docker \$*" >>$w/calls
case "\$*" in
"images "*) printf 'kshim/kafka:local\nkshim/probe:local\ndebian:12\n' ;;
"ps "*"label=io.kshim.cluster") echo c1 ;;
"ps "*"ancestor=kshim/kafka:local") printf 'c2\nc1\n' ;;
"inspect "*) printf 'k-net\n\nbridge\n' ;;
*"network ls"*"label=io.kshim.test") echo att_default ;;
esac
exit 0
EOF
printf '#!/bin/sh\n# stand-in podman: no engine\necho "podman $*" >>%s/calls\nexit 1\n' "$w" >"$w/bin/podman"
sleep 300 &
svc=$!
printf '#!/bin/sh\n# stand-in pgrep: the Podman service\necho %s\n' "$svc" >"$w/bin/pgrep"
printf '#!/bin/sh\n# stand-in ip: one namespace of e2e-remote\necho "ip $*" >>%s/calls\n[ "$2" = list ] && echo "kshim-remote-7 (id: 0)"\nexit 0\n' "$w" >"$w/bin/ip"
chmod 755 "$w/bin"/* "$w/top/scripts/kubernetes.sh"

c=$w/root/var/cache/kshim
mkdir -p "$c/m2/org" "$c/matrix/m2/org" "$c/matrix/npm-1" "$c/rootfs" "$c/debootstrap" "$c/clients/go-1" "$w/root/tmp/kshim-test.a1" \
	"$w/root/tmp/kmx-home.b2" "$w/home/.local/state/kshim" "$w/root/tmp/other"
touch "$c/.kafka-image.lock" "$c/debootstrap/trixie-20261203.tar" "$w/root/run/podman/podman.sock" "$w/root/var/log/kshim-podman.log" "$w/top/tests/out/x.log"
state() { (cd "$w" && find root home top/tests | sort | tr '\n' ' '); }
before=$(state)
clean() { PATH=$w/bin:$PATH HOME=$w/home XDG_RUNTIME_DIR= KSHIM_CLEAN_ROOT=$w/root bash "$w/top/scripts/clean-state.sh" "$@"; }

out=$(clean --dry-run)
expect_eq "--dry-run exits 0" "$?" 0
expect_eq "  ... and changes nothing on disk" "$(state)" "$before"
expect_eq "  ... nor in the engine or in Kubernetes" "$(grep -cE ' (rm|rmi|del)( |$)|kubernetes' "$w/calls")" 0
check "  ... nor stops Podman's service" kill -0 "$svc"
expect_match "  ... it says what it would remove" "would Docker: remove images kshim/kafka:local kshim/probe:local$" "$out"

: >"$w/calls"
out=$(clean)
expect_eq "a real run exits 0" "$?" 0
expect_eq "kubernetes.sh down is called first" "$(head -n 1 "$w/calls")" "kubernetes.sh down"
expect_eq "Docker: kshim's containers, their networks and labelled ones, kshim's images only" \
	"$(grep -E '^docker (rm|network rm|rmi) ' "$w/calls")" "docker rm -fv c1 c2
docker network rm att_default k-net
docker rmi -f kshim/kafka:local kshim/probe:local"
expect_match "Podman: no engine answers, and the script says so" "Podman: no engine answers" "$out"
gone() { ! kill -0 "$svc" 2>/dev/null; }
check "Podman's service is stopped" wait_for 5 gone
expect_eq "the remote test's network namespace is removed" "$(grep -c '^ip netns del kshim-remote-7$' "$w/calls")" 1
expect_eq "what is left: the Maven repositories, other files in /tmp, an empty tests/" \
	"$(state)" "home home/.local home/.local/state root root/run root/run/podman root/tmp root/tmp/other root/var root/var/cache root/var/cache/kshim root/var/cache/kshim/m2 root/var/cache/kshim/m2/org root/var/cache/kshim/matrix root/var/cache/kshim/matrix/m2 root/var/cache/kshim/matrix/m2/org root/var/log top/tests "
out=$(clean --bogus 2>&1)
expect_eq "an unknown argument: exit 2" "$?" 2
expect_eq "  ... a cause and a hint" "$out" "clean-state.sh: error: unknown argument: --bogus
clean-state.sh: hint: usage: $w/top/scripts/clean-state.sh [--dry-run]"
finish
