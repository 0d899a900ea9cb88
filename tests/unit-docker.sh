#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unit tests of the launcher's parsers of Docker replies (no daemon), under
# ASan and UBSan. tests/fuzz.sh fuzzes the same functions (fuzz_docker).
. "$(dirname "$0")/lib.sh"
bin=$OUT/docker_parse_test
# shellcheck disable=SC2046
clang -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -g -fsanitize=address,undefined \
	-fno-sanitize-recover=all -I"$TOP/include" -I"$TOP/launcher/lib" \
	$(pkg-config --cflags libcjson libcurl) -o "$bin" "$TOP/tests/unit/docker_parse_test.c" \
	"$TOP"/launcher/lib/engine/{docker,engine,ssh_bridge}.c "$TOP"/launcher/lib/{cluster,attached,watch,flavor,error,paths,table_store,file,origin,owner}.c \
	"$TOP/common/table.c" $(pkg-config --libs libcjson libcurl libcrypto) -lpthread || { notok "build docker_parse_test"; finish; }
tap_run "" "$bin"
finish
