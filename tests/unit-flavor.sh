#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unit tests of the flavour rules (launcher/lib/flavor.c), under ASan and UBSan.
. "$(dirname "$0")/lib.sh"
unit_test flavor_test
finish
