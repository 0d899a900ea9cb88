#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The cost of the Kubernetes hop (kshim attach --kubernetes): the same kcat produces and then
# consumes the same records, once from the host through kshim run and the forwarder's
# kubectl port-forward, once from a pod beside the brokers; interleaved, REPS times each.
# Prints each run's throughput (MB/s) and the CPU seconds per MB the hop's processes spent:
# kubectl (the forwarder's children), kube-apiserver, the kubelet and containerd (which
# carry pods/portforward streams), and the client.
#
# Usage: bench/kube-hop.sh NAMESPACE CLUSTER
#   with KUBECONFIG set, a Strimzi-named StatefulSet (tests/kubernetes/strimzi-kafka.yaml) in
#   NAMESPACE attached as CLUSTER (kshim attach --kubernetes --service my-cluster-kafka-brokers).
# Environment: RECORDS (default 500000, of 100 bytes), REPS (default 3).
set -euo pipefail
NS=$1 N=$2
TOP=$(cd "$(dirname "$0")/.." && pwd)
KSHIM=${KSHIM:-$TOP/build/kshim}
RECORDS=${RECORDS:-500000}
REPS=${REPS:-3}
MB=$(awk "BEGIN { print $RECORDS * 101 / 1e6 }")
B=my-cluster-kafka-0.my-cluster-kafka-brokers.$NS.svc:9092
CLIENT=hop-client
HZ=$(getconf CLK_TCK)

# cpu PID...: utime + stime of the processes, in clock ticks.
cpu() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }
hop_pids() {
	local fwd
	fwd=$(cat "${KSHIM_HOME:-$XDG_RUNTIME_DIR/kshim}/$N.forward.pid")
	echo $(pgrep -P "$fwd") $(pgrep -x kube-apiserver) $(pgrep -x kubelet) \
		$(pgrep -x containerd | while read -r p; do grep -qa kshim-kubernetes "/proc/$p/cmdline" && echo "$p"; done)
}

kubectl -n "$NS" run "$CLIENT" --image kshim/kafka:local --image-pull-policy=Never --restart=Never \
	--command -- sleep 3600 >/dev/null 2>&1 || true
kubectl -n "$NS" wait --for=condition=Ready "pod/$CLIENT" --timeout=120s >/dev/null
kubectl -n "$NS" exec my-cluster-kafka-0 -- /opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:9092 \
	--create --if-not-exists --topic hop --replica-assignment 0 >/dev/null

PRODUCE="seq -f %0100g 1 $RECORDS | kcat -b $B -P -t hop -X linger.ms=5 -X batch.num.messages=10000"
CONSUME="kcat -b $B -C -t hop -o -$RECORDS -c $RECORDS -q >/dev/null"
# run WHERE WHAT: seconds of wall time, and the hop's CPU ticks, of one run.
run() {
	local pids c0 t0 t1
	pids=$(hop_pids)
	c0=$(cpu $pids)
	t0=$EPOCHREALTIME
	if [ "$1" = host ]; then
		"$KSHIM" run --name "$N" -- sh -c "$2"
	else
		kubectl -n "$NS" exec "$CLIENT" -- sh -c "$2"
	fi
	t1=$EPOCHREALTIME
	echo "$(awk "BEGIN { print $t1 - $t0 }") $(($(cpu $pids) - c0))"
}
echo "# $RECORDS records of 100 bytes ($MB MB) per run; $("$KSHIM" --version); $(kubectl version 2>/dev/null | tail -1)"
printf '%-8s %-8s %8s %8s %14s\n' run where MB/s seconds "hop CPU s/MB"
for _ in $(seq 1 "$REPS"); do
	for what in produce consume; do
		cmd=$PRODUCE
		[ "$what" = consume ] && cmd=$CONSUME
		for where in host pod; do
			read -r secs ticks < <(run "$where" "$cmd")
			printf '%-8s %-8s %8.1f %8.2f %14.4f\n' "$what" "$where" "$(awk "BEGIN { print $MB / $secs }")" "$secs" \
				"$(awk "BEGIN { print $ticks / $HZ / $MB }")"
		done
	done
done
kubectl -n "$NS" delete pod "$CLIENT" --wait=false >/dev/null
