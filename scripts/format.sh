#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Formats every C source and header in place with the repository's .clang-format (what
# tests/unit-lint.sh checks); prints the files it changed. Usage: scripts/format.sh [FILE...]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "format.sh: clang-format is missing; scripts/deps.sh --lint installs it" >&2; exit 1; }
if (($# == 0)); then
  mapfile -t files < <(bash scripts/lint-files.sh c)
else
  files=("$@")
fi
for f in "${files[@]}"; do
  before=$(sha256sum <"$f")
  clang-format -i --style=file "$f"
  [[ $(sha256sum <"$f") == "$before" ]] || echo "$f"
done
