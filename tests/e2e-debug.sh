#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# needs: root docker
# kshim debug against a 3-broker cluster of the local image: with a command, `ss -ltn` sees
# kafka2's listeners and `ps -ax` its JVM, stdout and stderr come apart and the exit status comes
# back; SIGINT ends a run with 130; an interactive shell driven through tmux pings kafka1, passes
# Ctrl-C to the shell, follows a resize and gives the terminal back as it was; a hang-up ends a
# shell too; the same on an attached cluster and on Podman. Every way out leaves no debug
# container, but kill -9, after which the next debug of the cluster, or its down, removes it
# (and a live session's stays). A stopped broker, a missing image and an image that cannot be pulled each give one
# line of cause and a hint. Builds kshim/debug:local first (make debug-image), a no-op when built.
. "$(dirname "$0")/lib.sh"

IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
N=dbg$$
A=dbga$$
P=dbgp$$
PODMAN=unix:///run/podman/podman.sock
LABEL=io.kshim.debug
W=$(mktemp -d /tmp/kshim-debug.XXXXXX)
S=kshim-debug-$$

cleanup() {
	tm "$S" kill-server 2>/dev/null
	tm "$S-hup" kill-server 2>/dev/null
	"$KSHIM" down --name "$A" >/dev/null 2>&1
	"$KSHIM" down --name "$N" >/dev/null 2>&1
	DOCKER_HOST=$PODMAN "$KSHIM" down --name "$P" >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT

# left CLUSTER: how many debug containers of CLUSTER exist, running or not.
left() { docker ps -aq --filter "label=$LABEL=$1" | wc -l; }
# left_is CLUSTER N: left CLUSTER is N, for wait_for.
left_is() { [ "$(left "$1")" = "$2" ]; }
# dbg ARG...: kshim debug on cluster N; fills rc, out (stdout) and err (stderr).
dbg() {
	"$KSHIM" debug --name "$N" "$@" >"$W/out" 2>"$W/err" </dev/null
	rc=$? out=$(cat "$W/out") err=$(cat "$W/err")
}
# tm SESSION ARG...: tmux on a server of the session's own, apart from anyone else's.
tm() { tmux -L "$1" "${@:2}"; }
# pane_has SESSION PATTERN: the session's screen has a line matching PATTERN.
pane_has() { tm "$1" capture-pane -p -t "$1" | grep -qE -- "$2"; }
# shows SESSION PATTERN: ... within 20 s.
shows() { wait_for 20 pane_has "$1" "$2"; }

command -v tmux >/dev/null || { notok "tmux is installed (scripts/deps.sh)"; finish; }
docker image inspect "$IMAGE" >/dev/null 2>&1 || { notok "image $IMAGE exists (make kafka-image)"; finish; }
bash "$TOP/scripts/debug-image.sh" >"$W/image.log" 2>&1
check "make debug-image builds kshim/debug:local" test $? = 0 || { sed 's/^/    # /' "$W/image.log"; finish; }
t0=$SECONDS
"$KSHIM" up -n 3 --name "$N" --image "$IMAGE" --timeout 600 >"$W/up.log" 2>&1 ||
	{ notok "up -n 3"; tail -3 "$W/up.log" | cut -c1-200 | sed 's/^/    # /'; finish; }
echo "# up -n 3 in $((SECONDS - t0)) s"

# ---- with a command -----------------------------------------------------------------------
t0=$EPOCHREALTIME
dbg kafka2 -- ss -ltn
echo "# debug kafka2 -- ss -ltn: $(awk "BEGIN{printf \"%.2f\", $EPOCHREALTIME - $t0}") s"
expect_eq "debug kafka2 -- ss -ltn exits 0, nothing on stderr" "$rc|$err" "0|"
expect_eq "  ... lists kafka2's client listener (9092) and controller listener (9093)" \
	"$(awk '$1 == "LISTEN" { n = split($4, a, ":"); print a[n] }' <<<"$out" | grep -xE '9092|9093' | sort | tr '\n' ' ')" \
	"9092 9093 "
expect_eq "  ... and leaves no container" "$(left "$N")" 0
dbg kafka2 -- ps -ax
expect_eq "debug kafka2 -- ps -ax: one java process, kafka2's, as PID 1" \
	"$(awk '$5 ~ /java$/ { print $1 }' <<<"$out" | tr '\n' ' ')" "1 "
expect_match "  ... the broker's JVM" 'kshim\.KshimStart|kafka\.Kafka' "$out"
expect_eq "  ... and leaves no container" "$(left "$N")" 0
dbg kafka2 -- lsof -nP -a -p 1 -iTCP:9092 -sTCP:LISTEN
expect_eq "debug kafka2 -- lsof: the JVM (another user's process) holds the 9092 listener" \
	"$rc|$(grep -cE '^java +1 .*:9092 \(LISTEN\)' <<<"$out")" "0|1"
dbg kafka2 -- sh -c 'echo to-stdout; echo to-stderr >&2; exit 7'
expect_eq "debug -- sh -c 'exit 7' exits 7" "$rc" 7
expect_eq "  ... stdout and stderr demultiplexed" "$out|$err" "to-stdout|to-stderr"
expect_eq "  ... and leaves no container" "$(left "$N")" 0
dbg kafka1 -- sh -c 'hostname; dig +short kafka3 | grep -c .'
expect_eq "debug kafka1 is in kafka1's network: its host name, and kafka3 resolves to one address" \
	"$(tr '\n' ' ' <<<"$out")" "kafka1 1 "

"$KSHIM" debug --name "$N" kafka2 -- sleep 120 >"$W/out" 2>"$W/err" </dev/null &
pid=$!
wait_for 20 left_is "$N" 1
check "debug -- sleep 120 has its container" test "$(left "$N")" = 1
t0=$SECONDS
kill -INT "$pid"
wait "$pid"
rc=$?
expect_eq "SIGINT ends it with 130 within 15 s" "$rc|$((SECONDS - t0 < 15))" "130|1"
expect_eq "  ... saying so" "$(head -1 "$W/err")" "kshim: interrupted; removed what was created"
expect_eq "  ... and leaves no container" "$(left "$N")" 0

# kill -9: kshim cannot act, so its container stays until the next debug of the cluster (or its
# down) finds that the session's process has ended; a live session's container is kept.
"$KSHIM" debug --name "$N" kafka2 -- sleep 300 >"$W/live.out" 2>&1 </dev/null &
live=$!
"$KSHIM" debug --name "$N" kafka3 -- sleep 300 >"$W/out" 2>"$W/err" </dev/null &
pid=$!
wait_for 20 left_is "$N" 2
kill -KILL "$pid"
wait "$pid" 2>/dev/null # bash's "Killed" notice
expect_eq "kill -9 of one of two sessions: both containers are still there" "$?|$(left "$N")" "137|2"
dbg kafka1 -- true
expect_eq "  ... the next debug removes the killed session's, and says so" "$rc|$err" \
	"0|kshim: removed 1 debug container left by a session that ended"
expect_eq "  ... and keeps the live session's" \
	"$(docker ps -q --filter "label=$LABEL=$N" --filter "name=$N-kafka2-debug-$live" | wc -l)|$(left "$N")" "1|1"
kill -INT "$live"
wait "$live"
expect_eq "  ... which ends with SIGINT (130), leaving no container" "$?|$(left "$N")" "130|0"

# ---- an interactive shell -----------------------------------------------------------------
cat >"$W/shell.sh" <<EOS
stty -g >"$W/stty.before"
"$KSHIM" debug --name "$N" kafka2
echo "kshim-exit=\$?"
stty -g >"$W/stty.after"
sleep 600
EOS
tm "$S" new-session -d -s "$S" -x 120 -y 40 "bash $W/shell.sh"
check "the shell prompts, in kafka2's namespaces" shows "$S" '^root@kafka2:/#'
expect_eq "  ... from one debug container" "$(left "$N")" 1
tm "$S" send-keys -t "$S" 'ping -c1 kafka1' Enter
check "ping -c1 kafka1 in the shell: 1 received" shows "$S" '1 packets transmitted, 1 received'
tm "$S" send-keys -t "$S" 'sleep 300' Enter
sleep 1
tm "$S" send-keys -t "$S" C-c
tm "$S" send-keys -t "$S" 'echo alive-$((6 * 7))' Enter
check "Ctrl-C stops the shell's command, and the shell goes on" shows "$S" '^alive-42'
tm "$S" resize-window -t "$S" -x 100 -y 30
sleep 1
tm "$S" send-keys -t "$S" 'stty size' Enter
check "the container's TTY follows a resize of the terminal (30 rows, 100 columns)" shows "$S" '^30 100'
tm "$S" send-keys -t "$S" 'exit 4' Enter
check "exit 4 ends kshim debug with 4" shows "$S" '^kshim-exit=4'
expect_eq "  ... the terminal is as it was before" "$(cat "$W/stty.after" 2>&1)" "$(cat "$W/stty.before" 2>&1)"
expect_eq "  ... and no container is left" "$(left "$N")" 0
tm "$S" kill-server

tm "$S-hup" new-session -d -s "$S-hup" -x 120 -y 40 "$KSHIM debug --name $N kafka3"
check "a second shell prompts" shows "$S-hup" '^root@kafka3:/#'
tm "$S-hup" kill-server
wait_for 15 left_is "$N" 0
expect_eq "closing its terminal (SIGHUP) removes its container" "$(left "$N")" 0

# ---- failures -----------------------------------------------------------------------------
docker stop -t 10 "$N-kafka3" >/dev/null
dbg kafka3 -- true
expect_eq "a stopped broker: exit 1, one line of cause and a hint" "$rc|$(wc -l <<<"$err")" "1|2"
expect_match "  ... the cause" "^kshim: kafka3 of cluster '$N' is not running: exited with code [0-9]+$" \
	"$(head -1 <<<"$err")"
expect_eq "  ... the hint" "$(sed -n 2p <<<"$err")" "hint: 'kshim logs --name $N kafka3' shows why it stopped"
expect_eq "  ... and no container" "$(left "$N")" 0
KSHIM_DEBUG_IMAGE=kshim/debug:missing$$ dbg kafka1 -- true
expect_eq "a missing image: exit 1, cause and hint" "$rc|$err" \
	"1|kshim: no image kshim/debug:missing$$ at unix:///var/run/docker.sock
hint: build it with 'make debug-image', or give --image REF (e.g. nicolaka/netshoot)"
dbg --image kshim/no-such-image-$$ kafka1 -- true
expect_eq "an --image that cannot be pulled: exit 1, cause and hint" "$rc|$(grep -c '^kshim: cannot pull kshim/no-such-image-'"$$" <<<"$err")" "1|1"
expect_match "  ... the hint" "^hint: check the reference, or build kshim/debug:local with 'make debug-image'" \
	"$(grep '^hint:' <<<"$err")"
expect_eq "  ... and no container" "$(left "$N")" 0
dbg kafka9 -- true
expect_eq "an unknown node: a usage error naming the nodes" "$rc|$(sed -n 2p <<<"$err")" "2|hint: nodes are kafka1 to kafka3"

# ---- an attached cluster, and Podman -------------------------------------------------------
"$KSHIM" attach --network "$N-net" --name "$A" >"$W/attach.log" 2>&1
check "attach --network $N-net" test $? = 0
out=$("$KSHIM" debug --name "$A" kafka2 -- ps -ax </dev/null 2>&1)
expect_eq "debug on the attached cluster: kafka2's java as PID 1" \
	"$(awk '$5 ~ /java$/ { print $1 }' <<<"$out" | tr '\n' ' ')" "1 "
expect_eq "  ... and no container left" "$(left "$A")" 0

# an interactive session killed with -9 (its shell's stdin closes and the shell ends)
tm "$S" new-session -d -s "$S" -x 120 -y 40 "exec $KSHIM debug --name $N kafka1"
check "a shell on kafka1 prompts" shows "$S" '^root@kafka1:/#'
kill -KILL "$(tm "$S" display-message -p -t "$S" '#{pane_pid}')"
tm "$S" kill-server 2>/dev/null # gone with its one pane, as a rule
expect_eq "kill -9 of an interactive kshim debug leaves its container" "$(left "$N")" 1
out=$("$KSHIM" down --name "$N" 2>&1)
expect_match "  ... which down removes with the cluster's: 3 brokers + 1" "^cluster '$N': removed 4 containers, 1 network" "$out"
expect_eq "  ... no debug container left" "$(left "$N")" 0

if bash "$TOP/scripts/podman.sh" --load "$IMAGE" --load kshim/debug:local >"$W/podman.log" 2>&1; then
	ok "Podman's API answers and has both images"
	export DOCKER_HOST=$PODMAN
	if "$KSHIM" up -n 1 --name "$P" --image "$IMAGE" >"$W/up-podman.log" 2>&1; then
		out=$("$KSHIM" debug --name "$P" kafka1 -- sh -c 'ss -ltn; exit 5' </dev/null 2>&1)
		rc=$?
		expect_eq "debug on Podman: exit 5, kafka1's 9092 listening" \
			"$rc|$(grep -cE 'LISTEN .*:9092 ' <<<"$out")" "5|1"
		expect_eq "  ... and no Podman container left" \
			"$(podman ps -aq --filter "label=$LABEL=$P" | wc -l)" 0
	else
		notok "up -n 1 on Podman"; sed 's/^/    # /' "$W/up-podman.log"
	fi
	unset DOCKER_HOST
else
	notok "Podman's API answers and has both images (scripts/podman.sh)"
	sed 's/^/    # /' "$W/podman.log"
fi
finish
