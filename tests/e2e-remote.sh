#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# needs: root docker network
# A remote engine, for real: a second dockerd in a network namespace this script creates (own
# data-root, exec-root and pid file), reached from the host only over a veth address, over
# tcp:// with TLS client certificates (made here with openssl) and over ssh:// (an sshd in that
# namespace, keys made here). kshim up -n 3 --publish-address <veth address> there, and a host
# client through the shim moves 1,000 records with exact counts; the docker CLI's contexts
# (DOCKER_CONTEXT and config.json's currentContext) find the same engine. up starts a node again
# when the engine found the host ports it picked in use (held here by connections). Wrong certificates, an
# unreachable host and a connection dropped mid-up each give a one-line cause, and what the
# rollback left is checked.
. "$(dirname "$0")/lib.sh"

IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
NS=kshim-remote-$$
HOST_IP=10.231.77.1
REMOTE_IP=10.231.77.2
NOBODY_IP=10.231.77.9 # on the veth's subnet, answered by no one
DATA=${KSHIM_CACHE:-/var/cache/kshim}/remote-engine # the second engine's data-root (keeps the image)
W=$(mktemp -d /tmp/kshim-remote.XXXXXX)
N=remote$$
LABEL=io.kshim.cluster
MSGS=1000
TLS_HOST=tcp://$REMOTE_IP:2376
SSH_HOST=ssh://root@$REMOTE_IP

# the second engine, as the docker CLI on this host reaches it (over its unix socket)
rdocker() { DOCKER_HOST=unix://$W/docker.sock command docker "$@"; }
# kshim over tcp+TLS with the good client certificate
ktls() { DOCKER_HOST=$TLS_HOST DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$W/client "$KSHIM" "$@"; }
kssh() { DOCKER_HOST=$SSH_HOST PATH=$W/bin:$PATH "$KSHIM" "$@"; }
left() { echo "$(rdocker ps -aq --filter "label=$LABEL=$1" | wc -l) $(rdocker network ls -q --filter "label=$LABEL=$1" | wc -l)"; }

cleanup() {
	for c in "$N-att" "$N" "$N-busy" "$N-full" "$N-ssh" "$N-drop" "$N-sdrop" "$N-ctx"; do ktls down --name "$c" >/dev/null 2>&1; done
	[ -s "$W/sshd.pid" ] && kill "$(cat "$W/sshd.pid")" 2>/dev/null
	if [ -s "$W/dockerd.pid" ]; then
		kill "$(cat "$W/dockerd.pid")" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$(cat "$W/dockerd.pid" 2>/dev/null)" 2>/dev/null || break; sleep 0.1; done
	fi
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# --- the namespace and its veth ---
netns() {
	ip netns add "$NS" &&
		ip link add "krh$$" type veth peer name "krn$$" &&
		ip link set "krn$$" netns "$NS" &&
		ip addr add "$HOST_IP/24" dev "krh$$" && ip link set "krh$$" up &&
		ip -n "$NS" addr add "$REMOTE_IP/24" dev "krn$$" && ip -n "$NS" link set "krn$$" up &&
		ip -n "$NS" link set lo up
}

# --- certificates: a CA, the daemon's (for the veth address), a client's; and a stranger's ---
certs() {
	local d=$W/pki
	mkdir -p "$d" "$W/client" "$W/wrong"
	(
		cd "$d" || exit 1
		for ca in ca other; do
			openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca-key.pem -out $ca.pem -days 2 -subj "/CN=kshim test $ca"
		done
		openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr -subj "/CN=$REMOTE_IP"
		printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$REMOTE_IP" >server.ext
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile server.ext -out server.pem
		for who in client:ca wrong:other; do
			openssl req -newkey rsa:2048 -nodes -keyout "${who%:*}-key.pem" -out "${who%:*}.csr" -subj "/CN=${who%:*}"
			echo extendedKeyUsage=clientAuth >client.ext
			openssl x509 -req -in "${who%:*}.csr" -CA "${who#*:}.pem" -CAkey "${who#*:}-key.pem" -CAcreateserial -days 2 \
				-extfile client.ext -out "${who%:*}.pem"
		done
	) >"$W/openssl.log" 2>&1 || return 1
	cp "$d/ca.pem" "$W/client/ca.pem" && cp "$d/client.pem" "$W/client/cert.pem" && cp "$d/client-key.pem" "$W/client/key.pem" &&
		cp "$d/ca.pem" "$W/wrong/ca.pem" && cp "$d/wrong.pem" "$W/wrong/cert.pem" && cp "$d/wrong-key.pem" "$W/wrong/key.pem"
}

start_dockerd() {
	mkdir -p "$DATA"
	# nsenter, not ip netns exec: that one mounts a fresh /sys, without the cgroup mounts dockerd needs
	nsenter --net=/var/run/netns/"$NS" setsid dockerd --data-root "$DATA" --exec-root "$W/exec" --pidfile "$W/dockerd.pid" \
		-H "unix://$W/docker.sock" -H "tcp://$REMOTE_IP:2376" --tlsverify --tlscacert "$W/pki/ca.pem" \
		--tlscert "$W/pki/server.pem" --tlskey "$W/pki/server-key.pem" </dev/null >>"$W/dockerd.log" 2>&1 &
	for _ in $(seq 150); do
		[ "$(curl -s -m 2 --unix-socket "$W/docker.sock" http://d/_ping 2>/dev/null)" = OK ] && return 0
		sleep 0.2
	done
	tail -5 "$W/dockerd.log" | sed 's/^/    # /'
	return 1
}

start_sshd() {
	mkdir -p "$W/bin" /run/sshd
	if [ ! -e "$W/id" ]; then
		ssh-keygen -q -t ed25519 -N '' -f "$W/host_key" && ssh-keygen -q -t ed25519 -N '' -f "$W/id" || return 1
	fi
	cp "$W/id.pub" "$W/authorized_keys"
	echo "$REMOTE_IP $(cat "$W/host_key.pub")" >"$W/known_hosts"
	cat >"$W/sshd_config" <<-CFG
		ListenAddress $REMOTE_IP:22
		HostKey $W/host_key
		PidFile $W/sshd.pid
		AuthorizedKeysFile $W/authorized_keys
		PermitRootLogin prohibit-password
		PasswordAuthentication no
		UsePAM no
		StrictModes no
		SetEnv DOCKER_HOST=unix://$W/docker.sock
	CFG
	cat >"$W/ssh_config" <<-CFG
		IdentityFile $W/id
		UserKnownHostsFile $W/known_hosts
		StrictHostKeyChecking yes
	CFG
	# what kshim runs as "ssh": the system's, with this test's keys and known host
	printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$W/ssh_config" >"$W/bin/ssh"
	chmod 755 "$W/bin/ssh"
	nsenter --net=/var/run/netns/"$NS" /usr/sbin/sshd -f "$W/sshd_config" -E "$W/sshd.log" || return 1
	for _ in $(seq 50); do [ -s "$W/sshd.pid" ] && return 0; sleep 0.1; done
	return 1
}

# kcat through the shim: MSGS produced to a new 3-partition topic, then consumed: "count distinct sum"
roundtrip() { # KSHIM-WRAPPER CLUSTER TOPIC
	rdocker exec "$2-kafka1" kafka-topics.sh --bootstrap-server kafka1:9092 --create --topic "$3" \
		--partitions 3 --replication-factor 3 >/dev/null 2>&1
	seq 1 $MSGS | "$1" run --name "$2" -- timeout 60 kcat -b kafka1:9092 -P -t "$3" -X acks=all
	"$1" run --name "$2" -- timeout 60 kcat -b kafka1:9092 -C -t "$3" -o beginning -e -q 2>/dev/null |
		awk '{n++; if (!s[$1]++) d++; t += $1} END {print n+0, d+0, t+0}'
}
SUM="$MSGS $MSGS $((MSGS * (MSGS + 1) / 2))"

# up_remote KSHIM-WRAPPER CLUSTER WHAT: up -n 3 on the second engine, timed; fills out.
up_remote() {
	local t0 rc
	t0=$(date +%s)
	out=$("$1" up -n 3 --name "$2" --image "$IMAGE" --publish-address "$REMOTE_IP" 2>"$W/up.err")
	rc=$?
	echo "# up -n 3 over $3: $(($(date +%s) - t0)) s"
	expect_eq "$3: up -n 3 --publish-address $REMOTE_IP exits 0" "$rc" 0
	[ "$rc" = 0 ] || sed 's/^/    # /' "$W/up.err"
}

# signal_tree SIG PID: SIG to PID and its children (a wrapper function's subshell and kshim).
signal_tree() { local p; for p in "$2" $(pgrep -P "$2"); do kill -"$1" "$p" 2>/dev/null; done; }
# drop_mid_up KSHIM-WRAPPER CLUSTER WHAT HOST CMD...: up in the background; once the engine
# reports its network created, up is stopped (SIGSTOP) while CMD cuts the line to the engine,
# so that the cut comes before up's next request even when the machine is slow (an up takes
# 6 s; polling for the network once missed that). Checks the exit status, and that the
# rollback says what it could not remove: everything of the cluster that is there must be in
# what it said.
drop_mid_up() {
	local k=$1 c=$2 what=$3 host=$4 pid ev rc said there
	shift 4
	rm -f "$W/drop.events"
	rdocker events --since "$(date +%s)" --filter type=network --filter event=create \
		--format '{{.Action}} {{.Actor.Attributes.name}}' >"$W/drop.events" 2>"$W/drop.events.err" &
	ev=$!
	"$k" up -n 3 --name "$c" --image "$IMAGE" --publish-address "$REMOTE_IP" >"$W/drop.out" 2>&1 &
	pid=$!
	for _ in $(seq 1500); do grep -qx "create $c-net" "$W/drop.events" && break; sleep 0.02; done
	signal_tree STOP "$pid"
	"$@"
	signal_tree CONT "$pid"
	signal_tree TERM "$ev"
	wait "$pid"
	rc=$?
	sed 's/^/    # /' "$W/drop.out"
	sed 's/^/    # engine events: /' "$W/drop.events" "$W/drop.events.err"
	expect_eq "$what dropped mid-up: exit 1" "$rc" 1
	expect_match "  ... the rollback says what may be left, and where" \
		"^kshim: rollback incomplete: network $c-net(, containers $c-kafka1(, $c-kafka[23])*)? may be left on $host \(" \
		"$(cat "$W/drop.out")"
	expect_match "  ... then the cause of the failure, with a hint" "^kshim: .*$host.*
hint: check that the engine at $host runs" "$(grep -A1 '^kshim:' "$W/drop.out" | tail -2)"
	said=$(sed -n 's/^kshim: rollback incomplete: \(.*\) may be left on .*/\1/p' "$W/drop.out" | tr -d , | tr ' ' '\n' | grep "^$c-" | sort)
	there=$( (rdocker ps -a --filter "label=$LABEL=$c" --format '{{.Names}}'; rdocker network ls --filter "label=$LABEL=$c" --format '{{.Name}}') | sort)
	expect_eq "  ... what is there ($(echo $there)) is all in what it said" \
		"$(comm -23 <(echo "$there") <(echo "$said") | grep -c .)" 0
}
# dead_link_run KSHIM-WRAPPER CLUSTER PORT TAG: watch runs; then every packet to the engine's
# PORT is dropped in its namespace (a silently dead link, no reset) until the watch says it lost
# the events, or 120 s; then packets flow again, and the watch gets up to 90 s to come back. Its
# output goes to $W/watch-TAG.out, the seconds until it noticed to $W/lost-TAG. The two engines'
# links (tcp+TLS, ssh) run it side by side: each waits about 50 s on the watch.
dead_link_run() {
	local k=$1 c=$2 port=$3 out=$W/watch-$4.out pid t0
	"$k" watch --name "$c" >"$out" 2>&1 &
	pid=$!
	for _ in $(seq 300); do grep -q "watching cluster" "$out" && break; sleep 0.1; done
	grep -q "watching cluster '$c'" "$out" || { kill "$pid"; return; }
	sleep 2
	ip netns exec "$NS" iptables -I INPUT -p tcp --dport "$port" -j DROP
	t0=$(date +%s)
	for _ in $(seq 120); do grep -q "lost Docker's events" "$out" && break; sleep 1; done
	echo $(($(date +%s) - t0)) >"$W/lost-$4"
	ip netns exec "$NS" iptables -D INPUT -p tcp --dport "$port" -j DROP
	for _ in $(seq 90); do grep -q "is back; table resynced" "$out" && break; sleep 1; done
	kill "$pid"; wait "$pid" 2>/dev/null
}
# dead_link_judge CLUSTER WHAT TAG: the checks on what dead_link_run left.
dead_link_judge() {
	local out=$W/watch-$3.out lost
	lost=$(cat "$W/lost-$3" 2>/dev/null || echo never)
	expect_match "$2: watch runs" "watching cluster '$1'" "$(cat "$out")"
	expect_match "$2: a silently dead link (packets dropped): the watch says it lost the events" \
		"lost Docker's events" "$(cat "$out")"
	expect_eq "  ... within 60 s (it took $lost s)" "$((${lost/never/999} <= 60))" 1
	expect_match "  ... and is back once packets flow again" "Docker at .* is back; table resynced" "$(cat "$out")"
	sed 's/^/    # /' "$out"
}
engine_port() { ip netns exec "$NS" iptables "$1" INPUT -p tcp --dport 2376 -j REJECT --reject-with tcp-reset; }
kill_sshd() { ip netns pids "$NS" | while read -r p; do [ "$(cat /proc/"$p"/comm 2>/dev/null)" = sshd ] && kill -9 "$p"; done; }

check "network namespace $NS with a veth: host $HOST_IP, engine $REMOTE_IP" netns
check "CA, daemon and client certificates (openssl)" certs
check "second dockerd in $NS (data-root $DATA), tcp+TLS on $REMOTE_IP:2376" start_dockerd
check "sshd in $NS on $REMOTE_IP:22" start_sshd
if ! rdocker image inspect "$IMAGE" >/dev/null 2>&1; then
	t0=$(date +%s)
	check "docker save $IMAGE | (second engine) docker load" sh -c "docker --host $DOCKER_ENGINE save '$IMAGE' | docker --host unix://$W/docker.sock load -q >/dev/null"
	echo "# image copied in $(($(date +%s) - t0)) s"
fi
for c in $(rdocker ps -aq --filter "label=$LABEL"); do rdocker rm -f -v "$c" >/dev/null; done # an earlier run's
for n in $(rdocker network ls -q --filter "label=$LABEL"); do rdocker network rm "$n" >/dev/null; done
expect_eq "the engine is not on this host's loopback: 127.0.0.1:2376 refuses" \
	"$(curl -s -m 2 -o /dev/null -w '%{http_code}' https://127.0.0.1:2376/_ping)" "000"

# --- tcp:// with TLS ---
out=$(ktls up --name "$N" --image "$IMAGE" 2>&1)
expect_eq "tcp+TLS: up without --publish-address is refused (exit 1)" "$?" 1
expect_eq "  ... the cause names the remote engine" "$(echo "$out" | head -1)" \
	"kshim: $TLS_HOST (from DOCKER_HOST) is a remote engine: its loopback is not this machine's"
expect_eq "  ... nothing was created" "$(left "$N")" "0 0"

up_remote ktls "$N" tcp+TLS
expect_eq "  ... its bootstrap list" "$(echo "$out" | head -1)" "kafka1:9092,kafka2:9092,kafka3:9092"
expect_match "the table maps kafka1..3 to $REMOTE_IP" \
	"^kafka1	127\.77\.[0-9]+\.1	9092=10\.231\.77\.2:[0-9]+
kafka2	127\.77\.[0-9]+\.2	9092=10\.231\.77\.2:[0-9]+
kafka3	127\.77\.[0-9]+\.3	9092=10\.231\.77\.2:[0-9]+$" "$(grep -v '^#' "$KSHIM_HOME/$N.table" | tail -n +2)"
expect_eq "every port is published on $REMOTE_IP only" \
	"$(rdocker inspect --format '{{range $p, $b := .NetworkSettings.Ports}}{{range $b}}{{.HostIp}}{{"\n"}}{{end}}{{end}}' \
		$(rdocker ps -q --filter "label=$LABEL=$N") | grep -v '^$' | sort | uniq -c | awk '{print $1, $2}')" "3 $REMOTE_IP"
dr=$(ktls doctor --name "$N")
expect_eq "doctor over tcp+TLS passes all 10 layers" "$(echo "$dr" | grep -cE '^ *[0-9]+ [a-z]+ +ok ')" 10
[ "$(echo "$dr" | grep -cE '^ *[0-9]+ [a-z]+ +ok ')" = 10 ] || echo "$dr" | sed 's/^/    # /'
expect_match "  ... layer 1: the engine and where it came from" \
	"^ 1 daemon +ok +Docker at $TLS_HOST answers, API 1\.[0-9]+ \(from DOCKER_HOST\)$" "$dr"
expect_eq "tcp+TLS: $MSGS records through the shim to $REMOTE_IP (count, distinct, sum)" \
	"$(roundtrip ktls "$N" remote-tls)" "$SUM"

# Docker takes a published port in sequence after the last it gave, and gives up after ten in
# use. This engine is alone on its address, so the next ports are known: hold_ports holds a run
# of them with connections (fd 7 open keeps them held), and up must start its node again past
# them, or give up with a cause once it has tried eight times.
last_port() { grep -o "9092=$REMOTE_IP:[0-9]*" "$KSHIM_HOME/$1.table" | cut -d: -f2 | sort -n | tail -1; }
hold_ports() { # FIRST COUNT
	exec 7> >(nsenter --net=/var/run/netns/"$NS" /usr/bin/python3 "$TOP/tests/helpers/hold_ports.py" \
		"$REMOTE_IP" "$1" "$2" >"$W/hold-$1.out" 2>&1)
	for _ in $(seq 100); do grep -q held "$W/hold-$1.out" && return 0; sleep 0.1; done
	sed 's/^/    # /' "$W/hold-$1.out"
	return 1
}
first=$(($(last_port "$N") + 1))
check "ports $first..$((first + 23)) on $REMOTE_IP held by connections" hold_ports "$first" 24
ktls up -n 1 --name "$N-busy" --image "$IMAGE" --publish-address "$REMOTE_IP" >/dev/null 2>"$W/busy.err"
expect_eq "  ... up -n 1 starts its node past them (exit 0)" "$?" 0
exec 7>&-
sed 's/^/    # /' "$W/busy.err"
port=$(last_port "$N-busy")
expect_eq "  ... its port comes after them" "$((${port:-0} > first + 23))" 1
first=$((${port:-$((first + 24))} + 1))
ktls down --name "$N-busy" >/dev/null
check "ports $first..$((first + 99)) held" hold_ports "$first" 100
out=$(ktls up -n 1 --name "$N-full" --image "$IMAGE" --publish-address "$REMOTE_IP" 2>&1)
expect_eq "  ... up -n 1 gives up: exit 1" "$?" 1
exec 7>&-
expect_match "  ... one line: the node, its eight tries, the engine's cause" \
	"^kshim: starting kafka1 \(8 tries\): .*address already in use" "$(echo "$out" | head -1)"
expect_match "  ... a hint to find who holds the ports" "^hint: .*ss -tanp" "$(echo "$out" | sed -n 2p)"
expect_eq "  ... nothing left: no container, network or table" "$(left "$N-full") $(ls "$KSHIM_HOME" | grep -c "^$N-full\.")" "0 0 0"

# the ssh engine's cluster now, so that both links' dead-link checks run at once
up_remote kssh "$N-ssh" ssh
expect_match "ssh: doctor layer 1 names the ssh engine" "^ 1 daemon +ok +Docker at $SSH_HOST answers" "$(kssh doctor --name "$N-ssh")"
expect_eq "ssh: $MSGS records through the shim to $REMOTE_IP (count, distinct, sum)" \
	"$(roundtrip kssh "$N-ssh" remote-ssh)" "$SUM"
dead_link_run ktls "$N" 2376 tls &
dead_tls=$!
dead_link_run kssh "$N-ssh" 22 ssh
wait "$dead_tls"
dead_link_judge "$N" "tcp+TLS" tls
dead_link_judge "$N-ssh" ssh ssh

# The cluster was made on the remote engine: this machine's engine (the default
# socket) refuses it, naming both, and removes nothing.
other_engine() { # CLUSTER
	local cmd out rc
	for cmd in down status doctor "watch --once" up; do
		# shellcheck disable=SC2086
		out=$(env -u DOCKER_HOST -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH "$KSHIM" $cmd --name "$1" 2>&1); rc=$?
		expect_eq "$cmd on another engine (this machine's): exit 1" "$rc" 1
		expect_match "  ... one line naming both engines" \
			"(^kshim: | daemon +FAIL +)cluster '$1' was made on the engine at $TLS_HOST \(published on $REMOTE_IP\), not unix:///var/run/docker.sock" "$out"
	done
	expect_match "  ... with a hint" "hint: talk to that engine \(DOCKER_HOST=$TLS_HOST" "$out"
	expect_eq "  ... its table and engine record are still there" "$(ls "$KSHIM_HOME" | grep -c "^$1\.\(table\|engine\)$")" 2
	expect_eq "  ... and its containers and network" "$(left "$1")" "3 1"
}
other_engine "$N"

# attach on the remote engine: refused without --publish-address, as up is; with it,
# the table names the remote address and clients reach the brokers through it.
out=$(ktls attach --network "$N-net" --name "$N-att" 2>&1)
expect_eq "tcp+TLS: attach without --publish-address is refused (exit 1)" "$?" 1
expect_eq "  ... the cause names the remote engine" "$(echo "$out" | head -1)" \
	"kshim: $TLS_HOST (from DOCKER_HOST) is a remote engine: its loopback is not this machine's"
expect_eq "  ... no table or record is written" "$(ls "$KSHIM_HOME" | grep -c "^$N-att\.")" 0
ktls attach --network "$N-net" --name "$N-att" --publish-address "$REMOTE_IP" >/dev/null
expect_eq "  ... with --publish-address $REMOTE_IP: kafka1..3 at $REMOTE_IP in the table" \
	"$(grep -c "9092=10\.231\.77\.2:[0-9]*" "$KSHIM_HOME/$N-att.table")" 3
expect_eq "  ... $MSGS records through the attached table (count, distinct, sum)" \
	"$(roundtrip ktls "$N-att" remote-att)" "$SUM"
ktls down --name "$N-att" >/dev/null
expect_eq "tcp+TLS: down" "$(ktls down --name "$N")" "cluster '$N': removed 3 containers, 1 network and the table"
expect_eq "  ... nothing left on the engine" "$(left "$N")" "0 0"

# --- failures over tcp ---
out=$(DOCKER_HOST=$TLS_HOST DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$W/wrong "$KSHIM" up --name "$N" --image "$IMAGE" --publish-address "$REMOTE_IP" 2>&1)
expect_eq "wrong client certificate: exit 1" "$?" 1
expect_match "  ... one-line cause: TLS failed" "^kshim: TLS with the Docker daemon at $TLS_HOST failed: .+$" "$(echo "$out" | head -1)"
expect_match "  ... the hint names the certificates" "^hint: check the certificates" "$(echo "$out" | sed -n 2p)"
expect_eq "  ... two lines, nothing created" "$(echo "$out" | wc -l) $(left "$N")" "2 0 0"
out=$(DOCKER_HOST=$TLS_HOST "$KSHIM" up --name "$N" --image "$IMAGE" --publish-address "$REMOTE_IP" 2>&1)
expect_eq "TLS daemon, no TLS asked: exit 1, one-line cause and hint" "$?|$(echo "$out" | wc -l)" "1|2"
expect_match "  ... the hint says to ask for TLS" "^hint: .*DOCKER_TLS_VERIFY=1" "$out"
echo "$out" | sed 's/^/    # /'
mkdir -p "$W/other"
cp "$W/pki/other.pem" "$W/other/ca.pem" && cp "$W/client/cert.pem" "$W/client/key.pem" "$W/other/"
out=$(DOCKER_HOST=$TLS_HOST DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$W/other "$KSHIM" up --name "$N" --image "$IMAGE" --publish-address "$REMOTE_IP" 2>&1)
expect_match "daemon's certificate not from the trusted CA: one-line TLS cause" "^kshim: TLS with the Docker daemon at $TLS_HOST failed: .+$" "$(echo "$out" | head -1)"
t0=$(date +%s)
out=$(DOCKER_HOST=tcp://$NOBODY_IP:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$W/client "$KSHIM" up --name "$N" --image "$IMAGE" --publish-address "$NOBODY_IP" 2>&1)
expect_eq "unreachable host: exit 1, two lines" "$?|$(echo "$out" | wc -l)" "1|2"
expect_match "  ... one-line cause names the host" "^kshim: cannot connect to the Docker daemon at tcp://$NOBODY_IP:2376: .+$" "$(echo "$out" | head -1)"
echo "#   ($(($(date +%s) - t0)) s) $(echo "$out" | head -1)"

# a connection dropped mid-up: once the containers exist, the engine's port answers with resets
drop_mid_up ktls "$N-drop" "tcp connection" "$TLS_HOST" engine_port -I
engine_port -D
expect_match "  ... kshim down, once the engine answers, removes it" \
	"^cluster '$N-drop': (removed [0-3] containers?, 1 network|nothing to remove)$" "$(ktls down --name "$N-drop")"
expect_eq "  ... nothing left" "$(left "$N-drop")" "0 0"

# --- ssh:// (its cluster was made above, beside the tcp+TLS one) ---
expect_eq "ssh: down" "$(kssh down --name "$N-ssh")" "cluster '$N-ssh': removed 3 containers, 1 network and the table"
expect_eq "  ... nothing left on the engine" "$(left "$N-ssh")" "0 0"
expect_eq "ssh: no ssh process of kshim is left" "$(pgrep -fc "ssh -F $W/ssh_config")" 0

out=$(DOCKER_HOST=ssh://root@$NOBODY_IP PATH=$W/bin:$PATH "$KSHIM" up --name "$N-ssh" --image "$IMAGE" --publish-address "$NOBODY_IP" 2>&1)
expect_eq "ssh, unreachable host: exit 1, two lines" "$?|$(echo "$out" | wc -l)" "1|2"
expect_match "  ... one-line cause in ssh's words" "^kshim: cannot connect to the Docker daemon at ssh://root@$NOBODY_IP: ssh: connect to host $NOBODY_IP port 22: " "$(echo "$out" | head -1)"
echo "#   $(echo "$out" | head -1)"
out=$(DOCKER_HOST=ssh://nobody@$REMOTE_IP PATH=$W/bin:$PATH "$KSHIM" up --name "$N-ssh" --image "$IMAGE" --publish-address "$REMOTE_IP" 2>&1)
expect_match "ssh, key refused: one-line cause in ssh's words" "^kshim: .*ssh: .*Permission denied" "$(echo "$out" | head -1)"

drop_mid_up kssh "$N-sdrop" "ssh (sshd killed)" "$SSH_HOST" kill_sshd
rm -f "$W/sshd.pid"
check "sshd started again" start_sshd
expect_match "  ... kshim down over ssh removes it" \
	"^cluster '$N-sdrop': (removed [0-3] containers?, 1 network|nothing to remove)$" "$(kssh down --name "$N-sdrop")"
expect_eq "  ... nothing left" "$(left "$N-sdrop")" "0 0"

# --- the docker CLI's contexts ---
export DOCKER_CONFIG=$W/dockercfg
check "docker context create remote (tcp+TLS, the client certificate)" docker context create remote \
	--docker "host=$TLS_HOST,ca=$W/client/ca.pem,cert=$W/client/cert.pem,key=$W/client/key.pem"
expect_match "DOCKER_CONTEXT=remote: doctor layer 1 names the context" \
	"^ 1 daemon +ok +Docker at $TLS_HOST answers, API 1\.[0-9]+ \(from docker context 'remote', named by DOCKER_CONTEXT\)$" \
	"$(DOCKER_CONTEXT=remote "$KSHIM" doctor --name "$N-ctx")"
docker context use remote >/dev/null 2>&1
out=$("$KSHIM" up -n 1 --name "$N-ctx" --image "$IMAGE" --publish-address "$REMOTE_IP" 2>&1)
expect_eq "current context (docker context use remote): up -n 1 there exits 0" "$?" 0
expect_eq "  ... the broker runs on the second engine" "$(left "$N-ctx")" "1 1"
expect_match "  ... kcat through the shim lists it" "1 brokers:" "$(timeout 30 "$KSHIM" run --name "$N-ctx" -- kcat -b kafka1:9092 -L 2>&1)"
# its engine gone for good, as far as this machine knows: down --forget removes
# kshim's files of it and asks no engine
expect_eq "down --forget: kshim's files only" "$(DOCKER_HOST=tcp://$NOBODY_IP:2376 "$KSHIM" down --name "$N-ctx" --forget)" \
	"cluster '$N-ctx': removed its files (the table, the secrets, the engine record); no engine was asked"
expect_eq "  ... none of them is left" "$(ls "$KSHIM_HOME" | grep -c "^$N-ctx\.")" 0
expect_eq "  ... the broker still runs there" "$(left "$N-ctx")" "1 1"
expect_eq "  ... down" "$("$KSHIM" down --name "$N-ctx")" "cluster '$N-ctx': removed 1 container, 1 network"
out=$(DOCKER_CONTEXT=gone "$KSHIM" status --name "$N-ctx" 2>&1)
expect_eq "a context that does not exist: exit 1, two lines" "$?|$(echo "$out" | wc -l)" "1|2"
expect_match "  ... one-line cause" "^kshim: docker context 'gone' does not exist" "$out"
unset DOCKER_CONFIG

finish
