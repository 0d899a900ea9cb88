#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unit tests of the launcher's option parsing (launcher/cli.c), under ASan and UBSan.
. "$(dirname "$0")/lib.sh"
unit_test cli_test
finish
