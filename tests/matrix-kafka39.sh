#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The client matrix once more against Kafka 3.9.1 (the last 3.x line), with
# kcat, Java (kafka-clients) and confluent-kafka for Python, all four columns, exact counts as in
# tests/matrix-clients.sh (which does the work; report in tests/out/matrix-3.9.1.md).
# Builds kshim/kafka:3.9.1 first (KAFKA_VERSION=3.9.1 scripts/kafka-image.sh, cached by input hash),
# unless KSHIM_MATRIX39_IMAGE names the image to use.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
image=${KSHIM_MATRIX39_IMAGE:-}
if [ -z "$image" ]; then
	image=kshim/kafka:3.9.1
	if ! DOCKER_HOST=unix:///var/run/docker.sock KAFKA_VERSION=3.9.1 bash "$TOP/scripts/kafka-image.sh"; then
		echo "not ok 1 - KAFKA_VERSION=3.9.1 scripts/kafka-image.sh builds $image"
		echo "1..1"
		exit 1
	fi
fi
# Clusters kmx39-*, logs in tests/out/matrix-3.9.1/: it can run beside tests/matrix-clients.sh.
KSHIM_MATRIX_IMAGE=$image MATRIX_CLIENTS="kcat confluent java" MATRIX_REPORT="$TOP/tests/out/matrix-3.9.1.md" \
	MATRIX_NAME=kmx39 MATRIX_OUT="$TOP/tests/out/matrix-3.9.1" exec bash "$TOP/tests/matrix-clients.sh"
