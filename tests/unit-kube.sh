#!/usr/bin/env bash
# The Kubernetes client without a Kubernetes: kubeconfig merging, contexts, credentials, exec
# plugins and an unreachable server (kube_test), then the TLS material against a loopback TLS
# server (openssl s_server serving a JSON file, asking for a client certificate signed by its CA).
. "$(dirname "$0")/lib.sh"
unit_test kube_test

W=$(mktemp -d /tmp/kshim-kube-tls.XXXXXX)
server=
cleanup() {
	[ -z "$server" ] || kill "$server" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
PROBE=$TOP/build/unit/kube_probe
make -s -C "$TOP" build/unit/kube_probe >"$OUT/kube_probe.build" 2>&1 ||
	{ notok "build tests/unit/kube_probe.c"; finish; }

# issue NAME CA [SAN]: an EC key and a certificate for CN=NAME signed by CA (self-signed without one).
issue() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" -days 1 \
		${2:+-CA "$W/$2.crt" -CAkey "$W/$2.key"} ${3:+-addext "subjectAltName=$3"} \
		-keyout "$W/$1.key" -out "$W/$1.crt" 2>/dev/null
}
issue ca && issue other && issue server ca IP:127.0.0.1 && issue alice ca ||
	{ notok "openssl makes the certificates"; finish; }
mkdir "$W/www" && echo '{"major":"1","minor":"34"}' >"$W/www/version"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$W/www" && exec openssl s_server -accept "127.0.0.1:$port" -cert ../server.crt -key ../server.key \
	-CAfile ../ca.crt -Verify 1 -WWW -quiet >/dev/null 2>&1) &
server=$!
for _ in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" \
	2>/dev/null && break; sleep 0.1; done

# kubeconfig NAME CLUSTER-FIELDS USER-FIELDS: a kubeconfig for the server.
kubeconfig() {
	printf 'current-context: x\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:%s"%s}}]\n' "$port" "$2" >"$W/$1"
	printf 'users: [{name: u, user: {%s}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n' "$3" >>"$W/$1"
}
cert="client-certificate-data: $(base64 -w0 "$W/alice.crt"), client-key: alice.key"
kubeconfig good ", certificate-authority: ca.crt" "$cert"
out=$(KUBECONFIG=$W/good "$PROBE" get /version 2>&1)
expect_match "the cluster's CA (a file) and a client certificate (-data) and key (a file): the JSON is read" \
	'"minor":[[:space:]]*"34"' "$out"
kubeconfig nocert ", certificate-authority: ca.crt" "token: abc"
out=$(KUBECONFIG=$W/nocert "$PROBE" get /version 2>&1)
expect_match "no client certificate for a server that wants one: a TLS cause" \
	"^kshim: TLS with the Kubernetes API server at https://127.0.0.1:$port failed: .*certificate required" "$out"
expect_match "  ... and a hint" "^hint: check certificate-authority\\(-data\\) of cluster 'c'" "$out"
kubeconfig otherca ", certificate-authority-data: $(base64 -w0 "$W/other.crt")" "$cert"
out=$(KUBECONFIG=$W/otherca "$PROBE" get /version 2>&1)
expect_match "a CA that did not sign the server's certificate: a TLS cause" \
	"^kshim: TLS with the Kubernetes API server at .* failed: SSL certificate problem" "$out"
kubeconfig noca "" "$cert"
out=$(KUBECONFIG=$W/noca "$PROBE" get /version 2>&1)
expect_match "no CA: the system's do not know the cluster's" \
	"^kshim: TLS with the Kubernetes API server at .* failed: SSL certificate problem" "$out"
kubeconfig insecure ", insecure-skip-tls-verify: true" "$cert"
out=$(KUBECONFIG=$W/insecure "$PROBE" get /version 2>&1)
expect_match "insecure-skip-tls-verify: true, as the file says: read unverified" '"minor":[[:space:]]*"34"' "$out"
finish
