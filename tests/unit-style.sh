#!/usr/bin/env bash
# Every source file (.c .h .sh .py .js .java .go) opens with a comment that says what it is.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || finish
n=0
while IFS= read -r f; do
	first=$(awk 'NR == 1 && /^#!/ { next } { print; exit }' "$f")
	case $first in
	'/*'?* | '// '?* | '# '?* | '"""'?*) n=$((n + 1)) ;;
	*) notok "$f opens with a comment (it opens with: ${first:0:60})" ;;
	esac
done < <(find . -path ./build -prune -o -path ./tests/out -prune -o -path ./bench/out -prune -o \
	-path ./.git -prune -o -path '*/node_modules' -prune -o -type f \
	\( -name '*.[ch]' -o -name '*.sh' -o -name '*.py' -o -name '*.js' -o -name '*.java' -o -name '*.go' \) -print | sort)
check "  ... $n source files checked" test "$n" -gt 100

# Code and tests describe behaviour: a reader of them has no tracker.
refs=$(git -C "$TOP" grep -n -i -E 'issue [0-9]|done[- ]when [0-9]' -- . ':!README.md' 2>/dev/null)
expect_eq "no tracker references (issue N, done-when N) in code, tests or scripts" "$refs" ""
finish
