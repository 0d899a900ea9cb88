#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The shim's dynamic symbols are exactly its hooks: the functions marked KSHIM_EXPORT in
# shim/*.c, the names shim/libkshim.lds lists, and what nm finds defined in libkshim.so
# agree, and the version script hides a visible symbol that is no hook.
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

marked=$(awk '/^KSHIM_EXPORT/ { getline; sub(/\(.*/, ""); print }' "$TOP"/shim/*.c | sort)
listed=$(awk '/global:/ { on = 1; next } /local:/ { on = 0 } on && /;/ { gsub(/[ \t;]/, ""); print }' \
	"$TOP/shim/libkshim.lds" | sort)
defined=$(nm -D --defined-only "$SHIM" | awk '{ print $3 }' | sort)
expect_eq "13 functions are marked KSHIM_EXPORT" "$(echo "$marked" | wc -l)" 13
expect_eq "the version script lists exactly them" "$listed" "$marked"
expect_eq "libkshim.so defines exactly them" "$defined" "$marked"

# A symbol of default visibility that is no hook stays inside the shim.
make_to "$work/with.so" build/helpers/not_a_hook-lds.so && make_to "$work/without.so" build/helpers/not_a_hook.so
check "tests/helpers/not_a_hook.c links with and without the version script" test $? = 0
expect_eq "  ... without it, the visible function is exported" \
	"$(nm -D --defined-only "$work/without.so" | grep -c kshim_not_a_hook)" 1
expect_eq "  ... with it, it is not" "$(nm -D --defined-only "$work/with.so" | grep -c kshim_not_a_hook)" 0
finish
