#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unit tests of the table module (pure functions), under ASan and UBSan.
. "$(dirname "$0")/lib.sh"
unit_test table_test
finish
