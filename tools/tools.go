//go:build tools

// Package tools pins the Pulumi CLI that `make tools` builds into ./bin.
// Its version is kept equal to the root module's github.com/pulumi/pulumi/sdk/v3
// (tools.mk stamps it into the binary via the sdk's version package).
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	_ "github.com/pulumi/pulumi/sdk/v3/go/common/version"
)
