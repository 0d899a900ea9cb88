#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kshim's command line: --help and usage errors for every subcommand, one way
# each (exit 0 with the usage on stdout; exit 2, the cause and the usage on
# stderr), decided before any Docker daemon is asked.
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# run_kshim ARG...: fills rc, out (stdout) and err (stderr). Its engine is a socket that does
# not exist, so a command that asked Docker anything would fail.
run_kshim() {
	DOCKER_HOST=unix:///nonexistent/docker.sock "$KSHIM" "$@" >"$work/out" 2>"$work/err"
	rc=$? out=$(cat "$work/out") err=$(cat "$work/err")
}

for cmd in up down status run env config attach doctor logs debug table watch; do
	run_kshim "$cmd" --help
	expect_eq "$cmd --help: exit 0, nothing on stderr" "$rc|$err" "0|"
	expect_match "  ... its usage on stdout" "^usage: kshim $cmd " "${out%%$'\n'*}"
	run_kshim "$cmd" --no-such-option
	expect_eq "$cmd --no-such-option: exit 2, nothing on stdout" "$rc|$out" "2|"
	expect_eq "  ... the cause first" "${err%%$'\n'*}" "kshim: $cmd: unknown option '--no-such-option'"
	expect_match "  ... then the usage" "^usage: kshim $cmd " "$(sed -n 2p "$work/err")"
done

run_kshim status --name Not_A_Name
expect_eq "a bad cluster name is a usage error" "$rc" 2
expect_match "  ... naming it" "^kshim: bad cluster name 'Not_A_Name'" "$err"
run_kshim up -n
expect_eq "a missing value is a usage error" "$rc|${err%%$'\n'*}" "2|kshim: up: option '-n' needs a value"
run_kshim logs kafka1 kafka2
expect_eq "an extra argument is a usage error" "$rc|${err%%$'\n'*}" "2|kshim: logs: unexpected argument 'kafka2'"
run_kshim debug
expect_eq "debug without a node" "$rc|${err%%$'\n'*}" "2|kshim: debug: give a node (e.g. kafka1)"
run_kshim debug kafka1 ss
expect_eq "debug: a command comes after --" "$rc|${err%%$'\n'*}" "2|kshim: debug: unexpected argument 'ss'"
run_kshim debug kafka1 --
expect_eq "debug: -- with no command" "$rc|${err%%$'\n'*}" "2|kshim: debug: '--' must be followed by a command"
run_kshim attach
expect_eq "attach without --network, --compose or --kubernetes" "$rc|${err%%$'\n'*}" \
	"2|kshim: attach: give one of --network, --compose and --kubernetes"
run_kshim attach --kubernetes
expect_eq "attach --kubernetes without --service: exit 2" "$rc|${err%%$'\n'*}" \
	"2|kshim: attach: --kubernetes needs --service"
run_kshim attach --network n --namespace kafka
expect_eq "attach --namespace without --kubernetes: exit 2" "$rc|${err%%$'\n'*}" \
	"2|kshim: attach: --namespace goes with --kubernetes"
run_kshim attach --kubernetes --service s --network n
expect_eq "attach --kubernetes with --network: exit 2" "$rc|${err%%$'\n'*}" \
	"2|kshim: attach: give one of --network, --compose and --kubernetes"
# Every option of attach's usage is in the man page and the completion.
for opt in $("$KSHIM" attach --help | grep -o -- '--[a-z-]*' | sort -u); do
	expect_eq "attach $opt: in kshim.1 and completions/kshim.bash" \
		"$(grep -c -- "Fl ${opt#-}\b" "$TOP/kshim.1" | sed 's/^[1-9][0-9]*$/y/')$(grep -c -- "[ \"]$opt\b" "$TOP/completions/kshim.bash" | sed 's/^[1-9][0-9]*$/y/')" yy
done
run_kshim status --json
expect_eq "without a usage error the daemon is asked (exit 1, not 2)" "$rc" 1
expect_match "  ... and its absence is the cause" "^kshim: cannot connect to the Docker daemon" "$err"

run_kshim
expect_eq "no command: exit 2" "$rc" 2
expect_match "  ... the cause, then the commands" "^kshim: no command given"$'\n'"usage: kshim <command>" "$err"
run_kshim frobnicate
expect_eq "an unknown command: exit 2, named" "$rc|${err%%$'\n'*}" "2|kshim: unknown command 'frobnicate'"
run_kshim --help
expect_eq "kshim --help: exit 0, on stdout" "$rc|$err" "0|"
for cmd in up down status run env config attach doctor logs debug table watch; do
	expect_match "kshim --help lists $cmd" "^  $cmd +[a-z]" "$out"
done
run_kshim --version
expect_match "kshim --version: the version on stdout" '^kshim [0-9]+\.[0-9]+\.[0-9]+' "$out"
expect_eq "  ... exit 0, nothing on stderr" "$rc|$err" "0|"
run_kshim config --client perl
expect_eq "config --client perl: exit 2, the cause" "$rc|${err%%$'\n'*}" "2|kshim: config: unknown client 'perl'"
run_kshim up --tls-san localhost
expect_eq "up --tls-san without --tls: exit 2" "$rc|${err%%$'\n'*}" "2|kshim: up: --tls-san needs --tls"
run_kshim up --localhost-listener --tls
expect_eq "up --localhost-listener --tls without --tls-san localhost: exit 2, the cause and hint" \
	"$rc|$(head -n 2 <<<"$err" | tr '\n' ' ')" \
	"2|kshim: up: --localhost-listener --tls: the certificates must name localhost hint: add --tls-san localhost "
run_kshim up --localhost-listener --sasl plain
expect_eq "up --localhost-listener --sasl: exit 2" "$rc|${err%%$'\n'*}" \
	"2|kshim: up: --localhost-listener does not authenticate; not with --sasl"
run_kshim up --tls --flavor bitnami
expect_eq "up --tls with bitnami: exit 2" "$rc|${err%%$'\n'*}" "2|kshim: --tls and --sasl need the apache flavour, not bitnami"
run_kshim up --sasl gssapi
expect_eq "up --sasl gssapi: exit 2" "$rc|${err%%$'\n'*}" "2|kshim: unknown SASL mechanism 'gssapi'"
run_kshim run --via ptrace -- true
expect_eq "run --via ptrace: exit 2, the cause" "$rc|${err%%$'\n'*}" "2|kshim: --via ptrace: expected preload or seccomp"
run_kshim run --name Not_A_Name -- true
expect_eq "run --name is validated: exit 2" "$rc" 2
run_kshim run --map k:1=127.0.0.1:1
expect_eq "run without a command: exit 2, the cause" "$rc|${err%%$'\n'*}" "2|kshim: run: no command given"
run_kshim run --map k:1=127.0.0.1:1 --table /dev/null -- true
expect_eq "run with --map and --table: exit 2" "$rc" 2

# One default Kafka version: the image make kafka-image builds, kshim up's default, the man page.
v=$(sed -n 's/^DEFAULT_KAFKA_VERSION=\([0-9.]*\).*/\1/p' "$TOP/scripts/kafka-image.sh")
expect_match "kafka-image.sh has a default Kafka version" '^[0-9]+\.[0-9]+\.[0-9]+$' "$v"
expect_eq "kshim up's default image has it" "$(grep -c "DEFAULT_IMAGE \"apache/kafka:$v\"" "$TOP/launcher/up.c")" 1
expect_eq "  ... and kshim.1 names it" "$(grep -c "^\.Ql apache/kafka:$v \.$" "$TOP/kshim.1")" 1
finish
