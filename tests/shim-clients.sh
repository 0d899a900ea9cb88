#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unmodified clients reach the right published port
# for each name through libkshim.so.
#
# Three loopback TCP servers on ephemeral ports (tests/helpers/identity_server.py) stand
# in for Docker-published ports; each answers with its own name. The table maps
# kafka1..3 to 127.77.0.1..3, port 9092 to those servers. Every client below
# must get "kafkaN" back when it connects to kafkaN:9092, under the shim:
#   C (tests/clients/connect.c): blocking, non-blocking + poll, AF_INET6 v4-mapped;
#   /usr/bin/python3 socket.create_connection; Java 17 Socket and SocketChannel
#   (defaults: AF_INET6 socket to ::ffff:a.b.c.d, checked with strace and
#   KSHIM_DEBUG); Node net.connect; curl (http:// and telnet://); c-ares
#   (ares_getaddrinfo, ares_gethostbyname).
# Negative checks show the same things fail without the shim.
#   bash tests/shim-clients.sh      or      bash tests/run.sh shim
. "$(dirname "$0")/lib.sh"

CC=${CC:-cc}
PY=/usr/bin/python3
NAMES=(kafka1 kafka2 kafka3)
CLIENTS=$TOP/tests/clients

# Tool -> Debian package, for a machine that lacks one.
missing=()
for t in "$CC:gcc" "$PY:python3" "java:openjdk-17-jdk-headless" "javac:openjdk-17-jdk-headless" \
	"node:nodejs" "curl:curl" "timeout:coreutils"; do
	command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t%%:*} (Debian package ${t#*:})")
done
[ -e /usr/include/ares.h ] || missing+=("ares.h (Debian package libc-ares-dev)")
for m in "${missing[@]}"; do notok "tool present: $m"; done

[ -f "$SHIM" ] || make -s -C "$TOP" all >/dev/null
check "shim library built ($SHIM)" test -f "$SHIM"

tmp=$(mktemp -d /tmp/kshim-clients.XXXXXX)
cleanup() {
	stop_identity_servers
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build the clients ------------------------------------------------------
check "build connect.c" make_to "$OUT/connect" build/clients/connect
check "build ares_client.c" make_to "$OUT/ares_client" build/clients/ares_client
check "javac JavaClient.java" javac -d "$OUT" "$CLIENTS/JavaClient.java"

# --- the stand-in published ports -----------------------------------------
identity_servers "$tmp" "${NAMES[@]}"
check "identity server ready" test -n "${PORT[kafka3]:-}"
TABLE=$tmp/table
write_table "$TABLE" "${NAMES[@]}"
expect_eq "table mode is 0600" "$(stat -c %a "$TABLE")" 600
sed 's/^/# /' "$TABLE"

# --- helpers -----------------------------------------------------------------
# Runs a command under the shim (KSHIM_DEBUG off unless the caller sets it),
# with a time limit; stderr goes to $tmp/err. With STRACE_OUT set, the command
# runs under strace -f -e trace=connect (strace itself without the shim).
# Clients do not inherit fd 7, so only this script keeps the server alive.
unset KSHIM_DEBUG KSHIM_TABLE
under_shim() {
	local limit=$1; shift
	local tracer=()
	[ -z "${STRACE_OUT:-}" ] || tracer=(strace -f -qq -e trace=connect -o "$STRACE_OUT")
	timeout "$limit" "${tracer[@]}" env -u JAVA_TOOL_OPTIONS -u _JAVA_OPTIONS -u JDK_JAVA_OPTIONS \
		-u NODE_OPTIONS KSHIM_TABLE="$TABLE" LD_PRELOAD="$SHIM" "$@" 2>"$tmp/err" 7>&-
}
without_shim() {
	local limit=$1; shift
	timeout "$limit" env -u LD_PRELOAD -u KSHIM_TABLE "$@" 2>"$tmp/err" 7>&-
}
# expect_out DESC GOT WANT: expect_eq, plus the client's stderr on failure.
expect_out() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		notok "$1: got '$2', want '$3'"
		sed -n '1,20s/^/    # stderr: /p' "$tmp/err"
	fi
}
# The lines "NAME <rest>" a multi-name client should print; $1 is a template
# where @N stands for the index and @H for the name.
want_lines() {
	local i=1 n
	for n in "${NAMES[@]}"; do
		local l=${1//@N/$i}
		echo "${l//@H/$n}"
		i=$((i + 1))
	done
}

# --- negative: without the shim nothing of this works ------------------------
out=$(without_shim 20 "$PY" -c 'import socket; print(socket.getaddrinfo("kafka1", 9092))')
check "without the shim, python getaddrinfo(kafka1) fails" test -z "$out"
out=$(without_shim 20 getent ahosts kafka1)
check "without the shim, getent ahosts kafka1 finds nothing" test -z "$out"
out=$(without_shim 20 "$OUT/connect" blocking kafka1 9092)
check "without the shim, the C client cannot reach kafka1:9092" test -z "$out"
out=$(without_shim 20 "$OUT/connect" blocking 127.77.0.1 9092)
expect_match "without the shim, 127.77.0.1:9092 itself refuses (nothing listens there)" \
	'Connection refused' "$(cat "$tmp/err")"
out=$(without_shim 20 "$OUT/ares_client" gethostbyname kafka1 9092)
check "without the shim, c-ares cannot resolve kafka1" test -z "$out"

# --- C: blocking, non-blocking + poll, AF_INET6 v4-mapped ---------------------
i=1
for n in "${NAMES[@]}"; do
	a=127.77.0.$i
	for mode in blocking nonblock-poll; do
		got=$(under_shim 20 "$OUT/connect" "$mode" "$n" 9092)
		expect_out "C $mode connect to $n:9092 reaches $n, getpeername = $a:9092" \
			"$got" "identity=$n addr=$a peer=$a:9092"
	done
	got=$(under_shim 20 "$OUT/connect" v6mapped "$n" 9092)
	expect_out "C AF_INET6 (V6ONLY=0) connect to $n:9092 reaches $n, getpeername = ::ffff:$a" \
		"$got" "identity=$n addr=::ffff:$a peer=::ffff:$a:9092"
	i=$((i + 1))
done
# Routing happens at connect(): a numeric synthetic address works too (Java,
# Node and Go learn the port only there).
got=$(under_shim 20 "$OUT/connect" nonblock-poll 127.77.0.2 9092)
expect_out "C connect to 127.77.0.2:9092 (no name) reaches kafka2" \
	"$got" "identity=kafka2 addr=127.77.0.2 peer=127.77.0.2:9092"

# --- c-ares -------------------------------------------------------------------
i=1
for n in "${NAMES[@]}"; do
	got=$(under_shim 20 "$OUT/ares_client" getaddrinfo "$n" 9092)
	expect_out "c-ares ares_getaddrinfo $n, then connect, reaches $n" \
		"${got% name=*}" "identity=$n addr=127.77.0.$i"
	got=$(under_shim 20 "$OUT/ares_client" gethostbyname "$n" 9092)
	expect_out "c-ares ares_gethostbyname $n (h_name $n), then connect, reaches $n" \
		"$got" "identity=$n addr=127.77.0.$i name=$n"
	i=$((i + 1))
done

# --- Python ---------------------------------------------------------------------
got=$(under_shim 30 "$PY" "$CLIENTS/py_client.py" 9092 "${NAMES[@]}")
expect_out "python3 socket.create_connection reaches kafka1..3, getpeername = 127.77.0.N:9092" \
	"$got" "$(want_lines '@H identity=@H peer=127.77.0.@N:9092 family=AF_INET')"

# --- Node -----------------------------------------------------------------------
got=$(under_shim 30 node "$CLIENTS/node_client.js" 9092 "${NAMES[@]}")
expect_out "node net.connect reaches kafka1..3, remoteAddress = 127.77.0.N" \
	"$got" "$(want_lines '@H identity=@H remote=127.77.0.@N:9092 family=IPv4')"

# --- curl -----------------------------------------------------------------------
i=1
for n in "${NAMES[@]}"; do
	got=$(under_shim 20 curl -s --noproxy '*' --max-time 5 -w ' %{remote_ip}:%{remote_port}' \
		"http://$n:9092/")
	expect_out "curl http://$n:9092/ gets body $n from 127.77.0.$i:9092" \
		"$got" "$n 127.77.0.$i:9092"
	got=$(under_shim 20 curl -s --noproxy '*' --max-time 5 "telnet://$n:9092" </dev/null)
	expect_out "curl telnet://$n:9092 gets $n" "$got" "$n"
	i=$((i + 1))
done

# --- Java 17, default settings (dual-stack AF_INET6 sockets) -------------------
have_strace=0
strace -f -qq -o /dev/null true 2>/dev/null && have_strace=1
[ $have_strace = 1 ] || echo "# strace unusable (Debian package strace); the JVM's socket family is checked from KSHIM_DEBUG only"
for api in socket channel; do
	st=$tmp/java-$api.strace
	[ $have_strace = 1 ] || st=
	got=$(STRACE_OUT=$st KSHIM_DEBUG=1 under_shim 90 java -cp "$OUT" JavaClient "$api" 9092 "${NAMES[@]}")
	expect_out "java $api reaches kafka1..3" \
		"$got" "$(want_lines '@H identity=@H remote=127.77.0.@N:9092')"
	debug=$(cat "$tmp/err")
	i=1
	for n in "${NAMES[@]}"; do
		p=${PORT[$n]}
		expect_match "java $api: shim rewrote the JVM's v4-mapped connect to $n (127.77.0.$i:9092 -> 127.0.0.1:$p)" \
			"connect fd [0-9]+: 127\\.77\\.0\\.$i:9092 -> 127\\.0\\.0\\.1:$p \\(v4-mapped\\)" "$debug"
		if [ $have_strace = 1 ]; then
			# What reached the kernel: an AF_INET6 socket, ::ffff:127.0.0.1, the published port.
			expect_match "java $api: strace shows AF_INET6 connect to ::ffff:127.0.0.1 port $p for $n" \
				"connect\\([0-9]+, \\{sa_family=AF_INET6, sin6_port=htons\\($p\\),.*\"::ffff:127\\.0\\.0\\.1\".*\\) = (0|-1 EINPROGRESS)" \
				"$(cat "$st")"
		fi
		i=$((i + 1))
	done
done

finish
