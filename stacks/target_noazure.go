//go:build noazure

package stacks

import "github.com/pachdeploy/pachdeploy/target"

// azureTargets is empty: this build leaves Azure (AKS) out (-tags noazure).
var azureTargets target.List
