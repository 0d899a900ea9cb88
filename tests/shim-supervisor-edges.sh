#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The seccomp supervisor's edges: what a supervised program sees when its
# /etc/hosts names a mapped host, when a thread has an fd table of its own,
# when the kernel lacks a piece the supervisor uses, when a connect hangs, when
# its parent exits or the supervisor dies, and when it enters a namespace of
# its own. Static probes (tests/clients/probe.c, edges.c, the Go probe) stand
# in for programs no preload can hook; identity servers for published ports.
#   bash tests/shim-supervisor-edges.sh
# needs: root (private mount and network namespaces, bind mounts)
. "$(dirname "$0")/lib.sh"
stand_in_work edges

if make -s -C "$TOP" build/tests/probe build/tests/edges build/tests/deny >"$work/make.log" 2>&1; then
	ok "built the static probes (make build/tests/probe build/tests/edges build/tests/deny)"
else
	notok "make build/tests/probe build/tests/edges build/tests/deny"; sed 's/^/    # /' "$work/make.log" | tail -n 5
fi
PROBE=$TOP/build/tests/probe EDGES=$TOP/build/tests/edges DENY=$TOP/build/tests/deny
check "built the static Go probe (CGO_ENABLED=0)" build_go "$TOP/tests/clients/goprobe" "$OUT/goprobe"

identity_servers "$work" kafka1 kafka2 kafka3 || finish
stuck_listener "$work"
TABLE=$work/table
write_table "$TABLE" kafka1 kafka2 kafka3
echo "kafka9 127.77.0.9 9092=127.0.0.1:$STUCK" >>"$TABLE"
check "stuck listener ready" test -n "$STUCK"

# run ARGS...: kshim run --table under a time limit; stderr in $work/err.
run() { timeout -k 2 20 "$KSHIM" run --table "$TABLE" "$@" 2>"$work/err" 8>&- 7>&-; }
# expect_out DESC GOT WANT: expect_eq, plus kshim's stderr on failure.
expect_out() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		notok "$1: got '$2', want '$3'"
		sed -n '1,10s/^/    # stderr: /p' "$work/err"
	fi
}

# --- a mapped name that /etc/hosts names too ----------------------------------------
# An old line "127.0.0.1 kafka1 kafka1-old" in /etc/hosts (bind-mounted in a
# private mount namespace, which kshim shares): the preload maps kafka1 all
# the same, and so must the supervisor.
{ echo "127.0.0.1 kafka1 kafka1-old"; cat /etc/hosts; } >"$work/hosts.old"
in_old_hosts() { unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$work/hosts.old" "$@"; }
for p in "c:$PROBE" "go:$OUT/goprobe"; do
	out=$(in_old_hosts timeout -k 2 20 "$KSHIM" run --table "$TABLE" -- "${p#*:}" kafka1 9092 2>"$work/err" 8>&- 7>&-)
	expect_out "[${p%%:*}] /etc/hosts says 127.0.0.1 kafka1: the table's kafka1 still wins" "$out" \
		"identity=kafka1 addr=127.77.0.1"
done
in_old_hosts timeout 20 "$KSHIM" run --table "$TABLE" --via seccomp -- cat /etc/hosts >"$work/hosts.got" 2>"$work/err" 8>&- 7>&-
expect_out "  ... the table's lines come first in the hosts file it sees" "$(head -n 2 "$work/hosts.got")" \
	"# kshim run: the names of $TABLE
127.77.0.1 kafka1"
expect_eq "  ... and only the table's line names kafka1" \
	"$(awk '/^[^#]/ { for (i = 2; i <= NF; i++) n += $i == "kafka1" } END { print n + 0 }' "$work/hosts.got")" 1
expect_eq "  ... the old line's other name stays, on a line of its own" \
	"$(grep -c '^127\.0\.0\.1 kafka1-old$' "$work/hosts.got")" 1

# --- a thread with an fd table of its own, on a kernel before 6.9 ---------------------
# Such a kernel knows no PIDFD_THREAD: tests/clients/deny.c fails
# pidfd_open(PIDFD_THREAD) with EINVAL as it does, under a filter that kshim
# and its program inherit. The supervisor then takes fds from the thread-group
# leader: a thread that ran unshare(CLONE_FILES) has another socket under the
# same number.
# before_6_9 ARGS...: run, under that filter.
before_6_9() { timeout -k 2 20 "$DENY" pidfd_thread "$KSHIM" run --table "$TABLE" "$@" 2>"$work/err" 8>&- 7>&-; }
out=$(before_6_9 --via seccomp -- python3 -c 'import os
try: os.pidfd_open(os.getpid(), 0x80)
except OSError as e: print(e.strerror)')
expect_out "[no PIDFD_THREAD] the program sees the same kernel: pidfd_open(PIDFD_THREAD) fails" "$out" \
	"Invalid argument"
out=$(KSHIM_DEBUG=1 before_6_9 -- "$EDGES" --own-files kafka1 9092)
expect_out "[no PIDFD_THREAD] a thread with its own fd table is passed through (refused, as without kshim)" \
	"$out" "thread=Connection refused main=unconnected"
expect_match "  ... and --debug says why" \
	'^kshim\[sup\]: connect pid [0-9]+ fd [0-9]+: passed through: .*fd table' "$(cat "$work/err")"
out=$(KSHIM_DEBUG=1 before_6_9 -- "$EDGES" --zombie-leader kafka1 9092)
expect_out "[no PIDFD_THREAD] a thread whose leader has exited is passed through" "$out" \
	"thread=Connection refused"
expect_match "  ... and --debug says why" \
	'^kshim\[sup\]: connect pid [0-9]+ fd [0-9]+: passed through: .*fd table' "$(cat "$work/err")"
out=$(before_6_9 -- "$OUT/goprobe" --parallel 60 kafka 9092)
expect_out "[no PIDFD_THREAD] 60 dials from Go's threads (one fd table) each reach their own server" \
	"$out" "parallel=60 right=60"
out=$(run -- "$EDGES" --own-files kafka1 9092)
expect_out "[this kernel, $(uname -r)] the thread's own socket is connected" "$out" \
	"thread=connected main=unconnected"
out=$(run -- "$EDGES" --zombie-leader kafka1 9092)
expect_out "[this kernel] and a thread whose leader has exited is connected" "$out" "thread=connected"

# --- a kernel whose receive goes on waiting once the program has ended ----------------
# Before Linux 6.11 only a poll sees that no process uses the filter any more,
# so the supervisor polls before each receive there. deny fails uname: the
# version is then unknown, and the supervisor must take the older way.
start=$(date +%s%N)
out=$(KSHIM_DEBUG=1 timeout -k 2 20 "$DENY" uname "$KSHIM" run --table "$TABLE" --via seccomp -- \
	"$PROBE" kafka1 9092 2>"$work/err" 8>&- 7>&-)
wall=$((($(date +%s%N) - start) / 1000000))
expect_out "[version unknown] a static program's connect is redirected" "$out" "identity=kafka1 addr=127.77.0.1"
expect_match "  ... KSHIM_DEBUG says the supervisor polls before each receive" \
	'^kshim\[sup\]: this kernel.s version is before 6\.11 or unknown' "$(cat "$work/err")"
check "  ... and kshim ends when the program does (${wall:-?} ms < 800)" test "${wall:-9999}" -lt 800
out=$(KSHIM_DEBUG=1 run --via seccomp -- "$PROBE" kafka1 9092)
polls=$(grep -c 'a poll comes first' "$work/err")
IFS=. read -r major minor _ <<<"$(uname -r)"
if [ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "${minor%%[!0-9]*}" -ge 11 ]; }; then
	expect_eq "[this kernel, $(uname -r)] the supervisor waits in the receive alone" "$polls" 0
else
	expect_eq "[this kernel, $(uname -r)] the supervisor polls before each receive" "$polls" 1
fi

# --- a kernel without a piece the supervisor uses ------------------------------------
# tests/clients/deny.c fails one probed call as an older kernel would, under a
# seccomp filter of its own around kshim: refused, with the reason, before the
# program runs (not names that silently stop resolving, nor a hang).
for d in "addfd:SECCOMP_ADDFD_FLAG_SEND \\(Linux 5\\.14\\)" \
	"send:SECCOMP_USER_NOTIF_FLAG_CONTINUE \\(Linux 5\\.5\\)" \
	"pidfd_getfd:pidfd_getfd \\(Linux 5\\.6\\)"; do
	out=$(timeout -k 2 10 "$DENY" "${d%%:*}" "$KSHIM" run --table "$TABLE" -- "$PROBE" kafka1 9092 2>"$work/err" 8>&- 7>&-)
	rc=$?
	expect_eq "[${d%%:*} fails] kshim refuses (exit 1)" "$rc" 1
	expect_match "  ... naming what the kernel lacks" "^kshim: run: this kernel lacks ${d#*:}" "$(cat "$work/err")"
	expect_eq "  ... before the program ran" "$out$(grep -c '^probe:' "$work/err")" 0
done

# --- a connect that blocks holds up no other call --------------------------------------
# A program makes non-blocking connects to kafka9 (a published port whose SYNs
# go unanswered) while another of its threads flips the socket's O_NONBLOCK.
# The supervisor's leading thread makes each connect itself; when the flag is
# off as it connects, that connect blocks, and once it has lasted 5 ms the
# main thread must pass the lead on (KSHIM_DEBUG says when it does).
# Meanwhile another process's opens of /etc/hosts (every 2 ms for 3 s) must be
# served. A connect to kafka9 blocks for the whole SYN timeout (over 2
# minutes), so a stuck leader would hold an open for seconds; the bounds below
# (2 s) leave room for a loaded machine, where an open here once took 536 ms.
out=$(KSHIM_DEBUG=1 run --via seccomp -- sh -c "'$EDGES' --flip kafka9 9092 2.5 >'$work/flip' & f=\$!
	'$EDGES' --opens 3; kill -9 \$f")
max=$(printf '%s' "$out" | sed -n 's/^opens=[0-9]* max_ms=\([0-9]*\)$/\1/p')
check "opens of /etc/hosts went on during racing connects to a stuck port (${out:-none}; $(cat "$work/flip" 2>/dev/null))" \
	test -n "$max"
check "  ... the longest open took under 2 s (${max:-?} ms)" test "${max:-999999}" -lt 2000
passed=$(grep -c "a connect held the lead for [0-9]* ms: another thread leads" "$work/err")
check "  ... a leader's own connect blocked, and the watch passed the lead on ($passed times)" test "$passed" -gt 0

# --- a connect that hangs holds up no other ------------------------------------------
# Five blocking connects to kafka9 (SYNs unanswered) keep five of the supervisor's
# connect workers waiting; a connect to kafka1 made meanwhile is answered at once.
out=$(run --via seccomp -- sh -c "for i in 1 2 3 4 5; do timeout 4 '$PROBE' kafka9 9092 >/dev/null 2>&1 & done
	sleep 0.5; s=\$(date +%s%N); '$PROBE' kafka1 9092; echo ms=\$(((\$(date +%s%N) - s) / 1000000)); wait")
expect_out "five connects hanging, a sixth is served" "$(printf '%s' "$out" | head -n 1)" \
	"identity=kafka1 addr=127.77.0.1"
ms=$(printf '%s' "$out" | sed -n 's/^ms=//p')
check "  ... in under 2 s (${ms:-?} ms)" test "${ms:-999999}" -lt 2000

# --- orphans: the supervisor adopts them ----------------------------------------------
# A background child whose parent exited is reparented to the supervisor (a
# child subreaper), not to init: it stays a descendant, which Yama's
# ptrace_scope=1 (Ubuntu's default) requires for process_vm_readv and
# pidfd_getfd.
cat >"$work/orphan.sh" <<'EOS'
echo $PPID >"$1/kshim.pid"
sh -c 'sleep 0.5; awk "/^PPid:/ { print \$2 }" /proc/$$/status >"$1/orphan.ppid"
	"$2" kafka1 9092 >"$1/orphan.out" 2>"$1/orphan.err"' sh "$1" "$2" &
EOS
orphan_checks() { # orphan_checks TAG
	local rc
	rm -f "$work/kshim.pid" "$work/orphan.ppid" "$work/orphan.out" "$work/orphan.err"
	run --via seccomp -- sh "$work/orphan.sh" "$work" "$PROBE"
	rc=$?
	expect_eq "$1an orphaned grandchild's parent is the supervisor (kshim, pid $(cat "$work/kshim.pid"))" \
		"$(cat "$work/orphan.ppid" 2>/dev/null)" "$(cat "$work/kshim.pid")"
	expect_eq "  ... and it is served" "$(cat "$work/orphan.out" 2>/dev/null)" "identity=kafka1 addr=127.77.0.1"
	[ -s "$work/orphan.out" ] || cat "$work/orphan.err" "$work/err" 2>/dev/null | sed "s/^/    # (kshim run exit $rc) /"
}
orphan_checks ""
yama=/proc/sys/kernel/yama/ptrace_scope
if [ -w "$yama" ]; then
	scope=$(cat "$yama")
	echo 1 >"$yama"
	orphan_checks "[Yama ptrace_scope=1] "
	echo "$scope" >"$yama"
	expect_eq "  ... ptrace_scope is set back" "$(cat "$yama")" "$scope"
else
	echo "# Yama is not on this kernel ($(uname -r): no writable $yama): the subreaper checks above stand in for ptrace_scope=1"
fi

# --- a program in a namespace or root of its own ---------------------------------------
# It is passed through untouched: its own /etc/hosts, its own network.
echo "127.0.0.9 inner-host" >"$work/hosts.inner"
out=$(run --via seccomp -- unshare -m sh -c 'mount --bind "$0" /etc/hosts && cat /etc/hosts' "$work/hosts.inner")
expect_out "unshare -m: the program reads its own namespace's /etc/hosts" "$out" "127.0.0.9 inner-host"
mkdir -p "$work/root/etc"
cp "$work/hosts.inner" "$work/root/etc/hosts"
cp "$PROBE" "$work/root/probe"
out=$(run --via seccomp -- chroot "$work/root" /probe --hosts openat-cloexec)
expect_out "chroot: the program reads the root's own /etc/hosts (1 line)" "$out" "cloexec=1 lines=1 kafka=0"
cat >"$work/inner.sh" <<'EOS'
ip link set lo up
/usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.77.0.1", 9092)); s.listen(); print("ready", flush=True)
c, _ = s.accept(); c.recv(10); c.sendall(b"inner\n")' >"$1/inner.ready" &
for _ in $(seq 50); do [ -s "$1/inner.ready" ] && break; sleep 0.1; done
"$2" kafka1 9092
EOS
out=$(run --via seccomp -- unshare -n sh "$work/inner.sh" "$work" "$PROBE")
expect_out "unshare -n: kafka1's connect is left to the program's own network (its server there answers)" \
	"$out" "identity=inner addr=127.77.0.1"
out=$(KSHIM_DEBUG=1 run -- "$PROBE" kafka1 9092)
expect_out "  ... while in kshim's own namespaces kafka1 is still mapped" "$out" "identity=kafka1 addr=127.77.0.1"

finish
