#!/usr/bin/env bash
# Issue 4, item 3: a real Go Kafka client (franz-go, from the Go module proxy)
# is refused by kshim run --via preload before it runs, with the reason and
# what to do instead (kshim run without --via serves it through seccomp);
# preloading the shim by hand shows why: Go never asks libc.
. "$(dirname "$0")/lib.sh"
export PATH=$PATH:/usr/local/go/bin
work=$(mktemp -d); trap 'stop_identity_servers; rm -rf "$work"' EXIT
bin=$OUT/goclient
if ! (cd "$TOP/tests/goclient" && go build -o "$bin" .) >"$work/build.log" 2>&1; then
	notok "build the franz-go client (go build in tests/goclient)"; sed 's/^/    # /' "$work/build.log" | tail -n 5
	finish
fi
ok "built a franz-go client"

out=$("$KSHIM" run --via preload --map kafka1:9092=127.0.0.1:1 -- "$bin" -b kafka1:9092 2>&1); rc=$?
expect_eq "kshim run --via preload refuses the Go client (exit 1)" "$rc" 1
expect_match "  ... saying it is a Go program that resolves and connects on its own" \
	"^kshim: $bin is a Go program: Go resolves names with its own resolver and connects with raw system calls, so the preloaded shim cannot reach it$" "$out"
expect_match "  ... and what to do instead" "^hint: drop --via preload: kshim run serves it through seccomp$" "$out"
expect_nomatch "  ... before it ran" 'broker|dial|lookup' "$out"

# The reason, shown: with the shim preloaded by hand and a table that maps
# kafka1 to a live listener, the Go client still cannot resolve kafka1.
identity_servers "$work" kafka1 || finish
write_table "$work/table" kafka1
out=$(KSHIM_TABLE=$work/table KSHIM_DEBUG=1 LD_PRELOAD=$SHIM timeout 30 "$bin" -b kafka1:9092 2>&1)
expect_nomatch "preloaded by hand, the shim sees no lookup from Go" 'kshim\[[0-9]+\]: (getaddrinfo|connect)' "$out"
expect_match "  ... and the Go client fails to reach kafka1" 'no such host|lookup kafka1|unable to dial|deadline|context' "$out"
finish
