#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unit tests of the seccomp supervisor's table copy and hosts file (launcher/lib/seccomp/table.c,
# hosts.c), under ASan and UBSan; the hosts test runs sh and cat under the real supervisor.
. "$(dirname "$0")/lib.sh"
unit_test seccomp_table_test
unit_test seccomp_hosts_test
finish
