# SPDX-License-Identifier: Apache-2.0
# Shared by every test script: numbered TAP results ("ok 3 - ...", "not ok 4 - ...")
# and, from finish, the plan ("1..N"), so `prove tests/<script>.sh` runs any suite
# script on its own and tests/run.sh counts the results. Source it; call `finish` last.
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
# The engine: Docker's own socket, for every docker and kshim command that names no other.
# A script that uses another engine (Podman, a remote one) names it on each such command
# (docker --host, DOCKER_HOST= before the one command); what a caller exported is not
# inherited, so no command reaches an engine it did not name by accident.
# shellcheck disable=SC2034 # for the scripts that source this file
DOCKER_ENGINE=unix:///var/run/docker.sock
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
# Go keeps its build cache under $HOME, which a user such as nobody does not have.
if [ ! -w "${HOME:-/nonexistent}" ]; then
	export GOCACHE=${GOCACHE:-$OUT/go-cache} GOPATH=${GOPATH:-$OUT/go-path}
fi

# "<results> <failures>", in a file so that results recorded in subshells
# (pipelines, $(...)) count too.
_tap=$(mktemp "${TMPDIR:-/tmp}/kshim-tap.XXXXXX")
echo "0 0" >"$_tap"
_tap_n=0

# _tap_record FAILED: numbers the next result into _tap_n.
_tap_record() {
	local n f
	read -r n f <"$_tap"
	_tap_n=$((n + 1))
	echo "$_tap_n $((f + $1))" >"$_tap"
}
ok() { _tap_record 0; echo "ok $_tap_n - $*"; }
notok() { _tap_record 1; echo "not ok $_tap_n - $*"; }

# tap_relay PREFIX: records each "ok ..." / "not ok ..." line another program
# prints on stdin (numbered or not) as a result of this script, PREFIX before
# its description. Its plan is checked against what it printed; other lines
# pass through.
tap_relay() {
	local line plan= n=0
	while IFS= read -r line; do
		if [[ $line =~ ^(not )?ok( [0-9]+)?( - |$)(.*) ]]; then
			n=$((n + 1))
			if [ -z "${BASH_REMATCH[1]}" ]; then ok "$1${BASH_REMATCH[4]}"; else notok "$1${BASH_REMATCH[4]}"; fi
		elif [[ $line =~ ^1\.\.([0-9]+) ]]; then
			plan=${BASH_REMATCH[1]}
		else
			printf '%s\n' "$line"
		fi
	done
	[ -z "$plan" ] || [ "$plan" = "$n" ] || notok "${1}planned $plan results, printed $n"
}

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

# tap_run PREFIX CMD...: runs CMD, which prints TAP lines, through tap_relay. A
# non-zero exit with no failed result of its own (a crash) is a failure too.
tap_run() {
	local prefix=$1 before after rc
	shift
	read -r _ before <"$_tap"
	"$@" | tap_relay "$prefix"
	rc=${PIPESTATUS[0]}
	read -r _ after <"$_tap"
	[ "$rc" = 0 ] || [ "$after" != "$before" ] || notok "$prefix$1 exited $rc"
}

# make_to DEST TARGET [MAKE ARGS...]: the Makefile's TARGET (a path under the top, such as
# build/helpers/gai_dump, or under an absolute BUILD= given in the arguments), copied to DEST.
# BUILD=build first: a BUILD in the environment (shim-asan's) must not move the default target.
make_to() {
	local dest=$1 target=$2
	shift 2
	make -s -C "$TOP" BUILD=build "$@" "$target" && (cd "$TOP" && cp "$target" "$dest")
}

# unit_test NAME: builds tests/unit/NAME.c with the launcher's library under
# AddressSanitizer and UndefinedBehaviorSanitizer, and runs it; each of its
# checks is a result, and any sanitizer report fails it.
unit_test() {
	local build=$TOP/build/asan
	if ! make -s -C "$TOP" BUILD="$build" SAN=address,undefined "$build/unit/$1" >"$OUT/$1.build" 2>&1; then
		notok "build tests/unit/$1.c"; sed 's/^/    # /' "$OUT/$1.build" | tail -n 20
		return
	fi
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 tap_run "" "$build/unit/$1"
}

# Clusters brought up in the background, so that a script's later sections need not wait for
# theirs. up_bg NAME ARGS...: kshim up --name NAME ARGS..., its stdout and stderr kept;
# up_wait NAME: waits for it and returns its status; up_out NAME, up_err NAME: what it printed.
declare -A _up_pid
_up_dir=
up_bg() {
	local c=$1
	shift
	[ -n "$_up_dir" ] || _up_dir=$(mktemp -d "${TMPDIR:-/tmp}/kshim-up.XXXXXX")
	"$KSHIM" up --name "$c" "$@" >"$_up_dir/$c.out" 2>"$_up_dir/$c.err" &
	_up_pid[$c]=$!
}
up_wait() {
	local rc
	wait "${_up_pid[$1]}"
	rc=$?
	unset "_up_pid[$1]"
	return $rc
}
up_out() { cat "$_up_dir/$1.out"; }
up_err() { cat "$_up_dir/$1.err"; }
# up_interrupt: an up still running is interrupted (it removes what it created); for a cleanup.
up_interrupt() {
	local p
	for p in "${_up_pid[@]}"; do kill -INT "$p" 2>/dev/null; done
	for p in "${_up_pid[@]}"; do wait "$p" 2>/dev/null; done
}

# _tap_plan: prints the plan and removes the script's scratch state. A script
# that recorded nothing fails, since TAP would count "1..0" as skipped.
_tap_plan() {
	local n f
	read -r n f <"$_tap"
	[ "$n" != 0 ] || { notok "the script recorded no results"; read -r n f <"$_tap"; }
	rm -f "$_tap"
	[ -z "$_own_home" ] || rm -rf "$_own_home"
	[ -z "$_up_dir" ] || rm -rf "$_up_dir"
	echo "1..$n"
	[ "$f" = 0 ]
}

# Ends the script: the plan, then exit 0 when every result was ok.
finish() {
	_tap_plan
	exit $?
}

# A script that ends any other way (an exit of its own, an interrupt, an error
# under set -u) still prints a plan, after a failure that says so, and keeps its
# exit status. Bash keeps one EXIT trap, so a script's own `trap CMD EXIT` is
# run first, then this.
_tap_rc=0
_tap_exit() {
	[ -e "$_tap" ] || return
	notok "the script ended before finish (exit $_tap_rc)"
	_tap_plan
	exit "$_tap_rc"
}
trap() {
	if [ $# = 2 ] && [ "$2" = EXIT ]; then
		builtin trap "_tap_rc=\$?; $1"$'\n''_tap_exit' EXIT
	else
		# shellcheck disable=SC2064 # the caller's words, passed on as they are
		builtin trap "$@"
	fi
}
trap : EXIT

# identity_servers DIR NAME...: loopback TCP servers on ephemeral ports that
# stand in for Docker-published ports, each answering with its name. Fills
# PORT[name]. The servers exit when stop_identity_servers closes their stdin.
declare -A PORT
_srv_pid=
identity_servers() {
	local dir=$1; shift
	mkfifo "$dir/srv.in"
	/usr/bin/python3 "$TOP/tests/helpers/identity_server.py" --lifetime 900 "$@" \
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

# stuck_listener DIR: tests/stuck_listener.py, a loopback port whose connects
# hang, in STUCK; it ends when stop_stuck_listener closes its stdin (fd 8).
_stuck_pid=
stuck_listener() {
	mkfifo "$1/stuck.in"
	/usr/bin/python3 "$TOP/tests/stuck_listener.py" <"$1/stuck.in" >"$1/stuck" 2>&1 &
	_stuck_pid=$!
	exec 8>"$1/stuck.in"
	for _ in $(seq 50); do [ -s "$1/stuck" ] && break; sleep 0.1; done
	# shellcheck disable=SC2034 # for the scripts that source this file
	STUCK=$(cat "$1/stuck")
}

stop_stuck_listener() {
	exec 8>&-
	[ -z "$_stuck_pid" ] || wait "$_stuck_pid" 2>/dev/null
	_stuck_pid=
}

# private_net CMD...: CMD in a network namespace of its own, with only lo up
# (inside a user namespace too when not root). Its loopback connections then
# stay out of the host's connection-tracking table: one stress run leaves about
# 165,000 entries there for two minutes, and once the table is full (262,144
# here) the kernel drops every new connection's SYN, so other suites' connects
# hang.
private_net() {
	local user=
	[ "$(id -u)" = 0 ] || user=-r
	unshare $user -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
}

# stand_in_work NAME: $work, a directory /tmp/kshim-NAME.XXXXXX for the
# loopback stand-ins above; at exit they stop and the directory goes.
stand_in_work() {
	unset KSHIM_DEBUG KSHIM_TABLE LD_PRELOAD
	work=$(mktemp -d "/tmp/kshim-$1.XXXXXX")
	trap 'stop_identity_servers; stop_stuck_listener; rm -rf "$work"' EXIT
	trap 'exit 130' INT TERM
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

# wait_for SECONDS CMD...: until CMD succeeds, at most SECONDS.
wait_for() {
	local t0=$SECONDS limit=$1
	shift
	until "$@"; do
		[ $((SECONDS - t0)) -ge "$limit" ] && return 1
		sleep 0.5
	done
}

# seq_results TAG PRODUCER_PID CONSUMER_PID PRODUCER_OUT CONSUMER_OUT: stops a
# seqclient producer, checks that it had every message acked, waits for the
# consumer (which must still run) to catch up, stops it and checks that it got
# every message once. Sets sent (the producer's count).
seq_results() {
	local tag=$1 prod=$2 cons=$3 pout=$4 cout=$5 acked= failed= first= lines distinct dups missing maxv
	sent=
	kill -TERM "$prod"
	wait "$prod"
	expect_eq "${tag}producer exits 0 (every message acked)" "$?" 0
	read -r _ sent _ acked _ failed first <"$pout"
	echo "# ${tag}producer: sent ${sent:-?} acked ${acked:-?} failed ${failed:-?}${first:+ (the $first)}"
	# a producer that ended early says why on its stderr, beside $pout
	[ -n "$sent" ] || grep -v '^progress ' "${pout%.out}.err" 2>/dev/null | tail -n 3 | sed 's/^/    # /'
	expect_eq "${tag}producer: acked = sent, failed = 0" "${acked:-x} ${failed:-x}" "${sent:-y} 0"
	_caught_up() { [ "$(cut -d' ' -f1 "$cout" | sort -u | wc -l)" -ge "${sent:-0}" ]; }
	wait_for 60 _caught_up
	if kill -0 "$cons" 2>/dev/null; then ok "the ${tag}consumer ran from before the restart to the end, never restarted"; else
		notok "the ${tag}consumer ran from before the restart to the end"; fi
	kill -TERM "$cons"
	wait "$cons"
	read -r lines distinct dups missing maxv < <(awk -v sent="${sent:-0}" '
		{ n++; if (seen[$1]++) d++; if ($1 > m) m = $1 }
		END { for (i = 1; i <= sent; i++) if (!(i in seen)) miss++; print n + 0, length(seen), d + 0, miss + 0, m + 0 }' "$cout")
	echo "# ${tag}consumer: $lines messages, $distinct distinct, $dups duplicates, $missing missing, highest $maxv"
	expect_eq "${tag}every produced message consumed: distinct, missing, highest" "$distinct $missing $maxv" "${sent:-?} 0 ${sent:-?}"
	expect_eq "${tag}no duplicates (idempotent producer)" "$dups" 0
}

# Client programs are built once per machine: a build's output is kept in the client cache
# under a key made of its inputs (source files, the build command, the versions of the
# compilers and libraries), and a later build with the same key copies it from there. Editing a
# source, or an upgrade of cc, Go, Rust, Java or librdkafka, builds it again. A user who cannot
# write /var/cache/kshim (make check as nobody) keeps the cache in build/clients of the clone.
CLIENT_CACHE=${KSHIM_CLIENT_CACHE:-/var/cache/kshim/clients}
{ mkdir -p "$CLIENT_CACHE" && [ -w "$CLIENT_CACHE" ]; } 2>/dev/null || CLIENT_CACHE=$TOP/build/clients
_tools=
# _tool_versions: what the compilers and libraries are, once per script.
_tool_versions() {
	[ -n "$_tools" ] || _tools=$({
		cc --version; ldd --version; musl-gcc --version
		PATH=$PATH:/usr/local/go/bin go version; rustc --version
		ls -l "$(readlink -f "$(command -v javac)")"
		pkg-config --modversion rdkafka libcares
	} 2>&1 | sha256sum)
	echo "$_tools"
}

# cached OUT INPUT... -- CMD...: makes OUT (a file or a directory) by running CMD, which writes
# it, or copies it from the client cache when the INPUTs (files or directories), CMD (with its
# body, when it is a shell function) and the tools are those of an earlier build. CMD's status
# is the result; a failed build is not kept.
cached() {
	local out=$1 inputs=() key dir
	shift
	while [ "$1" != -- ]; do inputs+=("$1"); shift; done
	shift
	# The key leaves out where OUT goes and where the clone is.
	local cmd=${*//$out/OUT}
	key=$({
		_tool_versions; printf '%s\n' "${cmd//$TOP/TOP}"
		declare -f "$1" # a shell function's body too
		find "${inputs[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sed "s|  $TOP/|  |"
	} | sha256sum | cut -c1-16)
	dir=$CLIENT_CACHE/$(basename "${inputs[0]}")-$key
	if [ -e "$dir/done" ]; then
		rm -rf "$out" && cp -a "$dir/out" "$out"
		return
	fi
	"$@" || return
	# Kept atomically: a suite running at the same time sees the whole entry or none.
	mkdir -p "$CLIENT_CACHE" && local tmp && tmp=$(mktemp -d "$CLIENT_CACHE/.new.XXXXXX") &&
		cp -a "$out" "$tmp/out" && touch "$tmp/done" && chmod 755 "$tmp" &&
		{ mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"; }
	return 0
}

# build_seqclient OUT: tests/helpers/seqclient.c (librdkafka) built to OUT.
_seqclient() {
	make_to "$1" build/helpers/seqclient
}
build_seqclient() {
	cached "$1" "$TOP/tests/helpers/seqclient.c" -- _seqclient "$1" ||
		{ notok "build tests/helpers/seqclient.c"; return 1; }
}

# build_go DIR OUT: the Go program in DIR built static (CGO_ENABLED=0) to OUT; the
# compiler's last lines as "# " lines when it fails.
_go_build() {
	local log
	log=$(cd "$1" && CGO_ENABLED=0 PATH=$PATH:/usr/local/go/bin go build -o "$2" . 2>&1) ||
		{ printf '%s\n' "$log" | tail -n 5 | sed 's/^/    # /'; return 1; }
}
build_go() { cached "$2" "$1" -- _go_build "$1" "$2"; }

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
