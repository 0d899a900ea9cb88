#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The linters, from Debian's packages: every C file is as clang-format leaves it (.clang-format;
# scripts/format.sh formats the tree), and shellcheck finds no warning in any shell script
# (.shellcheckrc). Each check is also shown to fail on a planted bad file.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || finish
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# tool NAME: present, or a failure naming the package (make check installs it as root).
tool() {
	command -v "$1" >/dev/null && return
	notok "$1 is missing: the Debian package $1 (scripts/deps.sh --lint installs it, as root)"
	return 1
}

# unformatted FILE...: the files clang-format would change, one a line.
unformatted() {
	clang-format --dry-run --Werror --style=file "$@" 2>&1 |
		sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' | sort -u
}

# warnings FILE...: shellcheck's warnings and errors, one a line.
warnings() { shellcheck --severity=warning --format=gcc "$@"; }

# The major version .clang-format says the tree is formatted with, and the installed one's.
want_cf=$(sed -n 's/^# The tree is formatted with clang-format \([0-9]*\).*/\1/p' .clang-format)
have_cf=$(clang-format --version 2>/dev/null | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
if [ -n "$have_cf" ] && [ "$have_cf" != "$want_cf" ]; then
	echo "# clang-format $have_cf lays some lines out differently from $want_cf, the tree's: layout not compared"
elif tool clang-format; then
	mapfile -t c_files < <(bash scripts/lint-files.sh c)
	bad=$(unformatted "${c_files[@]}")
	expect_eq "clang-format would change none of the ${#c_files[@]} C files (scripts/format.sh formats them)" \
		"$bad" ""
	cp .clang-format "$work/"
	printf '/* SPDX */\nint  main( void ) { return 0 ; }\n' >"$work/bad.c"
	expect_eq "  ... and it names a planted badly formatted file" "$(unformatted "$work/bad.c")" "$work/bad.c"
fi

if tool shellcheck; then
	mapfile -t scripts < <(bash scripts/lint-files.sh shell)
	# a few scripts a process, one process a core: each follows tests/lib.sh again
	out=$(printf '%s\0' "${scripts[@]}" | xargs -0 -n 4 -P "$(nproc)" \
		shellcheck --severity=warning --format=gcc 2>&1)
	expect_eq "shellcheck finds no warning in the ${#scripts[@]} shell scripts" "$out" ""
	expect_eq "  ... among them tests/lib.sh, .ci/run and the bash completion" \
		"$(printf '%s\n' "${scripts[@]}" | grep -cx -e tests/lib.sh -e .ci/run -e completions/kshim.bash)" 3
	cp .shellcheckrc "$work/"
	printf '#!/bin/bash\n# SPDX\ncd $1\nunused=1\n' >"$work/bad.sh"
	expect_match "  ... and it names a planted script's warnings" \
		"bad.sh:3:1: warning: .*SC2164.*bad.sh:4:1: warning: .*SC2034" "$(warnings "$work/bad.sh" | tr '\n' ' ')"
fi
finish
