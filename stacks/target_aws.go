//go:build !noaws

package stacks

import (
	"github.com/pachdeploy/pachdeploy/components/aws"
	"github.com/pachdeploy/pachdeploy/target"
)

// awsTargets is AWS (EKS); a build with -tags noaws leaves it out (see builds_test.go).
var awsTargets = target.List{aws.Target}
