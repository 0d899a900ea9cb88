#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every source file (.c .h .sh .py .js .java .go .rs .yaml, Makefile) opens with its SPDX
# license line and then a comment that says what it is; C files keep the header rule (the
# Makefile's comment above PUBLIC_HEADERS); no suite compiles C itself; no code cites a tracker item.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || finish

# opening FILE: its first two lines after any #! line, joined by a tab.
opening() { awk 'NR == 1 && /^#!/ { next } { l[++n] = $0 } n == 2 { exit } END { print l[1] "\t" l[2] }' "$1"; }

n=0
while IFS= read -r f; do
	IFS=$'\t' read -r spdx first < <(opening "$f")
	case $spdx in
	*'SPDX-License-Identifier: Apache-2.0'*) ;;
	*) notok "$f opens with its SPDX line (it opens with: ${spdx:0:60})"; continue ;;
	esac
	case $first in
	'/*'?* | '// '?* | '//! '?* | '# '?* | '"""'?*) n=$((n + 1)) ;;
	*) notok "$f says what it is in a comment after its SPDX line (it has: ${first:0:60})" ;;
	esac
done < <(find . -path ./build -prune -o -path ./tests/out -prune -o -path ./bench/out -prune -o \
	-path ./.git -prune -o -path '*/node_modules' -prune -o -path '*/target' -prune -o -type f \
	\( -name '*.[ch]' -o -name '*.sh' -o -name '*.py' -o -name '*.js' -o -name '*.java' \
	-o -name '*.go' -o -name '*.rs' -o -name '*.yaml' -o -name Makefile \) -print | sort)
check "  ... $n source files checked" test "$n" -gt 200

# The check itself: a file without the SPDX line, and one without a comment after it, fail.
scratch=$(mktemp -d)
printf '/* A file without its license line. */\nint x;\n' >"$scratch/a.c"
printf '#!/bin/sh\n# SPDX-License-Identifier: Apache-2.0\necho no comment\n' >"$scratch/b.sh"
expect_eq "  ... a file without its SPDX line is caught" "$(opening "$scratch/a.c" | cut -f1 | grep -c SPDX)" 0
expect_eq "  ... a #! script's SPDX line is found, and the line after it read" \
	"$(opening "$scratch/b.sh")" $'# SPDX-License-Identifier: Apache-2.0\techo no comment'
rm -rf "$scratch"

# The header rule (the Makefile's comment above PUBLIC_HEADERS says it in full).
public=" $(sed -n 's/^PUBLIC_HEADERS *= *//p' Makefile) "

# header_breaks FILE...: "FILE: HEADER" for each include, in a file outside the
# header's folder, of an engine/, seccomp/ or kube/ header that is not public
# or of a shim/ header, but for what the rule lets tests include. Paths are
# relative to the tree's top, the current directory.
header_breaks() {
	local f inc h dir
	for f; do
		while IFS= read -r inc; do
			[[ $inc =~ (^|/)((engine|seccomp|kube|shim)/[A-Za-z0-9_]+\.h)$ ]] || continue
			h=${BASH_REMATCH[2]} dir=${BASH_REMATCH[3]}
			[ "$dir" = shim ] || h=launcher/lib/$h
			case $f in "${h%/*}"/*) continue ;; esac
			case $public in *" $h "*) continue ;; esac
			case $dir:$f in shim:*) ;; *:tests/unit/"$dir"_*.c) continue ;; esac
			case $f:$h in tests/fuzz/*:shim/core.h) continue ;; esac
			echo "$f: $inc"
		done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
	done
}

mapfile -t sources < <(git ls-files '*.c' '*.h')
expect_eq "no C file outside engine/, seccomp/ and kube/ includes their private headers, nor shim's (${#sources[@]} files)" \
	"$(header_breaks "${sources[@]}")" ""
expect_eq "  ... every public header exists" "$(for h in $public; do [ -f "$h" ] || echo "$h"; done)" ""
# The checker itself: planted includes that break the rule are caught, the allowed ones are not.
scratch=$(mktemp -d)
mkdir -p "$scratch/launcher/lib/kube" "$scratch/tests/unit" "$scratch/tests/fuzz"
printf '#include "lib/engine/docker_priv.h"\n#include "lib/engine/docker.h"\n' >"$scratch/launcher/bad.c"
printf '#include "../../shim/core.h"\n#include "lib/seccomp/notify.h"\n' >"$scratch/tests/unit/paths_test.c"
printf '#include "lib/seccomp/table.h"\n' >"$scratch/tests/unit/seccomp_table_test.c"
printf '#include "internal.h"\n#include "../seccomp/mem.h"\n' >"$scratch/launcher/lib/kube/x.c"
printf '#include "../../shim/core.h"\n' >"$scratch/tests/fuzz/f.c"
printf '#include "../../shim/real.h"\n' >"$scratch/tests/unit/shim_test.c"
got=$(cd "$scratch" && header_breaks launcher/bad.c tests/unit/paths_test.c tests/unit/seccomp_table_test.c \
	launcher/lib/kube/x.c tests/fuzz/f.c tests/unit/shim_test.c)
expect_eq "  ... planted breaks are caught: a private engine header, shim/core.h and seccomp/notify.h in another folder's test, seccomp/mem.h from kube/, shim/real.h in a test" \
	"$got" "launcher/bad.c: lib/engine/docker_priv.h
tests/unit/paths_test.c: ../../shim/core.h
tests/unit/paths_test.c: lib/seccomp/notify.h
launcher/lib/kube/x.c: ../seccomp/mem.h
tests/unit/shim_test.c: ../../shim/real.h"
rm -rf "$scratch"

# A suite or benchmark compiles no C itself: the Makefile's rules build every program they run.
# compiles FILE...: the lines, outside comments, that run a C compiler to write a file.
compiles() {
	grep -nE '^[^#]*(^|[^A-Za-z0-9_./-])(cc|gcc|clang|musl-gcc|\$\{?CC\}?"?) ([^#]* )?-(o|c|shared|static)( |$)' "$@"
}
mapfile -t scripts < <(git ls-files 'tests/*.sh' 'bench/*.sh' ':!tests/unit-style.sh')
expect_eq "no compiler line in the ${#scripts[@]} suite and benchmark scripts, this one's planted lines aside (make builds their programs)" \
	"$(compiles "${scripts[@]}")" ""
scratch=$(mktemp -d)
printf '%s\n' 'cc -static -o "$w/p" "$w/s.c"' 'x=$(cc -print-file-name=libasan.so)' '# gcc -o x x.c' \
	'	"$CC" -fPIC -shared -o x.so x.c' 'clang -O2 -c x.c' >"$scratch/s.sh"
expect_eq "  ... planted compiler lines are caught, a compiler asked a question and a comment are not" \
	"$(compiles "$scratch/s.sh" | cut -d: -f1 | tr '\n' ' ')" "1 4 5 "
rm -rf "$scratch"

# Code and tests describe behaviour: a reader of them has no tracker.
refs=$(git -C "$TOP" grep -n -i -E 'issue [0-9]|done[- ]when [0-9]' -- . ':!README.md' 2>/dev/null)
expect_eq "no tracker references (issue N, done-when N) in code, tests or scripts" "$refs" ""
finish
