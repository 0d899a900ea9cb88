#!/usr/bin/env bash
# Unit tests of the table module (pure functions), under ASan and UBSan.
. "$(dirname "$0")/lib.sh"
unit_test table_test
finish
