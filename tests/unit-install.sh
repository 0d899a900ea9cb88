#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make install into a staging directory: the command (kshim and kshim-full), the shim, the man page and
# the bash completion; the man page renders without warnings and covers every
# subcommand and option; the completion offers them and the clusters. The
# packager's variables: LIBDIR, uninstall, CPPFLAGS, LDFLAGS and WERROR=0.
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
	expect_match "man page ENVIRONMENT: $v" "^ +$v\$" "$text"
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
for cmd in up down status run env attach doctor logs debug table watch; do
	expect_match "man page describes kshim $cmd" "^ +kshim +$cmd( |\$)" "$text"
	offered=$(complete_line kshim "$cmd" --)
	for opt in $("$KSHIM" "$cmd" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		expect_match "man page: $cmd $opt" "kshim +$cmd .*$opt|^ +$opt" "$text"
		expect_match "completion: $cmd $opt" "(^| )$opt " "$offered"
	done
done

# A multiarch LIBDIR: the shim goes there, and the kshim built for it finds it.
multi=$work/multi
make -s -C "$TOP" BUILD="$work/build-multi" install DESTDIR="$multi" PREFIX=/usr \
	LIBDIR=/usr/lib/x86_64-linux-gnu >"$work/multi.log" 2>&1
check "make install LIBDIR=/usr/lib/x86_64-linux-gnu" test $? = 0
expect_eq "  ... puts the shim in LIBDIR/kshim" \
	"$(stat -c %a "$multi/usr/lib/x86_64-linux-gnu/kshim/libkshim.so" 2>&1)" 644
expect_match "  ... and the kshim built for it knows that directory" \
	'/usr/lib/x86_64-linux-gnu/kshim' "$(strings "$work/build-multi/kshim")"
make -s -C "$TOP" BUILD="$work/build-multi" uninstall DESTDIR="$multi" PREFIX=/usr \
	LIBDIR=/usr/lib/x86_64-linux-gnu >>"$work/multi.log" 2>&1
expect_eq "make uninstall leaves no file and no kshim directory" \
	"$(find "$multi" -type f -o -type d -name kshim | wc -l)" 0

# The shim alone, built three ways: CPPFLAGS and LDFLAGS reach the compiler and
# the linker, and WERROR=0 turns warnings back into warnings.
shim_with() { # shim_with NAME VAR=VALUE...: builds the shim into $work/NAME
	make -s -C "$TOP" BUILD="$work/$1" "${@:2}" "$work/$1/libkshim.so" >"$work/$1.log" 2>&1
}
shim_with fortify CPPFLAGS=-D_FORTIFY_SOURCE=2 LDFLAGS=-Wl,-z,now
check "shim built with CPPFLAGS and LDFLAGS" test $? = 0
expect_match "  ... CPPFLAGS=-D_FORTIFY_SOURCE=2: it calls glibc's checked functions" \
	'__[a-z]+_chk' "$(nm -D "$work/fortify/libkshim.so" 2>&1)"
expect_match "  ... LDFLAGS=-Wl,-z,now: it is bound at load" 'BIND_NOW' \
	"$(readelf -d "$work/fortify/libkshim.so" 2>&1)"
shim_with padded CFLAGS='-O2 -Wpadded'
expect_eq "a warning (-Wpadded) stops the build by default" "$?" 2
shim_with padded-nowerror CFLAGS='-O2 -Wpadded' WERROR=0
check "  ... and not with WERROR=0" test $? = 0
expect_match "  ... which still prints it" 'Wpadded' "$(cat "$work/padded-nowerror.log")"

export KSHIM_HOME=$work/home
mkdir -m 700 "$KSHIM_HOME"
printf 'kshim-table 1\nkafka1 127.77.1.1 9092=127.0.0.1:1\nkafka2,b2 127.77.1.2 9092=127.0.0.1:2\n' >"$KSHIM_HOME/alpha.table"
: >"$KSHIM_HOME/beta.table"
: >"$KSHIM_HOME/run-4242.table"
: >"$KSHIM_HOME/run.4242.table"
expect_eq "completion: subcommands" "$(complete_line kshim st)" "status "
expect_eq "completion: every subcommand and --help, --version" "$(complete_line kshim '' | wc -w)" 14
expect_eq "completion: cluster names from the table directory (run-4242 too), not run.<pid>" \
	"$(complete_line kshim status --name '')" "alpha beta run-4242 "
expect_eq "completion: flavours" "$(complete_line kshim up --flavor '')" "apache bitnami confluent "
expect_eq "completion: config clients" "$(complete_line kshim config --client '')" "java librdkafka node python "
expect_eq "completion: SASL mechanisms" "$(complete_line kshim up --sasl '')" "plain scram-sha-512 "
expect_eq "completion: --via" "$(complete_line kshim run --via s)" "seccomp "
expect_eq "completion: logs offers the cluster's nodes" "$(complete_line kshim logs --name alpha '')" "kafka1 kafka2 "
expect_eq "completion: debug offers the cluster's nodes" "$(complete_line kshim debug --name alpha '')" "kafka1 kafka2 "
finish
