#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A short libFuzzer run of each target over the committed corpus.
exec bash "$(dirname "$0")/fuzz.sh" short
