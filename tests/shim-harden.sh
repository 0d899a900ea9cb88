#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The shim's defences, one defect found in review each, run against the shim
# built with ASan/UBSan; any sanitizer report fails. The threaded and
# signal-driven ones run again under TSan in tests/shim-stress.sh.
. "$(dirname "$0")/lib.sh"
build=$TOP/build/asan
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
make -s -C "$TOP" BUILD="$build" SAN=address,undefined "$build/libkshim.so" >/dev/null ||
	{ notok "build the shim with -fsanitize=address,undefined"; finish; }
make_to "$work/harden" "$build/helpers/harden" BUILD="$build" SAN=address,undefined ||
	{ notok "build harden.c"; finish; }
preload="$(cc -print-file-name=libasan.so) $build/libkshim.so"
export ASAN_OPTIONS=detect_leaks=0:log_path=$work/asan UBSAN_OPTIONS=print_stacktrace=1:log_path=$work/ubsan

# harden CASE [ARGS...]: one case of harden.c with its own table; its TAP lines count here.
harden() {
	local what=$1; shift
	KSHIM_TABLE=${TABLE:-$work/$what.table} LD_PRELOAD="$preload" timeout 30 "$work/harden" "$what" \
		"${TABLE:-$work/$what.table}" "$@" 2>"$work/$what.err" | tap_relay ""
	local rc=${PIPESTATUS[0]}
	[ "$rc" != 124 ] || { notok "$what: hung (killed after 30 s)"; return; }
	[ "$rc" -le 1 ] || notok "$what: exited $rc"
}

# Transient failures, chmod, a briefly missing table.
harden transient
harden chmod
harden missing
# getpeername in a signal handler during mapped lookups and connects.
harden sigpeer
# A FIFO (or a device) as KSHIM_TABLE: no hang, a warning, names pass through.
mkfifo "$work/fifo.table"
out=$(TABLE=$work/fifo.table harden lookup)
expect_eq "fifo: a lookup returns, unmapped" "$out" "addr="
expect_match "fifo: and says why" "fifo.table.*not a regular file" "$(cat "$work/lookup.err")"
out=$(TABLE=/dev/zero harden lookup)
expect_eq "device: a lookup returns, unmapped" "$out" "addr="
# A relative KSHIM_TABLE survives chdir.
mkdir "$work/rel"
(cd "$work/rel" && TABLE=t.table harden chdir)
(cd "$work/rel" && TABLE=first.table harden chdirfirst)
# fd reuse, dup, sockaddr_storage length.
harden reuse
# ERANGE in errno.
harden erange
# fd 2 reopened onto a data file gets nothing.
harden stderr "$work/data"
echo "kshim-table 1" >"$work/nothing.table"; chmod 600 "$work/nothing.table"
TABLE=$work/nothing.table harden lookup >/dev/null
rm -f "$work/nothing.table"
out=$(KSHIM_TABLE=$work/nothing.table LD_PRELOAD="$preload" "$work/harden" lookup "$work/nothing.table" 2>&1 >/dev/null)
expect_match "stderr: inherited stderr (a pipe) still gets the warning" "nothing.table: No such file" "$out"

# A table past the limit is refused with a message, not cut.
python3 - "$work/huge.table" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("kshim-table 1\n")
    i = 0
    while f.tell() < (1 << 20) + 100:
        f.write("host%d 127.%d.%d.%d 9092=127.0.0.1:43311\n" % (i, 10 + i // 65536, (i // 256) % 256, i % 256))
        i += 1
PY
chmod 600 "$work/huge.table"
out=$(TABLE=$work/huge.table harden lookup)
expect_match "huge: the shim refuses a table past the limit" "larger than 1 MiB" "$(cat "$work/lookup.err")"
out=$("$KSHIM" table "$work/huge.table" 2>&1); rc=$?
expect_eq "huge: kshim table calls it invalid" "$rc" 1
expect_match "huge: with the limit as reason" "larger than 1 MiB" "$out"
# A table at the limits (4096 hosts, 8 names each) loads fast.
python3 - "$work/big.table" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("kshim-table 1\n")
    for i in range(4095):
        names = ",".join("n%d-%d" % (i, j) for j in range(7)) + (",kafka1" if i == 4094 else ",z%d" % i)
        f.write("%s 127.88.%d.%d 9092=127.0.0.1:%d\n" % (names, i // 250, i % 250 + 1, 1000 + i))
PY
chmod 600 "$work/big.table"
start=$(date +%s%N)
out=$(TABLE=$work/big.table harden lookup)
ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "big: the last of 4095 hosts maps" "$out" "addr=127.88.16.95"
if [ "$ms" -lt 3000 ]; then ok "big: loaded and looked up in $ms ms (< 3000)"; else notok "big: took $ms ms"; fi

# secure_getenv, cached c-ares symbols, no binding to itself.
syms=$(nm -D --undefined-only "$TOP/build/libkshim.so")
expect_match "secure_getenv is what reads the environment" 'secure_getenv' "$syms"
expect_nomatch "  ... and plain getenv is not used" ' getenv' "$syms"
if [ -e /usr/include/ares.h ]; then
	make_to "$work/ares_repeat" build/helpers/ares_repeat
	printf 'kshim-table 1\nkafka1 127.77.0.1 9092=127.0.0.1:1111\n' >"$work/ares.table"; chmod 600 "$work/ares.table"
	lookups() { # lookups N: symbol lookups of ares_getaddrinfo in a process making N calls
		rm -f "$work/ld".*
		KSHIM_TABLE=$work/ares.table LD_PRELOAD="$TOP/build/libkshim.so" LD_DEBUG=symbols \
			LD_DEBUG_OUTPUT=$work/ld "$work/ares_repeat" kafka1 "$1" >"$work/ares.out"
		cat "$work/ld".* | grep -c 'symbol=ares_getaddrinfo;'
	}
	one=$(lookups 1); twenty=$(lookups 20)
	expect_eq "c-ares: 20 answers" "$(cat "$work/ares.out")" "answers=20"
	expect_eq "c-ares: 20 calls look the real ares_getaddrinfo up no more than 1 call ($one lookups)" "$twenty" "$one"
else
	notok "c-ares: ares.h missing (Debian package libc-ares-dev)"
fi
make_to "$work/selfbind" build/helpers/selfbind || notok "build tests/helpers/selfbind.c"
out=$(timeout 10 "$work/selfbind" 2>&1); rc=$?
expect_eq "self-binding: dlsym(RTLD_NEXT) giving the shim's own connect aborts" "$rc" 134
expect_match "  ... with a message" "kshim: .*own" "$out"

if ls "$work" | grep -q '^asan\|^ubsan'; then
	notok "[asan] sanitizer reports"; head -n 40 "$work"/asan* "$work"/ubsan* 2>/dev/null | sed 's/^/    # /'
else
	ok "[asan] no sanitizer reports"
fi
finish
