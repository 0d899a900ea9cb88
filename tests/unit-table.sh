#!/usr/bin/env bash
# Unit tests of the table module (pure functions), under ASan and UBSan.
. "$(dirname "$0")/lib.sh"
bin=$OUT/table_test
cc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -g -fsanitize=address,undefined \
	-fno-sanitize-recover=all -I"$TOP/include" -o "$bin" \
	"$TOP/tests/unit/table_test.c" "$TOP/shim/table_format.c" || { notok "build table_test"; finish; }
tap_run "" "$bin"
finish
