#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The client compatibility matrix (make matrix, part of make test).
#
# Ten unmodified clients produce N keyed records (key k<i>, value <run id>:<i>) to a fresh topic
# (3 partitions, RF 3) per cell and read them all back from the beginning; a cell is green when
# exactly N distinct records of this run come back, every key matches its value, and each
# partition holds them in produce order. Clients: kcat (librdkafka), confluent-kafka for Python and
# kafka-python (Debian packages, /usr/bin/python3), Java on org.apache.kafka:kafka-clients 4.1.x
# (default dual-stack sockets), kafkajs (npm), my_client.c (a plain librdkafka C program), and
# four that LD_PRELOAD alone cannot serve or that link differently:
#   franz-go      tests/goclient, pure Go (CGO_ENABLED=0, static): kshim run picks the supervisor
#   kafka-go      tests/matrix/kafkago_client, segmentio/kafka-go, pure Go, static: supervisor
#   my-client static   my_client.c linked with -static (glibc, librdkafka, lz4, zstd, OpenSSL, zlib
#                 all static; Cyrus SASL replaced by tests/matrix/sasl_none.c, see there): supervisor
#   rust-client   tests/matrix/rust_client, the rdkafka crate on Debian's librdkafka (dynamic):
#                 kshim run picks the preload
# Column (a) checks which mechanism kshim run chose for each (its --debug line). One more row,
# kcat forced with --via seccomp, exists in (a) only: (b), (c) and (d) run no kshim, so they
# would repeat the kcat row (n/a). The Go and Rust clients are built from the Go module proxy
# and crates.io (scripts/matrix-deps.sh fetches both); builds are cached under tests/out.
# Columns, on two clusters brought up once with build/kshim up (KSHIM_HOME in a temp dir):
#   (a) kmx-int (advertises kafkaN:9092), client on the host through `kshim run`, bootstrap kafka1:9092
#   (b) kmx-int, client inside the cluster network, the same bootstrap kafka1:9092, no shim
#   (c) kmx-loc (kshim up --advertise localhost), client on the host, no shim, the printed
#       localhost:<hostport> bootstrap
#   (d) kmx-loc, client inside the cluster network, bootstrap kafka1:9092: expected to FAIL,
#       because metadata sends the client to localhost:<hostport>, which in the network is the
#       client's own container. The suite asserts that it fails (and records how).
# (a), (b), (c) must be all green. "Inside the cluster network" for host-installed clients: a
# `sleep` sidecar container on the network and tests/matrix/in-netns.sh, which runs the host's
# client in the sidecar's network namespace (nsenter -n) with the sidecar's resolv.conf and hosts
# bind-mounted in a private mount namespace, so names resolve through Docker's embedded DNS
# exactly as in a container; no client image to build. Extra rows run kcat, the Java client and
# the Kafka console tools from real containers (docker run --network) for (b) and (d).
# TLS and SASL: three more columns on two more clusters, brought up after (a)-(d) are done:
#   (e) kmx-tls (kshim up --tls), host, `kshim run`, kafka1:9092, TLS with host name verification
#   (f) kmx-sasl (kshim up --tls --sasl plain), host, `kshim run`, SASL_SSL, verification on
#   (g) kmx-tls, in the network (sidecar namespace), TLS, verification on
# Each client gets kshim config's settings in its own form through MATRIX_CLIENT_CONFIG (kcat
# takes them with -F). PLAIN, not SCRAM: librdkafka before 2.6.1 (Debian's 2.0.2: kcat,
# confluent-kafka, my-client, Rust) fails SCRAM against Kafka 4 (tests/e2e-tls.sh shows it).
# Output: tests/out/matrix.md (also printed), per-cell logs in tests/out/matrix/.
# Environment: MATRIX_N (records per cell, default 1000), MATRIX_SECS (time limit of a cell that
# must pass, default 60), MATRIX_FAIL_SECS (of a cell expected to fail, default 20),
# KSHIM_MATRIX_IMAGE (default kshim/kafka:local), MATRIX_CLIENTS (row names, space-separated, e.g.
# "kafka-go rust-client": only those rows, report in tests/out/matrix-subset.md), MATRIX_REPORT (the
# report's path instead), MATRIX_NAME (the clusters' prefix, default kmx; the script's pid follows
# it, so that two runs on one engine never share a cluster), MATRIX_OUT (the per-cell
# logs' directory). tests/matrix-kafka39.sh runs a subset against Kafka 3.9.1, beside this one.
#   bash tests/matrix-clients.sh    or    bash tests/run.sh matrix    or    make matrix
export KSHIM_HOME
KSHIM_HOME=$(mktemp -d /tmp/kmx-home.XXXXXX)
. "$(dirname "$0")/lib.sh"

T0=$EPOCHREALTIME
N=${MATRIX_N:-1000}
SECS=${MATRIX_SECS:-60}
FAIL_SECS=${MATRIX_FAIL_SECS:-20}
IMAGE=${KSHIM_MATRIX_IMAGE:-kshim/kafka:local}
MX=${MATRIX_NAME:-kmx}-$$ # the clusters' names start with it: a second matrix can run beside this one
INT=$MX-int
LOC=$MX-loc
TLS=$MX-tls
SASL=$MX-sasl
M=$TOP/tests/matrix
MOUT=${MATRIX_OUT:-$OUT/matrix}
PY=/usr/bin/python3
RUN=mx$(date +%s)$((RANDOM % 1000))
LABEL=kshim.matrix=$RUN
REPORT=$OUT/matrix.md

CLIENTS=(kcat confluent kafka-python java kafkajs my-client franz-go kafka-go my-client-static rust-client)
SUP_CLIENTS=(kcat-seccomp)
CTR_CLIENTS=(kcat-ctr java-ctr console-ctr)
# runs ROW: whether the row is in this run (all rows unless MATRIX_CLIENTS names some).
runs() { [ -z "${MATRIX_CLIENTS:-}" ] || [[ " $MATRIX_CLIENTS " == *" $1 "* ]]; }
only_run() { local c; for c; do runs "$c" && echo "$c"; done; }
if [ -n "${MATRIX_CLIENTS:-}" ]; then
	mapfile -t CLIENTS < <(only_run "${CLIENTS[@]}")
	mapfile -t SUP_CLIENTS < <(only_run "${SUP_CLIENTS[@]}")
	mapfile -t CTR_CLIENTS < <(only_run "${CTR_CLIENTS[@]}")
	REPORT=$OUT/matrix-subset.md
fi
REPORT=${MATRIX_REPORT:-$REPORT}
COLS=(a b c d e f g)
# The rows of (e)-(g): the clients that take TLS and SASL settings from MATRIX_CLIENT_CONFIG.
SEC_CLIENTS=(kcat confluent java kafka-python kafkajs my-client franz-go kafka-go my-client-static rust-client)
sec_client() { [[ " ${SEC_CLIENTS[*]} " == *" $1 "* ]]; }
declare -A CELL SECS_OF LABEL_OF UP_SECS
for c in "${CLIENTS[@]}" "${SUP_CLIENTS[@]}" "${CTR_CLIENTS[@]}"; do for col in "${COLS[@]}"; do CELL[$c.$col]="✗ (not run)"; done; done
for c in "${CTR_CLIENTS[@]}"; do CELL[$c.a]="n/a"; CELL[$c.c]="n/a"; done
for c in "${SUP_CLIENTS[@]}"; do for col in b c d; do CELL[$c.$col]="n/a (no kshim)"; done; done
for c in "${CLIENTS[@]}" "${SUP_CLIENTS[@]}" "${CTR_CLIENTS[@]}"; do
	sec_client "$c" || for col in e f g; do CELL[$c.$col]="n/a (no TLS settings in this test client)"; done
done

el() { awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $1}"; }
say() { echo "# [$(el "$T0") s] $*"; }

rm -rf "$MOUT"
mkdir -p "$MOUT/java"
chmod 755 "$MOUT" "$MOUT/java"

# --- clean-up: sidecars, client containers, both clusters, the temp KSHIM_HOME ------------------
up_pids=()
cleanup() {
	local p
	trap '' INT TERM
	# Interrupted during kshim up: SIGINT makes it roll back what it created; wait for that.
	if [ ${#up_pids[@]} != 0 ]; then
		for p in "$MOUT"/up-*.pid; do [ -f "$p" ] && kill -INT "$(cat "$p")" 2>/dev/null; done
		for p in "${up_pids[@]}"; do wait "$p" 2>/dev/null; done
	fi
	docker rm -f "$INT-side" "$LOC-side" "$TLS-side" >/dev/null 2>&1
	docker ps -aq --filter "label=$LABEL" 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1
	for p in "$INT" "$LOC" "$TLS" "$SASL"; do
		[ -x "$KSHIM" ] && "$KSHIM" down --name "$p" >>"$MOUT/down.log" 2>&1
		# Should kshim down itself fail, never leave a cluster running: remove by kshim's label.
		docker ps -aq --filter "label=io.kshim.cluster=$p" 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1
		docker network rm "$p-net" >/dev/null 2>&1
	done
	rm -rf "$KSHIM_HOME"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- what the matrix needs; nothing is skipped: anything missing is "not ok" ---------------------
export PATH=$PATH:/usr/local/go/bin:$HOME/.cargo/bin
fatal=0
for t in "cc:gcc" "kcat:kcat" "java:openjdk-17-jdk-headless" "javac:openjdk-17-jdk-headless" \
	"node:nodejs" "go:golang-go" "cargo:cargo" "docker:docker.io" "nsenter:util-linux" "unshare:util-linux" "timeout:coreutils"; do
	command -v "${t%%:*}" >/dev/null 2>&1 || { notok "tool present: ${t%%:*} (Debian package ${t#*:})"; fatal=1; }
done
$PY -c 'import confluent_kafka' 2>/dev/null || notok "python3-confluent-kafka importable by $PY"
$PY -c 'import kafka' 2>/dev/null || notok "python3-kafka importable by $PY"
pkg-config --exists rdkafka || notok "librdkafka-dev (pkg-config rdkafka)"
[ "$(id -u)" = 0 ] || { notok "running as root (nsenter/unshare and Docker need it)"; fatal=1; }
check "matrix dependencies (scripts/matrix-deps.sh: kafkajs, kafka-clients jars; installs what is missing)" \
	bash "$TOP/scripts/matrix-deps.sh"
eval "$(bash "$TOP/scripts/matrix-deps.sh" --print-env)"
[ -x "$KSHIM" ] && [ -f "$SHIM" ] || make -s -C "$TOP" all >/dev/null
# Run on a private copy of build/kshim, kshim-full and libkshim.so (kshim finds them next to
# itself): a rebuild of build/ during the run cannot then break `kshim run` or the teardown.
mkdir -p "$MOUT/bin"
cp "$KSHIM" "$BUILD/kshim-full" "$SHIM" "$MOUT/bin/" 2>/dev/null
KSHIM=$MOUT/bin/kshim
kshim_works() { "$KSHIM" run --help >/dev/null 2>&1; }
check "kshim built (copied from $BUILD to $MOUT/bin)" kshim_works
[ -x "$KSHIM" ] || fatal=1
if docker info >/dev/null 2>&1; then ok "Docker engine answers"; else notok "Docker engine answers (scripts/dockerd.sh)"; fatal=1; fi
if [ $fatal = 0 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then ok "image $IMAGE present"; else
	notok "image $IMAGE present (scripts/kafka-image.sh)"; fatal=1; fi

# Each build below runs once per machine and set of inputs (tests/lib.sh, cached).
# Built by the Makefile's rules, whose flags are part of what is cached.
check "build my_client.c (-std=c11 -Wall -Wextra -Werror)" cached "$MOUT/my_client" "$M/my_client.c" "$TOP/Makefile" -- \
	make_to "$MOUT/my_client" build/matrix/my_client
# The linker's notes that static glibc's getaddrinfo/dlopen want the same glibc at run time go to
# the log: getaddrinfo's files and dns sources are inside libc.a since glibc 2.34.
static_build() {
	make_to "$MOUT/my_client_static" build/matrix/my_client_static \
		>"$MOUT/build-my_client_static.log" 2>&1 || { tail -n 5 "$MOUT/build-my_client_static.log" | sed 's/^/    # /'; return 1; }
}
check "build my_client.c with -static (glibc, librdkafka and its libraries static; no Cyrus SASL)" \
	cached "$MOUT/my_client_static" "$M/my_client.c" "$M/sasl_none.c" "$TOP/Makefile" -- static_build
static_exe() { ! readelf -l "$1" | grep -q INTERP && file "$1" | grep -q 'statically linked'; }
check "  ... a static executable (no PT_INTERP)" static_exe "$MOUT/my_client_static"
check "build the franz-go client (tests/goclient, CGO_ENABLED=0)" build_go "$TOP/tests/goclient" "$MOUT/goclient"
check "  ... a static executable (no PT_INTERP)" static_exe "$MOUT/goclient"
check "build the kafka-go client (tests/matrix/kafkago_client, CGO_ENABLED=0)" build_go "$M/kafkago_client" "$MOUT/kafkago_client"
check "  ... a static executable (no PT_INTERP)" static_exe "$MOUT/kafkago_client"
# Offline first: the crates are in cargo's cache once scripts/matrix-deps.sh has fetched them.
cargobuild() {
	local a=(build --release --locked --manifest-path "$M/rust_client/Cargo.toml")
	{ CARGO_TARGET_DIR=$OUT/rust-target cargo "${a[@]}" --offline || CARGO_TARGET_DIR=$OUT/rust-target cargo "${a[@]}"; } \
		>"$MOUT/build-rust_client.log" 2>&1 && cp "$OUT/rust-target/release/rust_client" "$MOUT/rust_client"
}
check "build the Rust client (tests/matrix/rust_client, rdkafka crate, dynamic librdkafka)" \
	cached "$MOUT/rust_client" "$M/rust_client" -- cargobuild
dyn_rdkafka() { ldd "$MOUT/rust_client" | grep -q 'librdkafka\.so'; }
check "  ... linked dynamically against Debian's librdkafka" dyn_rdkafka
check "javac MatrixClient.java against kafka-clients" cached "$MOUT/java" "$M/MatrixClient.java" -- \
	javac -nowarn --release 17 -cp "$MATRIX_JAVA_CP" -d "$MOUT/java" "$M/MatrixClient.java"
chmod -R a+rX "$MOUT/java"

KCAT_V=$(kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\) .*librdkafka \([^ ]*\).*/\1 (librdkafka \2)/p')
LABEL_OF[kcat]="kcat ${KCAT_V:-?}"
LABEL_OF[confluent]="confluent-kafka $($PY -c 'import confluent_kafka as c; print("%s (Python, librdkafka %s)" % (c.version()[0], c.libversion()[0]))' 2>/dev/null)"
LABEL_OF[kafka-python]="kafka-python $($PY -c 'import kafka; print(kafka.__version__)' 2>/dev/null) (Python)"
jar=$(ls ${MATRIX_JAVA_CP%/\*}/kafka-clients-*.jar 2>/dev/null | head -1)
jv=$(java -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
LABEL_OF[java]="Java kafka-clients $(basename "${jar:-?}" .jar | sed 's/kafka-clients-//') (JDK $jv, dual-stack)"
kv=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$MATRIX_NODE_PATH/kafkajs/package.json" 2>/dev/null | head -1)
LABEL_OF[kafkajs]="kafkajs ${kv:-?} (Node $(node --version 2>/dev/null))"
LABEL_OF[my-client]="my-client (C, librdkafka $(pkg-config --modversion rdkafka 2>/dev/null))"
gomod() { awk -v m="$2" '{ for (i = 1; i < NF; i++) if ($i == m) print $(i + 1) }' "$1/go.mod"; }
LABEL_OF[franz-go]="franz-go $(gomod "$TOP/tests/goclient" github.com/twmb/franz-go) (Go, static)"
LABEL_OF[kafka-go]="segmentio/kafka-go $(gomod "$M/kafkago_client" github.com/segmentio/kafka-go) (Go, static)"
LABEL_OF[my-client-static]="my-client static (C, librdkafka $(pkg-config --modversion rdkafka 2>/dev/null), glibc static)"
LABEL_OF[rust-client]="rust-client (rdkafka crate $(awk '/^name = "rdkafka"$/ { getline; gsub(/[^0-9.]/, ""); print }' "$M/rust_client/Cargo.lock"), librdkafka dynamic)"
LABEL_OF[kcat-seccomp]="kcat ${KCAT_V:-?}, forced \`--via seccomp\`"
LABEL_OF[kcat-ctr]="kcat in a container (docker run)"
LABEL_OF[java-ctr]="Java kafka-clients in a container"
LABEL_OF[console-ctr]="Kafka console tools in a container"

# --- clusters: each brought up once, in the background ------------------------------------------
# up_bg NAME ARGS...: kshim up -n 3 --name NAME ARGS... in the background; "status seconds" in
# $MOUT/up-NAME.rc when it ends.
up_bg() {
	local p=$1
	shift
	(
		t=$EPOCHREALTIME
		"$KSHIM" up --image "$IMAGE" -n 3 --name "$p" "$@" --timeout 240 >"$MOUT/up-$p.out" 2>"$MOUT/up-$p.err" &
		echo $! >"$MOUT/up-$p.pid"
		wait $!
		echo "$? $(el "$t")" >"$MOUT/up-$p.rc"
	) &
	up_pids+=($!)
}
SEC_RUN=()
for c in "${SEC_CLIENTS[@]}"; do runs "$c" && SEC_RUN+=("$c"); done
# INT and LOC first, side by side; TLS and SASL once they are up, starting while (a)-(d) run.
if [ $fatal = 0 ]; then
	for p in "$INT" "$LOC" "$TLS" "$SASL"; do "$KSHIM" down --name "$p" >/dev/null 2>&1; done # a previous run's leftovers
	docker rm -f "$INT-side" "$LOC-side" >/dev/null 2>&1
	say "kshim up $INT (internal) and $LOC (--advertise localhost)"
	up_bg "$INT" --advertise internal
	up_bg "$LOC" --advertise localhost
	wait "${up_pids[@]}"
	up_pids=()
	if [ ${#SEC_RUN[@]} != 0 ]; then
		say "kshim up $TLS (--tls) and $SASL (--tls --sasl plain)"
		up_bg "$TLS" --tls
		up_bg "$SASL" --tls --sasl plain
	fi
fi
down_cluster() { "$KSHIM" down --name "$1" >>"$MOUT/down.log" 2>&1; }
cluster_ok() { # NAME: kshim up succeeded
	local rc
	read -r rc UP_SECS[$1] <"$MOUT/up-$1.rc" 2>/dev/null && [ "$rc" = 0 ]
}
INT_OK=0 LOC_OK=0
if cluster_ok "$INT"; then
	INT_OK=1
	ok "kshim up --name $INT: $(head -1 "$MOUT/up-$INT.out") (${UP_SECS[$INT]} s)"
else
	notok "kshim up --name $INT failed: $(tail -3 "$MOUT/up-$INT.err" 2>/dev/null | tr '\n' ' ')"
fi
if cluster_ok "$LOC"; then
	LOC_BOOT=$(head -1 "$MOUT/up-$LOC.out")
	expect_match "kshim up --advertise localhost prints a localhost bootstrap (${UP_SECS[$LOC]} s)" \
		'^localhost:[0-9]+,localhost:[0-9]+,localhost:[0-9]+$' "$LOC_BOOT" && LOC_OK=1
	LOC_PORTS=$(tr ',' '\n' <<<"$LOC_BOOT" | sed 's/.*://')
else
	notok "kshim up --name $LOC --advertise localhost failed: $(tail -3 "$MOUT/up-$LOC.err" 2>/dev/null | tr '\n' ' ')"
fi

# A `sleep` container on the cluster network whose namespaces tests/matrix/in-netns.sh uses.
sidecar() {
	docker run -d --name "$1-side" --network "$1-net" --label "$LABEL" --entrypoint sleep "$IMAGE" 3600 >/dev/null &&
		[ "$(docker inspect -f '{{.State.Running}}' "$1-side" 2>/dev/null)" = true ]
}
[ $INT_OK = 1 ] && { check "sidecar container on $INT-net" sidecar "$INT" || INT_OK=0; }
[ $LOC_OK = 1 ] && { check "sidecar container on $LOC-net" sidecar "$LOC" || LOC_OK=0; }

# One JVM per cluster, from a real container on the network, creates every topic the cluster's
# cells use and waits for ISR 3 everywhere (so topic creation is never what a client is tested on).
# AGAIN: the suffix of a cell's second topic, when it runs once more.
topic() { echo "kmx-$RUN-$1-$2${AGAIN:-}"; }
create_topic_list() { # CLUSTER BOOTSTRAP TOPIC...
	local cl=$1 boot=$2
	shift 2
	timeout -k 5 120 docker run --rm --name "kmx-$RUN-create-$cl" --label "$LABEL" --network "$cl-net" \
		-v "$MOUT/java:/m:ro" -e CLASSPATH=/m --entrypoint /opt/kafka/bin/kafka-run-class.sh "$IMAGE" \
		MatrixClient create "$boot" 3 3 90 "$@" >>"$MOUT/create-$cl.log" 2>&1
}
create_topics() { # CLUSTER BOOTSTRAP COL...
	local cl=$1 boot=$2 col c ts=()
	shift 2
	for col in "$@"; do for c in "${CLIENTS[@]}" "${SUP_CLIENTS[@]}" "${CTR_CLIENTS[@]}"; do ts+=("$(topic "$col" "$c")"); done; done
	create_topic_list "$cl" "$boot" "${ts[@]}"
}
if [ $INT_OK = 1 ]; then
	check "create ${#CLIENTS[@]}x2+${#CTR_CLIENTS[@]}x2 topics (3 partitions, RF 3) on $INT" create_topics "$INT" kafka1:9092 a b || INT_OK=0
fi
if [ $LOC_OK = 1 ]; then
	check "create topics on $LOC (through the internal listener kafka1:19092)" create_topics "$LOC" kafka1:19092 c d || LOC_OK=0
fi

# --- running one cell ---------------------------------------------------------------------------
# wrapper MODE: sets W, the command prefix that makes a client reach the cluster the MODE's way.
# shim: on the host through kshim run (shim-debug: with its KSHIM_DEBUG log, for Java); host: on
# the host, nothing added; netns:CLUSTER: in the sidecar's network namespace. JVM/Node option
# variables are dropped so that every client runs on its defaults.
wrapper() {
	W=(env -u JAVA_TOOL_OPTIONS -u _JAVA_OPTIONS -u JDK_JAVA_OPTIONS -u NODE_OPTIONS
		-u LD_PRELOAD -u KSHIM_TABLE -u KSHIM_DEBUG)
	case $1 in
	shim) W+=("$KSHIM" run --name "${SHIM_CLUSTER:-$INT}" --) ;;
	shim-debug) W+=("$KSHIM" run --name "$INT" --debug --) ;;
	seccomp) W+=("$KSHIM" run --name "$INT" --via seccomp --debug --) ;;
	host) ;;
	netns:*) W+=("$M/in-netns.sh" "${1#netns:}-side" --) ;;
	esac
}

# roundtrip CLIENT MODE BOOTSTRAP TOPIC LIMIT NET: the client's stdout (PRODUCED / M lines / DONE)
# on stdout, its stderr on stderr; returns its exit status.
roundtrip() {
	local c=$1 mode=$2 boot=$3 t=$4 lim=$5 net=$6 rc
	local in=$MOUT/input.txt ctr=(docker run --rm -i --label "$LABEL" --network "$net-net") W
	wrapper "$mode"
	case $c in
	kcat | kcat-seccomp | kcat-ctr | console-ctr)
		# -m: kcat's metadata wait, 5 s by default, is too short for a TLS and SASL first
		# connect on a loaded machine; half the cell's limit bounds it instead
		local pre=("${W[@]}" kcat ${MATRIX_CLIENT_CONFIG:+-F "$MATRIX_CLIENT_CONFIG"} -m $((lim / 2))) name=kmx-$RUN-$c-$t
		[ "$c" = kcat-ctr ] && pre=("${ctr[@]}" --name "$name-p" --entrypoint kcat "$IMAGE")
		if [ "$c" = console-ctr ]; then
			timeout -k 5 $((lim + 15)) "${ctr[@]}" --name "$name-p" --entrypoint /opt/kafka/bin/kafka-console-producer.sh \
				"$IMAGE" --bootstrap-server "$boot" --topic "$t" --property parse.key=true \
				--property key.separator=: --producer-property acks=all --timeout 5 \
				--producer-property delivery.timeout.ms=$((lim * 500)) \
				--producer-property request.timeout.ms=$((lim * 500 - 1000)) \
				--producer-property max.block.ms=$((lim * 500)) <"$in" 2>"$MOUT/$t.perr"
		else
			timeout -k 5 $((lim + 15)) "${pre[@]}" -P -b "$boot" -t "$t" -K : -X acks=all \
				-X message.timeout.ms=$((lim * 500)) <"$in" 2>"$MOUT/$t.perr"
		fi
		rc=$?
		docker rm -f "$name-p" >/dev/null 2>&1
		cat "$MOUT/$t.perr" >&2
		local failed
		failed=$(grep -ciE 'delivery failed|failed to produce|error when sending|timed out' "$MOUT/$t.perr")
		[ "$rc" = 0 ] && [ "$failed" = 0 ] && echo "PRODUCED $N" || echo "PRODUCED 0"
		[ "$rc" = 0 ] && [ "$failed" = 0 ] || return "$rc"
		if [ "$c" = console-ctr ]; then
			timeout -k 5 $((lim + 15)) "${ctr[@]}" --name "$name-c" --entrypoint /opt/kafka/bin/kafka-console-consumer.sh \
				"$IMAGE" --bootstrap-server "$boot" --topic "$t" --from-beginning --timeout-ms 6000 \
				--group "kmx-$RUN-console" --property print.partition=true --property print.offset=true \
				--property print.key=true </dev/null |
				sed -nE 's/^Partition:([0-9]+)\tOffset:([0-9]+)\t/M\t\1\t\2\t/p'
			rc=${PIPESTATUS[0]}
		else
			[ "$c" = kcat-ctr ] && pre=("${ctr[@]}" --name "$name-c" --entrypoint kcat "$IMAGE")
			timeout -k 5 $((lim + 15)) "${pre[@]}" -C -b "$boot" -t "$t" -o beginning -e -q \
				-f 'M\t%p\t%o\t%k\t%s\n' </dev/null
			rc=$?
		fi
		docker rm -f "$name-c" >/dev/null 2>&1
		# console consumer: exits 0 after --timeout-ms without new records (it says so on stderr)
		[ "$rc" = 0 ] && echo DONE
		return "$rc"
		;;
	confluent) timeout -k 5 $((lim + 15)) "${W[@]}" $PY "$M/confluent_client.py" "$boot" "$t" "$N" "$RUN" "$lim" ;;
	kafka-python) timeout -k 5 $((lim + 15)) "${W[@]}" $PY "$M/kafka_python_client.py" "$boot" "$t" "$N" "$RUN" "$lim" ;;
	java) timeout -k 5 $((lim + 15)) "${W[@]}" java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
		-cp "$MOUT/java:$MATRIX_JAVA_CP" MatrixClient "$boot" "$t" "$N" "$RUN" "$lim" ;;
	java-ctr)
		timeout -k 5 $((lim + 15)) "${ctr[@]}" --name "kmx-$RUN-$c-$t" -v "$MOUT/java:/m:ro" -e CLASSPATH=/m \
			--entrypoint /opt/kafka/bin/kafka-run-class.sh "$IMAGE" MatrixClient "$boot" "$t" "$N" "$RUN" "$lim" </dev/null
		rc=$?
		docker rm -f "kmx-$RUN-$c-$t" >/dev/null 2>&1
		return "$rc"
		;;
	kafkajs) timeout -k 5 $((lim + 15)) "${W[@]}" env NODE_PATH="$MATRIX_NODE_PATH" KAFKAJS_NO_PARTITIONER_WARNING=1 \
		node "$M/kafkajs_client.js" "$boot" "$t" "$N" "$RUN" "$lim" ;;
	my-client) timeout -k 5 $((lim + 15)) "${W[@]}" "$MOUT/my_client" "$boot" "$t" "$N" "$RUN" "$lim" ;;
	franz-go) timeout -k 5 $((lim + 15)) "${W[@]}" "$MOUT/goclient" roundtrip "$boot" "$t" "$N" "$RUN" "$lim" ;;
	kafka-go) timeout -k 5 $((lim + 15)) "${W[@]}" "$MOUT/kafkago_client" "$boot" "$t" "$N" "$RUN" "$lim" ;;
	my-client-static) timeout -k 5 $((lim + 15)) "${W[@]}" "$MOUT/my_client_static" "$boot" "$t" "$N" "$RUN" "$lim" ;;
	rust-client) timeout -k 5 $((lim + 15)) "${W[@]}" "$MOUT/rust_client" "$boot" "$t" "$N" "$RUN" "$lim" ;;
	esac
}

# why ERRFILE RC: a short reason for a failed cell, from the client's own messages.
why() {
	local err=$1 rc=$2 p r="" alt
	alt=$(echo ${LOC_PORTS:-0} | tr ' ' '|')
	p=$(grep -oE "(localhost|127\.0\.0\.1)[:/](127\.0\.0\.1:)?($alt)([^0-9]|\$)" "$err" | head -1 |
		grep -oE "($alt)([^0-9]|\$)" | tr -dc 0-9)
	if [ -n "$p" ]; then
		r="localhost:$p unreachable"
		grep -qiE 'refused|error 111' "$err" && r="localhost:$p refused"
	fi
	case $rc in 124 | 137) r="timeout${r:+: $r}" ;; 0) ;; *) r="exit $rc${r:+: $r}" ;; esac
	[ -n "$r" ] || r=$(grep -m1 -iE 'error|fail|exception' "$err" | cut -c1-60)
	echo "${r:-no output}"
}

# cell_run CLIENT COL MODE BOOTSTRAP NET EXPECT(pass|fail): runs the cell's client; its output,
# its messages and "status seconds" go to $MOUT/COL-CLIENT.out, .err and .rc.
cell_run() {
	local c=$1 col=$2 lim=$SECS s rc
	[ "$6" = fail ] && lim=$FAIL_SECS
	s=$EPOCHREALTIME
	roundtrip "$c" "$3" "$4" "$(topic "$col" "$c")" "$lim" "$5" >"$MOUT/$col-$c.out" 2>"$MOUT/$col-$c.err"
	rc=$?
	echo "$rc $(el "$s")" >"$MOUT/$col-$c.rc"
}

# cell_passed CLIENT COL: whether what cell_run left is N records produced and read back exactly.
cell_passed() {
	local rc produced got dups bad disorder fin
	read -r rc _ <"$MOUT/$2-$1.rc"
	read -r produced got dups bad disorder fin < <(roundtrip_counts "$MOUT/$2-$1.out" "$RUN")
	[ "$rc" = 0 ] && [ "$fin" = 1 ] && [ "$produced" = "$N" ] && [ "$got" = "$N" ] && [ "$dups$bad$disorder" = 000 ]
}

# cell_judge CLIENT COL EXPECT: the cell's result from what cell_run left: CELL, SECS_OF, a check.
cell_judge() {
	local c=$1 col=$2 expect=$3 rc res
	read -r rc SECS_OF[$c.$col] <"$MOUT/$col-$c.rc"
	local produced got dups bad disorder fin
	read -r produced got dups bad disorder fin < <(roundtrip_counts "$MOUT/$col-$c.out" "$RUN")
	local desc="($col) ${LABEL_OF[$c]}${AGAIN_WHY[$c.$col]:+, on its second run}"
	if cell_passed "$c" "$col"; then
		CELL[$c.$col]="$got/$N ✓ ${SECS_OF[$c.$col]} s${AGAIN_WHY[$c.$col]:+ (2nd run)}"
		if [ "$expect" = pass ]; then ok "$desc: $got/$N, no duplicates, in order (${SECS_OF[$c.$col]} s)"; else
			notok "$desc: expected to fail, but read $got/$N"; fi
		return
	fi
	res="✗ $got/$N"
	[ "$produced" = "$N" ] || res="✗ produced $produced/$N"
	[ "$dups" = 0 ] || res="$res, $dups dup"
	[ "$bad" = 0 ] || res="$res, $bad bad key/value"
	[ "$disorder" = 0 ] || res="$res, $disorder out of order"
	CELL[$c.$col]="$res ($(why "$MOUT/$col-$c.err" "$rc")) ${SECS_OF[$c.$col]} s"
	if [ "$expect" = fail ]; then
		case ${CELL[$c.$col]} in
		*"localhost:"[0-9]*) ok "$desc: fails as expected: ${CELL[$c.$col]}" ;;
		*) notok "$desc: fails, but its messages do not show it was sent to localhost:<hostport>: ${CELL[$c.$col]}"
			sed -n '1,15s/^/    # stderr: /p' "$MOUT/$col-$c.err" ;;
		esac
	else
		notok "$desc: ${CELL[$c.$col]}"
		sed -n '1,15s/^/    # stderr: /p' "$MOUT/$col-$c.err"
	fi
}

# cell CLIENT COL MODE BOOTSTRAP NET EXPECT(pass|fail). A cell that must pass and fails runs once
# more on a new topic: on two cores, three clusters' brokers can starve one another of CPU until a
# broker's metadata lags for longer than a cell's limit. The first run's failure stays in the
# output and the report; a client that fails twice fails the cell.
declare -A AGAIN_WHY
cell() {
	cell_run "$@"
	[ "$6" = pass ] && ! cell_passed "$1" "$2" || { cell_judge "$1" "$2" "$6"; return; }
	local rc boot=kafka1:19092
	read -r rc _ <"$MOUT/$2-$1.rc"
	AGAIN_WHY[$1.$2]=$(why "$MOUT/$2-$1.err" "$rc")
	echo "# ($2) ${LABEL_OF[$1]} failed ($(roundtrip_counts "$MOUT/$2-$1.out" "$RUN" | cut -d' ' -f1-2 | tr ' ' /) produced/read, ${AGAIN_WHY[$1.$2]}); once more on a new topic"
	sed -n '1,5s/^/#   first run: /p' "$MOUT/$2-$1.err"
	mv "$MOUT/$2-$1.err" "$MOUT/$2-$1.first.err"
	[ "$5" = "$INT" ] && boot=kafka1:9092
	AGAIN=-again create_topic_list "$5" "$boot" "$(AGAIN=-again topic "$2" "$1")"
	AGAIN=-again cell_run "$@"
	cell_judge "$1" "$2" "$6"
}

# cells_at_once COL MODE BOOTSTRAP NET EXPECT CLIENT...: the column's cells side by side (its
# clients wait on the network, not on the CPU), judged in order.
cells_at_once() {
	local col=$1 mode=$2 boot=$3 net=$4 expect=$5 c pids=()
	shift 5
	for c; do
		cell_run "$c" "$col" "$mode" "$boot" "$net" "$expect" &
		pids+=($!)
	done
	wait "${pids[@]}"
	for c; do cell_judge "$c" "$col" "$expect"; done
}

# 1000 lines "k<i>:<run>:<i>" for kcat and the console producer.
awk -v n="$N" -v run="$RUN" 'BEGIN { for (i = 0; i < n; i++) printf "k%d:%s:%d\n", i, run, i }' >"$MOUT/input.txt"
declare -A COL_T

# --- (a) and (b): the internal cluster -----------------------------------------------------------
if [ $INT_OK = 1 ]; then
	out=$(timeout 15 env -u LD_PRELOAD kcat -b kafka1:9092 -L -m 3 2>&1)
	check "without the shim, host kcat cannot use bootstrap kafka1:9092" test $? != 0
	s=$EPOCHREALTIME
	for c in "${CLIENTS[@]}" "${SUP_CLIENTS[@]}"; do
		case $c in
		java | franz-go | kafka-go | my-client-static | rust-client) mode=shim-debug ;;
		kcat-seccomp) mode=seccomp ;;
		*) mode=shim ;;
		esac
		cell "$c" a "$mode" kafka1:9092 "$INT" pass
	done
	COL_T[a]=$(el "$s")
	# kshim run chose the mechanism itself (no --via), except for the forced kcat row.
	for c in franz-go:"seccomp (Go program)" kafka-go:"seccomp (Go program)" \
		my-client-static:"seccomp (statically linked)" rust-client:"preload (dynamically linked)" \
		kcat-seccomp:"seccomp (forced with --via)"; do
		runs "${c%%:*}" || continue
		expect_eq "(a) ${LABEL_OF[${c%%:*}]}: kshim run went via ${c#*:}" \
			"$(grep '^kshim: run: via' "$MOUT/a-${c%%:*}.err" | sort -u)" "kshim: run: via ${c#*:}"
	done
	# Java on defaults: the JVM connects AF_INET6 sockets to ::ffff:127.77.x.y and the shim rewrites
	# them keeping the family (its KSHIM_DEBUG log says "(v4-mapped)").
	runs java && n4=$(grep -c 'connect fd [0-9]*: 127\.77\.[0-9.]*:9092 -> 127\.0\.0\.1:[0-9]* (v4-mapped)' "$MOUT/a-java.err")
	runs java && check "(a) Java ran on default dual-stack sockets and succeeded through the shim: $n4 v4-mapped connects rewritten" \
		test "$n4" -gt 0 -a "${CELL[java.a]#*✓}" != "${CELL[java.a]}"
	s=$EPOCHREALTIME
	for c in "${CLIENTS[@]}" "${CTR_CLIENTS[@]}"; do cell "$c" b "netns:$INT" kafka1:9092 "$INT" pass; done
	COL_T[b]=$(el "$s")
	"$M/in-netns.sh" "$INT-side" -- getent hosts kafka1 >"$MOUT/b-resolve.txt" 2>&1
	expect_match "(b) in the sidecar's namespace kafka1 resolves to a container address" \
		'^[0-9.]+ +kafka1' "$(cat "$MOUT/b-resolve.txt")"
	docker rm -f "$INT-side" >/dev/null 2>&1
	check "kshim down --name $INT" down_cluster "$INT"
fi

# --- (c) and (d): the localhost cluster ----------------------------------------------------------
if [ $LOC_OK = 1 ]; then
	s=$EPOCHREALTIME
	for c in "${CLIENTS[@]}"; do cell "$c" c host "$LOC_BOOT" "$LOC" pass; done
	COL_T[c]=$(el "$s")
	s=$EPOCHREALTIME
	cells_at_once d "netns:$LOC" kafka1:9092 "$LOC" fail "${CLIENTS[@]}" "${CTR_CLIENTS[@]}"
	COL_T[d]=$(el "$s")
	docker rm -f "$LOC-side" >/dev/null 2>&1
	check "kshim down --name $LOC" down_cluster "$LOC"
fi

# --- (e), (f), (g): TLS and SASL_SSL clusters -----------------------------------------------
# conf_form CLIENT: which form of kshim config the client takes.
conf_form() {
	case $1 in
	java) echo java ;;
	kafka-python) echo python ;;
	kafkajs) echo node ;;
	*) echo librdkafka ;;
	esac
}
# sec_cell CLIENT COL MODE CLUSTER: a cell of (e)-(g), the client given the cluster's settings.
sec_cell() {
	SHIM_CLUSTER=$4 MATRIX_CLIENT_CONFIG=$MOUT/conf-$4.$(conf_form "$1") cell "$1" "$2" "$3" kafka1:9092 "$4" pass
}
write_confs() { # CLUSTER: kshim config in every form, private to this user
	local f
	for f in librdkafka java python node; do
		(umask 077 && "$KSHIM" config --name "$1" --client $f >"$MOUT/conf-$1.$f") || return 1
	done
}
if [ $fatal = 0 ] && [ ${#SEC_RUN[@]} != 0 ]; then
	wait "${up_pids[@]}"
	up_pids=()
	for p in "$TLS" "$SASL"; do
		if cluster_ok "$p"; then
			check "kshim up --name $p ($(head -1 "$MOUT/up-$p.out"), ${UP_SECS[$p]} s), kshim config in four forms" write_confs "$p" &&
				check "create topics on $p (through the internal listener kafka1:19092)" create_topics "$p" kafka1:19092 e f g
		else
			notok "kshim up --name $p failed: $(tail -3 "$MOUT/up-$p.err" 2>/dev/null | tr '\n' ' ')"
		fi
	done
	if cluster_ok "$TLS"; then
		s=$EPOCHREALTIME
		for c in "${SEC_RUN[@]}"; do sec_cell "$c" e shim "$TLS"; done
		COL_T[e]=$(el "$s")
		if check "sidecar container on $TLS-net" sidecar "$TLS"; then
			s=$EPOCHREALTIME
			for c in "${SEC_RUN[@]}"; do sec_cell "$c" g "netns:$TLS" "$TLS"; done
			COL_T[g]=$(el "$s")
		fi
		docker rm -f "$TLS-side" >/dev/null 2>&1
		out=$(timeout 20 kcat -F "$MOUT/conf-$TLS.librdkafka" -b "127.0.0.1:$(docker port "$TLS-kafka1" 9092 | sed -n 's/^127\.0\.0\.1://p')" -L -m 5 2>&1)
		expect_match "(e) without kshim, 127.0.0.1:<port> fails hostname verification" "certificate verify failed" "$out"
	fi
	if cluster_ok "$SASL"; then
		s=$EPOCHREALTIME
		for c in "${SEC_RUN[@]}"; do sec_cell "$c" f shim "$SASL"; done
		COL_T[f]=$(el "$s")
	fi
	for p in "$TLS" "$SASL"; do cluster_ok "$p" && check "kshim down --name $p" down_cluster "$p"; done
fi

# --- the table -------------------------------------------------------------------------------
{
	echo "# kshim client compatibility matrix"
	echo
	kver=$(docker image inspect -f '{{ index .Config.Labels "org.opencontainers.image.version" }}' "$IMAGE" 2>/dev/null)
	echo "Run $RUN, $(date -u +%FT%TZ), image $IMAGE (Kafka ${kver:-version unknown}), 3 brokers, $N keyed records per cell"
	echo "to a fresh topic (3 partitions, RF 3), read back from the beginning; ✓ = exactly $N distinct"
	echo "records, keys match values, per-partition order kept. Seconds = produce + consume, incl. client start."
	echo
	echo "| client | (a) internal, host, \`kshim run\`, kafka1:9092 | (b) internal, in network, kafka1:9092 | (c) localhost, host, no shim, localhost bootstrap | (d) localhost, in network, kafka1:9092 (expected ✗) | (e) TLS, internal, host, \`kshim run\` | (f) SASL_SSL (PLAIN), internal, host, \`kshim run\` | (g) TLS, in network |"
	echo "|---|---|---|---|---|---|---|---|"
	for c in "${CLIENTS[@]}" "${SUP_CLIENTS[@]}" "${CTR_CLIENTS[@]}"; do
		echo "| ${LABEL_OF[$c]} | ${CELL[$c.a]} | ${CELL[$c.b]} | ${CELL[$c.c]} | ${CELL[$c.d]} | ${CELL[$c.e]} | ${CELL[$c.f]} | ${CELL[$c.g]} |"
	done
	echo
	echo "(a): the Go and static rows run under kshim's seccomp supervisor (chosen by kshim run), the"
	echo "Rust row under the preloaded shim; the forced row runs kcat under the supervisor."
	echo "(b)/(d) host clients run in a sidecar container's network namespace with its resolv.conf/hosts"
	echo "(tests/matrix/in-netns.sh); the last three rows run from real containers (docker run --network)."
	echo
	echo "Figures: kshim up $INT ${UP_SECS[$INT]:-?} s and $LOC ${UP_SECS[$LOC]:-?} s (in parallel);"
	echo "columns (a) ${COL_T[a]:-?} s, (b) ${COL_T[b]:-?} s, (c) ${COL_T[c]:-?} s, (d) ${COL_T[d]:-?} s;"
	echo "(e)-(g): clients given \`kshim config\` in their own form, host name verification on (each"
	echo "client's default, or set by the config); kshim up $TLS ${UP_SECS[$TLS]:-?} s, $SASL ${UP_SECS[$SASL]:-?} s;"
	echo "columns (e) ${COL_T[e]:-?} s, (f) ${COL_T[f]:-?} s, (g) ${COL_T[g]:-?} s;"
	echo "whole suite $(el "$T0") s on $(nproc) cores."
} >"$REPORT"
cat "$REPORT"
finish
