// Command pachdeploy-program is the Pulumi program that `pulumi preview` and `pulumi up`
// build from Pulumi.yaml at the repository root. The pachdeploy CLI and the automation
// package run the same program inline.
package main

import (
	"github.com/pachdeploy/pachdeploy/stacks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() { pulumi.Run(stacks.Run) }
