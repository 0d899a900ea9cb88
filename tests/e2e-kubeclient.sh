#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# needs: root
# The Kubernetes client (launcher/lib/kube) against the real single-node
# cluster of scripts/kubernetes.sh, through tests/helpers/kube_probe: a headless
# Service of a 3-pod StatefulSet read with its pods (names, hostnames,
# subdomain, readiness, uids as kubectl shows them; a pod with only one of the
# selector's labels left out), users signing in with a client certificate, a
# bearer token and an exec plugin, access reviews for pods/portforward, and the
# cause and hint for RBAC's 403, a Service that does not exist or has no
# selector, a server that does not answer, a context that does not exist and a
# CA that did not sign the server's certificate.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || finish

NS=kshim-kc-$$
W=$(mktemp -d /tmp/kshim-kubeclient.XXXXXX)
PROBE=$TOP/build/helpers/kube_probe
PAUSE=docker.io/kshim/pause:3.10.1
# the ServiceAccounts that the token and exec users mint
accounts=("kc-token-$$" "kc-exec-$$")

cleanup() {
	kubectl delete namespace "$NS" --wait=false >/dev/null 2>&1
	kubectl -n kshim-users delete serviceaccount "${accounts[@]}" >/dev/null 2>&1
	# the minted users' files (kubeconfigs, keys, the plugin)
	[ -z "${minted:-}" ] || rm -f "$minted"/kc-{cert,token,exec,none}-$$[-.]*
	rm -rf "$W"
}

if ! make -s build/helpers/kube_probe >"$OUT/kube_probe.build" 2>&1; then
	notok "build tests/helpers/kube_probe.c"
	tail -n 20 "$OUT/kube_probe.build" | sed 's/^/    # /'
	finish
fi
# The shared cluster: the running one, else started; never stopped here.
if ! env=$(bash scripts/kubernetes.sh env 2>/dev/null || bash scripts/kubernetes.sh up 2>"$OUT/kubeclient-up.log"); then
	notok "scripts/kubernetes.sh up"
	tail -n 5 "$OUT/kubeclient-up.log" | sed 's/^/    # /'
	finish
fi
eval "$env"
trap cleanup EXIT

# mint NAME AUTH [ROLE]: a kubeconfig for a test user (cert, token or exec); prints its path.
mint() {
	bash scripts/kubernetes.sh kubeconfig --user "$1" --auth "$2" ${3:+--role "$3" --namespace "$NS"} \
		2>>"$OUT/kubeclient-mint.log"
}

kubectl create namespace "$NS" >/dev/null
kubectl -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web, kshim.test/tier: front}
  ports:
  - {name: kafka, port: 9092, targetPort: 9092}
  - {name: http, port: 80, targetPort: http}
---
apiVersion: v1
kind: Service
metadata: {name: bare}
spec:
  ports: [{port: 9092}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 3
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: web, kshim.test/tier: front}}
  template:
    metadata: {labels: {app: web, kshim.test/tier: front}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - {name: pause, image: $PAUSE, imagePullPolicy: Never, ports: [{name: http, containerPort: 8080}]}
---
apiVersion: v1
kind: Pod
metadata: {name: decoy, labels: {app: web}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - {name: pause, image: $PAUSE, imagePullPolicy: Never}
YAML
rolled_out() { kubectl -n "$NS" rollout status statefulset/web --timeout=120s >/dev/null; }
check "the StatefulSet's 3 pods are ready" rolled_out

out=$("$PROBE" service "$NS" web 2>&1)
expect_match "service: headless, 9092->9092 and the named port http->8080" \
	"^service $NS/web headless 1 ports 9092->9092 80->8080$" "$out"
expect_match "  ... 3 pods (the decoy with one of the two labels left out)" '^pods 3$' "$out"
expect_eq "  ... sorted by name" "$(awk '$1 == "pod" { printf "%s ", $2 }' <<<"$out")" \
	"web-0 web-1 web-2 "
expect_eq "  ... hostname = pod name, subdomain web, ready, not deleting" \
	"$(awk '$1 == "pod" && $4 == $2 && $6 == "web" && $10 == 1 && $12 == 0' <<<"$out" | wc -l)" 3
want=$(kubectl -n "$NS" get pods -l app=web,kshim.test/tier=front \
	-o jsonpath='{range .items[*]}{.metadata.name} {.metadata.uid} {.spec.nodeName}{"\n"}{end}' | sort)
expect_eq "  ... uids and node as kubectl shows them" \
	"$(awk '$1 == "pod" { print $2, $14, $8 }' <<<"$out")" "$want"

out=$("$PROBE" can "$NS" create pods/portforward 2>&1)
expect_match "the admin may create pods/portforward" '^yes' "$out"

cert=$(mint "kc-cert-$$" cert attach)
minted=$(dirname "$cert")
out=$(KUBECONFIG=$cert "$PROBE" service "$NS" web 2>&1)
expect_match "a client-certificate user with the attach role reads the Service" '^pods 3$' "$out"
expect_eq "  ... may create pods/portforward" \
	"$(KUBECONFIG=$cert "$PROBE" can "$NS" create pods/portforward 2>&1 | cut -d' ' -f1)" yes
expect_eq "  ... may not delete pods" \
	"$(KUBECONFIG=$cert "$PROBE" can "$NS" delete pods 2>&1 | cut -d' ' -f1)" no
token=$(mint "kc-token-$$" token attach)
out=$(KUBECONFIG=$token "$PROBE" service "$NS" web 2>&1)
expect_match "a bearer-token user reads it" '^pods 3$' "$out"
exec=$(mint "kc-exec-$$" exec attach)
out=$(KUBECONFIG=$exec "$PROBE" service "$NS" web 2>&1)
expect_match "a user whose exec plugin gives the token reads it" '^pods 3$' "$out"

none=$(mint "kc-none-$$" cert)
out=$(KUBECONFIG=$none "$PROBE" service "$NS" web 2>&1)
expect_match "without a role: 403, with the verb and resource refused" \
	"^kshim: reading Service $NS/web: services \"web\" is forbidden: User \"kc-none-$$\" cannot get resource \"services\" .*\\(403 Forbidden\\)$" "$out"
expect_match "  ... the hint says what to ask for" \
	"^hint: ask your administrator for get on services in $NS " "$out"
out=$(KUBECONFIG=$none "$PROBE" can "$NS" create pods/portforward 2>&1)
expect_match "  ... and kube_can answers no for pods/portforward" '^no' "$out"

out=$("$PROBE" service "$NS" nothere 2>&1)
expect_match "a Service that does not exist" "^kshim: Service $NS/nothere does not exist" "$out"
out=$("$PROBE" service "$NS" bare 2>&1)
expect_match "a Service without a selector" "^kshim: Service $NS/bare has no selector" "$out"

out=$("$PROBE" --context nope target 2>&1)
expect_match "a context that does not exist" "^kshim: context 'nope' does not exist in " "$out"
expect_match "  ... the hint lists those that do" \
	"^hint: kubectl config get-contexts lists them: $(kubectl config get-contexts -o name | paste -sd, | sed 's/,/, /g')$" "$out"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
kubectl config view --raw --minify | sed "s#server: .*#server: https://127.0.0.1:$port#" >"$W/closed"
out=$(KUBECONFIG=$W/closed "$PROBE" service "$NS" web 2>&1)
expect_match "an API server that does not answer" \
	"^kshim: reading Service $NS/web: cannot reach the Kubernetes API server at https://127.0.0.1:$port: Connection refused$" "$out"
expect_match "  ... hint: kubectl cluster-info" "^hint: is the API server at https://127.0.0.1:$port running\\? kubectl --context .* cluster-info$" "$out"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=other-ca \
	-keyout "$W/other.key" -out "$W/other.crt" -days 1 2>/dev/null
kubectl config view --raw --minify |
	sed "s#certificate-authority-data: .*#certificate-authority-data: $(base64 -w0 "$W/other.crt")#" >"$W/otherca"
out=$(KUBECONFIG=$W/otherca "$PROBE" service "$NS" web 2>&1)
expect_match "a CA that did not sign the server's certificate: TLS fails" \
	"^kshim: reading Service $NS/web: TLS with the Kubernetes API server at .* failed" "$out"
finish
