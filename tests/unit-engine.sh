#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Engine discovery (DOCKER_HOST, TLS variables, the docker CLI's contexts) and the ssh command line, without an engine.
. "$(dirname "$0")/lib.sh"
unit_test engine_test
finish
