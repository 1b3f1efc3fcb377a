//go:build noaws

package stacks

import "github.com/pachdeploy/pachdeploy/target"

// awsTargets is empty: this build leaves AWS (EKS) out (-tags noaws).
var awsTargets target.List
