#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make bench: measures the shim's cost and writes bench/report.md and bench/report.png.
# A benchmark, not a test: nothing in `make test` runs or depends on it.
#
# Every figure is a ratio against a baseline measured in the same run, reported as
# the median over repetitions with its min-max spread (the data section: the median
# of paired ratios with a 95% interval, beside an A/A control); variants are
# interleaved (A B A B ...) so that noise from the rest of the machine hits each
# side alike.
#   1. micro    hook cost: ns per call, and callgrind instructions per call
#   2. startup  `kshim up` wall time for -n 1, 3, 5, the brokers' CPU to ready (also of the image
#               before the faster start, BENCH_BEFORE) and the launcher's peak RSS
#   3. data     one 3-broker cluster with both client listeners (kshim up
#               --localhost-listener): internal names through the shim vs
#               localhost:<port> without it, in paired interleaved repetitions
#               with an A/A control (localhost vs localhost)
#   3b. tls     the same throughput pairs with TLS on both client listeners (kshim up
#               --tls --tls-san localhost --localhost-listener), kperf -F with the
#               settings of `kshim config`
#   4. memory   resident memory the shim adds to a small C client
#   5. seccomp  the supervisor (kshim run --via seccomp): mapped, trapped and untrapped
#               system calls of a static program; franz-go's throughput through it vs
#               inside the cluster network
#   6. instr    instructions (callgrind), which the machine's load does not change: the
#               client's per message through `kshim run` vs localhost on the same brokers,
#               in pairs with an A/A control, and a whole program start (`kshim run -- true`
#               vs `true` and the shim preloaded alone), with its CPU time
#   7. kube     the Kubernetes hop (kshim attach --kubernetes): kcat in a pod beside the brokers
#               vs on the host through kshim's forwarder vs kubectl port-forward + /etc/hosts (what
#               kubefwd does), throughput pairs with an A/A control, the hop's CPU, and the
#               client's instructions per message (callgrind)
#
# Environment:
#   BENCH_QUICK=1       smoke pass: fewer repetitions and messages (a minute or three)
#   BENCH_SECTIONS=...  subset of "micro startup data tls memory seccomp instr kube" (default: all)
#   BENCH_IMAGE=REF     broker image (default kshim/kafka:local, see `make kafka-image`)
#   BENCH_BEFORE=COMMIT the startup section's "before" image: scripts/kafka-image.sh of that commit,
#                       built as kshim/kafka:before-COMMIT (e.g. 5fb2872, Kafka 4.1.1 with G1,
#                       two JVMs and no class-data archive); default none: the image under test alone
#   BENCH_SC_DATA=0     the seccomp section without its franz-go data path (system calls only)
#   BENCH_START_NODES=".." the cluster sizes of the startup section (default "1 3 5", quick "1 3")
#   BENCH_LAT_RATE=N    messages per second of the latency runs (default 2000)
#   BENCH_DATA_PAIRS=N  repetitions of the data section (default 15, quick 6: the fewest
#                       that give a 95% interval for a median); the report says how many
#                       would decide an undecided verdict
#   BENCH_TLS_PAIRS=N   repetitions of the tls section (default 12, quick 6)
#   BENCH_INSTR_PAIRS=N repetitions of the instr section (default 12, quick 6)
#   BENCH_KUBE_PAIRS=N  repetitions of the kube section (default 10, quick 6)
#   BENCH_REPORT=1      copy the report to bench/report.md and bench/report.png (the default
#                       only for a full run of every section; otherwise it stays in bench/out)
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP"
OUT=$TOP/bench/out
BUILD=$OUT/build
QUICK=${BENCH_QUICK:-0}
SECTIONS=${BENCH_SECTIONS:-micro startup data tls memory seccomp instr kube}
IMAGE=${BENCH_IMAGE:-kshim/kafka:local}
BEFORE=${BENCH_BEFORE:-none}
BEFORE_IMAGE=
[ "$BEFORE" = none ] || BEFORE_IMAGE=kshim/kafka:before-$BEFORE
RESULTS=$OUT/results.tsv
META=$OUT/meta.txt

if [ "$QUICK" = 1 ]; then
	MICRO_REPS=3 MICRO_TARGET_NS=50000000 CG_REPS=1
	DATA_REPS=6 DATA_MSGS=50000 LAT_SECS=2 LAT_WARMUP=1
	TLS_REPS=6 TLS_MSGS=50000
	START_REPS=1 START_NODES="1 3" BEFORE_NODES="1"
	MEM_REPS=3
	SC_REPS=1 SC_MSGS=50000 SC_MICRO_REPS=3
	INSTR_REPS=6 INSTR_MSGS=10000 START_RUNS=100
	KUBE_REPS=6 KUBE_MSGS=100000 KUBE_IR_REPS=2
else
	MICRO_REPS=11 MICRO_TARGET_NS=200000000 CG_REPS=5
	DATA_REPS=15 DATA_MSGS=400000 LAT_SECS=4 LAT_WARMUP=1
	TLS_REPS=12 TLS_MSGS=1000000
	START_REPS=3 START_NODES="1 3 5" BEFORE_NODES="1 3"
	MEM_REPS=5
	SC_REPS=12 SC_MSGS=1000000 SC_MICRO_REPS=21
	INSTR_REPS=12 INSTR_MSGS=40000 START_RUNS=400
	KUBE_REPS=10 KUBE_MSGS=500000 KUBE_IR_REPS=3
fi
START_NODES=${BENCH_START_NODES:-$START_NODES}
DATA_REPS=${BENCH_DATA_PAIRS:-$DATA_REPS}
TLS_REPS=${BENCH_TLS_PAIRS:-$TLS_REPS}
INSTR_REPS=${BENCH_INSTR_PAIRS:-$INSTR_REPS}
KUBE_REPS=${BENCH_KUBE_PAIRS:-$KUBE_REPS}
MSG_SIZE=100 LAT_RATE=${BENCH_LAT_RATE:-2000}
CG_CALLS=(100 1100) # two iteration counts; their difference cancels start-up

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
# record SECTION METRIC VARIANT REP VALUE
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }
want() { [[ " $SECTIONS " == *" $1 "* ]]; }

# ---------------------------------------------------------------- setup, teardown
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/kbench.XXXXXX)
export KSHIM_HOME=$WORK/home
mkdir -m 700 "$KSHIM_HOME"
TAG=kbench-$$
CLUSTERS=()
SIDECARS=()
KUBE_PF=() KUBE_UP=0 # section 7's kubectl port-forward pids; its namespace exists
LISTENER=

cleanup() {
	local rc=$? c
	trap - EXIT INT TERM
	[ -z "$LISTENER" ] || { kill "$LISTENER" 2>/dev/null; wait "$LISTENER" 2>/dev/null; } || true
	for c in "${SIDECARS[@]}"; do
		docker rm -f "$c" >/dev/null 2>&1 || log "warning: docker rm -f $c failed"
	done
	[ "$KUBE_UP" = 0 ] || kube_teardown
	for c in "${CLUSTERS[@]}"; do
		"$BUILD/kshim" down --name "$c" >/dev/null 2>&1 || log "warning: kshim down --name $c failed"
	done
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building into $BUILD"
# A private build directory: other people's `make` in build/ cannot race with ours.
make -s BUILD="$BUILD" all "$BUILD/bench/hooks" "$BUILD/bench/kperf"
KSHIM=$BUILD/kshim SHIM=$BUILD/libkshim.so HOOKS=$BUILD/bench/hooks KPERF=$BUILD/bench/kperf
if want seccomp; then
	# hooks.c's gai and mem modes make static glibc warn at link time; the seccomp
	# section uses neither.
	make -s BUILD="$BUILD" "$BUILD/bench/hooks-static" 2>"$OUT/static.log" ||
		{ cat "$OUT/static.log" >&2; die "static build of bench/hooks.c failed"; }
	(cd bench/goperf && CGO_ENABLED=0 go build -o "$OUT/goperf" .) || die "go build in bench/goperf failed"
fi
HOOKS_STATIC=$BUILD/bench/hooks-static GOPERF=$OUT/goperf

: >"$RESULTS"
{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	# The command as run: the BENCH_ settings that change what is measured, then make bench.
	echo "command=$(for v in BENCH_QUICK BENCH_DATA_PAIRS BENCH_TLS_PAIRS BENCH_INSTR_PAIRS BENCH_KUBE_PAIRS BENCH_START_NODES BENCH_SC_DATA BENCH_BEFORE BENCH_IMAGE BENCH_LAT_RATE; do
		case ${!v:-} in '') ;; *' '*) printf '%s="%s" ' "$v" "${!v}" ;; *) printf '%s=%s ' "$v" "${!v}" ;; esac
	done)make bench$([ -n "${BENCH_SECTIONS:-}" ] && echo " (BENCH_SECTIONS=\"$SECTIONS\")")"
	echo "quick=$QUICK"
	echo "commit=$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- shim common launcher include 2>/dev/null || echo ' + uncommitted changes in shim/common/launcher/include')"
	echo "nproc=$(nproc)"
	echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "kernel=$(uname -r)"
	echo "glibc=$(getconf GNU_LIBC_VERSION)"
	echo "librdkafka=$(dpkg-query -W -f='${Version}' librdkafka1 2>/dev/null)"
	echo "image=$IMAGE"
	echo "before_image=$BEFORE_IMAGE"
	echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "other_containers=$(docker ps -q 2>/dev/null | wc -l)"
	free -m | sed 's/^/free=/'
	for v in MICRO_REPS CG_REPS DATA_REPS DATA_MSGS TLS_REPS TLS_MSGS MSG_SIZE LAT_RATE LAT_SECS LAT_WARMUP \
		START_REPS START_NODES BEFORE_NODES MEM_REPS SC_REPS SC_MSGS SC_MICRO_REPS INSTR_REPS INSTR_MSGS START_RUNS \
		KUBE_REPS KUBE_MSGS KUBE_IR_REPS; do
		echo "${v,,}=${!v}"
	done
	echo "cg_calls=${CG_CALLS[0]} and ${CG_CALLS[1]} iterations"
} >"$META"

if want startup || want data || want tls || want seccomp || want instr; then
	docker image inspect "$IMAGE" >/dev/null 2>&1 || die "image $IMAGE not found: run 'make kafka-image'"
fi
if want startup && [ -n "$BEFORE_IMAGE" ]; then
	# The image as it was at commit $BEFORE, from that commit's own build script (cached like any).
	log "startup: the before image $BEFORE_IMAGE (scripts/ of $BEFORE)"
	mkdir "$WORK/before"
	git archive "$BEFORE" scripts | tar -x -C "$WORK/before" || die "git archive $BEFORE failed"
	KSHIM_KAFKA_IMAGE=$BEFORE_IMAGE bash "$WORK/before/scripts/kafka-image.sh" ||
		die "building $BEFORE_IMAGE failed"
fi

# ---------------------------------------------------------------- 1. micro
# A loopback listener stands in for a Docker-published port; a table maps
# kafka1..3 to 127.77.0.1..3, port 9092 to it; a hosts file maps the same names.
start_listener() {
	"$HOOKS" listen >"$WORK/listen.port" &
	LISTENER=$!
	for _ in $(seq 50); do [ -s "$WORK/listen.port" ] && break; sleep 0.1; done
	LPORT=$(cat "$WORK/listen.port")
	[ -n "$LPORT" ] || die "listener did not start"
	TABLE=$WORK/micro.table
	{
		echo "kshim-table 1"
		for i in 1 2 3; do echo "kafka$i 127.77.0.$i 9092=127.0.0.1:$LPORT"; done
	} >"$TABLE"
	chmod 600 "$TABLE"
	# The machine's own hosts file plus the brokers, as a user would add them.
	HOSTS=$WORK/hosts
	{ cat /etc/hosts; for i in 1 2 3; do echo "127.77.0.$i kafka$i"; done; } >"$HOSTS"
}

# Variants: id, then the command minus its iteration count. "shim" runs under
# LD_PRELOAD with the table; "sup" under the seccomp supervisor (kshim run --via
# seccomp) with the table; "hosts" in a private mount namespace whose
# /etc/hosts is $HOSTS; "plain" as is.
declare -A VCMD VENV VGROUP VBIN
VARIANTS=()
variant() { # ID ENV GROUP ARGS...
	local id=$1 env=$2 group=$3; shift 3
	VARIANTS+=("$id"); VENV[$id]=$env; VGROUP[$id]=$group; VCMD[$id]="$*"
}
define_variants() {
	local p
	for p in rdkafka java node; do
		variant "gai.$p.mapped" shim "gai.$p.mapped" gai kafka1 "$p"
		variant "gai.$p.hosts" hosts "gai.$p.hosts" gai kafka1 "$p"
		variant "gai.$p.numeric" plain "gai.$p.numeric" gai 127.77.0.1 "$p-numeric"
	done
	for p in rdkafka java node; do
		variant "pass.gai-localhost.$p.shim" shim "pass.gai-localhost.$p" gai localhost "$p"
		variant "pass.gai-localhost.$p.plain" plain "pass.gai-localhost.$p" gai localhost "$p"
		variant "pass.gai-numeric.$p.shim" shim "pass.gai-numeric.$p" gai 127.0.0.1 "$p"
		variant "pass.gai-numeric.$p.plain" plain "pass.gai-numeric.$p" gai 127.0.0.1 "$p"
	done
	variant connect.rewritten shim connect connect 127.77.0.1 9092
	variant connect.direct plain connect connect 127.0.0.1 "$LPORT"
	variant pass.connect.shim shim connect connect 127.0.0.1 "$LPORT"
	variant pass.connect.plain plain connect connect 127.0.0.1 "$LPORT"
}

# run_variant ID N [WRAPPER...]: prints the program's output (wall and CPU ns per call)
run_variant() {
	local id=$1 n=$2; shift 2
	# shellcheck disable=SC2086
	set -- "$@" "${VBIN[$id]:-$HOOKS}" ${VCMD[$id]} "$n"
	case ${VENV[$id]} in
	shim) env LD_PRELOAD="$SHIM" KSHIM_TABLE="$TABLE" "$@" ;;
	sup) "$KSHIM" run --via seccomp --table "$TABLE" -- "$@" ;;
	hosts) unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$HOSTS" "$@" ;;
	plain) "$@" ;;
	esac
}

# Total instructions of one callgrind run.
callgrind_ir() {
	local id=$1 n=$2 f=$WORK/cg.out
	rm -f "$f"
	run_variant "$id" "$n" valgrind --tool=callgrind --callgrind-out-file="$f" >/dev/null 2>"$WORK/cg.err" ||
		{ cat "$WORK/cg.err" >&2; die "callgrind $id failed"; }
	awk '/^totals:/ { print $2 }' "$f"
}

# time_variants SECTION REPS: times every variant in VARIANTS, REPS interleaved
# repetitions. One iteration count per group (a pair compared with each other
# uses the same), sized for about MICRO_TARGET_NS per run.
time_variants() {
	local sec=$1 reps=$2 id rep ns cpu g
	declare -A N
	log "$sec: calibrating ${#VARIANTS[@]} variants"
	for id in "${VARIANTS[@]}"; do
		g=${VGROUP[$id]}
		[ -z "${N[$g]:-}" ] || continue
		read -r ns _ < <(run_variant "$id" 2000) && [ -n "$ns" ] || die "$sec: $id failed"
		N[$g]=$(awk -v t="$MICRO_TARGET_NS" -v ns="$ns" 'BEGIN {
			n = int(t / ns); if (n < 2000) n = 2000; if (n > 2000000) n = 2000000; print n }')
	done
	for rep in $(seq "$reps"); do
		log "$sec: timing, repetition $rep/$reps"
		record "$sec" load1 all "$rep" "$(cut -d' ' -f1 /proc/loadavg)"
		for id in "${VARIANTS[@]}"; do
			read -r ns cpu < <(run_variant "$id" "${N[${VGROUP[$id]}]}") && [ -n "$cpu" ] ||
				die "$sec: $id failed"
			record "$sec" ns "$id" "$rep" "$ns"
			record "$sec" cpu "$id" "$rep" "$cpu"
		done
	done
}

section_micro() {
	local id rep ir1 ir2 calls
	start_listener
	define_variants
	time_variants micro "$MICRO_REPS"
	# Instructions per call: (Ir(n2) - Ir(n1)) / (calls(n2) - calls(n1)), where a run
	# of n makes n + n/10 + 1 calls (hooks.c warms up with n/10 + 1).
	calls() { echo $(($1 + $1 / 10 + 1)); }
	for rep in $(seq "$CG_REPS"); do
		log "micro: callgrind, repetition $rep/$CG_REPS"
		for id in "${VARIANTS[@]}"; do
			ir1=$(callgrind_ir "$id" "${CG_CALLS[0]}")
			ir2=$(callgrind_ir "$id" "${CG_CALLS[1]}")
			calls=$(($(calls "${CG_CALLS[1]}") - $(calls "${CG_CALLS[0]}")))
			record micro ir "$id" "$rep" "$(awk -v a="$ir1" -v b="$ir2" -v c="$calls" 'BEGIN { printf "%.1f", (b - a) / c }')"
		done
	done
}

# ---------------------------------------------------------------- 2. startup
# Each `kshim up -n N` is timed to its return (it returns once every broker lists
# the whole cluster) under /usr/bin/time, which also gives the launcher's peak RSS.
# It runs on a pseudo-terminal so that it prints its progress lines, which mark
# the phases (create, start, wait for ready). At its return the CPU time the
# brokers' containers have used is read from their cgroups, and the machine's
# busy share over the run from /proc/stat. The order of N rotates between repetitions.
cpu_busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }

# startup_up VARIANT IMAGE N: one timed `kshim up`, its figures recorded under VARIANT.
startup_up() {
	local v=$1 image=$2 n=$3 name=$TAG-s$3 t0 busy0 all0 busy1 all1 wall rss cpu id ucpu scpu
	local created started line stamp
	CLUSTERS+=("$name")
	read -r busy0 all0 < <(cpu_busy_jiffies)
	t0=$EPOCHREALTIME created= started=
	while IFS= read -r line; do
		stamp=$EPOCHREALTIME line=${line%$'\r'}
		printf '%s %s\n' "$stamp" "$line" >>"$WORK/up.out"
		case $line in
		starting*) created=$stamp ;;
		waiting*) started=$stamp ;;
		esac
	done < <(script -qec "/usr/bin/time -f '%e %M %U %S' -o '$WORK/time' '$KSHIM' up --image '$image' -n $n --name '$name' --timeout 600; echo \"exit \$?\"" /dev/null)
	grep -q ' exit 0$' "$WORK/up.out" || { cat "$WORK/up.out" >&2; die "kshim up -n $n failed"; }
	read -r busy1 all1 < <(cpu_busy_jiffies)
	read -r wall rss ucpu scpu <"$WORK/time"
	cpu=0
	for id in $(docker ps -q --no-trunc --filter "label=io.kshim.cluster=$name"); do
		[ -r "/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage" ] || continue
		cpu=$((cpu + $(cat "/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage")))
	done
	record startup wall_s "$v" "$rep" "$wall"
	record startup launcher_maxrss_kb "$v" "$rep" "$rss"
	record startup launcher_cpu_s "$v" "$rep" "$(awk -v u="$ucpu" -v s="$scpu" 'BEGIN { print u + s }')"
	[ -z "$created" ] || record startup phase_create_s "$v" "$rep" "$(awk -v a="$t0" -v b="$created" 'BEGIN { printf "%.2f", b - a }')"
	[ -z "$started" ] || record startup phase_start_s "$v" "$rep" "$(awk -v a="$created" -v b="$started" 'BEGIN { printf "%.2f", b - a }')"
	[ -z "$started" ] || record startup phase_ready_s "$v" "$rep" "$(awk -v a="$started" -v t0="$t0" -v w="$wall" 'BEGIN { printf "%.2f", t0 + w - a }')"
	[ "$cpu" = 0 ] || record startup broker_cpu_s "$v" "$rep" "$(awk -v c="$cpu" 'BEGIN { printf "%.2f", c / 1e9 }')"
	record startup machine_busy_pct "$v" "$rep" "$(awk -v b="$((busy1 - busy0))" -v a="$((all1 - all0))" 'BEGIN { printf "%.0f", a ? 100 * b / a : 0 }')"
	: >"$WORK/up.out"
	"$KSHIM" down --name "$name" >/dev/null || die "kshim down --name $name failed"
	unset 'CLUSTERS[-1]'
}

# Variants nN (the image under test) and beforeN (BEFORE_IMAGE), each N of the
# before image right after the same N of the image under test.
section_startup() {
	local rep i n k order
	read -r -a order <<<"$START_NODES"
	k=${#order[@]}
	for rep in $(seq "$START_REPS"); do
		for i in $(seq 0 $((k - 1))); do
			n=${order[$(((i + rep - 1) % k))]}
			log "startup: repetition $rep/$START_REPS, kshim up -n $n"
			startup_up "n$n" "$IMAGE" "$n"
			[ -n "$BEFORE_IMAGE" ] && [[ " $BEFORE_NODES " == *" $n "* ]] || continue
			log "startup: repetition $rep/$START_REPS, kshim up -n $n, before ($BEFORE_IMAGE)"
			startup_up "before$n" "$BEFORE_IMAGE" "$n"
		done
	done
}

# ---------------------------------------------------------------- 3. data path
# One cluster, up with --localhost-listener: each broker advertises kafkaN:9092 on
# one client listener and localhost:<its published port> on another, so the two
# modes share the brokers, disks and JVMs, and only one cluster loads the machine.
# Modes: int (kperf through `kshim run`, kafka1:9092,...), loc (kperf without kshim,
# localhost:<port>,...) and loc2, the same as loc: the A/A control. Each repetition
# runs every step (produce, consume, latency) for the three modes back to back, in
# the repetition's order (rep_order: all six orders in turn), so the members of a
# pair are seconds apart and each mode runs before each other one equally often.
# DATA_SEC is the section the figures go to; KPERF_CONF kperf's -F FILE, if any.
# KPERF_WRAP runs the whole command (kshim run included) under another program.
DATA_SEC=data KPERF_CONF=() KPERF_WRAP=()
kperf_mode() { # MODE ARGS...: runs kperf the MODE way
	local mode=$1; shift
	if [ "$mode" = int ]; then
		"${KPERF_WRAP[@]}" "$KSHIM" run --name "$DATA_CLUSTER" -- "$KPERF" "$@" "${KPERF_CONF[@]}" \
			-b kafka1:9092,kafka2:9092,kafka3:9092
	else
		"${KPERF_WRAP[@]}" "$KPERF" "$@" "${KPERF_CONF[@]}" -b "$LOC_BOOTSTRAP"
	fi
}

# field KEY LINE: the value of KEY=... in a kperf result line
field() { printf '%s\n' "$2" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }

# try_twice RUNNER MODE ARGS...: RUNNER MODE ARGS, once more if it fails (a broker
# busy with other people's work can time a request out); prints its result line.
try_twice() {
	local run=$1 out
	shift
	out=$("$run" "$@" 2>>"$WORK/kperf.err") || out=$("$run" "$@" 2>>"$WORK/kperf.err") || {
		log "warning: ${run%_mode} $2 failed twice ($1); stderr:"; tail -n 5 "$WORK/kperf.err" >&2
		echo "data_failures+=$1 $2" >>"$META"
		return 1
	}
	printf '%s\n' "$out"
}
kperf_try() { try_twice kperf_mode "$@"; }

# rep_order REP MODE...: the order of the modes in repetition REP, rotated by
# (REP - 1) / 2 and reversed in even repetitions: for two modes A B, B A, B A,
# A B, ...; for three, all six orders in turn. Each mode runs before each other
# one equally often, so a drift within a repetition (brokers still warming up, a
# neighbour's load) favours none of them.
rep_order() {
	local rep=$1 i k=$((($1 - 1) / 2)) order=()
	shift
	local modes=("$@") n=$#
	for i in $(seq 0 $((n - 1))); do
		if ((rep % 2)); then
			order+=("${modes[$(((k + i) % n))]}")
		else
			order=("${modes[$(((k + i) % n))]}" "${order[@]}")
		fi
	done
	echo "${order[@]}"
}

# interleave ROUND REPS MODE...: ROUND MODE r for each mode of repetition r, in rep_order.
interleave() {
	local round=$1 reps=$2 rep m
	shift 2
	for rep in $(seq "$reps"); do
		for m in $(rep_order "$rep" "$@"); do "$round" "$m" "$rep"; done
	done
}

# data_step STEP MODE REP [-warm] ARGS...: one kperf run; records its figures
# unless warming up. A failed run leaves a gap (that pair is left out), not a failed bench.
data_step() {
	local step=$1 mode=$2 rep=$3 warm=$4 out n f
	shift 4
	out=$(kperf_try "$mode" "$step" "$@") || return 0
	[ -z "$warm" ] || return 0
	case $step in
	produce | consume)
		n=$(field msgs "$out")
		record "$DATA_SEC" "${step}_msgs_s" "$mode" "$rep" "$(field msgs_per_s "$out")"
		record "$DATA_SEC" "${step}_path_cpu_s_per_m" "$mode" "$rep" "$(awk -v c="$(field path_cpu_s "$out")" -v n="$n" 'BEGIN { printf "%.4f", c * 1e6 / n }')"
		record "$DATA_SEC" "${step}_cpu_s_per_m" "$mode" "$rep" "$(awk -v c="$(field cpu_s "$out")" -v n="$n" 'BEGIN { printf "%.4f", c * 1e6 / n }')"
		record "$DATA_SEC" "${step}_rest_cpu_ms" "$mode" "$rep" "$(awk -v c="$(field cpu_s "$out")" -v p="$(field path_cpu_s "$out")" 'BEGIN { printf "%.2f", (c - p) * 1000 }')"
		[ "$step" = produce ] || record "$DATA_SEC" consume_start_ms "$mode" "$rep" "$(field start_ms "$out")"
		;;
	latency)
		for f in p50_ms p99_ms max_ms; do record "$DATA_SEC" "$f" "$mode" "$rep" "$(field "$f" "$out")"; done
		record "$DATA_SEC" p50_first_ms "$mode" "$rep" "$(field p50_first_quarter_ms "$out")"
		record "$DATA_SEC" p50_last_ms "$mode" "$rep" "$(field p50_last_quarter_ms "$out")"
		;;
	esac
}

data_rep() { # REP [-warm]: produce, consume and latency for int, loc and loc2
	local rep=$1 warm=${2:-} order m t0=$EPOCHREALTIME t=bench-$1${2:-}
	order=$(rep_order "$rep" int loc loc2)
	log "data: ${warm:+warm-up, }repetition $rep/$DATA_REPS, order $order: $DATA_MSGS x $MSG_SIZE B, latency at $LAT_RATE msg/s for $LAT_SECS s"
	kperf_try loc create -t "$t-int,$t-loc,$t-loc2,$t-lat-int,$t-lat-loc,$t-lat-loc2" >/dev/null || return 0
	[ -n "$warm" ] || record data load1 all "$rep" "$(cut -d' ' -f1 /proc/loadavg)"
	for m in $order; do data_step produce "$m" "$rep" "$warm" -t "$t-$m" -n "$DATA_MSGS" -s "$MSG_SIZE"; done
	for m in $order; do data_step consume "$m" "$rep" "$warm" -t "$t-$m" -n "$DATA_MSGS"; done
	for m in $order; do
		data_step latency "$m" "$rep" "$warm" -t "$t-lat-$m" -r "$LAT_RATE" -d "$LAT_SECS" -w "$LAT_WARMUP" -s "$MSG_SIZE"
	done
	[ -n "$warm" ] || record data rep_secs all "$rep" "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
}

# up_localhost SECTION [ARGS...]: DATA_CLUSTER, a 3-broker cluster up with
# --localhost-listener (and ARGS), and LOC_BOOTSTRAP, its localhost:PORT list.
up_localhost() {
	local sec=$1 out=$WORK/$1.out
	shift
	DATA_CLUSTER=$TAG-$sec
	log "$sec: kshim up -n 3${*:+ $*} --localhost-listener ($DATA_CLUSTER)"
	CLUSTERS+=("$DATA_CLUSTER")
	"$KSHIM" up --image "$IMAGE" -n 3 --name "$DATA_CLUSTER" "$@" --localhost-listener --timeout 600 >"$out" 2>&1 ||
		{ cat "$out" >&2; die "kshim up${*:+ $*} --localhost-listener failed"; }
	LOC_BOOTSTRAP=$(grep -m1 -E '^localhost:[0-9]+' "$out")
	[ -n "$LOC_BOOTSTRAP" ] || die "no localhost:PORT list in the output of kshim up${*:+ $*} --localhost-listener"
}

section_data() {
	local rep
	up_localhost data
	# Fresh brokers run interpreted Java: one unrecorded repetition first.
	data_rep 1 -warm
	# What the shim does in a data-path run: every hooked call it answers is logged
	# with KSHIM_DEBUG; count them in one produce + consume.
	if kperf_mode loc create -t bench-debug >/dev/null 2>&1; then
		KSHIM_DEBUG=1 kperf_mode int produce -t bench-debug -n "$DATA_MSGS" >/dev/null 2>"$WORK/debug.err" || true
		KSHIM_DEBUG=1 kperf_mode int consume -t bench-debug -n "$DATA_MSGS" >/dev/null 2>>"$WORK/debug.err" || true
		record data shim_getaddrinfo int 0 "$(grep -c 'getaddrinfo kafka' "$WORK/debug.err")"
		record data shim_connect int 0 "$(grep -c ': connect fd' "$WORK/debug.err")"
	fi
	for rep in $(seq "$DATA_REPS"); do data_rep "$rep"; done
	cluster_down "$DATA_CLUSTER"
}

# cluster_down NAME: the last cluster up, down before the next section loads the machine.
cluster_down() {
	"$KSHIM" down --name "$1" >/dev/null || die "kshim down --name $1 failed"
	unset 'CLUSTERS[-1]'
}

# ---------------------------------------------------------------- 3b. TLS data path
# The data section's throughput pairs on a TLS cluster: both client listeners speak
# SSL with the same certificates, which name kafkaN and (--tls-san localhost) localhost,
# so int verifies kafkaN:9092 and loc localhost:<port>, each with hostname
# verification on, as `kshim config` sets it.
tls_rep() { # REP [-warm]: produce and consume for int, loc and loc2
	local rep=$1 warm=${2:-} order m t=btls-$1${2:-}
	order=$(rep_order "$rep" int loc loc2)
	log "tls: ${warm:+warm-up, }repetition $rep/$TLS_REPS, order $order: $TLS_MSGS x $MSG_SIZE B"
	kperf_try loc create -t "$t-int,$t-loc,$t-loc2" >/dev/null || return 0
	[ -n "$warm" ] || record tls load1 all "$rep" "$(cut -d' ' -f1 /proc/loadavg)"
	for m in $order; do data_step produce "$m" "$rep" "$warm" -t "$t-$m" -n "$TLS_MSGS" -s "$MSG_SIZE"; done
	for m in $order; do data_step consume "$m" "$rep" "$warm" -t "$t-$m" -n "$TLS_MSGS"; done
}

section_tls() {
	local rep conf=$WORK/tls.conf
	up_localhost tls --tls --tls-san localhost
	(umask 077 && "$KSHIM" config --name "$DATA_CLUSTER" --client librdkafka >"$conf") || die "kshim config failed"
	grep -qx 'security.protocol=SSL' "$conf" && grep -qx 'ssl.endpoint.identification.algorithm=https' "$conf" ||
		die "kshim config: not SSL with hostname verification: $(tr '\n' ' ' <"$conf")"
	DATA_SEC=tls KPERF_CONF=(-F "$conf")
	tls_rep 1 -warm
	for rep in $(seq "$TLS_REPS"); do tls_rep "$rep"; done
	DATA_SEC=data KPERF_CONF=()
	cluster_down "$DATA_CLUSTER"
}

# ---------------------------------------------------------------- 4. memory
# The same small C client (hooks mem: one getaddrinfo, one connect, then it reads
# /proc/self) with the shim and a table, resolving and connecting to a mapped
# name, vs without the shim, connecting to the listener directly.
section_memory() {
	local rep mode line
	[ -n "$LISTENER" ] || start_listener
	for rep in $(seq "$MEM_REPS"); do
		for mode in shim plain; do
			if [ $mode = shim ]; then
				out=$(env LD_PRELOAD="$SHIM" KSHIM_TABLE="$TABLE" "$HOOKS" mem kafka1 9092)
			else
				out=$("$HOOKS" mem 127.0.0.1 "$LPORT")
			fi
			while read -r key value; do record memory "$key" "$mode" "$rep" "$value"; done <<<"$out"
		done
	done
}

# ---------------------------------------------------------------- 5. seccomp
# The supervisor (kshim run --via seccomp) serves the programs the preload cannot
# reach. Micro: the static build of hooks.c under the supervisor with the micro
# table vs the same binary without kshim, interleaved as in section 1: a mapped
# connect (blocking, and non-blocking the way Go connects) vs a direct connect to
# the listener; calls the filter traps and the supervisor lets through (a
# read-only openat of a regular file, a connect to an unmapped address); calls
# the filter lets pass without a trap (getpid, a write-only openat).
static_variant() { variant "$@" && VBIN[$1]=$HOOKS_STATIC; }
define_seccomp_variants() {
	local f=$WORK/regular.file w=$WORK/write.file
	echo data >"$f"
	: >"$w"
	VARIANTS=()
	static_variant sc.connect.mapped sup sc.connect connect 127.77.0.1 9092
	static_variant sc.connect.direct plain sc.connect connect 127.0.0.1 "$LPORT"
	static_variant sc.connect-nb.mapped sup sc.connect-nb connect-nb 127.77.0.1 9092
	static_variant sc.connect-nb.direct plain sc.connect-nb connect-nb 127.0.0.1 "$LPORT"
	static_variant sc.pass.connect.sup sup sc.connect connect 127.0.0.1 "$LPORT"
	static_variant sc.pass.connect.plain plain sc.connect connect 127.0.0.1 "$LPORT"
	static_variant sc.pass.openat.sup sup sc.openat openat "$f"
	static_variant sc.pass.openat.plain plain sc.openat openat "$f"
	static_variant sc.free.openw.sup sup sc.openw openw "$w"
	static_variant sc.free.openw.plain plain sc.openw openw "$w"
	static_variant sc.free.getpid.sup sup sc.getpid getpid
	static_variant sc.free.getpid.plain plain sc.getpid getpid
}

# Data: the franz-go client (bench/goperf, built with CGO_ENABLED=0 like released Go
# tools) against one 3-broker cluster, through the supervisor (sup: kafka1:9092
# resolved from the supervisor's hosts file, connects redirected to the published
# ports) vs the same binary inside the cluster network (net: a sidecar container's
# network namespace and Docker DNS, tests/matrix/in-netns.sh), and, to tell the
# supervisor's share from the published ports', vs the same binary on the host
# without kshim, its own dialer sending kafkaN:9092 to the published ports (host).
# The modes take turns in all six orders (interleave). Topics are created through
# kshim run (the preload, librdkafka).
# goperf_mode MODE ARGS...: runs goperf the MODE way; the whole command's CPU time
# (user + system, the supervisor or the wrapper included) goes to $WORK/sc.cpu.
goperf_mode() {
	local mode=$1 wrap
	shift
	case $mode in
	sup) wrap=("$KSHIM" run --via seccomp --name "$SC_CLUSTER" --) ;;
	net) wrap=("$TOP/tests/matrix/in-netns.sh" "$SC_CLUSTER-side" --) ;;
	host) wrap=() && set -- "$@" -map "$SC_MAP" ;;
	esac
	(
		"${wrap[@]}" "$GOPERF" "$@" -b "$SC_BOOT" && rc=0 || rc=$?
		times >"$WORK/sc.times" # not in a pipe: that would be a fresh process, with no children
		awk 'NR == 2 { split($1 " " $2, t, /[ms ]+/); print t[1] * 60 + t[2] + t[3] * 60 + t[4] }' "$WORK/sc.times" >"$WORK/sc.cpu"
		exit "$rc"
	)
}
sc_create() { "$KSHIM" run --name "$SC_CLUSTER" -- "$KPERF" create -t "$1" -b "$SC_BOOT"; }
sc_create_mode() { shift; sc_create "$@"; } # the MODE argument try_twice passes is moot

# Seconds of CPU (user + system) all docker-proxy processes have used: Docker's
# userland proxy carries the published ports' traffic on the sup path, not on net.
proxy_cpu() {
	local p
	for p in $(pgrep -x docker-proxy); do cat "/proc/$p/stat" 2>/dev/null; done |
		awk -v hz="$(getconf CLK_TCK)" '{ t += $14 + $15 } END { printf "%.2f", t / hz }'
}

sc_record() { # STEP MODE REP OUT PROXY-CPU-BEFORE
	record seccomp "$1_msgs_s" "$2" "$3" "$(field msgs_per_s "$4")"
	record seccomp "$1_client_cpu_s" "$2" "$3" "$(field cpu_s "$4")"
	record seccomp "$1_cpu_s" "$2" "$3" "$(cat "$WORK/sc.cpu")"
	record seccomp "$1_proxy_cpu_s" "$2" "$3" "$(awk -v a="$5" -v b="$(proxy_cpu)" 'BEGIN { printf "%.2f", b - a }')"
}

sc_round() { # MODE REP [-warm]: a failed step leaves a gap, not a failed run
	local mode=$1 rep=$2 warm=${3:-} t=bench-sc-$1-$2${3:-} n=$SC_MSGS out p0
	log "seccomp: ${warm:+warm-up, }repetition $rep/$SC_REPS, $mode: produce and consume $n x $MSG_SIZE B"
	try_twice sc_create_mode "$mode" "$t" >/dev/null || return 0
	[ -n "$warm" ] || record seccomp load1 "$mode" "$rep" "$(cut -d' ' -f1 /proc/loadavg)"
	p0=$(proxy_cpu)
	out=$(try_twice goperf_mode "$mode" produce -t "$t" -n "$n" -s "$MSG_SIZE") || return 0
	[ -n "$warm" ] || sc_record produce "$mode" "$rep" "$out" "$p0"
	p0=$(proxy_cpu)
	out=$(try_twice goperf_mode "$mode" consume -t "$t" -n "$n") || return 0
	[ -n "$warm" ] || sc_record consume "$mode" "$rep" "$out" "$p0"
}

section_seccomp_data() {
	SC_CLUSTER=$TAG-sc SC_BOOT=kafka1:9092,kafka2:9092,kafka3:9092
	log "seccomp: kshim up -n 3 ($SC_CLUSTER) and a sidecar on its network"
	CLUSTERS+=("$SC_CLUSTER")
	"$KSHIM" up --image "$IMAGE" -n 3 --name "$SC_CLUSTER" --timeout 600 >"$WORK/sc.out" 2>&1 ||
		{ cat "$WORK/sc.out" >&2; die "kshim up ($SC_CLUSTER) failed"; }
	SC_MAP=$(for i in 1 2 3; do
		printf 'kafka%s:9092=%s,' "$i" "$(docker port "$SC_CLUSTER-kafka$i" 9092/tcp | head -n 1)"
	done)
	SIDECARS+=("$SC_CLUSTER-side")
	docker run -d --name "$SC_CLUSTER-side" --network "$SC_CLUSTER-net" --label "io.kshim.bench=$TAG" \
		--entrypoint sleep "$IMAGE" 3600 >/dev/null || die "sidecar on $SC_CLUSTER-net failed"
	# Fresh brokers run interpreted Java: one unrecorded round of each mode first, of
	# the full size (throughput was still rising after rounds of a quarter of it).
	sc_round sup 0 -warm
	sc_round net 0 -warm
	sc_round host 0 -warm
	# What the supervisor answers itself in a whole produce and consume run (the rest of
	# the trapped calls it lets through): its KSHIM_DEBUG lines.
	if sc_create bench-sc-debug >/dev/null 2>&1; then
		KSHIM_DEBUG=1 goperf_mode sup produce -t bench-sc-debug -n $((SC_MSGS / 4)) >/dev/null 2>"$WORK/sc-debug.err" || true
		KSHIM_DEBUG=1 goperf_mode sup consume -t bench-sc-debug -n $((SC_MSGS / 4)) >/dev/null 2>>"$WORK/sc-debug.err" || true
		record seccomp sup_connects sup 0 "$(grep -c 'kshim\[sup\]: connect pid' "$WORK/sc-debug.err")"
		record seccomp sup_hosts_opens sup 0 "$(grep -c 'kshim\[sup\]: open pid' "$WORK/sc-debug.err")"
	fi
	interleave sc_round "$SC_REPS" sup net host
}

section_seccomp() {
	[ -n "$LISTENER" ] || start_listener
	define_seccomp_variants
	# A connect without kshim takes 9 µs, not 18, in some runs (when waking the
	# listener needs no interrupt to the other CPU), which puts a few
	# repetitions' differences 10 µs above the others:
	# 21 repetitions put the interval between the 6th and 16th, not the 2nd and
	# 10th, so that four or five such runs do not set its upper end.
	time_variants seccomp "$SC_MICRO_REPS"
	[ "${BENCH_SC_DATA:-1}" = 0 ] || section_seccomp_data
}

# ---------------------------------------------------------------- 6. instructions
# Instructions count what a program does whatever else the machine is doing.
# callgrind follows `kshim run` across its exec (--trace-children) and writes the
# part before each exec to a file of its own (--dump-before=execve): cg.PID.N for
# kshim's part, cg.PID for the program the process ended as. cg_split prints
# "PROGRAM LAUNCHER", the instructions of each.
CG_DIR=$WORK/cg
CG_WRAP=(valgrind --tool=callgrind --trace-children=yes --dump-before=execve --callgrind-out-file="$CG_DIR/cg.%p")
cg_split() {
	local f prog=0 launcher=0 n
	for f in "$CG_DIR"/cg.*; do
		n=$(awk '/^totals:/ { print $2 }' "$f")
		case ${f##*/} in
		cg.*.*) launcher=$((launcher + n)) ;;
		*) prog=$((prog + n)) ;;
		esac
	done
	echo "$prog $launcher"
}
cg_fresh() { rm -rf "$CG_DIR" && mkdir "$CG_DIR"; }

# Program start: /usr/bin/true alone (true), with the shim preloaded (preload) and
# through `kshim run --table` (run; kshim's part counted too). CPU: user + system of
# START_RUNS runs in a loop, per run, the loop's fork included in every variant.
START_VARIANTS=(true preload run)
start_ir() { # VARIANT: instructions of one start
	local prog launcher cmd=(/usr/bin/true)
	case $1 in
	preload) cmd=(env LD_PRELOAD="$SHIM" KSHIM_TABLE="$TABLE" /usr/bin/true) ;; # true's part alone
	run) cmd=("$KSHIM" run --table "$TABLE" -- /usr/bin/true) ;;
	esac
	cg_fresh
	"${CG_WRAP[@]}" "${cmd[@]}" 2>"$WORK/cg.err" || { cat "$WORK/cg.err" >&2; die "instr: callgrind $1 failed"; }
	read -r prog launcher < <(cg_split)
	[ "$1" = preload ] && echo "$prog" || echo $((prog + launcher))
}
start_cpu() { # VARIANT: CPU ms per start
	local pre= cmd=(/usr/bin/true)
	case $1 in
	preload) pre=$SHIM ;;
	run) cmd=("$KSHIM" run --table "$TABLE" -- /usr/bin/true) ;;
	esac
	/usr/bin/time -f '%U %S' -o "$WORK/start.time" bash -c 'n=$1 pre=$2 table=$3; shift 3
		for ((i = 0; i < n; i++)); do
			if [ -n "$pre" ]; then LD_PRELOAD=$pre KSHIM_TABLE=$table "$@"; else "$@"; fi
		done' _ "$START_RUNS" "$pre" "$TABLE" "${cmd[@]}" >/dev/null || die "instr: $1 failed"
	awk -v n="$START_RUNS" '{ printf "%.4f", ($1 + $2) * 1000 / n }' "$WORK/start.time"
}

# The data path: kperf under callgrind, int / loc / loc2 as in section 3, in the same
# rotating order; the client's instructions per message (the program's part: kshim's
# own start-up before the exec is recorded apart). The producer fills its batches
# by size, not by the clock (INSTR_PRODUCE_CONF): with librdkafka's defaults a batch
# is what 5 ms (linger.ms) and 10 ms on one partition (sticky partitioning) gather,
# and on this loaded machine that made two runs of the same mode differ by up to 11%;
# flush() sends the last batches at once.
cg_kperf_mode() {
	local KPERF_WRAP=("${CG_WRAP[@]}")
	cg_fresh && kperf_mode "$@"
}
instr_step() { # STEP MODE REP TOPIC...: one run per topic; the fewest instructions count
	local step=$1 mode=$2 rep=$3 t prog launcher best= best_launcher KPERF_CONF=() args
	shift 3
	[ "$step" != produce ] || KPERF_CONF=(-F "$INSTR_PRODUCE_CONF")
	for t in "$@"; do
		args=(-t "$t" -n "$INSTR_MSGS")
		[ "$step" != produce ] || args+=(-s "$MSG_SIZE")
		try_twice cg_kperf_mode "$mode" "$step" "${args[@]}" >/dev/null || return 0
		read -r prog launcher < <(cg_split)
		[ -n "$best" ] && [ "$prog" -ge "$best" ] || { best=$prog best_launcher=$launcher; }
	done
	record instr "${step}_ir_per_msg" "$mode" "$rep" "$(awk -v p="$best" -v n="$INSTR_MSGS" 'BEGIN { printf "%.2f", p / n }')"
	record instr "${step}_launcher_ir" "$mode" "$rep" "$best_launcher"
}
# A produce run now and then counts 1 to 2% more than the others of its mode (a
# client's threads wake on timers and on the brokers' answers, whose timing
# varies), and never fewer: each mode's produce runs twice, to two topics, and
# the lower count is its figure. Consume varies by 0.05% and runs once.
instr_rep() { # REP: produce, then consume, INSTR_MSGS x MSG_SIZE for int, loc and loc2
	local rep=$1 order m t=binstr-$1
	order=$(rep_order "$rep" int loc loc2)
	log "instr: repetition $rep/$INSTR_REPS, order $order: $INSTR_MSGS x $MSG_SIZE B under callgrind"
	kperf_try loc create -t "$t-int,$t-loc,$t-loc2,$t-int-b,$t-loc-b,$t-loc2-b" >/dev/null || return 0
	record instr load1 all "$rep" "$(cut -d' ' -f1 /proc/loadavg)"
	for m in $order; do instr_step produce "$m" "$rep" "$t-$m" "$t-$m-b"; done
	for m in $order; do instr_step consume "$m" "$rep" "$t-$m"; done
}

section_instr() {
	local rep v
	INSTR_PRODUCE_CONF=$WORK/instr-produce.conf
	printf 'linger.ms=60000\nsticky.partitioning.linger.ms=0\n' >"$INSTR_PRODUCE_CONF"
	[ -n "$LISTENER" ] || start_listener
	for rep in $(seq "$INSTR_REPS"); do
		log "instr: program start, repetition $rep/$INSTR_REPS"
		for v in $(rep_order "$rep" "${START_VARIANTS[@]}"); do
			record instr start_ir "$v" "$rep" "$(start_ir "$v")"
			record instr start_cpu_ms "$v" "$rep" "$(start_cpu "$v")"
		done
	done
	up_localhost instr
	# Fresh brokers run interpreted Java: one produce and consume per mode first, not counted.
	kperf_try loc create -t binstr-warm >/dev/null || true
	for v in int loc; do
		kperf_try "$v" produce -t binstr-warm -n "$INSTR_MSGS" -s "$MSG_SIZE" -F "$INSTR_PRODUCE_CONF" >/dev/null || true
		kperf_try "$v" consume -t binstr-warm -n "$INSTR_MSGS" >/dev/null || true
	done
	for rep in $(seq "$INSTR_REPS"); do instr_rep "$rep"; done
	cluster_down "$DATA_CLUSTER"
}

# ---------------------------------------------------------------- 7. Kubernetes hop
# kshim attach --kubernetes on the test cluster of scripts/kubernetes.sh (started if it
# does not run): a 3-broker Strimzi-named StatefulSet (tests/kubernetes/strimzi-kafka.yaml)
# in a namespace of the bench's own. kcat, the same Debian build on the host and in the
# Kafka image, produces KUBE_MSGS records of MSG_SIZE B to a fresh topic (one partition,
# on broker 0), then consumes them, by the pods' names, four ways: pod (in a pod beside
# the brokers, through kubectl exec), fwd (on the host through kshim run and the
# forwarder), pf (on the host without kshim: one kubectl port-forward per pod on a
# loopback address of its own and the names in /etc/hosts, bind-mounted in a private
# mount namespace so the real one is never touched: what kubefwd does) and pod2 (pod
# again: the A/A control). The clock runs inside the command, around kcat alone. The
# CPU of the hop's processes (the mode's kubectl, kube-apiserver, the kubelet and the
# cluster's containerd) is read from /proc around each run. Then the client's
# instructions per message under callgrind, fwd vs pf (the pod image has no valgrind).
KUBE_NS=kbench-$$ KUBE_CLIENT=kbench-client KUBE_CLUSTER=$TAG-kube
KUBE_SVC=my-cluster-kafka-brokers
kube_name() { echo "my-cluster-kafka-$1.$KUBE_SVC.$KUBE_NS.svc"; }
KUBE_BOOT=$(kube_name 0):9092

# kube_sh MODE SCRIPT: sh -c SCRIPT the MODE way.
kube_sh() {
	case $1 in
	pod | pod2) kubectl -n "$KUBE_NS" exec "$KUBE_CLIENT" -- sh -c "$2" ;;
	fwd) "$KSHIM" run --name "$KUBE_CLUSTER" -- sh -c "$2" ;;
	pf) unshare -m sh -c 'mount --bind "$1" /etc/hosts && exec sh -c "$2"' _ "$WORK/kube.hosts" "$2" ;;
	esac
}
# jiffies PID...: utime + stime of the processes.
jiffies() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }
kube_hop_pids() { # MODE: the processes that carry MODE's bytes
	local fwd
	case $1 in
	fwd) fwd=$(cat "$KSHIM_HOME/$KUBE_CLUSTER.forward.pid") && pgrep -P "$fwd" ;;
	pf) echo "${KUBE_PF[@]}" ;;
	esac
	pgrep -x kube-apiserver; pgrep -x kubelet
	pgrep -x containerd | while read -r p; do grep -qa kshim-kubernetes "/proc/$p/cmdline" && echo "$p"; done
	return 0 # Docker's containerd, looked at last, is not one of them
}
kube_step() { # STEP MODE REP TOPIC: one timed kcat run; records MB/s and the hop's CPU (not for REP 0: a warm-up)
	local step=$1 mode=$2 rep=$3 t=$4 cmd pids c0 out
	cmd="seq -f %0${MSG_SIZE}g 1 $KUBE_MSGS | kcat -b $KUBE_BOOT -P -t $t -X linger.ms=5 -X batch.num.messages=10000"
	[ "$step" = produce ] || cmd="kcat -b $KUBE_BOOT -C -t $t -o beginning -c $KUBE_MSGS -q | wc -l"
	pids=$(kube_hop_pids "$mode")
	c0=$(jiffies $pids)
	out=$(kube_sh "$mode" "date +%s.%N; $cmd; date +%s.%N" 2>>"$WORK/kube.err") || { log "warning: kube $step $mode failed"; return 0; }
	[ "$step" = produce ] || [ "$(sed -n 2p <<<"$out")" = "$KUBE_MSGS" ] ||
		{ log "warning: kube consume $mode read $(sed -n 2p <<<"$out") of $KUBE_MSGS"; return 0; }
	[ "$rep" != 0 ] || return 0
	record kube "${step}_mb_s" "$mode" "$rep" "$(awk -v a="$(head -n 1 <<<"$out")" -v b="$(tail -n 1 <<<"$out")" \
		-v n="$KUBE_MSGS" -v s="$MSG_SIZE" 'BEGIN { printf "%.2f", n * s / 1e6 / (b - a) }')"
	record kube "${step}_hop_cpu_ms_per_mb" "$mode" "$rep" "$(awk -v t=$(($(jiffies $pids) - c0)) -v hz="$(getconf CLK_TCK)" \
		-v n="$KUBE_MSGS" -v s="$MSG_SIZE" 'BEGIN { printf "%.2f", t * 1000 / hz / (n * s / 1e6) }')"
}
kube_topic() { # TOPIC: one partition on broker 0, beside the bootstrap pod (fresh brokers may time out: 3 tries)
	local i
	for i in 1 2 3; do
		kubectl -n "$KUBE_NS" exec my-cluster-kafka-0 -c kafka -- /opt/kafka/bin/kafka-topics.sh \
			--bootstrap-server localhost:9092 --create --if-not-exists --topic "$1" --replica-assignment 0 \
			>/dev/null 2>>"$WORK/kube.err" && return 0
		sleep 5
	done
	log "warning: kube: creating topic $1 failed 3 times: $(tail -n 1 "$WORK/kube.err")"
	return 1
}
kube_rep() { # REP: produce, then consume, for the four modes in rep_order
	local rep=$1 order m
	order=$(rep_order "$rep" pod fwd pf pod2)
	log "kube: repetition $rep/$KUBE_REPS, order $order: $KUBE_MSGS x $MSG_SIZE B"
	record kube load1 all "$rep" "$(cut -d' ' -f1 /proc/loadavg)"
	for m in $order; do
		kube_topic "bkube-$rep-$m" || continue # a gap, not a failed bench
		kube_step produce "$m" "$rep" "bkube-$rep-$m"
	done
	for m in $order; do kube_step consume "$m" "$rep" "bkube-$rep-$m"; done
}
kube_ir() { # STEP MODE REP TOPIC: the client's instructions per message under callgrind
	local cg=$WORK/kube.cg n=$((KUBE_MSGS / 10)) cmd
	cmd="valgrind --tool=callgrind --callgrind-out-file=$cg kcat -b $KUBE_BOOT"
	if [ "$1" = produce ]; then
		cmd="seq -f %0${MSG_SIZE}g 1 $n | $cmd -P -t $4 -X linger.ms=5 -X batch.num.messages=10000"
	else
		cmd="$cmd -C -t $4 -o beginning -c $n -q >/dev/null"
	fi
	rm -f "$cg"
	kube_sh "$2" "$cmd" 2>>"$WORK/kube.err" || { log "warning: kube callgrind $1 $2 failed"; return 0; }
	record kube "${1}_ir_per_msg" "$2" "$3" "$(awk -v n="$n" '/^totals:/ { printf "%.1f", $2 / n }' "$cg")"
}
kube_pf_start() { # one kubectl port-forward per pod, on 127.0.80.N+1:9092, and the hosts file
	local i
	cat /etc/hosts >"$WORK/kube.hosts"
	for i in 0 1 2; do
		kubectl -n "$KUBE_NS" port-forward --address "127.0.80.$((i + 1))" "pod/my-cluster-kafka-$i" 9092:9092 \
			>"$WORK/pf$i.log" 2>&1 &
		KUBE_PF+=($!)
		echo "127.0.80.$((i + 1)) $(kube_name "$i") $(kube_name "$i").cluster.local" >>"$WORK/kube.hosts"
	done
	for i in 0 1 2; do
		for _ in $(seq 100); do grep -q '^Forwarding from' "$WORK/pf$i.log" && break; sleep 0.1; done
		grep -q '^Forwarding from' "$WORK/pf$i.log" || die "kube: kubectl port-forward pod/my-cluster-kafka-$i: $(tail -n 1 "$WORK/pf$i.log")"
	done
}
kube_setup() {
	local env
	env=$(bash scripts/kubernetes.sh up 2>"$WORK/kubernetes.log") || { tail -n 5 "$WORK/kubernetes.log" >&2; die "scripts/kubernetes.sh up failed"; }
	eval "$env"
	log "kube: namespace $KUBE_NS, a 3-broker StatefulSet and a client pod"
	kubectl create namespace "$KUBE_NS" >/dev/null && KUBE_UP=1
	kubectl -n "$KUBE_NS" apply -f tests/kubernetes/strimzi-kafka.yaml >/dev/null
	kubectl -n "$KUBE_NS" run "$KUBE_CLIENT" --image kshim/kafka:local --image-pull-policy=Never --restart=Never \
		--command -- sleep infinity >/dev/null
	kubectl -n "$KUBE_NS" rollout status statefulset/my-cluster-kafka --timeout=600s >/dev/null || die "kube: the StatefulSet is not ready"
	kubectl -n "$KUBE_NS" wait --for=condition=Ready "pod/$KUBE_CLIENT" --timeout=300s >/dev/null || die "kube: the client pod is not ready"
	CLUSTERS+=("$KUBE_CLUSTER")
	"$KSHIM" attach --kubernetes --service "$KUBE_SVC" --namespace "$KUBE_NS" --name "$KUBE_CLUSTER" >/dev/null ||
		die "kube: kshim attach --kubernetes failed"
	kube_pf_start
	echo "kube_versions=$(kubectl version 2>/dev/null | tr '\n' ' ')" >>"$META"
}
section_kube() {
	local rep m
	kube_setup
	kube_topic bkube-warm || die "kube: no topic could be created"
	for m in pod fwd pf; do kube_step produce "$m" 0 bkube-warm; done # fresh JVMs
	for rep in $(seq "$KUBE_REPS"); do kube_rep "$rep"; done
	for rep in $(seq "$KUBE_IR_REPS"); do
		log "kube: instructions, repetition $rep/$KUBE_IR_REPS"
		for m in $(rep_order "$rep" fwd pf); do
			kube_topic "bkube-ir-$rep-$m" || continue
			kube_ir produce "$m" "$rep" "bkube-ir-$rep-$m"
		done
		for m in $(rep_order "$rep" fwd pf); do kube_ir consume "$m" "$rep" "bkube-ir-$rep-$m"; done
	done
	kube_teardown
	cluster_down "$KUBE_CLUSTER"
}
kube_teardown() {
	local p
	for p in "${KUBE_PF[@]}"; do kill "$p" 2>/dev/null; done
	KUBE_PF=() KUBE_UP=0
	kubectl delete namespace "$KUBE_NS" --wait=false >/dev/null 2>&1 || log "warning: kubectl delete namespace $KUBE_NS failed"
}

START=$(date +%s)
for s in micro startup data tls memory seccomp instr kube; do
	want "$s" || continue
	t0=$(date +%s)
	{
		echo "date_$s=$(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "load_$s=$(cut -d' ' -f1-3 /proc/loadavg)"
	} >>"$META"
	"section_$s"
	echo "secs_$s=$(($(date +%s) - t0))" >>"$META"
	echo "load_end_$s=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$META"
done
{
	echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "secs_total=$(($(date +%s) - START))"
} >>"$META"

log "writing the report"
/usr/bin/python3 bench/report.py "$OUT" "$OUT/report.md"
rm -f "$OUT/report.png"
if grep -q '^data' "$RESULTS"; then
	gnuplot -e "outdir='$OUT'" bench/report.gp
else
	log "no data-path results: no plot"
fi
full=0
[ "$QUICK" = 0 ] && [ -z "${BENCH_SECTIONS:-}" ] && full=1
if [ "${BENCH_REPORT:-$full}" = 1 ]; then
	cp "$OUT/report.md" bench/report.md
	[ ! -e "$OUT/report.png" ] || cp "$OUT/report.png" bench/report.png
	log "done: bench/report.md, bench/report.png"
else
	log "done: $OUT/report.md, $OUT/report.png"
fi
