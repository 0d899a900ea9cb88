#!/usr/bin/env bash
# Unit tests of the attach record (launcher/lib/attached.c), under ASan and UBSan.
. "$(dirname "$0")/lib.sh"
unit_test attached_test
finish
