#!/usr/bin/env bash
# Engine discovery (DOCKER_HOST, TLS variables, the docker CLI's contexts) and the ssh command line, without an engine.
. "$(dirname "$0")/lib.sh"
unit_test engine_test
finish
