#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# needs: root docker network
# kshim attach --kubernetes against a real single-node Kubernetes (scripts/kubernetes.sh): a
# 3-broker KRaft StatefulSet with Strimzi's naming in a namespace of its own, attached; kcat, the
# Java client and a static Go client through kshim run, each 1000 records with exact counts and a
# pod DNS name as bootstrap; a broker pod deleted under a running producer and consumer (0 lost,
# the forwarder followed it without a restart); status, doctor, config; a second cluster with
# Bitnami's naming; a user allowed only what attach needs; the errors (a context that does not
# exist, an API server that does not answer, a Service with no ready pods, RBAC that denies
# port-forward, no kubectl), each one line of cause and a hint with nothing left behind; and down,
# which leaves no process and no file, and the StatefulSet running.
. "$(dirname "$0")/lib.sh"
export PATH=$PATH:/usr/local/go/bin

NS=kshim-e2e-$$
NSB=kshim-e2eb-$$
N=k8s$$
NB=k8sb$$
SVC=my-cluster-kafka-brokers
POD0=my-cluster-kafka-0.$SVC.$NS.svc
MSGS=1000
W=$(mktemp -d /tmp/kshim-e2e-kube.XXXXXX)

cleanup() {
	"$KSHIM" down --name "$N" >/dev/null 2>&1
	"$KSHIM" down --name "$NB" >/dev/null 2>&1
	"$KSHIM" down --name "${N}u" >/dev/null 2>&1
	kubectl delete namespace "$NS" "$NSB" --wait=false >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT

# kshim_files NAME: the files kshim keeps for cluster NAME.
kshim_files() { (cd "$KSHIM_HOME" && ls -A | grep "^$1\." || true); }
# lport POD: the local port the table maps POD's 9092 to.
lport() { awk -v p="^$1\\\\." '$1 ~ p && match($0, /9092=127\.0\.0\.1:[0-9]+/) { print substr($0, RSTART + 15, RLENGTH - 15) }' "$T"; }

# --- the cluster and the brokers ---
if ! env=$(bash "$TOP/scripts/kubernetes.sh" up 2>"$W/kubernetes.log"); then
	notok "scripts/kubernetes.sh up starts the cluster"
	tail -n 5 "$W/kubernetes.log" | sed 's/^/    # /'
	finish
fi
eval "$env"
ok "scripts/kubernetes.sh up: the cluster runs (kubectl: $(command -v kubectl))"
build_seqclient "$W/seqclient" || finish
build_go "$TOP/tests/goclient" "$W/goclient" || { notok "build the franz-go client (tests/goclient)"; finish; }

deploy() { # NAMESPACE MANIFEST STATEFULSET
	kubectl create namespace "$1" >/dev/null &&
		kubectl -n "$1" apply -f "$TOP/tests/kubernetes/$2" >/dev/null &&
		kubectl -n "$1" rollout status "statefulset/$3" --timeout=600s >/dev/null
}
t0=$SECONDS
check "a 3-broker StatefulSet with Strimzi's naming is ready in $NS" deploy "$NS" strimzi-kafka.yaml my-cluster-kafka
echo "# ready in $((SECONDS - t0)) s"

# --- attach ---
t0=$EPOCHREALTIME
out=$("$KSHIM" attach --kubernetes --service "$SVC" --namespace "$NS" --name "$N" 2>"$W/attach.err")
rc=$?
echo "# attach took $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $t0 }") s"
expect_eq "attach --kubernetes exits 0" "$rc" 0
[ "$rc" = 0 ] || { sed 's/^/    # /' "$W/attach.err"; finish; }
T=$KSHIM_HOME/$N.table
fwd=$(sed -n 's/^forwarder: pid \([0-9]*\), log .*/\1/p' <<<"$out")
expect_match "attach names the forwarder's pid and log" "^forwarder: pid [0-9]+, log $KSHIM_HOME/$N\.forward\.log$" "$out"
check "  ... and the forwarder runs" kill -0 "$fwd"
expect_eq "the forwarder's pid file says the same" "$(cat "$KSHIM_HOME/$N.forward.pid")" "$fwd"
expect_eq "one kubectl port-forward per pod, children of the forwarder" \
	"$(pgrep -P "$fwd" -f "kubectl .*--namespace $NS port-forward --address 127.0.0.1 pod/my-cluster-kafka-[0-2] " | wc -l)" 3
expect_eq "the table: the Service and 3 pods, each under 3 names" \
	"$(grep -c '^[a-z].*	127\.77\.' "$T") $(grep -c "^my-cluster-kafka-[0-2]\.$SVC\.$NS\.svc\.cluster\.local,my-cluster-kafka-[0-2]\.$SVC\.$NS\.svc,my-cluster-kafka-[0-2]\.$SVC\.$NS	" "$T")" "4 3"
expect_eq "  ... whose ports 9092 and 9093 lead to 127.0.0.1 only" \
	"$(grep -o '=[0-9.]*:' "$T" | sort -u | tr -d '=:')" 127.0.0.1
expect_eq "the table and its record are private (0600)" "$(stat -c %a "$T" "$KSHIM_HOME/$N.kube" | sort -u)" 600
lport1=$(lport my-cluster-kafka-1)
expect_eq "a forward listens on 127.0.0.1 only" \
	"$(ss -Htln "sport = :$lport1" | awk '{print $4}' | sort -u | tr '\n' ' ')" "127.0.0.1:$lport1 "

# --- the clients, with a pod DNS name as bootstrap ---
meta=$(timeout 30 "$KSHIM" run --name "$N" -- kcat -b "$POD0:9092" -L 2>&1)
expect_eq "kcat -L through kshim run lists 3 brokers by their pod names" \
	"$(grep -cE "broker [0-2] at my-cluster-kafka-[0-2]\.$SVC\.$NS\.svc:9092" <<<"$meta")" 3
topic=kube-kcat
check "topic $topic: 3 partitions, replication factor 3" \
	"$KSHIM" run --name "$N" -- "$W/seqclient" create "$POD0:9092" "$topic" 3 3 2
seq 1 $MSGS | timeout 60 "$KSHIM" run --name "$N" -- kcat -b "$POD0:9092" -P -t "$topic" -X acks=all
got=$(timeout 60 "$KSHIM" run --name "$N" -- kcat -b "$POD0:9092" -C -t "$topic" -o beginning -e -q 2>/dev/null |
	awk '{n++; if (!s[$1]++) d++; t += $1} END {print n+0, d+0, t+0}')
expect_eq "kcat: $MSGS produced and consumed (count, distinct, sum)" "$got" "$MSGS $MSGS $((MSGS * (MSGS + 1) / 2))"

eval "$(bash "$TOP/scripts/matrix-deps.sh" --print-env 2>/dev/null)"
if javac -nowarn --release 17 -cp "${MATRIX_JAVA_CP:-}" -d "$W/java" "$TOP/tests/matrix/MatrixClient.java" 2>"$W/javac.log"; then
	timeout 120 "$KSHIM" run --name "$N" -- java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
		-cp "$W/java:$MATRIX_JAVA_CP" MatrixClient "$POD0:9092" kube-java $MSGS run1 60 \
		>"$W/java.out" 2>"$W/java.err"
	expect_eq "Java kafka-clients: produced, read, dups, bad, disorder, done" \
		"$(roundtrip_counts "$W/java.out" run1)" "$MSGS $MSGS 0 0 0 1"
else
	notok "javac MatrixClient.java (scripts/matrix-deps.sh fetches kafka-clients): $(head -1 "$W/javac.log")"
fi

RUN=go$$x$RANDOM
check "topic kube-go: 3 partitions, replication factor 3" \
	"$KSHIM" run --name "$N" -- "$W/seqclient" create "$POD0:9092" kube-go 3 3 2
timeout -k 5 90 "$KSHIM" run --name "$N" --debug -- "$W/goclient" roundtrip "$POD0:9092" kube-go "$MSGS" "$RUN" 60 \
	>"$W/go.out" 2>"$W/go.err"
expect_match "kshim run supervised the static Go client (seccomp)" '^kshim: run: via seccomp \(Go program\)$' "$(cat "$W/go.err")"
expect_eq "franz-go (static): acked, consumed distinct, dups, bad, disorder, done" \
	"$(roundtrip_counts "$W/go.out" "$RUN")" "$MSGS $MSGS 0 0 0 1"

# --- env, config, status, doctor ---
expect_eq "env exports the cluster's table" "$("$KSHIM" env --name "$N" | sed -n "s/^export KSHIM_TABLE='\(.*\)'$/\1/p")" "$T"
expect_eq "config: the pods' names as bootstrap" "$("$KSHIM" config --name "$N" | grep '^bootstrap.servers=')" \
	"bootstrap.servers=my-cluster-kafka-0.$SVC.$NS.svc.cluster.local:9092,my-cluster-kafka-1.$SVC.$NS.svc.cluster.local:9092,my-cluster-kafka-2.$SVC.$NS.svc.cluster.local:9092"
st=$("$KSHIM" status --name "$N")
expect_eq "status exits 0" "$?" 0
expect_match "status: the forwarder runs" "^forwarder: running, pid $fwd, log " "$st"
expect_eq "status: 3 pods ready, each forward answers with 3 brokers" \
	"$(grep -cE '^my-cluster-kafka-[0-2] +ready +127\.0\.0\.1:[0-9]+ +ok +ok, 3 brokers$' <<<"$st")" 3
dr=$("$KSHIM" doctor --name "$N")
expect_eq "doctor exits 0" "$?" 0
expect_eq "doctor: the 7 Kubernetes layers pass" \
	"$(grep -cE '^ *[1-7] (api|rbac|pods|forwarder|forwards|advertised|shim) +ok ' <<<"$dr")" 7
expect_match "doctor: RBAC allows pods/portforward" "rbac +ok +user .* may create pods/portforward in $NS" "$dr"
[ "$(grep -c ' ok ' <<<"$dr")" = 7 ] || sed 's/^/    # /' <<<"$dr"

# --- a broker pod deleted while a producer and a consumer run ---
SEQ=$W/seqclient
"$KSHIM" run --name "$N" -- "$SEQ" create "$POD0:9092" kube-seq 3 3 2 >/dev/null 2>&1
"$KSHIM" run --name "$N" -- "$SEQ" consume "$POD0:9092" kube-seq 3 >"$W/cons.out" 2>"$W/cons.err" &
cons=$!
"$KSHIM" run --name "$N" -- "$SEQ" produce "$POD0:9092" kube-seq 3 200 >"$W/prod.out" 2>"$W/prod.err" &
prod=$!
sleep 5
uid=$(kubectl -n "$NS" get pod my-cluster-kafka-1 -o jsonpath='{.metadata.uid}')
t0=$SECONDS
kubectl -n "$NS" delete pod my-cluster-kafka-1 --wait=true >/dev/null
replaced() { [ "$(kubectl -n "$NS" get pod my-cluster-kafka-1 -o jsonpath='{.metadata.uid}' 2>/dev/null)" != "$uid" ]; }
wait_for 60 replaced
kubectl -n "$NS" wait --for=condition=Ready pod/my-cluster-kafka-1 --timeout=120s >/dev/null
echo "# my-cluster-kafka-1 deleted and ready again in $((SECONDS - t0)) s"
followed() { [ "$("$KSHIM" status --name "$N" --json | grep -c '"kafka":[[:space:]]*true')" = 3 ]; }
t0=$SECONDS
if wait_for 30 followed; then ok "the forwarder follows the new pod: 3 forwards answer again ($((SECONDS - t0)) s after Ready)"; else
	notok "the forwarder follows the new pod: 3 forwards answer again"; tail -n 5 "$KSHIM_HOME/$N.forward.log" | sed 's/^/    # /'; fi
sleep 5
seq_results "pod deleted: " "$prod" "$cons" "$W/prod.out" "$W/cons.out"
expect_eq "the forwarder is the same process (pid $fwd)" "$(cat "$KSHIM_HOME/$N.forward.pid")" "$fwd"
expect_eq "its log says the pod was replaced, then forwarded again on the same port" \
	"$(awk -v p="pod my-cluster-kafka-1: forwarding 127.0.0.1:$lport1 " '/pod my-cluster-kafka-1: replaced/ { r = 1 } r && index($0, p) { print "yes"; exit }' \
		"$KSHIM_HOME/$N.forward.log")" yes
expect_eq "my-cluster-kafka-1 keeps its local port in the table" "$(lport my-cluster-kafka-1)" "$lport1"

# --- Bitnami's naming: names end in the cluster domain ---
if deploy "$NSB" bitnami-kafka.yaml kafka; then
	ok "a 3-broker StatefulSet with Bitnami's naming is ready in $NSB"
	check "attach --kubernetes --service kafka-headless" \
		"$KSHIM" attach --kubernetes --service kafka-headless --namespace "$NSB" --name "$NB"
	b0=kafka-0.kafka-headless.$NSB.svc.cluster.local:9092
	seq 1 $MSGS | timeout 60 "$KSHIM" run --name "$NB" -- kcat -b "$b0" -P -t bitnami -X acks=all
	got=$(timeout 60 "$KSHIM" run --name "$NB" -- kcat -b "$b0" -C -t bitnami -o beginning -e -q 2>/dev/null |
		awk '{n++; if (!s[$1]++) d++; t += $1} END {print n+0, d+0, t+0}')
	expect_eq "Bitnami: kcat $MSGS produced and consumed through $b0" "$got" "$MSGS $MSGS $((MSGS * (MSGS + 1) / 2))"
	check "Bitnami: kshim down" "$KSHIM" down --name "$NB"
else
	notok "a 3-broker StatefulSet with Bitnami's naming is ready in $NSB"
fi

# --- a user allowed get/list/watch on pods, services, endpoints and create on pods/portforward ---
if kc=$(bash "$TOP/scripts/kubernetes.sh" kubeconfig --user "kshim-attach-$$" --role attach --namespace "$NS" 2>"$W/kc.err"); then
	expect_eq "the restricted user may not list pods in another namespace" \
		"$(KUBECONFIG=$kc kubectl -n default auth can-i list pods)" no
	KUBECONFIG=$kc "$KSHIM" attach --kubernetes --service "$SVC" --namespace "$NS" --name "${N}u" >"$W/u.out" 2>&1
	expect_eq "attach as the restricted user exits 0" "$?" 0
	got=$(KUBECONFIG=$kc timeout 60 "$KSHIM" run --name "${N}u" -- kcat -b "$POD0:9092" -C -t "$topic" -o beginning -e -q 2>/dev/null | wc -l)
	expect_eq "  ... and kcat through it reads the $MSGS records" "$got" "$MSGS"
	check "  ... down" "$KSHIM" down --name "${N}u"
else
	notok "scripts/kubernetes.sh kubeconfig --role attach: $(tail -n 1 "$W/kc.err")"
fi

# --- errors: one line of cause, a hint, exit 1, nothing left behind ---
# attach_fails DESC CAUSE-REGEX ATTACH-ARGS...: with the environment in KENV (VAR=value ...).
KENV=()
attach_fails() {
	local desc=$1 cause=$2 err
	shift 2
	err=$(env "${KENV[@]}" "$KSHIM" attach --kubernetes --name err$$ "$@" 2>&1 >/dev/null)
	expect_eq "$desc: exit 1" "$?" 1
	expect_match "  ... the cause" "^kshim: $cause" "$(head -n 1 <<<"$err")"
	expect_match "  ... then a hint" "^hint: " "$(sed -n 2p <<<"$err")"
	expect_eq "  ... and no file or process left" "$(kshim_files err$$)|$(pgrep -fc "attach --kubernetes --name err$$ ")" "|0"
}
attach_fails "a context that does not exist" "context 'nope' does not exist" --service "$SVC" --namespace "$NS" --context nope
kubectl config view --raw --minify >"$W/dead.kubeconfig"
KUBECONFIG=$W/dead.kubeconfig kubectl config set-cluster "$(kubectl config view --minify -o jsonpath='{.clusters[0].name}')" \
	--server=https://127.0.0.1:1 >/dev/null
KENV=("KUBECONFIG=$W/dead.kubeconfig")
attach_fails "an API server that does not answer" ".*127\.0\.0\.1:1" --service "$SVC" --namespace "$NS"
KENV=()
kubectl -n "$NS" create service clusterip empty --clusterip=None --tcp=9092:9092 >/dev/null
attach_fails "a Service with no ready pods" "Service $NS/empty has no ready pods" --service empty --namespace "$NS"
if kc=$(bash "$TOP/scripts/kubernetes.sh" kubeconfig --user "kshim-none-$$" 2>"$W/kc.err"); then
	KENV=("KUBECONFIG=$kc")
	attach_fails "RBAC that denies port-forward" "user .* may not create pods/portforward in namespace $NS" \
		--service "$SVC" --namespace "$NS"
else
	notok "scripts/kubernetes.sh kubeconfig --user: $(tail -n 1 "$W/kc.err")"
fi
KENV=(PATH=/nonexistent)
attach_fails "no kubectl on PATH" "kubectl is not on PATH" --service "$SVC" --namespace "$NS"
KENV=()

# --- down ---
out=$("$KSHIM" down --name "$N")
expect_eq "down says what it did" "$out" \
	"cluster '$N': stopped the forwarder, removed the table; Service $NS/$SVC and its pods are left as they are"
expect_eq "no forwarder (a zombie at most) and no kubectl of it is left" \
	"$(ps -o stat= -p "$fwd" | grep -vc '^Z') $(pgrep -fc "kubectl .*--namespace $NS port-forward")" "0 0"
expect_eq "no file of the cluster is left" "$(kshim_files "$N")" ""
expect_eq "the StatefulSet still runs, 3/3 ready" \
	"$(kubectl -n "$NS" get statefulset my-cluster-kafka -o jsonpath='{.status.readyReplicas}')" 3
finish
