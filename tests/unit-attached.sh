#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unit tests of the attach record (launcher/lib/attached.c), under ASan and UBSan.
. "$(dirname "$0")/lib.sh"
unit_test attached_test
finish
