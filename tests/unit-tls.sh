#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unit tests of the certificates kshim up --tls makes (launcher/lib/tls.c), under ASan and UBSan.
. "$(dirname "$0")/lib.sh"
unit_test tls_test
finish
