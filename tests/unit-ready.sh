#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unit tests of the SCRAM probe's listing (launcher/lib/ready.c), under ASan and UBSan.
. "$(dirname "$0")/lib.sh"
unit_test ready_test
finish
