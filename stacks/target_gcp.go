//go:build !nogcp

package stacks

import (
	"github.com/pachdeploy/pachdeploy/components/gcp"
	"github.com/pachdeploy/pachdeploy/target"
)

// gcpTargets is Google Cloud (GKE); a build with -tags nogcp leaves it out (see builds_test.go).
var gcpTargets = target.List{gcp.Target}
