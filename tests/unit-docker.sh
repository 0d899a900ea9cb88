#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unit tests of the launcher's parsers of Docker replies (no daemon), under
# ASan and UBSan. tests/fuzz.sh fuzzes the same functions (fuzz_docker).
. "$(dirname "$0")/lib.sh"
unit_test docker_parse_test
finish
