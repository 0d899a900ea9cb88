// SPDX-License-Identifier: Apache-2.0
// coredns: CoreDNS for the test cluster with only the plugins it uses: the cluster zone from the
// Kubernetes API, hosts, a cache, and health, readiness and reload for running it as a host process.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/hosts"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	_ "github.com/coredns/coredns/plugin/whoami"
)

// plugins are the directives imported above; the server runs them in CoreDNS's own order.
var plugins = map[string]bool{
	"bind": true, "cache": true, "errors": true, "health": true, "hosts": true, "kubernetes": true,
	"log": true, "loop": true, "ready": true, "reload": true, "whoami": true,
}

func init() {
	kept := dnsserver.Directives[:0:0]
	for _, d := range dnsserver.Directives {
		if plugins[d] {
			kept = append(kept, d)
		}
	}
	dnsserver.Directives = kept
}

func main() {
	coremain.Run()
}
