# Shared by every test script: TAP-like "ok - ..." / "not ok - ..." lines that
# tests/run.sh counts. Source it; call `finish` last.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
KSHIM=$BUILD/kshim
SHIM=$BUILD/libkshim.so
# What tests put in LD_PRELOAD: the shim, or a sanitizer runtime and the shim
# built with it (tests/shim-asan.sh).
SHIM_PRELOAD=${SHIM_PRELOAD:-$SHIM}
OUT=${OUT:-$TOP/tests/out}
mkdir -p "$OUT"
_failed=0

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; _failed=$((_failed + 1)); }

# check DESC CMD...: passes when CMD exits 0.
check() {
	local desc=$1; shift
	if "$@"; then ok "$desc"; else notok "$desc (exit $?: $*)"; fi
}

# expect_eq DESC GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1: got '$2', want '$3'"; fi
}

# expect_match DESC REGEX TEXT (extended regex, multi-line text)
expect_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then ok "$1"; else
		notok "$1: /$2/ not in:"; printf '%s\n' "$3" | head -n 20 | sed 's/^/    # /'
	fi
}

expect_nomatch() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then
		notok "$1: /$2/ unexpectedly in:"; printf '%s\n' "$3" | head -n 20 | sed 's/^/    # /'
	else ok "$1"; fi
}

# A private table directory per test script, removed by finish.
_own_home=
if [ -z "${KSHIM_HOME:-}" ]; then
	KSHIM_HOME=$(mktemp -d /tmp/kshim-test.XXXXXX)
	_own_home=$KSHIM_HOME
fi
export KSHIM_HOME
chmod 700 "$KSHIM_HOME"

finish() {
	[ -z "$_own_home" ] || rm -rf "$_own_home"
	[ "$_failed" = 0 ]
	exit $?
}

# identity_servers DIR NAME...: loopback TCP servers on ephemeral ports that
# stand in for Docker-published ports, each answering with its name. Fills
# PORT[name]. The servers exit when stop_identity_servers closes their stdin.
declare -A PORT
_srv_pid=
identity_servers() {
	local dir=$1; shift
	mkfifo "$dir/srv.in"
	/usr/bin/python3 "$TOP/tests/identity_server.py" --lifetime 900 "$@" \
		<"$dir/srv.in" >"$dir/ports" 2>"$dir/srv.err" &
	_srv_pid=$!
	exec 7>"$dir/srv.in"
	for _ in $(seq 100); do
		grep -qx ready "$dir/ports" 2>/dev/null && break
		sleep 0.1
	done
	grep -qx ready "$dir/ports" || { notok "identity servers started"; return 1; }
	local n
	for n in "$@"; do PORT[$n]=$(awk -v n="$n" '$1 == n { print $2 }' "$dir/ports"); done
}

stop_identity_servers() {
	exec 7>&-
	[ -z "$_srv_pid" ] || { kill "$_srv_pid" 2>/dev/null; wait "$_srv_pid" 2>/dev/null; }
	_srv_pid=
}

# write_table FILE NAME...: maps NAME_i to 127.77.0.i, port 9092 to PORT[NAME_i].
write_table() {
	local file=$1 i=1 n; shift
	{
		echo "kshim-table 1"
		for n in "$@"; do echo "$n 127.77.0.$i 9092=127.0.0.1:${PORT[$n]}"; i=$((i + 1)); done
	} >"$file.tmp"
	chmod 600 "$file.tmp"
	mv -f "$file.tmp" "$file"
}

# build_seqclient OUT: tests/seqclient.c (librdkafka) built to OUT.
build_seqclient() {
	cc -std=c11 -O2 -Wall -Wextra -Werror -o "$1" "$TOP/tests/seqclient.c" \
		$(pkg-config --cflags --libs rdkafka) || { notok "build tests/seqclient.c"; return 1; }
}

# build_go DIR OUT: the Go program in DIR built static (CGO_ENABLED=0) to OUT; the
# compiler's last lines as "# " lines when it fails.
build_go() {
	local log
	log=$(cd "$1" && CGO_ENABLED=0 PATH=$PATH:/usr/local/go/bin go build -o "$2" . 2>&1) ||
		{ printf '%s\n' "$log" | tail -n 5 | sed 's/^/    # /'; return 1; }
}

# roundtrip_counts FILE RUN: "produced got dups bad disorder done" for RUN's records in the
# output of a matrix-contract client (PRODUCED n / M<TAB>partition<TAB>offset<TAB>key<TAB>value /
# DONE): distinct records read, duplicates, keys not matching values (or other runs' records),
# records out of produce order within a partition, and whether it said DONE.
roundtrip_counts() {
	awk -F'\t' -v run="$2" '
		/^PRODUCED / { split($0, w, " "); produced = w[2] }
		/^DONE$/ { done = 1 }
		$1 == "M" {
			v = $5
			if (index(v, run ":") != 1) { foreign++; next }
			seq = substr(v, length(run) + 2) + 0
			if (seen[seq]++) dups++; else got++
			if ($4 != "k" seq) bad++
			if (($2 in last) && (seq <= last[$2] || $3 + 0 <= lastoff[$2])) disorder++
			last[$2] = seq; lastoff[$2] = $3 + 0
		}
		END { printf "%d %d %d %d %d %d\n", produced, got, dups, bad + foreign, disorder, done }' "$1"
}
