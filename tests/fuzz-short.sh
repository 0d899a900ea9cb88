#!/usr/bin/env bash
# A short libFuzzer run of each target over the committed corpus.
exec bash "$(dirname "$0")/fuzz.sh" short
