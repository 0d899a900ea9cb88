#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kshim run's own behaviour: static and Go programs are
# refused by --via preload before exec with the reason (without --via they run
# under the seccomp supervisor); setuid programs get a warning; --map
# builds a private table that is gone afterwards; LD_PRELOAD is prepended.
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export PATH=$PATH:/usr/local/go/bin:/usr/lib/go/bin

make_to "$work/static-prog" build/tests/ran || notok "build a static program (tests/clients/ran.c)"
out=$("$KSHIM" run --via preload --map kafka1:9092=127.0.0.1:1 -- "$work/static-prog" 2>&1); rc=$?
expect_eq "--via preload refuses a static program (exit status)" "$rc" 1
expect_match "  ... with the reason" 'statically linked: it loads no shared libraries, so the preloaded shim cannot reach it' "$out"
expect_nomatch "  ... before it runs" 'static ran' "$out"
out=$("$KSHIM" run --map kafka1:9092=127.0.0.1:1 -- "$work/static-prog" 2>&1)
expect_eq "  ... and without --via it runs (through seccomp)" "$out" "static ran"

mkdir -p "$work/goprog"
printf 'package main\nimport "fmt"\nfunc main(){fmt.Println("go ran")}\n' >"$work/goprog/main.go"
printf 'module example.com/goprog\n\ngo 1.19\n' >"$work/goprog/go.mod"
for cgo in 0 1; do
	(cd "$work/goprog" && CGO_ENABLED=$cgo GOFLAGS=-mod=mod go build -o "$work/go-prog-$cgo" .) ||
		notok "build a Go program (CGO_ENABLED=$cgo)"
	out=$("$KSHIM" run --via preload --map kafka1:9092=127.0.0.1:1 -- "$work/go-prog-$cgo" 2>&1); rc=$?
	expect_eq "--via preload refuses a Go program (CGO_ENABLED=$cgo)" "$rc" 1
	expect_match "  ... saying why" 'is a Go program: Go resolves names with its own resolver and connects with raw system calls' "$out"
	expect_match "  ... and what to do instead" 'hint: drop --via preload: kshim run serves it through seccomp' "$out"
	expect_nomatch "  ... before it runs" 'go ran' "$out"
	out=$("$KSHIM" run --map kafka1:9092=127.0.0.1:1 -- "$work/go-prog-$cgo" 2>&1)
	expect_eq "  ... and without --via it runs (through seccomp)" "$out" "go ran"
done
# Stripped of its section headers, the build-info magic still gives it away.
strip -s -o "$work/go-stripped" "$work/go-prog-0" 2>/dev/null &&
	expect_match "a stripped Go program is recognised" 'is a Go program' "$("$KSHIM" run --via preload --table /dev/null -- "$work/go-stripped" 2>&1)"

# A script is judged by its interpreter, found through env.
printf '#!/usr/bin/env python3\nprint("script ran")\n' >"$work/script.py"; chmod +x "$work/script.py"
out=$("$KSHIM" run --map kafka1:9092=127.0.0.1:1 -- "$work/script.py" 2>&1)
expect_eq "a #! script of a dynamic interpreter runs" "$out" "script ran"

# set-user-ID programs: ld.so drops LD_PRELOAD when ids change. As root, a
# program given to nobody; otherwise the system's set-user-ID root mount.
if [ "$(id -u)" = 0 ]; then
	make_to "$work/suid-prog" build/clients/ran && chown nobody "$work/suid-prog" && chmod 4755 "$work/suid-prog"
	suid=("$work/suid-prog") ran='static ran'
else
	suid=("$(command -v mount)" --version) ran='^mount from util-linux'
	check "mount is set-user-ID root" test -u "${suid[0]}"
fi
out=$("$KSHIM" run --map kafka1:9092=127.0.0.1:1 -- "${suid[@]}" 2>&1)
expect_match "a setuid program gets a warning" 'warning: .*set-user-ID.*drops LD_PRELOAD' "$out"
expect_match "  ... and still runs" "$ran" "$out"

# --map: a private table, used by the child, removed when it ends.
out=$("$KSHIM" run --map Kafka1:9092=localhost:29092 --map kafka1:9093=127.0.0.1:29093 \
	--map kafka2:9092=127.0.0.2:1 -- sh -c 'cat "$KSHIM_TABLE"; echo "preload=$LD_PRELOAD"; stat -c %a "$KSHIM_TABLE"')
expect_match "--map table maps both ports of kafka1" 'kafka1	127\.77\.[0-9]+\.1	9092=127\.0\.0\.1:29092	9093=127\.0\.0\.1:29093' "$out"
expect_match "--map table maps kafka2" 'kafka2	127\.77\.[0-9]+\.2	9092=127\.0\.0\.2:1' "$out"
expect_match "--map table is private (0600)" '^600$' "$(printf '%s\n' "$out" | tail -n 1)"
expect_eq "--map table is removed after the run" "$(ls "$KSHIM_HOME" | grep -c '^run')" 0
expect_match "LD_PRELOAD names the shim" "preload=$(readlink -f "$SHIM")" "$out"
# A cluster named like a run's pid keeps its table: the private one has a name
# no cluster can have. kshim is exec'd by the shell, so its pid is $$ there.
out=$(sh -c 'printf "kshim-table 1\nkafka1\t127.77.9.1\t9092=127.0.0.1:4242\n" >"$KSHIM_HOME/run-$$.table"
	exec "$0" run --map kafka1:9092=127.0.0.1:1 -- sh -c "cat \"\$KSHIM_TABLE\"; echo \"table=\$KSHIM_TABLE\""' "$KSHIM")
pid_table=$(ls "$KSHIM_HOME" | grep '^run-[0-9]*\.table$')
expect_match "a private table is not cluster run-PID's" '9092=127\.0\.0\.1:1$' "$(printf '%s\n' "$out" | grep kafka1)"
expect_eq "  ... whose table is still there afterwards, unchanged" "$(cat "$KSHIM_HOME/$pid_table" 2>&1)" \
	"$(printf 'kshim-table 1\nkafka1\t127.77.9.1\t9092=127.0.0.1:4242')"
private=$(basename "$(printf '%s\n' "$out" | sed -n 's/^table=//p')" .table)
"$KSHIM" status --name "$private" >/dev/null 2>&1
expect_eq "  ... and its name ($private) is refused as a cluster name (exit status 2)" "$?" 2
rm -f "$KSHIM_HOME/$pid_table"
out=$(LD_PRELOAD=/lib/x86_64-linux-gnu/libm.so.6 "$KSHIM" run --map k:1=127.0.0.1:1 -- sh -c 'echo "$LD_PRELOAD"')
expect_eq "the shim is prepended to an existing LD_PRELOAD" "$out" "$(readlink -f "$SHIM"):/lib/x86_64-linux-gnu/libm.so.6"

"$KSHIM" run --map k:1=127.0.0.1:1 -- sh -c 'exit 7'
expect_eq "the command's exit status is kshim's" "$?" 7
"$KSHIM" run --map k:1=127.0.0.1:1 -- sh -c 'kill -TERM $$'
expect_eq "death by signal is passed on" "$?" 143
expect_eq "no private table is left after a signal" "$(ls "$KSHIM_HOME" | grep -c '^run')" 0

# kill -INT sent to kshim itself (not through a terminal)
# reaches the program under --map; kshim ends as the program did.
"$KSHIM" run --map k:1=127.0.0.1:1 -- python3 -c '
import signal, sys, time
signal.signal(signal.SIGINT, lambda *a: sys.exit(9))
open(sys.argv[1], "w").close()
time.sleep(30)' "$work/int-ready" &
kpid=$!
for _ in $(seq 100); do [ -e "$work/int-ready" ] && break; sleep 0.1; done
kill -INT "$kpid"
wait "$kpid"
expect_eq "kill -INT to kshim run --map reaches the program (its exit 9)" "$?" 9
expect_eq "  ... and its private table is removed" "$(ls "$KSHIM_HOME" | grep -c '^run')" 0

# Concurrent --map runs each get their own loopback block
# (the block is chosen and the table written under the directory's lock).
for i in 1 2 3 4 5 6 7 8; do
	"$KSHIM" run --map k:1=127.0.0.1:1 -- sh -c 'sleep 1; awk "\$1 == \"k\" { sub(/\\.[0-9]+\$/, \"\", \$2); print \$2 }" "$KSHIM_TABLE"' >"$work/block.$i" &
done
wait
expect_eq "8 concurrent kshim run --map: 8 distinct loopback blocks" "$(sort -u "$work"/block.* | grep -c .)" 8

out=$("$KSHIM" run --map 'kafka1=127.0.0.1:1' -- true 2>&1); rc=$?
expect_eq "a malformed --map is a usage error" "$rc" 2
expect_match "  ... with an example" 'expected NAME:PORT=HOST:HOSTPORT' "$out"
out=$("$KSHIM" run --map 'kafka1:9092=example.com:1' -- true 2>&1)
expect_match "--map HOST must be an address" 'HOST must be an IPv4 address or localhost' "$out"
out=$("$KSHIM" run --name nosuch -- true 2>&1); rc=$?
expect_eq "no table for the cluster: exit status" "$rc" 1
expect_match "  ... one-line cause and a hint" "no table for cluster 'nosuch'.*"$'\n'"hint: start it with 'kshim up --name nosuch'" "$out"
out=$("$KSHIM" run --map k:1=127.0.0.1:1 -- no-such-command-xyz 2>&1)
expect_match "a missing command is named" 'no-such-command-xyz: command not found' "$out"

# The installed layout finds its library too.
make -s -C "$TOP" install PREFIX="$work/prefix" >/dev/null
out=$(env -u KSHIM_HOME HOME="$work" "$work/prefix/bin/kshim" run --map k:1=127.0.0.1:1 -- sh -c 'echo "$LD_PRELOAD"')
expect_eq "an installed kshim finds lib/kshim/libkshim.so" "$out" "$work/prefix/lib/kshim/libkshim.so"
finish
