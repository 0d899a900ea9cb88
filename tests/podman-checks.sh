#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The checks of kshim against one Podman engine, shared by tests/e2e-podman.sh (Debian 12's
# Podman 4.3) and tests/e2e-podman5.sh (Debian 13's Podman 5): up -n 3, kcat and the Java client
# (kafka-clients) through the shim with exact counts, a client inside the cluster network, ports
# on loopback only, doctor naming Podman, a restarted node's new port, and down leaving no Podman
# container or network. Sourced after tests/lib.sh.
# Set: IMAGE, SOCK (the service's socket), SERVICE_PID, N (the cluster), TAG (names its files in
# $OUT), and pm (a function that runs that Podman's own CLI against that service).
LABEL=io.kshim.cluster
MSGS=1000
# The engine is named on every command that uses it: kshim and the docker CLI get it each time,
# never from an exported DOCKER_HOST.
kp() { DOCKER_HOST=unix://$SOCK "$KSHIM" "$@"; }
pdocker() { docker --host "unix://$SOCK" "$@"; }

podman_checks() {
	ok "Podman $(pdocker version --format '{{.Server.Version}}' 2>/dev/null)'s API answers on $SOCK and has $IMAGE"
	expect_eq "Podman names the image localhost/$IMAGE" \
		"$(pm image inspect --format '{{index .RepoTags 0}}' "$IMAGE")" "localhost/$IMAGE"

	t0=$(date +%s)
	out=$(kp up -n 3 --name "$N" --image "$IMAGE" 2>"$OUT/e2e-$TAG-up.err")
	rc=$?
	echo "# up -n 3 on Podman: $(($(date +%s) - t0)) s"
	expect_eq "up -n 3 on Podman exits 0" "$rc" 0
	[ "$rc" = 0 ] || { sed 's/^/    # /' "$OUT/e2e-$TAG-up.err"; finish; }
	expect_eq "up prints the bootstrap list" "$(echo "$out" | head -1)" "kafka1:9092,kafka2:9092,kafka3:9092"
	expect_eq "3 Podman containers carry the label" "$(pm ps -q --filter "label=$LABEL=$N" | wc -l)" 3
	expect_eq "each has the open-files limit kshim set (capped by Podman's own)" \
		"$(pm inspect --format '{{range .HostConfig.Ulimits}}{{.Name}}={{.Hard}} {{end}}' "$N-kafka1")" \
		"$(awk '/^Max open files/ {f = $5} /^Max processes/ {p = $3} END {print "RLIMIT_NOFILE=" (f < 65536 ? f : 65536) " RLIMIT_NPROC=" (p < 4096 ? p : 4096) " "}' \
			/proc/"$SERVICE_PID"/limits)"
	expect_eq "every published port is on 127.0.0.1 only (the docker CLI on Podman's socket)" \
		"$(pdocker inspect --format '{{range $p, $b := .NetworkSettings.Ports}}{{range $b}}{{.HostIp}}{{"\n"}}{{end}}{{end}}' \
			$(pdocker ps -q --filter "label=$LABEL=$N") | grep -v '^$' | sort -u)" "127.0.0.1"
	dr=$(kp doctor --name "$N")
	expect_eq "doctor passes all 10 layers on Podman" "$(echo "$dr" | grep -cE '^ *[0-9]+ [a-z]+ +ok ')" 10
	expect_match "doctor layer 1 names Podman and why" "^ 1 daemon +ok +Podman at unix://$SOCK answers, API 1\.[0-9]+ \(from DOCKER_HOST\)$" "$dr"

	topic=podman-kcat
	# Retried until every broker has registered: one that has not yet makes RF 3 fail.
	make_topic() {
		pm exec "$N-kafka1" kafka-topics.sh --bootstrap-server kafka1:9092 --create --if-not-exists \
			--topic "$topic" --partitions 3 --replication-factor 3 >"$OUT/$TAG-topic.log" 2>&1
	}
	check "topic $topic: 3 partitions, replication factor 3" wait_for 60 make_topic
	seq 1 $MSGS | DOCKER_HOST=unix://$SOCK timeout 60 "$KSHIM" run --name "$N" -- kcat -b kafka1:9092 -P -t "$topic" -X acks=all
	got=$(DOCKER_HOST=unix://$SOCK timeout 60 "$KSHIM" run --name "$N" -- kcat -b kafka1:9092 -C -t "$topic" -o beginning -e -q 2>/dev/null |
		awk '{n++; if (!s[$1]++) d++; t += $1} END {print n+0, d+0, t+0}')
	expect_eq "kcat through the shim: $MSGS produced and consumed (count, distinct, sum)" "$got" \
		"$MSGS $MSGS $((MSGS * (MSGS + 1) / 2))"

	java_deps() { bash "$TOP/scripts/matrix-deps.sh" >"$OUT/$TAG-deps.log" 2>&1; }
	check "scripts/matrix-deps.sh: the Java client's jars, installed when missing" java_deps
	eval "$(bash "$TOP/scripts/matrix-deps.sh" --print-env 2>/dev/null)"
	if cached "$OUT/$TAG-java" "$TOP/tests/matrix/MatrixClient.java" -- javac -nowarn --release 17 -cp "${MATRIX_JAVA_CP:-}" \
		-d "$OUT/$TAG-java" "$TOP/tests/matrix/MatrixClient.java" 2>"$OUT/$TAG-javac.log"; then
		DOCKER_HOST=unix://$SOCK timeout 120 "$KSHIM" run --name "$N" -- java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
			-cp "$OUT/$TAG-java:$MATRIX_JAVA_CP" MatrixClient kafka1:9092 podman-java $MSGS run1 60 \
			>"$OUT/$TAG-java.out" 2>"$OUT/$TAG-java.err"
		expect_eq "Java kafka-clients through the shim: produced, read, dups, bad, disorder, done" \
			"$(roundtrip_counts "$OUT/$TAG-java.out" run1)" "$MSGS $MSGS 0 0 0 1"
	else
		notok "javac MatrixClient.java (scripts/matrix-deps.sh fetches kafka-clients): $(head -1 "$OUT/$TAG-javac.log")"
	fi

	inside=$(pm run --rm --network "$N-net" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		--entrypoint kcat "$IMAGE" -b kafka1:9092 -C -t "$topic" -o beginning -e -q 2>/dev/null | wc -l)
	expect_eq "a Podman container on the cluster network reads all $MSGS from kafka1:9092" "$inside" "$MSGS"

	expect_eq "logs --tail 3 through Podman's log frames: 3 prefixed lines per node" \
		"$(kp logs --name "$N" --tail 3 | grep -cE '^kafka[1-3] \| ')" 9
	pm stop -t 5 "$N-kafka3" >/dev/null
	pm start "$N-kafka3" >/dev/null
	new=$(pm port "$N-kafka3" 9092/tcp | sed 's/.*://')
	kp status --name "$N" >/dev/null 2>&1
	expect_eq "kafka3 restarted on Podman: status puts its new port in the table" \
		"$(awk '$1 == "kafka3" {sub(/.*:/, "", $3); print $3}' "$KSHIM_HOME/$N.table")" "$new"

	expect_eq "down removes 3 containers, 1 network, the table" "$(kp down --name "$N")" \
		"cluster '$N': removed 3 containers, 1 network and the table"
	expect_eq "no Podman container or network of the cluster is left" \
		"$(pm ps -aq --filter "label=$LABEL=$N" | wc -l) $(pm network ls -q --filter "label=$LABEL=$N" | wc -l)" "0 0"
}
