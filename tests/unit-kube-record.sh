#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unit tests of the Kubernetes attach record and forwarder files (launcher/lib/kube/record.c), under ASan and UBSan.
. "$(dirname "$0")/lib.sh"
unit_test kube_record_test
finish
