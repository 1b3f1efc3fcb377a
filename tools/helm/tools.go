//go:build tools

// Package helm pins the Helm CLI that `make tools` builds into ./bin/helm for the
// render test (tests/render). It is its own module so that Helm's Kubernetes
// libraries never touch the root go.mod, which pins pulumi-kubernetes and k8s.io.
package helm

import (
	_ "helm.sh/helm/v3/cmd/helm"
)
