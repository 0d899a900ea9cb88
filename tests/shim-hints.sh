#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# For every hint combination clients pass, the shim answers a
# mapped name exactly as glibc answers the same name from a hosts file. glibc's
# side runs in a private mount namespace with its own /etc/hosts and an
# nsswitch.conf that asks no DNS server (inside a user namespace when not root).
. "$(dirname "$0")/lib.sh"
private_mounts=(unshare -m)
[ "$(id -u)" = 0 ] || private_mounts=(unshare -r -m)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
make_to "$work/gai_dump" build/helpers/gai_dump || { notok "build tests/helpers/gai_dump.c"; finish; }

cat >"$work/table" <<'T'
kshim-table 1
kafka1,k1alias 127.77.0.1 9092=127.0.0.1:1
kafka2 127.77.0.2 9092=127.0.0.1:2
T
chmod 600 "$work/table"
printf '127.0.0.1 localhost\n127.77.0.1 kafka1 k1alias\n127.77.0.2 kafka2\n' >"$work/hosts"
echo 'hosts: files' >"$work/nsswitch.conf"
names="kafka1 KAFKA1 k1alias kafka2"
files_only="mount --bind '$work/nsswitch.conf' /etc/nsswitch.conf"

KSHIM_TABLE=$work/table LD_PRELOAD="$SHIM_PRELOAD" "$work/gai_dump" $names >"$work/shim.out"
"${private_mounts[@]}" sh -c "$files_only && mount --bind '$work/hosts' /etc/hosts && '$work/gai_dump' $names" >"$work/glibc.out"
check "glibc side ran in a private mount namespace" test -s "$work/glibc.out"
expect_match "glibc resolves kafka1 from the private hosts file" 'kafka1 \| AF_INET: \[fam 2 type 1 proto 6 len 16 127.77.0.1 port 9092' "$(cat "$work/glibc.out")"

while IFS= read -r want && IFS= read -r got <&3; do
	expect_eq "${want%%:*}" "$got" "$want"
done <"$work/glibc.out" 3<"$work/shim.out"
expect_eq "same number of answers" "$(wc -l <"$work/shim.out")" "$(wc -l <"$work/glibc.out")"

# glibc's hosts backend does not strip a trailing dot; kshim does, as DNS would.
dot=$(KSHIM_TABLE=$work/table LD_PRELOAD="$SHIM_PRELOAD" "$work/gai_dump" kafka1. | sed 's/^kafka1\. |/kafka1 |/')
expect_eq "kafka1. answers as kafka1 does" "$dot" "$(grep '^kafka1 |' "$work/shim.out")"

# Without the shim (and without the hosts entry) the name does not resolve.
out=$("${private_mounts[@]}" sh -c "$files_only && mount --bind /dev/null /etc/hosts && '$work/gai_dump' kafka1" | head -n 1)
expect_match "kafka1 does not resolve without the shim" 'error' "$out"
finish
