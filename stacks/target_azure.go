//go:build !noazure

package stacks

import (
	"github.com/pachdeploy/pachdeploy/components/azure"
	"github.com/pachdeploy/pachdeploy/target"
)

// azureTargets is Azure (AKS); a build with -tags noazure leaves it out (see builds_test.go).
var azureTargets = target.List{azure.Target}
