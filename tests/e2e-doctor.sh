#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kshim doctor against a real cluster. Healthy first (text and --json), then each
# layer broken for real and the diagnosis checked: which layer fails, its cause
# and fix, which later layers are skipped because of it, the exit status. One
# cluster is broken and repaired in turn (the repair is the fix doctor printed);
# the listener break comes last and is not repaired. The cluster runs under
# `kshim up --watch`, which must rewrite the table when a stopped broker starts
# on a new port and leave the cluster running when it is stopped. Also checks
# what up leaves on disk: table directory 0700, table 0600. Never skips: no
# Docker is a failure.
. "$(dirname "$0")/lib.sh"

IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
N=doc$$
T=$KSHIM_HOME/$N.table

up_pid=
cleanup() {
	[ -n "$up_pid" ] && kill "$up_pid" 2>/dev/null && wait "$up_pid"
	"$KSHIM" down --name "$N" >/dev/null 2>&1
	rm -rf "$KSHIM_HOME"
}
trap cleanup EXIT

# doctor [ARGS]: runs kshim doctor on the cluster; sets out and rc.
doctor() {
	out=$("$KSHIM" doctor --name "$N" "$@" 2>&1)
	rc=$?
}
# "1:ok 2:FAIL 3:skipped ...": each layer's status in $out.
statuses() { printf '%s\n' "$out" | awk '$1 ~ /^[0-9]+$/ {printf "%s%s:%s", s, $1, $3; s=" "}'; }
# layers WANT...: "N:status" for layers 1..10 from a short spec, e.g. "ok ok FAIL skipped ...".
layers() {
	local i=1 s r=""
	for s in "$@"; do r="$r${r:+ }$i:$s"; i=$((i + 1)); done
	echo "$r"
}
port_of() { docker port "$1" 9092/tcp | sed 's/.*://'; }
show() { printf '%s\n' "$out" | sed 's/^/    # /'; }

# until_healthy DESC [--once]: waits up to 90 s for a clean bill, running
# 'kshim watch --once' (doctor's fix for a stale table) first with --once.
until_healthy() {
	local t0=$SECONDS
	while :; do
		[ "${2:-}" = --once ] && "$KSHIM" watch --name "$N" --once >/dev/null 2>&1
		doctor
		[ "$rc" = 0 ] && break
		[ $((SECONDS - t0)) -ge 90 ] && break
		sleep 1
	done
	expect_eq "$1: healthy again after the fix ($((SECONDS - t0)) s)" "$rc" 0
	[ "$rc" = 0 ] || show
}

echo "# image $IMAGE, cluster $N, KSHIM_HOME $KSHIM_HOME"
docker image inspect "$IMAGE" >/dev/null 2>&1 || { notok "image $IMAGE exists (make kafka-image)"; finish; }
t0=$SECONDS
"$KSHIM" up -n 3 --name "$N" --image "$IMAGE" --watch >"$OUT/e2e-doctor-up.log" 2>&1 &
up_pid=$!
until grep -q '^kafka1:9092,' "$OUT/e2e-doctor-up.log" || ! kill -0 "$up_pid" 2>/dev/null; do sleep 0.5; done
if ! kill -0 "$up_pid" 2>/dev/null; then
	notok "up -n 3 --watch"; sed 's/^/    # /' "$OUT/e2e-doctor-up.log"; up_pid=; finish
fi
echo "# up --watch ready in $((SECONDS - t0)) s"

# --- what up leaves on disk ---
expect_eq "table directory is private (0700)" "$(stat -c %a "$KSHIM_HOME")" 700
expect_eq "table file is private (0600)" "$(stat -c %a "$T")" 600

# --- healthy ---
t1=$(date +%s%N)
doctor
echo "# doctor on a healthy cluster: $((($(date +%s%N) - t1) / 1000000)) ms"
expect_eq "healthy cluster: exit 0" "$rc" 0
expect_eq "healthy cluster: all 10 layers ok" "$(statuses)" "$(layers ok ok ok ok ok ok ok ok ok ok)"
[ "$rc" = 0 ] || show
doctor --json
expect_eq "--json on a healthy cluster: exit 0" "$rc" 0
python3 -m json.tool <<<"$out" >/dev/null
expect_eq "--json output parses (python3 -m json.tool)" "$?" 0
expect_eq "--json: ok true, 10 layers ok with details" \
	"$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"], len(d["layers"]), sum(l["status"] == "ok" and bool(l["detail"]) and l["fix"] is None for l in d["layers"]))' <<<"$out")" \
	"True 10 10"

out=$("$KSHIM" doctor --name "$N" extra 2>&1)
expect_eq "an extra argument is a usage error" "$?" 2

# --- layer 1: no daemon ---
out=$(DOCKER_HOST=unix:///nonexistent "$KSHIM" doctor --name "$N" 2>&1); rc=$?
expect_eq "no daemon: exit 1" "$rc" 1
expect_eq "no daemon: layer 1 fails, the rest are skipped" "$(statuses)" \
	"$(layers FAIL skipped skipped skipped skipped skipped skipped skipped skipped skipped)"
expect_match "no daemon: cause names the socket" "^ 1 daemon +FAIL +cannot connect to the Docker daemon at unix:///nonexistent" "$out"
expect_match "no daemon: the fix says how to start it" "fix: start dockerd" "$out"
expect_match "no daemon: skipped layers say why" "^10 shim +skipped +because daemon failed$" "$out"

# --- layer 2: no such cluster ---
out=$("$KSHIM" doctor --name "$N-none" 2>&1); rc=$?
expect_eq "no such cluster: exit 1, layer 2 fails" "$rc $(statuses | cut -d' ' -f1-3)" "1 1:ok 2:FAIL 3:skipped"
expect_match "no such cluster: cause and fix" "no cluster named '$N-none'.*"$'\n'" +fix: start it with 'kshim up --name $N-none'" "$out"

# --- layer 9: a stale table (kafka2's port edited) ---
p2=$(port_of "$N-kafka2")
sed -i "s/^\(kafka2\t.*=127\.0\.0\.1:\)[0-9]*$/\11/" "$T"
doctor
expect_eq "stale table: exit 1" "$rc" 1
expect_eq "stale table: layer 9 fails, the shim layer is skipped" "$(statuses)" \
	"$(layers ok ok ok ok ok ok ok ok FAIL skipped)"
expect_match "stale table: cause gives both ports" \
	"^ 9 table +FAIL +the table sends kafka2:9092 to 127\.0\.0\.1:1, Docker publishes it on 127\.0\.0\.1:$p2$" "$out"
expect_match "stale table: the fix rewrites it" "fix: kshim watch --name $N --once rewrites it" "$out"
"$KSHIM" watch --name "$N" --once 2>/dev/null
doctor
expect_eq "stale table: after 'kshim watch --once' all layers pass" "$rc" 0

# --- layer 9: a table others can write (the shim would ignore it) ---
chmod 666 "$T"
doctor
expect_eq "writable table: layer 9 fails" "$rc $(statuses | cut -d' ' -f9-10)" "1 9:FAIL 10:skipped"
expect_match "writable table: cause and fix" "the shim ignores $T: it is writable by others \(mode 0666.*"$'\n'" +fix: chmod 600 $T$" "$out"
chmod 600 "$T"

# --- layer 8: no table ---
rm -f "$T"
doctor
expect_eq "no table: layer 8 fails, 9 and 10 skipped" "$(statuses)" \
	"$(layers ok ok ok ok ok ok ok FAIL skipped skipped)"
expect_match "no table: cause and fix" "^ 8 advertised +FAIL +no table at $T"$'\n'" +fix: 'kshim watch --name $N --once' writes it" "$out"
expect_match "no table: the table layer says why it is skipped" "^ 9 table +skipped +because the table is unusable" "$out"
"$KSHIM" watch --name "$N" --once 2>/dev/null
expect_eq "no table: 'kshim watch --once' writes a private one" "$(stat -c %a "$T" 2>&1)" 600
doctor
expect_eq "no table: after the fix all layers pass" "$rc" 0

# --- layer 4: kafka1's resolver broken (its resolv.conf no longer names Docker's DNS) ---
docker exec -u 0 "$N-kafka1" sh -c 'cp /etc/resolv.conf /tmp/resolv.good && echo "nameserver 127.0.0.9" >/etc/resolv.conf'
doctor
expect_eq "broken resolver: layer 4 fails, what needs names is skipped" "$(statuses)" \
	"$(layers ok ok ok FAIL ok ok skipped skipped ok skipped)"
expect_match "broken resolver: cause names who cannot resolve whom" "^ 4 dns +FAIL +kafka1 cannot resolve kafka2; kafka1 cannot resolve kafka3$" "$out"
docker exec -u 0 "$N-kafka1" sh -c 'cat /tmp/resolv.good >/etc/resolv.conf'
until_healthy "broken resolver"

# --- layer 7: kafka3's JVM stopped (SIGSTOP from the host): the container runs,
# its port accepts TCP through Docker, but Kafka does not answer ---
pid3=$(docker inspect -f '{{.State.Pid}}' "$N-kafka3")
kill -STOP "$pid3"
doctor
kill -CONT "$pid3"
expect_eq "frozen broker: layer 7 fails, 8 and 10 skipped" "$(statuses)" \
	"$(layers ok ok ok ok ok ok FAIL skipped ok skipped)"
expect_match "frozen broker: cause names the broker and its port" "^ 7 kafka +FAIL +kafka3: no Metadata reply from 127\.0\.0\.1:[0-9]+" "$out"
until_healthy "frozen broker"

# --- layer 10: an install without its shim library ---
mkdir -p "$KSHIM_HOME/bin" && cp "$KSHIM" "$BUILD/kshim-full" "$KSHIM_HOME/bin/"
out=$("$KSHIM_HOME/bin/kshim" doctor --name "$N" 2>&1); rc=$?
expect_eq "no libkshim.so next to kshim: only layer 10 fails" "$rc $(statuses)" \
	"1 $(layers ok ok ok ok ok ok ok ok ok FAIL)"
expect_match "no libkshim.so: the probe under the shim gets no answer" "^10 shim +FAIL +no answer for kafka1:9092 from the probe under the shim" "$out"
[ "$rc" = 1 ] || show

# --- layer 3: a stopped broker ---
docker stop -t 10 "$N-kafka3" >/dev/null
doctor
expect_eq "stopped broker: exit 1" "$rc" 1
expect_eq "stopped broker: layer 3 fails, everything above it is skipped" "$(statuses)" \
	"$(layers ok ok FAIL skipped skipped skipped skipped skipped skipped skipped)"
expect_match "stopped broker: cause names node, container and exit code" \
	"^ 3 containers +FAIL +kafka3 \($N-kafka3\) exited with code [0-9]+$" "$out"
expect_match "stopped broker: the fix starts it" "fix: docker start $N-kafka3 " "$out"
doctor --json
expect_eq "stopped broker: --json says the same" \
	"$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"], [l["status"] for l in d["layers"]][:4], d["layers"][2]["fix"].split(" (")[0])' <<<"$out")" \
	"False ['ok', 'ok', 'fail', 'skipped'] docker start $N-kafka3"
docker start "$N-kafka3" >/dev/null
p3=$(port_of "$N-kafka3")
for _ in $(seq 50); do grep -q "^kafka3	.*:$p3$" "$T" && break; sleep 0.1; done
expect_match "stopped broker: up --watch put its new port in the table" "^kafka3	127\.77\.[0-9]+\.3	9092=127\.0\.0\.1:$p3$" "$(cat "$T")"
until_healthy "stopped broker"

# --- layer 2: a broker disconnected from the network ---
docker network disconnect "$N-net" "$N-kafka2"
doctor
expect_eq "disconnected broker: layer 2 fails; DNS, ports and what needs them are skipped" "$(statuses)" \
	"$(layers ok FAIL ok skipped ok skipped skipped skipped skipped skipped)"
expect_match "disconnected broker: cause" "^ 2 network +FAIL +kafka2 \($N-kafka2\) is not attached to $N-net$" "$out"
fix=$(printf '%s\n' "$out" | sed -n 's/^ *fix: //p' | head -1)
expect_eq "disconnected broker: the fix is the docker command" "$fix" "docker network connect --alias kafka2 $N-net $N-kafka2"
$fix
until_healthy "disconnected broker" --once # a network change is no container event: watch does not see it

# --- layers 5 and 6: kafka3 recreated listening on 9094 instead of 9092, published on
# 127.0.0.2 instead of 127.0.0.1 (same labels, network, alias and other settings) ---
python3 - "$N-kafka3" <<'EOF' || notok "recreate kafka3 with other listeners"
import json, subprocess, sys
name = sys.argv[1]
info = json.loads(subprocess.check_output(["docker", "inspect", name]))[0]
cfg = info["Config"]
env = [e for e in cfg["Env"] if not e.startswith(("KAFKA_LISTENERS=", "KAFKA_ADVERTISED_LISTENERS="))]
env += ["KAFKA_LISTENERS=INTERNAL://:19092,EXTERNAL://:9094,CONTROLLER://:9093",
        "KAFKA_ADVERTISED_LISTENERS=INTERNAL://kafka3:19092,EXTERNAL://kafka3:9094"]
args = ["docker", "run", "-d", "--name", name, "--hostname", cfg["Hostname"],
        "--network", info["HostConfig"]["NetworkMode"], "--network-alias", cfg["Hostname"],
        "-p", "127.0.0.2::9092"]
for k, v in cfg["Labels"].items():
    args += ["--label", k + "=" + v]
for e in env:
    args += ["-e", e]
subprocess.check_call(["docker", "rm", "-f", "-v", name], stdout=subprocess.DEVNULL)
subprocess.check_call(args + [cfg["Image"]], stdout=subprocess.DEVNULL)
EOF
for _ in $(seq 90); do # until the new broker listens on 9094 (hex 2386)
	docker exec "$N-kafka3" cat /proc/net/tcp 2>/dev/null | grep -q ':2386 00000000:0000 0A' && break
	sleep 1
done
doctor
expect_eq "wrong listener and binding: layers 5 and 6 fail, Kafka and above skipped" "$(statuses)" \
	"$(layers ok ok ok ok FAIL FAIL skipped skipped skipped skipped)"
expect_match "wrong listener: cause lists what listens" \
	"^ 5 listeners +FAIL +inside kafka3 nothing listens on 9092 \(listening: 9093, 9094, 19092\)$" "$out"
expect_match "wrong listener: the fix names the listeners" \
	"fix: kafka3's listeners \(INTERNAL://:19092,EXTERNAL://:9094,CONTROLLER://:9093\) leave out 9092, the port Docker publishes" "$out"
expect_match "wrong binding: cause" "^ 6 ports +FAIL +kafka3's 9092/tcp is published on 127\.0\.0\.2:[0-9]+, not on 127\.0\.0\.1$" "$out"
expect_match "wrong binding: the fix recreates the cluster" "fix: recreate the cluster with kshim, which binds 127\.0\.0\.1 only" "$out"
[ "$(statuses | cut -d' ' -f5)" = 5:FAIL ] || show

kill -TERM "$up_pid"
wait "$up_pid"
expect_eq "up --watch: SIGTERM ends the watch with exit 0" "$?" 0
up_pid=
expect_match "up --watch: says the cluster keeps running" "watch ended; cluster '$N' keeps running" "$(cat "$OUT/e2e-doctor-up.log")"
expect_eq "up --watch: the cluster is still there" "$(docker ps -q --filter "label=io.kshim.cluster=$N" | wc -l)" 3
expect_eq "down removes the recreated container too" "$("$KSHIM" down --name "$N")" \
	"cluster '$N': removed 3 containers, 1 network and the table"
echo "# e2e-doctor: $SECONDS s"
finish
