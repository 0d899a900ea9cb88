#!/usr/bin/env bash
# make install into a staging directory: the command (kshim and kshim-full), the shim, the man page and
# the bash completion; the man page renders without warnings and covers every
# subcommand and option; the completion offers them and the clusters.
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
dest=$work/dest

for t in man:man-db groff:groff-base; do
	if command -v "${t%%:*}" >/dev/null; then ok "${t%%:*} is installed"; else
		notok "${t%%:*} is installed (Debian package ${t#*:})"
	fi
done
make -s -C "$TOP" install DESTDIR="$dest" PREFIX=/usr >"$work/install.log" 2>&1
check "make install DESTDIR=... PREFIX=/usr" test $? = 0
for f in bin/kshim:755 lib/kshim/kshim-full:755 lib/kshim/libkshim.so:644 share/man/man1/kshim.1:644 \
	share/bash-completion/completions/kshim:644; do
	expect_eq "installs /usr/${f%%:*} with mode ${f#*:}" "$(stat -c %a "$dest/usr/${f%%:*}" 2>&1)" "${f#*:}"
done
expect_match "the installed kshim --version names a version" '^kshim [0-9]+\.[0-9]+\.[0-9]+' \
	"$("$dest/usr/bin/kshim" --version)"
expect_eq "  ... the one the build tree has" "$("$dest/usr/bin/kshim" --version)" "$("$KSHIM" --version)"

page=$dest/usr/share/man/man1/kshim.1
MANWIDTH=80 man --warnings --nh -l "$page" >"$work/man.txt" 2>"$work/man.err"
expect_eq "man --warnings -l kshim.1: exit 0, no warnings" "$?|$(cat "$work/man.err")" "0|"
expect_match "  ... and it renders" '^NAME' "$(cat "$work/man.txt")"
text=$(cat "$work/man.txt")
joined=$(tr -s ' \n' '  ' <"$work/man.txt")
for s in SYNOPSIS DESCRIPTION COMMANDS ENVIRONMENT FILES "EXIT STATUS" EXAMPLES; do
	expect_match "man page section $s" "^$s\$" "$text"
done
for v in KSHIM_HOME XDG_RUNTIME_DIR KSHIM_IMAGE KSHIM_TABLE KSHIM_DEBUG DOCKER_HOST; do
	expect_match "man page ENVIRONMENT: $v" "^ {5}$v\$" "$text"
done
expect_match "man page: run --via preload|seccomp" '--via preload \| seccomp' "$text"
expect_match "man page: Go and static programs are supervised with seccomp user notification" \
	'Go programs and statically linked programs, .* run under a supervisor that uses seccomp user notification \(seccomp_unotify\(2\)\)' \
	"$joined"

# Every subcommand and every option of its usage is in the man page and in the completion.
. "$dest/usr/share/bash-completion/completions/kshim"
complete_line() { # complete_line WORD...: what _kshim offers for the last word
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_kshim
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
for cmd in up down status run env attach doctor logs table watch; do
	expect_match "man page describes kshim $cmd" "^ {5}kshim $cmd( |\$)" "$text"
	offered=$(complete_line kshim "$cmd" --)
	for opt in $("$KSHIM" "$cmd" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		expect_match "man page: $cmd $opt" "kshim $cmd .*$opt|^ {13}$opt" "$text"
		expect_match "completion: $cmd $opt" "(^| )$opt " "$offered"
	done
done

export KSHIM_HOME=$work/home
mkdir -m 700 "$KSHIM_HOME"
printf 'kshim-table 1\nkafka1 127.77.1.1 9092=127.0.0.1:1\nkafka2,b2 127.77.1.2 9092=127.0.0.1:2\n' >"$KSHIM_HOME/alpha.table"
: >"$KSHIM_HOME/beta.table"
: >"$KSHIM_HOME/run-4242.table"
expect_eq "completion: subcommands" "$(complete_line kshim st)" "status "
expect_eq "completion: every subcommand and --help, --version" "$(complete_line kshim '' | wc -w)" 13
expect_eq "completion: cluster names from the table directory, not run-<pid>" \
	"$(complete_line kshim status --name '')" "alpha beta "
expect_eq "completion: flavours" "$(complete_line kshim up --flavor '')" "apache bitnami confluent "
expect_eq "completion: config clients" "$(complete_line kshim config --client '')" "java librdkafka node python "
expect_eq "completion: SASL mechanisms" "$(complete_line kshim up --sasl '')" "plain scram-sha-512 "
expect_eq "completion: --via" "$(complete_line kshim run --via s)" "seccomp "
expect_eq "completion: logs offers the cluster's nodes" "$(complete_line kshim logs --name alpha '')" "kafka1 kafka2 "
finish
