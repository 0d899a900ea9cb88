#!/usr/bin/env bash
# The Kubernetes client without a server: kubeconfig merging, contexts, credentials, exec plugins, an unreachable server.
. "$(dirname "$0")/lib.sh"
unit_test kube_test
finish
