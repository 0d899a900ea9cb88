#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unit tests of the attach record (launcher/lib/attached.c), under ASan and UBSan;
# then kshim attach against a stand-in engine (tests/helpers/fake_docker.py) whose
# replies have arrays where Docker has objects, which no real engine sends.
. "$(dirname "$0")/lib.sh"
unit_test attached_test

home=$(mktemp -d /tmp/kshim-attached.XXXXXX)
trap 'rm -rf "$home" "$home".*.sock' EXIT
for odd in "odd-ports:--network shop_default:no container on 'shop_default' publishes a TCP port" \
	"odd-networks:--compose shop:compose project 'shop' has no running container that publishes a port"; do
	kind=${odd%%:*} args=${odd#*:} want=${args#*:} args=${args%%:*} sock=$home.$kind.sock
	python3 "$TOP/tests/helpers/fake_docker.py" "$sock" "$kind" &
	fake=$!
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	# shellcheck disable=SC2086 # the options, split
	out=$(KSHIM_HOME=$home DOCKER_HOST=unix://$sock "$KSHIM" attach $args --name odd 2>&1)
	expect_eq "[$kind] attach $args: exit 1 (not a signal)" "$?" 1
	kill "$fake"
	wait "$fake" 2>/dev/null
	expect_eq "  ... with the cause" "$(grep '^kshim:' <<<"$out")" "kshim: $want"
	expect_eq "  ... and no table or record left" "$(ls "$home")" ""
done
finish
