#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Go and static programs reach the right
# published port for each name through the seccomp supervisor of kshim run.
#
# Three probes resolve a name and connect with no libc kshim could hook: a
# static Go program (tests/clients/goprobe, CGO_ENABLED=0: Go's resolver, raw
# system calls) and a static C program (tests/clients/probe.c) linked with
# glibc (cc -static) and with musl (musl-gcc -static), whose resolvers read
# /etc/hosts themselves. Loopback identity servers stand in
# for Docker-published ports (tests/helpers/identity_server.py) and answer with their
# name. For each probe: kafka1..3 reach their own server through --table,
# --map and --name; an unmapped name and a numeric address pass through
# exactly as without kshim; a child process is covered; errno and exit status
# are the program's; a table rewrite moves a running program to the new port;
# the supervisor killed with -9 takes the program with it (a shell loop too).
# Then the process tree, signals, a connect that hangs while others are served,
# the hosts file the program sees, and the refusals.
#   bash tests/shim-seccomp.sh      or      bash tests/run.sh shim
. "$(dirname "$0")/lib.sh"
export PATH=$PATH:/usr/local/go/bin
stand_in_work seccomp

# --- build the probes (each once per machine and set of inputs: tests/lib.sh, cached) ----
if build_go "$TOP/tests/clients/goprobe" "$OUT/goprobe" >"$work/go.log" 2>&1; then
	ok "built the static Go probe (CGO_ENABLED=0)"
else
	notok "build tests/clients/goprobe"; sed 's/^/    # /' "$work/go.log" | tail -n 5
fi
# glibc warns at link time that a static getaddrinfo may load NSS modules;
# "files" is built into libc since 2.34, so /etc/hosts needs none.
if cached "$OUT/probe" "$TOP/tests/clients/probe.c" -- \
	make_to "$OUT/probe" build/tests/probe 2>"$work/cc.log"; then
	ok "built the static C probe (cc -static)"
else
	notok "build tests/clients/probe.c"; sed 's/^/    # /' "$work/cc.log" | tail -n 5
fi

if command -v musl-gcc >/dev/null 2>&1 &&
	cached "$OUT/probe-musl" "$TOP/tests/clients/probe.c" -- \
		make_to "$OUT/probe-musl" build/tests/probe-musl 2>"$work/musl.log"; then
	ok "built the static musl probe (musl-gcc -static)"
else
	notok "build tests/clients/probe.c with musl-gcc (Debian package musl-tools)"; sed 's/^/    # /' "$work/musl.log" 2>/dev/null | tail -n 5
fi

# --- the stand-in published ports ---------------------------------------------
identity_servers "$work" kafka1 kafka2 kafka3 || finish
stuck_listener "$work"
TABLE=$work/table
write_tables() { # write_tables NAME...: the identity servers, a closed port, the stuck listener
	write_table "$TABLE.new" "$@"
	{
		cat "$TABLE.new"
		echo "kafka4 127.77.0.4 9092=127.0.0.1:1"
		echo "kafka9 127.77.0.9 9092=127.0.0.1:$STUCK"
	} >"$TABLE.tmp"
	rm -f "$TABLE.new"
	chmod 600 "$TABLE.tmp"
	mv -f "$TABLE.tmp" "$TABLE"
}
write_tables kafka1 kafka2 kafka3
check "stuck listener ready" test -n "$STUCK"

# run ARGS...: kshim run --table under a time limit; stderr in $work/err.
run() { timeout 20 "$KSHIM" run --table "$TABLE" "$@" 2>"$work/err" 8>&- 7>&-; }
# expect_out DESC GOT WANT: expect_eq, plus kshim's stderr on failure.
expect_out() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		notok "$1: got '$2', want '$3'"
		sed -n '1,10s/^/    # stderr: /p' "$work/err"
	fi
}
# pid_gone PID SECONDS: waits for PID to end (a zombie has ended: init, which
# adopts it, may reap it late).
pid_gone() {
	for _ in $(seq $(($2 * 10))); do
		case $(ps -o stat= -p "$1") in "" | Z*) return 0 ;; esac
		sleep 0.1
	done
	return 1
}

# --- per probe -----------------------------------------------------------------
probe_checks() {
	local p=$1 bin=$2 kind=$3 n out rc want
	for n in 1 2 3; do
		out=$(run -- "$bin" kafka$n 9092)
		expect_out "[$p] kafka$n reaches its own server" "$out" "identity=kafka$n addr=127.77.0.$n"
	done
	want=$(timeout 10 "$bin" localhost "${PORT[kafka1]}" 2>&1)
	out=$(run -- "$bin" localhost "${PORT[kafka1]}")
	expect_out "[$p] an unmapped name (localhost) passes through as without kshim" "$out" "$want"
	expect_eq "  ... which reached the server" "${want%% *}" "identity=kafka1"
	out=$(run -- "$bin" 127.0.0.1 "${PORT[kafka2]}")
	expect_out "[$p] a numeric address passes through" "$out" "identity=kafka2 addr=127.0.0.1"
	out=$(run -- "$bin" --child kafka3 9092)
	expect_out "[$p] a child process it starts is covered" "$out" "child: identity=kafka3 addr=127.77.0.3"
	run -- "$bin" --exit 7 kafka1 9092 >/dev/null
	expect_eq "[$p] its exit status is kshim's" "$?" 7
	out=$(run -- "$bin" kafka4 9092 2>&1); rc=$?
	expect_eq "[$p] a mapped port nobody listens on fails (exit 1)" "$rc" 1
	expect_match "  ... with the kernel's ECONNREFUSED" '[Cc]onnection refused' "$(cat "$work/err")"

	out=$(KSHIM_DEBUG=1 run -- "$bin" kafka2 9092)
	expect_match "[$p] chosen without a flag: KSHIM_DEBUG says via seccomp ($kind)" \
		"^kshim: run: via seccomp \\($kind\\)\$" "$(cat "$work/err")"
	expect_match "  ... and logs the redirect" \
		"^kshim\\[sup\\]: connect pid [0-9]+ fd [0-9]+: 127\\.77\\.0\\.2:9092 -> 127\\.0\\.0\\.1:${PORT[kafka2]}" \
		"$(cat "$work/err")"
	expect_match "  ... and the hosts file it handed out" '^kshim\[sup\]: open pid [0-9]+: /etc/hosts -> ' \
		"$(cat "$work/err")"

	out=$(run --via preload -- "$bin" kafka1 9092 2>&1); rc=$?
	expect_eq "[$p] --via preload refuses it (exit 1)" "$rc" 1
	expect_match "  ... saying why and what to do" 'cannot reach it' "$(cat "$work/err")"
	expect_eq "  ... before it ran" "$out" ""

	out=$(timeout 20 "$KSHIM" run --map kafka2:9092=127.0.0.1:"${PORT[kafka2]}" -- "$bin" kafka2 9092 2>"$work/err")
	expect_match "[$p] --map: kafka2 reaches its server" '^identity=kafka2 addr=127\.77\.[0-9]+\.1$' "$out"
	expect_eq "  ... and the private table is gone afterwards" "$(ls "$KSHIM_HOME" | grep -c '^run-')" 0
	cp "$TABLE" "$KSHIM_HOME/sc.table"
	out=$(timeout 20 "$KSHIM" run --name sc -- "$bin" kafka3 9092 2>"$work/err")
	expect_out "[$p] --name: kafka3 reaches its server" "$out" "identity=kafka3 addr=127.77.0.3"

	# A table rewrite (a broker restarted on a new port) reaches a running program.
	timeout 30 "$KSHIM" run --table "$TABLE" -- "$bin" --loop kafka1 9092 >"$work/loop" 2>&1 8>&- 7>&- &
	local kpid=$! sup prog
	for _ in $(seq 50); do grep -q identity "$work/loop" && break; sleep 0.1; done
	sup=$(pgrep -P "$kpid" | head -n 1) # timeout -> kshim -> the program
	PORT[tmp]=${PORT[kafka1]}; PORT[kafka1]=${PORT[kafka2]}
	write_tables kafka1 kafka2 kafka3
	for _ in $(seq 50); do grep -q 'identity=kafka2 addr=127.77.0.1' "$work/loop" && break; sleep 0.1; done
	PORT[kafka1]=${PORT[tmp]}
	write_tables kafka1 kafka2 kafka3
	expect_match "[$p] a running program follows a table rewrite (kafka1 -> kafka2's port)" \
		'identity=kafka2 addr=127\.77\.0\.1' "$(cat "$work/loop")"
	kill -TERM "$sup"; wait "$kpid"
	expect_eq "  ... and SIGTERM to kshim reaches it (exit 143)" "$?" 143

	# The supervisor killed: the program is killed with it, rather than carrying
	# on with every trapped call failing with ENOSYS.
	timeout 30 "$KSHIM" run --table "$TABLE" -- "$bin" --loop kafka1 9092 >"$work/loop" 2>&1 8>&- 7>&- &
	kpid=$!
	for _ in $(seq 300); do grep -q identity "$work/loop" && break; sleep 0.1; done
	sup=$(pgrep -P "$kpid" | head -n 1)
	prog=$(pgrep -P "$sup" | head -n 1)
	[ -n "$sup" ] && [ -n "$prog" ] || notok "[$p] found kshim ($sup) and the program ($prog) to kill"
	kill -KILL "$sup"
	check "[$p] the supervisor killed with -9: the program ends within 1 s" pid_gone "$prog" 1
	# Go's connect would say ENOSYS; glibc's resolver, failing to open
	# /etc/hosts and to reach a DNS server with ENOSYS, EAI_AGAIN. The kernel
	# closes the supervisor's files before it signals the program, so the one
	# call waiting on it at that moment may fail before the SIGKILL lands; a
	# program that carried on would fail every call after it.
	expect_eq "  ... killed with it: at most the call in flight failed ($(grep -c identity "$work/loop") answers)" \
		"$(grep -vc '^identity=kafka1 addr=127\.77\.0\.1$' "$work/loop" | awk '{ print ($1 <= 1) }')" 1
	wait "$kpid" 2>/dev/null
}
probe_checks go "$OUT/goprobe" "Go program"
# 60 dials at once from 60 goroutines (Go's threads, its SIGURG preemption):
# the supervisor answers them one after the other, each with its own port.
out=$(run -- "$OUT/goprobe" --parallel 60 kafka 9092)
expect_out "[go] 60 concurrent dials to kafka1..3 each reach their own server" "$out" "parallel=60 right=60"
probe_checks c "$OUT/probe" "statically linked"
probe_checks musl "$OUT/probe-musl" "statically linked"

# The C probes' other socket kinds: non-blocking (EINPROGRESS, poll, SO_ERROR)
# and an AF_INET6 socket to ::ffff:a.b.c.d (as Java connects).
for p in c:probe musl:probe-musl; do
	bin=$OUT/${p#*:} p=${p%%:*}
	out=$(run -- "$bin" --nonblock kafka2 9092)
	expect_out "[$p] non-blocking connect: kafka2 reaches its server" "$out" "identity=kafka2 addr=127.77.0.2"
	out=$(run -- "$bin" --v6 kafka3 9092)
	expect_out "[$p] AF_INET6 v4-mapped connect: kafka3 reaches its server" "$out" "identity=kafka3 addr=::ffff:127.77.0.3"
	run -- "$bin" --nonblock kafka4 9092 >/dev/null
	expect_match "[$p] non-blocking connect to a closed mapped port: ECONNREFUSED via SO_ERROR" \
		'connect \(SO_ERROR\): Connection refused' "$(cat "$work/err")"
done

# A dynamically linked program forced through the supervisor: glibc's resolver
# (NSS "files") reads the merged /etc/hosts, as kcat's librdkafka would.
PY=/usr/bin/python3
out=$(run --via seccomp -- "$PY" -c "import socket
s = socket.create_connection(('kafka2', 9092)); s.sendall(b'who\n'); print(s.recv(100).decode().strip())")
expect_out "--via seccomp on a dynamic program (python3): kafka2 reaches its server" "$out" "kafka2"
out=$(run --via seccomp -- "$PY" -c "import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(('127.77.0.1', 9092)); print(s.getpeername())")
expect_out "  ... a datagram socket's connect to a mapped address is left alone" "$out" "('127.77.0.1', 9092)"

# The supervisor killed under a program that carries on past failed calls (a
# shell loop, where the probes above exit at their first failure): it is killed
# with the supervisor, not left running with every trapped open failing.
timeout 30 "$KSHIM" run --via seccomp --table "$TABLE" -- sh -c \
	'while :; do if cat /etc/hosts >/dev/null 2>&1; then echo read; else echo failed; fi; sleep 0.1; done' \
	>"$work/shloop" 2>&1 8>&- 7>&- &
kpid=$!
for _ in $(seq 50); do grep -q read "$work/shloop" && break; sleep 0.1; done
sup=$(pgrep -P "$kpid" | head -n 1)
prog=$(pgrep -P "$sup" -x sh | head -n 1)
[ -n "$sup" ] && [ -n "$prog" ] || notok "[sh] found kshim ($sup) and the shell ($prog) to kill"
kill -KILL "$sup"
check "[sh] the supervisor killed with -9: a shell loop that would carry on ends within 1 s" pid_gone "$prog" 1
expect_eq "  ... after $(grep -c '^read$' "$work/shloop") reads, at most the one in flight failed" \
	"$(grep -c '^failed$' "$work/shloop" | awk '{ print ($1 <= 1) }')" 1
kill -KILL "$prog" 2>/dev/null
wait "$kpid" 2>/dev/null

# --- the process tree ------------------------------------------------------------
start=$(date +%s%N)
run --via seccomp -- sh -c "(sleep 1; '$OUT/probe' kafka1 9092 >'$work/late') &"
expect_eq "an exec'd shell's background grandchild: kshim waits for it (exit 0)" "$?" 0
expect_eq "  ... and serves it after its parent exited" "$(cat "$work/late" 2>/dev/null)" "identity=kafka1 addr=127.77.0.1"
elapsed=$((($(date +%s%N) - start) / 1000000))
check "  ... kshim ended after it, not before (${elapsed} ms >= 1000)" test "$elapsed" -ge 1000
# Once no process is left, the thread that waits for the next trapped call
# leaves at once: it neither spins (CPU) nor holds kshim up (1 s).
times=$( { TIMEFORMAT='%R %U %S'; time run --via seccomp -- /usr/bin/true; } 2>&1)
read -r wall cpu < <(awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' <<<"$times")
check "kshim run --via seccomp -- true ends when true does (${wall:-?} ms < 800)" test "${wall:-9999}" -lt 800
check "  ... without spinning (${cpu:-?} ms of CPU < 500)" test "${cpu:-9999}" -lt 500
KSHIM_DEBUG=1 run --via seccomp -- true
expect_match "KSHIM_DEBUG says when --via forced the supervisor" '^kshim: run: via seccomp \(forced with --via\)$' "$(cat "$work/err")"

run --via seccomp -- sh -c 'kill -TERM $$'
expect_eq "death by signal is passed on (143)" "$?" 143
timeout 20 "$KSHIM" run --via seccomp --table "$TABLE" -- \
	sh -c 'trap "echo got USR1; exit 5" USR1; echo ready; while :; do sleep 0.1; done' >"$work/sig" 2>&1 8>&- 7>&- &
kpid=$!
for _ in $(seq 50); do grep -q ready "$work/sig" && break; sleep 0.1; done
kill -USR1 "$(pgrep -P "$kpid" | head -n 1)"; wait "$kpid"; rc=$?
expect_eq "SIGUSR1 to kshim is forwarded to the program (its exit 5)" "$rc" 5
expect_match "  ... which ran its handler" 'got USR1' "$(cat "$work/sig")"

# A blocking connect that hangs (kafka9: a listener whose accept queue is full)
# is made on a thread of the supervisor: another process is served meanwhile.
start=$(date +%s%N)
out=$(KSHIM_DEBUG=1 run --via seccomp -- sh -c "'$OUT/probe' kafka9 9092 & p=\$!; sleep 0.5;
	'$OUT/probe' kafka1 9092 && kill \$p && echo the-hanging-connect-was-still-waiting")
elapsed=$((($(date +%s%N) - start) / 1000000))
expect_out "a hanging blocking connect does not hold up another process's" "$out" \
	"identity=kafka1 addr=127.77.0.1
the-hanging-connect-was-still-waiting"
expect_match "  ... it was a blocking connect made on a thread" ':9092 -> 127\.0\.0\.1:[0-9]+ \(blocking\)' "$(grep 127.77.0.9 "$work/err")"
check "  ... and kshim ended when the program did (${elapsed} ms < 5000)" test "$elapsed" -lt 5000

# --- the hosts file ----------------------------------------------------------------
{
	echo "# kshim run: the names of $TABLE"
	awk '/^kafka/ { print $2, $1 }' "$TABLE"
	cat /etc/hosts
	[ -z "$(tail -c 1 /etc/hosts)" ] || echo
} >"$work/hosts.want"
run --via seccomp -- cat /etc/hosts >"$work/hosts.got"
check "a program reading /etc/hosts sees one line per table host, then the real file" \
	cmp -s "$work/hosts.got" "$work/hosts.want"
check "  ... the real /etc/hosts is unchanged" test "$(grep -c 127.77.0 /etc/hosts)" = 0
lines=$(($(wc -l </etc/hosts) + 1 + $(grep -c '^kafka' "$TABLE")))
for how in open:0 openat-cloexec:1 openat2:0; do
	out=$(run -- "$OUT/probe" --hosts "${how%:*}")
	expect_out "/etc/hosts through ${how%:*}: the merged file, FD_CLOEXEC as asked" "$out" \
		"cloexec=${how#*:} lines=$lines kafka=$(grep -c '^kafka' "$TABLE")"
done
out=$(run -- "$OUT/probe-musl" --hosts openat-cloexec)
expect_out "  ... and through musl" "$out" "cloexec=1 lines=$lines kafka=$(grep -c '^kafka' "$TABLE")"
out=$(run --via seccomp -- sh -c 'cat /etc//hosts /etc/hostname >/dev/null && echo read')
expect_eq "other paths are opened as made" "$out" "read"

# --- refusals ---------------------------------------------------------------------
# As root, the static probe given to nobody; otherwise the system's set-user-ID
# root mount, sent to the supervisor with --via seccomp.
if [ "$(id -u)" = 0 ]; then
	cp "$OUT/probe" "$work/suid-probe"
	chown nobody "$work/suid-probe" && chmod 4755 "$work/suid-probe"
	suid=("$work/suid-probe" kafka1 9092) via=()
else
	suid=("$(command -v mount)" --version) via=(--via seccomp)
fi
out=$(run "${via[@]}" -- "${suid[@]}"); rc=$?
expect_eq "a set-user-ID program is refused by the supervisor (exit 1)" "$rc" 1
expect_match "  ... the reason being no_new_privs" "^kshim: .*${suid[0]##*/} is set-user-ID or set-group-ID: the seccomp supervisor needs no_new_privs" "$(cat "$work/err")"
expect_eq "  ... before it ran" "$out" ""
out=$(run --via seccomp -- "$KSHIM" run --via seccomp --table "$TABLE" -- true 2>&1); rc=$?
expect_eq "seccomp user notification unavailable (already supervised): refused (exit 1)" "$rc" 1
expect_match "  ... in one line" '^kshim: run: seccomp user notification is taken' "$(cat "$work/err")"
expect_match "  ... with a hint" '^hint: use --via preload for a dynamically linked program' "$(cat "$work/err")"
out=$(run --via bogus -- true 2>&1); rc=$?
expect_eq "--via takes preload or seccomp (usage error, exit 2)" "$rc" 2
finish
