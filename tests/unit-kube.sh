#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
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
PROBE=$TOP/build/helpers/kube_probe
make -s -C "$TOP" build/helpers/kube_probe >"$OUT/kube_probe.build" 2>&1 ||
	{ notok "build tests/helpers/kube_probe.c"; finish; }

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

# try DESC REGEX CLUSTER-FIELDS USER-FIELDS: kube_probe get /version with such a kubeconfig prints
# REGEX (a line of it); its output stays in $out.
try() {
	printf 'current-context: x\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:%s"%s}}]\n' \
		"$port" "$3" >"$W/config"
	printf 'users: [{name: u, user: {%s}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n' \
		"$4" >>"$W/config"
	out=$(KUBECONFIG=$W/config "$PROBE" get /version 2>&1)
	expect_match "$1" "$2" "$out"
}
cert="client-certificate-data: $(base64 -w0 "$W/alice.crt"), client-key: alice.key"
json='"minor":[[:space:]]*"34"'
unverified="^kshim: TLS with the Kubernetes API server at https://127.0.0.1:$port failed: SSL certificate problem"
try "the cluster's CA (a file) and a client certificate (-data) and key (a file): the JSON is read" \
	"$json" ", certificate-authority: ca.crt" "$cert"
try "no client certificate for a server that wants one: a TLS cause" \
	"^kshim: TLS with the Kubernetes API server at https://127.0.0.1:$port failed: .*certificate required" \
	", certificate-authority: ca.crt" "token: abc"
expect_match "  ... and a hint" "^hint: check certificate-authority\\(-data\\) of cluster 'c'" "$out"
try "a CA that did not sign the server's certificate: a TLS cause" "$unverified" \
	", certificate-authority-data: $(base64 -w0 "$W/other.crt")" "$cert"
try "no CA: the system's do not know the cluster's" "$unverified" "" "$cert"
try "insecure-skip-tls-verify: true, as the file says: read unverified" "$json" \
	", insecure-skip-tls-verify: true" "$cert"
finish
