#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kshim on Debian 13 (trixie), as a trixie user has it: a trixie tree made by
# scripts/debootstrap.sh with trixie's build dependencies and clients installed, used as a chroot
# that shares the host's network (so 127.0.0.1 is the host's, where Docker publishes the brokers'
# ports) and the host's Docker socket. A container made from the tree would have a loopback of its
# own and could not reach those ports. In the chroot:
#   - the tree's source (git archive HEAD) builds, and make check passes as a plain user;
#   - the trixie-built kshim brings up a 3-broker cluster (up), doctor passes on it, and through
#     kshim run four clients each write 1000 keyed records and read exactly them back, in order per
#     partition: kcat (librdkafka 2.8.0), confluent-kafka for Python, Java kafka-clients on OpenJDK
#     21 and the static franz-go client (under the seccomp supervisor); the matrix's client
#     programs and roundtrip_counts judge them;
#   - a --tls --sasl scram-sha-512 cluster takes kcat's and confluent-kafka's SCRAM-SHA-512 sign-in
#     (librdkafka 2.8.0; Debian 12's 2.0.2 is refused by Kafka 4);
#   - down removes both clusters.
# The prepared tree is cached as a tarball under /var/cache/kshim/trixie, keyed by the package list
# and scripts/debootstrap.sh; with it, a run costs no download.
# Environment: KSHIM_TEST_IMAGE (default kshim/kafka:local), KSHIM_CACHE (default /var/cache/kshim).
# needs: root docker network
. "$(dirname "$0")/lib.sh"

IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
N=1000
CL=trx$$
SC=trx$$-scram
RUN=trx$(date +%s)$$
# What make check and the clients need, by trixie's package names (scripts/deps.sh's list for the
# build, the linters and the local suites, with trixie's OpenJDK 21 and clang 19).
PKGS="build-essential,pkg-config,libcurl4-openssl-dev,libcjson-dev,librdkafka-dev,libc-ares-dev,libssl-dev"
PKGS+=",libyaml-dev,kcat,python3,python3-confluent-kafka,clang,llvm,lld,libclang-rt-19-dev"
PKGS+=",valgrind,strace,curl,iproute2,openjdk-21-jdk-headless,util-linux,man-db,musl-tools,golang-go"
PKGS+=",openssl,ca-certificates,file,procps,nodejs,clang-format,shellcheck"
T0=$EPOCHREALTIME
el() { awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $1}"; }

ROOT=
cleanup() {
	trap '' INT TERM
	if [ -n "$ROOT" ]; then
		for c in "$CL" "$SC"; do in_tree "$KS" down --name "$c" >/dev/null 2>&1; done
		umount_tree "$ROOT"
		# never into the host's /dev or /sys: only once nothing is mounted in the tree
		if grep -q " $ROOT/" /proc/mounts; then echo "# left $ROOT: still mounted"; else rm -rf --one-file-system "$ROOT"; fi
	fi
	for c in "$CL" "$SC"; do # should down itself fail, never leave a cluster running
		docker ps -aq --filter "label=io.kshim.cluster=$c" | xargs -r docker rm -f >/dev/null 2>&1
		docker network rm "$c-net" >/dev/null 2>&1
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# mount_tree DIR: the kernel's file systems and the host's Docker socket in the tree.
mount_tree() {
	mount -t proc proc "$1/proc" &&
		mount --rbind /dev "$1/dev" && mount --make-rslave "$1/dev" &&
		mount --rbind /sys "$1/sys" && mount --make-rslave "$1/sys" &&
		touch "$1/run/docker.sock" && mount --bind /var/run/docker.sock "$1/run/docker.sock"
}
umount_tree() {
	local m
	for m in run/docker.sock sys dev proc; do umount -R "$1/$m" 2>/dev/null; done
}
# enter [--userspec=U:G] / CMD...: CMD in the tree at $ROOT (tests/helpers/in_root.sh: make
# check's unshare tests need user namespaces, which a plain chroot does not get). LIMIT: seconds.
enter() { ${LIMIT:+timeout -k 5 "$LIMIT"} "$TOP/tests/helpers/in_root.sh" "$ROOT" "$@"; }
# in_tree CMD...: CMD as root in the tree, with a clean environment.
in_tree() { enter / "${ENV[@]}" "$@"; }
ENV=(env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 KSHIM_HOME=/root/kshim)
# as_user CMD: the shell command CMD as the tree's plain user kshim, in its home.
as_user() {
	enter --userspec=kshim:kshim / env -i HOME=/home/kshim PATH=/usr/bin:/bin LANG=C.UTF-8 bash -c "cd && $1"
}

# --- the tree, with the source in the user's home ---------------------------------------------------
ROOT=$(mktemp -d /var/tmp/kshim-trixie.XXXXXX)
W=$ROOT/opt/trx # what the clients read, and what the suite keeps of their runs
KS=/home/kshim/src/build/kshim
t=$EPOCHREALTIME
if ! bash "$TOP/scripts/debootstrap.sh" trixie "$ROOT" "$PKGS" >"$OUT/trixie-tree.log" 2>&1; then
	notok "scripts/debootstrap.sh trixie (with the build dependencies and clients)"
	tail -n 20 "$OUT/trixie-tree.log" | sed 's/^/    # /'
	finish
fi
ok "scripts/debootstrap.sh trixie, with the build dependencies and clients ($(el "$t") s)"
# prepare: the mounts, a plain user and the source (git archive HEAD) in its home.
prepare() {
	mount_tree "$ROOT" && mkdir -p "$W" && in_tree useradd -m -s /bin/bash kshim &&
		git -C "$TOP" archive --prefix=src/ HEAD | tar -x -C "$ROOT/home/kshim" && in_tree chown -R kshim: /home/kshim/src
}
check "/proc /dev /sys and the Docker socket mounted, the user kshim, the source in its home" prepare
expect_match "the tree is Debian 13" '^13\.' "$(cat "$ROOT/etc/debian_version")"
expect_eq "its librdkafka is 2.8.0" "$(in_tree pkg-config --modversion rdkafka)" 2.8.0
check "make all, as the plain user kshim (gcc $(in_tree gcc -dumpfullversion))" as_user 'make -s -C src all >/dev/null' ||
	finish

# Both clusters come up side by side, after make check: beside it, on a loaded machine, they
# missed their time limit.
up_bg() { # NAME ARGS...: the tree's kshim up in the background; its status in $W/up-NAME.rc
	local c=$1
	shift
	(in_tree "$KS" up --name "$c" --image "$IMAGE" --timeout 300 "$@" >"$W/up-$c.out" 2>"$W/up-$c.err"
		echo $? >"$W/up-$c.rc") &
}
t=$EPOCHREALTIME
as_user 'make -C src check' >"$OUT/trixie-check.log" 2>&1
rc=$?
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$OUT/trixie-check.log" | tail -n 1)
echo "# make check on trixie: ${summary:-no summary} in $(el "$t") s (log: $OUT/trixie-check.log)"
grep -E '^not ok' "$OUT/trixie-check.log" | head -n 20 | sed 's/^/    # /'
expect_match "make check on trixie, as the user kshim: every check passed" '^[1-9][0-9]* passed, 0 failed$' "$summary"
expect_eq "  ... and make check exits 0" "$rc" 0

t=$EPOCHREALTIME
docker image inspect "$IMAGE" >/dev/null 2>&1 || notok "image $IMAGE present (make kafka-image)"
up_bg "$CL" -n 3
up_bg "$SC" -n 1 --tls --sasl scram-sha-512
wait
echo "# both clusters up in $(el "$t") s"
for c in "$CL" "$SC"; do
	expect_eq "kshim up --name $c (trixie's build): $(head -n 1 "$W/up-$c.out" 2>/dev/null)" \
		"$(cat "$W/up-$c.rc" 2>/dev/null)" 0 || sed 's/^/    # /' "$W/up-$c.err"
done
out=$(in_tree "$KS" doctor --name "$CL" 2>&1)
rc=$?
expect_eq "kshim doctor: every layer passes ($(printf '%s\n' "$out" | grep -c ' ok ') ok), exit 0" "$rc" 0 ||
	printf '%s\n' "$out" | sed 's/^/    # /'

# --- the four clients, through the tree's kshim run -------------------------------------------------
eval "$(bash "$TOP/scripts/matrix-deps.sh" --print-env)"
M=/home/kshim/src/tests/matrix
JCP="/opt/trx:/opt/trx/libs/*"
clients_in() {
	bash "$TOP/scripts/matrix-deps.sh" >/dev/null && mkdir -p "$W/libs" && cp ${MATRIX_JAVA_CP%/\*}/*.jar "$W/libs/" &&
		build_go "$TOP/tests/goclient" "$W/goclient" &&
		in_tree javac -nowarn -cp "$JCP" -d /opt/trx "$M/MatrixClient.java" &&
		awk -v n="$N" -v run="$RUN" 'BEGIN { for (i = 0; i < n; i++) printf "k%d:%s:%d\n", i, run, i }' >"$W/input.txt"
}
check "the clients: kafka-clients jars, javac (OpenJDK 21) MatrixClient.java, the static franz-go client" clients_in
expect_match "kcat is linked with librdkafka 2.8.0" 'librdkafka 2\.8\.0' "$(in_tree kcat -V 2>&1)"
expect_eq "confluent-kafka runs on librdkafka 2.8.0" \
	"$(in_tree python3 -c 'import confluent_kafka as c; print(c.libversion()[0])')" 2.8.0
expect_match "java is OpenJDK 21" '^openjdk version "21\.' "$(in_tree java -version 2>&1)"

topic() { echo "trx-$RUN-$1-$2"; }
# kshim_run CLUSTER CMD...: CMD through the tree's kshim run, at most 90 s.
kshim_run() { LIMIT=90 in_tree "$KS" run --name "$1" --debug -- "${@:2}"; }
# roundtrip CLIENT CLUSTER [CONF]: CLIENT's records through kshim run in the tree, in the matrix
# clients' form (PRODUCED n / M lines / DONE); CONF: kshim config's settings for it.
roundtrip() {
	local c=$1 cl=$2 t
	t=$(topic "$cl" "$c")
	case $c in
	kcat)
		kshim_run "$cl" kcat ${3:+-F "$3"} -m 30 -P -b kafka1:9092 -t "$t" -K : -X acks=all -X message.timeout.ms=60000 \
			<"$W/input.txt" || return
		echo "PRODUCED $N"
		kshim_run "$cl" kcat ${3:+-F "$3"} -m 30 -C -b kafka1:9092 -t "$t" -o beginning -e -q -f 'M\t%p\t%o\t%k\t%s\n' &&
			echo DONE
		;;
	confluent) kshim_run "$cl" env ${3:+MATRIX_CLIENT_CONFIG="$3"} python3 "$M/confluent_client.py" kafka1:9092 "$t" $N "$RUN" 60 ;;
	java) kshim_run "$cl" java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JCP" MatrixClient kafka1:9092 "$t" $N "$RUN" 60 ;;
	franz-go) kshim_run "$cl" /opt/trx/goclient roundtrip kafka1:9092 "$t" $N "$RUN" 60 ;;
	esac
}
# roundtrips CLUSTER CONF CLIENT...: the clients side by side, then each judged: exactly N records
# of this run, no duplicates, keys matching values, in produce order within each partition.
roundtrips() {
	local cl=$1 conf=$2 c s=$EPOCHREALTIME
	shift 2
	for c; do roundtrip "$c" "$cl" "$conf" >"$W/$cl-$c.out" 2>"$W/$cl-$c.err" & done
	wait
	for c; do
		expect_eq "$cl: $c: $N produced, $N distinct read back, 0 duplicates, 0 bad, 0 out of order, done" \
			"$(roundtrip_counts "$W/$cl-$c.out" "$RUN")" "$N $N 0 0 0 1" || tail -n 15 "$W/$cl-$c.err" | sed 's/^/    # /'
	done
	echo "# $cl: $* in $(el "$s") s"
}
create_topics() { # CLUSTER RF CONF CLIENT...: a topic of 3 partitions per client
	local cl=$1 rf=$2 conf=$3 c ts=()
	shift 3
	for c; do ts+=("$(topic "$cl" "$c")"); done
	kshim_run "$cl" env ${conf:+MATRIX_CLIENT_CONFIG="$conf"} java -cp "$JCP" MatrixClient create kafka1:9092 3 "$rf" 60 \
		"${ts[@]}" >"$W/create-$cl.log" 2>&1
}
check "Java creates the topics on $CL (3 partitions, RF 3)" create_topics "$CL" 3 "" kcat confluent java franz-go
roundtrips "$CL" "" kcat confluent java franz-go
expect_eq "franz-go (static Go): kshim run chose the seccomp supervisor" \
	"$(grep -h '^kshim: run: via' "$W/$CL-franz-go.err" | sort -u)" "kshim: run: via seccomp (Go program)"
expect_eq "kcat, Python and Java: kshim run chose the preloaded shim" \
	"$(cat "$W/$CL-"{kcat,confluent,java}.err | grep -h '^kshim: run: via' | sort -u)" "kshim: run: via preload (dynamically linked)"

# --- SCRAM-SHA-512 with librdkafka 2.8.0 --------------------------------------------------------------
(umask 077 && in_tree "$KS" config --name "$SC" --client librdkafka >"$W/scram.conf" &&
	in_tree "$KS" config --name "$SC" --client java >"$W/scram.properties")
expect_eq "kshim config of $SC: SASL_SSL, SCRAM-SHA-512" \
	"$(grep -E '^(security.protocol|sasl.mechanism)=' "$W/scram.conf" | sort | tr '\n' ' ')" \
	"sasl.mechanism=SCRAM-SHA-512 security.protocol=SASL_SSL "
check "Java (SCRAM-SHA-512) creates the topics on $SC" create_topics "$SC" 1 /opt/trx/scram.properties kcat confluent
roundtrips "$SC" /opt/trx/scram.conf kcat confluent

# --- down -------------------------------------------------------------------------------------------------
for c in "$CL" "$SC"; do
	check "kshim down --name $c" in_tree "$KS" down --name "$c"
	expect_eq "  ... no container of $c is left" "$(docker ps -aq --filter "label=io.kshim.cluster=$c" | wc -l)" 0
done
echo "# the suite took $(el "$T0") s"
finish
