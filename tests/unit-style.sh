#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every source file (.c .h .sh .py .js .java .go .rs .yaml, Makefile) opens with its SPDX
# license line and then a comment that says what it is; no code cites a tracker item.
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

# Code and tests describe behaviour: a reader of them has no tracker.
refs=$(git -C "$TOP" grep -n -i -E 'issue [0-9]|done[- ]when [0-9]' -- . ':!README.md' 2>/dev/null)
expect_eq "no tracker references (issue N, done-when N) in code, tests or scripts" "$refs" ""
finish
