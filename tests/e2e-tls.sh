#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kshim up --tls / --sasl against the real daemon and image: certificates that name only
# kafkaN verify through kshim run and inside the network, and fail as they should (127.0.0.1,
# a wrong password, a foreign CA, localhost mode without a localhost name); kshim config's
# files work with kcat -F and Java; SCRAM users exist from format time; nothing secret is
# readable by others; down removes it all.
# needs: docker root
. "$(dirname "$0")/lib.sh"

IMAGE=${KSHIM_TEST_IMAGE:-kshim/kafka:local}
N=tls$$
MSGS=1000
work=$(mktemp -d)
umask 077

cleanup() {
	for c in "$N" "$N-scram" "$N-lh" "$N-san" "$N-ll"; do "$KSHIM" down --name "$c" >/dev/null 2>&1; done
	rm -rf "$work"
}
trap cleanup EXIT

# kcat ARGS...: kcat with the settings of cluster $cluster (kshim config), through kshim run.
kc() { "$KSHIM" run --name "$cluster" -- kcat -F "$work/$cluster.conf" "$@"; }

# roundtrip TOPIC CMD...: MSGS records produced and consumed by CMD (kcat with settings):
# prints "consumed distinct".
roundtrip() {
	local t=$1
	shift
	seq 1 $MSGS | "$@" -P -t "$t" -X acks=all 2>"$work/produce.err" || { cat "$work/produce.err" >&2; return 1; }
	"$@" -C -t "$t" -o beginning -e -q 2>"$work/consume.err" |
		awk '{n++; if (!s[$1]++) d++} END {print n+0, d+0}'
}

# The port of kafka1 of cluster $1 on 127.0.0.1.
port1() { docker port "$1-kafka1" 9092 | sed -n 's/^127\.0\.0\.1://p' | head -n 1; }

echo "# image $IMAGE, KSHIM_HOME $KSHIM_HOME"

# --- internal mode, TLS and SASL PLAIN -------------------------------------------------
out=$("$KSHIM" up --name "$N" -n 3 --image "$IMAGE" --tls --sasl plain --timeout 240 2>&1)
expect_eq "up --tls --sasl plain: the internal bootstrap string" "$(printf '%s\n' "$out" | head -n 1)" \
	"kafka1:9092,kafka2:9092,kafka3:9092"
S=$KSHIM_HOME/$N.secrets
expect_eq "the secrets directory is 0700" "$(stat -c %a "$S")" 700
expect_eq "  ... its files: CA, 3 certificates, 3 keystores, credentials, each 0600" \
	"$(cd "$S" && stat -c '%a %n' * | tr '\n' ' ')" \
	"600 ca.crt 600 credentials 600 kafka1.crt 600 kafka1.keystore.pem 600 kafka2.crt 600 kafka2.keystore.pem 600 kafka3.crt 600 kafka3.keystore.pem "
expect_eq "nothing in the table directory is readable by group or others" \
	"$(find "$KSHIM_HOME" -perm /077 | wc -l)" 0
expect_eq "kafka2's certificate names exactly kafka2" \
	"$(openssl x509 -in "$S/kafka2.crt" -noout -ext subjectAltName | tail -n 1 | tr -d ' ')" "DNS:kafka2"
expect_eq "  ... and the cluster's CA signed it" "$(openssl verify -CAfile "$S/ca.crt" "$S/kafka2.crt")" \
	"$S/kafka2.crt: OK"
expect_eq "in the container: keystore, CA and secret properties owned by appuser, 0600" \
	"$(docker exec "$N-kafka2" stat -c '%a %U %n' /etc/kafka/secrets/kafka.keystore.pem /etc/kafka/secrets/ca.crt /mnt/shared/config/server.properties | tr '\n' ' ')" \
	"600 appuser /etc/kafka/secrets/kafka.keystore.pem 600 appuser /etc/kafka/secrets/ca.crt 600 appuser /mnt/shared/config/server.properties "
pw=$(sed -n 's/^password=//p' "$S/credentials")
expect_eq "no password in the containers' environment" \
	"$(docker inspect "$N-kafka1" "$N-kafka2" --format '{{range .Config.Env}}{{println .}}{{end}}' | grep -c -e "$pw" -e PASSWORD)" 0

out=$("$KSHIM" doctor --name "$N" 2>&1)
expect_match "doctor: all layers pass; layer 8 checked the certificates" \
	"8 advertised +ok +brokers advertise kafka1..3:9092, all in the table; their certificates name them, are valid and come from the cluster's CA" "$out"

cluster=$N
"$KSHIM" config --name "$N" >"$work/$N.conf"
expect_eq "config: librdkafka settings (password left out here)" \
	"$(grep -v '^#' "$work/$N.conf" | sed 's/^sasl.password=.*/sasl.password=…/')" \
	"bootstrap.servers=kafka1:9092,kafka2:9092,kafka3:9092
security.protocol=SASL_SSL
ssl.ca.location=$S/ca.crt
ssl.endpoint.identification.algorithm=https
sasl.mechanism=PLAIN
sasl.username=kshim
sasl.password=…"
expect_eq "  ... with the password of the credentials file" "$(sed -n 's/^sasl.password=//p' "$work/$N.conf")" "$pw"
"$KSHIM" config --name "$N" --client java >"$work/$N.properties"
expect_match "config --client java: a PEM truststore and PLAIN's JAAS line" \
	"ssl.truststore.type=PEM.ssl.truststore.location=$S/ca.crt.*PlainLoginModule required username=\"kshim\" password=\"$pw\";" \
	"$(tr '\n' '.' <"$work/$N.properties")"
expect_match "config --client python: kafka-python's names" '"ssl_check_hostname":[[:space:]]*true' \
	"$("$KSHIM" config --name "$N" --client python)"
expect_match "config --client node: kafkajs's sasl block, lower-case mechanism" '"mechanism":[[:space:]]*"plain"' \
	"$("$KSHIM" config --name "$N" --client node)"

docker exec "$N-kafka1" kafka-topics.sh --bootstrap-server kafka1:19092 --create --topic t1 \
	--partitions 3 --replication-factor 3 >/dev/null 2>&1
expect_eq "kcat -F <config> through kshim run, SASL_SSL, verification on: $MSGS produced, $MSGS consumed" \
	"$(roundtrip t1 kc)" "$MSGS $MSGS"

p=$(port1 "$N")
out=$(kcat -F "$work/$N.conf" -b "127.0.0.1:$p" -L -m 5 2>&1)
expect_match "127.0.0.1:<port> without kshim fails hostname verification" \
	"SSL handshake failed.*certificate verify failed" "$out"
sed 's/^sasl.password=.*/sasl.password=wrong-password/' "$work/$N.conf" >"$work/wrong.conf"
out=$("$KSHIM" run --name "$N" -- kcat -F "$work/wrong.conf" -L -m 10 2>&1)
expect_match "a wrong password fails SASL" "SASL authentication error: Authentication failed" "$out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/foreign.key" \
	-out "$work/foreign.crt" -subj "/CN=foreign CA" -days 30 >/dev/null 2>&1
sed "s|^ssl.ca.location=.*|ssl.ca.location=$work/foreign.crt|" "$work/$N.conf" >"$work/foreign.conf"
out=$("$KSHIM" run --name "$N" -- kcat -F "$work/foreign.conf" -L -m 10 2>&1)
expect_match "a foreign CA fails verification" "SSL handshake failed.*certificate verify failed" "$out"
expect_eq "inside the network (kafka1's namespace), the same settings: $MSGS consumed" \
	"$(bash "$TOP/tests/matrix/in-netns.sh" "$N-kafka1" -- kcat -F "$work/$N.conf" -C -t t1 -o beginning -e -q 2>/dev/null | wc -l)" "$MSGS"

out=$("$KSHIM" down --name "$N")
expect_eq "down removes the table and the secrets" "$out" \
	"cluster '$N': removed 3 containers, 1 network, the table and the secrets"
expect_eq "  ... nothing of $N is left in the table directory" "$(ls "$KSHIM_HOME" | grep -c "^$N\.\(table\|secrets\)")" 0

# --- SCRAM-SHA-512: users added at format time; Java authenticates, librdkafka 2.0.2 cannot ---
cluster=$N-scram
"$KSHIM" up --name "$N-scram" -n 1 --image "$IMAGE" --tls --sasl scram-sha-512 --timeout 240 >/dev/null 2>&1
expect_eq "up --tls --sasl scram-sha-512: ready (probed inside the network, with SCRAM)" \
	"$(ls "$KSHIM_HOME/$N-scram.secrets" | tr '
' ' ')" "ca.crt credentials kafka1.crt kafka1.keystore.pem "
"$KSHIM" config --name "$N-scram" --client java |
	sed 's|^ssl.truststore.location=.*|ssl.truststore.location=/etc/kafka/secrets/ca.crt|' |
	docker exec -i "$N-scram-kafka1" sh -c 'cat >/tmp/client.properties'
out=$(docker exec "$N-scram-kafka1" kafka-producer-perf-test.sh --topic t3 --num-records $MSGS \
	--record-size 100 --throughput -1 --producer.config /tmp/client.properties 2>&1 | tail -n 1)
expect_match "Java (in the network, SASL_SSL, SCRAM-SHA-512, verification on): $MSGS records sent" \
	"^$MSGS records sent" "$out"
"$KSHIM" config --name "$N-scram" >"$work/$N-scram.conf"
out=$("$KSHIM" run --name "$N-scram" -- kcat -F "$work/$N-scram.conf" -L -m 10 2>&1)
expect_match "kcat (librdkafka 2.0.2) with the right password: Kafka 4 refuses its SCRAM (nonce bug, fixed in 2.6.1)" \
	"SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512" "$out"
"$KSHIM" down --name "$N-scram" >/dev/null

# --- localhost mode: a certificate for kafka1 fails as localhost; with --tls-san localhost it works
cluster=$N-lh
"$KSHIM" up --name "$N-lh" -n 1 --image "$IMAGE" --advertise localhost --tls --timeout 240 >/dev/null 2>&1
"$KSHIM" config --name "$N-lh" >"$work/$N-lh.conf"
expect_match "localhost mode: config names localhost:<port>" "^bootstrap.servers=localhost:[0-9]+$" \
	"$(grep bootstrap "$work/$N-lh.conf")"
out=$(kcat -F "$work/$N-lh.conf" -L -m 10 2>&1)
expect_match "  ... without localhost in the certificate, the host client fails verification" \
	"SSL handshake failed.*certificate verify failed" "$out"
out=$("$KSHIM" doctor --name "$N-lh" 2>&1)
expect_match "  ... and doctor says the certificate does not name localhost, with the fix" \
	"kafka1: the certificate does not name localhost.*--tls-san localhost" "$(tr '\n' ' ' <<<"$out")"
"$KSHIM" down --name "$N-lh" >/dev/null

"$KSHIM" up --name "$N-san" -n 1 --image "$IMAGE" --advertise localhost --tls --tls-san localhost \
	--sasl plain --timeout 240 >/dev/null 2>&1
"$KSHIM" config --name "$N-san" >"$work/$N-san.conf"
expect_eq "  ... with --tls-san localhost (and --sasl plain) it works: $MSGS produced, $MSGS consumed" \
	"$(roundtrip t2 kcat -F "$work/$N-san.conf")" "$MSGS $MSGS"
expect_eq "  ... the certificate names kafka1 and localhost" \
	"$(openssl x509 -in "$KSHIM_HOME/$N-san.secrets/kafka1.crt" -noout -ext subjectAltName | tail -n 1 | tr -d ' ')" \
	"DNS:kafka1,DNS:localhost"
"$KSHIM" down --name "$N-san" >/dev/null

# --- --localhost-listener --tls (make bench's TLS comparison): both client listeners verify
cluster=$N-ll
out=$("$KSHIM" up --name "$N-ll" -n 1 --image "$IMAGE" --tls --tls-san localhost --localhost-listener \
	--timeout 240 2>&1)
loc=$(printf '%s\n' "$out" | sed -n 2p)
expect_match "up --tls --tls-san localhost --localhost-listener: the second line is localhost:<port>" \
	"^localhost:[0-9]+$" "$loc"
"$KSHIM" config --name "$N-ll" >"$work/$N-ll.conf"
expect_eq "  ... kafka1:9092 through kshim run, verified: $MSGS produced, $MSGS consumed" \
	"$(roundtrip t3 kc)" "$MSGS $MSGS"
expect_eq "  ... the same records on $loc without kshim, TLS verified as localhost" \
	"$(kcat -F "$work/$N-ll.conf" -b "$loc" -C -t t3 -o beginning -e -q 2>"$work/ll.err" | wc -l)" "$MSGS"
"$KSHIM" down --name "$N-ll" >/dev/null
expect_eq "after every down, the table directory holds only the directory's own lock" \
	"$(ls -A "$KSHIM_HOME" | grep -vx '\.tables\.lock' | wc -l)" 0
finish
