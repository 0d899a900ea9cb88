#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Lists the files the linters read, one a line, from the top of the tree (tracked and new ones):
#   scripts/lint-files.sh c       the C sources and headers (.clang-format's files)
#   scripts/lint-files.sh shell   every shell script: *.sh, *.bash, and files that open with a sh/bash #!
set -euo pipefail
cd "$(dirname "$0")/.."

# files [PATTERN...]: from git, or, in a tree without .git (a source tarball), every file but
# the build's and the tests' output
files() {
  if [ -e .git ]; then
    git ls-files --cached --others --exclude-standard -- "$@" | sort -u
  else
    find . -path ./build -prune -o -path ./tests/out -prune -o -type f -print | sed 's|^\./||' |
      while IFS= read -r f; do
        [ $# = 0 ] && { echo "$f"; continue; }
        # shellcheck disable=SC2254 # the patterns are globs, as git's pathspecs are
        for p; do case $f in $p) echo "$f"; break ;; esac; done
      done | sort -u
  fi
}

case ${1:-} in
c) files 'launcher/*.[ch]' 'shim/*.[ch]' 'common/*.[ch]' 'include/*.[ch]' 'tests/*.[ch]' 'bench/*.[ch]' ;;
shell)
  files | while IFS= read -r f; do
    [ -f "$f" ] || continue
    case $f in
    *.sh | *.bash) echo "$f" ;;
    *) if head -n 1 "$f" | grep -qE '^#!.*[/ ](ba)?sh( |$)'; then echo "$f"; fi ;;
    esac
  done
  ;;
*) echo "usage: scripts/lint-files.sh c|shell" >&2; exit 2 ;;
esac
