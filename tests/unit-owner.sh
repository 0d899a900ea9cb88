#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unit tests of the owner label of kshim debug's containers (launcher/lib/owner.c), under ASan and UBSan.
. "$(dirname "$0")/lib.sh"
unit_test owner_test
finish
