#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# needs: root docker network
# kshim attach --kubernetes to brokers whose TLS certificates name only their pod DNS names, on
# the single-node Kubernetes of scripts/kubernetes.sh: a CA of the test's own (openssl) signs one
# certificate per pod, kept in a Secret; the Strimzi-named StatefulSet gets a TLS listener
# (tests/kubernetes/strimzi-tls-patch.yaml). Through kshim run, kcat and the Java client verify
# the brokers' host names and move 1000 records each with exact counts; without kshim, kcat to
# 127.0.0.1 and the forwarded port fails verification (and passes with verification off). Then
# an unprivileged OS user of the test's own, with its own HOME and KSHIM_HOME and a kubeconfig
# allowed only what attach needs, attaches and moves 1000 records through kcat: its table
# directory is 0700 and its files 0600, and the forwarder and its kubectl run as that user.
# Last, logs and watch on the attached cluster: one line of cause and a hint naming what to use.
. "$(dirname "$0")/lib.sh"

NS=kshim-tls-$$
N=k8stls$$
U=kshimu$$
SVC=my-cluster-kafka-brokers
POD0=my-cluster-kafka-0.$SVC.$NS.svc
MSGS=1000
W=$(mktemp -d /tmp/kshim-e2e-kubetls.XXXXXX)
UH=$W/home # the OS user's HOME
chmod 755 "$W"

# as_user CMD...: CMD as the OS user, with its own HOME, KSHIM_HOME and kubeconfig.
as_user() {
	runuser -u "$U" -- env -i HOME="$UH" KSHIM_HOME="$UH/kshim" KUBECONFIG="$UH/.kube/config" \
		PATH="$UH/bin:/usr/bin:/bin" "$@"
}
cleanup() {
	"$KSHIM" down --name "$N" >/dev/null 2>&1
	id "$U" >/dev/null 2>&1 && { as_user "$KSHIM" down --name "$N" >/dev/null 2>&1; userdel "$U" 2>/dev/null; }
	kubectl delete namespace "$NS" --wait=false >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT

# tls_port TABLE POD: the local port TABLE maps POD's 9094 to.
tls_port() { awk -v p="^$2\\\\." '$1 ~ p && match($0, /9094=127\.0\.0\.1:[0-9]+/) { print substr($0, RSTART + 15, RLENGTH - 15) }' "$1"; }
# counts: "count distinct sum" of the numbered records on stdin.
counts() { awk '{n++; if (!s[$1]++) d++; t += $1} END {print n+0, d+0, t+0}'; }
WANT="$MSGS $MSGS $((MSGS * (MSGS + 1) / 2))"

# --- the cluster, the certificates, the brokers ---
if ! env=$(bash "$TOP/scripts/kubernetes.sh" env 2>/dev/null || bash "$TOP/scripts/kubernetes.sh" up 2>"$W/kubernetes.log"); then
	notok "scripts/kubernetes.sh up starts the cluster"
	tail -n 5 "$W/kubernetes.log" | sed 's/^/    # /'
	finish
fi
eval "$env"
ok "the cluster runs (kubectl: $(command -v kubectl))"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key "$W/ca.key" && openssl req -x509 -new -key "$W/ca.key" -subj "/CN=kshim test CA $$" -days 1 -out "$W/ca.crt" 2>/dev/null
PW=$(openssl rand -hex 16)
mkdir -p "$W/secret"
for i in 0 1 2; do
	pod=my-cluster-kafka-$i
	key "$W/$pod.key"
	openssl req -new -key "$W/$pod.key" -subj "/CN=$pod.$SVC.$NS.svc" -out "$W/$pod.csr" 2>/dev/null
	openssl x509 -req -in "$W/$pod.csr" -CA "$W/ca.crt" -CAkey "$W/ca.key" -CAcreateserial -days 1 \
		-extfile <(echo "subjectAltName=DNS:$pod.$SVC.$NS.svc,DNS:$pod.$SVC.$NS.svc.cluster.local") \
		-out "$W/$pod.crt" 2>/dev/null
	# Kafka's PEM keystore: the key encrypted with a scheme the JDK knows by name, then the certificate
	openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -passout "pass:$PW" -in "$W/$pod.key" >"$W/secret/$pod.pem"
	cat "$W/$pod.crt" >>"$W/secret/$pod.pem"
done
expect_eq "3 certificates whose only names are their pods' DNS names" \
	"$(for i in 0 1 2; do openssl x509 -in "$W/my-cluster-kafka-$i.crt" -noout -ext subjectAltName | tail -n 1; done | tr -d ' ')" \
	"$(for i in 0 1 2; do echo "DNS:my-cluster-kafka-$i.$SVC.$NS.svc,DNS:my-cluster-kafka-$i.$SVC.$NS.svc.cluster.local"; done)"
printf %s "$PW" >"$W/secret/key-password"

mkdir -p "$W/k"
cp "$TOP/tests/kubernetes/strimzi-kafka.yaml" "$TOP/tests/kubernetes/strimzi-tls-patch.yaml" "$W/k/"
# 9094 appended: attach checks a pod's forward with plaintext Metadata on the Service's first port
cat >"$W/k/kustomization.yaml" <<'YAML'
resources: [strimzi-kafka.yaml]
patches:
- path: strimzi-tls-patch.yaml
- target: {kind: Service, name: my-cluster-kafka-brokers}
  patch: '[{"op": "add", "path": "/spec/ports/-", "value": {"name": "tcp-clientstls", "port": 9094, "targetPort": 9094}}]'
YAML
deploy() {
	kubectl create namespace "$NS" >/dev/null &&
		kubectl -n "$NS" create secret generic kafka-tls --from-file="$W/secret" >/dev/null &&
		kubectl -n "$NS" apply -k "$W/k" >/dev/null &&
		kubectl -n "$NS" rollout status statefulset/my-cluster-kafka --timeout=240s >/dev/null
}
t0=$SECONDS
if deploy; then ok "a 3-broker StatefulSet with a TLS listener on 9094 is ready in $NS"; else
	notok "a 3-broker StatefulSet with a TLS listener on 9094 is ready in $NS"
	kubectl -n "$NS" logs my-cluster-kafka-0 --tail 5 2>&1 | sed 's/^/    # /'
	finish
fi
echo "# ready in $((SECONDS - t0)) s"

# --- attach; kcat and Java verify the pods' names through kshim run ---
if "$KSHIM" attach --kubernetes --service "$SVC" --namespace "$NS" --name "$N" >"$W/attach.out" 2>&1; then
	ok "attach --kubernetes"
else
	notok "attach --kubernetes: $(head -n 1 "$W/attach.out")"
	finish
fi
T=$KSHIM_HOME/$N.table
port=$(tls_port "$T" my-cluster-kafka-0)
expect_match "the table forwards each pod's 9094" "^[0-9]+ [0-9]+ [0-9]+$" \
	"$port $(tls_port "$T" my-cluster-kafka-1) $(tls_port "$T" my-cluster-kafka-2)"
SSL=(-X security.protocol=ssl -X "ssl.ca.location=$W/ca.crt")
meta=$(timeout 30 "$KSHIM" run --name "$N" -- kcat -b "$POD0:9094" "${SSL[@]}" -L 2>&1)
expect_eq "kcat -L over TLS through kshim run: 3 brokers by their pod names" \
	"$(grep -cE "broker [0-2] at my-cluster-kafka-[0-2]\.$SVC\.$NS\.svc:9094" <<<"$meta")" 3
seq 1 $MSGS | timeout 60 "$KSHIM" run --name "$N" -- kcat -b "$POD0:9094" "${SSL[@]}" -P -t tls-kcat -X acks=all
got=$(timeout 60 "$KSHIM" run --name "$N" -- kcat -b "$POD0:9094" "${SSL[@]}" -C -t tls-kcat -o beginning -e -q 2>/dev/null | counts)
expect_eq "kcat over TLS, host names verified: $MSGS produced and consumed (count, distinct, sum)" "$got" "$WANT"

eval "$(bash "$TOP/scripts/matrix-deps.sh" --print-env 2>/dev/null)"
printf 'security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=%s\n' "$W/ca.crt" >"$W/java.properties"
if javac -nowarn --release 17 -cp "${MATRIX_JAVA_CP:-}" -d "$W/java" "$TOP/tests/matrix/MatrixClient.java" 2>"$W/javac.log"; then
	MATRIX_CLIENT_CONFIG=$W/java.properties timeout 120 "$KSHIM" run --name "$N" -- java \
		-Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$W/java:$MATRIX_JAVA_CP" \
		MatrixClient "$POD0:9094" tls-java $MSGS run1 60 >"$W/java.out" 2>"$W/java.err"
	expect_eq "Java over TLS (endpoint identification https): produced, read, dups, bad, disorder, done" \
		"$(roundtrip_counts "$W/java.out" run1)" "$MSGS $MSGS 0 0 0 1"
else
	notok "javac MatrixClient.java (scripts/matrix-deps.sh fetches kafka-clients): $(head -1 "$W/javac.log")"
fi

# --- without kshim: 127.0.0.1 is not a name the certificates carry ---
err=$(timeout 30 kcat -b "127.0.0.1:$port" "${SSL[@]}" -m 10 -L 2>&1)
expect_match "kcat to 127.0.0.1:$port without kshim fails host-name verification" \
	"certificate verify failed" "$err"
[[ $err == *"certificate verify failed"* ]] || sed 's/^/    # /' <<<"$err" | head -n 5
got=$(timeout 30 kcat -b "127.0.0.1:$port" "${SSL[@]}" -X ssl.endpoint.identification.algorithm=none -m 10 -L 2>&1 |
	grep -cE "broker [0-2] at my-cluster-kafka-[0-2]\.$SVC\.$NS\.svc:9094")
expect_eq "  ... while the same with verification off lists the 3 brokers (the CA and the forward are fine)" "$got" 3

# --- logs and watch: the brokers are pods, not containers ---
err=$("$KSHIM" logs --name "$N" 2>&1)
expect_eq "logs: exit 1" "$?" 1
expect_eq "  ... one line of cause" "$(head -n 1 <<<"$err")" \
	"kshim: logs: cluster '$N' is Service $NS/$SVC in Kubernetes, not containers in Docker"
expect_match "  ... and a hint naming kubectl logs and the forwarder's log" \
	"^hint: the brokers' output is in their pods: kubectl --context [^ ]+ --namespace $NS logs POD .*; the forwarder's is $KSHIM_HOME/$N\\.forward\\.log$" \
	"$(sed -n 2p <<<"$err")"
expect_eq "  ... kubectl logs as the hint says shows the broker's output" \
	"$(kubectl --namespace "$NS" logs my-cluster-kafka-0 -c kafka | grep -c 'Kafka Server started')" 1
err=$("$KSHIM" watch --name "$N" 2>&1)
expect_eq "watch: exit 1, one line of cause, a hint naming status" "$?|$(wc -l <<<"$err")|$(head -n 1 <<<"$err")" \
	"1|2|kshim: watch: cluster '$N' is Service $NS/$SVC in Kubernetes, not containers in Docker"
expect_match "  ... the hint" "^hint: its forwarder already follows the pods and keeps the table: kshim status --name $N " \
	"$(sed -n 2p <<<"$err")"
check "down" "$KSHIM" down --name "$N"

# --- an unprivileged OS user with a kubeconfig allowed only what attach needs ---
useradd --no-create-home --home-dir "$UH" --shell /usr/sbin/nologin "$U"
mkdir -p "$UH/.kube" "$UH/bin"
kc=$(bash "$TOP/scripts/kubernetes.sh" kubeconfig --user "$U" --role attach --namespace "$NS" 2>"$W/kc.err") ||
	notok "scripts/kubernetes.sh kubeconfig --role attach: $(tail -n 1 "$W/kc.err")"
cp "$kc" "$UH/.kube/config"
cp "$W/ca.crt" "$UH/ca.crt"
ln -s "$(readlink -f "$(command -v kubectl)")" "$UH/bin/kubectl"
chown -R "$U:" "$UH"
chmod 700 "$UH"
expect_eq "the user ($(id -u "$U")) may create pods/portforward in $NS, not list pods in default" \
	"$(as_user kubectl -n "$NS" auth can-i create pods --subresource=portforward) $(as_user kubectl -n default auth can-i list pods)" "yes no"
out=$(as_user "$KSHIM" attach --kubernetes --service "$SVC" --namespace "$NS" --name "$N" 2>&1)
rc=$?
expect_eq "attach as the user exits 0" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/    # /' <<<"$out"
fwd=$(cat "$UH/kshim/$N.forward.pid" 2>/dev/null)
fwd=${fwd:-0}
expect_eq "the forwarder and its 3 kubectl run as the user" \
	"$(ps -o user= -p "$fwd") $(pgrep -u "$U" -P "$fwd" -f "kubectl .*port-forward" | wc -l)" "$U 3"
expect_eq "the user's table directory is 0700 and its own" "$(stat -c '%a %U' "$UH/kshim")" "700 $U"
expect_eq "  ... its files 0600 (table, record, pid file, log)" \
	"$(cd "$UH/kshim" && stat -c '%a %U' "$N.table" "$N.kube" "$N.forward.pid" "$N.forward.log" | sort -u)" "600 $U"
USSL=(-X security.protocol=ssl -X "ssl.ca.location=$UH/ca.crt")
seq 1 $MSGS | as_user timeout 60 "$KSHIM" run --name "$N" -- kcat -b "$POD0:9094" "${USSL[@]}" -P -t tls-user -X acks=all
got=$(as_user timeout 60 "$KSHIM" run --name "$N" -- kcat -b "$POD0:9094" "${USSL[@]}" -C -t tls-user -o beginning -e -q 2>/dev/null | counts)
expect_eq "the user's kcat over TLS: $MSGS produced and consumed (count, distinct, sum)" "$got" "$WANT"
check "the user's down" as_user "$KSHIM" down --name "$N"
expect_eq "  ... leaves no forwarder and no file of the cluster" \
	"$(ps -o stat= -p "$fwd" | grep -vc '^Z') $(find "$UH/kshim" -name "$N.*" | wc -l)" "0 0"
finish
