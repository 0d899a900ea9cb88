#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unit tests of the table directory and library paths (launcher/lib/paths.c), under ASan and UBSan.
. "$(dirname "$0")/lib.sh"
unit_test paths_test
finish
